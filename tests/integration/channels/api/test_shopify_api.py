"""The Shopify driver against a loopback server speaking the Admin REST API's shapes."""

from __future__ import annotations

import json
import traceback
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.channels.base import (
    ChannelDriver,
    ChannelError,
    CredentialsRefused,
    OrderState,
    ShipmentNotice,
    StockUpdate,
)
from app.channels.shopify import call_limit_pause, order_from_json

from .conftest import (
    SHOPIFY_API,
    SHOPIFY_TOKEN,
    json_response,
    load,
    requests_to,
    text,
)

ORDERS = f"{SHOPIFY_API}/orders.json"


def _serve_order_pages(httpserver: HTTPServer, pages: list[list[dict]],
                       headers: dict[str, str] | None = None) -> None:
    """Answer orders.json page by page, linking each to the next with page_info."""
    def answer(request: Request) -> Response:
        token = request.args.get("page_info")
        index = 0 if token is None else int(token.removeprefix("cursor-"))
        extra = dict(headers or {})
        if index + 1 < len(pages):
            link = httpserver.url_for(f"{ORDERS}?limit=250&page_info=cursor-{index + 1}")
            extra["Link"] = f'<{link}>; rel="next"'
            if index:
                prev = httpserver.url_for(f"{ORDERS}?limit=250&page_info=cursor-{index - 1}")
                extra["Link"] = f'<{prev}>; rel="previous", ' + extra["Link"]
        return json_response({"orders": pages[index]}, headers=extra)

    httpserver.expect_request(ORDERS, method="GET").respond_with_handler(answer)


def test_the_driver_speaks_the_channel_protocol(shopify):
    driver = shopify()
    assert isinstance(driver, ChannelDriver)
    assert driver.kind == "shopify"


def test_the_sample_order_maps_to_a_channel_order():
    order = order_from_json(load("shopify_order.json"))

    assert order.external_id == "450789469"
    assert order.number == "#1001"
    assert order.placed_at == datetime(2026, 11, 2, 14, 15, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 11, 2, 14, 20, tzinfo=UTC)
    assert order.state is OrderState.OPEN
    assert order.currency == "USD"
    assert order.customer_name == "Bob Norman"
    assert order.customer_email == "bob.norman@mail.example.com"
    assert order.shipping_address.address2 == "Apt 4"
    assert order.shipping_address.region == "KY"
    assert order.shipping_address.country == "US"
    assert order.shipping_address.postcode == "40202"
    assert (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor) == (
        61200, 1200, 1168, 63568)
    assert order.shipping_service == "Standard Shipping"
    first, second = order.lines
    assert (first.sku, first.title, first.variant, first.quantity, first.unit_price_minor) == (
        "IPOD2008GREEN", "IPod Nano - 8gb", "green", 1, 19900)
    assert first.personalisation == ("Custom Engraving Front: Happy Birthday\n"
                                     "Custom Engraving Back: Merry Christmas")
    assert first.external_id == "466157049"
    assert (second.sku, second.quantity, second.unit_price_minor) == ("MUG-11-WHT", 2, 20650)
    assert json.loads(order.raw)["id"] == 450789469


def test_lines_edited_or_refunded_away_count_only_what_is_left():
    data = load("shopify_order.json")
    data["line_items"][0]["current_quantity"] = 0  # removed by an order edit
    data["line_items"][1]["current_quantity"] = 1  # one of the two mugs refunded
    (mug,) = order_from_json(data).lines
    assert (mug.sku, mug.quantity) == ("MUG-11-WHT", 1)
    for item in data["line_items"]:  # an older API version: no current_quantity at all
        del item["current_quantity"]
    assert [line.quantity for line in order_from_json(data).lines] == [1, 2]


@pytest.mark.parametrize(("changes", "state"), [
    ({"financial_status": "pending"}, OrderState.PENDING),
    ({"financial_status": "authorized"}, OrderState.OPEN),
    ({"financial_status": "partially_refunded"}, OrderState.OPEN),
    ({"financial_status": "refunded"}, OrderState.REFUNDED),
    ({"financial_status": "voided"}, OrderState.CANCELLED),
    ({"cancelled_at": "2026-11-03T10:00:00-05:00"}, OrderState.CANCELLED),
    ({"fulfillment_status": "fulfilled"}, OrderState.SHIPPED),
    ({"fulfillment_status": "partial"}, OrderState.OPEN),
])
def test_shopify_statuses_become_order_states(changes, state):
    assert order_from_json({**load("shopify_order.json"), **changes}).state is state


def test_three_pages_are_fetched_by_link_header_and_the_cursor_moves_on_the_last(
        httpserver, shopify, shopify_order):
    pages = [
        [shopify_order(1001, "2026-11-20T10:00:00-05:00"),
         shopify_order(1002, "2026-11-21T08:00:00Z")],
        [shopify_order(1003, "2026-11-23T09:30:00+01:00")],
        [shopify_order(1004, "2026-11-22T12:00:00Z")],
    ]
    _serve_order_pages(httpserver, pages)

    fetched = list(shopify().fetch_orders("2026-11-19T00:00:00Z"))

    assert [[o.number for o in page.orders] for page in fetched] == [
        ["#1001", "#1002"], ["#1003"], ["#1004"]]
    assert [page.cursor for page in fetched] == [
        "2026-11-19T00:00:00Z", "2026-11-19T00:00:00Z", "2026-11-23T08:30:00Z"]
    first, *later = requests_to(httpserver, ORDERS)
    assert first.args["updated_at_min"] == "2026-11-19T00:00:00+00:00"
    assert first.args["updated_at_max"] == "2026-11-24T12:00:00+00:00"
    assert first.args["status"] == "any"
    assert first.args["limit"] == "250"
    assert [dict(r.args) for r in later] == [
        {"limit": "250", "page_info": "cursor-1"}, {"limit": "250", "page_info": "cursor-2"}]
    assert all(r.headers["X-Shopify-Access-Token"] == SHOPIFY_TOKEN for r in (first, *later))


def test_a_first_sync_sends_no_updated_at_min(httpserver, shopify, shopify_order):
    _serve_order_pages(httpserver, [[shopify_order(1001)]])

    (page,) = shopify().fetch_orders(None)

    assert "updated_at_min" not in requests_to(httpserver, ORDERS)[0].args
    assert page.cursor == "2026-11-02T14:20:00Z"


def test_fetching_only_reads_from_the_shop(httpserver, shopify, shopify_order):
    _serve_order_pages(httpserver, [[shopify_order(1001)], [shopify_order(1002)]])

    list(shopify().fetch_orders(None))

    assert {request.method for request in requests_to(httpserver)} == {"GET"}


def test_an_order_that_cannot_be_read_becomes_a_problem_not_a_crash(
        httpserver, shopify, shopify_order):
    bad = shopify_order(1002, currency=None)
    broken_line = shopify_order(1003)
    broken_line["line_items"][0]["price"] = "twelve"
    _serve_order_pages(httpserver, [[shopify_order(1001), bad, broken_line, "nonsense"]])

    (page,) = shopify().fetch_orders(None)

    assert [o.number for o in page.orders] == ["#1001"]
    refs = [ref for ref, _, _ in page.problems]
    assert refs == ["#1002", "#1003", "order 4 of the page"]
    assert "currency" in page.problems[0][1]
    assert "line 1 price 'twelve' is not an amount of money" in page.problems[1][1]
    assert json.loads(page.problems[0][2])["name"] == "#1002"


def test_a_nearly_full_call_bucket_slows_the_next_request(httpserver, shopify, shopify_order,
                                                          clock):
    _serve_order_pages(httpserver, [[shopify_order(1001)], [shopify_order(1002)]],
                       headers={"X-Shopify-Shop-Api-Call-Limit": "38/40"})

    list(shopify().fetch_orders(None))

    assert clock.sleeps == [3.5]


def test_the_call_bucket_rule_waits_only_when_four_fifths_full():
    def pause(header: str) -> float:
        headers = {"X-Shopify-Shop-Api-Call-Limit": header}
        return call_limit_pause(httpx.Response(200, headers=headers))

    assert pause("1/40") == 0
    assert pause("31/40") == 0
    assert pause("32/40") == 0.5
    assert pause("40/40") == 4.5
    assert pause("70/80") == 1.75


def test_too_many_requests_is_sat_out_for_retry_after(httpserver, shopify, shopify_order, clock):
    httpserver.expect_ordered_request(ORDERS).respond_with_json(
        {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume "
                   "uninterrupted service."}, status=429, headers={"Retry-After": "2.0"})
    httpserver.expect_ordered_request(ORDERS).respond_with_json(
        {"orders": [shopify_order(1001)]})

    (page,) = shopify().fetch_orders(None)

    assert clock.sleeps == [2.0]
    assert [o.number for o in page.orders] == ["#1001"]


def test_a_refused_token_says_what_to_do(httpserver, shopify):
    httpserver.expect_request(ORDERS).respond_with_json(load("shopify_401.json"), status=401)

    with pytest.raises(CredentialsRefused) as raised:
        list(shopify().fetch_orders(None))

    assert str(raised.value) == (
        "Shopify refused the access token for shop ana-engraving.myshopify.com — create a new "
        "Admin API access token and enter it in Settings > Channels.")


def test_a_missing_scope_names_the_scopes(httpserver, shopify):
    httpserver.expect_request(f"{SHOPIFY_API}/locations.json").respond_with_json(
        {"errors": "[API] This action requires merchant approval for read_locations scope."},
        status=403)

    with pytest.raises(CredentialsRefused, match="read_locations"):
        shopify().push_stock([StockUpdate("IPOD2008GREEN", 3, "49148385")])


def test_html_instead_of_orders_is_explained(httpserver, shopify):
    httpserver.expect_request(ORDERS).respond_with_data(
        "<html><head><title>Ana's Engraving – Opening soon</title></head></html>",
        content_type="text/html")

    with pytest.raises(ChannelError, match=r"web page .*Opening soon.* instead of data"):
        list(shopify().fetch_orders(None))


def test_cancel_between_pages_stops_after_the_page_in_hand(httpserver, shopify, shopify_order,
                                                           clock):
    _serve_order_pages(httpserver, [[shopify_order(1001)], [shopify_order(1002)]])
    pages = shopify().fetch_orders(None)

    first = next(pages)
    clock.cancel = True

    assert [o.number for o in first.orders] == ["#1001"]
    assert list(pages) == []
    assert len(requests_to(httpserver, ORDERS)) == 1


def test_stock_is_set_at_the_only_active_location_by_inventory_item(httpserver, shopify):
    httpserver.expect_request(f"{SHOPIFY_API}/locations.json").respond_with_json(
        load("shopify_locations.json"))
    httpserver.expect_request(f"{SHOPIFY_API}/products.json").respond_with_json(
        load("shopify_products_variants.json"))
    httpserver.expect_request(f"{SHOPIFY_API}/inventory_levels/set.json",
                              method="POST").respond_with_json(load("shopify_inventory_level.json"))

    errors = shopify().push_stock([
        StockUpdate("IPOD2008GREEN", 42),
        StockUpdate("MUG-11-WHT", -2, external_id="49148386"),
        StockUpdate("MUG-DUP", 5),
        StockUpdate("NOPE-1", 5),
    ])

    sent = [json.loads(r.data) for r in requests_to(
        httpserver, f"{SHOPIFY_API}/inventory_levels/set.json")]
    assert sent == [
        {"location_id": 24826418, "inventory_item_id": 49148385, "available": 42},
        {"location_id": 24826418, "inventory_item_id": 49148386, "available": 0},
    ]
    assert [sku for sku, _ in errors] == ["MUG-DUP", "NOPE-1"]
    assert "on 2 variants" in errors[0][1]
    assert "No variant in Shopify has SKU NOPE-1" in errors[1][1]
    assert parse_qs(requests_to(httpserver, f"{SHOPIFY_API}/products.json")[0].query_string
                    .decode())["fields"] == ["id,variants"]


def test_a_stock_level_shopify_refuses_is_an_error_for_that_sku_only(httpserver, shopify):
    def answer(request: Request) -> Response:
        if json.loads(request.data)["inventory_item_id"] == 1:
            return json_response({"errors": ["Inventory item does not have inventory tracking "
                                             "enabled"]}, status=422)
        return json_response(load("shopify_inventory_level.json"))

    httpserver.expect_request(f"{SHOPIFY_API}/inventory_levels/set.json").respond_with_handler(
        answer)

    errors = shopify(location_id="24826418").push_stock([
        StockUpdate("A", 1, "1"), StockUpdate("B", 2, "2")])

    assert errors == [("A", "Shopify did not set the stock of A: Inventory item does not have "
                            "inventory tracking enabled.")]


def test_several_active_locations_without_a_setting_are_listed(httpserver, shopify):
    places = load("shopify_locations.json")
    places["locations"][1]["active"] = True
    httpserver.expect_request(f"{SHOPIFY_API}/locations.json").respond_with_json(places)

    with pytest.raises(ChannelError) as raised:
        shopify().push_stock([StockUpdate("A", 1, "1")])

    assert "Workshop (id 24826418), Old market stall (id 611870435)" in str(raised.value)
    assert "enter the location id" in str(raised.value)


def _notice(**changes) -> ShipmentNotice:
    values = {"order_external_id": "450789469", "order_number": "#1001",
              "carrier": "Royal Mail", "tracking_number": "RM123456789GB",
              "shipped_at": datetime(2026, 11, 3, 15, 0, tzinfo=UTC),
              "tracking_url": "https://www.royalmail.com/track-your-item#/tracking-results/"
                              "RM123456789GB"}
    return ShipmentNotice(**{**values, **changes})


def test_a_shipment_fulfils_the_open_fulfillment_orders_with_tracking(httpserver, shopify):
    httpserver.expect_ordered_request(
        f"{SHOPIFY_API}/orders/450789469/fulfillment_orders.json", method="GET"
    ).respond_with_json(load("shopify_fulfillment_orders.json"))
    httpserver.expect_ordered_request(
        f"{SHOPIFY_API}/fulfillments.json", method="POST"
    ).respond_with_json(load("shopify_fulfillment.json"), status=201)

    shopify().push_shipment(_notice())

    body = json.loads(requests_to(httpserver, f"{SHOPIFY_API}/fulfillments.json")[0].data)
    assert body == {"fulfillment": {
        "line_items_by_fulfillment_order": [{"fulfillment_order_id": 1046000778}],
        "tracking_info": {"company": "Royal Mail", "number": "RM123456789GB",
                          "url": "https://www.royalmail.com/track-your-item#/tracking-results/"
                                 "RM123456789GB"},
        "notify_customer": True,
    }}


def test_a_shipment_of_some_lines_names_their_fulfillment_order_lines(httpserver, shopify):
    httpserver.expect_request(
        f"{SHOPIFY_API}/orders/450789469/fulfillment_orders.json"
    ).respond_with_json(load("shopify_fulfillment_orders.json"))
    httpserver.expect_request(f"{SHOPIFY_API}/fulfillments.json", method="POST"
                              ).respond_with_json(load("shopify_fulfillment.json"), status=201)

    shopify(notify_customer=False).push_shipment(
        _notice(line_external_ids=("518995019",), partial=True, tracking_url=""))

    body = json.loads(requests_to(httpserver, f"{SHOPIFY_API}/fulfillments.json")[0].data)
    assert body["fulfillment"]["line_items_by_fulfillment_order"] == [{
        "fulfillment_order_id": 1046000778,
        "fulfillment_order_line_items": [{"id": 1058737483, "quantity": 2}]}]
    assert body["fulfillment"]["tracking_info"] == {"company": "Royal Mail",
                                                    "number": "RM123456789GB"}
    assert body["fulfillment"]["notify_customer"] is False


def test_an_already_fulfilled_order_is_said_so_and_nothing_is_posted(httpserver, shopify):
    closed = load("shopify_fulfillment_orders.json")
    closed["fulfillment_orders"][0]["status"] = "closed"
    httpserver.expect_request(
        f"{SHOPIFY_API}/orders/450789469/fulfillment_orders.json").respond_with_json(closed)

    with pytest.raises(ChannelError) as raised:
        shopify().push_shipment(_notice())

    assert str(raised.value) == ("Order #1001 is already fulfilled in Shopify, so there is "
                                 "nothing left to mark shipped; tracking number RM123456789GB "
                                 "was not sent.")
    assert requests_to(httpserver, f"{SHOPIFY_API}/fulfillments.json") == []


def test_a_fulfilment_shopify_rejects_is_explained(httpserver, shopify):
    httpserver.expect_request(
        f"{SHOPIFY_API}/orders/450789469/fulfillment_orders.json"
    ).respond_with_json(load("shopify_fulfillment_orders.json"))
    httpserver.expect_request(f"{SHOPIFY_API}/fulfillments.json", method="POST").respond_with_json(
        {"errors": ["Fulfillment order 1046000778 has an unfulfillable status= closed."]},
        status=422)

    with pytest.raises(ChannelError, match=r"did not accept the shipment of order #1001: "
                                           "Fulfillment order 1046000778 has an unfulfillable"):
        shopify().push_shipment(_notice())
    assert len(requests_to(httpserver, f"{SHOPIFY_API}/fulfillments.json")) == 1


def test_the_access_token_never_shows_in_errors_or_reprs(httpserver, shopify):
    httpserver.expect_request(ORDERS).respond_with_json(
        {"errors": f"[API] Invalid API key or access token {SHOPIFY_TOKEN}"}, status=401)
    httpserver.expect_request(f"{SHOPIFY_API}/orders/1/fulfillment_orders.json"
                              ).respond_with_data(text("wordpress_login.html"))
    httpserver.expect_request(f"{SHOPIFY_API}/locations.json").respond_with_data(
        f"not json {SHOPIFY_TOKEN}", content_type="application/json")
    driver = shopify()
    failures = []
    for attempt in (lambda: list(driver.fetch_orders(None)),
                    lambda: driver.push_shipment(_notice(order_external_id="1")),
                    lambda: driver.push_stock([StockUpdate("A", 1, "1")])):
        with pytest.raises(ChannelError) as raised:
            attempt()
        failures.append(raised.value)

    for exc in failures:
        shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
        assert SHOPIFY_TOKEN not in shown
    assert SHOPIFY_TOKEN not in repr(driver) + repr(driver.http)
