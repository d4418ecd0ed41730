"""Inventory list at 100,000 products: the app's queries beside raw sqlite3.

    python tests/bench/bench_inventory_start.py [--scale 500] [--runs 7]

Builds or reuses the --scale demo database (see benchlib.py), then times, as the median of
warm runs: the first page against the same query written by hand for raw sqlite3; every sort
key both ways; page 50 reached by following `after`; searches by SKU, barcode and a title
word with their counts. Prints figure, target, measured, ratio to the raw query, PASS/FAIL.
Window paint and tab-show times need the GUI: see bench_gui.py.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import Table, data_dir_from, db_path, ensure_database, median_time, ms

PAGE = 200
DEEP_PAGE = 50

# Raw reference: the Inventory list written by hand, as a person would for sqlite3.
RAW_SELECT = f"""
SELECT p.id, p.sku, p.title, coalesce(c.name, '') AS category,
       (SELECT coalesce(sum(s.on_hand), 0) FROM stock_levels s WHERE s.product_id = p.id)
           AS on_hand,
       (SELECT coalesce(sum(s.reserved), 0) FROM stock_levels s WHERE s.product_id = p.id)
           AS reserved,
       (SELECT l.code FROM stock_levels s JOIN locations l ON l.id = s.location_id
         WHERE s.product_id = p.id ORDER BY l.walk_sequence, l.id LIMIT 1) AS first_bin,
       (SELECT count(*) FROM stock_levels s WHERE s.product_id = p.id) AS bins
FROM products p LEFT JOIN categories c ON c.id = p.category_id
WHERE p.active = 1 {{where}}
ORDER BY {{sort}} {{way}}, p.id {{way}} LIMIT {PAGE + 1}"""
RAW_SORT = {"sku": "p.sku", "title": "p.title_key", "category": "category",
            "on_hand": "on_hand", "reserved": "reserved", "available": "on_hand - reserved",
            "location": "coalesce(first_bin, '')"}


class Bench:
    def __init__(self, path: Path, scale: int, runs: int):
        from app.bootstrap import open_backroom
        from app.config import load_config

        self.runs = runs
        self.table = Table()
        started = time.perf_counter()
        self.backroom = open_backroom(load_config(demo=True, scale=scale))
        self.table.add("open the database (check, migrate, no build)", "",
                       ms(time.perf_counter() - started))
        self.raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def raw_time(self, sort: str, desc: bool, where: str = "",
                 params: tuple[Any, ...] = ()) -> float:
        sql = RAW_SELECT.format(where=where, sort=RAW_SORT[sort], way="DESC" if desc else "ASC")
        return median_time(lambda: self.raw.execute(sql, params).fetchall(), self.runs)[0]

    def app_time(self, fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
        return median_time(lambda: self.backroom.read(fn, *args), self.runs)

    def first_page(self) -> None:
        from app.services import inventory
        from app.services.paging import PageRequest

        raw = self.raw_time("sku", False)
        app, page = self.app_time(inventory.list_page, PageRequest())
        assert len(page.rows) == PAGE
        self.table.add("raw sqlite3: first page (200 rows by SKU)", "reference", ms(raw), "1.0x")
        self.table.add("first page via inventory.list_page", "<= 4x raw", ms(app),
                       f"{app / raw:.1f}x", app <= 4 * raw)

    def sorts(self) -> None:
        from app.services import inventory
        from app.services.paging import PageRequest

        for key in inventory.LISTING.sort_keys:
            for desc in (False, True):
                raw = self.raw_time(key, desc)
                app, _ = self.app_time(inventory.list_page,
                                       PageRequest(sort=key, descending=desc))
                self.table.add(f"sort by {key} {'desc' if desc else 'asc'}, first page",
                               "<= 100 ms", ms(app), f"{app / raw:.1f}x", app <= 0.1)

    def deep_pages(self) -> None:
        from app.services import inventory
        from app.services.paging import PageRequest

        for key in ("sku", "title", "on_hand"):
            req = PageRequest(sort=key)
            first, _ = self.app_time(inventory.list_page, req)
            for _ in range(DEEP_PAGE - 1):
                page = self.backroom.read(inventory.list_page, req)
                req = PageRequest(sort=key, after=page.after)
            app, page = self.app_time(inventory.list_page, req)
            assert len(page.rows) == PAGE
            self.table.add(f"page {DEEP_PAGE} by keyset, {key} asc",
                           f"<= 2x page 1 ({ms(first)})", ms(app), "", app <= 2 * first)

    def searches(self) -> None:
        from app.services import inventory
        from app.services.paging import PageRequest

        mid = self.raw.execute("SELECT max(id) / 2 FROM products").fetchone()[0]
        sku, barcode = self.raw.execute(
            "SELECT sku, barcode FROM products WHERE id >= ? AND barcode IS NOT NULL "
            "ORDER BY id LIMIT 1", (mid,)).fetchone()
        word = self.raw.execute("SELECT title FROM products WHERE id = ?",
                                (mid,)).fetchone()[0].split()[0]
        for label, text in (("SKU", sku), ("barcode", barcode), ("title word", word)):
            req = PageRequest(search=text)
            app, page = self.app_time(inventory.list_page, req)
            self.table.add(f"search {label} {text!r}: first page ({len(page.rows)} rows)",
                           "<= 50 ms", ms(app), "", app <= 0.05 and bool(page.rows))
            app, n = self.app_time(inventory.count, req)
            self.table.add(f"search {label} {text!r}: count() = {n:,}", "<= 50 ms", ms(app),
                           "", app <= 0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=500,
                        help="demo scale: 200 x N products (500 = a hundred thousand)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (median)")
    parser.add_argument("--data-dir", type=Path, help="default: tests/bench/.data")
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    args = parser.parse_args(argv)
    data_dir = data_dir_from(args.data_dir)
    ensure_database(data_dir, args.scale, args.rebuild)
    path = db_path(data_dir, args.scale)
    bench = Bench(path, args.scale, args.runs)
    n_products = bench.raw.execute("SELECT count(*) FROM products").fetchone()[0]
    bench.first_page()
    bench.sorts()
    bench.deep_pages()
    bench.searches()
    bench.table.print(f"Inventory list, demo x{args.scale}: {n_products:,} products, "
                      f"median of >= {args.runs} warm runs, SQLite {sqlite3.sqlite_version}")
    bench.backroom.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
