"""Exporting 100,000 products to XLSX: what the Inventory list shows, streamed page by page
into openpyxl's write-only workbook.

    python tests/bench/bench_export.py [--products 100000] [--data-dir DIR]

Builds an empty workshop in a temporary folder (or --data-dir) and adds --products products
in 5 categories, each with stock in one or two of 40 bins (movements and levels written
together with app.db.bulk, so the ledger holds), then times `export_products` to XLSX (the
target: within 60 s) and to CSV, and `export_stock` to XLSX. Beside it, the reference:
openpyxl's raw write-only mode writing the very same cells (read into memory first, so only
the writing is timed), measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchlib import ROOT, Table, rss_mb

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 60.0
CATEGORIES = (("mugs", "Mugs", "MUG"), ("t-shirts", "T-shirts", "TEE"),
              ("shoes", "Shoes", "SHO"), ("tote-bags", "Tote bags", "TOT"),
              ("art-prints", "Art prints", "ART"))
COLOURS = ("Terracotta", "Midnight blue", "Sage", "White", "Charcoal", "Mustard")


def build(data_dir: Path, n: int, seed: int = 5) -> float:
    """An empty workshop with n products and their stock; returns the seconds it took."""
    import os

    os.environ["BACKROOM_DATA_DIR"] = str(data_dir)
    from app.bootstrap import open_backroom
    from app.config import load_config
    from app.db.bulk import insert_rows
    from app.db.models import Category, Location, Product, StockLevel, StockMovement
    from app.domain.barcodes import with_check_digit

    started = time.perf_counter()
    rng = random.Random(seed)
    backroom = open_backroom(load_config())
    now = datetime.now(UTC)
    with backroom.engine.begin() as conn:
        insert_rows(conn, Category.__table__, ("id", "code", "name", "assignment_strategy"),
                    [(i, c, name, "round_robin") for i, (c, name, _p) in
                     enumerate(CATEGORIES, 1)])
        insert_rows(conn, Location.__table__, ("id", "code", "name", "walk_sequence",
                                               "active"),
                    [(i, f"{'AB'[i % 2]}-{i // 8 + 1:02d}-{i % 8 + 1}", "", i, True)
                     for i in range(1, 41)])
        products, levels, moves = [], [], []
        for pid in range(1, n + 1):
            _code, _name, prefix = CATEGORIES[pid % len(CATEGORIES)]
            title = f"{prefix.title()} {pid} — {rng.choice(COLOURS)}, {rng.choice('SML')}"
            if pid % 997 == 0:
                title = "=" + title  # a few titles that look like formulas
            cost = rng.randint(150, 900)
            products.append((pid, f"{prefix}-{pid:06d}", title, title.lower(), "",
                             pid % len(CATEGORIES) + 1, with_check_digit(f"50{pid:010d}"),
                             cost, "GBP", cost * 3 - 1, "GBP", {"colour": "red"}, False,
                             False, True, now, now))
            for bin_id in rng.sample(range(1, 41), rng.choice((1, 1, 2))):
                qty = rng.randint(1, 200)
                levels.append((pid, bin_id, qty, 0))
                moves.append((pid, bin_id, qty, "goods_in", "BENCH", "", "bench", now))
        insert_rows(conn, Product.__table__,
                    ("id", "sku", "title", "title_key", "description", "category_id",
                     "barcode", "cost_minor", "cost_currency", "price_minor", "price_currency",
                     "attributes", "made_to_order", "allow_negative_stock", "active",
                     "created_at", "updated_at"), products)
        insert_rows(conn, StockLevel.__table__, ("product_id", "location_id", "on_hand",
                                                 "reserved"), levels)
        insert_rows(conn, StockMovement.__table__,
                    ("product_id", "location_id", "quantity", "reason", "reference", "note",
                     "actor", "created_at"), moves)
    backroom.close()
    return time.perf_counter() - started


def raw_write_only(rows: list[tuple[object, ...]], headers: tuple[str, ...],
                   path: Path) -> float:
    """openpyxl's write-only mode alone, on cells already in memory."""
    from openpyxl import Workbook

    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        if not (data_dir / "backroom.sqlite").exists():
            print(f"Building {args.products:,} products in {data_dir} ...", flush=True)
            print(f"  built in {build(data_dir, args.products):.1f} s", flush=True)
        return run(data_dir, args.products)


def run(data_dir: Path, n: int) -> int:
    import os

    os.environ["BACKROOM_DATA_DIR"] = str(data_dir)
    from openpyxl import load_workbook

    from app.bootstrap import open_backroom
    from app.config import load_config
    from app.services import spreadsheets, stock
    from app.services.paging import PageRequest

    backroom = open_backroom(load_config())  # no one signed in: acts as the owner, as a
    # script does
    out = data_dir / "exports"
    table = Table()
    timings = {}
    for name, kind, suffix in (("products", "products", ".xlsx"),
                               ("products-csv", "products", ".csv"),
                               ("stock", "stock", ".xlsx")):
        path = out / f"{name}{suffix}"
        started = time.perf_counter()
        done = backroom.read(spreadsheets.export, kind, path, PageRequest())
        timings[name] = (time.perf_counter() - started, done.rows, path)
    seconds, rows, xlsx = timings["products"]
    assert rows == n, f"exported {rows:,} of {n:,} products"
    _current, peak = rss_mb()  # before the reference reads the whole sheet into memory

    book = load_workbook(xlsx, read_only=True)
    cells = [tuple(r) for r in book.active.iter_rows(min_row=2, values_only=True)]
    book.close()
    reference = raw_write_only(cells, spreadsheets.PRODUCT_HEADERS, out / "raw.xlsx")
    formulas = sum(1 for r in cells if isinstance(r[1], str) and r[1].startswith("="))

    table.add(f"export {n:,} products to XLSX (write-only)", f"< {TARGET_S:.0f} s",
              f"{seconds:.1f} s", f"{seconds / reference:.2f}x", seconds < TARGET_S)
    table.add("  reference: openpyxl write-only, same cells", "", f"{reference:.1f} s")
    table.add(f"  rows per second ({n:,} rows)", "", f"{n / seconds:,.0f}")
    csv_s, csv_rows, _ = timings["products-csv"]
    table.add(f"export {csv_rows:,} products to CSV", "", f"{csv_s:.1f} s")
    stock_s, stock_rows, _ = timings["stock"]
    table.add(f"export stock by bin, {stock_rows:,} rows, XLSX", "", f"{stock_s:.1f} s")
    table.add("formula-looking titles kept as text", "all", f"{formulas:,}",
              ok=formulas == n // 997)
    table.add("ledger equals levels", "yes", "yes" if not backroom.read(
        stock.ledger_mismatches) else "no", ok=not backroom.read(stock.ledger_mismatches))
    table.add("peak resident memory (the build included)", "", f"{peak:.0f} MB")
    backroom.close()
    table.print(f"Catalogue export, {n:,} products")
    return 0 if all(f.ok is not False for f in table.figures) else 1


if __name__ == "__main__":
    sys.exit(main())
