"""Orders list at a million orders: the app's queries beside raw sqlite3, with their targets.

    python tests/bench/bench_orders.py [--scale 500] [--runs 7] [--plans]

Builds (in a child process, so its memory is not counted) or reuses the --scale demo database
in tests/bench/.data (or BACKROOM_DATA_DIR), then times, as the median of warm runs: the
first page against the same query written by hand for raw sqlite3; every sort key both ways;
page 200 reached by following `after`, and a page from the middle of the table, against
page 1; searches by order number, customer surname and SKU with their counts; and resident
memory after scrolling 50 pages. Prints one table: figure, target, measured, ratio to the
raw query, PASS/FAIL, then any plan that sorts or scans the whole orders table.
Not a test: it prints figures and exits 0 unless the database cannot be built.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import Table, data_dir_from, db_path, ensure_database, median_time, ms, rss_mb

# Raw reference: the Orders list written by hand, as a person would for sqlite3.
RAW_SELECT = (
    "SELECT o.id, o.number, c.name, o.placed_at, o.customer_name, o.items_count, "
    "o.total_minor, o.currency, o.status, o.flagged "
    "FROM orders o JOIN channels c ON c.id = o.channel_id")
RAW_SORT = {"number": "o.number", "channel": "o.channel_id", "placed": "o.placed_at",
            "customer": "o.customer_key", "items": "o.items_count", "total": "o.total_minor",
            "status": "o.status"}
RAW_MATCH = ("o.id IN (SELECT order_id FROM order_search_terms "
             "WHERE term >= ? AND term < ?)")
PAGE = 200
SCROLL_PAGES = 50
DEEP_PAGE = 200
RSS_LIMIT_MB = 300


def upper_bound(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# --- the benchmark ---------------------------------------------------------------------------


class Bench:
    def __init__(self, path: Path, scale: int, runs: int, plans: bool):
        from app.bootstrap import open_backroom
        from app.config import load_config

        self.runs = runs
        self.show_plans = plans
        self.table = Table()
        self.plans: list[tuple[str, list[str]]] = []
        started = time.perf_counter()
        self.backroom = open_backroom(load_config(demo=True, scale=scale))
        self.open_time = time.perf_counter() - started
        self.raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self._last_sql: tuple[str, Any] | None = None
        from sqlalchemy import event

        @event.listens_for(self.backroom.engine, "before_cursor_execute")
        def _capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if not statement.startswith("EXPLAIN"):
                self._last_sql = (statement, parameters)

    # helpers

    def add(self, name: str, target: str, measured: str, ratio: str, ok: bool | None) -> None:
        self.table.add(name, target, measured, ratio, ok)

    def raw_time(self, sql: str, params: tuple[Any, ...] = ()) -> float:
        return median_time(lambda: self.raw.execute(sql, params).fetchall(), self.runs)[0]

    def app_time(self, fn: Callable[..., Any], *args: Any) -> tuple[float, Any, list[str]]:
        took, result = median_time(lambda: self.backroom.read(fn, *args), self.runs)
        return took, result, self.plan_of_last()

    def plan_of_last(self) -> list[str]:
        if self._last_sql is None:
            return []
        statement, params = self._last_sql
        with self.backroom.engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
        return [r[3] for r in rows]

    def note_plan(self, name: str, plan: list[str]) -> str:
        """Record the plan; return a note when it sorts or scans the whole orders table.

        A temporary B-tree is fine when the rows come from the search-word index (at most
        orders.MANY_MATCHES of them); over the whole table it is what must never happen.
        """
        self.plans.append((name, plan))
        by_words = any("order_search_terms" in p for p in plan)
        bad = [p for p in plan
               if (p.startswith("SCAN") and "INDEX" not in p and "subquery" not in p)
               or ("TEMP B-TREE" in p and not by_words)]
        return "  [" + "; ".join(bad) + "]" if bad else ""

    # the figures

    def first_page(self) -> None:
        from app.services import orders
        from app.services.paging import PageRequest

        cold_start = time.perf_counter()
        self.backroom.read(orders.list_page, PageRequest())
        cold = time.perf_counter() - cold_start
        raw = self.raw_time(f"{RAW_SELECT} ORDER BY o.placed_at DESC, o.id DESC LIMIT {PAGE + 1}")
        app, page, plan = self.app_time(orders.list_page, PageRequest())
        assert len(page.rows) == PAGE
        warn = self.note_plan("first page", plan)
        self.add("raw sqlite3: first page (200 rows, newest first)", "reference", ms(raw),
                 "1.0x", None)
        self.add("first page via orders.list_page" + warn, "<= 4x raw", ms(app),
                 f"{app / raw:.1f}x", app <= 4 * raw)
        self.add("first page, first query after opening", "<= 100 ms", ms(cold),
                 f"{cold / raw:.1f}x", cold <= 0.1)

    def sorts(self) -> None:
        from app.services import orders
        from app.services.paging import PageRequest

        for key in orders.LISTING.sort_keys:
            for desc in (False, True):
                way = "DESC" if desc else "ASC"
                raw = self.raw_time(f"{RAW_SELECT} ORDER BY {RAW_SORT[key]} {way}, o.id {way} "
                                    f"LIMIT {PAGE + 1}")
                app, _, plan = self.app_time(orders.list_page,
                                             PageRequest(sort=key, descending=desc))
                warn = self.note_plan(f"sort {key} {way}", plan)
                self.add(f"sort by {key} {way.lower()}, first page{warn}", "<= 100 ms", ms(app),
                         f"{app / raw:.1f}x", app <= 0.1)

    def deep_pages(self) -> None:
        """Page DEEP_PAGE reached by following `after`, and a page from the middle of the
        table, for every sort, against page 1: keyset seeks, so depth costs nothing."""
        from app.services import orders
        from app.services.paging import PageRequest

        middle = self.raw.execute("SELECT count(*) FROM orders").fetchone()[0] // 2
        for key in orders.LISTING.sort_keys:
            for desc in (False, True):
                way = "DESC" if desc else "ASC"
                req = PageRequest(sort=key, descending=desc)
                first_key = self.app_time(orders.list_page, req)[0]
                for _ in range(DEEP_PAGE - 1):
                    page = self.backroom.read(orders.list_page, req)
                    req = PageRequest(sort=key, descending=desc, after=page.after)
                self.deep_page(f"page {DEEP_PAGE}", key, desc, req.after, first_key)
                # The key of the middle row, found with OFFSET here only to start from it.
                value, last_id = self.raw.execute(
                    f"SELECT {RAW_SORT[key]}, o.id FROM orders o "
                    f"ORDER BY {RAW_SORT[key]} {way}, o.id {way} LIMIT 1 OFFSET ?",
                    (middle,)).fetchone()
                if key == "placed":
                    value = datetime.fromisoformat(value).replace(tzinfo=UTC)
                self.deep_page(f"row {middle:,}", key, desc, (value, last_id), first_key)

    def deep_page(self, where: str, key: str, desc: bool, after: Any, first: float) -> None:
        from app.services import orders
        from app.services.paging import PageRequest

        way = "DESC" if desc else "ASC"
        value, last_id = after
        raw_value = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds") \
            if isinstance(value, datetime) else value
        raw = self.raw_time(
            f"{RAW_SELECT} WHERE ({RAW_SORT[key]}, o.id) {'<' if desc else '>'} (?, ?) "
            f"ORDER BY {RAW_SORT[key]} {way}, o.id {way} LIMIT {PAGE + 1}", (raw_value, last_id))
        req = PageRequest(sort=key, descending=desc, after=after)
        app, page, plan = self.app_time(orders.list_page, req)
        assert len(page.rows) == PAGE
        note = self.note_plan(f"{where} {key} {way}", plan)
        self.add(f"{where} by keyset, {key} {way.lower()}{note}",
                 f"<= 2x page 1 ({ms(first)})", ms(app), f"{app / raw:.1f}x", app <= 2 * first)

    def searches(self) -> None:
        from app.services import orders
        from app.services.paging import PageRequest

        number, surname, sku = self.search_samples()
        for label, text in (("order number", number), ("customer surname", surname),
                            ("SKU", sku)):
            req = PageRequest(search=text)
            term = text.lower().lstrip("#")
            params = (term, upper_bound(term))
            raw = self.raw_time(f"{RAW_SELECT} WHERE {RAW_MATCH} "
                                f"ORDER BY o.placed_at DESC, o.id DESC LIMIT {PAGE + 1}", params)
            app, page, plan = self.app_time(orders.list_page, req)
            warn = self.note_plan(f"search {label}", plan)
            self.add(f"search {label} {text!r}: first page ({len(page.rows)} rows){warn}",
                     "<= 50 ms", ms(app), f"{app / raw:.1f}x", app <= 0.05 and bool(page.rows))
            raw = self.raw_time(f"SELECT count(*) FROM orders o WHERE {RAW_MATCH}", params)
            app, n, plan = self.app_time(orders.count, req)
            warn = self.note_plan(f"count {label}", plan)
            self.add(f"search {label} {text!r}: count() = {n:,}{warn}", "<= 50 ms", ms(app),
                     f"{app / raw:.1f}x", app <= 0.05)

    def search_samples(self) -> tuple[str, str, str]:
        """An existing order number, a surname and a full SKU from the middle of the data."""
        mid = self.raw.execute("SELECT max(id) / 2 FROM orders").fetchone()[0]
        number, name = self.raw.execute(
            "SELECT number, customer_name FROM orders WHERE id = ?", (mid,)).fetchone()
        sku = self.raw.execute(
            "SELECT sku FROM order_lines WHERE order_id >= ? ORDER BY order_id LIMIT 1",
            (mid + 7,)).fetchone()[0]
        return number, name.split()[-1], sku

    def scroll_memory(self) -> None:
        """Scroll SCROLL_PAGES pages as a table model would, keeping every row fetched."""
        from app.services import orders
        from app.services.paging import PageRequest

        rows: list[Any] = []
        req = PageRequest()
        started = time.perf_counter()
        for _ in range(SCROLL_PAGES):
            page = self.backroom.read(orders.list_page, req)
            rows.extend(page.rows)
            req = PageRequest(after=page.after)
        took = time.perf_counter() - started
        current, peak = rss_mb()
        self.add(f"scroll {SCROLL_PAGES} pages ({len(rows):,} rows held), per page",
                 "<= 100 ms", ms(took / SCROLL_PAGES), "", took / SCROLL_PAGES <= 0.1)
        self.add("resident memory after scrolling (VmRSS)", f"< {RSS_LIMIT_MB} MB",
                 f"{current:.0f} MB", "", current < RSS_LIMIT_MB)
        self.add("peak resident memory of this process (ru_maxrss)", f"< {RSS_LIMIT_MB} MB",
                 f"{peak:.0f} MB", "", peak < RSS_LIMIT_MB)

    def print(self, header: str) -> None:
        self.table.print(header)
        if self.show_plans:
            print("\nQuery plans:")
            for name, plan in self.plans:
                print(f"  {name}: {' / '.join(plan)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=500,
                        help="demo scale: 2,000 x N orders (500 = a million)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (median)")
    parser.add_argument("--data-dir", type=Path, help="default: tests/bench/.data")
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    parser.add_argument("--plans", action="store_true", help="print every query plan")
    args = parser.parse_args(argv)
    data_dir = data_dir_from(args.data_dir)
    built = ensure_database(data_dir, args.scale, args.rebuild)
    path = db_path(data_dir, args.scale)
    bench = Bench(path, args.scale, args.runs, args.plans)
    n_orders = bench.raw.execute("SELECT count(*) FROM orders").fetchone()[0]
    if built is not None:
        bench.add(f"build the x{args.scale} demo ({n_orders:,} orders)", "< 180 s",
                  f"{built:.1f} s", "", built < 180)
    bench.add("open the database (check, migrate, no build)", "", ms(bench.open_time), "", None)
    bench.first_page()
    bench.sorts()
    bench.deep_pages()
    bench.searches()
    bench.scroll_memory()
    size = path.stat().st_size / 1e6
    bench.print(f"Orders list, demo x{args.scale}: {n_orders:,} orders, {size:,.0f} MB, "
                f"median of >= {args.runs} warm runs, SQLite {sqlite3.sqlite_version}, "
                f"Python {sys.version.split()[0]}")
    bench.backroom.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
