"""Shopify's orders export (Admin > Orders > Export, CSV for Excel or plain CSV).

One row per line item; every row repeats Name (the order number, '#1001'), Created at and
the Lineitem columns, while the order's own fields (Email, statuses, Currency, totals,
addresses, Id, Cancelled at) are on its first row only. Created at reads
'2024-03-05 14:22:10 -0500'. Postcodes and phones may come as "'02108" (Shopify's guard
against spreadsheets dropping the zero). The export carries no line-item properties, so
Shopify personalisation does not come through a file. A line with no SKU that needs no
shipping (a tip, a gift card) is in the order's totals but is no item to make or pick. Id is
Shopify's 13-digit order id, which Excel re-saves rounded ('5.51235E+12'): such a file is
refused, since the orders could no longer be told apart.
"""

from __future__ import annotations

from app.channels.base import Address, ChannelOrder, ChannelOrderLine, OrderState
from app.channels.date_text import parse_iso
from app.channels.files.common import (
    PROGRESS_EVERY,
    Columns,
    ParseResult,
    Problems,
    Progress,
    RawParts,
    Shop,
    country,
    currency_code,
    exact_id,
    money,
    quantity,
    strip_quote,
    when,
)
from app.channels.files.detect import FileFormat
from app.channels.files.table import Table

REQUIRED = {
    "Name": (), "Created at": (), "Currency": (), "Lineitem quantity": (),
    "Lineitem name": (), "Lineitem price": (),
}
OPTIONAL = {
    "Id": (), "Email": (), "Financial Status": (), "Fulfillment Status": (),
    "Cancelled at": (), "Subtotal": (), "Shipping": (), "Taxes": (), "Total": (),
    "Shipping Method": (), "Lineitem sku": (), "Lineitem requires shipping": (),
    "Billing Name": (),
    "Shipping Name": (), "Shipping Address1": (), "Shipping Address2": (),
    "Shipping Company": (), "Shipping City": (), "Shipping Zip": (),
    "Shipping Province": (), "Shipping Country": (), "Shipping Phone": (), "Phone": (),
}


def state_of(financial: str, fulfillment: str, cancelled_at: str) -> OrderState:
    """Shopify's two status words and Cancelled at, as one OrderState."""
    financial = financial.strip().lower()
    if cancelled_at.strip() or financial == "voided":
        return OrderState.CANCELLED
    if financial == "refunded":
        return OrderState.REFUNDED
    if fulfillment.strip().lower() == "fulfilled":
        return OrderState.SHIPPED
    if financial in ("pending", "unpaid", "expired"):
        return OrderState.PENDING
    return OrderState.OPEN  # paid, authorized, partially_paid, partially_refunded


class _Order:
    __slots__ = ("created_text", "currency", "fields", "key", "lines", "not_items", "placed_at",
                 "raw", "row", "state")

    def __init__(self, key: str, row: int) -> None:
        self.key = key
        self.row = row
        self.lines: list[ChannelOrderLine] = []
        self.not_items: list[ChannelOrderLine] = []  # tips and the like
        self.raw = RawParts()


def parse_shopify(table: Table, shop: Shop, progress: Progress | None = None) -> ParseResult:
    problems = Problems()
    cols = Columns(table, REQUIRED, OPTIONAL)
    fmt = FileFormat.SHOPIFY_ORDERS
    if problems.missing_columns(table, cols, fmt.title):
        return ParseResult(fmt, (), tuple(problems.items), 0, table.name)
    ix = cols.index
    i_name, i_qty, i_title = ix["Name"], ix["Lineitem quantity"], ix["Lineitem name"]
    i_price, i_sku, i_created = ix["Lineitem price"], ix["Lineitem sku"], ix["Created at"]
    i_ships = ix["Lineitem requires shipping"]
    pad = cols.pad
    orders: dict[str, _Order] = {}
    rows = 0
    for number, row in table.rows:
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
        pad(row)
        key = row[i_name].strip()
        if not key:
            problems.add(number, "Name", "the order number is empty")
            continue
        order = orders.get(key)
        if order is None:
            order = orders[key] = _Order(key, number)
            _order_fields(order, row, ix, number, shop, problems)
        elif row[i_created] and row[i_created] != order.created_text:
            # a later row with a date of its own: checked too
            when(parse_iso, row[i_created], shop.tz, number, "Created at", problems, key)
        if order.raw.wants_more():
            order.raw.add(table.raw())
        price = money(row[i_price], order.currency, number, "Lineitem price", problems, key)
        qty_text = row[i_qty]
        qty = (int(qty_text) if qty_text.isdigit() else
               quantity(qty_text, number, "Lineitem quantity", problems, key))
        line = ChannelOrderLine(row[i_sku].strip(), row[i_title].strip(), qty, price)
        if not line.sku and row[i_ships].strip().casefold() == "false":
            order.not_items.append(line)
        else:
            order.lines.append(line)
    if progress is not None:
        progress(rows)
    finished = tuple(_finish(o) for key, o in orders.items() if key not in problems.spoiled)
    return ParseResult(fmt, finished, tuple(problems.items), rows, table.name)


def _order_fields(order: _Order, row: list[str], ix: dict[str, int], number: int, shop: Shop,
                  problems: Problems) -> None:
    key = order.key
    order.currency = currency = currency_code(row[ix["Currency"]], shop.currency, number,
                                              "Currency", problems, key)
    order.created_text = row[ix["Created at"]]
    placed = when(parse_iso, row[ix["Created at"]], shop.tz, number, "Created at", problems,
                  key)
    if placed is None and row[ix["Created at"]] == "":
        problems.add(number, "Created at", "the order date is empty", key)
    order.placed_at = placed
    order.state = state_of(row[ix["Financial Status"]], row[ix["Fulfillment Status"]],
                           row[ix["Cancelled at"]])
    totals = [money(row[ix[f]], currency, number, f, problems, key)
              for f in ("Subtotal", "Shipping", "Taxes", "Total")]
    name = row[ix["Shipping Name"]].strip() or row[ix["Billing Name"]].strip()
    address = Address(
        name=name,
        address1=row[ix["Shipping Address1"]].strip(),
        address2=", ".join(p for p in (row[ix["Shipping Company"]].strip(),
                                       row[ix["Shipping Address2"]].strip()) if p),
        city=row[ix["Shipping City"]].strip(),
        region=row[ix["Shipping Province"]].strip(),
        postcode=strip_quote(row[ix["Shipping Zip"]].strip()),
        country=country(row[ix["Shipping Country"]], number, "Shipping Country", problems,
                        key),
        phone=strip_quote(row[ix["Shipping Phone"]].strip() or row[ix["Phone"]].strip()),
    )
    shopify_id = exact_id(row[ix["Id"]], number, "Id", problems, key, "Shopify")
    order.fields = (shopify_id, name, row[ix["Email"]].strip(), address, totals,
                    row[ix["Shipping Method"]].strip())


def _finish(order: _Order) -> ChannelOrder:
    external_id, name, email, address, totals, service = order.fields
    subtotal, shipping, tax, total = totals
    return ChannelOrder(
        external_id=external_id or order.key, number=order.key, placed_at=order.placed_at,
        state=order.state, currency=order.currency, customer_name=name,
        customer_email=email, shipping_address=address,
        # (an order of nothing but tips or gift cards keeps them, to be looked at)
        lines=tuple(order.lines or order.not_items),
        subtotal_minor=subtotal, shipping_minor=shipping, tax_minor=tax, total_minor=total,
        shipping_service=service, raw=order.raw.text())
