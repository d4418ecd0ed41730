"""Sending 10,000 orders to suppliers: decomposing them into supplier tasks and assigning each.

    python tests/bench/bench_decompose.py [--orders 10000] [--batch 500] [--data-dir DIR]

Builds a fresh demo workshop (scale 1: 5 categories, 6 suppliers) in a temporary folder (or
--data-dir), adds --orders new orders of 1-3 made-to-order lines with bulk inserts, lifts the
suppliers' capacity limits (so every task is assigned and its supplier e-mailed), then times
`send_to_suppliers` over all of them in units of work of --batch orders, as a person selecting
many orders would. Beside it, the raw rate: the same number of supplier_tasks rows written by
sqlite3's executemany in one transaction, measured in the same run on the same file.
Target: all orders sent in under 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchlib import Table

TARGET_S = 10.0


def _ts(when: datetime) -> str:
    return when.isoformat(" ", "microseconds")[:26]


def add_orders(path: Path, n: int, seed: int = 7) -> list[int]:
    """n new orders of 1-3 made-to-order lines, written with executemany; their ids."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    try:
        products = con.execute("SELECT id, sku, title, category_id, cost_minor FROM products "
                               "WHERE made_to_order = 1").fetchall()
        order_id = con.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]
        line_id = con.execute("SELECT coalesce(max(id), 0) FROM order_lines").fetchone()[0]
        now = datetime.now(UTC)
        orders, lines, ids = [], [], []
        for i in range(n):
            order_id += 1
            ids.append(order_id)
            placed = now - timedelta(minutes=rng.randint(0, 3 * 24 * 60))
            picks = rng.sample(products, rng.randint(1, 3))
            subtotal = 0
            for pid, sku, title, category, cost in picks:
                line_id += 1
                qty = rng.choice((1, 1, 1, 2))
                subtotal += 2 * cost * qty
                lines.append((line_id, order_id, pid, category, sku, title, qty, 2 * cost, cost,
                              "For Sam, with love", 1))
            orders.append((order_id, 1, f"BENCH-{i}", f"#B{i:05d}", _ts(placed), "new",
                           "Bench Customer", "bench customer", "GBP", subtotal, subtotal,
                           len(picks), _ts(placed), _ts(placed)))
        con.executemany(
            "INSERT INTO orders (id, channel_id, external_id, number, placed_at, status, "
            "customer_name, customer_key, currency, subtotal_minor, total_minor, items_count, "
            "created_at, updated_at, customer_email, customer_phone, ship_name, ship_address1, "
            "ship_address2, ship_city, ship_region, ship_postcode, ship_country, "
            "shipping_service, shipping_minor, tax_minor, fees_minor) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', '', '', '', '', 'GB', "
            "'', 0, 0, 0)", orders)
        con.executemany(
            "INSERT INTO order_lines (id, order_id, product_id, category_id, sku, title, "
            "quantity, unit_price_minor, unit_cost_minor, personalisation, needs_making) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", lines)
        con.commit()
    finally:
        con.close()
    return ids


def raw_task_inserts(path: Path, n: int) -> float:
    """Seconds to write n supplier_tasks rows with executemany in one transaction (then
    removed again): the floor any decomposition could reach on this machine and file."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        order_id, line_id = con.execute("SELECT order_id, order_line_id FROM supplier_tasks "
                                        "LIMIT 1").fetchone()
        now = _ts(datetime.now(UTC))
        rows = [(f"RAW-{i:07d}", order_id, line_id, 1, 1, "assigned", None, "2026-12-01",
                 None, None, "", "", 0, 1200, "GBP", "[]", now, now) for i in range(n)]
        started = time.perf_counter()
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO supplier_tasks (sku, order_id, order_line_id, category_id, "
            "supplier_id, status, unassigned_reason, due_date, production_started_at, "
            "production_ended_at, carrier, tracking_number, ships_direct, cost_minor, "
            "currency, rejected_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
        spent = time.perf_counter() - started
        con.execute("DELETE FROM supplier_tasks WHERE sku LIKE 'RAW-%'")
    finally:
        con.close()
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args(argv)

    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="backroom-bench-decompose-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["BACKROOM_DATA_DIR"] = str(folder)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from sqlalchemy import func, select

    from app.bootstrap import open_backroom
    from app.config import load_config
    from app.db.engine import sqlite_path
    from app.db.models import OutboxEmail, StatusChange, SupplierTask
    from app.services import supplier_tasks

    config = load_config(demo=True)
    path = sqlite_path(config.database_url)
    assert path is not None
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    backroom = open_backroom(config)
    built = time.perf_counter() - started
    started = time.perf_counter()
    ids = add_orders(path, args.orders)
    with sqlite3.connect(path) as con:  # no limits: every task is assigned and e-mailed
        con.execute("UPDATE suppliers SET capacity = NULL")
    added = time.perf_counter() - started

    def counts() -> tuple[int, int, int]:
        with backroom.sessions() as s:
            return (s.scalar(select(func.count(SupplierTask.id))) or 0,
                    s.scalar(select(func.count(StatusChange.id))) or 0,
                    s.scalar(select(func.count(OutboxEmail.id))) or 0)

    tasks0, changes0, mails0 = counts()
    started = time.perf_counter()
    for at in range(0, len(ids), args.batch):
        backroom.act(supplier_tasks.send_to_suppliers, ids[at:at + args.batch])
    spent = time.perf_counter() - started
    tasks1, changes1, mails1 = counts()
    made = tasks1 - tasks0
    with backroom.sessions() as s:
        unassigned = s.scalar(select(func.count(SupplierTask.id))
                              .where(SupplierTask.status == "unassigned")) or 0
    backroom.close()
    raw = raw_task_inserts(path, made)

    table = Table()
    table.add("demo workshop built (scale 1)", "", f"{built:.2f} s")
    table.add(f"{args.orders:,} new orders added (executemany)", "", f"{added:.2f} s")
    table.add(f"send {args.orders:,} orders to suppliers ({args.batch}/unit of work)",
              f"< {TARGET_S:.0f} s", f"{spent:.2f} s", ok=spent < TARGET_S)
    table.add(f"  supplier tasks made ({unassigned:,} need a supplier)", "", f"{made:,}")
    table.add("  history lines / e-mails queued", "",
              f"{changes1 - changes0:,}/{mails1 - mails0:,}")
    table.add("  tasks per second, decomposed and assigned", "", f"{made / spent:,.0f}",
              f"{(made / spent) / (made / raw):.2f}x")
    table.add("  tasks per second, raw executemany of the rows", "", f"{made / raw:,.0f}",
              "1.00x")
    table.print(f"Decomposing and assigning orders — {path}")
    return 0 if spent < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
