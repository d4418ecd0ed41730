"""Channel report files: read Shopify, Etsy, Amazon and eBay order exports into ChannelOrder
records (with every unreadable row named), and write shipment upload files. No database.

    result = read_orders(path, shop_tz=ZoneInfo("Europe/London"), currency="GBP")
    result.orders, result.problems  # problems as RowProblem(row, field, message)
"""

from app.channels.files.common import ParseResult, describe
from app.channels.files.detect import FileFormat, NotAnOrderFile, detect
from app.channels.files.reader import read_etsy, read_files, read_orders
from app.channels.files.shipments import (
    ShipmentExportError,
    render_amazon_confirmation,
    render_ebay_tracking,
    render_plain_tracking,
    render_shipments,
    spreadsheet_safe,
)

__all__ = [
    "FileFormat",
    "NotAnOrderFile",
    "ParseResult",
    "ShipmentExportError",
    "describe",
    "detect",
    "read_etsy",
    "read_files",
    "read_orders",
    "render_amazon_confirmation",
    "render_ebay_tracking",
    "render_plain_tracking",
    "render_shipments",
    "spreadsheet_safe",
]
