"""A report file as rows of text: decoding, CSV/TSV sniffing, XLSX, and finding the header.

Rows are numbered as a spreadsheet shows them (the first line of the file is row 1, a quoted
multi-line address is still one row), so a problem can be found in Excel by its number.

Amazon's tab-separated reports never quote: a cell may start with '"' and mean it. Excel's
"Unicode text" and other tab files do quote, as CSV does. A tab file is read quoted unless
that reading breaks: a quote left open, text after a closing quote, or rows no longer as
wide as the header because a quote swallowed the tabs and lines after it.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

Source = bytes | str | os.PathLike[str]

HEADER_SEARCH_ROWS = 20  # eBay puts a blank line or two before its header
_DELIMITERS = ("\t", ",", ";")
csv.field_size_limit(16 * 1024 * 1024)


class NotAnOrderFile(ValueError):
    """The file is not one of the report formats Backroom reads; the message says what to do."""


def compact(name: str) -> str:
    """A column name reduced to letters and digits, so 'Ship To Zip', 'ship-to-zip' match."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@dataclass
class Table:
    """The rows after the header; `rows` yields (spreadsheet row number, cells) once, and
    `raw()` is the text of the row last yielded, as the file has it."""

    name: str
    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[str]]]
    delimiter: str  # "" for a spreadsheet
    encoding: str
    raw: Callable[[], str]


class _Lines:
    """The file's lines for csv.reader, remembering those of the record being read."""

    __slots__ = ("_next", "taken")

    def __init__(self, text: str) -> None:
        self._next = io.StringIO(text, newline="").__next__
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._next()
        self.taken.append(line)
        return line


def load(source: Source, name: str | None = None) -> tuple[str, bytes]:
    """The file's name for messages and its bytes."""
    if isinstance(source, bytes | bytearray):
        return name or "the file", bytes(source)
    path = Path(source)
    return name or path.name, path.read_bytes()


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), UTF-16, else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    elif b"\x00" in data[:400] and len(data) % 2 == 0:
        try:
            return data.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"  # what Excel on Windows saves "CSV" as
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def is_old_excel(data: bytes) -> bool:
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_table(data: bytes, name: str,
               find_header: Callable[[list[str]], Any]) -> tuple[Any, Table]:
    """Find the header row (the first of the top rows that `find_header` accepts) and
    return what it returned with the table; NotAnOrderFile when no row is accepted."""
    if is_old_excel(data):
        raise NotAnOrderFile(f"{name} is an old Excel .xls workbook. Open it in Excel or "
                             "LibreOffice, save it as CSV or .xlsx, and try again.")
    if is_xlsx(data):
        return _open_xlsx(data, name, find_header)
    text, encoding = decode(data)
    for delimiter in _delimiter_order(text):
        lines = _Lines(text)
        rows = csv.reader(lines, delimiter=delimiter, quoting=_quoting(text, delimiter))
        found = _header(rows, find_header)
        if found is not None:
            kind, header, header_row = found
            taken = lines.taken

            def raw(taken: list[str] = taken, delimiter: str = delimiter) -> str:
                return "".join(taken).rstrip("\r\n").rstrip(delimiter)

            return kind, Table(name, header, header_row, _numbered(rows, header_row, taken),
                               delimiter, encoding, raw)
    raise _unknown(name)


def _unknown(name: str) -> NotAnOrderFile:
    return NotAnOrderFile(
        f"{name} is not a file Backroom knows: it looked for the headers of Shopify, Etsy, "
        "Amazon or eBay order exports. Export the orders report from your channel and try "
        "again.")


def _delimiter_order(text: str) -> list[str]:
    head = text[:8192]
    first = next((line for line in head.splitlines() if line.strip(" ,;\t\"")), head)
    return sorted(_DELIMITERS, key=lambda d: -first.count(d))


def _quoting(text: str, delimiter: str) -> int:
    """QUOTE_NONE for a tab file whose quotes do not read as CSV quoting (Amazon's own)."""
    if delimiter != "\t" or '"' not in text:
        return csv.QUOTE_MINIMAL
    try:
        quoted = _widths(text, csv.QUOTE_MINIMAL)
    except csv.Error:  # a quote left open, or text after a closing one
        return csv.QUOTE_NONE
    if sum(quoted) - len(quoted) + quoted.count(0) == text.count("\t"):
        return csv.QUOTE_MINIMAL  # every tab is between cells
    # Tabs inside quoted cells: typed there (Excel quoted them), or swallowed by a quote
    # that Amazon never meant as one. The reading that keeps rows as wide as the header wins.
    plain = _widths(text, csv.QUOTE_NONE)
    return csv.QUOTE_MINIMAL if _off_width(quoted) < _off_width(plain) else csv.QUOTE_NONE


def _widths(text: str, quoting: int) -> list[int]:
    return list(map(len, csv.reader(io.StringIO(text, newline=""), delimiter="\t",
                                    quoting=quoting, strict=True)))


def _off_width(widths: list[int]) -> int:
    """How many rows are not as wide as the first (the header); blank lines aside."""
    rows = [w for w in widths if w]
    return sum(w != rows[0] for w in rows) if rows else 0


def _header(rows: Iterator[list[str]], find_header: Callable[[list[str]], Any]
            ) -> tuple[Any, list[str], int] | None:
    try:
        for number, row in enumerate(rows, 1):
            if number > HEADER_SEARCH_ROWS:
                return None
            if not any(row):
                continue
            header = [cell.strip().lstrip("\ufeff").strip('"').strip() for cell in row]
            kind = find_header(header)
            if kind is not None:
                return kind, header, number
    except csv.Error:
        return None
    return None


def _numbered(rows: Iterator[list[str]], header_row: int, taken: list[str] | None = None
              ) -> Iterator[tuple[int, list[str]]]:
    number = header_row
    if taken is not None:
        taken.clear()
    for row in rows:
        number += 1
        if row and any(row):
            yield number, row
        if taken is not None:
            taken.clear()


# --- spreadsheets ---------------------------------------------------------------------------


def _open_xlsx(data: bytes, name: str,
               find_header: Callable[[list[str]], Any]) -> tuple[Any, Table]:
    import openpyxl  # only when a workbook comes in: it is slow to import

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is not a workbook, or a damaged one
        raise NotAnOrderFile(f"{name} could not be opened as an Excel workbook ({exc}). "
                             "Export the orders report from your channel again.") from exc
    for sheet in book.worksheets:
        sheet.reset_dimensions()  # some writers record a wrong size; read what is there
        rows = (_texts(row) for row in sheet.iter_rows(values_only=True))
        found = _header(rows, find_header)
        if found is not None:
            kind, header, header_row = found
            sheet_rows = _SheetRows(_numbered(rows, header_row), book)
            return kind, Table(name, header, header_row, iter(sheet_rows), "", "xlsx",
                               sheet_rows.raw)
    book.close()
    raise _unknown(name)


class _SheetRows:
    """A sheet's rows, remembering the last for Table.raw; the workbook closes at the end."""

    def __init__(self, rows: Iterator[tuple[int, list[str]]], book: Any) -> None:
        self._rows = rows
        self._book = book
        self._last: list[str] = []
        self._text = RawRow(",")

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in self._rows:
                self._last = row
                yield number, row
        finally:
            self._book.close()

    def raw(self) -> str:
        return self._text(self._last)


class _Sink:
    __slots__ = ("write",)


class RawRow:
    """Cells written back as CSV text (quoted where needed), for a row with no file text."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self._out: list[str] = []
        sink = _Sink()
        sink.write = self._out.append
        self._writer = csv.writer(sink, delimiter=delimiter, lineterminator="")

    def __call__(self, row: list[str]) -> str:
        self._writer.writerow(row)
        return self._out.pop().rstrip(self.delimiter)


def _texts(row: tuple[Any, ...]) -> list[str]:
    # Text and empty cells, most of a sheet, are taken without a call each.
    return [v if v.__class__ is str else "" if v is None else cell_text(v) for v in row]


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would have held (never a float's noise)."""
    if value is None:
        return ""
    kind = value.__class__
    if kind is int:
        return str(value)
    if kind is float:
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else text
    if kind is datetime:
        return value.isoformat(" ", "seconds")
    if kind is date:
        return value.isoformat()
    if kind is bool:
        return "TRUE" if value else "FALSE"
    return str(value)
