"""What every channel driver speaks: the orders it hands in and what it can be asked to do.

Drivers turn a channel's own shapes (API JSON, report files) into these plain records;
the sync engine in services/ turns the records into rows. Render/parse is kept apart from
transport so each side is tested on its own.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


class Capability(enum.Flag):
    """What a driver can do; the GUI offers only what the driver declares."""

    NONE = 0
    FETCH_ORDERS = enum.auto()
    PUSH_STOCK = enum.auto()
    PUSH_SHIPMENT = enum.auto()
    EXPORT_SHIPMENTS = enum.auto()  # writes a bulk-upload file instead of calling an API


class DriverStatus(enum.Enum):
    """How the last exchange with the channel went, for the status light."""

    NEVER = "never"
    OK = "ok"
    WORKING = "working"
    WARNING = "warning"  # ran, but some items failed
    FAILED = "failed"  # could not talk to the channel at all
    REFUSED = "refused"  # credentials refused: the owner must act


class OrderState(enum.Enum):
    """The channel's view of an order, mapped from each channel's own words."""

    OPEN = "open"  # paid / awaiting shipment
    PENDING = "pending"  # not paid yet
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    SHIPPED = "shipped"


@dataclass(frozen=True)
class Address:
    name: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 where the channel gives it
    phone: str = ""


@dataclass(frozen=True)
class ChannelOrderLine:
    """One line as the channel sends it; money in minor units of the order currency."""

    sku: str
    title: str
    quantity: int
    unit_price_minor: int
    personalisation: str = ""
    external_id: str = ""  # the channel's line-item id
    variant: str = ""  # e.g. "Size: L, Colour: Red"


@dataclass(frozen=True)
class ChannelOrder:
    """One order as a channel sees it, unique by external_id within the channel."""

    external_id: str
    number: str
    placed_at: datetime  # timezone-aware, UTC
    state: OrderState
    currency: str
    customer_name: str
    customer_email: str = ""
    shipping_address: Address = field(default_factory=Address)
    lines: tuple[ChannelOrderLine, ...] = ()
    subtotal_minor: int = 0
    shipping_minor: int = 0
    tax_minor: int = 0
    total_minor: int = 0
    fees_minor: int = 0
    shipping_service: str = ""
    updated_at: datetime | None = None
    raw: str = ""  # the channel's own text for this order, shown when it fails


@dataclass(frozen=True)
class StockUpdate:
    """Tell a channel how many of a listing it may sell."""

    channel_sku: str
    available: int
    external_id: str = ""  # e.g. Shopify inventory_item_id or WooCommerce product id


@dataclass(frozen=True)
class ShipmentNotice:
    """Tell a channel an order left the building."""

    order_external_id: str
    order_number: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    tracking_url: str = ""
    #: The lines the parcel carries (upload files name each; empty: the whole order).
    line_external_ids: tuple[str, ...] = ()
    partial: bool = False  # only those lines left, the rest still to come


@dataclass(frozen=True)
class RowProblem:
    """A row of a file that could not be read, named so the user can fix it."""

    row: int  # 1-based, as a spreadsheet shows it
    field: str
    message: str


@dataclass(frozen=True)
class FetchPage:
    """One page of orders from an API, with where to carry on from."""

    orders: tuple[ChannelOrder, ...]
    cursor: str | None  # store to fetch only what changed next time
    problems: tuple[tuple[str, str, str], ...] = ()  # (item ref, message, raw payload)


class ChannelError(Exception):
    """A channel could not be talked to; the message says what to do."""

    def __init__(self, message: str, *, status: DriverStatus = DriverStatus.FAILED,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class CredentialsRefused(ChannelError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status=DriverStatus.REFUSED)


@runtime_checkable
class ChannelDriver(Protocol):
    """An API channel. File channels are read by app.channels.files instead."""

    kind: str
    capabilities: Capability

    def fetch_orders(self, since: str | None) -> Iterator[FetchPage]: ...

    def push_stock(self, updates: Iterable[StockUpdate]) -> list[tuple[str, str]]:
        """Send stock levels; returns (channel_sku, error) for each that failed."""
        ...

    def push_shipment(self, notice: ShipmentNotice) -> None: ...
