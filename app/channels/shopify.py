"""Shopify through the Admin REST API: orders in, stock levels and fulfilments out.

Authenticates with an Admin API access token (X-Shopify-Access-Token): either the one a
custom app made in the shop's admin shows once (such apps can no longer be made since
2026), or one this driver gets from a Dev Dashboard app's client ID and secret by the
client credentials grant (POST /admin/oauth/access_token; the token lasts 24 hours and is
kept in memory only, renewed when less than an hour is left). Orders are
read with cursor paging (Link rel="next", page_info); the sync cursor is the latest
`updated_at` seen, sent back as `updated_at_min`. Fetching only reads: it sends GETs alone.
Needs the read_orders, write_inventory (and read_products, read_locations) and
write_merchant_managed_fulfillment_orders scopes for everything below.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.channels.base import (
    Address,
    Capability,
    ChannelError,
    ChannelOrder,
    ChannelOrderLine,
    CredentialsRefused,
    DriverStatus,
    FetchPage,
    OrderState,
    ShipmentNotice,
    StockUpdate,
)
from app.channels.http import (
    ChannelHttp,
    ChannelHttpError,
    HttpOptions,
    flag,
    iso_cursor,
    next_link,
    parse_cursor,
)
from app.domain.money import Money

DEFAULT_API_VERSION = "2025-10"
PAGE_SIZE = 250  # the most Shopify hands out per page
#: The scopes everything here needs (a write scope includes its read scope).
NEEDED_SCOPES = ("read_orders", "read_products", "read_locations", "write_inventory",
                 "write_merchant_managed_fulfillment_orders")
TOKEN_MARGIN = timedelta(hours=1)  # a fetched token with less left is renewed first
TOKEN_LIFE = timedelta(seconds=86399)  # what Shopify grants when it does not say


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: datetime
    scopes: frozenset[str]


# Tokens from client credentials, per shop and app, in this process's memory only.
_TOKENS: dict[tuple[str, str, str], _Token] = {}
_TOKENS_LOCK = threading.Lock()


def forget_tokens() -> None:
    """Drop every fetched access token (the next call asks Shopify for a new one)."""
    with _TOKENS_LOCK:
        _TOKENS.clear()


def missing_scopes(granted: Iterable[str]) -> list[str]:
    """The needed scopes a token was not granted; write_x stands for read_x as well."""
    have = set(granted)
    return [s for s in NEEDED_SCOPES
            if s not in have and not (s.startswith("read_") and
                                      "write_" + s.removeprefix("read_") in have)]


class MappingError(ValueError):
    """An order's JSON lacks something we need; the message says what."""


# -- pure mapping ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _when(value: Any, name: str) -> datetime:
    text = _text(value)
    if not text:
        raise MappingError(f"it has no {name}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(f"its {name} {text!r} is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _minor(value: Any, currency: str, name: str) -> int:
    if value is None or _text(value) == "":
        return 0
    try:
        return Money.parse(_text(value), currency).minor
    except (ArithmeticError, ValueError):
        raise MappingError(f"its {name} {value!r} is not an amount of money") from None


def _person(data: Mapping[str, Any] | None) -> str:
    if not isinstance(data, Mapping):
        return ""
    name = _text(data.get("name")) or " ".join(
        filter(None, (_text(data.get("first_name")), _text(data.get("last_name")))))
    company = _text(data.get("company"))
    return ", ".join(filter(None, (name, company)))


def _address(data: Mapping[str, Any] | None) -> Address:
    if not isinstance(data, Mapping):
        return Address()
    return Address(
        name=_person(data),
        address1=_text(data.get("address1")),
        address2=_text(data.get("address2")),
        city=_text(data.get("city")),
        region=_text(data.get("province_code")) or _text(data.get("province")),
        postcode=_text(data.get("zip")),
        country=_text(data.get("country_code")).upper() or _text(data.get("country")),
        phone=_text(data.get("phone")),
    )


def _personalisation(properties: Any) -> str:
    """Line-item properties as 'Name: value' lines; '_'-names are private to apps."""
    if not isinstance(properties, list):
        return ""
    lines = []
    for prop in properties:
        if not isinstance(prop, Mapping):
            continue
        name, value = _text(prop.get("name")), prop.get("value")
        if not name or name.startswith("_") or value in (None, ""):
            continue
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                                 default=str)
        lines.append(f"{name}: {shown.strip()}")
    return "\n".join(lines)


def order_state(data: Mapping[str, Any]) -> OrderState:
    """Shopify's cancelled_at / financial_status / fulfillment_status as one state."""
    financial = _text(data.get("financial_status")).lower()
    fulfilment = _text(data.get("fulfillment_status")).lower()
    if data.get("cancelled_at") or financial == "voided":
        return OrderState.CANCELLED
    if financial == "refunded":
        return OrderState.REFUNDED
    if fulfilment == "fulfilled":
        return OrderState.SHIPPED
    if financial in ("paid", "partially_refunded", "authorized"):
        return OrderState.OPEN
    return OrderState.PENDING


def raw_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def order_from_json(data: Any) -> ChannelOrder:
    """One order of GET orders.json as a ChannelOrder; MappingError says what is wrong."""
    if not isinstance(data, Mapping):
        raise MappingError("it is not an order object")
    external_id = _text(data.get("id"))
    if not external_id:
        raise MappingError("it has no id")
    currency = _text(data.get("currency")).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise MappingError(f"its currency {currency!r} is not a currency code")
    placed_at = _when(data.get("created_at"), "created_at")
    updated_at = _when(data.get("updated_at"), "updated_at") if data.get("updated_at") \
        else placed_at
    state = order_state(data)
    lines, left = [], []
    for index, item in enumerate(data.get("line_items") or [], 1):
        if not isinstance(item, Mapping):
            raise MappingError(f"line {index} is not a line object")
        try:
            quantity = int(item.get("quantity"))
        except (TypeError, ValueError):
            raise MappingError(f"line {index} has no whole quantity") from None
        # What is left of the line after the order was edited or refunded (API 2023-01 on):
        # a line removed in full is nothing to make, pick or hold stock for.
        current = item.get("current_quantity")
        if isinstance(current, int) and not isinstance(current, bool) and current >= 0:
            left.append(current)
        else:
            left.append(quantity)
        lines.append(ChannelOrderLine(
            sku=_text(item.get("sku")),
            title=_text(item.get("title")) or _text(item.get("name")),
            quantity=quantity,
            unit_price_minor=_minor(item.get("price"), currency, f"line {index} price"),
            personalisation=_personalisation(item.get("properties")),
            external_id=_text(item.get("id")),
            variant=_text(item.get("variant_title")),
        ))
    # A cancelled or refunded order keeps its lines as sold (cancelling with restock takes
    # every line to nothing, and the order must still be known and cancelled here).
    if state not in (OrderState.CANCELLED, OrderState.REFUNDED) and any(left):
        lines = [replace(line, quantity=n) for line, n in zip(lines, left, strict=True) if n]
    shipping_set = data.get("total_shipping_price_set")
    shipping = None
    if isinstance(shipping_set, Mapping) and isinstance(shipping_set.get("shop_money"), Mapping):
        shipping = shipping_set["shop_money"].get("amount")
    if shipping is None:
        shipping = sum((_minor(line.get("price"), currency, "shipping line price")
                        for line in data.get("shipping_lines") or []
                        if isinstance(line, Mapping)), 0)
    else:
        shipping = _minor(shipping, currency, "shipping total")
    customer = data.get("customer")
    address = _address(data.get("shipping_address"))
    customer_name = (_person(customer) if isinstance(customer, Mapping) else "") \
        or address.name or _person(data.get("billing_address"))
    email = _text(data.get("email")) or _text(data.get("contact_email")) or (
        _text(customer.get("email")) if isinstance(customer, Mapping) else "")
    service = next((_text(line.get("title")) for line in data.get("shipping_lines") or []
                    if isinstance(line, Mapping) and _text(line.get("title"))), "")
    return ChannelOrder(
        external_id=external_id,
        number=_text(data.get("name")) or _text(data.get("order_number")) or external_id,
        placed_at=placed_at,
        state=state,
        currency=currency,
        customer_name=customer_name or email,
        customer_email=email,
        shipping_address=address,
        lines=tuple(lines),
        subtotal_minor=_minor(data.get("subtotal_price"), currency, "subtotal_price"),
        shipping_minor=shipping,
        tax_minor=_minor(data.get("total_tax"), currency, "total_tax"),
        total_minor=_minor(data.get("total_price"), currency, "total_price"),
        shipping_service=service,
        updated_at=updated_at,
        raw=raw_text(data),
    )


def call_limit_pause(response: httpx.Response) -> float:
    """Seconds to wait so the REST leaky bucket ("32/40") stays below four fifths full.

    The bucket drains at a twentieth of its size a second (40 -> 2/s, Plus 80 -> 4/s).
    """
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*",
                         response.headers.get("x-shopify-shop-api-call-limit", ""))
    if not found:
        return 0.0
    used, size = int(found.group(1)), int(found.group(2))
    if size <= 0:
        return 0.0
    threshold = size * 0.8
    if used < threshold:
        return 0.0
    return (used - threshold + 1) / (size / 20)


def normalise_shop_domain(text: str) -> str:
    """'My-Shop', 'https://my-shop.myshopify.com/admin' -> 'my-shop.myshopify.com'."""
    domain = re.sub(r"^[a-z]+://", "", _text(text).lower()).split("/")[0].split("?")[0]
    if domain and "." not in domain:
        domain += ".myshopify.com"
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+(?::\d+)?", domain):
        raise ChannelError("Enter the shop's domain, such as my-shop.myshopify.com, in "
                           "Settings > Channels.")
    return domain


# -- the driver ------------------------------------------------------------------------------


class ShopifyDriver:
    """A Shopify shop reached with an Admin API access token, or with a Dev Dashboard app's
    client ID and secret (then the token is fetched, and renewed, by the driver)."""

    kind = "shopify"
    title = "Shopify"
    capabilities = Capability.FETCH_ORDERS | Capability.PUSH_STOCK | Capability.PUSH_SHIPMENT

    def __init__(
        self,
        shop_domain: str,
        access_token: str = "",
        *,
        client_id: str = "",
        client_secret: str = "",
        api_version: str = DEFAULT_API_VERSION,
        location_id: str | int | None = None,
        notify_customer: bool = True,
        base_url: str | None = None,
        options: HttpOptions | None = None,
    ) -> None:
        """`base_url` replaces https://{shop_domain} (a local test server, a proxy)."""
        self.shop_domain = normalise_shop_domain(shop_domain)
        token = _text(access_token)
        self.client_id, self._client_secret = _text(client_id), _text(client_secret)
        if self.client_id or self._client_secret:  # a Dev Dashboard app: it wins
            if not (self.client_id and self._client_secret):
                missing = "client secret" if self.client_id else "client ID"
                raise CredentialsRefused(
                    f"The {missing} of the Shopify app for shop {self.shop_domain} is missing — "
                    f"copy it from the Dev Dashboard (your app > Settings) into Settings > "
                    f"Channels.")
            token = ""
        elif not token:
            raise CredentialsRefused(
                f"There are no credentials for shop {self.shop_domain} — enter the client ID "
                f"and secret of your Dev Dashboard app (or an older custom app's Admin API "
                f"access token) in Settings > Channels.")
        self.scopes: frozenset[str] = frozenset()  # granted, when Shopify said (fetched tokens)
        version = _text(api_version) or DEFAULT_API_VERSION
        if not re.fullmatch(r"\d{4}-\d{2}|unstable", version):
            raise ChannelError(f"The Shopify API version {version!r} should look like "
                               f"{DEFAULT_API_VERSION}; correct it in Settings > Channels.")
        self.api_version = version
        self.location_id = _text(location_id) or None
        self.notify_customer = notify_customer
        self._root = root = (base_url or f"https://{self.shop_domain}").rstrip("/")
        self.http = ChannelHttp(
            "Shopify",
            f"{root}/admin/api/{version}/",
            where="the shop domain and API version",
            refused=self._refused_words,
            headers={"X-Shopify-Access-Token": token} if token else {},
            secrets=(token, self._client_secret),
            pace=call_limit_pause,
            options=options,
        )
        self._variants: dict[str, list[str]] | None = None

    def __repr__(self) -> str:
        return f"<ShopifyDriver {self.shop_domain} api {self.api_version}>"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ShopifyDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _refused_words(self, status: int, api_text: str) -> str:
        if self.client_id:
            return self._app_refused(api_text)
        if status == 403:
            detail = f" ({api_text})" if api_text else ""
            return (f"Shopify refused the access token for shop {self.shop_domain}: it lacks a "
                    f"permission this needs{detail} — in the shop's admin, give the app the scopes "
                    f"it needs (read_orders, read_products, read_locations, write_inventory, "
                    f"write_merchant_managed_fulfillment_orders), then enter its new Admin API "
                    f"access token in Settings > Channels.")
        return (f"Shopify refused the access token for shop {self.shop_domain} — create a new "
                f"Admin API access token and enter it in Settings > Channels.")

    def _app_refused(self, api_text: str, code: str = "") -> str:
        detail = f" ({api_text.rstrip(' .')})" if api_text else ""
        if code == "shop_not_permitted" or "not_permitted" in api_text:
            return (f"Shopify will not give the app a token for shop {self.shop_domain}"
                    f"{detail}: a client ID and secret only work for an app made in the Dev "
                    f"Dashboard of the organisation that owns the shop. Make the app there, "
                    f"install it on the shop, and enter its client ID and secret in Settings > "
                    f"Channels.")
        return (f"Shopify refused the app's client ID and secret for shop {self.shop_domain}"
                f"{detail} — copy both again from the Dev Dashboard (your app > Settings), "
                f"check the app is installed on this shop with the scopes it needs "
                f"({', '.join(NEEDED_SCOPES)}), and enter them in Settings > Channels.")

    # -- the access token ----------------------------------------------------------------

    def _authorise(self) -> None:
        """With a client ID and secret: make sure a token with an hour or more left is sent."""
        if not self.client_id:
            return
        key = (self._root, self.client_id,
               hashlib.sha256(self._client_secret.encode()).hexdigest())
        now = self.http.options.now()
        with _TOKENS_LOCK:
            held = _TOKENS.get(key)
        if held is None or held.expires_at - now < TOKEN_MARGIN:
            held = self._new_token(now)
            with _TOKENS_LOCK:
                _TOKENS[key] = held
        self.scopes = held.scopes
        self.http.use_header("X-Shopify-Access-Token", held.value)

    def _new_token(self, now: datetime) -> _Token:
        """The client credentials grant: the app's ID and secret for a 24-hour token."""
        try:
            reply = self.http.request(
                "POST", f"{self._root}/admin/oauth/access_token", idempotent=True,
                form={"grant_type": "client_credentials", "client_id": self.client_id,
                      "client_secret": self._client_secret})
        except ChannelHttpError as exc:
            if exc.http_status in (400, 401, 403):
                raise CredentialsRefused(self.http.redact(
                    self._app_refused(exc.api_message, exc.error_code))) from None
            raise
        data = reply.data if isinstance(reply.data, Mapping) else {}
        value = _text(data.get("access_token"))
        if not value:
            raise self.http.error(
                f"Shopify answered the app's client ID and secret for shop {self.shop_domain} "
                f"without an access token — try again later; if it keeps happening, check the "
                f"app in the Dev Dashboard.")
        try:
            life = timedelta(seconds=int(data.get("expires_in")))
        except (TypeError, ValueError):
            life = TOKEN_LIFE
        scopes = frozenset(s.strip() for s in _text(data.get("scope")).split(",") if s.strip())
        return _Token(value, now + life, scopes)

    # -- connection check ----------------------------------------------------------------

    def test_connection(self) -> str:
        """A read-only call that proves the credentials work; says which shop answered, and
        which needed scopes the app lacks when Shopify said what it granted."""
        self._authorise()
        shop = (self.http.get("shop.json").data or {}).get("shop") or {}
        said = (f"Connected to {shop.get('name') or self.shop_domain} "
                f"({shop.get('myshopify_domain') or self.shop_domain}), "
                f"currency {shop.get('currency') or 'unknown'}.")
        lacking = missing_scopes(self.scopes) if self.scopes else []
        if lacking:
            said += (f" But the app lacks the scopes {', '.join(lacking)}: add them to the "
                     f"app's version in the Dev Dashboard, release it, and test again.")
        return said

    # -- orders --------------------------------------------------------------------------

    def fetch_orders(self, since: str | None) -> Iterator[FetchPage]:
        """Pages of orders updated at or after `since`, oldest cursor first.

        Shopify does not promise to list by updated_at, so the cursor only moves on the
        last page (earlier pages carry `since` back): an interrupted sync repeats, never
        skips. `updated_at_max` pins the set to the moment the sync began.
        """
        self._authorise()
        latest = parse_cursor(since)
        params: dict[str, Any] | None = {
            "status": "any",
            "limit": PAGE_SIZE,
            "updated_at_max": self.http.options.now().astimezone(UTC).isoformat(
                timespec="seconds"),
        }
        if latest is not None:
            params["updated_at_min"] = latest.isoformat(timespec="seconds")
        path = "orders.json"
        first = True
        while True:
            if not first and self.http.cancelled():
                return
            first = False
            reply = self.http.get(path, params=params)
            found = reply.data.get("orders") if isinstance(reply.data, Mapping) else None
            if not isinstance(found, list):
                raise self.http.error(
                    f"Shopify's answer to {reply.path} holds no list of orders — check the "
                    f"API version ({self.api_version}) in Settings > Channels.")
            orders, problems = [], []
            for position, raw in enumerate(found, 1):
                try:
                    order = order_from_json(raw)
                except Exception as exc:
                    ref = _text(raw.get("name") or raw.get("id")) if isinstance(raw, Mapping) \
                        else ""
                    problems.append((ref or f"order {position} of the page",
                                     f"Shopify order {ref or position} could not be read: {exc}",
                                     raw_text(raw)))
                    continue
                orders.append(order)
                if order.updated_at and (latest is None or order.updated_at > latest):
                    latest = order.updated_at
            following = next_link(reply.headers.get("link"))
            last = following is None
            cursor = (iso_cursor(latest) if latest else since) if last else since
            yield FetchPage(tuple(orders), cursor, tuple(problems))
            if last:
                return
            path, params = following, None

    # -- stock ---------------------------------------------------------------------------

    def _variant_index(self) -> dict[str, list[str]]:
        """SKU -> inventory_item_ids of every variant in the shop (read once per driver)."""
        if self._variants is None:
            index: dict[str, list[str]] = {}
            path: str | None = "products.json"
            params: dict[str, Any] | None = {"fields": "id,variants", "limit": PAGE_SIZE}
            while path is not None:
                reply = self.http.get(path, params=params)
                for product in (reply.data or {}).get("products") or []:
                    for variant in product.get("variants") or []:
                        sku = _text(variant.get("sku"))
                        item = _text(variant.get("inventory_item_id"))
                        if sku and item:
                            index.setdefault(sku, []).append(item)
                path, params = next_link(reply.headers.get("link")), None
            self._variants = index
        return self._variants

    def inventory_item_ids(self, skus: Iterable[str]) -> dict[str, str]:
        """SKU -> inventory_item_id for SKUs on exactly one variant (to keep as external ids)."""
        self._authorise()
        index = self._variant_index()
        return {sku: index[sku][0] for sku in skus if len(index.get(sku, ())) == 1}

    def _location(self) -> str:
        if self.location_id:
            return self.location_id
        places = (self.http.get("locations.json").data or {}).get("locations") or []
        active = [p for p in places if p.get("active", True)]
        if len(active) == 1:
            self.location_id = _text(active[0].get("id"))
            return self.location_id
        listed = ", ".join(f"{_text(p.get('name'))} (id {_text(p.get('id'))})" for p in active)
        raise self.http.error(
            f"Shopify shop {self.shop_domain} has {len(active)} active locations"
            f"{': ' + listed if listed else ''} — enter the location id whose stock Backroom "
            f"keeps in Settings > Channels.")

    def push_stock(self, updates: Iterable[StockUpdate]) -> list[tuple[str, str]]:
        """Set `available` at the location; an update's external_id is its inventory_item_id
        (looked up from the variants by SKU when empty). Returns (sku, error) for failures.
        """
        todo = list(updates)
        if not todo:
            return []
        self._authorise()
        location = self._location()
        unknown = [u.channel_sku for u in todo if not _text(u.external_id)]
        index = self._variant_index() if unknown else {}
        errors: list[tuple[str, str]] = []
        for position, update in enumerate(todo):
            if self.http.cancelled():
                errors += [(u.channel_sku, "Not sent: the sync was cancelled.")
                           for u in todo[position:]]
                break
            item = _text(update.external_id)
            if not item:
                found = index.get(update.channel_sku, [])
                if len(found) != 1:
                    errors.append((update.channel_sku, (
                        f"SKU {update.channel_sku} is on {len(found)} variants in Shopify"
                        if found else
                        f"No variant in Shopify has SKU {update.channel_sku}"
                    ) + " — correct the SKU in Shopify or in the listing."))
                    continue
                item = found[0]
            body = {"location_id": _id(location), "inventory_item_id": _id(item),
                    "available": max(0, int(update.available))}
            try:
                self.http.request("POST", "inventory_levels/set.json", json_body=body,
                                  idempotent=True)
            except ChannelHttpError as exc:
                errors.append((update.channel_sku, (
                    f"Shopify did not set the stock of {update.channel_sku}: "
                    f"{exc.api_message or f'HTTP {exc.http_status}'}.")))
            except CredentialsRefused:
                raise
            except ChannelError as exc:
                errors += [(u.channel_sku, str(exc)) for u in todo[position:]]
                break
        return errors

    # -- shipments -----------------------------------------------------------------------

    def push_shipment(self, notice: ShipmentNotice) -> None:
        """Fulfil the order's open fulfilment orders with the tracking details.

        One fulfilment per assigned location (Shopify wants them apart); with
        line_external_ids only those lines, else everything still to fulfil.
        """
        number = notice.order_number or notice.order_external_id
        self._authorise()
        try:
            reply = self.http.get(f"orders/{_id(notice.order_external_id)}/fulfillment_orders.json")
        except ChannelHttpError as exc:
            if exc.http_status == 404:
                raise self.http.error(
                    f"Shopify has no order {number} (id {notice.order_external_id}) — it may "
                    f"have been deleted; the tracking number {notice.tracking_number} was not "
                    f"sent.") from None
            raise
        orders = (reply.data or {}).get("fulfillment_orders") or []
        wanted = {str(i) for i in notice.line_external_ids} if notice.partial else set()
        by_location: dict[str, list[dict[str, Any]]] = {}
        for fo in orders:
            if _text(fo.get("status")) not in ("open", "in_progress"):
                continue
            if "create_fulfillment" not in fo.get("supported_actions", ["create_fulfillment"]):
                continue
            lines = [{"id": li["id"], "quantity": int(li.get("fulfillable_quantity") or 0)}
                     for li in fo.get("line_items") or []
                     if int(li.get("fulfillable_quantity") or 0) > 0
                     and (not wanted or _text(li.get("line_item_id")) in wanted)]
            if not lines:
                continue
            entry: dict[str, Any] = {"fulfillment_order_id": fo["id"]}
            if wanted:
                entry["fulfillment_order_line_items"] = lines
            by_location.setdefault(_text(fo.get("assigned_location_id")), []).append(entry)
        if not by_location:
            raise self._nothing_to_fulfil(notice, number, orders, wanted)
        tracking = {"company": notice.carrier, "number": notice.tracking_number}
        if notice.tracking_url:
            tracking["url"] = notice.tracking_url
        for entries in by_location.values():
            body = {"fulfillment": {"line_items_by_fulfillment_order": entries,
                                    "tracking_info": tracking,
                                    "notify_customer": self.notify_customer}}
            try:
                self.http.request("POST", "fulfillments.json", json_body=body)
            except ChannelHttpError as exc:
                raise self.http.error(
                    f"Shopify did not accept the shipment of order {number}: "
                    f"{exc.api_message or f'HTTP {exc.http_status}'} — check the order in "
                    f"Shopify, then send the shipment again.") from None

    def _nothing_to_fulfil(self, notice: ShipmentNotice, number: str,
                           orders: list[Any], wanted: set[str]) -> ChannelError:
        states = {_text(fo.get("status")) for fo in orders}
        if "on_hold" in states:
            why = "is on hold in Shopify — release the hold there, then send the shipment again"
        elif orders and states <= {"closed"}:
            why = "is already fulfilled in Shopify, so there is nothing left to mark shipped"
        elif wanted:
            why = "has none of this shipment's lines left to fulfil in Shopify"
        else:
            why = (f"has nothing left to fulfil in Shopify (fulfilment orders: "
                   f"{', '.join(sorted(states)) or 'none'})")
        return self.http.error(
            f"Order {number} {why}; tracking number {notice.tracking_number} was not sent.",
            status=DriverStatus.WARNING)


def _id(value: str | int) -> int | str:
    """Shopify ids go out as JSON numbers when they are numbers."""
    text = _text(value)
    return int(text) if text.isdigit() else text


def from_fields(credentials: Mapping[str, str], settings: Mapping[str, str], *,
                options: HttpOptions | None = None) -> ShopifyDriver:
    """Build from the Settings > Channels form values (see app.channels.registry)."""
    return ShopifyDriver(
        settings.get("shop_domain", ""),
        credentials.get("access_token", ""),
        client_id=settings.get("client_id", ""),
        client_secret=credentials.get("client_secret", ""),
        api_version=settings.get("api_version") or DEFAULT_API_VERSION,
        location_id=settings.get("location_id") or None,
        notify_customer=flag(settings.get("notify_customer"), default=True),
        base_url=settings.get("base_url") or None,
        options=options,
    )
