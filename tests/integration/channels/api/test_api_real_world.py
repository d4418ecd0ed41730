"""Shopify and WooCommerce answers the samples do not show, run through the drivers and sync."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from werkzeug import Request, Response

from app.channels.base import OrderState, ShipmentNotice, StockUpdate
from app.channels.shopify import order_from_json as shopify_json
from app.channels.woocommerce import order_from_json as woo_json
from app.db.models import Order, OrderLine, StockLevel, SyncRunItem
from app.domain.statuses import OrderStatus
from app.services import channels, orders, sync
from app.services.channels import ChannelSetup

from ...workshop import add_location, add_product, book
from .conftest import (
    SHOPIFY_API,
    SHOPIFY_TOKEN,
    WOO_API,
    WOO_KEY,
    WOO_SECRET,
    json_response,
    load,
    requests_to,
)

S_ORDERS, W_ORDERS = f"{SHOPIFY_API}/orders.json", f"{WOO_API}/orders"


def _channel(backroom, httpserver, kind, stock=None):  # type: ignore[no-untyped-def]
    if kind == "shopify":
        setup = ChannelSetup(name="Shopify", kind=kind, api=True, currency="USD", settings={
            "shop_domain": "ana-engraving.myshopify.com", "location_id": "24826418",
            "base_url": httpserver.url_for("").rstrip("/")},
            secrets={"access_token": SHOPIFY_TOKEN})
        skus = ("IPOD2008GREEN", "MUG-11-WHT")
        httpserver.expect_request(f"{SHOPIFY_API}/products.json").respond_with_json(
            load("shopify_products_variants.json"))
        httpserver.expect_request(f"{SHOPIFY_API}/inventory_levels/set.json").respond_with_handler(
            stock or (lambda r: json_response(load("shopify_inventory_level.json"))))
    else:
        setup = ChannelSetup(name="Woo", kind=kind, api=True, currency="GBP", settings={
            "site_url": httpserver.url_for("/shop").replace("localhost", "127.0.0.1")},
            secrets={"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET})
        skus = ("WOO-SINGLE-1", "Bar3")
        httpserver.expect_request(f"{WOO_API}/products").respond_with_json(
            load("woocommerce_products_by_sku.json"), headers={"X-WP-TotalPages": "1"})
        for path, item in (("products/batch", 93), ("products/22/variations/batch", 23)):
            httpserver.expect_request(f"{WOO_API}/{path}").respond_with_json(
                {"update": [{"id": item}]})
    channel_id = backroom.act(channels.save_channel, None, setup)
    bin_a = add_location(backroom, "A-01-1", 1)
    products = [add_product(backroom, sku) for sku in skus]
    for product in products:
        book(backroom, product, bin_a, 5)
    return channel_id, products


def _sync(backroom, channel_id, clock):  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        driver = channels.driver_for(s, channel_id, options=clock.options(max_attempts=2))
    with driver:
        return sync.sync_channel(backroom, channel_id, driver)


def _orders(backroom):  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return {o.number: (o.status, o.flagged, [(x.sku, x.quantity, x.unit_price_minor,
                                                   x.personalisation) for x in o.lines])
                for o in s.scalars(select(Order).join(OrderLine).distinct())}


def _reserved(backroom):  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return dict(s.execute(select(StockLevel.product_id, StockLevel.reserved)).all())


def _serve(httpserver, path, answers):  # type: ignore[no-untyped-def]
    httpserver.expect_request(path, method="GET").respond_with_handler(
        lambda request: answers[0](request))


# -- Shopify ---------------------------------------------------------------------------------


def _guest_digital_custom(shopify_order):  # type: ignore[no-untyped-def]
    data = shopify_order(1002, shipping_address=None, customer=None, presentment_currency="EUR",
                         taxes_included=True, financial_status="paid")
    del data["total_shipping_price_set"]
    mug = data["line_items"][1]
    data["line_items"] += [
        {**mug, "id": 900001, "sku": None, "variant_id": None, "product_id": None,
         "title": "Custom engraving", "variant_title": None, "price": "5.00", "quantity": 1,
         "current_quantity": 1, "properties": [{"name": "Text", "value": "For Ana"},
                                              {"name": "_preview", "value": "x"}]},
        {**mug, "id": 900002, "sku": "", "title": "Gift wrap", "variant_title": "",
         "price": "2.50", "quantity": 1, "current_quantity": 1, "properties": []}]
    return data


def test_a_shopify_guest_digital_order_with_custom_items_maps_whole(shopify_order):
    order = shopify_json(_guest_digital_custom(shopify_order))
    assert order.customer_name == "Bob Norman"  # from the billing address
    assert order.shipping_address.address1 == "" and order.shipping_address.country == ""
    assert order.currency == "USD"  # shop money, not the EUR presentment
    assert order.shipping_minor == 1200  # from shipping_lines without total_shipping_price_set
    assert order.total_minor == 63568 and order.tax_minor == 1168
    assert [(x.sku, x.quantity, x.unit_price_minor, x.personalisation) for x in order.lines][2:] \
        == [("", 1, 500, "Text: For Ana"), ("", 1, 250, "")]


@pytest.mark.parametrize(("changes", "state"), [
    ({"financial_status": "pending"}, OrderState.PENDING),
    ({"financial_status": "partially_paid"}, OrderState.PENDING),
    ({"cancelled_at": "2026-11-03T10:00:00-05:00", "cancel_reason": "customer",
      "financial_status": "refunded", "fulfillment_status": "restocked"}, OrderState.CANCELLED),
    ({"financial_status": "refunded", "fulfillment_status": "restocked"}, OrderState.REFUNDED),
])
def test_shopify_payment_and_cancel_words_become_states(shopify_order, changes, state):
    assert shopify_json(shopify_order(1001, **changes)).state is state


def test_a_guest_order_with_unknown_items_goes_in_flagged_once(backroom, httpserver, clock,
                                                               shopify_order):
    channel_id, _ = _channel(backroom, httpserver, "shopify")
    _serve(httpserver, S_ORDERS, [lambda r: json_response(
        {"orders": [_guest_digital_custom(shopify_order)]})])
    report = _sync(backroom, channel_id, clock)
    assert (report.created, report.failed) == (1, 0), report.summary()
    status, flagged, lines = _orders(backroom)["#1002"]
    assert status == "new" and "Unknown SKU (none)" in flagged
    assert ("", 1, 500, "Text: For Ana") in lines and len(lines) == 4
    again = _sync(backroom, channel_id, clock)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_250_orders_a_page_prev_and_next_links_and_a_429_go_in_once(
        backroom, httpserver, clock, shopify_order):
    channel_id, _ = _channel(backroom, httpserver, "shopify")
    pages = [[shopify_order(n) for n in range(1001 + 250 * p, 1251 + 250 * p)] for p in (0, 1)]
    pages.append([shopify_order(1501, "2026-11-20T10:00:00Z")])
    limited = []

    def answer(request: Request) -> Response:
        index = int(request.args.get("page_info", "p0")[1:])
        if index == 1 and not limited:
            limited.append(1)
            return json_response({"errors": "Exceeded 2 calls per second for api client."},
                                 429, {"Retry-After": "2.0"})
        link = f"{httpserver.url_for(S_ORDERS)}?limit=250&page_info=p"
        links = [f'<{link}{index - 1}>; rel="previous"'] if index else []
        links += [f'<{link}{index + 1}>; rel="next"'] if index < 2 else []
        return json_response({"orders": pages[index]}, headers={"Link": ", ".join(links)})

    _serve(httpserver, S_ORDERS, [answer])
    report = _sync(backroom, channel_id, clock)
    assert (report.fetched, report.created, report.failed) == (501, 501, 0), report.summary()
    assert 2.0 in clock.sleeps
    again = _sync(backroom, channel_id, clock)
    assert (again.created, again.unchanged) == (0, 501) and len(_orders(backroom)) == 501
    last = requests_to(httpserver, S_ORDERS)[-3]
    assert last.args["updated_at_min"] == "2026-11-20T10:00:00+00:00"


def test_an_order_cancelled_on_shopify_with_restock_is_cancelled_here(
        backroom, httpserver, clock, shopify_order):
    channel_id, (ipod, mug) = _channel(backroom, httpserver, "shopify")
    answers = [lambda r: json_response({"orders": [shopify_order(1001)]})]
    _serve(httpserver, S_ORDERS, answers)
    _sync(backroom, channel_id, clock)
    assert _reserved(backroom) == {ipod: 1, mug: 2}
    cancelled = shopify_order(1001, "2026-11-03T10:00:00-05:00", financial_status="refunded",
                              cancelled_at="2026-11-03T10:00:00-05:00", cancel_reason="customer",
                              fulfillment_status="restocked")
    for item in cancelled["line_items"]:
        item["current_quantity"] = item["fulfillable_quantity"] = 0
    answers[0] = lambda r: json_response({"orders": [cancelled]})
    report = _sync(backroom, channel_id, clock)
    assert report.failed == 0, [p.message for p in report.problems]
    assert _orders(backroom)["#1001"][0] == "cancelled"
    assert _reserved(backroom) == {ipod: 0, mug: 0}


def test_stock_shopify_refuses_for_one_item_is_logged_and_the_rest_is_sent(
        backroom, httpserver, clock, shopify_order):
    def answer(request: Request) -> Response:
        if json.loads(request.data)["inventory_item_id"] == 49148386:
            return json_response({"errors": ["Inventory item is not stocked at the location"]},
                                 422)
        return json_response(load("shopify_inventory_level.json"))

    channel_id, _ = _channel(backroom, httpserver, "shopify", answer)
    _serve(httpserver, S_ORDERS, [lambda r: json_response({"orders": [shopify_order(1001)]})])
    report = _sync(backroom, channel_id, clock)
    assert (report.status.value, report.created, report.pushed) == ("partial", 1, 1)
    with backroom.sessions() as s:
        (item,) = s.scalars(select(SyncRunItem))
    assert item.item_ref == "MUG-11-WHT" and "not stocked at the location" in item.message


def test_a_shipment_fulfils_only_the_open_fulfillment_order(httpserver, shopify):
    fos = load("shopify_fulfillment_orders.json")
    closed = json.loads(json.dumps(fos["fulfillment_orders"][0]))
    closed.update(id=1046000779, status="closed", supported_actions=[])
    closed["line_items"] = [{**closed["line_items"][0], "fulfillable_quantity": 0}]
    opened = fos["fulfillment_orders"][0]
    opened["line_items"] = opened["line_items"][1:]
    fos["fulfillment_orders"] = [closed, opened]
    httpserver.expect_request(f"{SHOPIFY_API}/orders/450789469/fulfillment_orders.json"
                              ).respond_with_json(fos)
    httpserver.expect_request(f"{SHOPIFY_API}/fulfillments.json", method="POST"
                              ).respond_with_json(load("shopify_fulfillment.json"), status=201)
    notice = ShipmentNotice("450789469", "#1001", "UPS", "1Z999",
                            datetime(2026, 11, 3, tzinfo=UTC),
                            line_external_ids=("466157049", "518995019"))
    shopify().push_shipment(notice)  # the whole order: what is still open goes, all of it
    shopify().push_shipment(replace(notice, partial=True))  # these lines only
    whole, some = (json.loads(r.data)["fulfillment"]["line_items_by_fulfillment_order"]
                   for r in requests_to(httpserver, f"{SHOPIFY_API}/fulfillments.json"))
    assert whole == [{"fulfillment_order_id": 1046000778}]
    assert some == [{"fulfillment_order_id": 1046000778,
                     "fulfillment_order_line_items": [{"id": 1058737483, "quantity": 2}]}]


# -- WooCommerce -----------------------------------------------------------------------------


def test_a_woo_digital_order_with_add_ons_and_a_deleted_product_maps_whole(woo_order):
    data = woo_order(801, date_created="2026-11-02T17:28:02", currency_symbol="&pound;",
                     shipping={k: "" for k in load("woocommerce_order.json")["shipping"]},
                     total="29.3500", shipping_total="10.0000", total_tax="1.3500")
    data["line_items"][0].update(product_id=0, sku="", price="3.0050", total="6.0100")
    order = woo_json(data)
    assert order.placed_at == datetime(2026, 11, 2, 16, 28, 2, tzinfo=UTC)  # the GMT one
    assert order.customer_name == "John Doe" and order.customer_email == "john.doe@example.com"
    assert order.shipping_address.address1 == "" and order.shipping_address.country == ""
    assert (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor) == (
        1801, 1000, 135, 2935)
    first, second = order.lines
    assert (first.sku, first.quantity, first.unit_price_minor) == ("", 2, 301)
    assert first.personalisation == "Engraving: For Ana, love always"
    assert second.personalisation == "Gift message: Happy birthday"


@pytest.mark.parametrize(("status", "state"), [
    ("on-hold", OrderState.PENDING), ("processing", OrderState.OPEN),
    ("refunded", OrderState.REFUNDED), ("trash", OrderState.CANCELLED)])
def test_woo_statuses_become_states(woo_order, status, state):
    assert woo_json(woo_order(801, status=status)).state is state


def test_woo_pages_without_totals_on_the_last_go_in_once_and_broken_ones_are_logged(
        backroom, httpserver, clock, woo_order):
    channel_id, _ = _channel(backroom, httpserver, "woocommerce")
    first = [woo_order(n, f"2026-11-20T10:{n % 60:02d}:00", status="cancelled")
             for n in range(1000, 1100)]
    last = [woo_order(801, "2026-11-21T09:00:00", status="on-hold"),
            woo_order(802, "2026-11-21T09:01:00", status="awaiting-pickup"),
            woo_order(803, "2026-11-21T09:02:00")]

    def answer(request: Request) -> Response:
        if request.args["page"] == "1":
            return json_response(first, headers={"X-WP-Total": "103", "X-WP-TotalPages": "2"})
        return json_response(last)

    _serve(httpserver, W_ORDERS, [answer])
    report = _sync(backroom, channel_id, clock)
    assert (report.created, report.failed) == (102, 1), report.summary()
    with backroom.sessions() as s:
        (item,) = s.scalars(select(SyncRunItem))
    assert item.item_ref == "802" and json.loads(item.payload)["status"] == "awaiting-pickup"
    got = _orders(backroom)
    assert (got["801"][0], got["803"][0], got["1000"][0]) == ("on_hold", "new", "cancelled")
    assert got["803"][2][0] == ("WOO-SINGLE-1", 2, 300, "Engraving: For Ana, love always")
    again = _sync(backroom, channel_id, clock)
    assert again.created == 0 and len(_orders(backroom)) == 102


def test_a_wordpress_cannot_view_error_refuses_the_key_in_its_words(backroom, httpserver, clock):
    channel_id, _ = _channel(backroom, httpserver, "woocommerce")
    httpserver.expect_request(W_ORDERS).respond_with_json(
        {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.",
         "data": {"status": 401}}, status=401)
    report = _sync(backroom, channel_id, clock)
    assert report.status.value == "refused"
    assert "(Sorry, you cannot list resources.)" in report.error and WOO_SECRET not in report.error


def test_a_batch_with_per_item_errors_fails_only_those(httpserver, woo):
    httpserver.expect_request(f"{WOO_API}/products/batch").respond_with_json({"update": [
        {"id": 11, "stock_quantity": 3},
        {"id": 12, "error": {"code": "woocommerce_rest_product_invalid_id",
                             "message": "Invalid ID.", "data": {"status": 400}}}]})
    errors = woo().push_stock([StockUpdate(s, 3, i) for s, i in (("A", "11"), ("B", "12"),
                                                                  ("C", "13"))])
    assert errors == [("B", "WooCommerce did not set the stock of B: Invalid ID."), (
        "C", "WooCommerce did not confirm the stock of C (product 13); try again.")]


def test_a_checkout_draft_is_not_taken_in_and_holds_no_stock(backroom, httpserver, clock,
                                                             woo_order):
    channel_id, (single, bar) = _channel(backroom, httpserver, "woocommerce")
    _serve(httpserver, W_ORDERS, [lambda r: json_response(
        [woo_order(801, status="checkout-draft")])])
    report = _sync(backroom, channel_id, clock)
    assert report.created == 0 and _orders(backroom) == {}
    assert _reserved(backroom) == {single: 0, bar: 0}


def test_a_shipped_woo_order_is_completed_with_a_customer_note(backroom, httpserver, clock,
                                                              woo_order):
    channel_id, _ = _channel(backroom, httpserver, "woocommerce")
    _serve(httpserver, W_ORDERS, [lambda r: json_response([woo_order(727)])])
    httpserver.expect_request(f"{W_ORDERS}/727", method="PUT").respond_with_json(
        {**woo_order(727), "status": "completed"})
    httpserver.expect_request(f"{W_ORDERS}/727/notes", method="POST").respond_with_json(
        load("woocommerce_order_note.json"), status=201)
    _sync(backroom, channel_id, clock)
    with backroom.sessions() as s:
        order_id = s.scalar(select(Order.id))
    for step in (OrderStatus.READY_TO_PICK, OrderStatus.PACKED):
        backroom.act(orders.change_status, [order_id], step)
    backroom.act(orders.change_status, [order_id], OrderStatus.SHIPPED, carrier="Royal Mail",
                 tracking="RM123456789GB")
    assert _sync(backroom, channel_id, clock).confirmed == 1
    (note,) = requests_to(httpserver, f"{W_ORDERS}/727/notes")
    assert json.loads(note.data)["note"].startswith("Shipped with Royal Mail")
    (put,) = requests_to(httpserver, f"{W_ORDERS}/727")
    assert json.loads(put.data) == {"status": "completed"}


def test_an_order_changed_during_a_woo_sync_does_not_hide_another(backroom, httpserver, clock,
                                                                  woo_order):
    channel_id, _ = _channel(backroom, httpserver, "woocommerce")
    shop = [woo_order(n, f"2026-11-20T10:{n - 1000:02d}:00") for n in range(1000, 1060)]
    shop += [woo_order(n, f"2026-11-20T11:{n - 1060:02d}:00") for n in range(1060, 1101)]

    def answer(request: Request) -> Response:
        page, after = int(request.args["page"]), request.args.get("modified_after", "")
        served = [o for o in shop if o["date_modified_gmt"] > after][(page - 1) * 100:][:100]
        if page == 1 and not after:  # the customer pays order 1005 while Backroom reads page 1
            shop.append(shop.pop(5) | {"date_modified_gmt": "2026-11-24T11:59:00"})
        return json_response(served, headers={"X-WP-TotalPages": "2"})

    _serve(httpserver, W_ORDERS, [answer])
    _sync(backroom, channel_id, clock)
    _sync(backroom, channel_id, clock)
    assert len(_orders(backroom)) == 101
