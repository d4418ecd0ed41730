"""Goods in: what came in a delivery, scanned or typed, against the purchase order it answers.

The dialog keeps the scans; `check_delivery` compares them with the order's open lines
(domain.goods_in) and suggests a bin for each product. `park_delivery` keeps a half-done
delivery as DeliveryLine rows to resume later (`move_parked_delivery` keeps one whose order
was cancelled since, against none or another order); `book_delivery` books GOODS_IN movements
through the stock ledger, adds to what each order line has received and moves the order on.
Extra or unexpected goods are only booked once the user has answered the question about them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Delivery,
    DeliveryLine,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierProduct,
    utcnow,
)
from app.domain.access import Can
from app.domain.barcodes import same_code
from app.domain.changes import Changes
from app.domain.dates import day_words
from app.domain.errors import DomainError
from app.domain.goods_in import (
    BinHistory,
    BinSuggestion,
    OpenLine,
    ReceiptLine,
    ReceiptStatus,
    Scan,
    apply_bookings,
    bookings,
    compare_delivery,
    po_status_after,
    suggest_bin,
    totals_by_sku,
)
from app.domain.statuses import DeliveryStatus, PurchaseOrderStatus, label
from app.domain.stock import MovementReason
from app.services import history, stock
from app.services.access import requires
from app.services.print_jobs import auto_print_received_labels
from app.services.purchasing import ENTITY as PO_ENTITY
from app.services.uow import UnitOfWork

PS = PurchaseOrderStatus
ENTITY = "delivery"
RECEIVABLE = (PS.SENT, PS.PARTLY_RECEIVED)
SCAN_MAX = 100_000  # units in one scan or typed line
# 'MUG-1 x 5', 'MUG-1 x5', 'MUG-1*5', 'MUG-1 5'; never 'BOX5' (a SKU may end in x and digits)
_QTY_AFTER = re.compile(r"^(?P<code>\S+?)(?:\s*\*\s*|\s+[x×]\s*|\s+)(?P<qty>[-+]?\d+)$",
                        re.IGNORECASE)
_QTY_BEFORE = re.compile(r"^(?P<qty>[-+]?\d+)(?:\s*\*\s*|\s*[x×]\s+)(?P<code>\S+)$",
                         re.IGNORECASE)


class UnknownBarcode(DomainError):
    """A scan that is no product's SKU, barcode or supplier code; it can be linked to one."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(f"Nothing in Backroom has the barcode or SKU “{code}”. If it is a "
                         "product's barcode, choose Link to product… to record it (the next "
                         "scan then finds it); otherwise check the label and type the SKU.")


class OrderTakesNoGoods(DomainError):
    """The chosen purchase order was received, closed or cancelled meanwhile (in another
    window, say); the window reads its orders again."""


@dataclass(frozen=True)
class Question:
    """What to ask before booking goods nobody ordered."""

    sku: str
    kind: str  # "extra": more than on order; "unexpected": on no open order line
    quantity: int
    text: str


class ReceiptQuestions(DomainError):
    """Booking needs answers first: each question's SKU goes in book_extra,
    book_unexpected or leave_out, and the booking is asked for again."""

    def __init__(self, questions: Sequence[Question]):
        self.questions = tuple(questions)
        super().__init__("\n".join(q.text for q in self.questions))


# --- scans ---------------------------------------------------------------------------------


def parse_scan(text: str) -> tuple[str, int]:
    """'MUG-1', 'MUG-1 x5', 'MUG-1*5', '5 x MUG-1' or 'MUG-1 -2' (take two back) -> code, qty."""
    text = " ".join(text.split())
    if not text:
        raise DomainError("Scan a barcode or type a SKU first.")
    code, qty = text, 1
    # '5 x MUG-1' and 'MUG-1 x 5' can both read '4006381333931 x 5': the reading whose
    # quantity is possible wins, and of two numbers the longer is the barcode; '12 x 34'
    # stays twelve of 34.
    readings = [(abs(int(m["qty"])) > SCAN_MAX,
                 m["code"].isdigit() and len(m["code"]) < len(m["qty"].lstrip("+-")), i,
                 m["code"], int(m["qty"]))
                for i, pattern in enumerate((_QTY_BEFORE, _QTY_AFTER))
                if (m := pattern.match(text))]
    if readings:
        *_, code, qty = min(readings)
    if " " in code:
        raise DomainError(f"“{text}” is not a barcode or SKU and a quantity; write it as "
                          "SKU x 5, or scan each item.")
    if qty == 0:
        raise DomainError(f"A quantity of 0 adds nothing; type how many of {code} came.")
    if abs(qty) > SCAN_MAX:
        raise DomainError(f"{abs(qty):,} of {code} at once is more than a delivery holds "
                          f"(at most {SCAN_MAX:,}); check the quantity.")
    return code, qty


@dataclass(frozen=True)
class ScanMatch:
    product_id: int
    sku: str
    title: str
    barcode: str


def _match(p: Product) -> ScanMatch:
    return ScanMatch(p.id, p.sku, p.title, p.barcode or "")


@requires(Can.SEE_INVENTORY)
def identify(session: Session, code: str, supplier_id: int | None = None) -> ScanMatch:
    """The product a scan or typed code stands for: its SKU (any case), its barcode, or the
    supplier's code for it; UnknownBarcode when nothing has it."""
    code = code.strip()
    if not code:
        raise DomainError("Scan a barcode or type a SKU first.")
    found = session.scalars(select(Product).where(Product.sku == code)).first() \
        or session.scalars(select(Product).where(Product.barcode.in_(same_code(code)))
                           .order_by(Product.id)).first() \
        or session.scalars(select(Product).where(func.lower(Product.sku) == func.lower(code))
                           ).first()
    if found is None:
        by_code = select(Product).join(SupplierProduct, SupplierProduct.product_id == Product.id
                                       ).where(SupplierProduct.supplier_code == code)
        if supplier_id is not None:
            by_code = by_code.order_by(SupplierProduct.supplier_id != supplier_id)
        found = session.scalars(by_code.limit(1)).first()
    if found is None:
        raise UnknownBarcode(code)
    if found.made_to_order:
        raise DomainError(f"{found.sku} is made to order for each customer, so it is not "
                          "booked into stock.")
    return _match(found)


# --- which order, and what it still expects -----------------------------------------------


@dataclass(frozen=True)
class OrderChoice:
    """A purchase order goods can come in against."""

    id: int
    number: str
    supplier_id: int
    supplier: str
    status: str
    sent_at: datetime | None
    to_come: int  # units still expected

    @property
    def text(self) -> str:
        return f"{self.number} — {self.supplier} ({self.to_come:,} to come)"


@requires(Can.SEE_INVENTORY)
def receivable_orders(session: Session) -> tuple[OrderChoice, ...]:
    """Sent and partly received purchase orders, oldest sent first."""
    gap = PurchaseOrderLine.quantity_ordered - PurchaseOrderLine.quantity_received
    missing = func.sum(case((gap > 0, gap), else_=0))
    rows = session.execute(
        select(PurchaseOrder.id, PurchaseOrder.number, Supplier.id, Supplier.name,
               PurchaseOrder.status, PurchaseOrder.sent_at, func.coalesce(missing, 0))
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .outerjoin(PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id)
        .where(PurchaseOrder.status.in_([str(s) for s in RECEIVABLE]))
        .group_by(PurchaseOrder.id, Supplier.id)
        .order_by(PurchaseOrder.sent_at, PurchaseOrder.id))
    return tuple(OrderChoice(*r[:6], int(r[6])) for r in rows)


@requires(Can.SEE_INVENTORY)
def bin_choices(session: Session) -> tuple[str, ...]:
    """Every active bin's code, in walk order."""
    return tuple(session.scalars(select(Location.code).where(Location.active.is_(True))
                                 .order_by(Location.walk_sequence, Location.code)))


def _receivable(session: Session, po_id: int) -> PurchaseOrder:
    """The order, if goods can come in against it; one that moved on since it was chosen
    (received, closed or cancelled meanwhile) is refused with what to do instead."""
    po = session.get(PurchaseOrder, po_id)
    if po is None:
        raise DomainError("That purchase order no longer exists; choose another.")
    status = PS(po.status)
    if status is PS.DRAFT:
        raise DomainError(f"{po.number} is draft; goods come in only against sent or partly "
                          "received orders.")
    if status not in RECEIVABLE:
        raise OrderTakesNoGoods(f"{po.number} is {label(status).lower()} now (it changed "
                                "meanwhile). Choose another order, or No purchase order to "
                                "book these goods as unexpected.")
    return po


def _open_lines(session: Session, po: PurchaseOrder | None) -> tuple[OpenLine, ...]:
    """Every line of the order (complete ones too: the order's status needs them all)."""
    if po is None:
        return ()
    return tuple(OpenLine(line_id, po.number, sku, ordered, received, po.sent_at, pid)
                 for line_id, sku, ordered, received, pid in session.execute(
        select(PurchaseOrderLine.id, Product.sku, PurchaseOrderLine.quantity_ordered,
               PurchaseOrderLine.quantity_received, Product.id)
        .join(Product, Product.id == PurchaseOrderLine.product_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id)
        .order_by(PurchaseOrderLine.id)))


def _products(session: Session, skus: Iterable[str]) -> dict[str, tuple[int, str]]:
    """sku -> (product id, title) for the SKUs scanned; a SKU gone since is refused."""
    wanted = sorted(set(skus))
    found = {sku: (pid, title) for pid, sku, title in session.execute(
        select(Product.id, Product.sku, Product.title).where(Product.sku.in_(wanted)))}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise DomainError(f"There is no product {', '.join(missing)} any more; take its scans "
                          "back and scan it again.")
    return found


@dataclass
class _Seen:
    on_hand: int = 0
    times_received: int = 0
    last_received_at: datetime | None = None


def _bin_suggestions(session: Session, products: Mapping[str, int]
                     ) -> dict[str, BinSuggestion]:
    """Where each product usually lives (domain.goods_in.suggest_bin)."""
    ids = sorted(set(products.values()))
    seen: dict[int, dict[int, _Seen]] = {}
    for pid, loc, on_hand in session.execute(
            select(StockLevel.product_id, StockLevel.location_id, StockLevel.on_hand)
            .where(StockLevel.product_id.in_(ids))):
        seen.setdefault(pid, {}).setdefault(loc, _Seen()).on_hand = on_hand
    for pid, loc, times, last in session.execute(
            select(StockMovement.product_id, StockMovement.location_id, func.count(),
                   func.max(StockMovement.created_at))
            .where(StockMovement.product_id.in_(ids),
                   StockMovement.reason == str(MovementReason.GOODS_IN),
                   StockMovement.quantity > 0)
            .group_by(StockMovement.product_id, StockMovement.location_id)):
        bin_seen = seen.setdefault(pid, {}).setdefault(loc, _Seen())
        bin_seen.times_received, bin_seen.last_received_at = times, last
    places = {loc for bins in seen.values() for loc in bins}
    codes = {i: (c, w) for i, c, w in session.execute(
        select(Location.id, Location.code, Location.walk_sequence)
        .where(Location.id.in_(sorted(places)), Location.active.is_(True)))}
    return {sku: suggest_bin(sku, [
        BinHistory(codes[loc][0], v.on_hand, v.times_received, v.last_received_at,
                   codes[loc][1])
        for loc, v in seen.get(pid, {}).items() if loc in codes], day=day_words)
        for sku, pid in products.items()}



@dataclass(frozen=True)
class ReceiptRow:
    line: ReceiptLine
    title: str


@dataclass(frozen=True)
class DeliveryCheck:
    """The scans so far against the order: each line with what to say, where each product
    goes, and what must be asked before booking."""

    purchase_order_id: int | None
    po_number: str
    supplier: str
    rows: tuple[ReceiptRow, ...]
    bins: dict[str, BinSuggestion]
    questions: tuple[Question, ...]

    @property
    def units(self) -> int:
        return sum(r.line.received_now for r in self.rows)


def _questions(lines: Iterable[ReceiptLine]) -> tuple[Question, ...]:
    return tuple(Question(r.sku, "unexpected" if r.status is ReceiptStatus.UNEXPECTED
                          else "extra", r.extra, r.question)
                 for r in lines if r.question)


def _check(session: Session, po: PurchaseOrder | None, scans: Sequence[Scan]
           ) -> tuple[tuple[OpenLine, ...], tuple[ReceiptLine, ...], dict[str, tuple[int, str]]]:
    open_lines = _open_lines(session, po)
    totals = totals_by_sku(scans)
    products = _products(session, [*totals, *(ln.sku for ln in open_lines)])
    return open_lines, compare_delivery(open_lines, scans), products


@requires(Can.SEE_INVENTORY)
def check_delivery(session: Session, purchase_order_id: int | None, scans: Sequence[Scan]
                   ) -> DeliveryCheck:
    """Compare the scans with the order's open lines (none: everything is unexpected)."""
    po = _receivable(session, purchase_order_id) if purchase_order_id is not None else None
    _open, lines, products = _check(session, po, scans)
    shown = {r.sku: products[r.sku][0] for r in lines}
    supplier = session.get_one(Supplier, po.supplier_id).name if po else ""
    return DeliveryCheck(
        po.id if po else None, po.number if po else "", supplier,
        tuple(ReceiptRow(r, products[r.sku][1]) for r in lines),
        _bin_suggestions(session, shown), _questions(lines))


# --- parking and resuming ------------------------------------------------------------------


def _locations(session: Session, bins: Mapping[str, str], skus: Iterable[str]
               ) -> dict[str, int]:
    """sku -> location id of the bin chosen for it; every SKU needs a bin that exists."""
    ids = {c: i for i, c in session.execute(select(Location.id, Location.code))}
    out, problems = {}, []
    for sku in skus:
        code = (bins.get(sku) or "").strip()
        if not code:
            problems.append(f"Choose a bin for {sku}.")
        elif code not in ids:
            problems.append(f"There is no bin “{code}” for {sku}; choose one from the list.")
        else:
            out[sku] = ids[code]
    if problems:
        raise DomainError("\n".join(problems))
    return out


def _parked(session: Session, delivery_id: int, po_id: int | None) -> Delivery:
    """A delivery that may still be parked or booked, for the same order."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise DomainError("That parked delivery no longer exists (someone else may have "
                          "booked or discarded it); start the delivery again.")
    if delivery.status == str(DeliveryStatus.BOOKED):
        raise DomainError(f"Delivery {delivery.id} was booked already; nothing was changed.")
    if delivery.purchase_order_id != po_id:
        raise DomainError("A parked delivery stays with the purchase order it was started "
                          "for; discard it to start again against another.")
    return delivery


def _delivery(session: Session, delivery_id: int | None, po_id: int | None, actor: str
              ) -> Delivery:
    """A new delivery, or the parked one emptied of its lines to take the new ones."""
    if delivery_id is None:
        delivery = Delivery(purchase_order_id=po_id, status=str(DeliveryStatus.PARKED),
                            actor=actor, received_at=utcnow())
        session.add(delivery)
        session.flush()
        return delivery
    delivery = _parked(session, delivery_id, po_id)
    for line in session.scalars(select(DeliveryLine)
                                .where(DeliveryLine.delivery_id == delivery.id)):
        session.delete(line)
    session.flush()
    return delivery


@requires(Can.SEE_INVENTORY)
def park_delivery(uow: UnitOfWork, delivery_id: int | None, purchase_order_id: int | None,
                  scans: Sequence[Scan], bins: Mapping[str, str]) -> int:
    """Keep a half-done delivery (what came of each product, and its bin) to finish later;
    nothing is booked. Its id."""
    totals = {sku: n for sku, n in totals_by_sku(scans).items() if n}
    if not totals:
        raise DomainError("Nothing has been scanned yet, so there is nothing to park.")
    with uow:
        s = uow.session
        if delivery_id is not None:
            _parked(s, delivery_id, purchase_order_id)
        if purchase_order_id is not None:
            _receivable(s, purchase_order_id)
        products = _products(s, totals)
        where = _locations(s, bins, totals)
        delivery = _delivery(s, delivery_id, purchase_order_id, uow.actor)
        before = delivery.status if delivery_id is not None else None
        delivery.status, delivery.actor = str(DeliveryStatus.PARKED), uow.actor
        for sku, n in totals.items():
            s.add(DeliveryLine(delivery_id=delivery.id, purchase_order_line_id=None,
                               product_id=products[sku][0], location_id=where[sku],
                               quantity=n))
        units = sum(totals.values())
        history.record(s, ENTITY, delivery.id, before, str(DeliveryStatus.PARKED), uow.actor,
                       f"Parked with {units:,} unit{'' if units == 1 else 's'} scanned")
        uow.commit()
        return delivery.id


@dataclass(frozen=True)
class ParkedDelivery:
    id: int
    purchase_order_id: int | None
    po_number: str  # "" for goods on no purchase order
    supplier: str
    actor: str
    parked_at: datetime
    units: int

    @property
    def text(self) -> str:
        what = f"{self.po_number} — {self.supplier}" if self.po_number else "No purchase order"
        return f"{what}: {self.units:,} scanned by {self.actor}"


@requires(Can.SEE_INVENTORY)
def parked_deliveries(session: Session) -> tuple[ParkedDelivery, ...]:
    """Deliveries parked half-done, oldest first."""
    rows = session.execute(
        select(Delivery.id, Delivery.purchase_order_id,
               func.coalesce(PurchaseOrder.number, ""), func.coalesce(Supplier.name, ""),
               Delivery.actor, Delivery.received_at,
               func.coalesce(func.sum(DeliveryLine.quantity), 0))
        .outerjoin(PurchaseOrder, PurchaseOrder.id == Delivery.purchase_order_id)
        .outerjoin(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .outerjoin(DeliveryLine, DeliveryLine.delivery_id == Delivery.id)
        .where(Delivery.status == str(DeliveryStatus.PARKED))
        .group_by(Delivery.id, PurchaseOrder.id, Supplier.id)
        .order_by(Delivery.received_at, Delivery.id))
    return tuple(ParkedDelivery(*r[:6], int(r[6])) for r in rows)


@dataclass(frozen=True)
class ResumedDelivery:
    delivery_id: int
    purchase_order_id: int | None
    scans: tuple[Scan, ...]
    bins: dict[str, str]  # sku -> bin code chosen when it was parked
    po_number: str = ""  # its order, if any, as it stands now
    po_status: str = ""
    supplier_id: int | None = None
    supplier: str = ""

    @property
    def takes_goods(self) -> bool:
        """False when its order was received, closed or cancelled since it was parked."""
        return self.purchase_order_id is None or PS(self.po_status) in RECEIVABLE


@requires(Can.SEE_INVENTORY)
def resume_delivery(session: Session, delivery_id: int) -> ResumedDelivery:
    """A parked delivery's scans and bins, to carry on scanning where it stopped, and how its
    order stands now."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.status != str(DeliveryStatus.PARKED):
        raise DomainError("That delivery is no longer parked (someone else may have booked "
                          "or discarded it); refresh the list.")
    rows = session.execute(
        select(Product.sku, DeliveryLine.quantity, Location.code)
        .join(Product, Product.id == DeliveryLine.product_id)
        .join(Location, Location.id == DeliveryLine.location_id)
        .where(DeliveryLine.delivery_id == delivery_id).order_by(DeliveryLine.id)).all()
    po = (session.get_one(PurchaseOrder, delivery.purchase_order_id)
          if delivery.purchase_order_id is not None else None)
    return ResumedDelivery(delivery.id, delivery.purchase_order_id,
                           tuple(Scan(sku, n) for sku, n, _ in rows),
                           {sku: code for sku, _n, code in rows},
                           po.number if po else "", po.status if po else "",
                           po.supplier_id if po else None,
                           session.get_one(Supplier, po.supplier_id).name if po else "")


@requires(Can.SEE_INVENTORY)
def move_parked_delivery(uow: UnitOfWork, delivery_id: int, purchase_order_id: int | None
                         ) -> Changes:
    """Keep a parked delivery whose order no longer takes goods (received, closed or
    cancelled since): it moves, scans and bins as they were, to none (goods nobody ordered)
    or to another open order of that supplier. Nothing is booked."""
    with uow:
        s = uow.session
        delivery = s.get(Delivery, delivery_id)
        if delivery is None or delivery.status != str(DeliveryStatus.PARKED):
            raise DomainError("That delivery is no longer parked (someone else may have booked "
                              "or discarded it); refresh the list.")
        if delivery.purchase_order_id == purchase_order_id:
            return uow.changes
        was = (s.get_one(PurchaseOrder, delivery.purchase_order_id)
               if delivery.purchase_order_id is not None else None)
        if was is not None and PS(was.status) in RECEIVABLE:
            raise DomainError(f"Delivery {delivery.id} is parked against {was.number}, which "
                              "still takes goods: a parked delivery stays with its order. "
                              "Discard it to start again against another.")
        to = _receivable(s, purchase_order_id) if purchase_order_id is not None else None
        if to is not None and was is not None and to.supplier_id != was.supplier_id:
            theirs = s.get_one(Supplier, was.supplier_id).name
            raise DomainError(f"{to.number} is an order to "
                              f"{s.get_one(Supplier, to.supplier_id).name}, but delivery "
                              f"{delivery.id} came for {was.number} of {theirs}. Choose an "
                              f"order of {theirs}, or No purchase order.")
        before = (f"{was.number} ({label(PS(was.status)).lower()})" if was is not None
                  else "no purchase order")
        history.record(s, ENTITY, delivery.id, delivery.status, delivery.status, uow.actor,
                       f"Moved from {before} to {to.number if to else 'no purchase order'}")
        delivery.purchase_order_id = to.id if to is not None else None
        uow.commit()
    return uow.changes


@requires(Can.SEE_INVENTORY)
def discard_delivery(uow: UnitOfWork, delivery_id: int) -> Changes:
    """Throw away a parked delivery (nothing of it was booked)."""
    with uow:
        s = uow.session
        delivery = s.get(Delivery, delivery_id)
        if delivery is None:
            return uow.changes
        if delivery.status == str(DeliveryStatus.BOOKED):
            raise DomainError(f"Delivery {delivery.id} is booked; its stock is in the "
                              "ledger and stays there.")
        history.record(s, ENTITY, delivery.id, delivery.status, "discarded", uow.actor)
        s.delete(delivery)
        uow.commit()
    return uow.changes


# --- booking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookedDelivery:
    delivery_id: int
    units: int
    received: dict[int, int]  # product id -> units booked (for labels)
    po_number: str
    po_status: str | None  # the order's status after booking (None: no order)
    left_out: tuple[str, ...]  # SKUs whose extra or unexpected goods were not booked
    labels: str | None  # what automatic label printing did, when it tried
    changes: Changes
    label_job: int | None = None  # the print job it queued, if it did

    @property
    def summary(self) -> str:
        text = f"Booked {self.units:,} unit{'' if self.units == 1 else 's'} into stock"
        if self.po_number:
            text += f" against {self.po_number}, now {label(PS(self.po_status)).lower()}" \
                if self.po_status else f" against {self.po_number}"
        text += "."
        if self.left_out:
            text += f" Not booked: {', '.join(self.left_out)} (set aside to return)."
        return text


@requires(Can.SEE_INVENTORY)
def book_delivery(uow: UnitOfWork, delivery_id: int | None, purchase_order_id: int | None,
                  scans: Sequence[Scan], bins: Mapping[str, str], *,
                  book_extra: Collection[str] = (), book_unexpected: Collection[str] = (),
                  leave_out: Collection[str] = (), data_dir: Path | None = None
                  ) -> BookedDelivery:
    """Book what came: a GOODS_IN movement per product and bin, the order lines' received
    quantities, and the order's status. Extra and unexpected goods need an answer first:
    ReceiptQuestions lists what to ask, and the answers come back as SKUs in `book_extra`,
    `book_unexpected` (book them) or `leave_out` (do not)."""
    with uow:
        s = uow.session
        if delivery_id is not None:
            _parked(s, delivery_id, purchase_order_id)
        po = _receivable(s, purchase_order_id) if purchase_order_id is not None else None
        open_lines, lines, products = _check(s, po, scans)
        answered = set(book_extra) | set(book_unexpected) | set(leave_out)
        asked = [q for q in _questions(lines) if q.sku not in answered]
        if asked:
            raise ReceiptQuestions(asked)
        booked = bookings(lines, bins={sku: code for sku, code in bins.items() if code},
                          book_extra=set(book_extra) - set(leave_out),
                          book_unexpected=set(book_unexpected) - set(leave_out))
        if not booked:
            raise DomainError("Nothing to book: scan or type what came first.")
        where = _locations(s, bins, sorted({b.sku for b in booked}))
        delivery = _delivery(s, delivery_id, purchase_order_id, uow.actor)
        before = delivery.status if delivery_id is not None else None
        reference = po.number if po else f"Delivery {delivery.id}"
        received: dict[int, int] = {}
        for b in booked:
            pid = products[b.sku][0]
            stock.book_movement(s, product_id=pid, location_id=where[b.sku],
                                quantity=b.quantity, reason=MovementReason.GOODS_IN,
                                actor=uow.actor, reference=reference,
                                note=f"Delivery {delivery.id}")
            s.add(DeliveryLine(delivery_id=delivery.id, purchase_order_line_id=b.po_line_id,
                               product_id=pid, location_id=where[b.sku], quantity=b.quantity))
            received[pid] = received.get(pid, 0) + b.quantity
        po_status = None
        if po is not None:
            after = apply_bookings(open_lines, booked)
            rows = {ln.id: ln for ln in s.scalars(select(PurchaseOrderLine).where(
                PurchaseOrderLine.purchase_order_id == po.id))}
            for line in after:
                rows[line.po_line_id].quantity_received = line.received
            current = PS(po.status)
            new = po_status_after(current, after)
            if new is not current:
                po.status = str(new)
                history.record(s, PO_ENTITY, po.id, str(current), str(new), uow.actor,
                               f"Delivery {delivery.id}")
            po_status = str(new)
        units = sum(b.quantity for b in booked)
        delivery.status, delivery.actor = str(DeliveryStatus.BOOKED), uow.actor
        delivery.received_at = utcnow()
        history.record(s, ENTITY, delivery.id, before, str(DeliveryStatus.BOOKED), uow.actor,
                       f"Booked {units:,} unit{'' if units == 1 else 's'}")
        left = tuple(sorted({q.sku for q in _questions(lines)} & set(leave_out)))
        printed = auto_print_received_labels(s, received, data_dir=data_dir)
        uow.changed(stock=True, suppliers=True)
        uow.commit()
        labels = printed.problem or (f"Labels queued (print job {printed.job_id})."
                                     if printed.job_id else None)
        return BookedDelivery(delivery.id, units, received, po.number if po else "",
                              po_status, left, labels, uow.changes, printed.job_id)
