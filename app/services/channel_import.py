"""Orders in from a channel: new ones created and their stock held, changed ones updated
with a note in their history, the same ones left alone — so importing twice is harmless.

The write path is SQLAlchemy Core executemany (the ORM's unit of work is 15-30x slower for
a hundred thousand rows); only orders that changed on the channel go through the ORM, one
by one, since they need the status rules (cancelling gives the stock back).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice, repeat
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.channels.base import ChannelOrder, OrderState
from app.db.bulk import insert_rows, next_ids, update_rows
from app.db.models import (
    Channel,
    Listing,
    Location,
    Order,
    OrderLine,
    OrderSearchTerm,
    Product,
    StatusChange,
    StockHold,
    StockLevel,
    StockPushQueue,
    utcnow,
)
from app.domain.statuses import OPEN_ORDER_STATUSES
from app.domain.statuses import OrderStatus as OS
from app.services import history
from app.services.search import terms
from app.services.stock import HOLD

CHUNK = 1000
SYNC_ACTOR = "channel sync"
FLAG_MAX = 200

# What the channel's view of a new order makes it here.
NEW_STATUS = {OrderState.OPEN: OS.NEW, OrderState.PENDING: OS.ON_HOLD,
              OrderState.CANCELLED: OS.CANCELLED, OrderState.REFUNDED: OS.CANCELLED,
              OrderState.SHIPPED: OS.SHIPPED}
_HOLDS_STOCK = {OS.NEW, OS.ON_HOLD}
ORDER_COLUMNS = (
    "channel_id", "external_id", "number", "placed_at", "status", "customer_name",
    "customer_key", "customer_email", "customer_phone", "ship_name", "ship_address1",
    "ship_address2", "ship_city", "ship_region", "ship_postcode", "ship_country",
    "shipping_service", "currency", "subtotal_minor", "shipping_minor", "tax_minor",
    "total_minor", "fees_minor", "items_count", "flagged", "source_hash", "created_at",
    "updated_at")
LINE_COLUMNS = ("order_id", "product_id", "category_id", "sku", "title", "quantity",
                "unit_price_minor", "unit_cost_minor", "personalisation", "needs_making",
                "reserved", "external_id")
CHANGE_COLUMNS = ("entity", "entity_id", "from_status", "to_status", "actor", "note",
                  "changed_at")


def digest(order: ChannelOrder) -> str:
    """What the channel said of an order, in 40 characters (its raw text left out)."""
    a = order.shipping_address
    parts = (order.external_id, order.number, order.placed_at.isoformat(), order.state.value,
             order.currency, order.customer_name, order.customer_email, a.name, a.address1,
             a.address2, a.city, a.region, a.postcode, a.country, a.phone,
             tuple((x.sku, x.title, x.quantity, x.unit_price_minor, x.personalisation,
                    x.external_id, x.variant) for x in order.lines),
             order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor,
             order.fees_minor, order.shipping_service)
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class ItemProblem:
    """An order that could not be taken in, with the channel's own text to look at."""

    ref: str
    message: str
    payload: str = ""


@dataclass
class ImportOutcome:
    """What one import did; the sync run and the command line report it."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: list[str] = field(default_factory=list)  # "#1001: Unknown SKU MUG-X"
    problems: list[ItemProblem] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    updated_notes: list[str] = field(default_factory=list)  # "#1001: cancelled"
    stock_touched: set[int] = field(default_factory=set)  # product ids

    @property
    def failed(self) -> int:
        return len(self.problems)


@dataclass
class _Product:
    id: int
    made_to_order: bool
    category_id: int | None
    cost_minor: int


class _Stock:
    """Free stock per product for the whole run, held walk-first, written back at the end
    of each chunk (so two orders in one run cannot both take the last one)."""

    def __init__(self, session: Session, actor: str):
        self.session, self.actor = session, actor
        self.levels: dict[int, list[list[int]]] = {}  # product -> [[location, on_hand, reserved]]
        self.dirty: set[tuple[int, int]] = set()
        self.holds: list[tuple[Any, ...]] = []  # rows of the ledger of holds

    def load(self, product_ids: Iterable[int]) -> None:
        wanted = [p for p in set(product_ids) if p not in self.levels]
        for chunk in _chunks(wanted, 900):
            for p in chunk:
                self.levels[p] = []
            rows = self.session.execute(
                select(StockLevel.product_id, StockLevel.location_id, StockLevel.on_hand,
                       StockLevel.reserved)
                .join(Location, Location.id == StockLevel.location_id)
                .where(StockLevel.product_id.in_(chunk))
                .order_by(StockLevel.product_id, Location.walk_sequence, Location.id)
                .with_for_update(of=StockLevel))
            for pid, loc, on_hand, reserved in rows:
                self.levels[pid].append([loc, on_hand, reserved])

    def hold(self, product_id: int, quantity: int, reference: str, now: datetime) -> int:
        left = quantity
        for level in self.levels.get(product_id, ()):
            take = min(level[1] - level[2], left)
            if take > 0:
                level[2] += take
                left -= take
                self.dirty.add((product_id, level[0]))
                self.holds.append((product_id, level[0], take, HOLD, reference, self.actor,
                                   now))
                if not left:
                    break
        return quantity - left

    def free(self, product_id: int) -> int:
        return sum(max(on - res, 0) for _loc, on, res in self.levels.get(product_id, ()))

    def write(self) -> None:
        if not self.dirty:
            return
        rows = []
        for pid, loc in self.dirty:
            for level in self.levels[pid]:
                if level[0] == loc:
                    rows.append((level[2], pid, loc))
        conn = self.session.connection()
        update_rows(conn, StockLevel.__table__, ("reserved",), ("product_id", "location_id"),
                    rows)
        insert_rows(conn, StockHold.__table__, ("product_id", "location_id", "quantity",
                                                "reason", "reference", "actor", "created_at"),
                    self.holds)
        self.dirty.clear()
        self.holds.clear()


def _chunks(items: Sequence[Any] | Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


class _Catalogue:
    """SKU to product, by the channel's listing first and our own SKU second."""

    def __init__(self, session: Session, channel_id: int):
        self.session, self.channel_id = session, channel_id
        self.by_sku: dict[str, _Product | None] = {}
        self.unlisted: set[str] = set()  # matched by our own SKU: no listing on the channel yet

    def load(self, skus: Iterable[str]) -> None:
        wanted = [s for s in set(skus) if s and s not in self.by_sku]
        for chunk in _chunks(wanted, 900):
            for sku in chunk:
                self.by_sku[sku] = None
            cols = (Product.id, Product.made_to_order, Product.category_id,
                    Product.cost_minor)
            for sku, *p in self.session.execute(
                    select(Product.sku, *cols).where(Product.sku.in_(chunk))):
                self.by_sku[sku] = _Product(*p)
                self.unlisted.add(sku)
            for sku, *p in self.session.execute(
                    select(Listing.channel_sku, *cols)
                    .join(Product, Product.id == Listing.product_id)
                    .where(Listing.channel_id == self.channel_id,
                           Listing.channel_sku.in_(chunk))):
                self.by_sku[sku] = _Product(*p)
                self.unlisted.discard(sku)

    def get(self, sku: str) -> _Product | None:
        return self.by_sku.get(sku)

    def list_sold(self, sold: dict[str, int], currency: str) -> set[int]:
        """A product the channel sold under our own SKU is listed there from now on, so its
        stock is told to the channel; returns the products newly listed."""
        candidates = {sku: p.id for sku in sold if sku in self.unlisted
                      and (p := self.by_sku.get(sku)) is not None}
        listed: set[int] = set()
        for chunk in _chunks(sorted(set(candidates.values())), 900):
            listed.update(self.session.scalars(select(Listing.product_id).where(
                Listing.channel_id == self.channel_id, Listing.product_id.in_(chunk))))
        rows = []
        for sku, product_id in candidates.items():
            self.unlisted.discard(sku)
            if product_id not in listed:  # (listed under another SKU there: leave it)
                listed.add(product_id)
                rows.append((product_id, self.channel_id, sku, sold[sku], currency, True))
        insert_rows(self.session.connection(), Listing.__table__,
                    ("product_id", "channel_id", "channel_sku", "price_minor", "currency",
                     "push_stock"), rows)
        return {r[0] for r in rows}


def _flag(parts: list[str]) -> str | None:
    if not parts:
        return None
    text = "; ".join(parts)
    return text if len(text) <= FLAG_MAX else text[:FLAG_MAX - 1] + "…"


def import_orders(session: Session, channel_id: int, orders: Iterable[ChannelOrder],
                  actor: str = SYNC_ACTOR, *, source: str = "",
                  progress: Callable[[int], None] | None = None) -> ImportOutcome:
    """Take the channel's orders in, inside the caller's transaction (nothing is committed
    here: a preview rolls it all back, a file is all or nothing)."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise ValueError(f"no channel {channel_id}")
    # A write first: on SQLite it takes the database's write lock before any stock is read,
    # so two imports at once take turns and cannot both hold the last one (on a server
    # database the stock rows are read FOR UPDATE instead).
    session.execute(update(Channel).where(Channel.id == channel_id)
                    .values(sync_cursor=Channel.sync_cursor)
                    .execution_options(synchronize_session=False))
    outcome = ImportOutcome()
    # A channel's first import (often its whole history) need not look for orders it has.
    had_orders = session.scalar(select(Order.id).where(Order.channel_id == channel_id)
                                .limit(1)) is not None
    catalogue = _Catalogue(session, channel_id)
    stock = _Stock(session, actor)
    seen: set[str] = set()
    where = f" from {source}" if source else ""
    for chunk in _chunks(orders, CHUNK):
        outcome.fetched += len(chunk)
        latest: dict[str, ChannelOrder] = {}
        for o in chunk:  # the same order twice in one go: its last word counts
            latest[o.external_id] = o
        outcome.unchanged += len(chunk) - len(latest)
        existing = dict((e, (i, h)) for e, i, h in session.execute(
            select(Order.external_id, Order.id, Order.source_hash)
            .where(Order.channel_id == channel_id, Order.external_id.in_(list(latest))))
        ) if had_orders else {}
        fresh: list[tuple[ChannelOrder, str]] = []
        for ext, o in list(latest.items()):
            why = problem_with(o)
            if why is not None and not (why == NO_ITEMS and ext in existing):
                # (an order we have that the channel now lists empty still follows it:
                # cancelled with every line restocked, say)
                outcome.problems.append(ItemProblem(o.number or ext, why, o.raw))
                del latest[ext]
                continue
            h = digest(o)
            if ext in existing:
                order_id, old = existing[ext]
                if old == h:
                    outcome.unchanged += 1
                else:
                    _update(session, channel, order_id, o, h, actor, outcome)
            elif ext in seen:
                outcome.unchanged += 1
            else:
                fresh.append((o, h))
            seen.add(ext)
        if fresh:
            _create(session, channel, fresh, actor, where, catalogue, stock, outcome)
        stock.write()
        if progress is not None:
            progress(outcome.fetched)
    _queue_stock_push(session, outcome.stock_touched)
    return outcome


def _create(session: Session, channel: Channel, fresh: list[tuple[ChannelOrder, str]],
            actor: str, where: str, catalogue: _Catalogue, stock: _Stock,
            outcome: ImportOutcome) -> None:
    """New orders by executemany: orders, lines, search words, the first history line."""
    catalogue.load(line.sku for o, _h in fresh for line in o.lines)
    stock.load(p.id for o, _h in fresh for line in o.lines
               if (p := catalogue.get(line.sku)) is not None and not p.made_to_order)
    now = utcnow()
    ordered = sorted(fresh, key=lambda oh: oh[0].placed_at)
    # Lines first (they decide the order's flag), as tuples in the columns' order.
    per_order: list[tuple[list[tuple[Any, ...]], str | None, str]] = []
    for o, _h in ordered:
        status = NEW_STATUS[o.state]
        holds = status in _HOLDS_STOCK
        problems, lines = [], []
        for line in o.lines:
            product = catalogue.get(line.sku)
            held = 0
            if product is None:
                problems.append(f"Unknown SKU {line.sku or '(none)'}")
            elif holds and not product.made_to_order:
                free = stock.free(product.id)
                held = stock.hold(product.id, line.quantity, f"order {o.number}", now)
                outcome.stock_touched.add(product.id)
                if held < line.quantity:
                    problems.append(f"Short: {line.sku} ({line.quantity} wanted, {free} free)")
            title = line.title + (f" — {line.variant}" if line.variant else "")
            lines.append((
                product.id if product else None, product.category_id if product else None,
                line.sku, title[:300], line.quantity, line.unit_price_minor,
                product.cost_minor if product else 0, line.personalisation,
                bool(product and product.made_to_order), held, line.external_id[:120]))
        flag = _flag(problems)
        if problems:
            outcome.flagged.append(f"{o.number}: {'; '.join(problems)}")
        per_order.append((lines, flag, str(status)))
    order_rows = []
    for (o, h), (_lines, flag, status) in zip(ordered, per_order, strict=True):
        a = o.shipping_address
        order_rows.append((
            channel.id, o.external_id, o.number, o.placed_at, status, o.customer_name,
            o.customer_name.lower(), o.customer_email, a.phone, a.name, a.address1,
            a.address2, a.city, a.region, a.postcode, a.country[:2], o.shipping_service,
            o.currency, o.subtotal_minor, o.shipping_minor, o.tax_minor, o.total_minor,
            o.fees_minor, sum(line.quantity for line in o.lines), flag, h, now, now))
    # Plain executemany (app.db.bulk), not the ORM: its bulk insert costs 4x the database's
    # own time. On SQLite the import holds the write lock, so it numbers the orders itself.
    conn = session.connection()
    orders_t = Order.__table__
    ids = next_ids(conn, orders_t, len(order_rows))
    if ids is not None:
        insert_rows(conn, orders_t, ("id", *ORDER_COLUMNS),
                    [(i, *row) for i, row in zip(ids, order_rows, strict=True)])
    else:
        ids = [row[0] for row in conn.execute(
            insert(orders_t).returning(orders_t.c.id, sort_by_parameter_order=True),
            [dict(zip(ORDER_COLUMNS, row, strict=True)) for row in order_rows])]
    line_rows, term_rows, change_rows = [], [], []
    note = f"Imported{where}"
    for order_id, (o, _h), (lines, _flag_text, status) in zip(ids, ordered, per_order,
                                                             strict=True):
        line_rows += [(order_id, *line) for line in lines]
        term_rows += zip(terms(o.number, o.customer_name, o.customer_email,
                               *(line.sku for line in o.lines)), repeat(order_id))
        change_rows.append(("order", order_id, None, status, actor, note, now))
    sold = {line.sku: line.unit_price_minor for o, _h in ordered for line in o.lines
            if line.sku in catalogue.unlisted}
    outcome.stock_touched |= catalogue.list_sold(sold, channel.currency)
    insert_rows(conn, OrderLine.__table__, LINE_COLUMNS, line_rows)
    insert_rows(conn, OrderSearchTerm.__table__, ("term", "order_id"), term_rows)
    insert_rows(conn, StatusChange.__table__, CHANGE_COLUMNS, change_rows)
    outcome.created += len(ids)
    outcome.created_ids.extend(ids)


_ADDRESS = (("ship_name", "name"), ("ship_address1", "address1"),
            ("ship_address2", "address2"), ("ship_city", "city"), ("ship_region", "region"),
            ("ship_postcode", "postcode"), ("ship_country", "country"))


def _update(session: Session, channel: Channel, order_id: int, o: ChannelOrder, h: str,
            actor: str, outcome: ImportOutcome) -> None:
    """An order the channel changed: its details follow, a cancellation moves it (giving
    its stock back), and its history says what changed."""
    from app.services import supplier_tasks
    from app.services.orders import move_order

    order = session.get_one(Order, order_id)
    said: list[str] = []
    a = o.shipping_address
    if any(getattr(order, ours) != getattr(a, theirs)[:2 if theirs == "country" else None]
           for ours, theirs in _ADDRESS):
        for ours, theirs in _ADDRESS:
            setattr(order, ours, getattr(a, theirs)[:2 if theirs == "country" else None])
        said.append("shipping address")
    if (order.customer_name, order.customer_email) != (o.customer_name, o.customer_email):
        order.customer_name, order.customer_email = o.customer_name, o.customer_email
        order.customer_key = o.customer_name.lower()
        said.append("customer")
    totals = (o.subtotal_minor, o.shipping_minor, o.tax_minor, o.total_minor, o.fees_minor)
    if (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor,
            order.fees_minor) != totals:
        (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor,
         order.fees_minor) = totals
        said.append("amounts")
    if o.shipping_service != order.shipping_service:
        order.shipping_service = o.shipping_service
        said.append("shipping service")
    ours = [(line.sku, line.quantity) for line in order.lines]
    theirs = [(line.sku, line.quantity) for line in o.lines]
    if sorted(ours) != sorted(theirs):
        said.append("items (check the order: its lines were kept as they were)")
        order.flagged = _flag([p for p in (order.flagged, f"Items changed on {channel.name}")
                               if p])
    current = OS(order.status)
    gone = o.state in (OrderState.CANCELLED, OrderState.REFUNDED)
    if gone and current in OPEN_ORDER_STATUSES:
        word = "cancelled" if o.state is OrderState.CANCELLED else "refunded"
        for line in order.lines:
            if line.product_id is not None and line.reserved:
                outcome.stock_touched.add(line.product_id)
        move_order(session, order, OS.CANCELLED, actor, f"{word.capitalize()} on "
                   f"{channel.name}")
        supplier_tasks.cancel_order_tasks(session, order.id, actor)
        said.append(word)
    elif o.state is OrderState.REFUNDED and current in (OS.SHIPPED, OS.DELIVERED):
        move_order(session, order, OS.REFUNDED, actor, f"Refunded on {channel.name}")
        said.append("refunded")
    elif o.state is OrderState.OPEN and current is OS.ON_HOLD \
            and _held_for_payment(session, order, actor):
        move_order(session, order, OS.NEW, actor, f"Paid on {channel.name}")
        said.append("paid")
    order.source_hash = h
    order.updated_at = datetime.now(UTC)
    if said:
        history.record(session, "order", order.id, order.status, order.status, actor,
                       f"Changed on {channel.name}: {', '.join(said)}")
        outcome.updated_notes.append(f"{order.number}: {', '.join(said)}")
    outcome.updated += 1


def _held_for_payment(session: Session, order: Order, actor: str) -> bool:
    """On hold because the import found it unpaid, not because a person held it."""
    last = session.scalar(select(StatusChange.actor).where(
        StatusChange.entity == "order", StatusChange.entity_id == order.id)
        .order_by(StatusChange.id.desc()).limit(1))
    return last == actor


NO_ITEMS = "The order has no items."


def problem_with(o: ChannelOrder) -> str | None:
    """Why an order cannot be taken in as it stands, in words (None: it can)."""
    if not o.external_id.strip():
        return "The order has no id on the channel."
    if len(o.currency) != 3 or not o.currency.isalpha():
        return f"“{o.currency}” is not a currency code like GBP."
    if not o.lines:
        return NO_ITEMS
    for line in o.lines:
        if line.quantity <= 0:
            return f"{line.sku or line.title}: quantity {line.quantity} is not a positive number."
    return None


def _queue_stock_push(session: Session, product_ids: set[int]) -> None:
    """Products whose free stock changed: the channels listing them are told (batched)."""
    if not product_ids:
        return
    now = utcnow()
    queued = set()
    for chunk in _chunks(sorted(product_ids), 900):
        queued.update(session.scalars(select(StockPushQueue.product_id)
                                      .where(StockPushQueue.product_id.in_(chunk))))
        session.execute(update(StockPushQueue).where(StockPushQueue.product_id.in_(chunk))
                        .values(queued_at=now).execution_options(synchronize_session=False))
    rows = [{"product_id": p, "queued_at": now} for p in product_ids - queued]
    if rows:
        session.execute(insert(StockPushQueue), rows)
