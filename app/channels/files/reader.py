"""Read a channel's order report into ChannelOrder records: detect, then the format's reader."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, tzinfo

from app.channels.files.amazon import parse_amazon
from app.channels.files.common import ParseResult, Progress, Shop
from app.channels.files.detect import FileFormat, NotAnOrderFile, open_report
from app.channels.files.ebay import parse_ebay
from app.channels.files.etsy import parse_etsy
from app.channels.files.shopify import parse_shopify
from app.channels.files.table import Source, Table


def read_orders(source: Source, *, name: str | None = None, shop_tz: tzinfo = UTC,
                currency: str = "USD", progress: Progress | None = None) -> ParseResult:
    """Every order in one report file (bytes or a path), whichever channel wrote it.

    `shop_tz` is the time zone of dates written without one; `currency` is used where the
    file names none. `progress(rows_read)` is called every few thousand rows.
    Raises NotAnOrderFile when the file is not a report Backroom knows.
    """
    with _no_cycle_collection():  # opening a workbook reads the whole sheet once already
        fmt, table = open_report(source, name)
        return _parse(fmt, table, Shop(shop_tz, currency), progress)


def read_etsy(orders: Source | None = None, items: Source | None = None, *,
              shop_tz: tzinfo = UTC, currency: str = "USD",
              progress: Progress | None = None) -> ParseResult:
    """Etsy's EtsySoldOrders and EtsySoldOrderItems files joined by Order ID (either may be
    left out). Raises NotAnOrderFile if a file is not the one it is passed as."""
    shop = Shop(shop_tz, currency)
    tables = {}
    for wanted, source in ((FileFormat.ETSY_SOLD_ORDERS, orders),
                           (FileFormat.ETSY_SOLD_ORDER_ITEMS, items)):
        if source is None:
            continue
        with _no_cycle_collection():
            fmt, table = open_report(source)
        if fmt is not wanted:
            raise NotAnOrderFile(f"{table.name} is an {fmt.title}, not an {wanted.title}.")
        tables[fmt] = table
    if not tables:
        raise ValueError("read_etsy needs the orders file, the items file or both")
    with _no_cycle_collection():
        return parse_etsy(tables.get(FileFormat.ETSY_SOLD_ORDERS),
                          tables.get(FileFormat.ETSY_SOLD_ORDER_ITEMS), shop, progress)


def read_files(sources: Iterable[Source], *, shop_tz: tzinfo = UTC, currency: str = "USD",
               progress: Progress | None = None) -> list[ParseResult]:
    """Several report files at once; one Etsy orders file and one Etsy items file among them
    are read together. Raises NotAnOrderFile for the first file that is no report."""
    shop = Shop(shop_tz, currency)
    with _no_cycle_collection():
        opened = [open_report(source) for source in sources]
    etsy_orders = [t for f, t in opened if f is FileFormat.ETSY_SOLD_ORDERS]
    etsy_items = [t for f, t in opened if f is FileFormat.ETSY_SOLD_ORDER_ITEMS]
    paired = len(etsy_orders) == 1 and len(etsy_items) == 1
    results = []
    for fmt, table in opened:
        if paired and fmt is FileFormat.ETSY_SOLD_ORDER_ITEMS:
            continue
        if paired and fmt is FileFormat.ETSY_SOLD_ORDERS:
            with _no_cycle_collection():
                results.append(parse_etsy(table, etsy_items[0], shop, progress))
        else:
            results.append(_parse(fmt, table, shop, progress))
    return results


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Reading makes hundreds of thousands of small objects and no reference cycles; the
    cycle collector would rescan them all again and again (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse(fmt: FileFormat, table: Table, shop: Shop, progress: Progress | None
           ) -> ParseResult:
    with _no_cycle_collection():
        return _parse_with(fmt, table, shop, progress)


def _parse_with(fmt: FileFormat, table: Table, shop: Shop, progress: Progress | None
                ) -> ParseResult:
    if fmt is FileFormat.SHOPIFY_ORDERS:
        return parse_shopify(table, shop, progress)
    if fmt is FileFormat.ETSY_SOLD_ORDERS:
        return parse_etsy(table, None, shop, progress)
    if fmt is FileFormat.ETSY_SOLD_ORDER_ITEMS:
        return parse_etsy(None, table, shop, progress)
    if fmt is FileFormat.EBAY_ORDERS:
        return parse_ebay(table, shop, progress)
    return parse_amazon(table, fmt, shop, progress)
