"""WooCommerce through its REST API (wc/v3): orders in, stock levels and shipments out.

Authenticates with a REST API key (consumer key and secret) by HTTP Basic over HTTPS, or in
the query string for servers that drop the Authorization header. Orders are read oldest
change first (orderby=modified, order=asc), each next page asked from the last change seen
(modified_after) rather than by page number: an order changed while the sync reads moves
to the end, and numbered pages would then slide one order past unread. The sync cursor is
the latest date_modified_gmt seen, sent back as modified_after with dates_are_gmt.
Fetching only reads: it sends GETs alone.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.channels.base import (
    Address,
    Capability,
    ChannelError,
    ChannelOrder,
    ChannelOrderLine,
    CredentialsRefused,
    FetchPage,
    OrderState,
    ShipmentNotice,
    StockUpdate,
)
from app.channels.http import (
    ChannelHttp,
    ChannelHttpError,
    HttpOptions,
    api_message,
    flag,
    iso_cursor,
    parse_cursor,
)
from app.domain.money import Money

PAGE_SIZE = 100  # the most the WordPress REST API hands out per page
BATCH_SIZE = 100  # WooCommerce's default limit of items in one batch request
LOOKUP_SIZE = 50  # SKUs asked about in one GET products?sku=...
# modified_after is strictly after; look back this much so an order changed in the same
# second as the last one seen is not missed (seeing one twice is harmless).
OVERLAP = timedelta(seconds=1)
#: A shopper's unfinished block checkout: not an order yet, so never taken in.
DRAFTS = frozenset({"checkout-draft", "auto-draft"})

STATES = {
    "pending": OrderState.PENDING,
    "on-hold": OrderState.PENDING,
    "failed": OrderState.PENDING,
    "processing": OrderState.OPEN,
    "completed": OrderState.SHIPPED,
    "cancelled": OrderState.CANCELLED,
    "refunded": OrderState.REFUNDED,
    "trash": OrderState.CANCELLED,
}


class MappingError(ValueError):
    """An order's JSON lacks something we need; the message says what."""


# -- pure mapping ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _plain(value: Any) -> str:
    """Text as WooCommerce shows it, without the HTML and entities it sometimes carries."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", _text(value))).split())


def _gmt(value: Any, name: str) -> datetime:
    text = _text(value)
    if not text:
        raise MappingError(f"it has no {name}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(f"its {name} {text!r} is not a date") from None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC)


def _minor(value: Any, currency: str, name: str) -> int:
    if value is None or _text(value) == "":
        return 0
    try:
        return Money.parse(_text(value), currency).minor
    except (ArithmeticError, ValueError):
        raise MappingError(f"its {name} {value!r} is not an amount of money") from None


def _name(data: Mapping[str, Any] | None) -> str:
    if not isinstance(data, Mapping):
        return ""
    name = " ".join(filter(None, (_plain(data.get("first_name")), _plain(data.get("last_name")))))
    return ", ".join(filter(None, (name, _plain(data.get("company")))))


def _address(shipping: Any, billing: Any) -> Address:
    if not isinstance(shipping, Mapping):
        return Address()
    phone = _text(shipping.get("phone")) or (
        _text(billing.get("phone")) if isinstance(billing, Mapping) else "")
    return Address(
        name=_name(shipping),
        address1=_plain(shipping.get("address_1")),
        address2=_plain(shipping.get("address_2")),
        city=_plain(shipping.get("city")),
        region=_plain(shipping.get("state")),
        postcode=_plain(shipping.get("postcode")),
        country=_text(shipping.get("country")).upper(),
        phone=phone,
    )


def _line_details(item: Mapping[str, Any]) -> tuple[str, str]:
    """(variant, personalisation) from a line's meta_data.

    Keys starting '_' are WooCommerce's own. 'pa_' keys, and on a variation any slug-like
    key, are the variation's attributes; the rest (add-on fields) is personalisation.
    """
    is_variation = _text(item.get("variation_id")) not in ("", "0")
    variant, extras = [], []
    for meta in item.get("meta_data") or []:
        if not isinstance(meta, Mapping):
            continue
        key = _text(meta.get("key"))
        if not key or key.startswith("_"):
            continue
        label = _plain(meta.get("display_key")) or (
            key[3:].replace("-", " ").capitalize() if key.startswith("pa_") else key)
        value = _plain(meta.get("display_value") if meta.get("display_value") not in (None, "")
                       else meta.get("value"))
        if not value:
            continue
        attribute = key.startswith("pa_") or (
            is_variation and re.fullmatch(r"[a-z0-9_-]+", key) is not None)
        (variant if attribute else extras).append(f"{label}: {value}")
    return ", ".join(variant), "\n".join(extras)


def order_from_json(data: Any) -> ChannelOrder:
    """One order of GET orders as a ChannelOrder; MappingError says what is wrong."""
    if not isinstance(data, Mapping):
        raise MappingError("it is not an order object")
    external_id = _text(data.get("id"))
    if not external_id:
        raise MappingError("it has no id")
    currency = _text(data.get("currency")).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise MappingError(f"its currency {currency!r} is not a currency code")
    status = _text(data.get("status")).lower()
    if status not in STATES:
        raise MappingError(
            f"its status {status!r} is not one Backroom knows ({', '.join(STATES)}); a plugin "
            f"may have added it")
    placed_at = _gmt(data.get("date_created_gmt"), "date_created_gmt")
    updated_at = _gmt(data.get("date_modified_gmt"), "date_modified_gmt") \
        if data.get("date_modified_gmt") else placed_at
    lines, subtotal = [], 0
    for index, item in enumerate(data.get("line_items") or [], 1):
        if not isinstance(item, Mapping):
            raise MappingError(f"line {index} is not a line object")
        try:
            quantity = int(item.get("quantity"))
        except (TypeError, ValueError):
            raise MappingError(f"line {index} has no whole quantity") from None
        variant, personalisation = _line_details(item)
        subtotal += _minor(item.get("total"), currency, f"line {index} total")
        lines.append(ChannelOrderLine(
            sku=_text(item.get("sku")),
            title=_plain(item.get("name")),
            quantity=quantity,
            unit_price_minor=_minor(item.get("price"), currency, f"line {index} price"),
            personalisation=personalisation,
            external_id=_text(item.get("id")),
            variant=variant,
        ))
    billing = data.get("billing") if isinstance(data.get("billing"), Mapping) else {}
    address = _address(data.get("shipping"), billing)
    email = _text(billing.get("email"))
    service = next((_plain(line.get("method_title")) for line in data.get("shipping_lines") or []
                    if isinstance(line, Mapping) and _text(line.get("method_title"))), "")
    return ChannelOrder(
        external_id=external_id,
        number=_text(data.get("number")) or external_id,
        placed_at=placed_at,
        state=STATES[status],
        currency=currency,
        customer_name=_name(billing) or address.name or email,
        customer_email=email,
        shipping_address=address,
        lines=tuple(lines),
        subtotal_minor=subtotal,
        shipping_minor=_minor(data.get("shipping_total"), currency, "shipping_total"),
        tax_minor=_minor(data.get("total_tax"), currency, "total_tax"),
        total_minor=_minor(data.get("total"), currency, "total"),
        shipping_service=service,
        updated_at=updated_at,
        raw=raw_text(data),
    )


def raw_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def normalise_site_url(text: str) -> str:
    """'shop.example/wp-admin/' -> 'https://shop.example'; plain http only on this computer."""
    url = _text(text)
    if url and not re.match(r"^[a-z]+://", url, re.I):
        url = "https://" + url
    parts = urlsplit(url)
    path = re.split(r"/(?:wp-admin|wp-json|wp-login\.php)(?:/|$)", parts.path)[0].rstrip("/")
    if not parts.netloc or parts.scheme.lower() not in ("https", "http"):
        raise ChannelError("Enter the shop's web address, such as https://shop.example.com, "
                           "in Settings > Channels.")
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() == "http" and host not in ("localhost", "127.0.0.1", "::1"):
        raise ChannelError(
            f"WooCommerce only takes REST API keys over a secure connection: enter the address "
            f"as https://{parts.netloc}{path} in Settings > Channels.")
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def _product_ref(text: str) -> tuple[int, int] | None:
    """A listing's external id: '123' (a product) or '45:67' (variation 67 of product 45)."""
    found = re.fullmatch(r"\s*(?:(\d+)\s*[:/]\s*)?(\d+)\s*", text or "")
    if not found:
        return None
    return int(found.group(1) or 0), int(found.group(2))


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- the driver ------------------------------------------------------------------------------


class WooCommerceDriver:
    """A WooCommerce shop reached with a REST API key (Read/Write)."""

    kind = "woocommerce"
    title = "WooCommerce"
    capabilities = Capability.FETCH_ORDERS | Capability.PUSH_STOCK | Capability.PUSH_SHIPMENT

    def __init__(
        self,
        site_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        keys_in_query: bool = False,
        complete_on_shipment: bool = True,
        options: HttpOptions | None = None,
    ) -> None:
        self.site_url = normalise_site_url(site_url)
        key, secret = _text(consumer_key), _text(consumer_secret)
        if not key or not secret:
            raise CredentialsRefused(
                f"There is no REST API key for WooCommerce site {self.site_url} — create one "
                f"with Read/Write permission under WooCommerce > Settings > Advanced > REST API "
                f"and enter its consumer key and secret in Settings > Channels.")
        self.keys_in_query = keys_in_query
        self.complete_on_shipment = complete_on_shipment
        self.http = ChannelHttp(
            "WooCommerce",
            f"{self.site_url}/wp-json/wc/v3/",
            where="the site address",
            refused=self._refused_words,
            auth=None if keys_in_query else httpx.BasicAuth(key, secret),
            params={"consumer_key": key, "consumer_secret": secret} if keys_in_query else None,
            secrets=(key, secret),
            options=options,
        )

    def __repr__(self) -> str:
        return f"<WooCommerceDriver {self.site_url}>"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> WooCommerceDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _refused_words(self, status: int, api_text: str) -> str:
        detail = f" ({api_text})" if api_text else ""
        words = (f"WooCommerce refused the consumer key for site {self.site_url}{detail} — "
                 f"create a new REST API key with Read/Write permission under WooCommerce > "
                 f"Settings > Advanced > REST API and enter it in Settings > Channels.")
        if not self.keys_in_query:
            words += (" If the key is right, the web server may be dropping the login: turn on "
                      "“Send the keys in the address” there.")
        return words

    # -- connection check ----------------------------------------------------------------

    def test_connection(self) -> str:
        """A read-only call that proves the key works; says how many orders the site has."""
        reply = self.http.get("orders", params={"per_page": 1})
        total = reply.headers.get("x-wp-total")
        return f"Connected to {self.site_url}" + (f": {total} orders." if total else ".")

    # -- orders --------------------------------------------------------------------------

    def fetch_orders(self, since: str | None) -> Iterator[FetchPage]:
        """Pages of orders modified after `since`, oldest change first.

        Each page's cursor is the latest date_modified_gmt seen so far, so the engine may
        store it as soon as the page is committed.
        """
        latest = parse_cursor(since)
        base: dict[str, Any] = {"per_page": PAGE_SIZE, "orderby": "modified",
                                "order": "asc", "dates_are_gmt": "true"}
        after, page = latest, 1
        seen: set[str] = set()
        while True:
            if seen and self.http.cancelled():
                return
            params = {**base, "page": page}
            if after is not None:
                params["modified_after"] = (after - OVERLAP).strftime("%Y-%m-%dT%H:%M:%S")
            reply = self.http.get("orders", params=params)
            if not isinstance(reply.data, list):
                raise self.http.error(
                    f"WooCommerce's answer to {reply.path} holds no list of orders — check the "
                    f"site address in Settings > Channels.")
            orders, problems = [], []
            last_change = None
            for position, raw in enumerate(reply.data, 1):
                if isinstance(raw, Mapping):
                    with contextlib.suppress(MappingError):
                        last_change = _gmt(raw.get("date_modified_gmt"), "date_modified_gmt")
                    # read already, as it stands (the overlap, or a repeat); an order changed
                    # since it was read is read again
                    key = f"{_text(raw.get('id'))}@{_text(raw.get('date_modified_gmt'))}"
                    if key in seen:
                        continue
                    seen.add(key)
                    if _text(raw.get("status")) in DRAFTS:
                        continue
                try:
                    order = order_from_json(raw)
                except Exception as exc:
                    ref = _text(raw.get("number") or raw.get("id")) if isinstance(raw, Mapping) \
                        else ""
                    problems.append((ref or f"order {position} of page {page}",
                                     f"WooCommerce order {ref or position} could not be read: "
                                     f"{exc}", raw_text(raw)))
                    continue
                orders.append(order)
                if order.updated_at and (latest is None or order.updated_at > latest):
                    latest = order.updated_at
            yield FetchPage(tuple(orders), iso_cursor(latest) if latest else since,
                            tuple(problems))
            if len(reply.data) < PAGE_SIZE:  # a short page is the last
                return
            if last_change is not None and (after is None or last_change > after):
                after, page = last_change, 1  # on from the last change read
            else:  # a whole page changed in one second: step past it by number
                page += 1

    # -- stock ---------------------------------------------------------------------------

    def product_refs(self, skus: Iterable[str]) -> dict[str, list[str]]:
        """SKU -> external ids ('123', or '45:67' for a variation) of products with that SKU."""
        wanted = sorted({s for s in skus if s})
        found: dict[str, list[str]] = {}
        for chunk in _chunks(wanted, LOOKUP_SIZE):
            page = 1
            while True:
                reply = self.http.get("products", params={"sku": ",".join(chunk),
                                                          "per_page": PAGE_SIZE, "page": page})
                for product in reply.data if isinstance(reply.data, list) else []:
                    sku = _text(product.get("sku"))
                    if sku not in chunk:
                        continue
                    parent = _text(product.get("parent_id"))
                    ref = _text(product.get("id"))
                    if _text(product.get("type")) == "variation" and parent not in ("", "0"):
                        ref = f"{parent}:{ref}"
                    found.setdefault(sku, []).append(ref)
                total_pages = _int(reply.headers.get("x-wp-totalpages")) or 1
                if page >= total_pages:
                    break
                page += 1
        return found

    def push_stock(self, updates: Iterable[StockUpdate]) -> list[tuple[str, str]]:
        """Set stock_quantity (and manage_stock) in batches of 100 per product or parent.

        An update's external_id is '123' or '45:67' (see product_refs); when empty the SKU
        is looked up. Returns (sku, error) for each update that did not go through.
        """
        todo = list(updates)
        errors: list[tuple[str, str]] = []
        targets: dict[int, list[tuple[StockUpdate, int]]] = {}
        lookup: list[StockUpdate] = []
        for update in todo:
            if not _text(update.external_id):
                if "," in update.channel_sku:
                    errors.append((update.channel_sku, "WooCommerce cannot look up a SKU with "
                                   "a comma in it — enter the product id in the listing."))
                else:
                    lookup.append(update)
                continue
            ref = _product_ref(update.external_id)
            if ref is None:
                errors.append((update.channel_sku, (
                    f"The listing's WooCommerce id {update.external_id!r} should be a product "
                    f"id such as 123, or 45:67 for a variation — correct it in the listing.")))
                continue
            targets.setdefault(ref[0], []).append((update, ref[1]))
        found = self.product_refs(u.channel_sku for u in lookup) if lookup else {}
        for update in lookup:
            refs = found.get(update.channel_sku, [])
            ref = _product_ref(refs[0]) if len(refs) == 1 else None
            if ref is None:
                errors.append((update.channel_sku, (
                    f"SKU {update.channel_sku} is on {len(refs)} products in WooCommerce"
                    if refs else f"No product in WooCommerce has SKU {update.channel_sku}"
                ) + " — correct the SKU in WooCommerce or in the listing."))
                continue
            targets.setdefault(ref[0], []).append((update, ref[1]))
        batches = [(parent, chunk) for parent, items in targets.items()
                   for chunk in _chunks(items, BATCH_SIZE)]
        for position, (parent, chunk) in enumerate(batches):
            unsent = [u for _, rest in batches[position:] for u, _ in rest]
            if self.http.cancelled():
                errors += [(u.channel_sku, "Not sent: the sync was cancelled.") for u in unsent]
                break
            try:
                errors += self._send_batch(parent, chunk)
            except CredentialsRefused:
                raise
            except ChannelHttpError as exc:
                why = exc.api_message or f"HTTP {exc.http_status}"
                errors += [(u.channel_sku, f"WooCommerce did not set the stock of "
                            f"{u.channel_sku}: {why}.") for u, _ in chunk]
            except ChannelError as exc:
                errors += [(u.channel_sku, str(exc)) for u in unsent]
                break
        return errors

    def _send_batch(self, parent: int, chunk: list[tuple[StockUpdate, int]]
                    ) -> list[tuple[str, str]]:
        path = f"products/{parent}/variations/batch" if parent else "products/batch"
        body = {"update": [{"id": item, "stock_quantity": max(0, int(u.available)),
                            "manage_stock": True} for u, item in chunk]}
        reply = self.http.request("POST", path, json_body=body, idempotent=True)
        answered = reply.data.get("update") if isinstance(reply.data, Mapping) else None
        results = {_text(r.get("id")): r for r in answered or [] if isinstance(r, Mapping)}
        errors = []
        for update, item in chunk:
            result = results.get(str(item))
            if result is None:
                errors.append((update.channel_sku, f"WooCommerce did not confirm the stock of "
                               f"{update.channel_sku} (product {item}); try again."))
            elif result.get("error"):
                why = api_message(result["error"]).rstrip(" .")
                errors.append((update.channel_sku, f"WooCommerce did not set the stock of "
                               f"{update.channel_sku}: {why}."))
        return errors

    # -- shipments -----------------------------------------------------------------------

    def push_shipment(self, notice: ShipmentNotice) -> None:
        """Mark the order completed and add a customer note with the tracking details.

        A shipment of some lines only (partial) adds the note and leaves the status, since
        WooCommerce has no per-line shipping.
        """
        number = notice.order_number or notice.order_external_id
        order_id = _text(notice.order_external_id)
        if not order_id.isdigit():
            raise ChannelError(f"WooCommerce order {number} has no usable id "
                               f"({order_id!r}); the shipment was not sent.")
        whole = not notice.partial
        try:
            if whole and self.complete_on_shipment:
                self.http.request("PUT", f"orders/{order_id}", json_body={"status": "completed"})
            tracking = " ".join(filter(None, (notice.tracking_number, notice.tracking_url)))
            lead = "Shipped" if whole else "Part of your order was shipped"
            self.http.request("POST", f"orders/{order_id}/notes", json_body={
                "note": f"{lead} with {notice.carrier}, tracking {tracking}",
                "customer_note": True,
            })
        except ChannelHttpError as exc:
            if exc.http_status == 404:
                raise self.http.error(
                    f"WooCommerce has no order {number} (id {order_id}) — it may have been "
                    f"deleted; the tracking number {notice.tracking_number} was not sent."
                ) from None
            raise self.http.error(
                f"WooCommerce did not accept the shipment of order {number}: "
                f"{exc.api_message or f'HTTP {exc.http_status}'} — check the order in "
                f"WooCommerce, then send the shipment again.") from None


def _int(value: str | None) -> int | None:
    try:
        return int(_text(value))
    except ValueError:
        return None


def from_fields(credentials: Mapping[str, str], settings: Mapping[str, str], *,
                options: HttpOptions | None = None) -> WooCommerceDriver:
    """Build from the Settings > Channels form values (see app.channels.registry)."""
    return WooCommerceDriver(
        settings.get("site_url", ""),
        credentials.get("consumer_key", ""),
        credentials.get("consumer_secret", ""),
        keys_in_query=flag(settings.get("keys_in_query"), default=False),
        complete_on_shipment=flag(settings.get("complete_on_shipment"), default=True),
        options=options,
    )
