"""The shared transport: retries, back-off, rate limits, timeouts and JSON in words."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.channels.base import ChannelError, CredentialsRefused, DriverStatus
from app.channels.http import (
    ChannelHttp,
    ChannelHttpError,
    SyncCancelled,
    api_message,
    next_link,
    retry_after_seconds,
)

from .conftest import Clock, json_response, text

SECRET = "tok_9a8b7c6d5e4f3a2b1c0d"


@pytest.fixture
def http(httpserver: HTTPServer, clock: Clock) -> Iterator[ChannelHttp]:
    client = ChannelHttp(
        "Shopify", httpserver.url_for("/api/"), where="the shop domain",
        refused=lambda status, api: f"Shopify refused the token (HTTP {status}, {api})",
        headers={"X-Shopify-Access-Token": SECRET}, secrets=(SECRET,),
        options=clock.options(max_attempts=3, backoff=1.0))
    yield client
    client.close()


def _shown(exc: BaseException) -> str:
    return str(exc) + repr(exc) + "".join(traceback.format_exception(exc))


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("2", now) == 2.0
    assert retry_after_seconds("2.5", now) == 2.5
    assert retry_after_seconds("Tue, 24 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 24 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("", now) is None
    assert retry_after_seconds("inf", now) is None


def test_next_link_finds_rel_next_among_previous_and_next():
    header = ('<https://s.myshopify.com/admin/api/2025-10/orders.json?limit=250&page_info=abc>; '
              'rel="previous", <https://s.myshopify.com/admin/api/2025-10/orders.json?limit=250'
              '&page_info=def>; rel="next"')
    assert next_link(header).endswith("page_info=def")
    assert next_link('<https://x/y?page=2>; rel="prev"') is None
    assert next_link(None) is None


def test_api_message_reads_shopify_and_wordpress_error_bodies():
    assert api_message({"errors": "Not Found"}) == "Not Found"
    assert api_message({"errors": {"base": ["Line items is invalid"]}}) == "Line items is invalid"
    assert api_message({"errors": {"location_id": ["must exist"]}}) == "location_id must exist"
    assert api_message({"code": "x", "message": "Sorry, <b>no</b>.", "data": {}}) == "Sorry, no ."


def test_a_server_error_is_retried_with_growing_waits_then_succeeds(httpserver, http, clock):
    httpserver.expect_ordered_request("/api/orders.json").respond_with_data("oops", status=500)
    httpserver.expect_ordered_request("/api/orders.json").respond_with_data("oops", status=502)
    httpserver.expect_ordered_request("/api/orders.json").respond_with_json({"orders": []})

    reply = http.get("orders.json")

    assert reply.data == {"orders": []}
    assert clock.sleeps == [1.0, 2.0]
    assert len(httpserver.log) == 3


def test_jitter_shortens_the_back_off_by_up_to_half(httpserver, clock):
    httpserver.expect_ordered_request("/api/x").respond_with_data("", status=503)
    httpserver.expect_ordered_request("/api/x").respond_with_json({})
    client = ChannelHttp("Shopify", httpserver.url_for("/api/"), where="the shop domain",
                         refused=lambda s, a: "refused",
                         options=clock.options(jitter=lambda: 0.0, backoff=4.0))
    client.get("x")
    client.close()
    assert clock.sleeps == [2.0]


def test_a_server_error_that_never_ends_becomes_a_channel_error_in_words(httpserver, http, clock):
    httpserver.expect_request("/api/orders.json").respond_with_data("oops", status=500)

    with pytest.raises(ChannelError) as raised:
        http.get("orders.json")

    message = str(raised.value)
    assert "3 times in a row" in message
    assert "HTTP 500" in message
    assert "Try again later" in message and "Settings > Channels" in message
    assert raised.value.status is DriverStatus.FAILED
    assert len(httpserver.log) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_too_many_requests_waits_as_long_as_retry_after_says(httpserver, http, clock):
    httpserver.expect_ordered_request("/api/orders.json").respond_with_json(
        {"errors": "Exceeded 2 calls per second for api client."}, status=429,
        headers={"Retry-After": "2.0"})
    httpserver.expect_ordered_request("/api/orders.json").respond_with_json({"orders": []})

    assert http.get("orders.json").data == {"orders": []}
    assert clock.sleeps == [2.0]


def test_retry_after_as_an_http_date_is_waited_until(httpserver, http, clock):
    httpserver.expect_ordered_request("/api/x").respond_with_data(
        "", status=429, headers={"Retry-After": "Tue, 24 Nov 2026 12:00:07 GMT"})
    httpserver.expect_ordered_request("/api/x").respond_with_json({})

    http.get("x")

    assert clock.sleeps == [7.0]


def test_a_retry_after_too_long_to_sit_out_is_raised_with_the_wait(httpserver, http, clock):
    httpserver.expect_request("/api/x").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"})

    with pytest.raises(ChannelError) as raised:
        http.get("x")

    assert raised.value.retry_after == 3600.0
    assert "60 minutes" in str(raised.value)
    assert clock.sleeps == []


def test_a_timeout_is_retried_then_reported(httpserver, clock):
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(2.0)
        return json_response({})

    httpserver.expect_request("/api/slow").respond_with_handler(slow)
    client = ChannelHttp("WooCommerce", httpserver.url_for("/api/"), where="the site address",
                         refused=lambda s, a: "refused",
                         options=clock.options(timeout=0.1, max_attempts=2))
    with pytest.raises(ChannelError) as raised:
        client.get("slow")
    client.close()
    release.set()
    deadline = time.monotonic() + 2.0
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)

    assert "did not answer within 0.1 seconds" in str(raised.value)
    assert "2 times in a row" in str(raised.value)
    assert clock.sleeps == [1.0]


def test_a_connection_refused_is_retried_then_reported(clock):
    client = ChannelHttp("WooCommerce", "http://127.0.0.1:9/", where="the site address",
                         refused=lambda s, a: "refused", options=clock.options(max_attempts=2))
    with pytest.raises(ChannelError) as raised:
        client.get("orders")
    client.close()
    assert "could not be reached" in str(raised.value)
    assert len(clock.sleeps) == 1


def test_a_post_that_is_not_idempotent_is_not_sent_twice(httpserver, http, clock):
    httpserver.expect_request("/api/fulfillments.json", method="POST").respond_with_data(
        "", status=500)

    with pytest.raises(ChannelError) as raised:
        http.request("POST", "fulfillments.json", json_body={"fulfillment": {}})

    assert len(httpserver.log) == 1
    assert "not sent again in case it went through" in str(raised.value)
    assert clock.sleeps == []


def test_an_idempotent_post_is_retried(httpserver, http, clock):
    httpserver.expect_ordered_request("/api/set.json", method="POST").respond_with_data(
        "", status=503)
    httpserver.expect_ordered_request("/api/set.json", method="POST").respond_with_json({})

    http.request("POST", "set.json", json_body={}, idempotent=True)

    assert len(httpserver.log) == 2


def test_malformed_json_is_a_channel_error_saying_what_to_do(httpserver, http):
    httpserver.expect_request("/api/orders.json").respond_with_data(
        '{"orders": [{"id": 1,', content_type="application/json")

    with pytest.raises(ChannelError) as raised:
        http.get("orders.json")

    message = str(raised.value)
    assert message.startswith("Shopify sent a reply to /api/orders.json that is not readable data")
    assert "Try again later" in message


def test_a_login_page_instead_of_json_is_named_by_its_title(httpserver, http):
    httpserver.expect_request("/api/orders.json").respond_with_data(
        text("wordpress_login.html"), content_type="text/html; charset=UTF-8")

    with pytest.raises(ChannelError) as raised:
        http.get("orders.json")

    message = str(raised.value)
    assert "answered /api/orders.json with a web page" in message
    assert "Log In ‹ Ana's Engraving — WordPress" in message
    assert "Check the shop domain in Settings > Channels" in message


def test_fractions_in_json_are_read_as_decimals_never_floats(httpserver, http):
    httpserver.expect_request("/api/x").respond_with_data(
        '{"price": 18.333333333333332, "qty": 3}', content_type="application/json")
    data = http.get("x").data
    assert data["price"] == Decimal("18.333333333333332")
    assert data["qty"] == 3


@pytest.mark.parametrize("status", [401, 403])
def test_unauthorised_and_forbidden_are_credentials_refused(httpserver, http, status):
    httpserver.expect_request("/api/x").respond_with_json(
        {"errors": "[API] Invalid API key or access token"}, status=status)

    with pytest.raises(CredentialsRefused) as raised:
        http.get("x")

    assert raised.value.status is DriverStatus.REFUSED
    assert f"HTTP {status}" in str(raised.value)
    assert len(httpserver.log) == 1


def test_other_client_errors_carry_the_apis_own_words(httpserver, http):
    httpserver.expect_request("/api/x").respond_with_json(
        {"errors": {"base": ["Inventory item does not have inventory tracking enabled"]}},
        status=422)

    with pytest.raises(ChannelHttpError) as raised:
        http.get("x")

    assert raised.value.http_status == 422
    assert raised.value.api_message == "Inventory item does not have inventory tracking enabled"


def test_a_redirect_is_not_followed_but_explained(httpserver, http):
    httpserver.expect_request("/api/x").respond_with_data(
        "", status=301, headers={"Location": "https://elsewhere.example/shop/api/x?key=1"})

    with pytest.raises(ChannelError) as raised:
        http.get("x")

    assert "https://elsewhere.example/shop/api/x" in str(raised.value)
    assert "key=1" not in str(raised.value)


def test_a_next_page_on_another_host_is_refused_before_sending(http):
    with pytest.raises(ChannelError, match="another site"):
        http.get("https://evil.example/admin/api/orders.json?page_info=x")


def test_cancel_during_a_back_off_stops_without_another_request(httpserver, http, clock):
    httpserver.expect_request("/api/x").respond_with_data("", status=500)
    clock.cancel_after_sleeps = 1

    with pytest.raises(SyncCancelled) as raised:
        http.get("x")

    assert len(httpserver.log) == 1
    assert raised.value.status is DriverStatus.WARNING


def test_the_secret_never_appears_in_errors_or_reprs(httpserver, http):
    httpserver.expect_request("/api/echo").respond_with_json(
        {"errors": f"token {SECRET} is not valid here"}, status=422)
    httpserver.expect_request("/api/garbage").respond_with_data(
        f"{SECRET}{SECRET}", content_type="application/json")
    httpserver.expect_request("/api/refused").respond_with_json(
        {"errors": f"bad token {SECRET}"}, status=401)

    for path in ("echo", "garbage", "refused"):
        with pytest.raises(ChannelError) as raised:
            http.get(path)
        assert SECRET not in _shown(raised.value)
    assert SECRET not in repr(http)
