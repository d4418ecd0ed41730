"""Importing 100,000 orders from a Shopify orders export, end to end, beside raw sqlite3.

    python tests/bench/bench_import.py [--orders 100000] [--products 2000] [--keep DIR]

Writes a Shopify orders export CSV (the published columns, one row per line item, order
fields on the first row only) of --orders orders of 1-3 stocked lines, then on fresh copies
of one empty workshop database (products and stock in bins, a Shopify channel):

- whole import: `file_import.import_order_files` (read, parse, upsert, hold stock, one
  sync run) — and the same file again, every order a duplicate;
- raw: sqlite3 executemany of the same rows into the same indexed tables (orders,
  order_lines, order_search_terms, status_changes), prepared beforehand, one transaction;
- database write path: those same rows through `app.db.bulk.insert_rows` (SQLAlchemy
  connection, every value through its column type), one transaction;
- for information, `channel_import.import_orders` on the parsed orders: making the rows
  and search words, matching SKUs, holding stock, and writing.

Targets: database write path >= 0.5x the raw rate, whole import >= 0.3x, a re-import of
the same file at least as fast as the first.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchlib import Table

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER_FROM = ROOT / "tests" / "fixtures" / "channels" / "files" / "shopify_orders_export.csv"
SURNAMES = ["Øster", "Müller", "Smith", "Nakamura", "García", "O'Brien", "Kowalski", "Dubois",
            "Rossi", "Jensen", "Nowak", "Silva", "Brown", "Lefèvre", "Fischer", "Kim"]
FIRST = ["Zoë", "José", "Ann", "Kenji", "María", "Liam", "Anna", "Chloé", "Marco", "Freya"]
CITIES = [("Leeds", "LS1 1AA"), ("York", "YO1 7HH"), ("Bristol", "BS1 4DJ"),
          ("Glasgow", "G1 1XQ"), ("Norwich", "NR2 1RQ"), ("Cardiff", "CF10 1EP")]


def build_workshop(folder: Path, products: int) -> Path:
    """An empty workshop with `products` stocked products over 40 bins and a channel."""
    import os

    os.environ["BACKROOM_DATA_DIR"] = str(folder)
    from app.bootstrap import open_backroom
    from app.config import load_config
    from app.db.models import Channel, Location, Product
    from app.services import users

    backroom = open_backroom(load_config())
    users.create_owner(backroom.uow(), "owner", "Owner", "", "", ask_password=False)
    with backroom.sessions() as s:
        s.add(Channel(name="Shopify", kind="shopify", currency="GBP", settings={"api": False}))
        s.add_all([Location(code=f"A-{i // 5:02d}-{i % 5}", walk_sequence=i)
                   for i in range(40)])
        s.add_all([Product(sku=f"SKU-{i:05d}", title=f"Product {i}", title_key=f"product {i}",
                           cost_minor=500) for i in range(products)])
        s.commit()
    path = Path(backroom.config.database_url.removeprefix("sqlite:///"))
    backroom.close()
    con = sqlite3.connect(path)
    now = datetime.now(UTC).isoformat(" ", "microseconds")[:26]
    levels = [(p, 1 + p % 40, 1000) for p in range(1, products + 1)]
    con.executemany("INSERT INTO stock_levels (product_id, location_id, on_hand, reserved) "
                    "VALUES (?, ?, ?, 0)", levels)
    con.executemany("INSERT INTO stock_movements (product_id, location_id, quantity, reason, "
                    "reference, note, actor, created_at) VALUES (?, ?, ?, 'goods_in', 'PO-1', "
                    "'', 'owner', ?)", [(*lv, now) for lv in levels])
    con.commit()
    con.close()
    return path


def write_export(path: Path, orders: int, products: int, seed: int = 11) -> int:
    """A Shopify orders export of `orders` orders; returns the number of rows."""
    header = next(csv.reader(HEADER_FROM.open(encoding="utf-8")))
    col = {name: i for i, name in enumerate(header)}
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for n in range(orders):
            placed = start + timedelta(minutes=3 * n)
            name = f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}"
            city, postcode = rng.choice(CITIES)
            lines = [(f"SKU-{rng.randrange(products):05d}", rng.choice((1, 1, 2)),
                      rng.choice((1250, 1800, 2400))) for _ in range(rng.randint(1, 3))]
            subtotal = sum(q * p for _s, q, p in lines)
            stamp = placed.strftime("%Y-%m-%d %H:%M:%S +0000")
            for i, (sku, qty, price) in enumerate(lines):
                row = [""] * len(header)
                row[col["Name"]] = f"#{1001 + n}"
                row[col["Created at"]] = stamp
                row[col["Lineitem quantity"]] = str(qty)
                row[col["Lineitem name"]] = f"Product {sku}"
                row[col["Lineitem price"]] = f"{price / 100:.2f}"
                row[col["Lineitem sku"]] = sku
                if i == 0:
                    for key, value in (
                            ("Email", f"customer{n}@example.com"),
                            ("Financial Status", "paid"), ("Paid at", stamp),
                            ("Fulfillment Status", "unfulfilled"), ("Currency", "GBP"),
                            ("Subtotal", f"{subtotal / 100:.2f}"), ("Shipping", "3.95"),
                            ("Taxes", "0.00"), ("Total", f"{(subtotal + 395) / 100:.2f}"),
                            ("Shipping Method", "Royal Mail 2nd Class"),
                            ("Billing Name", name), ("Shipping Name", name),
                            ("Shipping Street", f"{n % 200 + 1} Mill Lane"),
                            ("Shipping Address1", f"{n % 200 + 1} Mill Lane"),
                            ("Shipping City", city), ("Shipping Zip", postcode),
                            ("Shipping Country", "GB"), ("Id", str(5_000_000_000 + n)),
                            ("Vendor", "Backroom Mugs")):
                        row[col[key]] = value
                w.writerow(row)
                rows += 1
    return rows


def raw_rows(orders, path: Path):  # type: ignore[no-untyped-def]
    """The rows import_orders writes, as tuples for sqlite3 (built before the clock runs)."""
    from app.services.search import terms

    con = sqlite3.connect(path)
    skus = dict(con.execute("SELECT sku, id FROM products"))
    con.close()
    now = datetime.now(UTC).isoformat(" ", "microseconds")[:26]
    o_rows, l_rows, t_rows, c_rows = [], [], [], []
    for i, o in enumerate(orders, start=1):
        a = o.shipping_address
        o_rows.append((i, 1, o.external_id, o.number, o.placed_at.isoformat(" ")[:26], "new",
                       o.customer_name, o.customer_name.lower(), o.customer_email, a.phone,
                       a.name, a.address1, a.address2, a.city, a.region, a.postcode,
                       a.country[:2], o.shipping_service, o.currency, o.subtotal_minor,
                       o.shipping_minor, o.tax_minor, o.total_minor, o.fees_minor,
                       sum(x.quantity for x in o.lines), None, "h" * 40, now, now))
        for x in o.lines:
            l_rows.append((i, skus.get(x.sku), None, x.sku, x.title, x.quantity,
                           x.unit_price_minor, 500, x.personalisation, 0, x.quantity,
                           x.external_id))
        t_rows += [(t, i) for t in terms(o.number, o.customer_name, o.customer_email,
                                         *(x.sku for x in o.lines))]
        c_rows.append(("order", i, None, "new", "owner", "Imported from x.csv", now))
    return o_rows, l_rows, t_rows, c_rows


def raw_insert(path: Path, rows) -> float:  # type: ignore[no-untyped-def]
    o_rows, l_rows, t_rows, c_rows = rows
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    t = time.perf_counter()
    con.executemany(
        "INSERT INTO orders (id, channel_id, external_id, number, placed_at, status, "
        "customer_name, customer_key, customer_email, customer_phone, ship_name, "
        "ship_address1, ship_address2, ship_city, ship_region, ship_postcode, ship_country, "
        "shipping_service, currency, subtotal_minor, shipping_minor, tax_minor, total_minor, "
        "fees_minor, items_count, flagged, source_hash, created_at, updated_at) VALUES "
        f"({', '.join('?' * 29)})", o_rows)
    con.executemany(
        "INSERT INTO order_lines (order_id, product_id, category_id, sku, title, quantity, "
        "unit_price_minor, unit_cost_minor, personalisation, needs_making, reserved, "
        "external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", l_rows)
    con.executemany("INSERT INTO order_search_terms (term, order_id) VALUES (?, ?)", t_rows)
    con.executemany(
        "INSERT INTO status_changes (entity, entity_id, from_status, to_status, actor, note, "
        "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", c_rows)
    con.commit()
    spent = time.perf_counter() - t
    con.close()
    return spent


def bulk_insert(path: Path, rows) -> float:  # type: ignore[no-untyped-def]
    """The same rows through Backroom's write path (app.db.bulk.insert_rows on a
    SQLAlchemy connection, each value through its column type), one transaction."""
    from sqlalchemy import create_engine

    from app.db.bulk import insert_rows
    from app.db.models import Order, OrderLine, OrderSearchTerm, StatusChange
    from app.services.channel_import import CHANGE_COLUMNS, LINE_COLUMNS, ORDER_COLUMNS

    o_rows, l_rows, t_rows, c_rows = rows
    now = datetime.now(UTC)
    o_rows = [(*r[:4], datetime.fromisoformat(r[4]).replace(tzinfo=UTC), *r[5:27], now, now)
              for r in o_rows]
    c_rows = [(*r[:6], now) for r in c_rows]
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        t = time.perf_counter()
        insert_rows(conn, Order.__table__, ("id", *ORDER_COLUMNS), o_rows)
        insert_rows(conn, OrderLine.__table__, LINE_COLUMNS, l_rows)
        insert_rows(conn, OrderSearchTerm.__table__, ("term", "order_id"), t_rows)
        insert_rows(conn, StatusChange.__table__, CHANGE_COLUMNS, c_rows)
        conn.commit()
        spent = time.perf_counter() - t
    engine.dispose()
    return spent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--products", type=int, default=2_000)
    p.add_argument("--keep", type=Path, help="work in this folder and leave it")
    args = p.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        template = build_workshop(work / "data", args.products)
        export = work / "orders_export.csv"
        t = time.perf_counter()
        n_rows = write_export(export, args.orders, args.products)
        print(f"wrote {export.name}: {args.orders:,} orders, {n_rows:,} rows, "
              f"{export.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s")

        from app.bootstrap import open_backroom
        from app.channels.files import read_orders
        from app.config import load_config
        from app.services import file_import, search, users
        from app.services.channel_import import import_orders

        def fresh(name: str):  # type: ignore[no-untyped-def]
            copy = work / f"{name}.sqlite"
            shutil.copy(template, copy)
            b = open_backroom(load_config(f"sqlite:///{copy}"))
            b.sign_in(b.read(users.the_owner))
            return b, copy

        # parse alone (to split the whole import's time)
        t = time.perf_counter()
        parsed = read_orders(export, currency="GBP")
        parse_s = time.perf_counter() - t
        assert parsed.ok, parsed.problems[:3]

        # the write path, on already-parsed orders
        backroom, _ = fresh("write-path")
        search._text_terms.cache_clear()
        t = time.perf_counter()
        with backroom.uow() as uow:
            outcome = import_orders(uow.session, 1, parsed.orders, uow.actor, source="x.csv")
            uow.commit()
        write_s = time.perf_counter() - t
        assert outcome.created == args.orders, outcome
        backroom.close()

        # raw sqlite3 of the same rows, and the same rows through the write path
        _, raw_copy = fresh("raw")
        rows = raw_rows(parsed.orders, raw_copy)
        raw_s = raw_insert(raw_copy, rows)
        _, bulk_copy = fresh("bulk")
        bulk_s = bulk_insert(bulk_copy, rows)

        # the whole import, then the same file again (nothing cached from the runs above)
        search._text_terms.cache_clear()
        backroom, _ = fresh("whole")
        t = time.perf_counter()
        first = file_import.import_order_files(backroom, [export], "Shopify")
        whole_s = time.perf_counter() - t
        assert not first.rejected and first.files[0].created == args.orders, first.files[0]
        t = time.perf_counter()
        again = file_import.import_order_files(backroom, [export], "Shopify")
        again_s = time.perf_counter() - t
        assert again.files[0].created == 0 and again.files[0].unchanged == args.orders
        backroom.close()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    n = args.orders
    table = Table()
    rate = lambda s: f"{n / s:,.0f}/s"  # noqa: E731
    table.add("raw sqlite3 executemany (reference)", "", f"{raw_s:.2f} s", rate(raw_s))
    table.add("parse the CSV (read_orders)", "", f"{parse_s:.2f} s", rate(parse_s))
    table.add("database write path (same rows)", ">= 0.5x raw rate", f"{bulk_s:.2f} s",
              f"{raw_s / bulk_s:.2f}x", raw_s / bulk_s >= 0.5)
    table.add("import_orders: rows made, stock held, written", "", f"{write_s:.2f} s",
              f"{raw_s / write_s:.2f}x")
    table.add("whole import (file to database)", ">= 0.3x raw rate", f"{whole_s:.2f} s",
              f"{raw_s / whole_s:.2f}x", raw_s / whole_s >= 0.3)
    table.add("re-import, all duplicates", "<= first import", f"{again_s:.2f} s",
              f"{again_s / whole_s:.2f}x", again_s <= whole_s)
    table.print(f"Import {n:,} orders from a Shopify orders export "
                f"({sum(len(o.lines) for o in parsed.orders):,} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
