"""The rows channels really write that a plain reading gets wrong: ids Excel rounded, country
names, statuses with a detail, promotion and cancelled rows, quotes in unquoted tab files,
personalisation with labels of its own, tips."""

from __future__ import annotations

import pytest
from report_rows import FILES as FIXTURES
from report_rows import TAB, csv_text, rows_of, tsv_text

from app.channels.base import OrderState
from app.channels.files import describe, read_orders
from app.channels.files.amazon import state_of
from app.channels.files.countries import CODES, country_code
from app.channels.files.etsy import split_variations

SHOPIFY = FIXTURES / "shopify_orders_export.csv"
AMAZON = FIXTURES / "amazon_order_report.txt"
ALL_ORDERS = FIXTURES / "amazon_all_orders.txt"
EBAY = FIXTURES / "ebay_orders_report.csv"
ETSY_ITEMS = FIXTURES / "EtsySoldOrderItems2024-11.csv"


def tsv(rows: list[list[str]]) -> bytes:
    return tsv_text(rows).encode()


def set_cell(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """`row` counts records as a spreadsheet does; the header is the first row naming it."""
    header = next(r for r in rows if column in r)
    rows[row - 1][header.index(column)] = value
    return rows


def problems(result) -> list[str]:
    return [describe(p) for p in result.problems]


# --- countries -------------------------------------------------------------------------------


def test_every_iso_3166_code_and_its_english_name_is_known():
    assert len(CODES) == 249
    for code, name in CODES.items():
        assert (country_code(name), country_code(code.lower())) == (code, code)


@pytest.mark.parametrize(("text", "code"), [
    ("United States", "US"), ("USA", "US"), ("United States of America", "US"),
    ("UK", "GB"), ("United Kingdom", "GB"), ("Great Britain", "GB"), ("england", "GB"),
    ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("Korea, South", "KR"),
    ("Russia", "RU"), ("Russian Federation", "RU"), ("Türkiye", "TR"), ("Turkey", "TR"),
    ("Czechia", "CZ"), ("Czech Republic", "CZ"), ("Viet Nam", "VN"), ("Vietnam", "VN"),
    ("Ivory Coast", "CI"), ("Côte d'Ivoire", "CI"), ("Cote D Ivoire", "CI"),
    ("Cote d Ivoire (Ivory Coast)", "CI"), ("The Netherlands", "NL"), ("Bahamas, The", "BS"),
    ("St. Kitts & Nevis", "KN"), ("Réunion", "RE"), ("Aland Islands", "AX"),
    ("Cayman Islands", "KY"), ("Virgin Islands (U.S.)", "VI"), ("Kosovo", "XK"),
    ("  germany ", "DE"), ("Macedonia", "MK"), ("Eswatini", "SZ"), ("Swaziland", "SZ"),
])
def test_names_channels_write_for_a_country_are_known(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["Narnia", "ZZ", "Korea", "Channel Islands", "Cay"])
def test_a_country_not_known_is_not_guessed(text):
    assert country_code(text) is None


def test_no_country_is_no_problem():
    assert country_code("  ") == ""


def test_an_unknown_country_name_is_a_problem_for_its_row_and_column():
    rows = set_cell(rows_of(ETSY_ITEMS), 4, "Ship Country", "Narnia")
    result = read_orders(csv_text(rows).encode(), currency="GBP")
    assert problems(result) == [
        "row 4, Ship Country: 'Narnia' is not a country Backroom knows: write its two-letter "
        "code (GB, US, DE...) in this cell and import the file again"]
    assert [o.number for o in result.orders] == ["3215549876"]


def test_a_country_name_in_an_ebay_uk_report_is_named_by_its_own_column():
    rows = set_cell(rows_of(FIXTURES / "ebay_uk_orders_report.csv"), 3, "Post to country",
                    "Cayman Islands")
    result = read_orders(csv_text(rows).encode(), currency="GBP")
    assert result.orders[0].shipping_address.country == "KY"
    rows = set_cell(rows, 3, "Post to country", "Atlantis")
    assert [p.field for p in read_orders(csv_text(rows).encode(), currency="GBP").problems
            ] == ["Post to country"]


def test_shopify_and_amazon_country_codes_are_checked_too():
    shopify = set_cell(rows_of(SHOPIFY), 4, "Shipping Country", "XX")
    assert [(p.row, p.field) for p in read_orders(csv_text(shopify).encode()).problems] == [
        (4, "Shipping Country")]
    amazon = set_cell(rows_of(AMAZON), 4, "ship-country", "us")
    assert read_orders(tsv(amazon)).orders[-1].shipping_address.country == "US"


# --- ids a spreadsheet rounded ---------------------------------------------------------------


@pytest.mark.parametrize("rounded", ["5.51235E+12", "5,51235E+12", "5.51E12"])
def test_a_shopify_id_excel_rounded_is_refused_in_words(rounded):
    rows = set_cell(rows_of(SHOPIFY), 2, "Id", rounded)
    result = read_orders(csv_text(rows).encode())
    assert problems(result) == [
        f"row 2, Id: {rounded!r} is a long number rounded by a spreadsheet (Excel shows them "
        "as 5.51235E+12), so it no longer tells one order or item from another: export the "
        "report again from Shopify and import that file without opening and saving it in "
        "Excel"]
    assert "#1001" not in {o.number for o in result.orders}


def test_a_shopify_id_excel_kept_whole_reads():
    rows = set_cell(rows_of(SHOPIFY), 2, "Id", "5512345678901")
    assert read_orders(csv_text(rows).encode()).orders[0].external_id == "5512345678901"


@pytest.mark.parametrize(("row", "column"), [(4, "Item Number"), (4, "Transaction ID"),
                                             (6, "Item Number")])
def test_an_ebay_line_id_excel_rounded_is_refused(row, column):
    rows = set_cell(rows_of(EBAY), row, column, "2.85123E+11")
    result = read_orders(csv_text(rows).encode())
    assert [(p.row, p.field) for p in result.problems] == [(row, column)]
    assert "export the report again from eBay" in result.problems[0].message


def test_an_amazon_order_item_id_excel_rounded_is_refused():
    rows = set_cell(rows_of(AMAZON), 3, "order-item-id", "5.96864E+13")
    assert [(p.row, p.field) for p in read_orders(tsv(rows)).problems] == [
        (3, "order-item-id")]


# --- Amazon ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "state"), [
    ("Shipped", OrderState.SHIPPED), ("Shipped - Delivered to Buyer", OrderState.SHIPPED),
    ("Shipped - Returned to Seller", OrderState.SHIPPED),
    ("Shipped - Picked Up", OrderState.SHIPPED), ("Shipped - Out for Delivery",
                                                  OrderState.SHIPPED),
    ("Pending", OrderState.PENDING), ("Pending - Waiting for Pick Up", OrderState.PENDING),
    ("PendingAvailability", OrderState.PENDING), ("Cancelled", OrderState.CANCELLED),
    ("Unshipped", OrderState.OPEN), ("PartiallyShipped", OrderState.OPEN),
    ("Shipping", OrderState.OPEN),
])
def test_amazon_statuses_are_read_by_their_leading_word(status, state):
    assert state_of(status) is state


def test_a_further_promotion_row_of_an_amazon_item_counts_only_its_discount():
    rows = rows_of(AMAZON)
    header = rows[0]
    extra = [dict(zip(header, [""] * len(header), strict=True)) for _ in range(2)]
    extra[0].update({"order-id": "114-2222222-3333333", "order-item-id": "11111111111111",
                     "item-promotion-id": "P2", "item-promotion-discount": "-1.00"})
    extra[1].update({"order-id": "114-2222222-3333333", "ship-promotion-discount": "-0.50"})
    result = read_orders(tsv([*rows, *([r[h] for h in header] for r in extra)]))
    assert result.problems == ()
    order = {o.number: o for o in result.orders}["114-2222222-3333333"]
    assert [(x.sku, x.quantity, x.unit_price_minor) for x in order.lines] == [
        ("PRINT-A4", 1, 1800)]
    assert (order.subtotal_minor, order.total_minor) == (1800, 1800 + 399 - 100 - 50)
    assert order.raw.count("\n") == 2


def test_an_amazon_item_cancelled_with_quantity_0_is_dropped_from_an_order_that_goes_on():
    rows = rows_of(ALL_ORDERS)
    cancelled = list(rows[1])
    for column, value in (("sku", "COAST-4"), ("item-status", "Cancelled"), ("quantity", "0"),
                          ("item-price", ""), ("item-tax", ""), ("shipping-price", "")):
        cancelled[rows[0].index(column)] = value
    result = read_orders(tsv([*rows[:2], cancelled, *rows[2:]]))
    assert result.problems == ()
    order = {o.number: o for o in result.orders}["112-9739103-0000001"]
    assert ([x.sku for x in order.lines], order.state) == (["MUG-BLU"], OrderState.SHIPPED)


def test_an_amazon_order_cancelled_whole_keeps_its_items_once_each():
    rows = set_cell(rows_of(ALL_ORDERS), 3, "quantity", "0")
    order = {o.number: o for o in read_orders(tsv(rows)).orders}["112-9739103-0000002"]
    assert order.state is OrderState.CANCELLED
    assert [(x.sku, x.quantity) for x in order.lines] == [("COAST-4", 1)]


@pytest.mark.parametrize(("column", "typed"), [
    ("ship-address-1", '"Rose Cottage, Mill Lane'), ("product-name", '"Best Mum" Mug'),
    ("ship-address-2", 'Flat "B'), ("recipient-name", '"Ann"'),
])
def test_a_quote_in_amazons_unquoted_tab_file_is_read_as_typed(column, typed):
    rows = set_cell(rows_of(AMAZON), 2, column, typed)
    rows = set_cell(rows, 4, "ship-address-1", '"Rose Cottage')
    result = read_orders(tsv(rows))
    assert (result.problems, len(result.orders)) == ((), 2)
    first = result.orders[0]
    cells = {"ship-address-1": first.shipping_address.address1,
             "ship-address-2": first.shipping_address.address2,
             "product-name": first.lines[0].title, "recipient-name": first.customer_name}
    if column != "recipient-name":  # (a cell quoted whole reads either way)
        assert cells[column] == typed
    assert result.orders[1].shipping_address.address1 == '"Rose Cottage'


def test_an_amazon_quote_that_a_later_cell_seems_to_close_is_still_read_as_typed():
    rows = set_cell(rows_of(AMAZON), 2, "ship-address-1", '"Rose Cottage, Mill Lane')
    rows = set_cell(rows, 3, "product-name", 'Oak Coasters 4"')
    result = read_orders(tsv(rows))
    assert (result.problems, len(result.orders)) == ((), 2)
    first = result.orders[0]
    assert first.shipping_address.address1 == '"Rose Cottage, Mill Lane'
    assert first.lines[1].title == 'Oak Coasters 4"'


def test_an_amazon_report_resaved_as_quoted_unicode_text_still_reads_its_quotes():
    rows = set_cell(rows_of(AMAZON), 4, "ship-address-1", 'The "Old"\tMill')
    rows = set_cell(rows, 2, "product-name", 'Mug\n"Blue", 12"')
    result = read_orders(csv_text(rows, TAB).encode("utf-16"))
    assert result.problems == ()
    assert result.orders[0].lines[0].title == 'Mug\n"Blue", 12"'


def test_a_quoted_tab_file_with_a_tab_in_a_cell_is_read_quoted_when_quotes_close_cleanly():
    rows = set_cell(rows_of(SHOPIFY), 2, "Shipping Address1", "12 Rue\tde l'Église")
    result = read_orders(csv_text(rows, TAB).encode("utf-16"))
    assert result.orders[0].shipping_address.address1 == "12 Rue\tde l'Église"


# --- Etsy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "variant", "personal"), [
    ("Colour:Blue,Personalization:Name: Sarah, Date: 14/02/2024", "Colour: Blue",
     "Name: Sarah, Date: 14/02/2024"),
    ("Colour:Blue,Personalization:Zoë & Tom, est. 2024", "Colour: Blue", "Zoë & Tom, est. 2024"),
    ("Size:Large,Colour:Blue", "Size: Large, Colour: Blue", ""),
    ("Finish:Natural,Personalization:Not requested on this item.", "Finish: Natural", ""),
    ("Personalisation:Line 1: Ann\nLine 2: Bo", "", "Line 1: Ann\nLine 2: Bo"),
    ("Size:L, Large,Colour:Blue", "Size: L, Large, Colour: Blue", ""),
    ("Blue", "Blue", ""), ("", "", ""),
])
def test_etsy_personalisation_runs_to_the_end_of_the_variations(text, variant, personal):
    assert split_variations(text) == (variant, personal)


# --- Shopify ---------------------------------------------------------------------------------


def tip(order: str, requires_shipping: str = "false", sku: str = "") -> list[str]:
    header = rows_of(SHOPIFY)[0]
    row = dict.fromkeys(header, "")
    row.update({"Name": order, "Created at": "2024-03-06 09:00:41 +0100",
                "Lineitem quantity": "1", "Lineitem name": "Tip", "Lineitem price": "5.00",
                "Lineitem requires shipping": requires_shipping, "Lineitem sku": sku})
    return [row[h] for h in header]


def test_a_shopify_tip_counts_in_the_totals_but_is_no_item():
    rows = rows_of(SHOPIFY)
    result = read_orders(csv_text([*rows[:4], tip("#1002"), *rows[4:]]).encode())
    order = {o.number: o for o in result.orders}["#1002"]
    assert [x.sku for x in order.lines] == ["BENCH-WAL"]
    assert (order.subtotal_minor, order.total_minor) == (123450, 123450)  # as Shopify says


@pytest.mark.parametrize(("requires_shipping", "sku"), [("true", ""), ("", ""),
                                                        ("FALSE", "DL-PATTERN")])
def test_a_shopify_line_with_a_sku_or_to_ship_is_still_an_item(requires_shipping, sku):
    rows = rows_of(SHOPIFY)
    result = read_orders(csv_text([*rows[:4], tip("#1002", requires_shipping, sku),
                                   *rows[4:]]).encode())
    order = {o.number: o for o in result.orders}["#1002"]
    assert [x.sku for x in order.lines] == ["BENCH-WAL", sku]


def test_a_shopify_order_of_nothing_but_a_tip_keeps_it_to_be_looked_at():
    rows = rows_of(SHOPIFY)
    only = tip("#1009")
    for column, value in (("Currency", "USD"), ("Total", "5.00"), ("Id", "5512345678909")):
        only[rows[0].index(column)] = value
    result = read_orders(csv_text([*rows, only]).encode())
    order = {o.number: o for o in result.orders}["#1009"]
    assert [(x.title, x.quantity) for x in order.lines] == [("Tip", 1)]
