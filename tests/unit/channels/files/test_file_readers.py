"""Channel report files become ChannelOrder records; every unreadable row is named."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.channels.base import OrderState
from app.channels.files import FileFormat, describe, read_etsy, read_files, read_orders

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "channels" / "files"
SHOPIFY = FIXTURES / "shopify_orders_export.csv"
ETSY_ORDERS = FIXTURES / "EtsySoldOrders2024-11.csv"
ETSY_ITEMS = FIXTURES / "EtsySoldOrderItems2024-11.csv"


def by_number(result):
    return {order.number: order for order in result.orders}


def edited(path: Path, row: int, column: str, value: str, delimiter: str = ",") -> bytes:
    """The fixture with one cell changed; `row` counts records as a spreadsheet does."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline=""),
                           delimiter=delimiter))
    header_at = next(i for i, r in enumerate(rows) if column in r)
    rows[row - 1][rows[header_at].index(column)] = value
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def without_column(path: Path, column: str) -> bytes:
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    at = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:at] + r[at + 1:] for r in rows])
    return out.getvalue().encode("utf-8")


# --- Shopify ---------------------------------------------------------------------------------


def test_shopify_rows_of_one_order_become_one_order_with_its_lines():
    result = read_orders(SHOPIFY)
    assert result.format is FileFormat.SHOPIFY_ORDERS
    assert (result.rows, len(result.orders), result.problems) == (4, 3, ())
    order = by_number(result)["#1001"]
    assert order.external_id == "5512345678901"
    assert [(line.sku, line.quantity, line.unit_price_minor) for line in order.lines] == [
        ("MUG-BLU", 2, 1800), ("PLATE-NAME", 1, 2200)]
    assert (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor) == (
        5800, 650, 348, 6798)
    assert order.placed_at == datetime(2024, 3, 5, 19, 22, 10, tzinfo=UTC)
    assert (order.currency, order.state, order.shipping_service) == (
        "USD", OrderState.OPEN, "Standard Shipping")


def test_shopify_order_fields_come_from_the_first_row_and_keep_non_ascii_and_newlines():
    order = by_number(read_orders(SHOPIFY))["#1001"]
    assert (order.customer_name, order.customer_email) == ("Zoë Øster", "zoe@example.com")
    address = order.shipping_address
    assert (address.address1, address.address2, address.city) == (
        "12 Rue de l'Église", "Apt 3\nBuzz 31", "Montréal")
    assert (address.postcode, address.phone, address.country) == (
        "H2X 1Y4", "+1 514 555 0101", "CA")  # Shopify's leading apostrophe dropped


def test_shopify_statuses_map_to_order_states():
    orders = by_number(read_orders(SHOPIFY))
    assert orders["#1002"].state is OrderState.SHIPPED  # paid + fulfilled
    assert orders["#1003"].state is OrderState.CANCELLED  # refunded, but Cancelled at is set
    assert orders["#1002"].currency == "EUR"
    assert orders["#1002"].total_minor == 123450


def test_an_orders_raw_text_is_its_rows_as_the_file_has_them():
    order = by_number(read_orders(SHOPIFY))["#1001"]
    assert order.raw.startswith("#1001,zoe@example.com,paid,")
    assert '"Apt 3\nBuzz 31"' in order.raw
    assert "Custom Name Plate" in order.raw
    assert len(order.raw) <= 1000


def test_bom_crlf_and_excel_cp1252_files_read_like_the_plain_export():
    plain = by_number(read_orders(SHOPIFY))
    bom = by_number(read_orders(FIXTURES / "shopify_orders_export_bom_crlf.csv"))
    assert {k: o.lines for k, o in bom.items()} == {k: o.lines for k, o in plain.items()}
    assert bom["#1001"].shipping_address == plain["#1001"].shipping_address
    excel = read_orders(FIXTURES / "shopify_orders_export_excel_cp1252.csv")
    assert excel.orders[0].customer_name == "José Müller"
    assert excel.orders[0].shipping_address.address1 == "Königstraße 5"


def test_a_missing_column_is_named_on_the_header_row():
    result = read_orders(without_column(SHOPIFY, "Created at"), name="orders_export.csv")
    assert result.orders == ()
    assert [describe(p) for p in result.problems] == [
        "row 1, Created at: the Shopify orders export has no 'Created at' column; export "
        "the report again with all its columns"]


def test_a_broken_date_is_named_by_row_and_field_and_spoils_only_its_order():
    result = read_orders(edited(SHOPIFY, 4, "Created at", "2024-13-45"))
    assert [describe(p) for p in result.problems] == [
        "row 4, Created at: '2024-13-45' is not a date"]
    assert sorted(by_number(result)) == ["#1001", "#1003"]


def test_a_broken_amount_is_named_by_row_and_field():
    result = read_orders(edited(SHOPIFY, 3, "Lineitem price", "22,0x"))
    assert [describe(p) for p in result.problems] == [
        "row 3, Lineitem price: '22,0x' is not an amount of money"]
    assert "#1001" not in by_number(result)


def test_row_numbers_count_records_not_the_lines_of_a_quoted_address():
    # Row 2 holds a two-line address; the order on spreadsheet row 4 is on file line 5.
    result = read_orders(edited(SHOPIFY, 4, "Total", "lots"))
    assert [(p.row, p.field) for p in result.problems] == [(4, "Total")]


def test_every_problem_is_reported_not_just_the_first():
    data = edited(SHOPIFY, 2, "Created at", "soon")
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    rows[4][rows[0].index("Lineitem quantity")] = "two"
    rows[3][rows[0].index("Name")] = " "
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    result = read_orders(out.getvalue().encode())
    assert [(p.row, p.field) for p in result.problems] == [
        (2, "Created at"), (4, "Name"), (5, "Lineitem quantity")]
    assert result.problems[1].message == "the order number is empty"
    assert result.orders == ()


# --- Etsy ------------------------------------------------------------------------------------


def test_etsy_orders_and_items_join_by_order_id():
    result = read_etsy(ETSY_ORDERS, ETSY_ITEMS, currency="GBP")
    assert result.problems == ()
    assert result.rows == 5
    order = by_number(result)["3215549876"]
    assert [(line.sku, line.quantity, line.unit_price_minor, line.external_id)
            for line in order.lines] == [("MUG-PERS", 2, 1400, "4012345678"),
                                         ("COAST-4", 1, 1800, "4012345679")]
    assert (order.total_minor, order.shipping_minor, order.fees_minor) == (4995, 395, 215)
    assert order.state is OrderState.SHIPPED
    assert order.customer_name == "Zoë Øster"
    assert order.shipping_address.address1 == "Flat 2\n14 Kingsland Road"
    assert order.shipping_address.country == "GB"
    assert by_number(result)["3215600001"].state is OrderState.OPEN


def test_etsy_personalisation_comes_from_variations():
    order = by_number(read_etsy(ETSY_ORDERS, ETSY_ITEMS, currency="GBP"))["3215549876"]
    mug, coasters = order.lines
    assert (mug.variant, mug.personalisation) == ("Colour: Blue", "Zoë & Tom, est. 2024")
    assert (coasters.variant, coasters.personalisation) == ("Finish: Natural", "")


def test_the_etsy_items_file_alone_makes_orders():
    result = read_orders(ETSY_ITEMS, currency="GBP")
    assert result.format is FileFormat.ETSY_SOLD_ORDER_ITEMS
    order = by_number(result)["3215549876"]
    assert len(order.lines) == 2
    assert (order.subtotal_minor, order.shipping_minor, order.total_minor) == (4600, 395, 4995)
    assert order.placed_at == datetime(2024, 11, 3, tzinfo=UTC)


def test_the_etsy_orders_file_alone_makes_orders_with_lines_from_its_skus():
    result = read_orders(ETSY_ORDERS, currency="GBP")
    assert result.format is FileFormat.ETSY_SOLD_ORDERS
    orders = by_number(result)
    assert [line.sku for line in orders["3215549876"].lines] == ["MUG-PERS", "COAST-4"]
    single = orders["3215600001"].lines
    assert [(line.sku, line.quantity, line.unit_price_minor) for line in single] == [
        ("PRINT-A4", 1, 1800)]
    assert orders["3215549876"].fees_minor == 215


def test_etsy_dates_are_the_shops_local_time():
    result = read_orders(ETSY_ITEMS, shop_tz=ZoneInfo("America/New_York"), currency="GBP")
    assert by_number(result)["3215549876"].placed_at == datetime(2024, 11, 3, 4, 0,
                                                                 tzinfo=UTC)


def test_problems_of_a_joined_pair_name_their_file(tmp_path):
    broken = tmp_path / "EtsySoldOrderItems2024-11.csv"
    broken.write_bytes(edited(ETSY_ITEMS, 3, "Sale Date", "13/45/24"))
    result = read_etsy(ETSY_ORDERS, broken, currency="GBP")
    assert [describe(p) for p in result.problems] == [
        "row 3, Sale Date: '13/45/24' is not a date (EtsySoldOrderItems2024-11.csv)"]
    assert sorted(by_number(result)) == ["3215600001"]


def test_a_later_rows_date_is_checked_too():
    result = read_orders(edited(SHOPIFY, 3, "Created at", "2024-03-05 25:61:00 -0500"))
    assert [(p.row, p.field) for p in result.problems] == [(3, "Created at")]


def test_read_files_pairs_the_etsy_files_and_reads_the_others_alone():
    results = read_files([SHOPIFY, ETSY_ITEMS, ETSY_ORDERS], currency="GBP")
    assert [r.format for r in results] == [FileFormat.SHOPIFY_ORDERS,
                                           FileFormat.ETSY_SOLD_ORDER_ITEMS]
    assert results[1].name == "EtsySoldOrders2024-11.csv + EtsySoldOrderItems2024-11.csv"
    assert by_number(results[1])["3215549876"].fees_minor == 215


# --- Amazon ----------------------------------------------------------------------------------


def test_amazon_order_report_prices_are_for_the_whole_quantity():
    result = read_orders(FIXTURES / "amazon_order_report.txt")
    assert result.format is FileFormat.AMAZON_ORDER_REPORT
    assert (result.rows, result.problems) == (3, ())
    order = by_number(result)["114-0149180-7966659"]
    mug, coasters = order.lines
    assert (mug.quantity, mug.unit_price_minor, mug.external_id) == (2, 1999, "59686379847882")
    assert mug.personalisation.startswith("https://zme-caps.amazon.com/")
    assert (coasters.unit_price_minor, coasters.personalisation) == (1800, "")
    assert (order.subtotal_minor, order.shipping_minor, order.tax_minor) == (5798, 499, 378)
    assert order.total_minor == 5798 + 499 + 378 - 200  # item-promotion-discount
    assert order.placed_at == datetime(2024, 3, 5, 22, 18, 23, tzinfo=UTC)
    assert (order.customer_name, order.shipping_address.phone) == ("Zoë Øster",
                                                                   "270-929-3817")
    other = by_number(result)["114-2222222-3333333"]
    assert other.shipping_address.address2 == "Suite 5"
    assert other.shipping_service == "Expedited"


def test_amazon_all_orders_statuses_map_to_order_states():
    result = read_orders(FIXTURES / "amazon_all_orders.txt")
    assert result.format is FileFormat.AMAZON_ALL_ORDERS
    states = {o.number: o.state for o in result.orders}
    assert states == {"112-9739103-0000001": OrderState.SHIPPED,
                      "112-9739103-0000002": OrderState.CANCELLED,
                      "112-9739103-0000003": OrderState.PENDING}
    shipped = by_number(result)["112-9739103-0000001"]
    assert shipped.lines[0].unit_price_minor == 1800
    assert shipped.updated_at == datetime(2024, 4, 11, 10, 0, tzinfo=UTC)


def test_amazon_rows_with_trailing_empty_columns_cut_off_still_read():
    text = (FIXTURES / "amazon_order_report.txt").read_text("utf-8")
    cut = "\n".join(line.rstrip("\t") for line in text.splitlines())
    assert read_orders(cut.encode()).problems == ()


# --- eBay ------------------------------------------------------------------------------------


def test_ebay_report_skips_its_junk_lines_and_groups_a_multi_item_order():
    result = read_orders(FIXTURES / "ebay_orders_report.csv")
    assert result.format is FileFormat.EBAY_ORDERS
    assert (result.rows, result.problems) == (4, ())
    orders = by_number(result)
    single = orders["12-11111-22222"]
    assert single.state is OrderState.SHIPPED
    assert single.lines[0].external_id == "285123456789-2345678901"
    assert (single.currency, single.total_minor, single.tax_minor) == ("USD", 2449, 149)
    multi = orders["12-33333-44444"]
    assert [(line.sku, line.quantity, line.unit_price_minor) for line in multi.lines] == [
        ("BENCH-WAL", 1, 123450), ("BRUSH-1", 3, 250)]
    assert (multi.subtotal_minor, multi.shipping_minor, multi.total_minor) == (
        124200, 750, 125250)
    assert (multi.state, multi.customer_name) == (OrderState.OPEN, "José Müller")


def test_ebay_uk_report_reads_its_own_column_names_and_pounds():
    result = read_orders(FIXTURES / "ebay_uk_orders_report.csv",
                         shop_tz=ZoneInfo("Europe/London"), currency="GBP")
    assert result.problems == ()
    order = result.orders[0]
    assert (order.currency, order.total_minor, order.shipping_minor) == ("GBP", 2720, 320)
    assert order.shipping_address.postcode == "YO1 7HH"
    assert order.shipping_address.region == "North Yorkshire"
    assert order.shipping_service == "Royal Mail 2nd Class"


def test_ebay_dollars_in_a_pound_shop_are_a_problem_not_a_guess():
    data = edited(FIXTURES / "ebay_uk_orders_report.csv", 3, "Sold for", "$12.00")
    result = read_orders(data, currency="GBP")
    assert [describe(p) for p in result.problems] == [
        "row 3, Sold for: '$12.00' is in dollars, not GBP"]


def test_progress_is_reported_with_the_rows_read():
    seen: list[int] = []
    read_orders(SHOPIFY, progress=seen.append)
    assert seen[-1] == 4


@pytest.mark.parametrize("path", sorted(FIXTURES.iterdir()), ids=lambda p: p.name)
def test_every_fixture_reads_without_problems(path):
    result = read_orders(path, currency="GBP" if "uk" in path.name or "Etsy" in path.name
                         else "USD")
    assert result.problems == ()
    assert result.orders
    for order in result.orders:
        assert order.placed_at.tzinfo is UTC
        assert order.raw


def test_ebay_item_rows_without_a_record_number_join_their_order_by_number():
    text = (FIXTURES / "ebay_uk_orders_report.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[1]
    summary = dict.fromkeys(header, "")
    summary.update({"Sales record number": "502", "Order number": "05-11111-22222",
                    "Buyer name": "Ada West", "Post to name": "Ada West",
                    "Postage and packaging": "£4.00", "Total price": "£20.00",
                    "Sale date": "06-Mar-24", "Paid on date": "06-Mar-24"})
    items = []
    for item, title, price in (("196000000002", "Mug", "£10.00"), ("196000000003", "Print",
                                                                    "£6.00")):
        row = dict.fromkeys(header, "")
        row.update({"Order number": "05-11111-22222", "Item number": item,
                    "Item title": title, "Quantity": "1", "Sold for": price,
                    "Transaction ID": "1", "Sale date": "06-Mar-24"})
        items.append(row)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows[:3])
    writer.writerows([[r[h] for h in header] for r in (summary, *items)])
    result = read_orders(out.getvalue().encode(), currency="GBP")
    assert result.problems == ()
    order = by_number(result)["05-11111-22222"]
    assert [line.title for line in order.lines] == ["Mug", "Print"]
    assert (order.subtotal_minor, order.total_minor, order.customer_name) == (
        1600, 2000, "Ada West")


def test_an_etsy_order_listed_twice_and_an_empty_order_id_are_problems():
    rows = list(csv.reader(io.StringIO(ETSY_ORDERS.read_text("utf-8"), newline="")))
    rows.append(list(rows[1]))
    rows.append(list(rows[2]))
    rows[-1][rows[0].index("Order ID")] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    result = read_orders(out.getvalue().encode(), currency="GBP")
    assert [describe(p) for p in result.problems] == [
        "row 4, Order ID: order 3215549876 is listed twice (first on row 2)",
        "row 5, Order ID: the order id is empty"]
    assert [o.number for o in result.orders] == ["3215600001"]
