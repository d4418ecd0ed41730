"""What every report reader shares: the result, column lookup, problems by row, raw text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from app.channels.base import ChannelOrder, RowProblem
from app.channels.date_text import DateError
from app.channels.files.countries import country_code
from app.channels.files.detect import FileFormat
from app.channels.files.table import Table, compact
from app.channels.money_text import MoneyError, parse_money

RAW_LIMIT = 1000  # characters of the file kept per order for the sync log
PROGRESS_EVERY = 5000  # rows between progress reports
_ROUNDED = re.compile(r"\d+(?:[.,]\d*)?[eE][+-]?\d+")  # '5.51235E+12', '5,51235E+12'


@dataclass(frozen=True)
class ParseResult:
    """What one report file held: the orders that read cleanly and every row that did not.

    An order with any problem is left out of `orders`; whether to import the rest is the
    caller's choice. `rows` counts the data rows read (not the header or blank lines).
    """

    format: FileFormat
    orders: tuple[ChannelOrder, ...]
    problems: tuple[RowProblem, ...]
    rows: int
    name: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Shop:
    """What a file leaves unsaid: the shop's time zone and its currency."""

    tz: tzinfo = UTC
    currency: str = "USD"


Progress = Callable[[int], None]


def describe(problem: RowProblem) -> str:
    """'row 14, Created at: '2024-13-45' is not a date' - how a problem is shown."""
    return f"row {problem.row}, {problem.field}: {problem.message}"


class Columns:
    """Where each needed column is, by name (any order, extra columns ignored).

    `index[label]` is the column's position; an absent optional column points one past
    the last column, where `pad` always puts an empty cell.
    """

    def __init__(self, table: Table, required: Mapping[str, tuple[str, ...]],
                 optional: Mapping[str, tuple[str, ...]] | None = None) -> None:
        positions: dict[str, int] = {}
        for i, name in enumerate(table.header):
            positions.setdefault(compact(name), i)
        self.width = len(table.header)
        self.index: dict[str, int] = {}
        self.names: dict[str, str] = {}  # label -> the column's name as this file writes it
        self.missing: list[str] = []
        self.present: set[str] = set()
        for label, aliases in (*required.items(), *(optional or {}).items()):
            found = next((positions[k] for k in map(compact, (label, *aliases))
                          if k in positions), None)
            self.names[label] = label if found is None else table.header[found] or label
            if found is None:
                self.index[label] = self.width
                if label in required:
                    self.missing.append(label)
            else:
                self.index[label] = found
                self.present.add(label)
        self._blank = [""] * (self.width + 1)

    def pad(self, row: list[str]) -> list[str]:
        """The row with every column (and the one-past-the-end empty cell) present."""
        short = self.width + 1 - len(row)
        if short > 0:
            row.extend(self._blank[:short])
        return row


class Problems:
    """Problems by row and field, and the orders they spoil."""

    def __init__(self) -> None:
        self.items: list[RowProblem] = []
        self.spoiled: set[str] = set()

    def add(self, row: int, field: str, message: str, order: str | None = None) -> None:
        self.items.append(RowProblem(row, field, message))
        if order is not None:
            self.spoiled.add(order)

    def missing_columns(self, table: Table, columns: Columns, title: str) -> bool:
        for label in columns.missing:
            self.add(table.header_row, label, f"the {title} has no '{label}' column; "
                     "export the report again with all its columns")
        return bool(columns.missing)


class RawParts:
    """The first RAW_LIMIT characters of an order's rows."""

    __slots__ = ("parts", "size")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def wants_more(self) -> bool:
        return self.size < RAW_LIMIT

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text) + 1

    def text(self) -> str:
        joined = "\n".join(self.parts)
        return joined if len(joined) <= RAW_LIMIT else joined[:RAW_LIMIT - 1] + "…"


def money(text: str, currency: str, row: int, field: str, problems: Problems,
          order: str) -> int:
    """Minor units, or 0 with the problem noted against the order."""
    try:
        return parse_money(text, currency)
    except MoneyError as exc:
        problems.add(row, field, str(exc), order)
        return 0


def when(parse: Callable[[str, tzinfo], datetime], text: str, tz: tzinfo, row: int,
         field: str, problems: Problems, order: str) -> datetime | None:
    """A UTC datetime, or None with the problem noted ('' is None without a problem)."""
    if not text:
        return None
    try:
        return parse(text, tz)
    except DateError as exc:
        problems.add(row, field, str(exc), order)
        return None


def quantity(text: str, row: int, field: str, problems: Problems, order: str) -> int:
    s = text.strip()
    if s.isascii() and s.isdigit():
        return int(s)
    if s.endswith(".0") and s[:-2].isdigit():
        return int(s[:-2])
    problems.add(row, field, f"{text!r} is not a quantity", order)
    return 0


def currency_code(text: str, default: str, row: int, field: str, problems: Problems,
                  order: str) -> str:
    code = text.strip().upper()
    if not code:
        return default.upper()
    if len(code) == 3 and code.isascii() and code.isalpha():
        return code
    problems.add(row, field, f"{text!r} is not a currency code", order)
    return default.upper()


def strip_quote(text: str) -> str:
    """Shopify writes postcodes and phones as \"'02108\" so spreadsheets keep the zero."""
    return text[1:] if text.startswith("'") else text


def exact_id(text: str, row: int, field: str, problems: Problems, order: str,
             channel: str) -> str:
    """An id as written; one a spreadsheet rounded to '5.51235E+12' is a problem, since
    several orders or items share what is left of it and would be taken for one."""
    s = text.strip()
    if _ROUNDED.fullmatch(s):
        problems.add(row, field, f"{text!r} is a long number rounded by a spreadsheet "
                     "(Excel shows them as 5.51235E+12), so it no longer tells one order or "
                     f"item from another: export the report again from {channel} and import "
                     "that file without opening and saving it in Excel", order)
    return s


def country(text: str, row: int, field: str, problems: Problems, order: str) -> str:
    """The ISO code of a country cell; a name not known is a problem, never a guess."""
    code = country_code(text)
    if code is None:
        problems.add(row, field, f"{text.strip()!r} is not a country Backroom knows: write "
                     "its two-letter code (GB, US, DE...) in this cell and import the file "
                     "again", order)
        return ""
    return code
