"""Which API channel kinds exist, what each needs to connect, and how to build its driver.

The GUI draws Settings > Channels from `KINDS`: `credentials` go to the keyring, `settings`
to the database; both come back to `build_driver` as plain strings keyed by `Field.key`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from app.channels import shopify, woocommerce
from app.channels.base import Capability, ChannelDriver, ChannelError
from app.channels.http import HttpOptions

FieldKind = Literal["text", "secret", "url", "int", "bool"]


@dataclass(frozen=True)
class Field:
    """One input of a channel's form."""

    key: str
    label: str
    kind: FieldKind = "text"
    required: bool = True
    default: str = ""
    placeholder: str = ""
    help: str = ""
    pattern: str = ""  # a full-match regular expression a filled-in value must meet


Builder = Callable[..., ChannelDriver]


@dataclass(frozen=True)
class ChannelKind:
    """An API channel kind: its driver, what it can do and the fields it asks for."""

    kind: str
    title: str
    capabilities: Capability
    credentials: tuple[Field, ...]
    settings: tuple[Field, ...]
    build: Builder  # build(credentials, settings, *, options=None) -> driver
    help: str = ""
    #: Rules across fields ("one or the other"): (credentials, settings) -> problems.
    check: Callable[[Mapping[str, str], Mapping[str, str]], list[str]] | None = None
    #: The form's order by key, where it differs from credentials then settings.
    form_order: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.credentials + self.settings

    @property
    def form_fields(self) -> tuple[Field, ...]:
        """The fields as the form shows them."""
        place = {key: i for i, key in enumerate(self.form_order)}
        return tuple(sorted(self.fields, key=lambda f: place.get(f.key, len(place))))

    def problems(self, credentials: Mapping[str, str], settings: Mapping[str, str]) -> list[str]:
        """What is missing or malformed in the form, in words (no secret is repeated)."""
        found = []
        for source, fields in ((credentials, self.credentials), (settings, self.settings)):
            for field in fields:
                value = (source.get(field.key) or "").strip()
                if not value:
                    if field.required:
                        found.append(f"{field.label} is needed.")
                    continue
                if field.pattern and not re.fullmatch(field.pattern, value):
                    shown = "" if field.kind == "secret" else f" {value!r}"
                    found.append(f"{field.label}{shown} does not look right: {field.help}")
        if self.check is not None:
            found += self.check(credentials, settings)
        return found


def _shopify_check(credentials: Mapping[str, str], settings: Mapping[str, str]) -> list[str]:
    """A Dev Dashboard app's client ID and secret, or an older app's access token."""
    client_id = (settings.get("client_id") or "").strip()
    secret = (credentials.get("client_secret") or "").strip()
    token = (credentials.get("access_token") or "").strip()
    if client_id and not secret:
        return ["Client secret is needed with the client ID (Dev Dashboard > your app > "
                "Settings)."]
    if secret and not client_id:
        return ["Client ID is needed with the client secret (Dev Dashboard > your app > "
                "Settings)."]
    if not (client_id or token):
        return ["Enter the client ID and client secret of the shop's app from Shopify's Dev "
                "Dashboard (or, for a custom app made in the shop's admin before 2026, its "
                "Admin API access token)."]
    return []


SHOPIFY = ChannelKind(
    kind=shopify.ShopifyDriver.kind,
    title="Shopify",
    capabilities=shopify.ShopifyDriver.capabilities,
    credentials=(
        Field("client_secret", "Client secret", "secret", required=False,
              placeholder="beside the client ID", pattern=r"\S{10,}",
              help="Dev Dashboard > your app > Settings > Secret. Backroom trades the ID and "
                   "secret for a day's access token by itself."),
        Field("access_token", "Admin API access token", "secret", required=False,
              placeholder="shpat_… (older custom apps only)", pattern=r"\S{10,}",
              help="Only for a custom app made in the shop's admin before 2026 (Settings > "
                   "Apps > Develop apps > your app > API credentials); leave it empty when "
                   "you enter a client ID and secret."),
    ),
    settings=(
        Field("client_id", "Client ID", "text", required=False, pattern=r"[A-Za-z0-9_-]{8,}",
              placeholder="Dev Dashboard > your app > Settings",
              help="Dev Dashboard (dev.shopify.com) > your app > Settings > Client ID. The "
                   "app must be installed on the shop."),
        Field("shop_domain", "Shop domain", "text", placeholder="my-shop.myshopify.com",
              pattern=r"(?:https?://)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*/?",
              help="The shop's myshopify.com address (not its own web domain)."),
        Field("api_version", "API version", "text", required=False,
              default=shopify.DEFAULT_API_VERSION, pattern=r"\d{4}-\d{2}",
              help="A Shopify Admin API version such as 2025-10; move it on once a year."),
        Field("location_id", "Location id", "int", required=False, pattern=r"\d+",
              help="The location whose stock Backroom keeps; needed when the shop has more "
                   "than one (Settings > Locations, the number at the end of its address)."),
        Field("notify_customer", "E-mail the customer when shipped", "bool", required=False,
              default="true", help="Shopify sends its shipping confirmation with tracking."),
    ),
    build=shopify.from_fields,
    help="Needs an app made in Shopify's Dev Dashboard and installed on the shop, with the "
         "read_orders, read_products, read_locations, write_inventory and "
         "write_merchant_managed_fulfillment_orders scopes.",
    check=_shopify_check,
    form_order=("shop_domain", "client_id", "client_secret", "access_token"),
)

WOOCOMMERCE = ChannelKind(
    kind=woocommerce.WooCommerceDriver.kind,
    title="WooCommerce",
    capabilities=woocommerce.WooCommerceDriver.capabilities,
    credentials=(
        Field("consumer_key", "Consumer key", "secret", placeholder="ck_…",
              pattern=r"ck_[A-Za-z0-9]+", help="It starts with ck_."),
        Field("consumer_secret", "Consumer secret", "secret", placeholder="cs_…",
              pattern=r"cs_[A-Za-z0-9]+", help="It starts with cs_."),
    ),
    settings=(
        Field("site_url", "Site address", "url", placeholder="https://shop.example.com",
              pattern=r"(?:https?://)?[^\s/]+\.[^\s]+",
              help="The shop's web address, starting https://."),
        Field("keys_in_query", "Send the keys in the address", "bool", required=False,
              default="false",
              help="Turn on only if the site refuses a key you know is right: some servers "
                   "drop the usual login header."),
        Field("complete_on_shipment", "Mark orders completed when shipped", "bool",
              required=False, default="true",
              help="WooCommerce then e-mails the customer its order-complete message."),
    ),
    build=woocommerce.from_fields,
    help="Needs a REST API key with Read/Write permission: WooCommerce > Settings > "
         "Advanced > REST API > Add key.",
)

KINDS: Mapping[str, ChannelKind] = MappingProxyType({k.kind: k for k in (SHOPIFY, WOOCOMMERCE)})


def channel_kind(kind: str) -> ChannelKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ChannelError(f"Backroom has no driver for channel kind {kind!r} "
                           f"(it knows {', '.join(KINDS)}).") from None


def build_driver(kind: str, credentials: Mapping[str, str], settings: Mapping[str, str], *,
                 options: HttpOptions | None = None) -> ChannelDriver:
    """A ready driver for the kind, from the form's values (raises ChannelError in words)."""
    return channel_kind(kind).build(credentials, settings, options=options)
