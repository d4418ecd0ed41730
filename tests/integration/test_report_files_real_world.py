"""Channel report files as they turn up in real life: re-saved by Excel (European `;` and
decimal commas, cp1252, UTF-16, lone CR), with columns added or moved, and each channel's
awkward rows. Each file is read right, or refused in words with nothing written."""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from pathlib import Path

import pytest
from report_rows import FILES, TAB, rows_of
from report_rows import csv_text as text_of
from report_rows import tsv_text as tsv
from sqlalchemy import func, select

from app.channels.files import read_orders
from app.db.models import Order, SyncRun
from app.domain.errors import DomainError
from app.services import file_import
from app.services.channels import ChannelSetup, save_channel

SHOPIFY, AMAZON = FILES / "shopify_orders_export.csv", FILES / "amazon_order_report.txt"
ALL_ORDERS, EBAY_UK = FILES / "amazon_all_orders.txt", FILES / "ebay_uk_orders_report.csv"
ETSY_ORDERS = FILES / "EtsySoldOrders2024-11.csv"
ETSY_ITEMS = FILES / "EtsySoldOrderItems2024-11.csv"


def edit(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """Set one cell; `row` counts records as a spreadsheet does (the header is row 1)."""
    at = next(i for i, r in enumerate(rows) if column in r)
    rows[row - 1][rows[at].index(column)] = value
    return rows


def record(header: list[str], cells: dict[str, str]) -> list[str]:
    assert set(cells) <= set(header), set(cells) - set(header)
    return [cells.get(name, "") for name in header]


def table(*records: dict[str, str]) -> list[list[str]]:
    header = list(dict.fromkeys(name for r in records for name in r))
    return [header, *(record(header, r) for r in records)]


def put(tmp_path: Path, name: str, data: str | bytes) -> Path:
    (tmp_path / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return tmp_path / name


def channel(backroom, kind: str, currency: str) -> None:
    backroom.act(save_channel, None, ChannelSetup(name=f"{kind} files", kind=kind, api=False,
                                                  currency=currency))


def take(backroom, *paths: Path):
    return file_import.import_order_files(backroom, list(paths)).files


def stored(backroom) -> dict[str, dict]:
    with backroom.sessions() as s:
        return {o.number: {
            "status": o.status, "total": o.total_minor,
            "subtotal": o.subtotal_minor, "country": o.ship_country, "flagged": o.flagged or "",
            "customer": o.customer_name, "placed": o.placed_at.replace(tzinfo=None),
            "lines": [(x.sku, x.title, x.quantity, x.unit_price_minor, x.personalisation)
                      for x in sorted(o.lines, key=lambda x: x.id)]}
            for o in s.scalars(select(Order))}


def counts(backroom) -> tuple[int, int]:
    with backroom.sessions() as s:
        return s.scalar(select(func.count(Order.id))), s.scalar(select(func.count(SyncRun.id)))


def gist(result) -> list[tuple]:
    return [(o.external_id, o.placed_at, o.state, o.currency, o.customer_name,
             o.shipping_address, o.lines, o.subtotal_minor, o.total_minor) for o in result.orders]


def european(rows: list[list[str]]) -> list[list[str]]:
    """What Excel in a German or French locale writes: decimal commas."""
    return [[re.sub(r"^(-?\d+)\.(\d\d)$", r"\1,\2", cell) for cell in row] for row in rows]


VARIANTS = {
    "excel-eu-semicolon-cp1252": lambda r: text_of(european(r), ";").encode("cp1252"),
    "excel-unicode-text-utf16-bom-tabs": lambda r: text_of(r, TAB).encode("utf-16"),
    "utf16-le-bom-commas": lambda r: codecs.BOM_UTF16_LE + text_of(r).encode("utf-16-le"),
    "lone-cr-line-ends": lambda r: text_of(r).replace("\r\n", "\r").encode(),
    "blank-line-and-row-of-commas-at-end": lambda r: (text_of(r) + "," * 70 + "\r\n\r\n").encode(),
    "columns-moved-and-one-added": lambda r: text_of(
        [[*reversed(row), "Gift Message" if i == 0 else "x"] for i, row in enumerate(r)]).encode(),
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("path", [SHOPIFY, ETSY_ITEMS], ids=lambda p: p.stem)
def test_a_resaved_or_reshaped_file_reads_like_the_channels_own(path, variant):
    plain = read_orders(path, currency="GBP")
    other = read_orders(VARIANTS[variant](rows_of(path)), currency="GBP")
    assert (other.format, other.problems, other.rows) == (plain.format, (), plain.rows)
    assert gist(other) == gist(plain) and len(plain.orders) >= 2


def test_the_same_orders_resaved_by_european_excel_change_nothing(backroom, tmp_path):
    resaved = VARIANTS["excel-eu-semicolon-cp1252"](rows_of(SHOPIFY))
    (first,), (second,) = take(backroom, SHOPIFY), take(backroom, put(tmp_path, "1.csv", resaved))
    assert (second.rejected, second.created, second.updated, second.unchanged) == (
        False, 0, 0, first.created)


@pytest.mark.parametrize(("paths", "kind", "currency"), [
    ([SHOPIFY], "shopify", "USD"), ([ETSY_ORDERS, ETSY_ITEMS], "etsy", "GBP"),
    ([ETSY_ITEMS], "etsy", "GBP"), ([AMAZON], "amazon", "USD"), ([ALL_ORDERS], "amazon", "USD"),
    ([FILES / "ebay_orders_report.csv"], "ebay", "USD"), ([EBAY_UK], "ebay", "GBP"),
], ids=lambda v: v[-1].stem if isinstance(v, list) else v)
def test_importing_the_same_file_twice_changes_nothing(backroom, paths, kind, currency):
    channel(backroom, kind, currency)
    (first,) = take(backroom, *paths)
    assert not first.rejected and first.created >= 1, first.problems
    before = stored(backroom)
    (second,) = take(backroom, *paths)
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert stored(backroom) == before


@pytest.mark.parametrize(("path", "kind", "row", "column", "value"), [
    (SHOPIFY, "shopify", 4, "Lineitem price", "12.5O"),
    (ETSY_ITEMS, "etsy", 3, "Sale Date", "13/45/24"),
    (AMAZON, "amazon", 3, "quantity-purchased", "two"),
    (EBAY_UK, "ebay", 3, "Sold for", "£12,5O"),
], ids=lambda v: getattr(v, "stem", None))
def test_one_broken_row_imports_nothing_and_names_its_row_and_column(
        backroom, tmp_path, path, kind, row, column, value):
    channel(backroom, kind, "GBP")
    rows = edit(rows_of(path), row, column, value)
    broken = put(tmp_path, path.name, tsv(rows) if path.suffix == ".txt" else text_of(rows))
    (one,) = take(backroom, broken)
    assert one.rejected and one.created == 0
    assert any(p.startswith(f"row {row}, {column}: ") and repr(value) in p
               for p in one.problems), one.problems
    assert counts(backroom) == (0, 1)  # no order, only the failed run saying why


def etsy_pair(tmp_path: Path, personalisation: str, country: str = "United Kingdom"
              ) -> list[Path]:
    first = {"Sale Date": "11/24/26", "Currency": "GBP", "Order ID": "3000000001",
             "Order Shipping": "3.95", "Ship Name": "Ann Lee", "Ship Address1": "1 High St",
             "Ship City": "York", "Ship Zipcode": "YO1 7HH", "Ship Country": country}
    items = table(
        {**first, "Item Name": "Mug", "Quantity": "2", "Price": "14.00", "Item Total": "28.00",
         "Transaction ID": "4000000001", "SKU": "MUG-1",
         "Variations": f"Colour:Blue,Personalization:{personalisation}"},
        {**first, "Item Name": "Coaster", "Quantity": "1", "Price": "8.00",
         "Transaction ID": "4000000002", "SKU": "COAST-4", "Variations": "Size:Large,Colour:Blue"},
        {"Sale Date": "11/25/2026", "Item Name": "Print", "Quantity": "1", "Price": "18.00",
         "Order Shipping": "2.00", "Currency": "GBP", "Order ID": "3000000009",
         "Ship Name": "Bo Ng", "SKU": "PRINT-A4"})
    orders = table({
        "Sale Date": "11/24/2026", "Order ID": "3000000001", "Full Name": "Ann Lee",
        "Street 1": "1 High St", "Ship City": "York", "Ship Zipcode": "YO1 7HH",
        "Ship Country": country, "Currency": "GBP", "Order Value": "36.00", "Shipping": "3.95",
        "Order Total": "39.95", "Card Processing Fees": "1.50", "SKU": "MUG-1,COAST-4"})
    return [put(tmp_path, "EtsySoldOrders2026-11.csv", text_of(orders)),
            put(tmp_path, "EtsySoldOrderItems2026-11.csv", text_of(items))]


def test_etsy_files_join_with_both_date_styles_and_an_item_whose_order_is_missing(
        backroom, tmp_path):
    channel(backroom, "etsy", "GBP")
    paths = etsy_pair(tmp_path, 'To "Mum"\nLove, Tom & Zoë')
    (one,) = take(backroom, *paths)
    assert (one.rejected, one.created) == (False, 2), one.problems
    orders = stored(backroom)
    joined, alone = orders["3000000001"], orders["3000000009"]
    assert joined["lines"] == [
        ("MUG-1", "Mug — Colour: Blue", 2, 1400, 'To "Mum"\nLove, Tom & Zoë'),
        ("COAST-4", "Coaster — Size: Large, Colour: Blue", 1, 800, "")]
    assert (joined["total"], joined["country"], joined["placed"].date().isoformat()) == (
        3995, "GB", "2026-11-24")
    assert (alone["total"], alone["customer"], alone["placed"].date().isoformat()) == (
        2000, "Bo Ng", "2026-11-25")
    (again,) = take(backroom, *paths)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_an_etsy_file_with_order_date_for_sale_date_is_refused_in_words(backroom, tmp_path):
    rows = rows_of(ETSY_ORDERS)
    rows[0][rows[0].index("Sale Date")] = "Order Date"
    odd = put(tmp_path, "EtsySoldOrders-renamed.csv", text_of(rows))
    with pytest.raises(DomainError, match=r"EtsySoldOrders-renamed\.csv is not a file"):
        take(backroom, odd)
    assert counts(backroom) == (0, 0)


def test_etsy_personalisation_with_its_own_labels_is_kept_whole(backroom, tmp_path):
    channel(backroom, "etsy", "GBP")
    take(backroom, *etsy_pair(tmp_path, "Name: Sarah, Date: 14/02/2024"))
    mug = stored(backroom)["3000000001"]["lines"][0]
    assert mug[1:] == ("Mug — Colour: Blue", 2, 1400, "Name: Sarah, Date: 14/02/2024")


def test_a_country_name_backroom_does_not_know_is_not_cut_into_another_country(
        backroom, tmp_path):
    channel(backroom, "etsy", "GBP")
    (one,) = take(backroom, *etsy_pair(tmp_path, "Ann", country="Cayman Islands"))
    assert one.rejected or stored(backroom)["3000000001"]["country"] == "KY"


def test_a_country_name_no_table_knows_is_refused_asking_for_its_code(backroom, tmp_path):
    channel(backroom, "etsy", "GBP")
    (one,) = take(backroom, *etsy_pair(tmp_path, "Ann", country="Cayman Isles"))
    assert one.rejected and one.created == 0
    assert "row 2, Ship Country: 'Cayman Isles' is not a country Backroom knows: write its " \
        "two-letter code (GB, US, DE...) in this cell and import the file again " \
        "(EtsySoldOrders2026-11.csv)" in one.problems, one.problems
    assert counts(backroom) == (0, 1)


def test_amazon_offsets_whole_line_prices_several_items_and_a_pending_order_paid_later(
        backroom, tmp_path):
    channel(backroom, "amazon", "GBP")
    order = {"order-id": "202-1111111-1111111", "purchase-date": "2026-11-24T23:30:00-08:00",
             "payments-date": "2026-11-24T23:31:00-08:00", "currency": "GBP",
             "recipient-name": "Ann Lee", "ship-country": "GB", "ship-city": "York"}
    pending = {"order-id": "202-2222222-2222222", "order-item-id": "30000000000003",
               "purchase-date": "2026-11-25T09:00:00+00:00", "sku": "MUG-1",
               "product-name": "Mug", "quantity-purchased": "1", "ship-country": "GB"}
    (one,) = take(backroom, put(tmp_path, "orders-1.txt", tsv(table({
        **order, "order-item-id": "30000000000001", "sku": "MUG-1", "product-name": "Mug",
        "quantity-purchased": "2", "item-price": "25.00", "shipping-price": "3.00"}, {
        **order, "order-item-id": "30000000000002", "sku": "COAST-4", "product-name": "Coaster",
        "quantity-purchased": "1", "item-price": "8.00"}, pending))))
    assert (one.rejected, one.created) == (False, 2), one.problems
    orders = stored(backroom)
    placed = orders["202-1111111-1111111"]
    assert placed["placed"] == datetime(2026, 11, 25, 7, 30)
    assert [line[2:4] for line in placed["lines"]] == [(2, 1250), (1, 800)]
    assert (placed["subtotal"], placed["total"], placed["country"]) == (3300, 3600, "GB")
    waiting = orders["202-2222222-2222222"]
    assert (waiting["status"], waiting["total"]) == ("on_hold", 0)
    paid = {**pending, "payments-date": "2026-11-25T10:00:00+00:00", "currency": "GBP",
            "item-price": "12.50"}
    (two,) = take(backroom, put(tmp_path, "orders-2.txt", tsv(table(paid))))
    assert (two.updated, any("paid" in note for note in two.changed)) == (1, True)
    assert stored(backroom)["202-2222222-2222222"]["status"] == "new"


@pytest.mark.parametrize(("row", "column", "value", "number", "status"), [
    (3, "quantity", "0", "112-9739103-0000002", "cancelled"),
    (2, "order-status", "Shipped - Delivered to Buyer", "112-9739103-0000001", "shipped"),
    (2, "order-status", "Shipped - Returned to Seller", "112-9739103-0000001", "shipped"),
    (2, "order-status", "Shipped - Picked Up", "112-9739103-0000001", "shipped"),
    (4, "order-status", "Pending", "112-9739103-0000003", "on_hold"),
    (4, "order-status", "Pending - Waiting for Pick Up", "112-9739103-0000003", "on_hold"),
], ids=["cancelled-quantity-0", "shipped-delivered-to-buyer", "shipped-returned-to-seller",
        "shipped-picked-up", "pending-no-price", "pending-waiting-for-pick-up"])
def test_amazon_all_orders_statuses_as_amazon_writes_them(
        backroom, tmp_path, row, column, value, number, status):
    channel(backroom, "amazon", "USD")
    rows = edit(rows_of(ALL_ORDERS), row, column, value)
    (one,) = take(backroom, put(tmp_path, "all-orders.txt", tsv(rows)))
    assert not one.rejected, one.problems
    assert stored(backroom)[number]["status"] == status


def test_an_amazon_order_taken_in_pending_follows_when_cancelled_with_quantity_0(
        backroom, tmp_path):
    channel(backroom, "amazon", "USD")
    take(backroom, ALL_ORDERS)
    rows = rows_of(ALL_ORDERS)
    for column, value in (("order-status", "Cancelled"), ("item-status", "Cancelled"),
                          ("quantity", "0"), ("last-updated-date", "2024-04-13T08:00:00+00:00")):
        edit(rows, 4, column, value)
    (one,) = take(backroom, put(tmp_path, "all-orders.txt", tsv(rows)))
    assert (one.rejected, one.updated, one.unchanged) == (False, 1, 2), one.problems
    assert any("cancelled" in note for note in one.changed), one.changed
    assert stored(backroom)["112-9739103-0000003"]["status"] == "cancelled"


def test_an_amazon_order_split_over_two_rows_for_its_promotions_imports(backroom, tmp_path):
    channel(backroom, "amazon", "USD")
    rows = rows_of(AMAZON)
    extra = record(rows[0], {"order-id": "114-2222222-3333333", "item-promotion-id": "P2",
                             "order-item-id": "11111111111111", "item-promotion-discount": "-1.00"})
    (one,) = take(backroom, put(tmp_path, "orders.txt", tsv([*rows, extra])))
    assert not one.rejected, one.problems
    assert stored(backroom)["114-2222222-3333333"]["lines"] == [
        ("PRINT-A4", "Botanical Print A4", 1, 1800, "")]


def test_an_amazon_cell_that_starts_with_a_quote_is_read_as_typed(backroom, tmp_path):
    channel(backroom, "amazon", "USD")
    rows = edit(rows_of(AMAZON), 4, "ship-address-1", '"Rose Cottage, Mill Lane')
    (one,) = take(backroom, put(tmp_path, "orders.txt", tsv(rows)))
    assert not one.rejected, one.problems
    with backroom.sessions() as s:
        assert s.scalar(select(Order.ship_address1).where(
            Order.number == "114-2222222-3333333")) == '"Rose Cottage, Mill Lane'


def test_ebay_junk_lines_record_numbers_money_marks_and_a_comma_in_a_name(backroom, tmp_path):
    channel(backroom, "ebay", "GBP")
    single = {"Sales Record Number": "7", "Order Number": "04-11111-22222",
              "Buyer Name": "Smith, Bob", "Ship To Name": "Smith, Bob",
              "Ship To Country": "United Kingdom", "Item Number": "196000000001",
              "Item Title": "Mug", "Custom Label": "MUG-1", "Quantity": "2",
              "Sold For": "GBP 12.50", "Shipping And Handling": "GBP 3.20",
              "Total Price": "GBP 28.20", "Sale Date": "Nov-24-26", "Transaction ID": "18001"}
    summary = {"Sales Record Number": "8", "Order Number": "04-33333-44444", "Buyer Name":
               "Ann Lee", "Shipping And Handling": "£4.00", "Total Price": "£20.00",
               "Sale Date": "24-Nov-26"}
    items = [{"Order Number": "04-33333-44444", "Item Number": number, "Item Title": title,
              "Custom Label": sku, "Quantity": "1", "Sold For": price}
             for number, title, sku, price in (("196000000002", "Print", "PRINT-A4", "£10.00"),
                                               ("196000000003", "Card", "CARD", "£6.00"))]
    header, *rows = table(single, summary, *items)
    body = [[""] * len(header), header, [""] * len(header), *rows, [],
            ["3", "record(s) downloaded", "from Nov-01-26 to Nov-30-26"], [],
            ["Seller ID : backroom_uk"]]
    path = put(tmp_path, "eBay-OrdersReport-Nov-30-2026.csv", text_of(body))
    (one,) = take(backroom, path)
    assert (one.rejected, one.created, one.rows) == (False, 2, 4), one.problems
    orders = stored(backroom)
    single, multi = orders["04-11111-22222"], orders["04-33333-44444"]
    assert (single["customer"], single["total"]) == ("Smith, Bob", 2820)
    assert [line[0] for line in multi["lines"]] == ["PRINT-A4", "CARD"]
    assert (multi["subtotal"], multi["total"]) == (1600, 2000)
    assert take(backroom, path)[0].unchanged == 2


def test_shopify_empty_sku_is_flagged_and_a_refunded_order_comes_in_cancelled(backroom, tmp_path):
    rows = edit(rows_of(SHOPIFY), 3, "Lineitem sku", "")
    (one,) = take(backroom, put(tmp_path, "orders_export.csv", text_of(rows)))
    assert (one.rejected, one.created) == (False, 3)
    orders = stored(backroom)
    assert "Unknown SKU (none)" in orders["#1001"]["flagged"]
    assert [line[0] for line in orders["#1001"]["lines"]] == ["MUG-BLU", ""]
    assert orders["#1003"]["status"] == "cancelled"


def test_a_shopify_export_whose_ids_excel_rounded_loses_no_order(backroom, tmp_path):
    rows = rows_of(SHOPIFY)
    at = rows[0].index("Id")
    for row in rows[1:]:
        row[at] = f"{float(row[at]):.5E}" if row[at] else ""  # Excel: 5.51235E+12
    (one,) = take(backroom, put(tmp_path, "orders_export.csv", text_of(rows)))
    assert one.rejected or counts(backroom)[0] == 3, (one.created, one.unchanged)
    assert one.problems[0].startswith("row 2, Id: '5.51235E+12' is a long number rounded by "
                                      "a spreadsheet"), one.problems
    assert "export the report again from Shopify" in one.problems[0]
    assert counts(backroom)[0] == 0


def test_an_ebay_report_whose_item_numbers_excel_rounded_is_refused(backroom, tmp_path):
    channel(backroom, "ebay", "GBP")
    rows = edit(rows_of(EBAY_UK), 3, "Item number", "1.96E+11")
    (one,) = take(backroom, put(tmp_path, EBAY_UK.name, text_of(rows)))
    assert one.rejected and one.problems[0].startswith("row 3, Item number: '1.96E+11' is a ")
    assert counts(backroom) == (0, 1)


def test_a_shopify_tip_is_not_an_item_to_make(backroom, tmp_path):
    rows = rows_of(SHOPIFY)
    tip = record(rows[0], {"Name": "#1002", "Created at": "2024-03-06 09:00:41 +0100",
                           "Lineitem quantity": "1", "Lineitem name": "Tip",
                           "Lineitem price": "5.00", "Lineitem requires shipping": "false"})
    take(backroom, put(tmp_path, "orders_export.csv", text_of([*rows[:4], tip, *rows[4:]])))
    order = stored(backroom)["#1002"]
    assert "(none)" not in order["flagged"] and len(order["lines"]) == 1
