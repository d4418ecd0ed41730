"""Channel report files: 100,000 Shopify rows, as CSV and as XLSX, beside the bare readers.

    python tests/bench/bench_file_parse.py [--rows 100000] [--runs 3] [--xlsx-runs 2]
                                           [--no-xlsx]

Writes (or reuses) a Shopify orders export of --rows line-item rows (two or three lines an
order, every column of the real export filled the way Shopify fills it) in tests/bench/.data,
and the same rows as an .xlsx, then times as the median of warm runs: csv.reader just
reading the file's text; app.channels.files.read_orders on the CSV (decode, detect, parse
into ChannelOrder records); openpyxl read_only just reading every cell of the workbook
(as written, and with the cycle collector off as read_orders runs it); read_orders on the
workbook, judged against the faster of the two. Prints one table: figure, target,
measured, ratio, PASS/FAIL. Not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchlib import DEFAULT_DATA, Table, median_time, ms, rss_mb

HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Id",
    "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name",
    "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name",
    "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
    "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At",
    "Payment References",
]
NAMES = ("Zoë Øster", "José Müller", "Ada Lovelace", "Sam O'Neil", "Chloé Dubois", "Li Wei")
PRODUCTS = (("MUG-BLU", "Enamel Mug - Blue", "18.00"), ("PLATE-NAME", "Custom Name Plate",
            "22.00"), ("BENCH-WAL", "Walnut Workbench", "1234.50"), ("STK-01", "Sticker Pack",
            "4.00"))
TARGET_CSV_S = 2.0
XLSX_RATIO = 1.2


def shopify_rows(count: int) -> list[list[str]]:
    """`count` line-item rows of a Shopify export: order fields on each order's first row."""
    rows: list[list[str]] = []
    index = {name: i for i, name in enumerate(HEADER)}
    order = 0
    while len(rows) < count:
        order += 1
        lines = 2 + order % 2
        name = NAMES[order % len(NAMES)]
        created = f"2024-{order % 12 + 1:02d}-{order % 28 + 1:02d} 14:22:{order % 60:02d} -0500"
        for n in range(lines):
            sku, title, price = PRODUCTS[(order + n) % len(PRODUCTS)]
            row = [""] * len(HEADER)
            for key, value in (("Name", f"#{1000 + order}"), ("Created at", created),
                               ("Lineitem quantity", str(1 + n)), ("Lineitem name", title),
                               ("Lineitem price", price), ("Lineitem sku", sku),
                               ("Lineitem requires shipping", "true"),
                               ("Lineitem taxable", "true"),
                               ("Lineitem fulfillment status", "pending"),
                               ("Vendor", "Backroom"), ("Lineitem discount", "0.00")):
                row[index[key]] = value
            if n == 0:
                for key, value in (
                        ("Email", f"buyer{order}@example.com"), ("Financial Status", "paid"),
                        ("Paid at", created), ("Fulfillment Status", "unfulfilled"),
                        ("Accepts Marketing", "no"), ("Currency", "USD"),
                        ("Subtotal", "58.00"), ("Shipping", "6.50"), ("Taxes", "3.48"),
                        ("Total", "67.98"), ("Discount Amount", "0.00"),
                        ("Shipping Method", "Standard"), ("Billing Name", name),
                        ("Billing Street", "12 Rue de l'Église"),
                        ("Billing Address1", "12 Rue de l'Église"), ("Billing City", "Montréal"),
                        ("Billing Zip", "'H2X 1Y4"), ("Billing Province", "QC"),
                        ("Billing Country", "CA"), ("Shipping Name", name),
                        ("Shipping Street", "12 Rue de l'Église, Apt 3"),
                        ("Shipping Address1", "12 Rue de l'Église"),
                        ("Shipping Address2", "Apt 3"), ("Shipping City", "Montréal"),
                        ("Shipping Zip", "'H2X 1Y4"), ("Shipping Province", "QC"),
                        ("Shipping Country", "CA"), ("Shipping Phone", "'+1 514 555 0101"),
                        ("Payment Method", "Shopify Payments"), ("Refunded Amount", "0.00"),
                        ("Id", str(5512345000000 + order)), ("Risk Level", "Low"),
                        ("Source", "web"), ("Tax 1 Name", "GST 5%"), ("Tax 1 Value", "2.90"),
                        ("Shipping Province Name", "Quebec"),
                        ("Payment ID", f"c{order}.1")):
                    row[index[key]] = value
            rows.append(row)
            if len(rows) == count:
                break
    return rows


def best_of(fn: Callable[[], object], runs: int) -> float:
    """The fastest of `runs` runs, for readings too slow to repeat many times."""
    times = []
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def write_files(data: Path, count: int, xlsx: bool) -> tuple[Path, Path | None]:
    csv_path = data / f"shopify_orders_{count}.csv"
    if not csv_path.exists():
        print(f"writing {csv_path} ...", flush=True)
        with csv_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(shopify_rows(count))
    if not xlsx:
        return csv_path, None
    xlsx_path = data / f"shopify_orders_{count}.xlsx"
    if not xlsx_path.exists():
        import openpyxl

        print(f"writing {xlsx_path} (takes a minute) ...", flush=True)
        started = time.perf_counter()
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("orders_export")
        sheet.append(HEADER)
        for row in shopify_rows(count):
            sheet.append([cell or None for cell in row])
        book.save(xlsx_path)
        print(f"  written in {time.perf_counter() - started:.1f} s", flush=True)
    return csv_path, xlsx_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--xlsx-runs", type=int, default=2,
                        help="best of this many (a run takes ~20 s)")
    parser.add_argument("--no-xlsx", action="store_true")
    args = parser.parse_args(argv)
    from app.channels.files import read_orders

    DEFAULT_DATA.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = write_files(DEFAULT_DATA, args.rows, not args.no_xlsx)
    table = Table()

    def bare_csv() -> int:
        text = csv_path.read_bytes().decode("utf-8")
        return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))

    def ours_csv() -> int:
        result = read_orders(csv_path)
        assert not result.problems, result.problems[:3]
        return result.rows

    bare, lines = median_time(bare_csv, args.runs)
    ours, rows = median_time(ours_csv, args.runs)
    orders = len(read_orders(csv_path).orders)
    table.add(f"csv.reader, {lines - 1:,} rows", "reference", ms(bare), "1.00")
    table.add(f"read_orders CSV, {rows:,} rows ({orders:,} orders)", f"< {TARGET_CSV_S:.0f} s",
              ms(ours), f"{ours / bare:.2f}", ours < TARGET_CSV_S)
    if xlsx_path is not None:
        import openpyxl

        def bare_xlsx() -> int:
            book = openpyxl.load_workbook(xlsx_path, read_only=True, data_only=True)
            count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
            book.close()
            return count

        def bare_xlsx_without_gc() -> int:
            gc.disable()
            try:
                return bare_xlsx()
            finally:
                gc.enable()

        def ours_xlsx() -> int:
            result = read_orders(xlsx_path)
            assert not result.problems, result.problems[:3]
            return result.rows

        bare_x = best_of(bare_xlsx, args.xlsx_runs)
        bare_x_nogc = best_of(bare_xlsx_without_gc, args.xlsx_runs)
        ours_x = best_of(ours_xlsx, args.xlsx_runs)
        reference = min(bare_x, bare_x_nogc)
        table.add("openpyxl read_only, every cell", "reference", ms(bare_x),
                  f"{bare_x / reference:.2f}")
        table.add("  the same, cycle collector off", "reference", ms(bare_x_nogc),
                  f"{bare_x_nogc / reference:.2f}")
        table.add("read_orders XLSX", f"< {XLSX_RATIO}x openpyxl", ms(ours_x),
                  f"{ours_x / reference:.2f}", ours_x < XLSX_RATIO * reference)
    current, peak = rss_mb()
    table.add("resident memory after the runs", "informational", f"{current:.0f} MB",
              f"peak {peak:.0f}")
    table.print(f"Channel report files: Shopify export of {args.rows:,} rows "
                f"({csv_path.stat().st_size / 1e6:.1f} MB CSV)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
