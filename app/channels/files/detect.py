"""Which channel report a file is, told from its header row (never from its name).

Each format is recognised by a few columns only it has; the reader for that format then
checks the rest of the columns it needs and names any that are missing.
"""

from __future__ import annotations

import enum

from app.channels.files.table import NotAnOrderFile, Source, Table, compact, load, open_table

__all__ = ["FileFormat", "NotAnOrderFile", "detect", "open_report"]


class FileFormat(enum.Enum):
    """A report a channel lets the seller download, by what it is called there."""

    SHOPIFY_ORDERS = "shopify-orders"  # Admin > Orders > Export, one row per line item
    ETSY_SOLD_ORDERS = "etsy-sold-orders"  # EtsySoldOrders*.csv, one row per order
    ETSY_SOLD_ORDER_ITEMS = "etsy-sold-order-items"  # EtsySoldOrderItems*.csv, one per item
    AMAZON_ORDER_REPORT = "amazon-order-report"  # New/Unshipped orders report (order-id...)
    AMAZON_ALL_ORDERS = "amazon-all-orders"  # All Orders report (amazon-order-id...)
    EBAY_ORDERS = "ebay-orders"  # Seller Hub > Orders > Download report

    @property
    def channel(self) -> str:
        return self.value.split("-", 1)[0]

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    FileFormat.SHOPIFY_ORDERS: "Shopify orders export",
    FileFormat.ETSY_SOLD_ORDERS: "Etsy sold orders file",
    FileFormat.ETSY_SOLD_ORDER_ITEMS: "Etsy sold order items file",
    FileFormat.AMAZON_ORDER_REPORT: "Amazon order report",
    FileFormat.AMAZON_ALL_ORDERS: "Amazon All Orders report",
    FileFormat.EBAY_ORDERS: "eBay orders report",
}

# The columns that tell each format apart, compacted (see table.compact); checked in order.
SIGNATURES: tuple[tuple[FileFormat, frozenset[str]], ...] = tuple(
    (fmt, frozenset(compact(c) for c in cols)) for fmt, cols in (
        (FileFormat.SHOPIFY_ORDERS,
         ("Name", "Financial Status", "Lineitem quantity", "Lineitem name")),
        (FileFormat.ETSY_SOLD_ORDER_ITEMS, ("Sale Date", "Item Name", "Transaction ID")),
        (FileFormat.ETSY_SOLD_ORDERS, ("Sale Date", "Order ID", "Order Total")),
        (FileFormat.AMAZON_ALL_ORDERS,
         ("amazon-order-id", "purchase-date", "order-status", "sku")),
        (FileFormat.AMAZON_ORDER_REPORT,
         ("order-id", "order-item-id", "purchase-date", "sku")),
        (FileFormat.EBAY_ORDERS, ("Sales Record Number", "Item Number", "Item Title")),
    ))


def format_of(header: list[str]) -> FileFormat | None:
    """The format whose telling columns are all in this header row, if any."""
    names = {compact(cell) for cell in header if cell}
    for fmt, needed in SIGNATURES:
        if needed <= names:
            return fmt
    return None


def open_report(source: Source, name: str | None = None) -> tuple[FileFormat, Table]:
    """The file's format and its rows; NotAnOrderFile (with what to do) for any other file."""
    name, data = load(source, name)
    if not data.strip():
        raise NotAnOrderFile(f"{name} is empty. Export the orders report from your channel "
                             "and try again.")
    return open_table(data, name, format_of)


def detect(source: Source, name: str | None = None) -> FileFormat:
    """Which channel report a file (bytes or a path) is; NotAnOrderFile if none."""
    fmt, table = open_report(source, name)
    close = getattr(table.rows, "close", None)
    if close is not None:
        close()
    return fmt
