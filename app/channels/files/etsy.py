"""Etsy's two sold-orders downloads (Shop Manager > Settings > Options > Download Data).

EtsySoldOrders*.csv has one row per order: Sale Date, Order ID, Full Name, the ship-to
address (Street 1, Street 2, Ship City, Ship State, Ship Zipcode, Ship Country), Currency,
Order Value, Shipping, Sales Tax, Order Total, Status, Date Shipped, Card Processing Fees,
and the order's SKUs in one cell ('sku-a,sku-b') - but no titles or prices per item.
EtsySoldOrderItems*.csv has one row per item: Item Name, Quantity, Price, Item Total,
Transaction ID, Listing ID, SKU, Variations (where personalisation comes last, as
'Personalization:...' to the end of the cell), the order's shipping and tax repeated on
each of its rows, Ship Name and address, and Order ID. Either file alone makes orders;
both are joined by Order ID, items from the items file and the order's money, status and
fees from the orders file. Ship Country is a name ('United Kingdom'); one not known is a
problem for its row, never cut to two letters.
Dates read '11/03/24' or '03/11/2024', month first, in the shop's time zone.
"""

from __future__ import annotations

import re
from datetime import datetime

from app.channels.base import Address, ChannelOrder, ChannelOrderLine, OrderState, RowProblem
from app.channels.date_text import parse_month_first
from app.channels.files.common import (
    PROGRESS_EVERY,
    RAW_LIMIT,
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

ORDERS_REQUIRED = {"Sale Date": (), "Order ID": (), "Order Total": ()}
ORDERS_OPTIONAL = {
    "Full Name": (), "First Name": (), "Last Name": (), "Buyer": (), "Buyer User ID": (),
    "Number of Items": (), "Date Shipped": (), "Street 1": (), "Street 2": (),
    "Ship City": (), "Ship State": (), "Ship Zipcode": (), "Ship Country": (),
    "Currency": (), "Order Value": (), "Shipping": (), "Sales Tax": (), "Status": (),
    "Card Processing Fees": (), "SKU": (),
}
ITEMS_REQUIRED = {"Sale Date": (), "Item Name": (), "Quantity": (), "Price": (),
                  "Order ID": ()}
ITEMS_OPTIONAL = {
    "Buyer": (), "Order Shipping": (), "Order Sales Tax": (), "Item Total": (),
    "Currency": (), "Transaction ID": (), "Listing ID": (), "Date Shipped": (),
    "Ship Name": (), "Ship Address1": (), "Ship Address2": (), "Ship City": (),
    "Ship State": (), "Ship Zipcode": (), "Ship Country": (), "Variations": (), "SKU": (),
}
_PARTS = re.compile(r"(?:^|,)\s*([^,:]{1,60}):")  # 'Size:L,Personalization:Zoë, with love'
_NOT_REQUESTED = "not requested on this item."


def split_variations(text: str) -> tuple[str, str]:
    """Etsy's Variations cell as (variant, personalisation).

    'Colour:Blue,Personalization:Zoë & Tom' -> ('Colour: Blue', 'Zoë & Tom'). The buyer's
    text runs to the end of the cell, whatever it holds ('Name: Sarah, Date: 14/02'), so it
    is never split; Etsy's 'Personalization:Not requested on this item.' is none.
    """
    text = text.strip()
    variant: list[str] = []
    labels = list(_PARTS.finditer(text))
    if not labels:
        return text, ""
    if labels[0].start() > 0:
        variant.append(text[:labels[0].start()].strip())  # a value with no label of its own
    for label, after in zip(labels, [*labels[1:], None], strict=True):
        name = label.group(1).strip()
        if name.casefold().startswith("personali"):
            personal = text[label.end():].strip()
            if personal.casefold() == _NOT_REQUESTED:
                personal = ""
            return ", ".join(variant), personal
        value = text[label.end():after.start() if after is not None else len(text)]
        variant.append(f"{name}: {value.strip()}")
    return ", ".join(variant), ""


def state_of(status: str, shipped: bool) -> OrderState:
    word = status.strip().casefold()
    if "cancel" in word:
        return OrderState.CANCELLED
    if "refund" in word:
        return OrderState.REFUNDED
    if shipped or word in ("completed", "complete", "shipped", "delivered"):
        return OrderState.SHIPPED
    if word in ("unpaid", "pending", "payment pending"):
        return OrderState.PENDING
    return OrderState.OPEN


class OrderPart:
    """What the orders file says of one order."""

    __slots__ = ("address", "currency", "customer", "fees", "items", "key", "placed_at", "raw",
                 "row", "shipped", "shipping", "skus", "status", "subtotal", "tax", "total")


class ItemsPart:
    """What the items file says of one order."""

    __slots__ = ("address", "currency", "customer", "item_totals", "key", "lines",
                 "placed_at", "raw", "row", "sale_text", "shipped", "shipping", "tax")

    def __init__(self, key: str, row: int) -> None:
        self.key = key
        self.row = row
        self.lines: list[ChannelOrderLine] = []
        self.shipped: list[bool] = []
        self.item_totals = 0
        self.raw = RawParts()


def _key(text: str) -> str:
    return text.strip().lstrip("#").strip()


def read_orders_part(table: Table, shop: Shop, progress: Progress | None = None
                     ) -> tuple[dict[str, OrderPart], Problems, int]:
    problems = Problems()
    cols = Columns(table, ORDERS_REQUIRED, ORDERS_OPTIONAL)
    if problems.missing_columns(table, cols, FileFormat.ETSY_SOLD_ORDERS.title):
        return {}, problems, 0
    ix = cols.index
    parts: dict[str, OrderPart] = {}
    rows = 0
    for number, row in table.rows:
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
        cols.pad(row)
        key = _key(row[ix["Order ID"]])
        if not key:
            problems.add(number, "Order ID", "the order id is empty")
            continue
        if key in parts:
            problems.add(number, "Order ID", f"order {key} is listed twice (first on row "
                         f"{parts[key].row})", key)
            continue
        exact_id(key, number, "Order ID", problems, key, "Etsy")
        part = parts[key] = OrderPart()
        part.key, part.row = key, number
        part.currency = cur = currency_code(row[ix["Currency"]], shop.currency, number,
                                            "Currency", problems, key)
        part.placed_at = _date(row[ix["Sale Date"]], shop, number, "Sale Date", problems, key)
        shipped_text = row[ix["Date Shipped"]].strip()
        _date(shipped_text, shop, number, "Date Shipped", problems, key, required=False)
        part.shipped = bool(shipped_text)
        part.status = row[ix["Status"]]
        full = row[ix["Full Name"]].strip() or " ".join(
            p for p in (row[ix["First Name"]].strip(), row[ix["Last Name"]].strip()) if p)
        part.customer = full or row[ix["Buyer"]].strip() or row[ix["Buyer User ID"]].strip()
        part.address = Address(
            name=full, address1=row[ix["Street 1"]].strip(),
            address2=row[ix["Street 2"]].strip(), city=row[ix["Ship City"]].strip(),
            region=row[ix["Ship State"]].strip(), postcode=row[ix["Ship Zipcode"]].strip(),
            country=country(row[ix["Ship Country"]], number, "Ship Country", problems, key))
        part.subtotal = money(row[ix["Order Value"]], cur, number, "Order Value", problems,
                              key)
        part.shipping = money(row[ix["Shipping"]], cur, number, "Shipping", problems, key)
        part.tax = money(row[ix["Sales Tax"]], cur, number, "Sales Tax", problems, key)
        part.total = money(row[ix["Order Total"]], cur, number, "Order Total", problems, key)
        part.fees = money(row[ix["Card Processing Fees"]], cur, number,
                          "Card Processing Fees", problems, key)
        items_text = row[ix["Number of Items"]].strip()
        part.items = (quantity(items_text, number, "Number of Items", problems, key)
                      if items_text else 0)
        part.skus = [s.strip() for s in row[ix["SKU"]].split(",") if s.strip()]
        part.raw = table.raw()
    if progress is not None:
        progress(rows)
    return parts, problems, rows


def read_items_part(table: Table, shop: Shop, progress: Progress | None = None
                    ) -> tuple[dict[str, ItemsPart], Problems, int]:
    problems = Problems()
    cols = Columns(table, ITEMS_REQUIRED, ITEMS_OPTIONAL)
    if problems.missing_columns(table, cols, FileFormat.ETSY_SOLD_ORDER_ITEMS.title):
        return {}, problems, 0
    ix = cols.index
    i_key, i_qty, i_price, i_title = ix["Order ID"], ix["Quantity"], ix["Price"], ix[
        "Item Name"]
    i_total, i_sku, i_txn, i_var = ix["Item Total"], ix["SKU"], ix["Transaction ID"], ix[
        "Variations"]
    i_shipped, i_sale = ix["Date Shipped"], ix["Sale Date"]
    parts: dict[str, ItemsPart] = {}
    rows = 0
    for number, row in table.rows:
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
        cols.pad(row)
        key = _key(row[i_key])
        if not key:
            problems.add(number, "Order ID", "the order id is empty")
            continue
        part = parts.get(key)
        if part is None:
            part = parts[key] = ItemsPart(key, number)
            exact_id(key, number, "Order ID", problems, key, "Etsy")
            _items_order_fields(part, row, ix, number, shop, problems)
        elif row[i_sale] and row[i_sale] != part.sale_text:  # a later row's own date
            _date(row[i_sale], shop, number, "Sale Date", problems, key)
        if part.raw.wants_more():
            part.raw.add(table.raw())
        cur = part.currency
        qty = quantity(row[i_qty], number, "Quantity", problems, key)
        price = money(row[i_price], cur, number, "Price", problems, key)
        part.item_totals += (money(row[i_total], cur, number, "Item Total", problems, key)
                             if row[i_total].strip() else price * qty)
        variant, personal = split_variations(row[i_var])
        part.lines.append(ChannelOrderLine(
            sku=row[i_sku].strip(), title=row[i_title].strip(), quantity=qty,
            unit_price_minor=price, personalisation=personal,
            external_id=exact_id(row[i_txn], number, "Transaction ID", problems, key, "Etsy"),
            variant=variant))
        shipped_text = row[i_shipped].strip()
        _date(shipped_text, shop, number, "Date Shipped", problems, key, required=False)
        part.shipped.append(bool(shipped_text))
    if progress is not None:
        progress(rows)
    return parts, problems, rows


def _items_order_fields(part: ItemsPart, row: list[str], ix: dict[str, int], number: int,
                        shop: Shop, problems: Problems) -> None:
    key = part.key
    part.currency = cur = currency_code(row[ix["Currency"]], shop.currency, number,
                                        "Currency", problems, key)
    part.sale_text = row[ix["Sale Date"]]
    part.placed_at = _date(row[ix["Sale Date"]], shop, number, "Sale Date", problems, key)
    part.shipping = money(row[ix["Order Shipping"]], cur, number, "Order Shipping", problems,
                          key)
    part.tax = money(row[ix["Order Sales Tax"]], cur, number, "Order Sales Tax", problems, key)
    name = row[ix["Ship Name"]].strip()
    part.customer = name or row[ix["Buyer"]].strip()
    part.address = Address(
        name=name, address1=row[ix["Ship Address1"]].strip(),
        address2=row[ix["Ship Address2"]].strip(), city=row[ix["Ship City"]].strip(),
        region=row[ix["Ship State"]].strip(), postcode=row[ix["Ship Zipcode"]].strip(),
        country=country(row[ix["Ship Country"]], number, "Ship Country", problems, key))


def _date(text: str, shop: Shop, number: int, field: str, problems: Problems, key: str,
          required: bool = True) -> datetime | None:
    text = text.strip()
    if not text:
        if required:
            problems.add(number, field, "the date is empty", key)
        return None
    return when(parse_month_first, text, shop.tz, number, field, problems, key)


def join(orders: dict[str, OrderPart], items: dict[str, ItemsPart],
         spoiled: set[str]) -> list[ChannelOrder]:
    """Whole orders from either file or both, in the order they first appear."""
    joined = [_joined(part, items.get(key)) for key, part in orders.items()
              if key not in spoiled]
    return joined + [_from_items(part) for key, part in items.items()
                     if key not in orders and key not in spoiled]


def _joined(o: OrderPart, it: ItemsPart | None) -> ChannelOrder:
    """The orders file's money, status and fees, with the items file's lines if read."""
    items_shipped = it is not None and bool(it.shipped) and all(it.shipped)
    address = it.address if it is not None and not o.address.address1 else o.address
    raw = o.raw + ("\n" + it.raw.text() if it is not None else "")
    return ChannelOrder(
        external_id=o.key, number=o.key, placed_at=o.placed_at,
        state=state_of(o.status, o.shipped or items_shipped), currency=o.currency,
        customer_name=o.customer, shipping_address=address,
        lines=tuple(it.lines) if it is not None else _lines_from_skus(o),
        subtotal_minor=o.subtotal, shipping_minor=o.shipping, tax_minor=o.tax,
        total_minor=o.total, fees_minor=o.fees, raw=raw[:RAW_LIMIT])


def _from_items(it: ItemsPart) -> ChannelOrder:
    """An order known only from the items file: totals added up from its rows."""
    lines = tuple(it.lines)
    return ChannelOrder(
        external_id=it.key, number=it.key, placed_at=it.placed_at,
        state=state_of("", bool(it.shipped) and all(it.shipped)), currency=it.currency,
        customer_name=it.customer, shipping_address=it.address, lines=lines,
        subtotal_minor=sum(line.unit_price_minor * line.quantity for line in lines),
        shipping_minor=it.shipping, tax_minor=it.tax,
        total_minor=it.item_totals + it.shipping + it.tax, raw=it.raw.text())


def _lines_from_skus(o: OrderPart) -> tuple[ChannelOrderLine, ...]:
    """Without the items file an order's items are only its SKUs; one SKU gets the price."""
    if len(o.skus) <= 1:
        qty = o.items or 1
        return (ChannelOrderLine(sku=o.skus[0] if o.skus else "",
                                 title=o.skus[0] if o.skus else "Etsy order", quantity=qty,
                                 unit_price_minor=(2 * o.subtotal + qty) // (2 * qty)),)
    return tuple(ChannelOrderLine(sku=sku, title=sku, quantity=1, unit_price_minor=0)
                 for sku in o.skus)


def parse_etsy(orders_table: Table | None, items_table: Table | None, shop: Shop,
               progress: Progress | None = None) -> ParseResult:
    """One Etsy file, or the pair joined by Order ID (problems then name their file)."""
    order_parts: dict[str, OrderPart] = {}
    item_parts: dict[str, ItemsPart] = {}
    found: list[tuple[Table, Problems]] = []
    rows = 0
    if orders_table is not None:
        order_parts, problems, n = read_orders_part(orders_table, shop, progress)
        found.append((orders_table, problems))
        rows += n
    if items_table is not None:
        item_parts, problems, n = read_items_part(items_table, shop, progress)
        found.append((items_table, problems))
        rows += n
    spoiled = set().union(*(p.spoiled for _, p in found))
    all_problems: list[RowProblem] = []
    for table, problems in found:
        suffix = f" ({table.name})" if len(found) > 1 else ""
        all_problems += [RowProblem(p.row, p.field, p.message + suffix)
                         for p in problems.items]
    fmt = (FileFormat.ETSY_SOLD_ORDER_ITEMS if items_table is not None
           else FileFormat.ETSY_SOLD_ORDERS)
    return ParseResult(fmt, tuple(join(order_parts, item_parts, spoiled)),
                       tuple(all_problems), rows, " + ".join(t.name for t, _ in found))
