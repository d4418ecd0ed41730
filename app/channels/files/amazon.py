"""Amazon's order flat files (tab-separated), one row per order item.

Two layouts: the Order Report / New or Unshipped Orders report (order-id, order-item-id,
purchase-date, payments-date, buyer-email, buyer-name, ..., quantity-purchased, currency,
item-price, ..., recipient-name, ship-address-1...) and the All Orders report
(amazon-order-id, merchant-order-id, purchase-date, last-updated-date, order-status, ...,
item-status, quantity, currency, item-price, ..., ship-city...; no buyer name or street).
Amounts are for the whole quantity of a row ("item-price 20.00, quantity 2"), so the unit
price is item-price / quantity. Amazon Custom orders carry customized-url/customized-page:
the link to the buyer's customisation, kept as the line's personalisation.

An item with a second promotion gets a row of its own: its order-item-id again (or no sku
and no quantity) and most cells blank; only its promotion discounts count, towards the
order's money. order-status may carry a detail ('Shipped - Delivered to Buyer', 'Pending -
Waiting for Pick Up'): its leading word decides. A cancelled item's quantity is written as
0: it is no item of an order that goes on, and an order cancelled whole keeps its items once
each, so it is known here and holds nothing. The files are never quoted: a cell may start
with '"' and mean it (see table.py).
"""

from __future__ import annotations

from dataclasses import replace

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
    when,
)
from app.channels.files.detect import FileFormat
from app.channels.files.table import Table

_COMMON = {
    "currency": (), "item-price": (), "item-tax": (), "shipping-price": (),
    "shipping-tax": (), "gift-wrap-price": (), "gift-wrap-tax": (),
    "item-promotion-discount": (), "ship-promotion-discount": (), "ship-service-level": (),
    "ship-city": (), "ship-state": (), "ship-postal-code": (), "ship-country": (),
    "customized-url": (), "customized-page": (), "merchant-order-id": (),
}
REQUIRED = {
    FileFormat.AMAZON_ORDER_REPORT: {
        "order-id": (), "order-item-id": (), "purchase-date": (), "sku": (),
        "product-name": (), "quantity-purchased": ()},
    FileFormat.AMAZON_ALL_ORDERS: {
        "amazon-order-id": (), "purchase-date": (), "order-status": (), "sku": (),
        "product-name": (), "quantity": ()},
}
OPTIONAL = {
    FileFormat.AMAZON_ORDER_REPORT: {
        **_COMMON, "payments-date": (), "buyer-email": (), "buyer-name": (),
        "buyer-phone-number": (), "recipient-name": (), "ship-address-1": (),
        "ship-address-2": (), "ship-address-3": (), "ship-phone-number": (),
        "quantity-shipped": (), "quantity-to-ship": ()},
    FileFormat.AMAZON_ALL_ORDERS: {
        **_COMMON, "last-updated-date": (), "item-status": ()},
}
_KEY = {FileFormat.AMAZON_ORDER_REPORT: "order-id", FileFormat.AMAZON_ALL_ORDERS:
        "amazon-order-id"}
_QTY = {FileFormat.AMAZON_ORDER_REPORT: "quantity-purchased",
        FileFormat.AMAZON_ALL_ORDERS: "quantity"}


_CANCELLED = ("cancelled", "canceled")
_PROMOTIONS = ("item-promotion-discount", "ship-promotion-discount")


def _word(status: str) -> str:
    """A status by its leading word: 'Shipped - Delivered to Buyer' -> 'shipped'."""
    return status.split("-", 1)[0].strip().casefold().replace(" ", "")


def state_of(order_status: str) -> OrderState:
    """The All Orders report's order-status as an OrderState, by its leading word."""
    word = _word(order_status)
    if word in _CANCELLED:
        return OrderState.CANCELLED
    if word in ("shipped", "complete", "completed", "delivered"):
        return OrderState.SHIPPED
    if word in ("pending", "pendingavailability", "invoiceunconfirmed"):
        return OrderState.PENDING
    return OrderState.OPEN  # Unshipped, PartiallyShipped, Shipping


class _Order:
    __slots__ = ("cancelled", "currency", "date_text", "fields", "item_ids", "key", "lines",
                 "money", "placed_at", "raw", "shipped", "state", "updated_at")

    def __init__(self, key: str) -> None:
        self.key = key
        self.lines: list[ChannelOrderLine] = []
        self.cancelled: list[ChannelOrderLine] = []
        self.item_ids: set[str] = set()
        self.money = [0, 0, 0, 0, 0]  # items, shipping, tax, gift wrap, discounts
        self.shipped = True
        self.raw = RawParts()


def parse_amazon(table: Table, fmt: FileFormat, shop: Shop,
                 progress: Progress | None = None) -> ParseResult:
    problems = Problems()
    cols = Columns(table, REQUIRED[fmt], OPTIONAL[fmt])
    if problems.missing_columns(table, cols, fmt.title):
        return ParseResult(fmt, (), tuple(problems.items), 0, table.name)
    ix = cols.index
    key_field, qty_field = _KEY[fmt], _QTY[fmt]
    i_key, i_qty = ix[key_field], ix[qty_field]
    i_sku, i_title, i_price = ix["sku"], ix["product-name"], ix["item-price"]
    i_item_id = ix.get("order-item-id", cols.width)
    i_item_status = ix.get("item-status", cols.width)
    i_custom_url, i_custom_page = ix["customized-url"], ix["customized-page"]
    i_to_ship = ix.get("quantity-to-ship", cols.width)
    i_date = ix["purchase-date"]
    orders: dict[str, _Order] = {}
    rows = 0
    for number, row in table.rows:
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
        cols.pad(row)
        key = row[i_key].strip()
        if not key:
            problems.add(number, key_field, "the order id is empty")
            continue
        order = orders.get(key)
        item_id = exact_id(row[i_item_id], number, "order-item-id", problems, key, "Amazon")
        if order is None:
            order = orders[key] = _Order(key)
            _order_fields(order, row, cols, fmt, number, shop, problems)
        else:
            if row[i_date] and row[i_date] != order.date_text:
                # a later row with a date of its own: checked too
                when(parse_iso, row[i_date], shop.tz, number, "purchase-date", problems, key)
            if item_id in order.item_ids or not (row[i_sku].strip() or row[i_qty].strip()):
                # a further promotion of an item already read: its discounts, nothing more
                _add(order, row, ix, _PROMOTIONS, number, problems)
                if order.raw.wants_more():
                    order.raw.add(table.raw())
                continue
        if order.raw.wants_more():
            order.raw.add(table.raw())
        if item_id:
            order.item_ids.add(item_id)
        item_cancelled = _word(row[i_item_status]) in _CANCELLED
        cancelled = item_cancelled or order.state is OrderState.CANCELLED
        qty = (0 if cancelled and not row[i_qty].strip() else
               quantity(row[i_qty], number, qty_field, problems, key))
        amount = money(row[i_price], order.currency, number, "item-price", problems, key)
        line = ChannelOrderLine(
            sku=row[i_sku].strip(), title=row[i_title].strip(), quantity=qty,
            unit_price_minor=_unit(amount, qty),
            personalisation=" ".join(p for p in (row[i_custom_url].strip(),
                                                 row[i_custom_page].strip()) if p),
            external_id=item_id)
        if cancelled and (item_cancelled or qty == 0):
            # (Amazon's quantity 0 means "cancelled", not how many were ordered)
            order.cancelled.append(line if qty else replace(line, quantity=1))
            continue
        order.lines.append(line)
        if row[i_to_ship].strip() != "0":
            order.shipped = False
        order.money[0] += amount
        _add(order, row, ix, _MONEY, number, problems)
    if progress is not None:
        progress(rows)
    finished = tuple(_finish(o, fmt) for key, o in orders.items()
                     if key not in problems.spoiled)
    return ParseResult(fmt, finished, tuple(problems.items), rows, table.name)


_MONEY = ("shipping-price", "item-tax", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
          *_PROMOTIONS)
_SLOT = {"shipping-price": 1, "item-tax": 2, "shipping-tax": 2, "gift-wrap-price": 3,
         "gift-wrap-tax": 2, "item-promotion-discount": 4, "ship-promotion-discount": 4}


def _add(order: _Order, row: list[str], ix: dict[str, int], fields: tuple[str, ...],
         number: int, problems: Problems) -> None:
    """A row's amounts into the order's money (discounts counted whatever their sign)."""
    sums = order.money
    for field in fields:
        text = row[ix[field]]
        if text:
            value = money(text, order.currency, number, field, problems, order.key)
            slot = _SLOT[field]
            sums[slot] += abs(value) if slot == 4 else value


def _unit(amount: int, qty: int) -> int:
    """item-price covers the whole quantity; the unit price, rounded half up."""
    if qty <= 1:
        return amount
    return (2 * amount + qty) // (2 * qty)


def _order_fields(order: _Order, row: list[str], cols: Columns, fmt: FileFormat,
                  number: int, shop: Shop, problems: Problems) -> None:
    key, ix = order.key, cols.index
    order.shipped = "quantity-to-ship" in cols.present
    order.currency = currency_code(row[ix["currency"]], shop.currency, number, "currency",
                                   problems, key)
    order.date_text = row[ix["purchase-date"]]
    order.placed_at = when(parse_iso, row[ix["purchase-date"]], shop.tz, number,
                           "purchase-date", problems, key)
    if order.placed_at is None and not row[ix["purchase-date"]]:
        problems.add(number, "purchase-date", "the order date is empty", key)
    order.updated_at = None
    if fmt is FileFormat.AMAZON_ALL_ORDERS:
        order.state = state_of(row[ix["order-status"]])
        order.updated_at = when(parse_iso, row[ix["last-updated-date"]], shop.tz, number,
                                "last-updated-date", problems, key)
        name = email = ""
        street = ("", "", "")
        phone = ""
    else:
        paid = row[ix["payments-date"]]
        unpaid = "payments-date" in cols.present and not paid.strip()
        order.state = OrderState.PENDING if unpaid else OrderState.OPEN
        when(parse_iso, paid, shop.tz, number, "payments-date", problems, key)
        name = row[ix["recipient-name"]].strip() or row[ix["buyer-name"]].strip()
        email = row[ix["buyer-email"]].strip()
        street = (row[ix["ship-address-1"]].strip(), row[ix["ship-address-2"]].strip(),
                  row[ix["ship-address-3"]].strip())
        phone = row[ix["ship-phone-number"]].strip() or row[ix["buyer-phone-number"]].strip()
    address = Address(
        name=name, address1=street[0], address2=", ".join(p for p in street[1:] if p),
        city=row[ix["ship-city"]].strip(), region=row[ix["ship-state"]].strip(),
        postcode=row[ix["ship-postal-code"]].strip(),
        country=country(row[ix["ship-country"]], number, "ship-country", problems, key),
        phone=phone)
    buyer = row[ix["buyer-name"]].strip() if "buyer-name" in cols.present else ""
    order.fields = (row[ix["merchant-order-id"]].strip(), buyer or name, email, address,
                    row[ix["ship-service-level"]].strip())


def _finish(order: _Order, fmt: FileFormat) -> ChannelOrder:
    _merchant_id, name, email, address, service = order.fields
    state = order.state
    lines = order.lines
    if not lines and order.cancelled:
        state, lines = OrderState.CANCELLED, order.cancelled
    elif state is OrderState.OPEN and order.shipped and lines:
        state = OrderState.SHIPPED  # quantity-to-ship is 0 on every row
    items, shipping, tax, gift_wrap, discounts = order.money
    return ChannelOrder(
        external_id=order.key, number=order.key, placed_at=order.placed_at, state=state,
        currency=order.currency, customer_name=name, customer_email=email,
        shipping_address=address, lines=tuple(lines), subtotal_minor=items,
        shipping_minor=shipping, tax_minor=tax,
        total_minor=items + shipping + tax + gift_wrap - discounts,
        shipping_service=service, updated_at=order.updated_at, raw=order.raw.text())
