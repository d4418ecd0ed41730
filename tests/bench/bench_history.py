"""A product's stock history among 2,000,000 movements: the first page and the chart's points.

    python tests/bench/bench_history.py [--products 100000] [--movements 2000000]
                                        [--busy 50000] [--runs 7] [--keep DIR]

Builds a fresh workshop in a temporary folder (migrated as Backroom does, then filled with
raw sqlite3: 100,000 products, 200 bins, 2,000,000 movements over three years, one busy
product holding `--busy` of them, stock levels summed from the ledger), then times, as the
median of warm runs, through the app's own services: the busy product's first page of
history (200 rows with the running on-hand), its chart points (all time and the last 90
days), a deep page reached by keyset, and a quiet product's page. Prints figure, target,
measured and PASS/FAIL; the raw sqlite3 query of the first page is the reference.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchlib import Table, median_time, ms

TARGET = 0.200
BINS = 200
YEARS = 3


def _stamp(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def build(folder: Path, products: int, movements: int, busy: int, seed: int = 7) -> Path:
    """An empty workshop migrated by Backroom, then filled straight through sqlite3."""
    from app.bootstrap import open_backroom
    from app.config import load_config

    os.environ["BACKROOM_DATA_DIR"] = str(folder)
    os.environ.pop("BACKROOM_DATABASE_URL", None)
    backroom = open_backroom(load_config())
    backroom.close()
    path = folder / "backroom.sqlite"
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365 * YEARS)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    made = _stamp(start)
    with con:
        con.executemany(
            "INSERT INTO locations (id, code, name, walk_sequence, active) VALUES (?,?,?,?,1)",
            [(i, f"{chr(65 + (i - 1) // 20)}-{(i - 1) % 20 // 4 + 1:02d}-{(i - 1) % 4 + 1}", "",
              i * 10) for i in range(1, BINS + 1)])
        con.executemany(
            "INSERT INTO products (id, sku, title, description, cost_minor, cost_currency, "
            "attributes, made_to_order, allow_negative_stock, active, title_key, created_at, "
            "updated_at, price_minor, price_currency) "
            "VALUES (?, ?, ?, '', 250, 'GBP', '{}', 0, 0, 1, ?, ?, ?, 999, 'GBP')",
            ((i, f"BEN-{i:06d}", f"Bench product {i}", f"bench product {i}", made, made)
             for i in range(1, products + 1)))
    # Movements in time order (as a ledger grows); product 1 is the busy one.
    span = (now - start).total_seconds()
    times = sorted(rng.random() * span for _ in range(movements))
    busy_at = set(rng.sample(range(movements), busy))
    home = [rng.randint(1, BINS) for _ in range(products + 1)]
    reasons = ("dispatch", "dispatch", "dispatch", "goods_in", "return", "transfer", "count")
    rows = []
    for n, offset in enumerate(times):
        pid = 1 if n in busy_at else rng.randint(2, products)
        reason = reasons[n % len(reasons)]
        qty = rng.randint(20, 60) if reason == "goods_in" else (
            -rng.randint(1, 3) if reason == "dispatch" else rng.choice((-1, 1)))
        loc = home[pid] if reason != "transfer" else rng.randint(1, BINS)
        rows.append((pid, loc, qty, reason, f"order #{n}" if reason == "dispatch" else "",
                     "", "bench", _stamp(start + timedelta(seconds=offset))))
    with con:
        con.executemany("INSERT INTO stock_movements (product_id, location_id, quantity, reason,"
                        " reference, note, actor, created_at) VALUES (?,?,?,?,?,?,?,?)", rows)
        con.execute("INSERT INTO stock_levels (product_id, location_id, on_hand, reserved) "
                    "SELECT product_id, location_id, sum(quantity), 0 FROM stock_movements "
                    "GROUP BY product_id, location_id")
    con.execute("ANALYZE")
    con.close()
    return path


RAW_FIRST_PAGE = """
SELECT m.id, m.created_at, m.reason, m.quantity, m.location_id, l.code, m.reference, m.note,
       m.actor
FROM stock_movements m JOIN locations l ON l.id = m.location_id
WHERE m.product_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 201"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--movements", type=int, default=2_000_000)
    parser.add_argument("--busy", type=int, default=50_000,
                        help="movements of the busiest product")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (median)")
    parser.add_argument("--keep", type=Path, help="build in (or reuse) this folder")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="backroom-history-"))
    folder.mkdir(parents=True, exist_ok=True)
    table = Table()
    path = folder / "backroom.sqlite"
    try:
        if not (args.keep and path.exists()):
            started = time.perf_counter()
            build(folder, args.products, args.movements, args.busy)
            table.add(f"build {args.products:,} products + {args.movements:,} movements",
                      "", f"{time.perf_counter() - started:.1f} s")
        os.environ["BACKROOM_DATA_DIR"] = str(folder)
        from app.bootstrap import open_backroom
        from app.config import load_config
        from app.services import product_history, stock_checks
        from app.services.paging import PageRequest

        backroom = open_backroom(load_config())
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        n_busy = raw.execute("SELECT count(*) FROM stock_movements WHERE product_id = 1"
                             ).fetchone()[0]
        total = raw.execute("SELECT max(id) FROM stock_movements").fetchone()[0]
        busy = PageRequest(filters=(("product_id", 1),))

        from app.services import inventory

        first = PageRequest(limit=200)
        inv_t, inv_page = median_time(lambda: backroom.read(inventory.list_page, first),
                                      args.runs)
        assert len(inv_page.rows) == 200
        table.add("Inventory tab: first page (200 products with stock)", "<= 300 ms",
                  ms(inv_t), "", inv_t <= 0.3)
        raw_t, _ = median_time(lambda: raw.execute(RAW_FIRST_PAGE, (1,)).fetchall(), args.runs)
        table.add("raw sqlite3: busy product's first page", "reference", ms(raw_t))
        page_t, page = median_time(lambda: backroom.read(product_history.list_page, busy),
                                   args.runs)
        assert len(page.rows) == 200
        table.add("busy product: first page (200 rows, running on hand)", "<= 200 ms",
                  ms(page_t), f"{page_t / raw_t:.1f}x", page_t <= TARGET)
        chart_t, curve = median_time(
            lambda: backroom.read(product_history.stock_over_time, 1), args.runs)
        table.add(f"busy product: chart points, all time ({len(curve.points):,} per "
                  f"{curve.per})", "<= 200 ms", ms(chart_t), "", chart_t <= TARGET)
        table.add("busy product: history shown (first page + chart)", "<= 200 ms",
                  ms(page_t + chart_t), "", page_t + chart_t <= TARGET)
        since = datetime.now(UTC) - timedelta(days=90)
        recent_t, recent = median_time(
            lambda: backroom.read(product_history.stock_over_time, 1, since=since), args.runs)
        table.add(f"busy product: chart points, last 90 days ({len(recent.points):,} per "
                  f"{recent.per})", "<= 200 ms", ms(recent_t), "", recent_t <= TARGET)

        req = busy
        for _ in range(49):
            req = PageRequest(filters=req.filters, after=backroom.read(
                product_history.list_page, req).after)
        deep_t, _ = median_time(lambda: backroom.read(product_history.list_page, req),
                                args.runs)
        table.add("busy product: page 50 by keyset", "≈ page 1", ms(deep_t),
                  f"{deep_t / page_t:.1f}x", deep_t <= max(2 * page_t, 0.005))
        count_t, n = median_time(lambda: backroom.read(product_history.count, busy), args.runs)
        assert n == n_busy
        table.add(f"busy product: count ({n:,} movements)", "", ms(count_t))
        quiet = PageRequest(filters=(("product_id", 54_321 % args.products + 2),))
        quiet_t, _ = median_time(lambda: backroom.read(product_history.list_page, quiet),
                                 args.runs)
        table.add("a quiet product: first page", "<= 200 ms", ms(quiet_t), "",
                  quiet_t <= TARGET)
        started = time.perf_counter()
        report = backroom.read(stock_checks.check_ledger)
        table.add("check_ledger: every level against the sum of its movements", "",
                  f"{time.perf_counter() - started:.1f} s", "", report.ok)
        table.print(f"Product history: {args.products:,} products, {total:,} movements "
                    f"({n_busy:,} of the busy product), median of >= {args.runs} warm runs, "
                    f"SQLite {sqlite3.sqlite_version}")
        raw.close()
        backroom.close()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
