"""Fixtures for the API drivers: the sample JSON, recorded waits and drivers aimed at a
loopback pytest-httpserver instead of the real shops."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.channels.http import HttpOptions
from app.channels.shopify import ShopifyDriver
from app.channels.woocommerce import WooCommerceDriver

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "channels" / "api"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SHOPIFY_TOKEN = "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"
WOO_KEY = "ck_7a3b9c1d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"
WOO_SECRET = "cs_0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"
SECRETS = (SHOPIFY_TOKEN, WOO_KEY, WOO_SECRET)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def text(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> Response:
    return Response(json.dumps(data), status=status, headers=headers or {},
                    content_type="application/json; charset=UTF-8")


@dataclass
class Clock:
    """What a driver waited for and whether the user pressed Cancel."""

    sleeps: list[float] = field(default_factory=list)
    cancel_after_sleeps: int | None = None
    cancel: bool = False

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def cancelled(self) -> bool:
        return self.cancel or (self.cancel_after_sleeps is not None
                               and len(self.sleeps) >= self.cancel_after_sleeps)

    def options(self, **overrides: Any) -> HttpOptions:
        return HttpOptions(**{"sleep": self.sleep, "cancelled": self.cancelled,
                              "jitter": lambda: 1.0, "now": lambda: NOW, "timeout": 5.0,
                              **overrides})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shopify_order() -> Callable[..., dict[str, Any]]:
    """The sample order, renumbered and re-dated: shopify_order(1002, '2026-11-05T...')."""
    base = load("shopify_order.json")

    def make(number: int = 1001, updated_at: str | None = None, **changes: Any
             ) -> dict[str, Any]:
        order = copy.deepcopy(base)
        order["id"] = 450789469 + number - 1001
        order["name"] = f"#{number}"
        order["order_number"] = number
        if updated_at:
            order["updated_at"] = updated_at
        order.update(changes)
        return order

    return make


@pytest.fixture
def woo_order() -> Callable[..., dict[str, Any]]:
    base = load("woocommerce_order.json")

    def make(number: int = 727, modified: str | None = None, **changes: Any) -> dict[str, Any]:
        order = copy.deepcopy(base)
        order["id"] = number
        order["number"] = str(number)
        if modified:
            order["date_modified_gmt"] = modified
        order.update(changes)
        return order

    return make


@pytest.fixture
def shopify(httpserver: HTTPServer, clock: Clock) -> Iterator[Callable[..., ShopifyDriver]]:
    made: list[ShopifyDriver] = []

    def make(access_token: str = SHOPIFY_TOKEN, **kwargs: Any) -> ShopifyDriver:
        options = kwargs.pop("options", None) or clock.options()
        driver = ShopifyDriver("ana-engraving", access_token, api_version="2025-10",
                               base_url=httpserver.url_for("").rstrip("/"), options=options,
                               **kwargs)
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def woo(httpserver: HTTPServer, clock: Clock) -> Iterator[Callable[..., WooCommerceDriver]]:
    made: list[WooCommerceDriver] = []

    def make(**kwargs: Any) -> WooCommerceDriver:
        options = kwargs.pop("options", None) or clock.options()
        driver = WooCommerceDriver(httpserver.url_for("/shop"), WOO_KEY, WOO_SECRET,
                                   options=options, **kwargs)
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


SHOPIFY_API = "/admin/api/2025-10"
WOO_API = "/shop/wp-json/wc/v3"


def requests_to(server: HTTPServer, path: str | None = None) -> list[Request]:
    return [request for request, _ in server.log if path is None or request.path == path]
