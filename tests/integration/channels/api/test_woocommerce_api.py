"""The WooCommerce driver against a loopback server speaking the wc/v3 REST API's shapes."""

from __future__ import annotations

import base64
import json
import re
import traceback
from datetime import UTC, datetime

import pytest
from werkzeug import Request, Response

from app.channels.base import (
    ChannelDriver,
    ChannelError,
    CredentialsRefused,
    OrderState,
    ShipmentNotice,
    StockUpdate,
)
from app.channels.woocommerce import WooCommerceDriver, normalise_site_url, order_from_json

from .conftest import (
    WOO_API,
    WOO_KEY,
    WOO_SECRET,
    json_response,
    load,
    requests_to,
    text,
)

ORDERS = f"{WOO_API}/orders"


def _serve_order_pages(httpserver, pages: list[list[dict]]) -> None:
    def answer(request: Request) -> Response:
        page = int(request.args.get("page", "1"))
        return json_response(pages[page - 1], headers={
            "X-WP-Total": str(sum(map(len, pages))), "X-WP-TotalPages": str(len(pages))})

    httpserver.expect_request(ORDERS, method="GET").respond_with_handler(answer)


def test_the_driver_speaks_the_channel_protocol(woo):
    driver = woo()
    assert isinstance(driver, ChannelDriver)
    assert driver.kind == "woocommerce"


def test_the_sample_order_maps_to_a_channel_order():
    order = order_from_json(load("woocommerce_order.json"))

    assert (order.external_id, order.number) == ("727", "727")
    assert order.placed_at == datetime(2026, 11, 2, 16, 28, 2, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 11, 2, 16, 28, 8, tzinfo=UTC)
    assert order.state is OrderState.OPEN
    assert order.currency == "GBP"
    assert order.customer_name == "John Doe"
    assert order.customer_email == "john.doe@example.com"
    address = order.shipping_address
    assert (address.name, address.address1, address.address2, address.city, address.postcode,
            address.country, address.phone) == (
        "Jane Doe, Doe & Daughters", "12 Orchard Row", "Flat 2", "Bath", "BA1 1AA", "GB",
        "(555) 555-5555")
    assert (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor) == (
        1800, 1000, 135, 2935)
    assert order.shipping_service == "Flat Rate"
    single, variation = order.lines
    assert (single.sku, single.quantity, single.unit_price_minor, single.external_id) == (
        "WOO-SINGLE-1", 2, 300, "315")
    assert single.personalisation == "Engraving: For Ana, love always"
    assert single.variant == ""
    assert variation.title == "Ship Your Idea – Color: Black, Size: M Test"
    assert variation.variant == "Color: Black, Size: M Test"
    assert variation.personalisation == "Gift message: Happy birthday"
    assert variation.unit_price_minor == 1200


@pytest.mark.parametrize(("status", "state"), [
    ("pending", OrderState.PENDING), ("on-hold", OrderState.PENDING),
    ("failed", OrderState.PENDING), ("processing", OrderState.OPEN),
    ("completed", OrderState.SHIPPED), ("cancelled", OrderState.CANCELLED),
    ("refunded", OrderState.REFUNDED),
])
def test_woocommerce_statuses_become_order_states(status, state):
    assert order_from_json({**load("woocommerce_order.json"), "status": status}).state is state


def test_a_fractional_unit_price_is_rounded_to_minor_units():
    order = load("woocommerce_order.json")
    order["line_items"][0]["price"] = 18.333333333333332
    assert order_from_json(json.loads(json.dumps(order))).lines[0].unit_price_minor == 1833


def _serve_the_shop(httpserver, shop: list[dict]) -> None:
    """orders as WooCommerce lists them: modified after, oldest change first, per_page."""
    def answer(request: Request) -> Response:
        after = request.args.get("modified_after", "")
        per_page, page = int(request.args["per_page"]), int(request.args.get("page", "1"))
        listed = sorted((o for o in shop if o["date_modified_gmt"] > after),
                        key=lambda o: (o["date_modified_gmt"], o["id"]))
        pages = max(1, -(-len(listed) // per_page))
        return json_response(listed[(page - 1) * per_page:][:per_page], headers={
            "X-WP-Total": str(len(listed)), "X-WP-TotalPages": str(pages)})

    httpserver.expect_request(ORDERS, method="GET").respond_with_handler(answer)


def test_pages_follow_the_last_change_read_and_each_carries_its_cursor(
        httpserver, woo, woo_order):
    shop = [woo_order(n, f"2026-11-20T{9 + (n - 800) // 60:02d}:{(n - 800) % 60:02d}:00")
            for n in range(800, 1030)]
    _serve_the_shop(httpserver, shop)

    fetched = list(woo().fetch_orders("2026-11-19T00:00:00Z"))

    numbers = [o.number for page in fetched for o in page.orders]
    assert numbers == [str(n) for n in range(800, 1030)]  # each once, oldest change first
    # each next page starts a second before the last change read: the one order of that
    # second is read again and passed over
    assert [len(page.orders) for page in fetched] == [100, 99, 31]
    assert [page.cursor for page in fetched] == [
        "2026-11-20T10:39:00Z", "2026-11-20T12:18:00Z", "2026-11-20T12:49:00Z"]
    sent = requests_to(httpserver, ORDERS)
    assert [(r.args["page"], r.args["modified_after"]) for r in sent] == [
        ("1", "2026-11-18T23:59:59"), ("1", "2026-11-20T10:38:59"),
        ("1", "2026-11-20T12:17:59")]
    assert all(dict(r.args, page="*", modified_after="*") == {
        "per_page": "100", "orderby": "modified", "order": "asc", "dates_are_gmt": "true",
        "modified_after": "*", "page": "*"} for r in sent)
    basic = base64.b64encode(f"{WOO_KEY}:{WOO_SECRET}".encode()).decode()
    assert all(r.headers["Authorization"] == f"Basic {basic}" for r in sent)


def test_a_page_of_orders_changed_in_one_second_is_stepped_past_by_number(
        httpserver, woo, woo_order):
    shop = [woo_order(n, "2026-11-20T09:00:00") for n in range(1, 151)]
    _serve_the_shop(httpserver, shop)

    fetched = list(woo().fetch_orders(None))

    assert sorted(int(o.number) for page in fetched for o in page.orders) == list(
        range(1, 151))
    assert [r.args["page"] for r in requests_to(httpserver, ORDERS)][-1] == "2"


def test_a_checkout_draft_is_not_an_order(httpserver, woo, woo_order):
    _serve_the_shop(httpserver, [woo_order(1, "2026-11-20T09:00:00"),
                                 {**woo_order(2, "2026-11-20T09:01:00"),
                                  "status": "checkout-draft"}])
    (page,) = woo().fetch_orders(None)
    assert [o.number for o in page.orders] == ["1"] and page.problems == ()


def test_without_total_pages_a_short_page_is_the_last(httpserver, woo, woo_order):
    httpserver.expect_request(ORDERS).respond_with_json([woo_order(801)])

    pages = list(woo().fetch_orders(None))

    assert len(pages) == 1
    assert "modified_after" not in requests_to(httpserver, ORDERS)[0].args


def test_fetching_only_reads_from_the_shop(httpserver, woo, woo_order):
    _serve_order_pages(httpserver, [[woo_order(801)], [woo_order(802)]])

    list(woo().fetch_orders(None))

    assert {request.method for request in requests_to(httpserver)} == {"GET"}


def test_keys_can_travel_in_the_query_string_instead(httpserver, woo, woo_order):
    httpserver.expect_request(ORDERS).respond_with_json([woo_order(801)])

    list(woo(keys_in_query=True).fetch_orders(None))

    (sent,) = requests_to(httpserver, ORDERS)
    assert sent.args["consumer_key"] == WOO_KEY
    assert sent.args["consumer_secret"] == WOO_SECRET
    assert "Authorization" not in sent.headers


def test_an_order_that_cannot_be_read_becomes_a_problem_not_a_crash(httpserver, woo, woo_order):
    strange = woo_order(802, status="awaiting-shipment")
    undated = woo_order(803, date_created_gmt=None)
    _serve_order_pages(httpserver, [[woo_order(801), strange, undated]])

    (page,) = woo().fetch_orders(None)

    assert [o.number for o in page.orders] == ["801"]
    assert [ref for ref, _, _ in page.problems] == ["802", "803"]
    assert "status 'awaiting-shipment' is not one Backroom knows" in page.problems[0][1]
    assert "it has no date_created_gmt" in page.problems[1][1]
    assert json.loads(page.problems[0][2])["id"] == 802


def test_a_refused_key_says_where_to_make_a_new_one(httpserver, woo):
    httpserver.expect_request(ORDERS).respond_with_json(load("woocommerce_401.json"), status=401)

    with pytest.raises(CredentialsRefused) as raised:
        list(woo().fetch_orders(None))

    message = str(raised.value)
    assert "WooCommerce refused the consumer key for site http://localhost:" in message
    assert "(Consumer key is invalid.)" in message
    assert "WooCommerce > Settings > Advanced > REST API" in message
    assert "Send the keys in the address" in message


def test_a_login_page_instead_of_orders_is_explained(httpserver, woo):
    httpserver.expect_request(ORDERS).respond_with_data(
        text("wordpress_login.html"), content_type="text/html; charset=UTF-8")

    with pytest.raises(ChannelError) as raised:
        list(woo().fetch_orders(None))

    assert str(raised.value) == (
        "WooCommerce answered /shop/wp-json/wc/v3/orders with a web page (“Log In ‹ Ana's "
        "Engraving — WordPress”) instead of data — a login, maintenance or security page may "
        "be in the way. Check the site address in Settings > Channels and that the site opens "
        "in a browser, then try again.")


def test_a_missing_rest_api_says_to_check_the_address(httpserver, woo):
    httpserver.expect_request(ORDERS).respond_with_json(
        {"code": "rest_no_route", "message": "No route was found matching the URL and request "
                                             "method.", "data": {"status": 404}}, status=404)

    with pytest.raises(ChannelError, match=r"HTTP 404: No route was found.*Check the site "
                                           r"address in Settings > Channels"):
        list(woo().fetch_orders(None))


def test_250_skus_go_out_in_three_batches_of_at_most_100(httpserver, woo):
    def answer(request: Request) -> Response:
        items = json.loads(request.data)["update"]
        return json_response({"update": [{"id": i["id"], "stock_quantity": i["stock_quantity"]}
                                         for i in items]})

    httpserver.expect_request(f"{WOO_API}/products/batch", method="POST").respond_with_handler(
        answer)
    updates = [StockUpdate(f"SKU-{n}", n, external_id=str(1000 + n)) for n in range(250)]

    errors = woo().push_stock(updates)

    assert errors == []
    batches = [json.loads(r.data)["update"] for r in requests_to(
        httpserver, f"{WOO_API}/products/batch")]
    assert [len(b) for b in batches] == [100, 100, 50]
    assert batches[0][7] == {"id": 1007, "stock_quantity": 7, "manage_stock": True}


def test_skus_without_ids_are_looked_up_and_variations_go_to_their_parent(httpserver, woo):
    httpserver.expect_request(f"{WOO_API}/products", method="GET").respond_with_json(
        load("woocommerce_products_by_sku.json"), headers={"X-WP-TotalPages": "1"})
    httpserver.expect_request(f"{WOO_API}/products/batch", method="POST").respond_with_json(
        {"update": [{"id": 93, "stock_quantity": 4}]})
    httpserver.expect_request(f"{WOO_API}/products/22/variations/batch",
                              method="POST").respond_with_json(
        {"update": [{"id": 23, "error": {"code": "woocommerce_rest_invalid_product_id",
                                         "message": "Invalid product ID.",
                                         "data": {"status": 400}}}]})

    errors = woo().push_stock([StockUpdate("WOO-SINGLE-1", 4), StockUpdate("Bar3", 1),
                               StockUpdate("GONE-1", 9), StockUpdate("A,B", 1)])

    (lookup,) = requests_to(httpserver, f"{WOO_API}/products")
    assert lookup.args["sku"] == "Bar3,GONE-1,WOO-SINGLE-1"
    assert errors == [
        ("A,B", "WooCommerce cannot look up a SKU with a comma in it — enter the product id in "
                "the listing."),
        ("GONE-1", "No product in WooCommerce has SKU GONE-1 — correct the SKU in WooCommerce "
                   "or in the listing."),
        ("Bar3", "WooCommerce did not set the stock of Bar3: Invalid product ID."),
    ]
    assert woo().product_refs(["Bar3"]) == {"Bar3": ["22:23"]}


def test_a_batch_refused_whole_fails_its_skus_and_the_rest_go_on(httpserver, woo):
    httpserver.expect_ordered_request(f"{WOO_API}/products/batch").respond_with_json(
        {"code": "rest_invalid_param", "message": "Invalid parameter(s): update",
         "data": {"status": 400}}, status=400)
    httpserver.expect_ordered_request(f"{WOO_API}/products/5/variations/batch"
                                      ).respond_with_json({"update": [{"id": 6}]})

    errors = woo().push_stock([StockUpdate("A", 1, "1"), StockUpdate("B", 2, "5:6")])

    assert errors == [("A", "WooCommerce did not set the stock of A: Invalid parameter(s): "
                            "update.")]


def test_a_site_that_stays_down_fails_every_remaining_sku_without_more_calls(
        httpserver, woo, clock):
    httpserver.expect_request(f"{WOO_API}/products/batch").respond_with_data("", status=503)
    updates = [StockUpdate(f"S{n}", 1, str(n + 1)) for n in range(150)]

    errors = woo().push_stock(updates)

    assert len(errors) == 150
    assert "HTTP 503" in errors[0][1]
    assert len(requests_to(httpserver, f"{WOO_API}/products/batch")) == 4  # one batch, 4 tries


def _notice(**changes) -> ShipmentNotice:
    values = {"order_external_id": "727", "order_number": "727", "carrier": "Royal Mail",
              "tracking_number": "RM123456789GB",
              "shipped_at": datetime(2026, 11, 3, 15, 0, tzinfo=UTC),
              "tracking_url": "https://www.royalmail.com/track-your-item#/tracking-results/"
                              "RM123456789GB"}
    return ShipmentNotice(**{**values, **changes})


def test_a_shipment_completes_the_order_and_leaves_a_customer_note(httpserver, woo):
    completed = {**load("woocommerce_order.json"), "status": "completed"}
    httpserver.expect_ordered_request(f"{ORDERS}/727", method="PUT").respond_with_json(completed)
    httpserver.expect_ordered_request(f"{ORDERS}/727/notes", method="POST").respond_with_json(
        load("woocommerce_order_note.json"), status=201)

    woo().push_shipment(_notice())

    put, note = requests_to(httpserver)
    assert json.loads(put.data) == {"status": "completed"}
    assert json.loads(note.data) == {
        "note": "Shipped with Royal Mail, tracking RM123456789GB https://www.royalmail.com/"
                "track-your-item#/tracking-results/RM123456789GB",
        "customer_note": True}


def test_a_shipment_of_some_lines_only_adds_the_note(httpserver, woo):
    httpserver.expect_request(f"{ORDERS}/727/notes", method="POST").respond_with_json(
        load("woocommerce_order_note.json"), status=201)

    woo().push_shipment(_notice(line_external_ids=("316",), partial=True, tracking_url=""))

    (note,) = requests_to(httpserver)
    assert json.loads(note.data)["note"] == ("Part of your order was shipped with Royal Mail, "
                                             "tracking RM123456789GB")


def test_a_shipment_for_a_missing_order_says_so(httpserver, woo):
    httpserver.expect_request(f"{ORDERS}/727", method="PUT").respond_with_json(
        {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.",
         "data": {"status": 404}}, status=404)

    with pytest.raises(ChannelError) as raised:
        woo().push_shipment(_notice())

    assert str(raised.value) == ("WooCommerce has no order 727 (id 727) — it may have been "
                                 "deleted; the tracking number RM123456789GB was not sent.")


def test_site_addresses_are_tidied_and_plain_http_is_refused_off_this_computer():
    assert normalise_site_url("shop.example/wp-admin/") == "https://shop.example"
    assert normalise_site_url("https://example.com/shop/wp-json/wc/v3") == \
        "https://example.com/shop"
    assert normalise_site_url("http://localhost:8080/") == "http://localhost:8080"
    with pytest.raises(ChannelError, match=re.escape("https://shop.example")):
        normalise_site_url("http://shop.example")
    with pytest.raises(CredentialsRefused):
        WooCommerceDriver("https://shop.example", "", "")


def test_the_keys_never_show_in_errors_or_reprs(httpserver, woo):
    httpserver.expect_request(ORDERS).respond_with_json(
        {"code": "woocommerce_rest_authentication_error",
         "message": f"Consumer key {WOO_KEY} is invalid.", "data": {"status": 401}}, status=401)
    httpserver.expect_request(f"{WOO_API}/products").respond_with_data(
        f"<?php echo {WOO_SECRET}", content_type="application/json")
    httpserver.expect_request(f"{ORDERS}/727/notes").respond_with_json(
        {"code": "x", "message": f"Bad {WOO_SECRET}", "data": {"status": 400}}, status=400)
    failures = []
    for driver in (woo(), woo(keys_in_query=True)):
        for attempt in (lambda d=driver: list(d.fetch_orders(None)),
                        lambda d=driver: d.push_stock([StockUpdate("X", 1)]),
                        lambda d=driver: d.push_shipment(_notice(line_external_ids=("1",)))):
            try:
                result = attempt()
            except ChannelError as exc:
                failures.append(exc)
            else:
                failures.append(ChannelError(str(result)))
        assert WOO_KEY not in repr(driver) and WOO_SECRET not in repr(driver.http)

    assert len(failures) == 6
    for exc in failures:
        shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
        assert WOO_KEY not in shown and WOO_SECRET not in shown
