"""The registry: which API channels exist, the fields their forms ask for, building drivers."""

from __future__ import annotations

import pytest

from app.channels.base import Capability, ChannelDriver, ChannelError, CredentialsRefused
from app.channels.registry import KINDS, build_driver, channel_kind
from app.channels.shopify import ShopifyDriver
from app.channels.woocommerce import WooCommerceDriver

from .conftest import SHOPIFY_TOKEN, WOO_KEY, WOO_SECRET


def test_shopify_and_woocommerce_are_registered_with_their_forms():
    assert set(KINDS) == {"shopify", "woocommerce"}
    shopify = channel_kind("shopify")
    assert [f.key for f in shopify.credentials] == ["client_secret", "access_token"]
    assert [f.key for f in shopify.settings] == [
        "client_id", "shop_domain", "api_version", "location_id", "notify_customer"]
    assert all(f.kind == "secret" for f in shopify.credentials)
    assert [f.key for f in shopify.form_fields][:4] == [
        "shop_domain", "client_id", "client_secret", "access_token"]
    woo = channel_kind("woocommerce")
    assert [f.key for f in woo.credentials] == ["consumer_key", "consumer_secret"]
    assert [f.key for f in woo.fields][2:] == ["site_url", "keys_in_query",
                                               "complete_on_shipment"]
    for kind in KINDS.values():
        assert kind.capabilities == (Capability.FETCH_ORDERS | Capability.PUSH_STOCK
                                     | Capability.PUSH_SHIPMENT)


def test_building_from_form_values_gives_ready_drivers():
    shop = build_driver("shopify", {"access_token": SHOPIFY_TOKEN},
                        {"shop_domain": "https://Ana-Engraving.myshopify.com/admin",
                         "location_id": "24826418", "notify_customer": "false"})
    woo = build_driver("woocommerce", {"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET},
                       {"site_url": "shop.example", "keys_in_query": "true"})
    try:
        assert isinstance(shop, ShopifyDriver) and isinstance(shop, ChannelDriver)
        assert shop.shop_domain == "ana-engraving.myshopify.com"
        assert shop.location_id == "24826418" and shop.notify_customer is False
        assert shop.api_version == "2025-10"
        assert isinstance(woo, WooCommerceDriver) and woo.keys_in_query is True
        assert woo.site_url == "https://shop.example"
    finally:
        shop.close()
        woo.close()


def test_form_problems_are_named_without_repeating_secrets():
    problems = channel_kind("woocommerce").problems(
        {"consumer_key": "oops-secret-value", "consumer_secret": ""}, {"site_url": ""})
    assert problems == ["Consumer key does not look right: It starts with ck_.",
                        "Consumer secret is needed.", "Site address is needed."]
    assert channel_kind("shopify").problems(
        {"access_token": SHOPIFY_TOKEN}, {"shop_domain": "ana-engraving"}) == []


def test_missing_credentials_and_unknown_kinds_are_refused_in_words():
    with pytest.raises(CredentialsRefused, match="Admin API access token"):
        build_driver("shopify", {}, {"shop_domain": "ana-engraving"})
    with pytest.raises(ChannelError, match="no driver for channel kind 'etsy'"):
        build_driver("etsy", {}, {})
