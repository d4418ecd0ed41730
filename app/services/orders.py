"""Orders tab: the one queue of orders from every channel, and changing an order's status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import distinct, func, intersect, select
from sqlalchemy.orm import Session

from app.db.models import Channel, Order, OrderLine, OrderSearchTerm, Product
from app.domain.access import Can
from app.domain.barcodes import same_code
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.statuses import (
    OPEN_ORDER_STATUSES,
    ORDER_TRANSITIONS,
    OrderStatus,
    check_transition,
)
from app.services import history, shipments, stock
from app.services.access import requires
from app.services.history import HistoryLine
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.search import prefix_range, query_terms
from app.services.uow import UnitOfWork


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    channel: str
    placed_at: datetime
    customer: str
    items: int
    total_minor: int
    currency: str
    status: str
    flagged: str | None


@dataclass(frozen=True)
class OrderLineView:
    sku: str
    title: str
    quantity: int
    unit_price_minor: int
    personalisation: str
    needs_making: bool


@dataclass(frozen=True)
class OrderDetail:
    row: OrderRow
    ship_to: str
    email: str
    lines: tuple[OrderLineView, ...]
    history: tuple[HistoryLine, ...]
    allowed_next: tuple[str, ...]


LISTING = Listing(
    sort_keys={
        "number": Order.number,
        "channel": Order.channel_id,
        "placed": Order.placed_at,
        "customer": Order.customer_key,
        "items": Order.items_count,
        "total": Order.total_minor,
        "status": Order.status,
    },
    default_sort="placed",
    default_descending=True,
    tiebreak=Order.id,
)

_COLUMNS = (Order.id, Order.number, Channel.name, Order.placed_at, Order.customer_name,
            Order.items_count, Order.total_minor, Order.currency, Order.status, Order.flagged)


# A word matching more orders than this is searched by walking the sort order's index and
# testing each order, rather than fetching every match to sort them: SQLite has no statistics
# to make that choice itself, so a capped count of the word's index entries makes it.
MANY_MATCHES = 5_000


def _word_ids(word: str):  # type: ignore[no-untyped-def]
    return select(OrderSearchTerm.order_id).where(prefix_range(OrderSearchTerm.term, word))


@requires(Can.SEE_ORDERS)
def scanned_as_sku(session: Session, req: PageRequest) -> PageRequest:
    """A product's barcode scanned into an order search stands for its SKU: orders know
    their lines by SKU, and a packer scans the item in their hand."""
    code = req.search.strip()
    if not (code.isascii() and code.isdigit() and 8 <= len(code) <= 14):
        return req
    sku = session.scalar(select(Product.sku).where(Product.barcode.in_(same_code(code)))
                         .limit(1))
    return replace(req, search=sku) if sku else req


def matching_ids(text: str):  # type: ignore[no-untyped-def]
    """Conditions that find orders by number, customer, e-mail or SKU, word by word."""
    return [Order.id.in_(_word_ids(t)) for t in query_terms(text)]


def search_conditions(session: Session, text: str):  # type: ignore[no-untyped-def]
    """matching_ids, with only a rare enough word (or words together) driving the query.

    SQLite keeps no statistics, so a capped count of each word's matches decides: a rare
    word looks its orders up directly; several common words that are rare together
    ("jane smith") look up their intersection; otherwise the sort order's index is walked
    and each order tested.
    """
    words = query_terms(text)
    if not words or session.get_bind().dialect.name != "sqlite":
        return matching_ids(text)

    def capped(ids):  # type: ignore[no-untyped-def]
        return session.scalar(select(func.count())
                              .select_from(ids.limit(MANY_MATCHES).subquery())) or 0

    seen = [capped(_word_ids(w)) for w in words]
    rarest = min(range(len(words)), key=seen.__getitem__)
    drive = seen[rarest] < MANY_MATCHES
    if not drive and len(words) > 1:
        together = list(session.scalars(
            intersect(*(_word_ids(w) for w in words)).limit(MANY_MATCHES)))
        if len(together) < MANY_MATCHES:  # read once; the page looks these orders up
            return [Order.id.in_(together)]
    # `id + 0` hides the column from the planner: that word becomes a test, not a lookup.
    return [(Order.id if drive and i == rarest else Order.id + 0).in_(_word_ids(w))
            for i, w in enumerate(words)]


def _filters(req: PageRequest):  # type: ignore[no-untyped-def]
    conds = []
    status = req.filter("status")
    if status:
        conds.append(Order.status == status)
    channel = req.filter("channel_id")
    if channel:
        conds.append(Order.channel_id == channel)
    return conds


def _where(req: PageRequest):  # type: ignore[no-untyped-def]
    return [*matching_ids(req.search), *_filters(req)]


def _row(r) -> OrderRow:  # type: ignore[no-untyped-def]
    return OrderRow(*r[:10])


_LIST = select(*_COLUMNS).join(Channel, Channel.id == Order.channel_id)


@requires(Can.SEE_ORDERS)
def list_page(session: Session, req: PageRequest) -> Page[OrderRow]:
    req = scanned_as_sku(session, req)
    stmt = _LIST.where(*search_conditions(session, req.search), *_filters(req))
    return keyset_page(session, stmt, LISTING, req, _row)


@requires(Can.SEE_ORDERS)
def count(session: Session, req: PageRequest) -> int:
    req = scanned_as_sku(session, req)
    words = query_terms(req.search)
    filters = _filters(req)
    if words and not filters:
        # Straight from the word index: no order row is read.
        if len(words) == 1:
            stmt = select(func.count(distinct(OrderSearchTerm.order_id))).where(
                prefix_range(OrderSearchTerm.term, words[0]))
        else:
            stmt = select(func.count()).select_from(
                intersect(*(_word_ids(w) for w in words)).subquery())
        return int(session.scalar(stmt) or 0)
    return int(session.scalar(select(func.count(Order.id)).where(*_where(req))) or 0)


@requires(Can.SEE_ORDERS)
def detail(session: Session, order_id: int) -> OrderDetail:
    r = session.execute(select(*_COLUMNS).join(Channel, Channel.id == Order.channel_id)
                        .where(Order.id == order_id)).one_or_none()
    if r is None:
        raise DomainError("That order no longer exists; refresh the list.")
    o = session.get_one(Order, order_id)
    lines = tuple(OrderLineView(ln.sku, ln.title, ln.quantity, ln.unit_price_minor,
                                ln.personalisation, ln.needs_making)
                  for ln in session.scalars(select(OrderLine)
                                            .where(OrderLine.order_id == order_id)
                                            .order_by(OrderLine.id)))
    ship_to = "\n".join(p for p in (o.ship_name, o.ship_address1, o.ship_address2,
                                    " ".join(x for x in (o.ship_city, o.ship_region) if x),
                                    o.ship_postcode, o.ship_country) if p)
    allowed = tuple(str(s) for s in ORDER_TRANSITIONS[OrderStatus(o.status)])
    return OrderDetail(_row(r), ship_to, o.customer_email, lines,
                       history.history(session, "order", order_id), allowed)


def move_order(session: Session, order: Order, to: OrderStatus, actor: str,
               note: str = "", *, carrier: str = "", tracking: str = "") -> None:
    """One order to a new status: checked, stock following it, recorded in its history.

    Cancelling gives back the stock it had reserved; shipping takes it off the shelves.
    """
    current = OrderStatus(order.status)
    try:
        check_transition(current, to)
        for line in order.lines:
            if line.product_id is None or line.needs_making:
                continue
            if to is OrderStatus.CANCELLED and current in OPEN_ORDER_STATUSES:
                stock.release_reservation(session, line.product_id, line.reserved,
                                          reference=f"order {order.number}", actor=actor)
                line.reserved = 0
            elif to is OrderStatus.SHIPPED:
                _hold_the_rest(session, order, line, actor)
                stock.dispatch(session, line.product_id, line.quantity, actor=actor,
                               reference=f"order {order.number}", held=line.reserved)
                line.reserved = 0
    except DomainError as exc:
        raise DomainError(f"Order {order.number}: {exc}") from exc
    order.status = str(to)
    if to is OrderStatus.SHIPPED:
        shipments.record_shipment(session, order, carrier, tracking)
        if order.flagged:  # it left whole: no longer short
            kept = [p for p in order.flagged.split("; ") if not p.startswith("Short")]
            order.flagged = "; ".join(kept) or None
    history.record(session, "order", order.id, str(current), str(to), actor, note)


def _hold_the_rest(session: Session, order: Order, line: OrderLine, actor: str) -> None:
    """A short line about to ship first takes what has come free since; what older orders
    hold stays theirs, so a line still short is refused rather than taking their stock."""
    missing = line.quantity - line.reserved
    if missing <= 0:
        return
    line.reserved += stock.reserve(session, line.product_id, missing,  # type: ignore[arg-type]
                                   reference=f"order {order.number}", actor=actor)
    if line.reserved < line.quantity:
        on_hand = stock.on_hand(session, line.product_id)  # type: ignore[arg-type]
        if on_hand < line.quantity:
            raise DomainError(f"Only {on_hand} of {line.quantity} × {line.sku} are on hand. "
                              "Book the goods in (or count the bins) before marking the "
                              "order shipped.")
        raise DomainError(
            f"{line.quantity} × {line.sku} wanted but only {line.reserved} held for it; the "
            "rest on the shelf is promised to older orders. Book the goods in first (or free "
            "them by cancelling or holding another order).")


@requires(Can.MOVE_ORDERS)
def change_status(uow: UnitOfWork, order_ids: list[int], to: OrderStatus,
                  note: str = "", *, carrier: str = "", tracking: str = "") -> Changes:
    """Move orders to a new status; cancelling gives back their stock and cancels their
    supplier tasks, shipping takes the stock, Purchasing sends them to their suppliers."""
    from app.services import supplier_tasks

    with uow:
        s = uow.session
        if to is OrderStatus.PURCHASING:
            supplier_tasks.send_to_purchasing(s, order_ids, uow.actor, note=note)
            uow.changed(orders=True, tasks=True, suppliers=True)
            uow.commit()
            return uow.changes
        cancelled_tasks = 0
        for order_id in order_ids:
            order = s.get(Order, order_id, with_for_update=True)
            if order is None:
                raise DomainError("One of those orders no longer exists; refresh the list.")
            move_order(s, order, to, uow.actor, note, carrier=carrier, tracking=tracking)
            if to is OrderStatus.CANCELLED:
                cancelled_tasks += supplier_tasks.cancel_order_tasks(s, order.id, uow.actor)
        uow.changed(orders=True, stock=to in (OrderStatus.CANCELLED, OrderStatus.SHIPPED),
                    finance=to in (OrderStatus.CANCELLED, OrderStatus.REFUNDED),
                    tasks=cancelled_tasks > 0, suppliers=cancelled_tasks > 0)
        uow.commit()
    return uow.changes
