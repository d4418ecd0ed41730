"""A sync run against a Shopify shop on loopback (its real JSON shapes): orders in, stock
out, shipments confirmed, every step in the sync run — and a preview that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from app.channels.http import HttpOptions
from app.db.models import (
    Channel,
    Listing,
    Order,
    Shipment,
    StockLevel,
    SyncRun,
    SyncRunItem,
)
from app.domain.statuses import OrderStatus
from app.services import channels, orders, sync
from app.services.channels import ChannelSetup

from ..workshop import add_location, add_product, book

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "channels" / "api"
API = "/admin/api/2025-10"
TOKEN = "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"


def load(name: str):  # type: ignore[no-untyped-def]
    return json.loads((FIXTURES / name).read_text("utf-8"))


@pytest.fixture
def shop(backroom, httpserver: HTTPServer):  # type: ignore[no-untyped-def]
    """A Shopify channel pointed at the loopback server, with the order's two products."""
    channel_id = backroom.act(channels.save_channel, None, ChannelSetup(
        name="Ana's Shopify", kind="shopify", api=True, currency="USD",
        settings={"shop_domain": "ana-engraving.myshopify.com", "location_id": "24826418",
                  "base_url": httpserver.url_for("").rstrip("/")},
        secrets={"access_token": TOKEN}))
    bin_a = add_location(backroom, "A-01-1", 1)
    ipod, mug = add_product(backroom, "IPOD2008GREEN"), add_product(backroom, "MUG-11-WHT")
    book(backroom, ipod, bin_a, 5)
    book(backroom, mug, bin_a, 2)
    httpserver.expect_request(f"{API}/products.json").respond_with_json(
        load("shopify_products_variants.json"))
    httpserver.expect_request(f"{API}/inventory_levels/set.json", method="POST"
                              ).respond_with_json(load("shopify_inventory_level.json"))
    return backroom, channel_id, ipod, mug


def _driver(backroom, channel_id):  # type: ignore[no-untyped-def]
    options = HttpOptions(sleep=lambda s: None, jitter=lambda: 1.0, backoff=0.0,
                          max_attempts=2, timeout=5.0)
    with backroom.sessions() as s:
        return channels.driver_for(s, channel_id, options=options)


def _serve_orders(httpserver: HTTPServer, *orders_json) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(f"{API}/orders.json").respond_with_json(
        {"orders": list(orders_json)})


def _count(backroom, model) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _sent_stock(httpserver: HTTPServer) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(r.data) for r, _ in httpserver.log
            if r.path.endswith("inventory_levels/set.json")]


def test_a_sync_takes_the_orders_in_and_tells_shopify_the_stock(shop, httpserver):
    backroom, channel_id, ipod, mug = shop
    _serve_orders(httpserver, load("shopify_order.json"))
    report = sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    assert (report.status.value, report.created, report.failed) == ("succeeded", 1, 0), \
        report.summary()
    with backroom.sessions() as s:
        order = s.scalars(select(Order)).one()
        assert (order.number, order.status) == ("#1001", "new")
        assert s.get_one(Channel, channel_id).sync_cursor  # carries on from here next time
        run = s.scalars(select(SyncRun)).one()
        assert (run.status, run.fetched, run.created, run.pushed) == ("succeeded", 1, 1, 2)
        held = dict(s.execute(select(StockLevel.product_id, StockLevel.reserved)).all())
    assert held == {ipod: 1, mug: 2}
    # Sold under our own SKUs, the products are listed on the channel from now on, and
    # Shopify is told what is free after the order holds 1 and 2 of them.
    assert sorted((b["inventory_item_id"], b["available"]) for b in _sent_stock(httpserver)) \
        == [(49148385, 4), (49148386, 0)]


def test_a_second_sync_of_the_same_orders_changes_nothing(shop, httpserver):
    backroom, channel_id, *_ = shop
    _serve_orders(httpserver, load("shopify_order.json"))
    sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    again = sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert _count(backroom, Order) == 1


def test_a_preview_fetches_and_shows_but_writes_nothing(shop, httpserver):
    backroom, channel_id, ipod, _mug = shop
    with backroom.sessions() as s:
        s.add(Listing(product_id=ipod, channel_id=channel_id, channel_sku="IPOD2008GREEN",
                      price_minor=19900, currency="USD"))
        s.commit()
    _serve_orders(httpserver, load("shopify_order.json"))
    report = sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id),
                               preview=True)
    assert report.created == 1 and report.preview and report.would_push
    assert (_count(backroom, Order), _count(backroom, SyncRun)) == (0, 0)
    assert _sent_stock(httpserver) == []  # nothing told to the shop either
    with backroom.sessions() as s:
        assert s.get_one(Channel, channel_id).sync_cursor is None


def test_a_shop_answering_500_fails_the_run_in_words_and_tells_the_owner(shop, httpserver):
    backroom, channel_id, *_ = shop
    httpserver.expect_request(f"{API}/orders.json").respond_with_data("oops", status=500)
    report = sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    assert report.status.value == "failed" and "Shopify" in report.error
    with backroom.sessions() as s:
        run = s.scalars(select(SyncRun)).one()
        assert run.status == "failed" and run.error == report.error
    assert _count(backroom, Order) == 0
    from app.db.models import Notification

    with backroom.sessions() as s:
        (note,) = s.scalars(select(Notification).where(Notification.kind == "sync_failed"))
        assert "Ana's Shopify" in note.title


def test_an_order_shopify_sends_broken_is_logged_with_its_json_and_the_rest_go_in(
        shop, httpserver):
    backroom, channel_id, *_ = shop
    good = load("shopify_order.json")
    bad = {**load("shopify_order.json"), "id": 999, "name": "#1002", "created_at": "soon"}
    _serve_orders(httpserver, good, bad)
    report = sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    assert (report.status.value, report.created, report.failed) == ("partial", 1, 1)
    with backroom.sessions() as s:
        item = s.scalars(select(SyncRunItem)).one()
    assert "999" in item.payload or "#1002" in item.payload


def test_a_shipped_order_is_confirmed_to_shopify_once(shop, httpserver):
    backroom, channel_id, *_ = shop
    _serve_orders(httpserver, load("shopify_order.json"))
    httpserver.expect_request(f"{API}/orders/450789469/fulfillment_orders.json"
                              ).respond_with_json(load("shopify_fulfillment_orders.json"))
    httpserver.expect_request(f"{API}/fulfillments.json", method="POST").respond_with_json(
        load("shopify_fulfillment.json"), status=201)
    sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    with backroom.sessions() as s:
        order_id = s.scalar(select(Order.id))
    backroom.act(orders.change_status, [order_id], OrderStatus.READY_TO_PICK)
    backroom.act(orders.change_status, [order_id], OrderStatus.PACKED)
    backroom.act(orders.change_status, [order_id], OrderStatus.SHIPPED, carrier="UPS",
                 tracking="1Z999AA10123456784")
    report = sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    assert report.confirmed == 1, report.summary()
    posted = [json.loads(r.data) for r, _ in httpserver.log
              if r.path.endswith("/fulfillments.json")]
    assert posted[0]["fulfillment"]["tracking_info"]["number"] == "1Z999AA10123456784"
    with backroom.sessions() as s:
        assert s.scalar(select(Shipment.channel_confirmed_at)) is not None
    assert sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id)).confirmed == 0


def test_a_refused_token_shows_refused_and_the_background_sync_waits_for_a_new_one(
        shop, httpserver):
    backroom, channel_id, *_ = shop
    httpserver.expect_request(f"{API}/orders.json").respond_with_json(
        {"errors": "[API] Invalid API key or access token (unrecognized login or wrong "
                   "password)"}, status=401)
    report = sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))
    assert report.status.value == "refused" and "Settings > Channels" in report.error
    from app.channels.base import DriverStatus
    from app.db.models import Notification

    with backroom.sessions() as s:
        (view,) = channels.channel_list(s)
        (note,) = s.scalars(select(Notification).where(Notification.kind == "sync_failed"))
    assert view.light is DriverStatus.REFUSED
    assert view.waits_for_owner and view.next_sync() is None
    assert note.title == "Ana's Shopify refused Backroom's key"
    assert "leaves this channel alone" in note.body
    sync.sync_channel(backroom, channel_id, _driver(backroom, channel_id))  # Sync now, again
    with backroom.sessions() as s:  # told once, not at every try
        assert s.scalar(select(func.count()).select_from(Notification)
                        .where(Notification.kind == "sync_failed")) == 1

    backroom.act(channels.save_channel, channel_id, ChannelSetup(  # a new token is pasted in
        name="Ana's Shopify", kind="shopify", api=True, currency="USD",
        settings={"shop_domain": "ana-engraving.myshopify.com", "location_id": "24826418",
                  "base_url": httpserver.url_for("").rstrip("/")},
        secrets={"access_token": TOKEN[:-1] + "8"}))
    with backroom.sessions() as s:
        (view,) = channels.channel_list(s)
    assert view.light is DriverStatus.REFUSED  # until the next sync says otherwise
    assert not view.waits_for_owner and view.next_sync() is not None


def test_shipments_told_before_the_key_was_refused_are_not_told_again(backroom):
    from app.channels.base import Capability, CredentialsRefused

    from ..workshop import add_channel, add_order

    channel_id = add_channel(backroom, "Shop")
    product = add_product(backroom)
    shipped = []
    for number in ("#1", "#2"):
        order_id = add_order(backroom, channel_id, OrderStatus.SHIPPED, [(product, 1)],
                             number=number)
        with backroom.sessions() as s:
            s.add(Shipment(order_id=order_id, status="shipped", carrier="UPS",
                           tracking_number=f"1Z999AA1012345678{number[1]}"))
            s.commit()

    class RefusesTheSecond:
        kind = "shopify"
        capabilities = Capability.PUSH_SHIPMENT

        def push_shipment(self, notice):  # type: ignore[no-untyped-def]
            if shipped:
                raise CredentialsRefused("Shop refused the access token.")
            shipped.append(notice.order_number)

    report = sync.sync_channel(backroom, channel_id, RefusesTheSecond())
    assert report.status.value == "refused" and report.confirmed == 1
    with backroom.sessions() as s:
        told = s.scalar(select(func.count()).select_from(Shipment)
                        .where(Shipment.channel_confirmed_at.is_not(None)))
    assert told == 1 and shipped == ["#1"]
