"""eBay Seller Hub's Orders report (Orders > Download report), CSV.

Around the table: a blank line (or a line of commas) before the header, sometimes an
all-empty row after it, and a footer such as '12,record(s) downloaded,from Mar-01-24 to
Mar-31-24' and 'Seller ID : shopname'. A multi-item order is a summary row (buyer,
address, shipping and Total Price, no Item Number) followed by one row per item, all with
its Sales Record Number. Money is written with its symbol ('$12.34', '£12.00', 'AU $5.00'),
so the currency comes from the symbol, else from the shop. Dates read 'Mar-05-24' (maybe
with a time), in the seller's own time zone. eBay.co.uk names the address columns
'Post to ...', postage 'Postage and packaging' and shipping 'Dispatched on date' and
'Delivery service'; both spellings are read. The report has no cancelled orders and no
status column: an order is shipped once it has a Shipped On Date, pending until paid.
A line's external id is eBay's OrderLineItemID, '<Item Number>-<Transaction ID>'; a
12-digit Item Number that Excel re-saved rounded ('2.85123E+11') is refused, since the
tracking upload could no longer name the line.
"""

from __future__ import annotations

import re
from datetime import datetime

from app.channels.base import Address, ChannelOrder, ChannelOrderLine, OrderState
from app.channels.date_text import parse_month_named
from app.channels.files.common import (
    PROGRESS_EVERY,
    Columns,
    ParseResult,
    Problems,
    Progress,
    RawParts,
    Shop,
    country,
    exact_id,
    money,
    quantity,
    when,
)
from app.channels.files.detect import FileFormat
from app.channels.files.table import Table
from app.channels.money_text import marked_currency

REQUIRED = {
    "Sales Record Number": (), "Item Title": (), "Quantity": (), "Sold For": ("Item Price",),
    "Sale Date": ("Order Date",),
}
OPTIONAL = {
    "Order Number": ("Order ID",), "Buyer Username": ("Buyer User ID",), "Buyer Name": (),
    "Buyer Email": (), "Ship To Name": ("Post To Name",), "Ship To Phone": ("Post To Phone",),
    "Ship To Address 1": ("Post To Address 1",), "Ship To Address 2": ("Post To Address 2",),
    "Ship To City": ("Post To City",),
    "Ship To State": ("Post To County", "Post To State", "Post To Province/Region/State"),
    "Ship To Zip": ("Post To Postcode", "Post To Postal Code"),
    "Ship To Country": ("Post To Country",), "Item Number": (), "Custom Label": (),
    "Shipping And Handling": ("Postage And Packaging",), "Seller Collected Tax": (),
    "eBay Collected Tax": (), "Total Price": (), "Paid On Date": (),
    "Shipped On Date": ("Dispatched On Date",), "Shipping Service": ("Delivery Service",),
    "Transaction ID": (), "Variation Details": (),
}
_FOOTER = re.compile(r"^\s*\d*\s*record\(s\) downloaded|^\s*seller id\s*:", re.IGNORECASE)


class _Order:
    __slots__ = ("currency", "fields", "key", "lines", "number", "placed_at", "raw", "row",
                 "sale_text", "shipped", "state")

    def __init__(self, key: str, row: int) -> None:
        self.key = key
        self.row = row
        self.number = ""
        self.lines: list[ChannelOrderLine] = []
        self.shipped: list[bool] = []
        self.raw = RawParts()


def is_footer(row: list[str]) -> bool:
    """'12,record(s) downloaded,from ...' or 'Seller ID : shop' after the table."""
    first = row[0] if row else ""
    second = row[1] if len(row) > 1 else ""
    return bool(_FOOTER.match(first) or _FOOTER.match(second))


def parse_ebay(table: Table, shop: Shop, progress: Progress | None = None) -> ParseResult:
    problems = Problems()
    cols = Columns(table, REQUIRED, OPTIONAL)
    fmt = FileFormat.EBAY_ORDERS
    if problems.missing_columns(table, cols, fmt.title):
        return ParseResult(fmt, (), tuple(problems.items), 0, table.name)
    ix = cols.index
    i_srn, i_number, i_item, i_title = (ix["Sales Record Number"], ix["Order Number"],
                                        ix["Item Number"], ix["Item Title"])
    i_qty, i_price, i_sku = ix["Quantity"], ix["Sold For"], ix["Custom Label"]
    i_txn, i_variant, i_shipped = ix["Transaction ID"], ix["Variation Details"], ix[
        "Shipped On Date"]
    i_sale, nm = ix["Sale Date"], cols.names
    orders: dict[str, _Order] = {}
    known: dict[str, str] = {}  # order number -> its sales record number
    current: _Order | None = None
    rows = 0
    for number, row in table.rows:
        if is_footer(row):
            continue
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
        cols.pad(row)
        srn, order_number = row[i_srn].strip(), row[i_number].strip()
        item, title = row[i_item].strip(), row[i_title].strip()
        if srn:
            key = srn
            if order_number:
                known.setdefault(order_number, srn)
        else:
            key = known.get(order_number, order_number)
        if not key:
            if current is None or not (item or title):
                problems.add(number, nm["Order Number"], "the order number is empty")
                continue
            order = current  # an item row under its order's summary row
        else:
            order = orders.get(key)
            if order is None:
                order = orders[key] = _Order(key, number)
                _order_fields(order, row, cols, number, shop, problems)
        current = order
        order.number = order.number or order_number
        if order.raw.wants_more():
            order.raw.add(table.raw())
        if not (item or title):
            continue  # the summary row of a multi-item order: no item of its own
        qty = quantity(row[i_qty], number, nm["Quantity"], problems, order.key)
        price = money(row[i_price], order.currency, number, nm["Sold For"], problems,
                      order.key)
        item = exact_id(item, number, nm["Item Number"], problems, order.key, "eBay")
        txn = exact_id(row[i_txn], number, nm["Transaction ID"], problems, order.key, "eBay")
        order.lines.append(ChannelOrderLine(
            sku=row[i_sku].strip(), title=title, quantity=qty, unit_price_minor=price,
            external_id=f"{item}-{txn}" if item and txn else item,
            variant=row[i_variant].strip()))
        order.shipped.append(bool(row[i_shipped].strip()))
        when(parse_month_named, row[i_shipped].strip(), shop.tz, number,
             nm["Shipped On Date"], problems, order.key)
        sale = row[i_sale].strip()
        if sale and sale != order.sale_text:  # a later row with a date of its own
            _date(sale, shop, number, nm["Sale Date"], problems, order.key)
    if progress is not None:
        progress(rows)
    finished = []
    for key, order in orders.items():
        if key in problems.spoiled:
            continue
        if not order.lines:
            problems.add(order.row, nm["Item Title"], "the order has no items")
            continue
        finished.append(_finish(order))
    return ParseResult(fmt, tuple(finished), tuple(problems.items), rows, table.name)


def _order_fields(order: _Order, row: list[str], cols: Columns, number: int, shop: Shop,
                  problems: Problems) -> None:
    key, ix, nm = order.key, cols.index, cols.names
    total_text = row[ix["Total Price"]]
    order.currency = cur = (marked_currency(total_text) or marked_currency(row[ix["Sold For"]])
                            or shop.currency.upper())
    sale = row[ix["Sale Date"]].strip()
    order.sale_text = sale
    order.placed_at = _date(sale, shop, number, nm["Sale Date"], problems, key)
    paid = row[ix["Paid On Date"]].strip()
    when(parse_month_named, paid, shop.tz, number, nm["Paid On Date"], problems, key)
    shipped = bool(row[ix["Shipped On Date"]].strip())
    order.state = (OrderState.SHIPPED if shipped else
                   OrderState.OPEN if paid or "Paid On Date" not in cols.present else
                   OrderState.PENDING)
    shipping = money(row[ix["Shipping And Handling"]], cur, number,
                     nm["Shipping And Handling"], problems, key)
    tax = sum(money(row[ix[f]], cur, number, nm[f], problems, key)
              for f in ("Seller Collected Tax", "eBay Collected Tax"))
    total = money(total_text, cur, number, nm["Total Price"], problems, key)
    name = row[ix["Ship To Name"]].strip() or row[ix["Buyer Name"]].strip()
    address = Address(
        name=name, address1=row[ix["Ship To Address 1"]].strip(),
        address2=row[ix["Ship To Address 2"]].strip(), city=row[ix["Ship To City"]].strip(),
        region=row[ix["Ship To State"]].strip(), postcode=row[ix["Ship To Zip"]].strip(),
        country=country(row[ix["Ship To Country"]], number, nm["Ship To Country"], problems,
                        key),
        phone=row[ix["Ship To Phone"]].strip())
    customer = (row[ix["Buyer Name"]].strip() or name or row[ix["Buyer Username"]].strip())
    order.fields = (customer, row[ix["Buyer Email"]].strip(), address, shipping, tax, total,
                    row[ix["Shipping Service"]].strip())


def _date(text: str, shop: Shop, number: int, field: str, problems: Problems, key: str
          ) -> datetime | None:
    if not text:
        problems.add(number, field, "the order date is empty", key)
        return None
    return when(parse_month_named, text, shop.tz, number, field, problems, key)


def _finish(order: _Order) -> ChannelOrder:
    customer, email, address, shipping, tax, total, service = order.fields
    subtotal = sum(line.unit_price_minor * line.quantity for line in order.lines)
    state = order.state
    if state is not OrderState.SHIPPED and order.shipped and all(order.shipped):
        state = OrderState.SHIPPED
    return ChannelOrder(
        external_id=order.number or order.key, number=order.number or order.key,
        placed_at=order.placed_at, state=state, currency=order.currency,
        customer_name=customer, customer_email=email, shipping_address=address,
        lines=tuple(order.lines), subtotal_minor=subtotal, shipping_minor=shipping,
        tax_minor=tax, total_minor=total or subtotal + shipping, shipping_service=service,
        raw=order.raw.text())
