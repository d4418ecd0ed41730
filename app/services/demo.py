"""The demo workshop: a believable shop to try Backroom on, and a big one to measure it with.

Rows go straight to the driver's executemany as tuples, ids assigned here, in one transaction
with the file in bulk-load mode, so a million orders take a couple of minutes, not hours.
The same seed always makes the same workshop.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Connection, Date, Table, select, update

from app.config import resources_dir
from app.db.models import (
    Category,
    CategoryRotation,
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
    StockMovement,
    Supplier,
    SupplierCategory,
    SupplierProduct,
    SupplierTask,
    UTCDateTime,
)
from app.domain.access import Role
from app.domain.statuses import OrderStatus as O
from app.domain.statuses import TaskStatus as T
from app.domain.stock import MovementReason
from app.services import users
from app.services.context import Backroom
from app.services.search import terms

Progress = Callable[[str, int, int], None]
CHUNK = 20_000  # catalogue and stock rows per executemany
ORDER_CHUNK = 10_000  # orders (with their lines, words and history) per batch and report
BULK_CACHE_KIB = 256 * 1024  # SQLite page cache while loading; the usual size comes back after
DAYS = 90

# The way an order got to where it is, newest last.
PATHS: dict[O, tuple[O, ...]] = {
    O.NEW: (O.NEW,),
    O.ON_HOLD: (O.NEW, O.ON_HOLD),
    O.PURCHASING: (O.NEW, O.PURCHASING),
    O.READY_TO_PICK: (O.NEW, O.READY_TO_PICK),
    O.PICKING: (O.NEW, O.READY_TO_PICK, O.PICKING),
    O.PACKED: (O.NEW, O.READY_TO_PICK, O.PICKING, O.PACKED),
    O.SHIPPED: (O.NEW, O.READY_TO_PICK, O.PICKING, O.PACKED, O.SHIPPED),
    O.DELIVERED: (O.NEW, O.READY_TO_PICK, O.PICKING, O.PACKED, O.SHIPPED, O.DELIVERED),
    O.CANCELLED: (O.NEW, O.CANCELLED),
    O.REFUNDED: (O.NEW, O.READY_TO_PICK, O.PICKING, O.PACKED, O.SHIPPED, O.REFUNDED),
}
OPEN = {O.NEW, O.ON_HOLD, O.PURCHASING, O.READY_TO_PICK, O.PICKING, O.PACKED}
DISPATCHED = {O.SHIPPED, O.DELIVERED, O.REFUNDED}

# Column order of the tuples written for the big tables (the generators below follow it).
ORDER_COLUMNS = (
    "id", "channel_id", "external_id", "number", "placed_at", "status", "customer_name",
    "customer_key", "customer_email", "customer_phone", "ship_name", "ship_address1",
    "ship_address2", "ship_city", "ship_region", "ship_postcode", "ship_country",
    "shipping_service", "currency", "subtotal_minor", "shipping_minor", "tax_minor",
    "total_minor", "fees_minor", "items_count", "flagged", "created_at", "updated_at")
LINE_COLUMNS = ("id", "order_id", "product_id", "category_id", "sku", "title", "quantity",
                "unit_price_minor", "unit_cost_minor", "personalisation", "needs_making")
TERM_COLUMNS = ("term", "order_id")
CHANGE_COLUMNS = ("entity", "entity_id", "from_status", "to_status", "actor", "note",
                  "changed_at")
TASK_COLUMNS = (
    "id", "sku", "order_id", "order_line_id", "category_id", "supplier_id", "status",
    "unassigned_reason", "due_date", "production_started_at", "production_ended_at", "carrier",
    "tracking_number", "ships_direct", "cost_minor", "currency", "rejected_by", "created_at",
    "updated_at")
MOVEMENT_COLUMNS = ("product_id", "location_id", "quantity", "reason", "reference", "note",
                    "actor", "created_at")


def _ts(when: datetime) -> str:
    """A UTC time as UTCDateTime stores it on SQLite ('YYYY-MM-DD HH:MM:SS.ffffff');
    other databases read the same text as a timestamp."""
    return when.isoformat(" ", "microseconds")[:26]


def _status_for(age_days: float, rng: random.Random) -> O:
    """Old orders are mostly sent; this week's are spread over the bench."""
    if age_days > 14:
        table = ((O.DELIVERED, 55), (O.SHIPPED, 33), (O.CANCELLED, 6), (O.REFUNDED, 6))
    elif age_days > 5:
        table = ((O.SHIPPED, 62), (O.DELIVERED, 12), (O.PURCHASING, 10), (O.PACKED, 4),
                 (O.ON_HOLD, 4), (O.CANCELLED, 5), (O.REFUNDED, 3))
    else:
        table = ((O.NEW, 20), (O.PURCHASING, 14), (O.READY_TO_PICK, 24), (O.PICKING, 8),
                 (O.PACKED, 10), (O.SHIPPED, 17), (O.ON_HOLD, 4), (O.CANCELLED, 3))
    return rng.choices([s for s, _ in table], [w for _, w in table])[0]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def ean13(body12: str) -> str:
    """Twelve digits plus their EAN-13 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


@dataclass
class _Catalogue:
    categories: dict[str, int] = field(default_factory=dict)  # code -> id
    products: list[dict[str, Any]] = field(default_factory=list)
    by_channel: dict[int, list[int]] = field(default_factory=dict)  # product indexes
    prices: dict[tuple[int, int], int] = field(default_factory=dict)  # (channel, product idx)
    first_bin: dict[int, int] = field(default_factory=dict)  # product id -> location id
    walk: dict[int, int] = field(default_factory=dict)
    supplier_links: list[dict[str, Any]] = field(default_factory=list)


class _Sink:
    """Tuples straight into the driver's executemany, one prepared INSERT per table."""

    def __init__(self, conn: Connection):
        self._cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._sql: dict[tuple[str, tuple[str, ...]], str] = {}
        style = conn.dialect.paramstyle
        if style not in ("qmark", "format", "pyformat"):
            raise NotImplementedError(f"demo rows cannot be bound in the {style!r} style")
        self._mark = "?" if style == "qmark" else "%s"

    def tuples(self, table: Table, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        key = (table.name, columns)
        sql = self._sql.get(key)
        if sql is None:
            cols = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join([self._mark] * len(columns))
            sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})'
            self._sql[key] = sql
        self._cursor.executemany(sql, rows)

    def dicts(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Rows as dicts, converted the way the column types would bind them."""
        if not rows:
            return
        columns = tuple(rows[0])
        for col in table.columns:
            if col.name not in columns and (col.default or col.server_default) is not None:
                raise ValueError(f"{table.name}.{col.name} has a default; give it a value")
        convert = [_converter(table.columns[c].type) for c in columns]
        for chunk in _chunks(rows):
            self.tuples(table, columns, [
                tuple(v if f is None or v is None else f(v)
                      for f, v in zip(convert, row.values(), strict=True)) for row in chunk])


def _converter(kind: Any) -> Callable[[Any], Any] | None:
    if isinstance(kind, UTCDateTime):
        return _ts
    if isinstance(kind, Date):
        return lambda d: d.isoformat()
    if isinstance(kind, JSON):
        return json.dumps
    return None


@contextmanager
def _bulk_load(conn: Connection) -> Iterator[None]:
    """A fresh file needs no journal or fsync while it fills: one write, then back to normal.

    In rollback-journal mode SQLite journals nothing for pages beyond the file's old end,
    so a half-built demo still rolls back cleanly; WAL mode would write everything twice.
    """
    raw = conn.connection.driver_connection
    if conn.dialect.name != "sqlite" or raw is None:
        yield
        return
    cur = raw.cursor()
    journal = cur.execute("PRAGMA journal_mode").fetchone()[0]
    cache = cur.execute("PRAGMA cache_size").fetchone()[0]
    sync = cur.execute("PRAGMA synchronous").fetchone()[0]
    cur.execute("PRAGMA journal_mode=DELETE")  # stays WAL if another connection is open
    cur.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    cur.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        if raw.in_transaction:
            raw.rollback()
        cur.execute(f"PRAGMA synchronous={sync}")
        cur.execute(f"PRAGMA cache_size={cache}")
        cur.execute(f"PRAGMA journal_mode={journal}")
        cur.execute("PRAGMA shrink_memory")
        cur.close()


DEMO_SUPPLIER = "Threadworks Manchester"
DEMO_SUPPLIER_LOGIN, DEMO_SUPPLIER_PASSWORD = "threadworks", "threadworks-demo"


def build_demo(backroom: Backroom, *, scale: int = 1, seed: int = 2026,
               progress: Progress | None = None, now: datetime | None = None) -> None:
    """Fill an empty database with the demo workshop, `scale` times the normal size."""
    data = json.loads((resources_dir() / "demo" / "workshop.json").read_text("utf-8"))
    rng = random.Random(seed + scale)
    now = (now or datetime.now(UTC).replace(microsecond=0)).astimezone(UTC)
    report = progress or (lambda *_: None)
    with backroom.engine.connect() as conn, _bulk_load(conn), conn.begin():
        sink = _Sink(conn)
        report("Catalogue", 0, 1)
        cat = _catalogue(sink, data, rng, scale, now)
        report("Catalogue", 1, 1)
        _orders(sink, data, rng, scale, now, cat, report)
        # Open orders hold their stocked lines (the stock levels' reserved counts them).
        conn.execute(update(OrderLine).where(
            OrderLine.product_id.is_not(None), OrderLine.needs_making.is_(False),
            OrderLine.order_id.in_(select(Order.id).where(Order.status.in_(
                [str(o) for o in OPEN])))).values(reserved=OrderLine.quantity))
    # The demo opens straight away, as its owner: log-in is off, as for a one-person shop.
    owner = users.create_owner(backroom.uow(), "owner", "Workshop owner", "", "",
                               ask_password=False)
    # A supplier's login, to try "My tasks" (README: switch log-in on, sign in as it).
    with backroom.sessions() as s:
        supplier_id = s.scalar(select(Supplier.id).where(Supplier.name == DEMO_SUPPLIER))
    backroom.act(users.add_user, owner, username=DEMO_SUPPLIER_LOGIN,
                 display_name=DEMO_SUPPLIER, role=Role.SUPPLIER, supplier_id=supplier_id,
                 password=DEMO_SUPPLIER_PASSWORD, again=DEMO_SUPPLIER_PASSWORD)


def _catalogue(sink: _Sink, data: dict[str, Any], rng: random.Random, scale: int,
               now: datetime) -> _Catalogue:
    cat = _Catalogue()
    rows = []
    for i, c in enumerate(data["categories"], start=1):
        cat.categories[c["code"]] = i
        rows.append({"id": i, "code": c["code"], "name": c["name"],
                     "assignment_strategy": "round_robin"})
    sink.dicts(Category.__table__, rows)

    n_bins = 40 * min(scale, 50)
    aisles = max(2, n_bins // 20)
    bins, seq = [], 0
    for a in range(aisles):
        letter = chr(ord("A") + a % 26) + ("" if a < 26 else str(a // 26))
        bays = range(1, 6) if a % 2 == 0 else range(5, 0, -1)  # a serpentine walk
        for bay in bays:
            for shelf in range(1, 5):
                seq += 1
                bins.append({"id": seq, "code": f"{letter}-{bay:02d}-{shelf}",
                             "name": f"Aisle {letter}, bay {bay}, shelf {shelf}",
                             "walk_sequence": seq * 10, "active": True,
                             "last_counted_at": now - timedelta(days=rng.randint(1, 60))})
                cat.walk[seq] = seq * 10
                if len(bins) == n_bins:
                    break
            if len(bins) == n_bins:
                break
        if len(bins) == n_bins:
            break
    sink.dicts(Location.__table__, bins)

    suppliers, links = [], []
    for i, s in enumerate(data["suppliers"], start=1):
        suppliers.append({"id": i, "name": s["name"], "email": s["email"], "phone": s["phone"],
                          "active": True, "capacity": s["capacity"],
                          "lead_time_days": s["lead_time_days"], "notes": s["notes"],
                          "references": s["references"], "created_at": now - timedelta(400)})
        for code in s["categories"]:
            links.append({"supplier_id": i, "category_id": cat.categories[code], "weight": 1})
    sink.dicts(Supplier.__table__, suppliers)
    sink.dicts(SupplierCategory.__table__, links)
    cat.supplier_links = links
    # Each supplier's history starts where the Suppliers tab's editor starts it: "Added".
    sink.dicts(StatusChange.__table__, [
        {"entity": "supplier", "entity_id": row["id"], "from_status": None,
         "to_status": "active", "actor": "owner", "note": "Added",
         "changed_at": row["created_at"]} for row in suppliers])

    channels = []
    for i, ch in enumerate(data["channels"], start=1):
        channels.append({"id": i, "name": ch["name"], "kind": ch["kind"],
                         "currency": ch["currency"], "active": True,
                         "sync_interval_minutes": 15, "stock_buffer": 0, "settings": {},
                         "sync_cursor": None, "created_at": now - timedelta(400)})
        cat.by_channel[i] = []
    sink.dicts(Channel.__table__, channels)

    per_cat = 40 * scale
    width = max(4, len(str(per_cat)))
    products, listings = [], []
    pid = 0
    for c in data["categories"]:
        for k in range(per_cat):
            pid += 1
            mto = rng.random() < 0.35
            kind = rng.choice(c["kinds"])
            variant = rng.choice(c["variants"])
            size = rng.choice(c["sizes"])
            title = f"{'Personalised ' + kind[0].lower() + kind[1:] if mto else kind}" \
                    f" — {variant}, {size}"
            cost = rng.randint(*c["cost"])
            price_gbp = max(cost * 2, rng.randint(*c["price"]))
            products.append({
                "id": pid, "sku": f"{c['prefix']}-{k + 1:0{width}d}", "title": title,
                "title_key": title.lower(),
                "description": f"{kind} in {variant.lower()}, {size}. Made in our workshop"
                               f"{' to your wording' if mto else ''}.",
                "category_id": cat.categories[c["code"]], "parent_id": None,
                "barcode": None if mto else ean13(f"50{pid:010d}"),
                "cost_minor": cost, "cost_currency": "GBP",
                "price_minor": max(99, round(price_gbp / 100) * 100 - 1),
                "price_currency": "GBP",
                "weight_g": rng.randint(*c["weight"]),
                "attributes": {"colour": variant, "size": size},
                "made_to_order": mto, "allow_negative_stock": False, "active": True,
                "created_at": now - timedelta(days=200), "updated_at": now - timedelta(30),
            })
            idx = pid - 1
            for ch_id, ch in enumerate(data["channels"], start=1):
                listed = ch_id == 1 or (ch["kind"] == "etsy" and (mto or rng.random() < .5)) \
                    or rng.random() < 0.6
                if not listed:
                    continue
                fx = data["fx_from_gbp"][ch["currency"]]
                price = max(99, round(price_gbp * fx / 100) * 100 - 1)
                cat.prices[(ch_id, idx)] = price
                cat.by_channel[ch_id].append(idx)
                listings.append({"product_id": pid, "channel_id": ch_id,
                                 "channel_sku": products[-1]["sku"],
                                 "external_id": str(7_000_000_000 + pid * 10 + ch_id),
                                 "title_override": None, "price_minor": price,
                                 "currency": ch["currency"], "push_stock": not mto,
                                 "max_shown": None})
    sink.dicts(Product.__table__, products)
    sink.dicts(Listing.__table__, listings)
    # Who we buy each stocked product from, and how it comes packed (for reorders); no
    # random draws here, so the rest of the demo stays as it was.
    makers: dict[int, int] = {}
    for link in cat.supplier_links:
        makers.setdefault(link["category_id"], link["supplier_id"])
    sink.dicts(SupplierProduct.__table__, [
        {"supplier_id": makers[p["category_id"]], "product_id": p["id"],
         "supplier_code": f"{p['sku']}-W", "pack_size": (1, 6, 12)[p["id"] % 3],
         "minimum_order": (1, 6, 12)[p["id"] % 3], "unit_cost_minor": p["cost_minor"],
         "currency": "GBP"}
        for p in products if not p["made_to_order"] and p["category_id"] in makers])
    cat.products = products
    for p in products:
        if not p["made_to_order"]:
            cat.first_bin[p["id"]] = rng.randint(1, n_bins)
    return cat


@dataclass
class _Stock:
    """Running stock per product while orders are replayed in time order."""

    on_hand: dict[int, int] = field(default_factory=dict)
    reserved: dict[int, int] = field(default_factory=dict)
    second_bin: dict[int, tuple[int, int]] = field(default_factory=dict)  # pid -> (bin, qty)
    movements: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class _Batch:
    """One chunk of orders and everything that hangs off them, as rows to write."""

    orders: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    words: list[tuple[str, int]] = field(default_factory=list)
    changes: list[tuple[Any, ...]] = field(default_factory=list)
    tasks: list[tuple[Any, ...]] = field(default_factory=list)

    def write(self, sink: _Sink, movements: list[tuple[Any, ...]]) -> None:
        sink.tuples(Order.__table__, ORDER_COLUMNS, self.orders)
        sink.tuples(OrderLine.__table__, LINE_COLUMNS, self.lines)
        sink.tuples(OrderSearchTerm.__table__, TERM_COLUMNS, self.words)
        sink.tuples(StatusChange.__table__, CHANGE_COLUMNS, self.changes)
        sink.tuples(SupplierTask.__table__, TASK_COLUMNS, self.tasks)
        sink.tuples(StockMovement.__table__, MOVEMENT_COLUMNS, movements)


def _orders(sink: _Sink, data: dict[str, Any], rng: random.Random, scale: int,
            now: datetime, cat: _Catalogue, report: Progress) -> None:
    total = 2000 * scale
    channels = data["channels"]
    shares = [c["share"] for c in channels]
    numbers = [c["start"] for c in channels]
    start_time = now - timedelta(days=DAYS)
    stock = _Stock()
    for pid in cat.first_bin:
        qty = rng.randint(40, 160)
        stock.on_hand[pid] = qty
        stock.movements.append(_move(pid, cat.first_bin[pid], qty, MovementReason.GOODS_IN,
                                     "PO-OPENING", start_time - timedelta(days=5)))
        if rng.random() < 0.2:
            other = rng.randint(1, max(cat.walk))
            extra = rng.randint(10, 60)
            stock.second_bin[pid] = (other, extra)
            stock.movements.append(_move(pid, other, extra, MovementReason.GOODS_IN,
                                         "PO-OPENING", start_time - timedelta(days=5)))
    suppliers_for: dict[int, list[tuple[int, int]]] = {}
    for i, s in enumerate(data["suppliers"], start=1):
        for code in s["categories"]:
            suppliers_for.setdefault(cat.categories[code], []).append((i, s["lead_time_days"]))
    turn = {c: 0 for c in suppliers_for}
    last_supplier: dict[int, int] = {}
    times = sorted(start_time + timedelta(seconds=rng.randint(0, DAYS * 86400))
                   for _ in range(total))
    task_seq = 0
    order_id = line_id = task_id = 0
    report("Orders", 0, total)
    for chunk_start in range(0, total, ORDER_CHUNK):
        batch = _Batch()
        orders, lines, words, changes, tasks = (batch.orders, batch.lines, batch.words,
                                                batch.changes, batch.tasks)
        for placed in times[chunk_start:chunk_start + ORDER_CHUNK]:
            order_id += 1
            ch_idx = rng.choices(range(len(channels)), shares)[0]
            ch = channels[ch_idx]
            ch_id = ch_idx + 1
            number = f"{ch['prefix']}{numbers[ch_idx]}"
            numbers[ch_idx] += 1
            age = (now - placed).total_seconds() / 86400
            status = _status_for(age, rng)
            first = rng.choice(data["first_names"])
            last = rng.choice(data["last_names"])
            name = f"{first} {last}"
            email = f"{_ascii(first)}.{_ascii(last).replace(' ', '').replace(chr(39), '')}" \
                    f"{rng.randint(1, 999)}@example.com"
            country = ch["country"] if ch["country"] != "DE" else rng.choice(["DE", "FR", "NL"])
            city, postcode = rng.choice(data["places"][country])
            fx = data["fx_from_gbp"][ch["currency"]]
            n_lines = rng.choices((1, 2, 3), (70, 22, 8))[0]
            picks = rng.sample(cat.by_channel[ch_id], n_lines)
            subtotal = items = 0
            skus = []
            has_custom = False
            order_lines = []
            for idx in picks:
                p = cat.products[idx]
                qty = 1 if rng.random() < 0.85 else rng.randint(2, 3)
                price = cat.prices[(ch_id, idx)]
                line_id += 1
                custom = p["made_to_order"]
                has_custom |= custom
                order_lines.append((line_id, p, qty))
                lines.append((
                    line_id, order_id, p["id"], p["category_id"], p["sku"], p["title"], qty,
                    price, round(p["cost_minor"] * fx),
                    rng.choice(data["personalisations"]) if custom else "", custom))
                subtotal += price * qty
                items += qty
                skus.append(p["sku"])
            if status is O.PURCHASING and not has_custom:
                status = O.READY_TO_PICK
            shipping = 0 if subtotal > 5000 * fx else round(395 * fx)
            gross = subtotal + shipping
            tax = {"GBP": gross // 6, "EUR": gross * 19 // 119}.get(ch["currency"], 0)
            fees = gross * ch["fee_bp"] // 10000 + ch["fee_fixed"]
            # In ORDER_COLUMNS order, which is also the order the random draws are made in.
            orders.append((
                order_id, ch_id, str(9_000_000_000 + order_id), number, _ts(placed),
                str(status), name, name.lower(), email, "", name,
                f"{rng.randint(1, 220)} {rng.choice(data['streets'])}", "", city, "", postcode,
                country, rng.choice(data["shipping_services"][country]), ch["currency"], subtotal,
                shipping, tax, gross, fees, items, None,
                _ts(placed + timedelta(minutes=rng.randint(1, 15))),
                _ts(placed + timedelta(hours=1))))
            words.extend((term, order_id) for term in terms(number, name, email, *skus))
            path = PATHS[status]
            if has_custom and status not in (O.NEW, O.ON_HOLD, O.CANCELLED, O.PURCHASING):
                path = (O.NEW, O.PURCHASING, *path[1:])
            when = placed + timedelta(minutes=5)
            prev = None
            for step in path:
                changes.append(("order", order_id, None if prev is None else str(prev),
                                str(step), "channel sync" if step is O.NEW else "owner", "",
                                _ts(min(when, now))))
                prev = step
                when += timedelta(hours=rng.uniform(2, 30))
            for lid, p, qty in order_lines:
                if p["made_to_order"]:
                    if status in (O.NEW, O.ON_HOLD, O.CANCELLED):
                        continue
                    task_id += 1
                    task_seq += 1
                    task, sid, history = _task(rng, task_id, task_seq, order_id, lid, p, status,
                                               placed, now, suppliers_for, turn, data)
                    if sid:
                        last_supplier[p["category_id"]] = sid
                    tasks.append(task)
                    changes.extend(history)
                    continue
                _stock_for_line(stock, cat, p["id"], qty, status, placed, number, now)
        batch.write(sink, stock.movements)
        stock.movements = []
        report("Orders", min(chunk_start + ORDER_CHUNK, total), total)
    sink.dicts(CategoryRotation.__table__,
               [{"category_id": c, "last_supplier_id": s, "turns": turn[c]}
                for c, s in last_supplier.items()])
    _levels(sink, stock, cat)


def _move(pid: int, loc: int, qty: int, reason: MovementReason, ref: str,
          when: datetime) -> tuple[Any, ...]:
    return (pid, loc, qty, str(reason), ref, "", "owner", _ts(when))


def _stock_for_line(stock: _Stock, cat: _Catalogue, pid: int, qty: int, status: O,
                    placed: datetime, number: str, now: datetime) -> None:
    """Sent orders took stock out of the first bin (restocked when it ran dry)."""
    bin_id = cat.first_bin[pid]
    if status in DISPATCHED:
        if stock.on_hand[pid] < qty:
            restock = 60
            stock.on_hand[pid] += restock
            stock.movements.append(_move(pid, bin_id, restock, MovementReason.GOODS_IN,
                                         "PO-RESTOCK", placed))
        stock.on_hand[pid] -= qty
        stock.movements.append(_move(pid, bin_id, -qty, MovementReason.DISPATCH,
                                     f"order {number}", min(placed + timedelta(days=1), now)))
    elif status in OPEN:
        stock.reserved[pid] = stock.reserved.get(pid, 0) + qty


def _task(rng: random.Random, task_id: int, seq: int, order_id: int, line_id: int,
          p: dict[str, Any], status: O, placed: datetime, now: datetime,
          suppliers_for: dict[int, list[tuple[int, int]]], turn: dict[int, int],
          data: dict[str, Any]
          ) -> tuple[tuple[Any, ...], int | None, list[tuple[Any, ...]]]:
    """A supplier task for a made-to-order line, handed out in turn within its category,
    with the history of how it got where it is."""
    category = p["category_id"]
    options = suppliers_for[category]
    supplier, lead = options[turn[category] % len(options)]
    turn[category] += 1
    t_status = T.DONE
    if status is O.PURCHASING:
        t_status = rng.choice([T.ASSIGNED, T.ACCEPTED, T.IN_PRODUCTION, T.IN_PRODUCTION,
                               T.PRODUCED])
    due = (placed + timedelta(days=lead)).date()
    started = placed + timedelta(hours=rng.uniform(6, 48))
    ended = started + timedelta(days=rng.uniform(0.5, lead))
    producing = t_status in (T.IN_PRODUCTION, T.PRODUCED, T.DONE)
    produced = t_status in (T.PRODUCED, T.DONE)
    code = data["categories"][category - 1]["prefix"]
    done = t_status is T.DONE
    # In TASK_COLUMNS order, which is also the order the random draws are made in.
    return ((
        task_id, f"SKU-{code}-{placed:%y%m%d}-{seq:05d}", order_id, line_id, category, supplier,
        str(t_status), None, due.isoformat(),
        _ts(min(started, now)) if producing else None,
        _ts(min(ended, now)) if produced else None,
        rng.choice(data["carriers"]) if done else "",
        f"TT{rng.randint(10**9, 10**10 - 1)}GB" if done else "",
        False, p["cost_minor"], "GBP", "[]", _ts(placed + timedelta(minutes=30)),
        _ts(min(ended, now))), supplier,
        _task_history(task_id, t_status, data["suppliers"][supplier - 1]["name"], placed,
                      started, ended, now))


TASK_PATH = (T.ASSIGNED, T.ACCEPTED, T.IN_PRODUCTION, T.PRODUCED, T.DONE)


def _task_history(task_id: int, t_status: T, supplier: str, placed: datetime,
                  started: datetime, ended: datetime, now: datetime
                  ) -> list[tuple[Any, ...]]:
    """Status-change rows from assignment to the task's status (no random draws)."""
    when = {T.ASSIGNED: placed + timedelta(minutes=30),
            T.ACCEPTED: placed + timedelta(hours=2), T.IN_PRODUCTION: started,
            T.PRODUCED: ended, T.DONE: ended + timedelta(days=2)}
    rows, prev = [], T.UNASSIGNED
    for step in TASK_PATH[:TASK_PATH.index(t_status) + 1]:
        actor = "automatic" if step is T.ASSIGNED else supplier
        note = f"Round robin: {supplier}" if step is T.ASSIGNED else ""
        rows.append(("supplier_task", task_id, str(prev), str(step), actor, note,
                     _ts(min(when[step], now))))
        prev = step
    return rows


def _levels(sink: _Sink, stock: _Stock, cat: _Catalogue) -> None:
    rows = []
    for pid, bin_id in cat.first_bin.items():
        rows.append({"product_id": pid, "location_id": bin_id, "on_hand": stock.on_hand[pid],
                     "reserved": stock.reserved.get(pid, 0)})
        if pid in stock.second_bin:
            other, qty = stock.second_bin[pid]
            if other == bin_id:
                rows[-1]["on_hand"] += qty
            else:
                rows.append({"product_id": pid, "location_id": other, "on_hand": qty,
                             "reserved": 0})
    sink.dicts(StockLevel.__table__, rows)
    # What the open orders hold, in the ledger of holds (summed, as the levels are).
    now = datetime.now(UTC)
    sink.dicts(StockHold.__table__, [
        {"product_id": r["product_id"], "location_id": r["location_id"],
         "quantity": r["reserved"], "reason": "hold", "reference": "open demo orders",
         "actor": "channel sync", "created_at": now} for r in rows if r["reserved"]])


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]
