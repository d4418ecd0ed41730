"""A Shopify app made in the Dev Dashboard (the only kind a shop can make since 2026): the
driver trades its client ID and secret for a 24-hour access token by the client credentials
grant (POST /admin/oauth/access_token, form-encoded, as Shopify documents it), sends that
token, keeps it in memory, renews it before it runs out, and words every refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer

from app.channels import shopify as shopify_module
from app.channels.base import CredentialsRefused
from app.channels.registry import build_driver, channel_kind
from app.channels.shopify import ShopifyDriver, missing_scopes

from .conftest import NOW, SHOPIFY_API, load, requests_to

TOKEN_PATH = "/admin/oauth/access_token"
CLIENT_ID = "4f5c1e9b2a7d46e0b3c8a1f2d9e7c6b5"
CLIENT_SECRET = "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"
DAY_TOKEN = "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"
ALL_SCOPES = ("read_orders,read_products,read_locations,write_inventory,"
              "write_merchant_managed_fulfillment_orders")


@pytest.fixture(autouse=True)
def no_tokens_kept() -> Iterator[None]:
    shopify_module.forget_tokens()
    yield
    shopify_module.forget_tokens()


@pytest.fixture
def app_shop(shopify) -> Callable[..., ShopifyDriver]:  # type: ignore[no-untyped-def]
    """A driver for a Dev Dashboard app: client ID and secret, no token."""
    def make(secret: str = CLIENT_SECRET, **kwargs: Any) -> ShopifyDriver:
        return shopify(access_token="", client_id=CLIENT_ID, client_secret=secret, **kwargs)

    return make


def grant(httpserver: HTTPServer, token: str = DAY_TOKEN, scope: str = ALL_SCOPES,
          expires_in: int = 86399) -> None:
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(
        {"access_token": token, "scope": scope, "expires_in": expires_in})


def serve_shop(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"{SHOPIFY_API}/shop.json").respond_with_json(
        {"shop": {"name": "Ana's Engraving", "myshopify_domain": "ana-engraving.myshopify.com",
                  "currency": "USD"}})


def test_the_client_id_and_secret_are_traded_for_a_token_that_the_calls_then_carry(
        app_shop, httpserver):
    grant(httpserver)
    serve_shop(httpserver)
    httpserver.expect_request(f"{SHOPIFY_API}/orders.json").respond_with_json(
        {"orders": [load("shopify_order.json")]})
    driver = app_shop()
    assert driver.test_connection().startswith("Connected to Ana's Engraving")
    (asked,) = requests_to(httpserver, TOKEN_PATH)
    assert asked.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(asked.get_data(as_text=True)) == {
        "grant_type": ["client_credentials"], "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET]}
    (shop_call,) = requests_to(httpserver, f"{SHOPIFY_API}/shop.json")
    assert shop_call.headers["X-Shopify-Access-Token"] == DAY_TOKEN

    again = app_shop()  # the next sync, a new driver: the day's token is kept in memory
    pages = list(again.fetch_orders(None))
    assert [o.number for o in pages[0].orders] == ["#1001"]
    assert len(requests_to(httpserver, TOKEN_PATH)) == 1
    (orders_call,) = requests_to(httpserver, f"{SHOPIFY_API}/orders.json")
    assert orders_call.headers["X-Shopify-Access-Token"] == DAY_TOKEN


def test_a_token_with_less_than_an_hour_left_is_renewed_first(app_shop, httpserver, clock):
    grant(httpserver, expires_in=86399)
    serve_shop(httpserver)
    app_shop().test_connection()
    later = clock.options(now=lambda: NOW + timedelta(hours=23, minutes=30))
    httpserver.clear()
    grant(httpserver, token="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")
    serve_shop(httpserver)
    app_shop(options=later).test_connection()
    assert len(requests_to(httpserver, TOKEN_PATH)) == 1
    (shop_call,) = requests_to(httpserver, f"{SHOPIFY_API}/shop.json")
    assert shop_call.headers["X-Shopify-Access-Token"] == "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"


def test_refused_client_credentials_say_where_to_copy_them_and_never_show_the_secret(
        app_shop, httpserver):
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(
        {"error": "invalid_client",
         "error_description": "Client authentication failed due to unknown client, no client "
                              "authentication included, or unsupported authentication method."},
        status=400)
    with pytest.raises(CredentialsRefused) as refused:
        app_shop().test_connection()
    said = str(refused.value)
    assert "refused the app's client ID and secret for shop ana-engraving.myshopify.com" in said
    assert "Dev Dashboard (your app > Settings)" in said and "Settings > Channels" in said
    assert CLIENT_SECRET not in said
    assert requests_to(httpserver, f"{SHOPIFY_API}/shop.json") == []


def test_an_app_from_another_organisation_is_told_why_it_gets_no_token(app_shop, httpserver):
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(
        {"error": "shop_not_permitted",
         "error_description": "Client credentials cannot be performed on this shop."},
        status=400)
    with pytest.raises(CredentialsRefused, match="Dev Dashboard of the organisation that owns "
                                                 "the shop"):
        app_shop().test_connection()


def test_a_token_that_is_refused_later_still_words_the_app_not_a_pasted_token(
        app_shop, httpserver):
    grant(httpserver)
    httpserver.expect_request(f"{SHOPIFY_API}/shop.json").respond_with_json(
        {"errors": "[API] Invalid API key or access token"}, status=401)
    with pytest.raises(CredentialsRefused) as refused:
        app_shop().test_connection()
    assert "client ID and secret" in str(refused.value)
    assert DAY_TOKEN not in str(refused.value)


def test_test_connection_names_the_scopes_the_app_was_not_given(app_shop, httpserver):
    grant(httpserver, scope="read_orders,write_products,write_inventory")
    serve_shop(httpserver)
    said = app_shop().test_connection()
    assert said.startswith("Connected to Ana's Engraving")
    assert ("lacks the scopes read_locations, write_merchant_managed_fulfillment_orders"
            in said)


def test_a_write_scope_stands_for_its_read_scope():
    assert missing_scopes(ALL_SCOPES.split(",")) == []
    assert missing_scopes(["write_orders", "write_products", "write_locations",
                           "write_inventory", "write_merchant_managed_fulfillment_orders"]) == []
    assert missing_scopes(["read_inventory"]) == list(shopify_module.NEEDED_SCOPES)


def test_half_an_app_or_nothing_at_all_is_refused_in_words():
    with pytest.raises(CredentialsRefused, match="client secret of the Shopify app"):
        ShopifyDriver("ana-engraving", client_id=CLIENT_ID)
    with pytest.raises(CredentialsRefused, match="client ID and secret of your Dev Dashboard"):
        ShopifyDriver("ana-engraving")


def test_the_form_takes_an_app_or_an_older_token_but_not_half_an_app():
    kind = channel_kind("shopify")
    shop = {"shop_domain": "ana-engraving.myshopify.com"}
    assert kind.problems({"client_secret": CLIENT_SECRET}, {**shop, "client_id": CLIENT_ID}) == []
    assert kind.problems({"access_token": DAY_TOKEN}, shop) == []
    assert kind.problems({}, {**shop, "client_id": CLIENT_ID}) == [
        "Client secret is needed with the client ID (Dev Dashboard > your app > Settings)."]
    assert kind.problems({"client_secret": CLIENT_SECRET}, shop) == [
        "Client ID is needed with the client secret (Dev Dashboard > your app > Settings)."]
    driver = build_driver("shopify", {"client_secret": CLIENT_SECRET, "access_token": DAY_TOKEN},
                          {**shop, "client_id": CLIENT_ID})
    try:  # both given: the app wins, as the older token may be the one revoked
        assert driver.client_id == CLIENT_ID
    finally:
        driver.close()
