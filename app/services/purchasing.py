"""Purchase orders: drafted by hand or from reorder suggestions, sent to the supplier (a PDF
and a spreadsheet in the exports folder, an e-mail in the outbox), received in deliveries
(services.goods_in), then closed; or cancelled. Every status change is in the history.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image, ImageDraw
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.db.models import (
    Delivery,
    DeliveryLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierProduct,
    utcnow,
)
from app.domain.access import Can
from app.domain.barcodes import same_code
from app.domain.changes import Changes
from app.domain.dates import day_words
from app.domain.errors import DomainError, IllegalTransition
from app.domain.money import exponent, format_money
from app.domain.statuses import PurchaseOrderStatus, check_transition, label
from app.notify import queue_email
from app.notify.outbox import address_problem
from app.notify.smtp import load_smtp_settings
from app.printing.fonts import truetype
from app.printing.sheet import pages_pdf
from app.services import history
from app.services.access import requires
from app.services.job_sheet import _text as sheet_text
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.uow import UnitOfWork

PS = PurchaseOrderStatus
ENTITY = "purchase_order"
NUMBER_PREFIX = "PO-"
NUMBER_DIGITS = 6
QUANTITY_MAX = 1_000_000
NOTES_MAX = 4000
OPEN = "open"  # the list's filter for drafts, sent and partly received orders
OPEN_STATUSES = (PS.DRAFT, PS.SENT, PS.PARTLY_RECEIVED)
FOLDER = "purchase-orders"  # under the exports folder


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseOrderRow:
    id: int
    number: str
    supplier: str
    status: str
    currency: str
    lines: int
    ordered: int  # units
    received: int  # units
    total_minor: int
    created_at: datetime
    sent_at: datetime | None
    expected_on: date | None


_LINES = (select(func.count(PurchaseOrderLine.id))
          .where(PurchaseOrderLine.purchase_order_id == PurchaseOrder.id).scalar_subquery())
_ORDERED = (select(func.coalesce(func.sum(PurchaseOrderLine.quantity_ordered), 0))
            .where(PurchaseOrderLine.purchase_order_id == PurchaseOrder.id).scalar_subquery())
_RECEIVED = (select(func.coalesce(func.sum(PurchaseOrderLine.quantity_received), 0))
             .where(PurchaseOrderLine.purchase_order_id == PurchaseOrder.id).scalar_subquery())
_TOTAL = (select(func.coalesce(func.sum(PurchaseOrderLine.quantity_ordered
                                        * PurchaseOrderLine.unit_cost_minor), 0))
          .where(PurchaseOrderLine.purchase_order_id == PurchaseOrder.id).scalar_subquery())

LISTING = Listing(
    sort_keys={
        "number": PurchaseOrder.number,
        "supplier": Supplier.name,
        "status": PurchaseOrder.status,
        "created": PurchaseOrder.created_at,
        "sent": func.coalesce(PurchaseOrder.sent_at, PurchaseOrder.created_at),
        "expected": func.coalesce(PurchaseOrder.expected_on, date(9999, 12, 31)),
        "total": _TOTAL,
    },
    default_sort="number",
    default_descending=True,
    tiebreak=PurchaseOrder.id,
)


def _where(req: PageRequest):  # type: ignore[no-untyped-def]
    conds = []
    status = req.filter("status")
    if status == OPEN:
        conds.append(PurchaseOrder.status.in_([str(s) for s in OPEN_STATUSES]))
    elif status:
        conds.append(PurchaseOrder.status == str(PS(status)))
    supplier_id = req.filter("supplier_id")
    if supplier_id is not None:
        conds.append(PurchaseOrder.supplier_id == supplier_id)
    text = req.search.strip()
    if text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        conds.append(or_(PurchaseOrder.number.ilike(like), Supplier.name.ilike(like)))
    return conds


def _row(r) -> PurchaseOrderRow:  # type: ignore[no-untyped-def]
    return PurchaseOrderRow(*r[:12])


def _list_stmt(req: PageRequest):  # type: ignore[no-untyped-def]
    return (select(PurchaseOrder.id, PurchaseOrder.number, Supplier.name, PurchaseOrder.status,
                   PurchaseOrder.currency, _LINES, _ORDERED, _RECEIVED, _TOTAL,
                   PurchaseOrder.created_at, PurchaseOrder.sent_at, PurchaseOrder.expected_on)
            .join(Supplier, Supplier.id == PurchaseOrder.supplier_id).where(*_where(req)))


@requires(Can.SEE_INVENTORY)
def list_page(session: Session, req: PageRequest) -> Page[PurchaseOrderRow]:
    """Purchase orders, newest number first; filters `status` (a status, or "open") and
    `supplier_id`; the search matches the number or the supplier's name."""
    return keyset_page(session, _list_stmt(req), LISTING, req, _row)


@requires(Can.SEE_INVENTORY)
def count(session: Session, req: PageRequest) -> int:
    return int(session.scalar(select(func.count()).select_from(
        select(PurchaseOrder.id).join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(*_where(req)).subquery())) or 0)


@dataclass(frozen=True)
class LineView:
    id: int
    product_id: int
    sku: str
    title: str
    supplier_code: str
    ordered: int
    received: int
    unit_cost_minor: int
    pack_size: int = 1
    minimum_order: int = 1

    @property
    def total_minor(self) -> int:
        return self.ordered * self.unit_cost_minor

    @property
    def to_come(self) -> int:
        return max(0, self.ordered - self.received)


@dataclass(frozen=True)
class DeliveryView:
    id: int
    status: str
    received_at: datetime
    actor: str
    units: int


@dataclass(frozen=True)
class PurchaseOrderDetail:
    row: PurchaseOrderRow
    supplier_id: int
    supplier_email: str
    lead_time_days: int
    notes: str
    ordered_at: datetime | None
    lines: tuple[LineView, ...]
    deliveries: tuple[DeliveryView, ...]
    history: tuple[history.HistoryLine, ...]
    actions: tuple[str, ...]  # edit, send, receive, close, cancel


def allowed_actions(status: str) -> tuple[str, ...]:
    """What can be done with a purchase order in this status, in button order."""
    return {
        PS.DRAFT: ("edit", "send", "cancel"),
        PS.SENT: ("receive", "cancel"),
        PS.PARTLY_RECEIVED: ("receive", "close"),
        PS.RECEIVED: ("close",),
    }.get(PS(status), ())


def _get(session: Session, po_id: int) -> PurchaseOrder:
    po = session.get(PurchaseOrder, po_id)
    if po is None:
        raise DomainError("That purchase order no longer exists; refresh the list.")
    return po


def _line_views(session: Session, po: PurchaseOrder) -> tuple[LineView, ...]:
    rows = session.execute(
        select(PurchaseOrderLine.id, Product.id, Product.sku, Product.title,
               func.coalesce(SupplierProduct.supplier_code, ""),
               PurchaseOrderLine.quantity_ordered, PurchaseOrderLine.quantity_received,
               PurchaseOrderLine.unit_cost_minor,
               func.coalesce(SupplierProduct.pack_size, 1),
               func.coalesce(SupplierProduct.minimum_order, 1))
        .join(Product, Product.id == PurchaseOrderLine.product_id)
        .outerjoin(SupplierProduct, (SupplierProduct.product_id == Product.id)
                   & (SupplierProduct.supplier_id == po.supplier_id))
        .where(PurchaseOrderLine.purchase_order_id == po.id)
        .order_by(PurchaseOrderLine.id))
    return tuple(LineView(*r) for r in rows)


@requires(Can.SEE_INVENTORY)
def detail(session: Session, po_id: int) -> PurchaseOrderDetail:
    """One purchase order whole: lines, deliveries, history, and what can be done next."""
    po = _get(session, po_id)
    row = _row(session.execute(_list_stmt(PageRequest()).where(PurchaseOrder.id == po_id))
               .one())
    supplier = session.get_one(Supplier, po.supplier_id)
    deliveries = tuple(DeliveryView(*r) for r in session.execute(
        select(Delivery.id, Delivery.status, Delivery.received_at, Delivery.actor,
               func.coalesce(func.sum(DeliveryLine.quantity), 0))
        .outerjoin(DeliveryLine, DeliveryLine.delivery_id == Delivery.id)
        .where(Delivery.purchase_order_id == po_id)
        .group_by(Delivery.id).order_by(Delivery.received_at, Delivery.id)))
    return PurchaseOrderDetail(
        row, supplier.id, supplier.email, supplier.lead_time_days, po.notes, po.ordered_at,
        _line_views(session, po), deliveries, history.history(session, ENTITY, po_id),
        allowed_actions(po.status))


@dataclass(frozen=True)
class SupplierChoice:
    id: int
    name: str
    email: str
    active: bool


@requires(Can.SEE_INVENTORY)
def supplier_choices(session: Session) -> tuple[SupplierChoice, ...]:
    """Suppliers to order from, active ones first, by name."""
    return tuple(SupplierChoice(*r) for r in session.execute(
        select(Supplier.id, Supplier.name, Supplier.email, Supplier.active)
        .order_by(Supplier.active.desc(), func.lower(Supplier.name))))


@dataclass(frozen=True)
class LineChoice:
    """A product found to put on a purchase order, with this supplier's terms for it."""

    product_id: int
    sku: str
    title: str
    supplier_code: str
    unit_cost_minor: int
    currency: str | None  # None: the supplier has no price for it
    pack_size: int
    minimum_order: int


@requires(Can.SEE_INVENTORY)
def find_line_product(session: Session, supplier_id: int, code: str) -> LineChoice:
    """The product with this SKU, barcode or (this supplier's) supplier code."""
    code = code.strip()
    if not code:
        raise DomainError("Type or scan a SKU, barcode or supplier code first.")
    product = session.scalars(select(Product).where(Product.sku == code)).first() \
        or session.scalars(select(Product).where(func.lower(Product.sku) == func.lower(code))
                           ).first() \
        or session.scalars(select(Product).where(Product.barcode.in_(same_code(code)))).first()
    if product is None:
        product = session.scalars(
            select(Product).join(SupplierProduct, SupplierProduct.product_id == Product.id)
            .where(SupplierProduct.supplier_id == supplier_id,
                   SupplierProduct.supplier_code == code)).first()
    if product is None:
        raise DomainError(f"No product has the SKU, barcode or supplier code “{code}”.")
    if product.made_to_order:
        raise DomainError(f"{product.sku} is made to order for each customer; it is not "
                          "bought in for stock.")
    terms = session.get(SupplierProduct, (supplier_id, product.id))
    if terms is None:
        return LineChoice(product.id, product.sku, product.title, "", 0, None, 1, 1)
    return LineChoice(product.id, product.sku, product.title, terms.supplier_code,
                      terms.unit_cost_minor, terms.currency if terms.unit_cost_minor else None,
                      max(1, terms.pack_size), max(1, terms.minimum_order))


# --- drafting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineIn:
    """A line as the user set it: the product, how many, the price per unit (minor units)."""

    product_id: int
    quantity: int
    unit_cost_minor: int = 0


def next_number(session: Session) -> str:
    """PO-000124 after PO-000123: numbers are never reused (orders are cancelled, not
    deleted)."""
    last = session.scalar(
        select(PurchaseOrder.number)
        .where(PurchaseOrder.number.like(NUMBER_PREFIX + "_" * NUMBER_DIGITS))
        .order_by(PurchaseOrder.number.desc()).limit(1))
    n = int(last[len(NUMBER_PREFIX):]) if last and last[len(NUMBER_PREFIX):].isdigit() else 0
    return f"{NUMBER_PREFIX}{n + 1:0{NUMBER_DIGITS}d}"


def _supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise DomainError("That supplier no longer exists; refresh and choose another.")
    return supplier


def _currency(session: Session, supplier_id: int, product_ids: Sequence[int]) -> str | None:
    """The one currency this supplier's prices for these products are in (None: no prices)."""
    found = sorted(set(session.scalars(
        select(SupplierProduct.currency).where(
            SupplierProduct.supplier_id == supplier_id,
            SupplierProduct.product_id.in_(list(product_ids)),
            SupplierProduct.unit_cost_minor > 0))))
    if len(found) > 1:
        raise DomainError(f"This supplier's prices for these products are in "
                          f"{' and '.join(found)}; one purchase order has one currency.")
    return found[0] if found else None


def _check_lines(session: Session, lines: Sequence[LineIn]) -> dict[int, Product]:
    products = {p.id: p for p in session.scalars(
        select(Product).where(Product.id.in_([ln.product_id for ln in lines])))}
    problems, seen = [], set()
    for ln in lines:
        p = products.get(ln.product_id)
        if p is None:
            problems.append("A product on the order no longer exists; remove its line.")
            continue
        if ln.product_id in seen:
            problems.append(f"{p.sku} is on the order twice; put it on one line.")
        seen.add(ln.product_id)
        if not 1 <= ln.quantity <= QUANTITY_MAX:
            problems.append(f"{p.sku}: order between 1 and {QUANTITY_MAX:,} (not "
                            f"{ln.quantity:,}).")
        if ln.unit_cost_minor < 0:
            problems.append(f"{p.sku}: a price cannot be negative.")
        if p.made_to_order:
            problems.append(f"{p.sku} is made to order for each customer, not bought in.")
    if problems:
        raise DomainError("The purchase order was not saved:\n"
                          + "\n".join(f"• {p}" for p in problems))
    return products


def add_draft(session: Session, supplier_id: int, lines: Sequence[tuple[int, int, int]], *,
              actor: str, currency: str | None = None, note: str = "",
              notes: str = "") -> PurchaseOrder:
    """A new draft purchase order in the caller's transaction: (product id, quantity, unit
    cost) lines, numbered next."""
    supplier = _supplier(session, supplier_id)
    checked = [LineIn(*ln) for ln in lines]
    _check_lines(session, checked)
    currency = currency or _currency(session, supplier_id, [ln.product_id for ln in checked]) \
        or "GBP"
    po = PurchaseOrder(number=next_number(session), supplier_id=supplier.id,
                       status=str(PS.DRAFT), currency=currency, notes=notes,
                       created_at=utcnow())
    session.add(po)
    session.flush()
    for ln in checked:
        session.add(PurchaseOrderLine(purchase_order_id=po.id, product_id=ln.product_id,
                                      quantity_ordered=ln.quantity, quantity_received=0,
                                      unit_cost_minor=ln.unit_cost_minor))
    history.record(session, ENTITY, po.id, None, str(PS.DRAFT), actor, note)
    return po


@requires(Can.MANAGE_SUPPLIERS)
def create_purchase_order(uow: UnitOfWork, supplier_id: int, lines: Sequence[LineIn] = (),
                          notes: str = "") -> int:
    """A new draft purchase order by hand (lines may be added before it is sent); its id."""
    if len(notes) > NOTES_MAX:
        raise DomainError(f"The notes are too long (at most {NOTES_MAX:,} characters).")
    with uow:
        po = add_draft(uow.session, supplier_id,
                       [(ln.product_id, ln.quantity, ln.unit_cost_minor) for ln in lines],
                       actor=uow.actor, note="Made by hand", notes=notes.strip())
        uow.changed(stock=True)
        uow.commit()
        return po.id


@requires(Can.MANAGE_SUPPLIERS)
def save_draft(uow: UnitOfWork, po_id: int, lines: Sequence[LineIn], notes: str = "",
               expected_on: date | None = None) -> Changes:
    """Replace a draft's lines, notes and expected date; refused, with every problem named,
    once it has been sent."""
    if len(notes) > NOTES_MAX:
        raise DomainError(f"The notes are too long (at most {NOTES_MAX:,} characters).")
    with uow:
        s = uow.session
        po = _get(s, po_id)
        if po.status != str(PS.DRAFT):
            raise DomainError(f"{po.number} is {label(PS(po.status)).lower()}; only a draft "
                              "can be changed.")
        _check_lines(s, lines)
        if lines:
            po.currency = _currency(s, po.supplier_id, [ln.product_id for ln in lines]) \
                or po.currency
        existing = {ln.product_id: ln for ln in s.scalars(
            select(PurchaseOrderLine).where(PurchaseOrderLine.purchase_order_id == po.id))}
        for ln in lines:
            row = existing.pop(ln.product_id, None)
            if row is None:
                s.add(PurchaseOrderLine(purchase_order_id=po.id, product_id=ln.product_id,
                                        quantity_ordered=ln.quantity, quantity_received=0,
                                        unit_cost_minor=ln.unit_cost_minor))
            else:
                row.quantity_ordered, row.unit_cost_minor = ln.quantity, ln.unit_cost_minor
        for row in existing.values():
            s.delete(row)
        po.notes = notes.strip()
        po.expected_on = expected_on
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


# --- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoDocument:
    """What the PDF, the spreadsheet and the e-mail say."""

    number: str
    supplier: str
    supplier_email: str
    supplier_phone: str
    sender: str
    currency: str
    ordered_on: date
    expected_on: date | None
    notes: str
    lines: tuple[LineView, ...]

    @property
    def total_minor(self) -> int:
        return sum(ln.total_minor for ln in self.lines)

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency)


@dataclass(frozen=True)
class SentOrder:
    number: str
    pdf: Path
    xlsx: Path
    emailed_to: str | None  # None: marked sent without an e-mail
    changes: Changes


def _write_atomically(path: Path, write: Callable[[str], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise DomainError(f"{path.name} could not be written to {path.parent}: "
                          f"{exc.strerror or exc}. Nothing was sent.") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _day(value: date | None) -> str:
    return "" if value is None else day_words(value)


# The PDF: an A4 page at 150 dots per inch, drawn with the shipped DejaVu Sans.
DPI = 150
PAGE = (1240, 1754)
MARGIN = 100
_COLUMNS = (  # header, x of its left edge (from the margin), right-aligned
    ("SKU", 0, False), ("Supplier code", 180, False), ("Description", 330, False),
    ("Qty", 670, True), ("Unit price", 760, True), ("Total", 900, True))
_TABLE_RIGHT = PAGE[0] - 2 * MARGIN
ROW_HEIGHT = 34


class _Pages:
    """A4 pages being drawn on, one after another."""

    def __init__(self) -> None:
        self.pages: list[Image.Image] = []
        self.draw: ImageDraw.ImageDraw | None = None

    def add(self) -> None:
        self.pages.append(Image.new("L", PAGE, 255))
        self.draw = ImageDraw.Draw(self.pages[-1])

    def width(self, value: str, size: int, bold: bool = False) -> float:
        assert self.draw is not None
        return self.draw.textlength(value, font=truetype(size, bold))

    def fit(self, value: str, width: int, size: int = 20, bold: bool = False) -> str:
        """The text, cut short with … where it would run past `width`."""
        if self.width(value, size, bold) <= width:
            return value
        while value and self.width(value + "…", size, bold) > width:
            value = value[:-1]
        return value + "…"

    def text(self, x: float, y: int, value: str, size: int = 20, bold: bool = False,
             right: bool = False, fill: int = 0) -> None:
        assert self.draw is not None
        if right:
            x -= self.width(value, size, bold)
        self.draw.text((MARGIN + x, y), value, font=truetype(size, bold), fill=fill)

    def rule(self, y: int) -> None:
        assert self.draw is not None
        self.draw.line((MARGIN, y, MARGIN + _TABLE_RIGHT, y), fill=0, width=2)


def _cell_width(i: int) -> int:
    if i + 1 == len(_COLUMNS):
        return _TABLE_RIGHT - _COLUMNS[i][1]
    return _COLUMNS[i + 1][1] - _COLUMNS[i][1] - 16


def _cell_x(i: int) -> int:
    """Where column i's text starts (left-aligned) or ends (right-aligned)."""
    _head, x, right = _COLUMNS[i]
    return x + _cell_width(i) if right else x


def _page_top(out: _Pages, doc: PoDocument) -> int:
    """Start a page: the order's head on the first, a short one after; then the table head."""
    out.add()
    top = MARGIN
    if len(out.pages) == 1:
        out.text(0, top, f"Purchase order {doc.number}", 40, bold=True)
        top += 80
        out.text(0, top, "To", 18, fill=90)
        to = [x for x in (doc.supplier, doc.supplier_email, doc.supplier_phone) if x]
        for i, line in enumerate(to):
            out.text(0, top + 26 + 30 * i, out.fit(line, 560, 22 if i == 0 else 20, i == 0),
                     22 if i == 0 else 20, bold=i == 0)
        facts = [("Order date", _day(doc.ordered_on)), ("Wanted by", _day(doc.expected_on)),
                 ("Currency", doc.currency), ("From", doc.sender)]
        for i, (name, value) in enumerate((n, v) for n, v in facts if v):
            out.text(620, top + 32 * i, name, 18, fill=90)
            out.text(800, top + 32 * i, out.fit(value, _TABLE_RIGHT - 800), 20)
        top += 160
    else:
        out.text(0, top, f"Purchase order {doc.number} (continued)", 24, bold=True)
        top += 50
    for i, (head, _x, right) in enumerate(_COLUMNS):
        out.text(_cell_x(i), top, head, 18, bold=True, right=right)
    out.rule(top + 30)
    return top + 40


def render_pdf(doc: PoDocument) -> bytes:
    """The purchase order as a PDF, on as many A4 pages as its lines need."""
    out = _Pages()
    y = _page_top(out, doc)
    bottom = PAGE[1] - MARGIN - 40
    for ln in doc.lines:
        if y + ROW_HEIGHT > bottom:
            y = _page_top(out, doc)
        priced = ln.unit_cost_minor > 0
        values = (ln.sku, ln.supplier_code, ln.title, f"{ln.ordered:,}",
                  doc.money(ln.unit_cost_minor) if priced else "",
                  doc.money(ln.total_minor) if priced else "")
        for i, value in enumerate(values):
            out.text(_cell_x(i), y, out.fit(value, _cell_width(i)), right=_COLUMNS[i][2])
        y += ROW_HEIGHT
    if y + 3 * ROW_HEIGHT > bottom:
        y = _page_top(out, doc)
    out.rule(y)
    units = sum(ln.ordered for ln in doc.lines)
    n = len(doc.lines)
    out.text(0, y + 12, f"{n} line{'' if n == 1 else 's'}, {units:,} units")
    out.text(_cell_x(len(_COLUMNS) - 1), y + 12, f"Total {doc.money(doc.total_minor)}", 22,
             bold=True, right=True)
    y += 60
    if doc.notes:
        out.text(0, y, "Notes", 18, fill=90)
        y += 28
        for line in doc.notes.splitlines():
            if y + 30 > bottom:
                break
            out.text(0, y, out.fit(line, _TABLE_RIGHT))
            y += 30
    for page_no, page in enumerate(out.pages, start=1):
        out.draw = ImageDraw.Draw(page)
        out.text(_TABLE_RIGHT, PAGE[1] - MARGIN, f"{doc.number} · page {page_no} of "
                                                 f"{len(out.pages)}", 16, right=True, fill=90)
    return pages_pdf(out.pages, DPI)


def write_xlsx(doc: PoDocument, path: str | Path) -> None:
    """The purchase order's lines as a spreadsheet, for suppliers who import them."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Purchase order"
    sheet_text(sheet.cell(1, 1), f"Purchase order {doc.number}")
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    for r, (name, value) in enumerate((("Supplier", doc.supplier),
                                       ("Order date", _day(doc.ordered_on)),
                                       ("Wanted by", _day(doc.expected_on)),
                                       ("Currency", doc.currency)), start=2):
        sheet_text(sheet.cell(r, 1), name)
        sheet_text(sheet.cell(r, 2), value)
    head = 7
    headers = ("Line", "SKU", "Supplier code", "Description", "Quantity", "Unit price",
               "Total")
    widths = (6, 18, 18, 48, 10, 12, 14)
    for c, (title, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(head, c, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        sheet.column_dimensions[get_column_letter(c)].width = width
    places = exponent(doc.currency)
    fmt = "#,##0" + ("." + "0" * places if places else "")

    def amount(minor: int) -> Decimal:
        return Decimal(minor).scaleb(-places)

    r = head
    for r, ln in enumerate(doc.lines, start=head + 1):
        sheet.cell(r, 1, r - head)
        sheet_text(sheet.cell(r, 2), ln.sku)
        sheet_text(sheet.cell(r, 3), ln.supplier_code)
        sheet_text(sheet.cell(r, 4), ln.title)
        sheet.cell(r, 4).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(r, 5, ln.ordered)
        sheet.cell(r, 6, amount(ln.unit_cost_minor)).number_format = fmt
        sheet.cell(r, 7, amount(ln.total_minor)).number_format = fmt
    total = r + 1
    sheet_text(sheet.cell(total, 4), "Total")
    sheet.cell(total, 4).font = Font(bold=True)
    sheet.cell(total, 5, sum(ln.ordered for ln in doc.lines)).font = Font(bold=True)
    cell = sheet.cell(total, 7, amount(doc.total_minor))
    cell.number_format, cell.font = fmt, Font(bold=True)
    if doc.notes:
        sheet_text(sheet.cell(total + 2, 1), "Notes")
        sheet_text(sheet.cell(total + 2, 2), doc.notes)
    sheet.freeze_panes = sheet.cell(head + 1, 1)
    book.save(path)


def email_text(doc: PoDocument, pdf: Path, xlsx: Path) -> tuple[str, str]:
    """The subject and body of the e-mail to the supplier: the whole order in plain text
    (the PDF and the spreadsheet go with it as attachments)."""
    subject = f"Purchase order {doc.number}"
    lines = [f"Hello {doc.supplier},", "",
             f"Please supply the following (purchase order {doc.number}, "
             f"{_day(doc.ordered_on)}):", ""]
    for ln in doc.lines:
        code = f" [{ln.supplier_code}]" if ln.supplier_code else ""
        price = f" at {doc.money(ln.unit_cost_minor)}" if ln.unit_cost_minor else ""
        lines.append(f"  {ln.ordered:,} × {ln.sku}{code} {ln.title}{price}")
    lines += ["", f"Total: {doc.money(doc.total_minor)}"]
    if doc.expected_on:
        lines.append(f"Wanted by: {_day(doc.expected_on)}")
    if doc.notes:
        lines += ["", doc.notes]
    lines += ["", f"Please quote {doc.number} on the delivery note and invoice.",
              f"The order is attached as {pdf.name} (PDF) and {xlsx.name} (spreadsheet).",
              "", "Thank you!"]
    return subject, "\n".join(lines)


def _document(session: Session, po: PurchaseOrder, today: date) -> PoDocument:
    supplier = session.get_one(Supplier, po.supplier_id)
    smtp = load_smtp_settings(session)
    return PoDocument(po.number, supplier.name, supplier.email, supplier.phone,
                      smtp.from_address if smtp else "", po.currency, today, po.expected_on,
                      po.notes, _line_views(session, po))


class NotADraft(IllegalTransition):
    """Sending an order that is no longer a draft (sent from another window, say): the
    message names it and the day it went, since the status table's words do neither."""

    def __init__(self, po: PurchaseOrder, illegal: IllegalTransition):
        super().__init__(illegal.what, illegal.current, illegal.wanted, illegal.allowed)
        status = label(PS(po.status)).lower()
        if po.sent_at is None:
            self.args = (f"{po.number} is {status}; nothing was sent.",)
            return
        sent = po.sent_at
        now = "" if po.status == str(PS.SENT) else f" It is {status} now."
        self.args = (f"{po.number} was sent already on {day_words(sent)}; "
                     f"nothing was sent again.{now}",)


@requires(Can.MANAGE_SUPPLIERS)
def send_purchase_order(uow: UnitOfWork, po_id: int, exports_dir: Path | str, *,
                        email: bool = True, today: date | None = None) -> SentOrder:
    """Send a draft: its PDF and spreadsheet are saved under exports/purchase-orders, an
    e-mail with the whole order goes to the supplier's outbox (unless `email` is False, for
    an order sent another way), and it becomes sent, expected after the lead time."""
    today = today or datetime.now().date()
    folder = Path(exports_dir) / FOLDER
    with uow:
        s = uow.session
        po = _get(s, po_id)
        try:
            check_transition(PS(po.status), PS.SENT)
        except IllegalTransition as exc:  # sent from another window, say: never mailed twice
            raise NotADraft(po, exc) from None
        supplier = _supplier(s, po.supplier_id)
        doc = _document(s, po, today)
        if not doc.lines:
            raise DomainError(f"{po.number} has no lines; add what to order before sending.")
        to = supplier.email.strip()
        if email and address_problem(to):
            why = "has no e-mail address" if not to else f"has the e-mail address “{to}”, " \
                                                         "which cannot be used"
            raise DomainError(f"{supplier.name} {why}, so {po.number} cannot be e-mailed. "
                              "Add their address in Suppliers, or mark it sent and send the "
                              "PDF yourself.")
        if po.expected_on is None:
            po.expected_on = today + timedelta(days=supplier.lead_time_days)
            doc = _document(s, po, today)
        pdf, xlsx = folder / f"{po.number}.pdf", folder / f"{po.number}.xlsx"
        data = render_pdf(doc)
        _write_atomically(pdf, lambda tmp: Path(tmp).write_bytes(data))
        _write_atomically(xlsx, lambda tmp: write_xlsx(doc, tmp))
        note = f"PDF and spreadsheet saved in {folder}"
        if email:
            subject, body = email_text(doc, pdf, xlsx)
            queue_email(s, to=to, subject=subject, body=body, attachments=(pdf, xlsx))
            note = f"E-mailed to {to} with the PDF and spreadsheet; {note}"
        else:
            note = f"Marked sent without an e-mail; {note}"
        now = utcnow()
        po.status, po.sent_at, po.ordered_at = str(PS.SENT), now, now
        history.record(s, ENTITY, po.id, str(PS.DRAFT), str(PS.SENT), uow.actor, note)
        uow.changed(stock=True, suppliers=True)
        uow.commit()
        return SentOrder(po.number, pdf, xlsx, to if email else None, uow.changes)


# --- closing and cancelling ----------------------------------------------------------------


@requires(Can.MANAGE_SUPPLIERS)
def close_purchase_order(uow: UnitOfWork, po_id: int, note: str = "") -> Changes:
    """Close a received order, or a partly received one whose rest will not come (it no
    longer counts as on order)."""
    with uow:
        s = uow.session
        po = _get(s, po_id)
        current = PS(po.status)
        check_transition(current, PS.CLOSED)
        if not note and current is PS.PARTLY_RECEIVED:
            missing = sum(max(0, o - r) for o, r in s.execute(
                select(PurchaseOrderLine.quantity_ordered, PurchaseOrderLine.quantity_received)
                .where(PurchaseOrderLine.purchase_order_id == po.id)))
            note = f"Closed with {missing:,} unit{'' if missing == 1 else 's'} not delivered"
        po.status = str(PS.CLOSED)
        history.record(s, ENTITY, po.id, str(current), str(PS.CLOSED), uow.actor, note.strip())
        uow.changed(stock=True, suppliers=True)
        uow.commit()
    return uow.changes


@requires(Can.MANAGE_SUPPLIERS)
def cancel_purchase_order(uow: UnitOfWork, po_id: int, reason: str = "") -> Changes:
    """Cancel a draft, or a sent order nothing has come for (its supplier is e-mailed)."""
    reason = " ".join(reason.split())
    with uow:
        s = uow.session
        po = _get(s, po_id)
        current = PS(po.status)
        check_transition(current, PS.CANCELLED)
        note = reason
        if current is PS.SENT:
            supplier = _supplier(s, po.supplier_id)
            if not address_problem(supplier.email):
                why = f"\n\nReason: {reason}" if reason else ""
                queue_email(s, to=supplier.email, subject=f"Cancelled: purchase order "
                                                           f"{po.number}",
                            body=f"Hello {supplier.name},\n\nPlease cancel our purchase order "
                                 f"{po.number}; we no longer need it.{why}\n\nSorry for the "
                                 "trouble, and thank you.")
                note = "; ".join(x for x in (reason, f"{supplier.email} told") if x)
        po.status = str(PS.CANCELLED)
        history.record(s, ENTITY, po.id, str(current), str(PS.CANCELLED), uow.actor, note)
        uow.changed(stock=True, suppliers=True)
        uow.commit()
    return uow.changes

