"""Catalogue spreadsheets: check every imported row before anything is applied, and make
exported cells safe to open.

`check_rows` takes the header and rows as a reader gives them (csv.reader lists, openpyxl
`values_only` tuples) and returns either parsed rows or every problem found, each with the
row number a spreadsheet shows and the column's name as written in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.domain.errors import DomainError
from app.domain.money import Money, exponent

COLUMNS = ("sku", "title", "category", "barcode", "price", "cost", "quantity")
REQUIRED = ("sku",)
SKU_MAX, TITLE_MAX = 80, 300  # the lengths of products.sku and products.title

BarcodeCheck = Callable[[str], bool]
"""True when a barcode's check digit is right; may raise DomainError/ValueError with why."""


@dataclass(frozen=True)
class Problem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # as the file names it
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"


@dataclass(frozen=True)
class CatalogueRow:
    """One product row, parsed; None means the file leaves that field as it is."""

    row: int
    sku: str
    title: str | None = None
    category: str | None = None  # spelled as the known category is, when it is known
    barcode: str | None = None
    price: Money | None = None
    cost: Money | None = None
    quantity: int | None = None


@dataclass(frozen=True)
class CatalogueCheck:
    rows: tuple[CatalogueRow, ...]  # empty whenever there is any problem
    problems: tuple[Problem, ...]
    new_categories: tuple[str, ...] = ()  # to create first, when that is allowed
    ignored_columns: tuple[str, ...] = ()  # columns the import does not read

    @property
    def ok(self) -> bool:
        return not self.problems


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


def cell_text(value: object) -> str:
    """A cell as the text a person typed: 12.0 from a spreadsheet is '12', None is ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


_SYMBOLS = {"£": ("GBP",), "€": ("EUR",), "¥": ("JPY",), "$": ("USD", "AUD", "CAD", "NZD")}
_PLAIN = re.compile(r"\d+(\.\d+)?|\.\d+")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_CODE = re.compile(r"([A-Za-z]{3})\s*([-\d.,]+)|([-\d.,]+)\s*([A-Za-z]{3})")


def parse_price(text: str, currency: str) -> Money:
    """'12.50', '£1,234.50', '12,50', 'GBP 12' as Money; DomainError says what is wrong.

    A comma followed by one or two digits is a decimal comma; followed by groups of three
    it separates thousands.
    """
    body = text.strip().replace("\u00a0", " ")
    currency = currency.upper()
    for symbol, codes in _SYMBOLS.items():
        if body.startswith(symbol) or body.endswith(symbol):
            if currency not in codes:
                raise DomainError(f"{text!r} is in {symbol}, but prices here are in {currency}.")
            body = body.strip(symbol).strip()
    code = _CODE.fullmatch(body)
    if code:
        found = (code.group(1) or code.group(4)).upper()
        if found != currency:
            raise DomainError(f"{text!r} is in {found}, but prices here are in {currency}.")
        body = (code.group(2) if code.group(1) else code.group(3)).strip()
    if body.startswith("-"):
        raise DomainError(f"{text!r} is negative; a price cannot be.")
    if _PLAIN.fullmatch(body):
        number = body
    elif _THOUSANDS.fullmatch(body):
        number = body.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(body):
        number = body.replace(",", ".")
    else:
        raise DomainError(f"{text!r} is not a price; write it like 12.50.")
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the patterns admit only numbers
        raise DomainError(f"{text!r} is not a price; write it like 12.50.") from None
    places = exponent(currency)
    minor = amount.scaleb(places)
    if minor != minor.to_integral_value():
        raise DomainError(f"{text!r} has more than {places} decimal places for {currency}.")
    return Money(int(minor), currency)


def _quantity(text: str) -> int:
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise DomainError(f"{text!r} is not a number of units.") from None
    if amount != amount.to_integral_value():
        raise DomainError(f"{text!r} is not a whole number of units.")
    if amount < 0:
        raise DomainError(f"{text} is negative; a quantity is 0 or more.")
    return int(amount)


def standard_barcode_check(code: str) -> bool:
    """EAN-13 and UPC-A must carry the right check digit; anything else must fit Code 128."""
    from app.domain.barcodes import detect_kind  # imported late: the catalogue can do without

    detect_kind(code)  # raises BarcodeError (a DomainError) saying what is wrong
    return True


def _barcode_problem(code: str, check: BarcodeCheck | None) -> str | None:
    if check is None:
        return None
    try:
        good = check(code)
    except (DomainError, ValueError) as why:
        return str(why)
    return None if good else f"{code} is not a valid barcode: its check digit is wrong."


def check_rows(header: Sequence[object], rows: Iterable[Sequence[object]], *, currency: str,
               categories: Collection[str], allow_new_categories: bool = False,
               barcode_check: BarcodeCheck | None = standard_barcode_check,
               header_row: int = 1) -> CatalogueCheck:
    """Every problem in the file, or its rows parsed when there are none.

    `categories` are the known ones (matched ignoring case); unknown ones are a problem
    unless `allow_new_categories`, when they are listed to be created. `barcode_check`
    None takes barcodes as they are. Blank rows are
    skipped. SKUs are compared ignoring case, so MUG-1 and mug-1 are a duplicate.
    """
    names = [cell_text(h) for h in header]
    problems: list[Problem] = []
    index: dict[str, int] = {}
    ignored = []
    for i, name in enumerate(names):
        key = _key(name)
        if key in COLUMNS:
            if key in index:
                problems.append(Problem(header_row, name,
                                        f"The column {name!r} appears twice."))
            else:
                index[key] = i
        elif name:
            ignored.append(name)
    for key in REQUIRED:
        if key not in index:
            problems.append(Problem(header_row, key, f"There is no {key} column: the first row "
                                                     "must name the columns."))
    if problems:
        return CatalogueCheck((), tuple(problems), (), tuple(ignored))

    known = {c.strip().casefold(): c for c in categories}
    new: dict[str, str] = {}
    first_seen: dict[str, tuple[int, str]] = {}
    parsed: list[CatalogueRow] = []
    for number, cells in enumerate(rows, start=header_row + 1):
        texts = {key: cell_text(cells[i]) if i < len(cells) else ""
                 for key, i in index.items()}
        if not any(cell_text(c) for c in cells):
            continue

        def problem(key: str, message: str, row: int = number) -> None:
            problems.append(Problem(row, names[index[key]], message))

        sku = texts["sku"]
        if not sku:
            problem("sku", "The SKU is missing.")
        elif len(sku) > SKU_MAX:
            problem("sku", f"The SKU is {len(sku)} characters long; at most {SKU_MAX} fit.")
        elif sku.casefold() in first_seen:
            row, spelled = first_seen[sku.casefold()]
            also = "" if spelled == sku else f" (as {spelled})"
            problem("sku", f"{sku} is also on row {row}{also}; each SKU may appear once.")
        else:
            first_seen[sku.casefold()] = (number, sku)

        title = texts.get("title") or None
        if title and len(title) > TITLE_MAX:
            problem("title", f"The title is {len(title)} characters long; at most "
                             f"{TITLE_MAX} fit.")

        category = texts.get("category") or None
        if category is not None:
            if category.casefold() in known:
                category = known[category.casefold()]
            elif allow_new_categories:
                category = new.setdefault(category.casefold(), category)
            else:
                shown = ", ".join(sorted(known.values(), key=str.casefold)[:8]) or "none yet"
                problem("category", f"{category!r} is not a category (known: {shown}).")

        barcode = texts.get("barcode", "").replace(" ", "") or None
        if barcode is not None:
            why = _barcode_problem(barcode, barcode_check)
            if why:
                problem("barcode", why)

        money: dict[str, Money | None] = {}
        for key in ("price", "cost"):
            text = texts.get(key, "")
            money[key] = None
            if text:
                try:
                    money[key] = parse_price(text, currency)
                except DomainError as why:
                    problem(key, str(why))

        quantity = None
        if texts.get("quantity"):
            try:
                quantity = _quantity(texts["quantity"])
            except DomainError as why:
                problem("quantity", str(why))

        parsed.append(CatalogueRow(number, sku, title, category, barcode, money["price"],
                                   money["cost"], quantity))

    if problems:
        return CatalogueCheck((), tuple(problems), tuple(new.values()), tuple(ignored))
    return CatalogueCheck(tuple(parsed), (), tuple(new.values()), tuple(ignored))


# --- exports -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)


def safe_cell(value: object) -> object:
    """A cell that cannot run as a formula when the export is opened (OWASP CSV injection):
    text starting with = + - @ tab or CR gets a leading single quote. Numbers, and text
    that is just a number such as '-3.50', stay as they are.

    For CSV. In xlsx, write such text as a string cell instead (openpyxl: data_type 's').
    """
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        return value
    return "'" + value if value.startswith(_FORMULA_START) else value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]
