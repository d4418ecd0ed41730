"""Reorder suggestions from the database, the reorder settings, and low-stock alerts.

The facts per product come from a handful of set-wise queries (no query per product): units
sold and sales from DISPATCH movements in the window, stock from the levels, what is on open
purchase orders (drafts included, so a draft is not suggested twice), and the supplier's terms.
Days out of stock come from the ledger: one pass with a running sum finds the few products
whose on-hand touched zero in the window, and only their movements are read back and timed
by `domain.reorder.days_out_of_stock`. `domain.reorder.suggest` does the rest.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from app.db.models import (
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierProduct,
)
from app.db.settings import get_setting, put_setting
from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.reorder import (
    ReorderFacts,
    ReorderSettings,
    ReorderStatus,
    Suggestion,
    below_minimum,
    days_out_of_stock,
    draft_purchase_orders,
    suggest,
)
from app.domain.statuses import PurchaseOrderStatus
from app.domain.stock import MovementReason
from app.notify import notify
from app.services.access import requires
from app.services.uow import UnitOfWork

SETTINGS_KEY = "reorder_settings"
ALERTED_KEY = "low_stock_alerted"  # product ids told about and not yet recovered
ALERT_KIND = "low_stock"
ALERTS_ONE_BY_ONE = 20  # beyond this many at once, one notice names the rest
# Purchase orders whose missing goods are still coming (drafts too: they will be sent).
ON_ORDER_STATUSES = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT,
                     PurchaseOrderStatus.PARTLY_RECEIVED)
_CHUNK = 500
_BIG_CHUNK = 5000  # ids bound in one statement where a query per 500 would cost too much
_DAY = timedelta(days=1)


# --- settings ------------------------------------------------------------------------------


def _settings(session: Session) -> ReorderSettings:
    saved = get_setting(session, SETTINGS_KEY, {})
    defaults = ReorderSettings()
    if not isinstance(saved, dict):
        return defaults
    try:
        return ReorderSettings(**{k: int(saved[k]) for k in (
            "window_days", "safety_days", "days_between_orders", "minimum_sales")
            if isinstance(saved.get(k), int)})
    except DomainError:  # saved by hand and impossible: the defaults rather than nothing
        return defaults


@requires(Can.SEE_INVENTORY)
def reorder_settings(session: Session) -> ReorderSettings:
    """The workshop's reorder settings (the defaults until they are saved)."""
    return _settings(session)


@requires(Can.CHANGE_SETTINGS)
def save_reorder_settings(uow: UnitOfWork, settings: ReorderSettings) -> Changes:
    """Keep the sales window, safety days, days between orders and minimum sales."""
    settings = ReorderSettings(settings.window_days, settings.safety_days,  # checks again
                               settings.days_between_orders, settings.minimum_sales)
    with uow:
        put_setting(uow.session, SETTINGS_KEY, {
            "window_days": settings.window_days, "safety_days": settings.safety_days,
            "days_between_orders": settings.days_between_orders,
            "minimum_sales": settings.minimum_sales})
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


# --- the facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReorderRow:
    """One product's suggestion with what the view shows beside it."""

    title: str
    units_sold: int
    days_out_of_stock: int
    suggestion: Suggestion


@dataclass(frozen=True)
class ReorderList:
    settings: ReorderSettings
    computed_at: datetime
    rows: tuple[ReorderRow, ...]

    def count(self, status: ReorderStatus) -> int:
        return sum(1 for r in self.rows if r.suggestion.status is status)


@dataclass(frozen=True)
class _Terms:
    supplier_id: int
    supplier_name: str
    lead_time_days: int
    pack_size: int
    minimum_order: int
    unit_cost: Money | None


def _chunks(ids: list[int], size: int = _CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _stock(session: Session, product_ids: list[int] | None) -> dict[int, tuple[int, int]]:
    stmt = (select(StockLevel.product_id, func.sum(StockLevel.on_hand),
                   func.sum(StockLevel.reserved)).group_by(StockLevel.product_id))
    if product_ids is None:
        return {p: (int(h), int(r)) for p, h, r in session.connection().execute(stmt).all()}
    out: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(product_ids):
        out.update((p, (int(h), int(r))) for p, h, r in session.execute(
            stmt.where(StockLevel.product_id.in_(chunk))))
    return out


def on_order_query():  # type: ignore[no-untyped-def]
    """Per product, what open purchase orders (drafts included) still have to bring."""
    missing = PurchaseOrderLine.quantity_ordered - PurchaseOrderLine.quantity_received
    return (select(PurchaseOrderLine.product_id, func.sum(missing))
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(PurchaseOrder.status.in_([str(s) for s in ON_ORDER_STATUSES]),
                   missing > 0)
            .group_by(PurchaseOrderLine.product_id))


def _terms(session: Session, product_ids: list[int] | None) -> dict[int, _Terms]:
    """Each product's supplier: an active one first, then the cheapest, the quickest, the
    first added."""
    stmt = (select(SupplierProduct.product_id, Supplier.id, Supplier.name,
                   Supplier.lead_time_days, SupplierProduct.pack_size,
                   SupplierProduct.minimum_order, SupplierProduct.unit_cost_minor,
                   SupplierProduct.currency)
            .join(Supplier, Supplier.id == SupplierProduct.supplier_id)
            .order_by(SupplierProduct.product_id, Supplier.active.desc(),
                      SupplierProduct.unit_cost_minor, Supplier.lead_time_days, Supplier.id))
    conn = session.connection()
    rows = conn.execute(stmt).all() if product_ids is None else [
        r for chunk in _chunks(product_ids)
        for r in conn.execute(stmt.where(SupplierProduct.product_id.in_(chunk))).all()]
    out: dict[int, _Terms] = {}
    prices: dict[tuple[int, str], Money] = {}  # one Money per price, not per product
    for pid, sid, name, lead, pack, minimum, cost, currency in rows:
        if pid in out:
            continue
        price = None
        if cost:
            price = prices.get((cost, currency))
            if price is None:
                price = prices[(cost, currency)] = Money(int(cost), currency)
        out[pid] = _Terms(sid, name, max(0, lead or 0), max(1, pack or 1), max(1, minimum or 1),
                          price)
    return out


@dataclass(frozen=True)
class _Ledger:
    """What the ledger says of one product since the window started."""

    total: int = 0  # the sum of its movements
    taken: int = 0  # the sum of its negative movements: stock can fall by no more
    sold: int = 0  # units dispatched
    sales: int = 0  # dispatch movements (one per order line and bin)


def _stored(value: datetime | str) -> datetime:
    """A stored (naive UTC) time read without SQLAlchemy's per-row parsing: SQLite hands
    back its text, other databases a datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _ledgers(session: Session, start: datetime, product_ids: list[int] | None
             ) -> dict[int, _Ledger]:
    """Per product with movements since `start`: their sum, what went out, units and
    dispatches sold; one GROUP BY over the window."""
    m = StockMovement
    dispatched = m.reason == str(MovementReason.DISPATCH)
    stmt = (select(m.product_id, func.sum(m.quantity),
                   func.sum(case((m.quantity < 0, m.quantity), else_=0)),
                   func.sum(case((dispatched, -m.quantity), else_=0)),
                   func.sum(case((dispatched, 1), else_=0)))
            .where(m.created_at >= start).group_by(m.product_id))
    batches = [stmt] if product_ids is None else [
        stmt.where(m.product_id.in_(chunk)) for chunk in _chunks(product_ids, _BIG_CHUNK)]
    conn = session.connection()
    return {pid: _Ledger(int(total), int(taken), int(sold), int(sales))
            for batch in batches for pid, total, taken, sold, sales in conn.execute(batch).all()}


def _movements(session: Session, start: datetime, product_ids: list[int]
               ) -> dict[int, list[tuple[str | datetime, int]]]:
    """(time, quantity) of these products' movements since `start`, in the ledger's order."""
    m = StockMovement
    conn = session.connection()
    out: dict[int, list[tuple[str | datetime, int]]] = {}
    for chunk in _chunks(product_ids, _BIG_CHUNK):
        rows = conn.execute(
            select(m.product_id, type_coerce(m.created_at, String), m.quantity)
            .where(m.created_at >= start, m.product_id.in_(chunk))
            .order_by(m.product_id, m.created_at, m.id)).all()
        for pid, group in groupby(rows, key=lambda r: r[0]):
            out[pid] = [(at, quantity) for _pid, at, quantity in group]
    return out


def _days_out(level_at_start: int, moves: list[tuple[str | datetime, int]],
              product_start: datetime, end: datetime) -> int:
    """Whole days out of stock from `product_start` (the window's start, or the product's
    creation if later) to `end`; `moves` are (time, quantity) since the window's start."""
    start, end = (t.astimezone(UTC).replace(tzinfo=None) for t in (product_start, end))
    level = level_at_start
    after = []
    for at, quantity in moves:
        level += quantity
        moment = _stored(at)
        if moment < start:
            level_at_start = level  # already in the level at the product's start
        else:
            after.append((moment, level))
    return days_out_of_stock(after, level_at_start=level_at_start, window_start=start,
                             window_end=end)


def reorder_facts(session: Session, settings: ReorderSettings, now: datetime,
                  product_ids: list[int] | None = None
                  ) -> list[tuple[str, ReorderFacts, int]]:
    """(title, facts, days out of stock) of every stocked product (made-to-order ones are
    never bought in), or of `product_ids` only."""
    start = now - timedelta(days=settings.window_days)
    products = select(Product.id, Product.sku, Product.title, Product.active).where(
        Product.made_to_order.is_(False))
    new = select(Product.id, Product.created_at).where(Product.made_to_order.is_(False),
                                                       Product.created_at > start)
    if product_ids is None:
        rows = session.connection().execute(products.order_by(Product.sku)).all()
        created = dict(session.execute(new).all())
        on_order = {p: int(n) for p, n in session.execute(on_order_query())}
    else:
        rows, created, on_order = [], {}, {}
        for chunk in _chunks(product_ids):
            rows += session.execute(products.where(Product.id.in_(chunk))).all()
            created.update(session.execute(new.where(Product.id.in_(chunk))).all())
            on_order.update((p, int(n)) for p, n in session.execute(
                on_order_query().where(PurchaseOrderLine.product_id.in_(chunk))))
        rows.sort(key=lambda r: r[1])
    levels = _stock(session, product_ids)
    terms = _terms(session, product_ids)
    ledgers = _ledgers(session, start, product_ids)
    nothing = _Ledger()
    # Only a product whose stock could have touched zero in the window can have days out of
    # stock: its movements are read back and timed.
    maybe_out = [pid for pid, *_ in rows if pid in ledgers and (
        levels.get(pid, (0, 0))[0] - ledgers[pid].total + ledgers[pid].taken <= 0
        or pid in created)]
    moves = _movements(session, start, sorted(maybe_out))

    out = []
    for pid, sku, title, active in rows:
        on_hand, reserved = levels.get(pid, (0, 0))
        w = ledgers.get(pid, nothing)
        product_start, days_in_window = start, None
        born = created.get(pid)
        if born is not None:
            product_start = min(born, now)
            days_in_window = math.ceil((now - product_start) / _DAY)
        first = on_hand - w.total  # on hand when the window started
        out_days = 0
        if first <= 0 or pid in moves:
            out_days = _days_out(first, moves.get(pid, []), product_start, now)
        t = terms.get(pid)
        facts = ReorderFacts(
            sku=sku, units_sold=max(0, w.sold), days_out_of_stock=out_days,
            on_hand=on_hand, reserved=reserved, on_order=on_order.get(pid, 0),
            sales=w.sales, days_in_window=days_in_window, product_id=pid,
            active=bool(active),
            **({} if t is None else {
                "supplier_id": t.supplier_id, "supplier_name": t.supplier_name,
                "lead_time_days": t.lead_time_days, "pack_size": t.pack_size,
                "minimum_order": t.minimum_order, "unit_cost": t.unit_cost}))
        out.append((title, facts, out_days))
    return out


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Hundreds of thousands of small objects and no reference cycles: the cyclic garbage
    collector would only scan them again and again (a third of the time at 100,000
    products), so it waits until they are made."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _rows(session: Session, settings: ReorderSettings, now: datetime,
          product_ids: list[int] | None = None) -> tuple[ReorderRow, ...]:
    with _no_gc_pauses():
        return tuple(ReorderRow(title, facts.units_sold, out_days, suggest(facts, settings))
                     for title, facts, out_days in reorder_facts(session, settings, now,
                                                                 product_ids))


@requires(Can.SEE_INVENTORY)
def suggestions(session: Session, settings: ReorderSettings | None = None,
                now: datetime | None = None) -> ReorderList:
    """Every stocked product's suggestion, by SKU, each number with its working.

    `settings` tries other settings without saving them; by default the saved ones.
    """
    settings = settings or _settings(session)
    now = now or datetime.now(UTC)
    return ReorderList(settings, now, _rows(session, settings, now))


# --- turning suggestions into draft purchase orders ----------------------------------------


@dataclass(frozen=True)
class DraftMade:
    purchase_order_id: int
    number: str
    supplier: str
    lines: int


@dataclass(frozen=True)
class DraftsMade:
    drafts: tuple[DraftMade, ...]
    skipped: tuple[str, ...]  # why chosen products were left out, one sentence each
    changes: Changes

    @property
    def summary(self) -> str:
        made = "; ".join(f"{d.number} to {d.supplier} ({d.lines} line"
                         f"{'' if d.lines == 1 else 's'})" for d in self.drafts)
        text = f"Made {made}." if self.drafts else "No draft purchase order was made."
        return "\n".join([text, *self.skipped])


@requires(Can.MANAGE_SUPPLIERS)
def make_draft_purchase_orders(uow: UnitOfWork, product_ids: Iterable[int],
                               settings: ReorderSettings | None = None,
                               now: datetime | None = None) -> DraftsMade:
    """One draft purchase order per supplier for the chosen products that need ordering now.

    The suggestions are worked out again as the drafts are made (with `settings`, the ones
    the list was shown with; by default the saved ones), so nothing is ordered twice (a
    draft counts as on order) and the quantities are today's.
    """
    from app.services import purchasing  # purchasing reads reorder's on-order query

    ids = sorted(set(product_ids))
    if not ids:
        raise DomainError("Choose the products to order first.")
    now = now or datetime.now(UTC)
    with uow:
        s = uow.session
        rows = _rows(s, settings or _settings(s), now, ids)
        chosen = [r.suggestion for r in rows if r.suggestion.status is ReorderStatus.ORDER_NOW]
        skipped = tuple(_why_not(r.suggestion) for r in rows
                        if r.suggestion.status is not ReorderStatus.ORDER_NOW)
        made = []
        for draft in draft_purchase_orders(chosen):
            po = purchasing.add_draft(s, draft.supplier_id,
                                      [(ln.product_id, ln.quantity,
                                        ln.unit_cost.minor if ln.unit_cost else 0)
                                       for ln in draft.lines if ln.product_id is not None],
                                      currency=next((ln.unit_cost.currency for ln in draft.lines
                                                     if ln.unit_cost), None),
                                      actor=uow.actor, note="From reorder suggestions")
            made.append(DraftMade(po.id, po.number, draft.supplier_name, len(draft.lines)))
        if made:
            uow.changed(stock=True, suppliers=True)
        uow.commit()
    return DraftsMade(tuple(made), skipped, uow.changes)


def _why_not(s: Suggestion) -> str:
    if s.status is ReorderStatus.NO_SUPPLIER:
        return f"{s.sku}: no supplier to order from."
    if s.status is ReorderStatus.DISCONTINUED:
        return f"{s.sku}: discontinued, never reordered."
    if s.status is ReorderStatus.LOW_DATA:
        return f"{s.sku}: too few sales to suggest an order; add it to a purchase order by hand."
    return f"{s.sku}: enough in stock and on order now."


# --- low-stock alerts ----------------------------------------------------------------------


def _alert_text(row: ReorderRow) -> tuple[str, str]:
    s = row.suggestion
    title = (f"Low stock: {s.sku} has {s.available:,} available, below its minimum of "
             f"{s.minimum_level:,}")
    body = f"{row.title}\n\n" + s.explanation
    return title, body


@dataclass(frozen=True)
class LowStockCheck:
    told: int  # products newly told about
    below: int  # products below their minimum level now (told before or now)


def check_low_stock(uow: UnitOfWork, now: datetime | None = None) -> LowStockCheck:
    """Tell the owner once when a product's available stock falls below its minimum level;
    once it is back at or above it, the next fall is told again. Run every hour."""
    now = now or datetime.now(UTC)
    with uow:
        s = uow.session
        rows = _rows(s, _settings(s), now)
        low = {r.suggestion.product_id: r for r in rows
               if r.suggestion.product_id is not None and not r.suggestion.low_data
               and r.suggestion.status is not ReorderStatus.DISCONTINUED
               and below_minimum(r.suggestion.available, r.suggestion.minimum_level)}
        told = {int(p) for p in get_setting(s, ALERTED_KEY, []) or [] if isinstance(p, int)}
        new = [low[p] for p in sorted(set(low) - told, key=lambda p: low[p].suggestion.sku)]
        for row in new[:ALERTS_ONE_BY_ONE]:
            title, body = _alert_text(row)
            notify(s, kind=ALERT_KIND, title=title, body=body, entity="product",
                   entity_id=row.suggestion.product_id)
        rest = new[ALERTS_ONE_BY_ONE:]
        if rest:
            notify(s, kind=ALERT_KIND,
                   title=f"Low stock: {len(rest):,} more products are below their minimum "
                         "level",
                   body="Open Reorder to see them all:\n"
                        + "\n".join(f"{r.suggestion.sku}: {r.suggestion.available:,} "
                                    f"available, minimum {r.suggestion.minimum_level:,}"
                                    for r in rest))
        if set(low) != told:
            put_setting(s, ALERTED_KEY, sorted(low))
        uow.commit()
    return LowStockCheck(len(new), len(low))

