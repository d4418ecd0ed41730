"""Catalogue spreadsheets: products, stock by bin and stock movements out as XLSX or CSV (what
the Inventory list shows), and a catalogue file in, created or updated by SKU.

An export streams the list page by page (keyset) into openpyxl's write-only workbook, so
100,000 products never sit in memory at once; text that could run as a formula is written
as text. An import checks every row first (app.domain.catalogue_rows) and then applies all
of them in one unit of work, or none: each problem is named by its row. Quantities set the
on-hand through adjustment movements in the ledger, never by writing the levels.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db.bulk import insert_rows, next_ids, update_rows
from app.db.models import (
    Category,
    Location,
    Product,
    StatusChange,
    StockLevel,
    StockMovement,
    StockPushQueue,
    utcnow,
)
from app.domain.access import Can
from app.domain.catalogue_rows import CatalogueRow, Problem, check_rows, safe_cell
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.money import Money, exponent
from app.domain.stock import MovementReason
from app.services import catalogue, inventory, stock
from app.services.access import requires
from app.services.paging import PageRequest
from app.services.uow import UnitOfWork

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

KINDS = ("products", "stock", "movements")
SUFFIXES = (".xlsx", ".csv")
PAGE = 2000  # rows read per query while exporting
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PRODUCT_HEADERS = ("SKU", "Title", "Category", "Barcode", "Price", "Cost", "Currency",
                   "On hand", "Reserved", "Available", "Bins")
PRODUCT_WIDTHS = (18, 48, 16, 16, 10, 10, 9, 9, 9, 9, 14)
STOCK_HEADERS = ("SKU", "Title", "Category", "Location", "Quantity", "Reserved", "Available")
STOCK_WIDTHS = (18, 48, 16, 12, 9, 9, 9)
MOVEMENT_HEADERS = ("When", "SKU", "Title", "Location", "Quantity", "Reason", "Reference",
                    "Note", "By")
MOVEMENT_WIDTHS = (19, 18, 40, 12, 9, 12, 24, 30, 14)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what XLSX cannot hold
_CHUNK = 900


# --- export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    kind: str  # products, stock, movements
    rows: int

    def summary(self) -> str:
        noun = {"products": "product", "stock": "stock row", "movements": "movement"}[
            self.kind]
        return f"{self.rows:,} {noun}{'' if self.rows == 1 else 's'} written to {self.path}"


def _amount(minor: int | None, currency: str) -> Decimal | None:
    if not minor:
        return None
    return Decimal(minor).scaleb(-exponent(currency))


class _Sheet:
    """One table written to a temporary file beside the target, which it becomes only when
    complete (a cancelled or failed export leaves no partial file)."""

    def __init__(self, path: Path, title: str, headers: Sequence[str],
                 widths: Sequence[int]):
        self.path = path
        self.xlsx = path.suffix.lower() == ".xlsx"
        self.partial = path.with_name(f".{path.name}.part")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        if self.xlsx:
            from openpyxl import Workbook  # loaded when a sheet is made: slow to import
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font
            from openpyxl.utils import get_column_letter

            self._cell = WriteOnlyCell
            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet(title)
            for i, width in enumerate(widths, start=1):
                self.sheet.column_dimensions[get_column_letter(i)].width = width
            self.sheet.freeze_panes = "A2"
            bold = Font(bold=True)
            head = []
            for text in headers:
                cell = WriteOnlyCell(self.sheet, text)
                cell.font = bold
                head.append(cell)
            self.sheet.append(head)
        else:
            self._file = self.partial.open("w", newline="", encoding="utf-8-sig")
            self._csv = csv.writer(self._file)
            self._csv.writerow(headers)

    def _xlsx_value(self, value: Any) -> Any:
        if value.__class__ is not str:
            return value
        if _ILLEGAL.search(value):
            value = _ILLEGAL.sub("", value)
        if value.startswith(FORMULA_START):
            cell = self._cell(self.sheet, value)
            cell.data_type = "s"  # text, never a formula
            cell.quotePrefix = True
            return cell
        return value

    @staticmethod
    def _csv_value(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.isoformat(" ", "seconds")
        return safe_cell(value)

    def write(self, values: Sequence[Any]) -> None:
        if self.xlsx:
            convert = self._xlsx_value
            self.sheet.append([convert(v) for v in values])
        else:
            convert = self._csv_value
            self._csv.writerow([convert(v) for v in values])
        self.rows += 1

    def finish(self) -> None:
        if self.xlsx:
            self.book.save(self.partial)
        else:
            self._file.close()
        os.replace(self.partial, self.path)

    def abandon(self) -> None:
        if self.xlsx:  # end openpyxl's stream and remove the temporary file it writes to
            try:
                self.sheet.close()
                if self.sheet._writer is not None:
                    self.sheet._writer.cleanup()
            except Exception:
                pass
        else:
            self._file.close()
        self.partial.unlink(missing_ok=True)


def _target(path: Path | str) -> Path:
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise DomainError(f"{path.name}: export to an Excel workbook (.xlsx) or a CSV file "
                          "(.csv).")
    return path


def _write(path: Path, kind: str, title: str, headers: Sequence[str], widths: Sequence[int],
           rows: Iterator[Sequence[Any]], cancelled: Cancelled | None) -> ExportResult:
    try:
        sheet = _Sheet(path, title, headers, widths)
    except OSError as exc:
        raise DomainError(f"{path} cannot be written: {exc.strerror or exc}.") from exc
    try:
        for values in rows:
            sheet.write(values)
            if cancelled is not None and sheet.rows % 500 == 1 and cancelled():
                raise DomainError("The export was cancelled; no file was written.")
        sheet.finish()
    except OSError as exc:
        sheet.abandon()
        raise DomainError(f"{path} cannot be written: {exc.strerror or exc}.") from exc
    except BaseException:
        sheet.abandon()
        raise
    return ExportResult(path, kind, sheet.rows)


def _pages(session: Session, req: PageRequest) -> Iterator[tuple[inventory.ProductRow, ...]]:
    """The Inventory list as it is searched, filtered and sorted, a page at a time."""
    req = replace(req, after=None, limit=PAGE)
    while True:
        page = inventory.list_page(session, req)
        if page.rows:
            yield page.rows
        if page.after is None:
            return
        req = replace(req, after=page.after)


def _catalogue_fields(session: Session, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in session.execute(
        select(Product.id, Product.barcode, Product.price_minor, Product.price_currency,
               Product.cost_minor, Product.cost_currency).where(Product.id.in_(ids)))}


@requires(Can.SEE_INVENTORY)
def export_products(session: Session, path: Path | str, req: PageRequest = PageRequest(),  # noqa: B008
                    *, progress: Progress | None = None,
                    cancelled: Cancelled | None = None) -> ExportResult:
    """The products the Inventory list shows (its search, category and sort), with their
    barcode, price and cost, to an XLSX or CSV file that imports back unchanged."""
    path = _target(path)
    total = inventory.count(session, req)

    def rows() -> Iterator[Sequence[Any]]:
        done = 0
        for page in _pages(session, req):
            extra = _catalogue_fields(session, [r.id for r in page])
            for r in page:
                barcode, price, currency, cost, cost_currency = extra[r.id]
                yield (r.sku, r.title, r.category, barcode, _amount(price, currency),
                       _amount(cost, cost_currency), currency, r.on_hand, r.reserved,
                       r.available, r.location)
            done += len(page)
            if progress is not None:
                progress(done, total)

    return _write(path, "products", "Products", PRODUCT_HEADERS, PRODUCT_WIDTHS, rows(),
                  cancelled)


@requires(Can.SEE_INVENTORY)
def export_stock(session: Session, path: Path | str, req: PageRequest = PageRequest(),  # noqa: B008
                 *, progress: Progress | None = None,
                 cancelled: Cancelled | None = None) -> ExportResult:
    """Stock by bin of the products the Inventory list shows: one row per product and bin
    in walk order (a product in no bin has one row without a location). Imported back, it
    changes nothing; with the quantities counted, it sets them."""
    path = _target(path)
    total = inventory.count(session, req)

    def rows() -> Iterator[Sequence[Any]]:
        done = 0
        for page in _pages(session, req):
            levels: dict[int, list[tuple[str, int, int]]] = {}
            for pid, code, on_hand, reserved in session.execute(
                    select(StockLevel.product_id, Location.code, StockLevel.on_hand,
                           StockLevel.reserved)
                    .join(Location, Location.id == StockLevel.location_id)
                    .where(StockLevel.product_id.in_([r.id for r in page]))
                    .order_by(Location.walk_sequence, Location.code)):
                levels.setdefault(pid, []).append((code, on_hand, reserved))
            for r in page:
                for code, on_hand, reserved in levels.get(r.id) or [("", 0, 0)]:
                    yield (r.sku, r.title, r.category, code, on_hand, reserved,
                           on_hand - reserved)
            done += len(page)
            if progress is not None:
                progress(done, total)

    return _write(path, "stock", "Stock", STOCK_HEADERS, STOCK_WIDTHS, rows(), cancelled)


@requires(Can.SEE_INVENTORY)
def export_movements(session: Session, path: Path | str, *, since: date | None = None,
                     product_ids: Sequence[int] | None = None,
                     progress: Progress | None = None,
                     cancelled: Cancelled | None = None) -> ExportResult:
    """The stock ledger, oldest first, in local time: every movement, or those since a day
    and/or of some products."""
    path = _target(path)
    conds: list[Any] = []
    if since is not None:
        start = datetime.combine(since, datetime.min.time()).astimezone()
        conds.append(StockMovement.created_at >= start)
    ids = sorted(set(product_ids)) if product_ids is not None else None
    total = 0
    for chunk in _chunks(ids) if ids is not None else [None]:
        where = conds + ([StockMovement.product_id.in_(chunk)] if chunk is not None else [])
        total += int(session.scalar(select(func.count(StockMovement.id)).where(*where)) or 0)

    def rows() -> Iterator[Sequence[Any]]:
        done = 0
        for chunk in _chunks(ids) if ids is not None else [None]:
            where = conds + ([StockMovement.product_id.in_(chunk)] if chunk is not None
                             else [])
            last = 0
            while True:
                page = session.execute(
                    select(StockMovement.id, StockMovement.created_at, Product.sku,
                           Product.title, Location.code, StockMovement.quantity,
                           StockMovement.reason, StockMovement.reference, StockMovement.note,
                           StockMovement.actor)
                    .join(Product, Product.id == StockMovement.product_id)
                    .join(Location, Location.id == StockMovement.location_id)
                    .where(*where, StockMovement.id > last)
                    .order_by(StockMovement.id).limit(PAGE)).all()
                if not page:
                    break
                for (_id, when, sku, title, code, quantity, reason, reference, note,
                     actor) in page:
                    local = when.astimezone().replace(tzinfo=None, microsecond=0)
                    yield (local, sku, title, code, quantity, reason.replace("_", " "),
                           reference, note, actor)
                last = page[-1][0]
                done += len(page)
                if progress is not None:
                    progress(done, total)

    return _write(path, "movements", "Movements", MOVEMENT_HEADERS, MOVEMENT_WIDTHS, rows(),
                  cancelled)


def export(session: Session, kind: str, path: Path | str, req: PageRequest = PageRequest(),  # noqa: B008
           *, progress: Progress | None = None,
           cancelled: Cancelled | None = None) -> ExportResult:
    """`kind` is products, stock or movements (each checks who may export it)."""
    if kind == "products":
        return export_products(session, path, req, progress=progress, cancelled=cancelled)
    if kind == "stock":
        return export_stock(session, path, req, progress=progress, cancelled=cancelled)
    if kind == "movements":
        return export_movements(session, path, progress=progress, cancelled=cancelled)
    raise DomainError(f"Backroom exports {', '.join(KINDS)}, not {kind!r}.")


def _chunks(items: Sequence[Any] | None, size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    items = items or ()
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueImport:
    """What an import did (or, previewed or refused, would do)."""

    name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stock_changes: int = 0  # bins whose on-hand the file set to a new number
    new_categories: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # "Row 4, Barcode: ..." in row order
    preview: bool = False

    @property
    def rejected(self) -> bool:
        return bool(self.problems)

    @property
    def changes(self) -> Changes:
        if self.preview or self.rejected:
            return Changes()
        return Changes(products=bool(self.created or self.updated),
                       stock=bool(self.stock_changes or self.created))

    def summary(self) -> str:
        if self.rejected:
            n = len(self.problems)
            return (f"{self.name}: refused, nothing imported ({n:,} problem"
                    f"{'' if n == 1 else 's'})")
        verb = "would be" if self.preview else ""
        parts = [f"{self.created:,} {verb + ' ' if verb else ''}created",
                 f"{self.updated:,} updated", f"{self.unchanged:,} unchanged",
                 f"{self.stock_changes:,} stock level{'' if self.stock_changes == 1 else 's'}"
                 " set"]
        return f"{self.name}: {self.rows:,} rows, " + ", ".join(parts)

    def lines(self) -> list[str]:
        """The report as printed: the summary, then what needs a look."""
        out = [self.summary()]
        if self.new_categories and not self.rejected:
            out.append(f"  new categories: {', '.join(self.new_categories)}")
        if self.ignored_columns:
            out.append(f"  columns not read: {', '.join(self.ignored_columns)}")
        out += [f"  {p}" for p in self.problems]
        return out


_OWN_COLUMNS = {"location": "location", "bin": "location", "currency": "currency"}


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


def _columns(header: Sequence[str]) -> dict[str, str]:
    """Each column the import reads, by its key, as the file names it (the first of two)."""
    out: dict[str, str] = {}
    for name in header:
        key = _key(name)
        out.setdefault(_OWN_COLUMNS.get(key, key), name)
    return out


@dataclass
class _File:
    name: str
    header: list[str]
    header_row: int
    rows: list[Sequence[str]]  # rows[i] is spreadsheet row header_row + 1 + i; () if blank


def _unguard(cell: str) -> str:
    """A CSV cell our export guarded against formulas ('=x) reads back as it was (=x)."""
    if cell.startswith("'") and cell[1:2] and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


def _read(path: Path, progress: Progress | None) -> _File:
    from app.channels.files.table import NotAnOrderFile, is_old_excel, is_xlsx, open_table

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DomainError(f"{path} is not there; choose the file again.") from None
    except OSError as exc:
        raise DomainError(f"{path.name} cannot be read: {exc.strerror or exc}.") from exc
    if is_old_excel(data):
        raise DomainError(f"{path.name} is an old Excel .xls workbook. Open it in Excel or "
                          "LibreOffice, save it as .xlsx or CSV, and import that.")

    def has_sku(header: list[str]) -> bool | None:
        return True if any(_key(h) == "sku" for h in header) else None

    try:
        _found, table = open_table(data, path.name, has_sku)
    except NotAnOrderFile as exc:
        if is_xlsx(data) and "could not be opened" in str(exc):
            raise DomainError(f"{path.name} could not be opened as an Excel workbook; save "
                              "it again from your spreadsheet program.") from None
        raise DomainError(
            f"{path.name} has no SKU column in its first rows: the first row must name the "
            "columns, e.g. SKU, Title, Category, Barcode, Price, Cost, Quantity, "
            "Location.") from None
    rows: list[Sequence[str]] = []
    first = table.header_row + 1
    text = bool(table.delimiter)
    for number, cells in table.rows:
        while len(rows) < number - first:
            rows.append(())
        rows.append([_unguard(c) for c in cells] if text else cells)
        if progress is not None and len(rows) % 5000 == 0:
            progress(len(rows), 0)
    return _File(table.name, table.header, table.header_row, rows)


@dataclass
class _Item:
    """One SKU of the file: its product fields (merged over its rows) and quantities."""

    row: CatalogueRow
    rows: list[int] = field(default_factory=list)
    stock: dict[str, tuple[int, int]] = field(default_factory=dict)  # bin -> (qty, row)
    total: tuple[int, int] | None = None  # (qty, row) when no bin is named
    product_id: int | None = None


def _cell(cells: Sequence[str], i: int | None) -> str:
    if i is None or i >= len(cells) or cells[i] is None:
        return ""
    return str(cells[i]).strip()


def _check(f: _File, *, currency: str, categories: Sequence[str],
           allow_new_categories: bool) -> tuple[list[Problem], list[CatalogueRow],
                                                dict[int, str], tuple[str, ...],
                                                tuple[str, ...]]:
    """check_rows over the file, a group of rows at a time: rows of one currency, and the
    second, third… row of a SKU listed once per bin, each go in a group of their own (the
    others blank, so row numbers stay as the sheet shows them)."""
    keys = [_key(h) for h in f.header]
    own = {_OWN_COLUMNS[k]: i for i, k in reversed(list(enumerate(keys)))
           if k in _OWN_COLUMNS}
    sku_at = keys.index("sku")
    loc_at, cur_at = own.get("location"), own.get("currency")
    problems: list[Problem] = []
    groups: dict[tuple[int, str], list[int]] = {}
    seen: dict[str, tuple[int, str]] = {}
    bins: dict[int, str] = {}  # row number -> bin code as written
    occurrences: dict[str, int] = {}
    by_pair: dict[tuple[str, str], int] = {}
    repeated = False  # a SKU named again: that row is left out of every group
    for i, cells in enumerate(f.rows):
        if not cells or not any(_cell(cells, j) for j in range(len(cells))):
            continue
        number = f.header_row + 1 + i
        sku = _cell(cells, sku_at)
        code = _cell(cells, cur_at).upper() or currency
        if len(code) != 3 or not code.isalpha():
            problems.append(Problem(number, f.header[cur_at or 0],
                                    f"{_cell(cells, cur_at)!r} is not a currency code "
                                    "(like GBP)."))
            code = currency
        layer = 0
        if sku:
            key = sku.casefold()
            if loc_at is not None:
                where = _cell(cells, loc_at)
                bins[number] = where
                layer = occurrences.get(key, 0)
                occurrences[key] = layer + 1
                pair = (key, where.casefold())
                if pair in by_pair:
                    other = by_pair[pair]
                    at = f" in {where}" if where else ""
                    problems.append(Problem(number, f.header[sku_at],
                                            f"{sku}{at} is also on row {other}; each SKU "
                                            "may appear once per bin."))
                    repeated = True
                    continue
                by_pair[pair] = number
            elif key in seen:
                row, spelled = seen[key]
                also = "" if spelled == sku else f" (as {spelled})"
                problems.append(Problem(number, f.header[sku_at],
                                        f"{sku} is also on row {row}{also}; each SKU may "
                                        "appear once."))
                repeated = True
                continue
            seen.setdefault(key, (number, sku))
        groups.setdefault((layer, code), []).append(i)

    new: dict[str, str] = {}
    ignored: tuple[str, ...] = ()
    if not groups:
        groups[(0, currency)] = []

    def run(fixed: dict[int, Sequence[str]]) -> tuple[list[Problem], list[CatalogueRow]]:
        nonlocal ignored
        found: list[Problem] = []
        parsed: list[CatalogueRow] = []
        for (_layer, code), members in sorted(groups.items()):
            if len(groups) == 1 and not fixed and not repeated:
                rows: Sequence[Sequence[str]] = f.rows
            else:
                wanted = set(members)
                rows = [fixed.get(i, cells) if i in wanted else ()
                        for i, cells in enumerate(f.rows)]
            result = check_rows(f.header, rows, currency=code, categories=categories,
                                allow_new_categories=allow_new_categories,
                                header_row=f.header_row)
            found += result.problems
            parsed += result.rows
            for name in result.new_categories:
                new.setdefault(name.casefold(), name)
            ignored = tuple(c for c in result.ignored_columns if _key(c) not in _OWN_COLUMNS)
            if any(p.row == f.header_row for p in result.problems):
                break  # the header is wrong: every group would say so again
        return found, parsed

    found, parsed = run({})
    problems += found
    if problems and not any(p.row == f.header_row for p in found):
        # Parsed again with the wrong cells left empty, so the checks that need the
        # workshop's data (bins, barcodes in use, new products' titles) can name the
        # problems of those rows too: every problem is listed at once.
        fixed: dict[int, list[str]] = {}
        for p in problems:
            i = p.row - f.header_row - 1
            if p.column == f.header[sku_at]:
                fixed[i] = []
            elif p.column in f.header and fixed.get(i) != []:
                cells = fixed.setdefault(i, list(f.rows[i]))
                at = f.header.index(p.column)
                if at < len(cells):
                    cells[at] = ""
        _again, parsed = run(dict(fixed))
    unique = sorted(set(problems), key=lambda p: (p.row, f.header.index(p.column)
                                                  if p.column in f.header else 0))
    return unique, sorted(parsed, key=lambda r: r.row), bins, tuple(new.values()), ignored


_MERGED = ("title", "category", "barcode", "price", "cost")
_LABEL = {"title": "title", "category": "category", "barcode": "barcode", "price": "price",
          "cost": "cost"}


def _merge(rows: list[CatalogueRow], bins: dict[int, str], header: list[str],
           problems: list[Problem]) -> dict[str, _Item]:
    """One item per SKU: the product fields of its rows (which must agree) and its stock."""
    column = _columns(header)
    items: dict[str, _Item] = {}
    for r in rows:
        key = r.sku.casefold()
        item = items.get(key)
        if item is None:
            item = items[key] = _Item(r)
        else:
            merged = {}
            for name in _MERGED:
                mine, theirs = getattr(item.row, name), getattr(r, name)
                if theirs is None:
                    continue
                if mine is None:
                    merged[name] = theirs
                elif mine != theirs:
                    problems.append(Problem(r.row, column.get(name, name),
                                            f"The {_LABEL[name]} differs from row "
                                            f"{item.rows[0]} of {r.sku}; give it the same "
                                            "on every row of a SKU, or on one only."))
            if merged:
                item.row = replace(item.row, **merged)
        item.rows.append(r.row)
        if r.quantity is not None:
            where = bins.get(r.row, "")
            if where:
                item.stock[where] = (r.quantity, r.row)
            else:
                item.total = (r.quantity, r.row)
    for item in items.values():
        if len(item.rows) > 1 and (item.total is not None
                                   or any(not bins.get(n) for n in item.rows)):
            at = next(n for n in item.rows if not bins.get(n))
            problems.append(Problem(at, column.get("location", "Location"),
                                    f"{item.row.sku} is on rows "
                                    f"{', '.join(map(str, item.rows))}: name the bin on "
                                    "each, or give the SKU one row."))
    return items


@dataclass
class _Current:
    id: int
    sku: str
    title: str
    category_id: int | None
    barcode: str | None
    price: Money
    cost: Money
    active: bool


def _existing(session: Session, items: dict[str, _Item]) -> dict[str, _Current]:
    """The products the file names, by SKU ignoring case."""
    ids: dict[str, int] = {}
    for pid, sku in session.execute(select(Product.id, Product.sku)):
        key = sku.casefold()
        if key in items and (key not in ids or sku == items[key].row.sku):
            ids[key] = pid
    found: dict[int, _Current] = {}
    for chunk in _chunks(sorted(ids.values())):
        for r in session.execute(
                select(Product.id, Product.sku, Product.title, Product.category_id,
                       Product.barcode, Product.price_minor, Product.price_currency,
                       Product.cost_minor, Product.cost_currency, Product.active)
                .where(Product.id.in_(chunk))):
            found[r[0]] = _Current(r[0], r[1], r[2], r[3], r[4], Money(r[5], r[6]),
                                   Money(r[7], r[8]), r[9])
    return {key: found[pid] for key, pid in ids.items()}


@dataclass
class _Plan:
    """What applying the file will do; `problems` empty when it can be applied."""

    name: str
    header: list[str]
    problems: list[Problem]
    items: dict[str, _Item]
    current: dict[str, _Current]
    category_ids: dict[str, int | None]
    new_categories: tuple[str, ...]
    ignored: tuple[str, ...]
    locations: dict[str, int]
    # (product key, location id, wanted on-hand) for bins named; (key, wanted) for totals
    bin_targets: list[tuple[str, int, int, int]] = field(default_factory=list)
    total_targets: list[tuple[str, int, int]] = field(default_factory=list)
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: int = 0
    stock_changes: int = 0


def _plan(session: Session, f: _File, currency: str, allow_new_categories: bool) -> _Plan:
    categories = dict(session.execute(select(Category.name, Category.id)).all())
    problems, parsed, bins, new_categories, ignored = _check(
        f, currency=currency, categories=list(categories),
        allow_new_categories=allow_new_categories)
    if any(p.row == f.header_row for p in problems):
        return _Plan(f.name, f.header, problems, {}, {}, {}, (), ignored, {})
    items = _merge(parsed, bins, f.header, problems) if parsed else {}
    column = _columns(f.header)
    current = _existing(session, items)
    by_name = {name.casefold(): cid for name, cid in categories.items()}
    category_ids: dict[str, int | None] = {n.casefold(): None for n in new_categories}
    category_ids.update(by_name)
    locations = {code.casefold(): lid for code, lid in session.execute(
        select(Location.code, Location.id))}
    plan = _Plan(f.name, f.header, problems, items, current, category_ids, new_categories,
                 ignored, locations, rows=sum(1 for r in f.rows if r and any(_cell(r, j) for j in
                                                                       range(len(r)))))

    # Barcodes: one product each, in the file and in the workshop.
    owners: dict[str, str] = {}
    for key, item in items.items():
        code = item.row.barcode
        if code is None:
            continue
        if code in owners and owners[code] != key:
            first = items[owners[code]]
            problems.append(Problem(item.rows[0], column.get("barcode", "barcode"),
                                    f"{code} is also the barcode of {first.row.sku} on row "
                                    f"{first.rows[0]}; a barcode belongs to one product."))
        owners.setdefault(code, key)
    codes = sorted(owners)
    for chunk in _chunks(codes):
        for sku, code in session.execute(select(Product.sku, Product.barcode)
                                         .where(Product.barcode.in_(chunk))):
            key = owners[code]
            if sku.casefold() != key:
                item = items[key]
                problems.append(Problem(item.rows[0], column.get("barcode", "barcode"),
                                        f"{code} already belongs to {sku}; a barcode "
                                        "belongs to one product."))

    # New products need a title; changed products are noted for the update.
    flagged = {(p.row, p.column) for p in problems}
    for key, item in items.items():
        r, cur = item.row, current.get(key)
        if cur is None:
            if not r.title and (item.rows[0], column.get("title")) not in flagged:
                problems.append(Problem(item.rows[0], column.get("title", "title"),
                                        f"{r.sku} is a new product, so it needs a title."))
            continue
        item.product_id = cur.id
        change: dict[str, Any] = {}
        if r.title is not None and r.title != cur.title:
            change["title"] = r.title
        if r.category is not None and by_name.get(r.category.casefold(), -1) \
                != cur.category_id:
            change["category"] = r.category
        if r.barcode is not None and r.barcode != cur.barcode:
            change["barcode"] = r.barcode
        if r.price is not None and r.price != cur.price:
            change["price"] = r.price
        if r.cost is not None and r.cost != cur.cost:
            change["cost"] = r.cost
        if change:
            plan.changed[key] = change

    # Stock: bins must exist; a total needs a bin to put a difference in.
    for n, where in sorted(bins.items()):
        if where and where.casefold() not in locations:
            codes = _codes(session)
            known = ", ".join(codes[:8]) + ("…" if len(codes) > 8 else "") or "none yet"
            problems.append(Problem(n, column.get("location", "Location"),
                                    f"{where!r} is not a bin (known: {known})."))
    levels = _levels(session, [c.id for c in current.values()])
    for key, item in items.items():
        cur = current.get(key)
        have = levels.get(cur.id, {}) if cur is not None else {}
        for where, (qty, _n) in item.stock.items():
            lid = locations.get(where.casefold())
            if lid is not None and have.get(lid, 0) != qty:
                plan.bin_targets.append((key, lid, have.get(lid, 0), qty))
        if item.total is not None:
            qty, n = item.total
            if sum(have.values()) != qty:
                if not have:
                    where = ("write the bin's code in its Location cell" if "location" in
                             column else "add a Location column with the bin's code")
                    problems.append(Problem(
                        n, column.get("quantity", "quantity"),
                        f"{item.row.sku} is in no bin yet, so say where its {qty:,} are: "
                        f"{where}."))
                else:
                    plan.total_targets.append((key, sum(have.values()), qty))
    plan.stock_changes = len(plan.bin_targets) + len(plan.total_targets)
    return plan


def _codes(session: Session) -> list[str]:
    return list(session.scalars(select(Location.code).where(Location.active.is_(True))
                                .order_by(Location.walk_sequence, Location.code)))


def _levels(session: Session, ids: Sequence[int]) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = {}
    for chunk in _chunks(sorted(ids)):
        for pid, lid, on_hand in session.execute(
                select(StockLevel.product_id, StockLevel.location_id, StockLevel.on_hand)
                .where(StockLevel.product_id.in_(chunk))):
            out.setdefault(pid, {})[lid] = on_hand
    return out


def _report(plan: _Plan, preview: bool) -> CatalogueImport:
    order = {name: i for i, name in reversed(list(enumerate(plan.header)))}
    problems = tuple(str(p) for p in sorted(set(plan.problems),
                                            key=lambda p: (p.row, order.get(p.column, 0))))
    created = sum(1 for key in plan.items if key not in plan.current)
    updated = len(plan.changed)
    return CatalogueImport(
        name=plan.name, rows=plan.rows, created=created, updated=updated,
        unchanged=len(plan.current) - updated, stock_changes=plan.stock_changes,
        new_categories=plan.new_categories, ignored_columns=plan.ignored,
        problems=problems, preview=preview)


def _category_code(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:36] or "CATEGORY"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[:36 - len(str(n))]}-{n}"
    taken.add(code)
    return code


def _apply(uow: UnitOfWork, plan: _Plan, progress: Progress | None) -> None:
    s = uow.session
    conn = s.connection()
    now = utcnow()
    actor = uow.actor
    reference = f"Import {plan.name}"[:120]
    steps = len(plan.items) + plan.stock_changes
    done = 0

    if plan.new_categories:
        taken = set(s.scalars(select(Category.code)))
        for name in plan.new_categories:
            category = Category(code=_category_code(name, taken), name=name)
            s.add(category)
            s.flush()
            plan.category_ids[name.casefold()] = category.id

    def category_id(name: str | None) -> int | None:
        return None if name is None else plan.category_ids.get(name.casefold())

    table = Product.__table__
    new = [item for key, item in plan.items.items() if key not in plan.current]
    if new:
        ids = next_ids(conn, table, len(new))
        columns = ("sku", "title", "title_key", "description", "category_id", "barcode",
                   "cost_minor", "cost_currency", "price_minor", "price_currency",
                   "attributes", "made_to_order", "allow_negative_stock", "active",
                   "created_at", "updated_at")
        rows = []
        for item in new:
            r = item.row
            price = r.price or Money(0, (r.cost.currency if r.cost else "GBP"))
            cost = r.cost or Money(0, price.currency)
            title = r.title or r.sku
            rows.append((r.sku, title, title.lower(), "", category_id(r.category), r.barcode,
                         cost.minor, cost.currency, price.minor, price.currency, {}, False,
                         False, True, now, now))
        if ids is not None:
            insert_rows(conn, table, ("id", *columns), [(i, *row) for i, row in
                                                         zip(ids, rows, strict=True)])
            for item, pid in zip(new, ids, strict=True):
                item.product_id = pid
        else:  # a database that hands out its own ids
            for item, row in zip(new, rows, strict=True):
                product = Product(**dict(zip(columns, row, strict=True)))
                s.add(product)
                s.flush()
                item.product_id = product.id
        insert_rows(conn, StatusChange.__table__,
                    ("entity", "entity_id", "from_status", "to_status", "actor", "note",
                     "changed_at"),
                    [("product", item.product_id, None, "active", actor,
                      f"Added by {reference.lower()}", now) for item in new])
    done += len(new)
    if progress is not None:
        progress(done, steps)

    if plan.changed:
        stamp: Any = now
        if conn.dialect.paramstyle == "qmark":  # update_rows passes values as they are
            process = table.c.updated_at.type._cached_bind_processor(conn.dialect)
            stamp = process(now) if process is not None else now
        updates = []
        history_rows = []
        for key, change in plan.changed.items():
            cur = plan.current[key]
            title = change.get("title", cur.title)
            price = change.get("price", cur.price)
            cost = change.get("cost", cur.cost)
            category = (category_id(change["category"]) if "category" in change
                        else cur.category_id)
            updates.append((title, title.lower(), category, change.get("barcode", cur.barcode),
                            price.minor, price.currency, cost.minor, cost.currency, stamp,
                            cur.id))
            state = "active" if cur.active else "inactive"
            history_rows.append(("product", cur.id, state, state, actor,
                                 f"Changed {', '.join(change)} by {reference.lower()}", now))
        update_rows(conn, table, ("title", "title_key", "category_id", "barcode",
                                  "price_minor", "price_currency", "cost_minor",
                                  "cost_currency", "updated_at"), ("id",), updates)
        insert_rows(conn, StatusChange.__table__,
                    ("entity", "entity_id", "from_status", "to_status", "actor", "note",
                     "changed_at"), history_rows)
    done += len(plan.current)
    if progress is not None:
        progress(done, steps)

    _book_stock(uow, plan, reference, lambda n: progress(done + n, steps)
                if progress is not None else None)


def _book_stock(uow: UnitOfWork, plan: _Plan, reference: str,
                progress: Callable[[int], None]) -> None:
    """Set the on-hand the file asks for by booking adjustments: the ledger stays whole."""
    s = uow.session
    touched = sorted({plan.items[k].product_id or 0 for k, *_ in plan.bin_targets}
                     | {plan.items[k].product_id or 0 for k, *_ in plan.total_targets})
    # Into the session at once rather than one by one (held here: the session keeps only
    # what someone refers to).
    held: list[Any] = list(s.scalars(select(Location)))
    for chunk in _chunks(touched):
        held += s.scalars(select(Product).where(Product.id.in_(chunk)))
        held += s.scalars(select(StockPushQueue).where(StockPushQueue.product_id.in_(chunk)))
    walk = {loc.id: (loc.walk_sequence, loc.id) for loc in held if isinstance(loc, Location)}
    with s.no_autoflush:  # each product once: queued for the channels up front
        for pid in touched:
            stock.queue_push(s, pid)
    s.flush()
    held += s.scalars(select(StockPushQueue).where(StockPushQueue.product_id.in_(touched))) \
        if len(touched) < _CHUNK else []
    done = 0

    def book(pid: int, lid: int, quantity: int, wanted: int) -> None:
        stock.book_movement(s, product_id=pid, location_id=lid, quantity=quantity,
                            reason=MovementReason.ADJUSTMENT, actor=uow.actor,
                            reference=reference, note=f"Set to {wanted:,} by the import")

    levels = _levels(s, [plan.items[k].product_id or 0 for k, *_ in plan.total_targets])
    # Each bin is booked at most once and the ledger's rows are only added, so nothing
    # read below depends on what is still to be written: it goes in one flush at the end
    # (a flush per movement made a 100,000-bin count take minutes).
    with s.no_autoflush:
        for key, lid, have, wanted in plan.bin_targets:
            book(plan.items[key].product_id or 0, lid, wanted - have, wanted)
            done += 1
            if done % 1000 == 0:
                progress(done)
        _book_totals(plan, levels, walk, book, done, progress)
    s.flush()


def _book_totals(plan: _Plan, levels: dict[int, dict[int, int]],
                 walk: dict[int, tuple[int, int]], book: Callable[[int, int, int, int], None],
                 done: int, progress: Callable[[int], None]) -> None:
    for key, have, wanted in plan.total_targets:
        pid = plan.items[key].product_id or 0
        bins = sorted(levels.get(pid, {}).items(), key=lambda b: walk[b[0]])
        if wanted > have:  # more: into the first bin on the walk
            book(pid, bins[0][0], wanted - have, wanted)
        else:  # fewer: out of the bins in walk order, as far as each holds
            left = have - wanted
            for lid, on_hand in bins:
                take = min(max(on_hand, 0), left)
                if take:
                    book(pid, lid, -take, wanted)
                    left -= take
                if not left:
                    break
        done += 1
        if done % 1000 == 0:
            progress(done)


@requires(Can.SEE_INVENTORY)
def import_catalogue(uow: UnitOfWork, path: Path | str, *, currency: str | None = None,
                     allow_new_categories: bool = False, preview: bool = False,
                     progress: Progress | None = None) -> CatalogueImport:
    """Create or update products by SKU from an XLSX or CSV file, and set on-hand stock
    from its quantities (per bin with a Location column). Every row is checked first; any
    problem and nothing is applied, each named by row. `preview` applies nothing either."""
    path = Path(path)
    f = _read(path, progress)
    with uow:
        s = uow.session
        if not preview:  # a write first: on SQLite it takes the write lock, so what the
            # plan reads stays current and the new products' ids are ours to number
            s.execute(update(Product).where(Product.id == -1).values(sku=Product.sku)
                      .execution_options(synchronize_session=False))
        money = (currency or catalogue.default_currency(s)).upper()
        plan = _plan(s, f, money, allow_new_categories)
        report = _report(plan, preview)
        if report.rejected or preview:
            return report
        _apply(uow, plan, progress)
        uow.changed(products=True, stock=bool(plan.stock_changes))
        uow.commit()
    return report
