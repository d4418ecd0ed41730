"""What each label says, read from the database: one record (a dict of text) per label.

The keys are those the built-in templates in resources/labels read; templates of the
workshop's own may use any of them. Records go to `print_jobs.queue_labels`, which checks
them against the template before anything is queued.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Channel,
    Listing,
    Location,
    Order,
    OrderLine,
    Product,
    Shipment,
    StockLevel,
    Supplier,
    SupplierTask,
)
from app.db.settings import get_setting
from app.domain.access import Can
from app.domain.dates import day_words
from app.domain.errors import DomainError
from app.domain.money import format_money
from app.domain.statuses import ShipmentStatus
from app.services.access import requires

RETURN_ADDRESS_KEY = "parcel_return_address"  # the 'From:' line of parcel labels
Record = dict[str, str]


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def _missing(found: Iterable[int], wanted: Sequence[int], what: str) -> None:
    gone = len(set(wanted) - set(found))
    if gone:
        raise DomainError(f"{gone} of the chosen {what} no longer exist; refresh the list and "
                          "choose again.")


def _attributes_text(attributes: Any) -> str:
    """{'colour': 'blue', 'size': 'M'} -> 'Colour: blue · Size: M'."""
    if not isinstance(attributes, dict):
        return ""
    parts = []
    for key, value in attributes.items():
        if value is None or value == "" or value == []:
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{str(key).replace('_', ' ').capitalize()}: {shown}")
    return " · ".join(parts)


def _day(value: date | None) -> str:
    """14 Mar 2025."""
    return "not set" if value is None else day_words(value)


def _weight(grams: int | None) -> str:
    if not grams:
        return ""
    return f"{grams / 1000:g} kg"


# --- product labels ------------------------------------------------------------------------


def _prices(session: Session, ids: list[int], channel_id: int | None) -> dict[int, str]:
    """Each product's price: on the given channel's listing, else the product's own selling
    price, else the first active channel that lists it with a price."""
    stmt = (select(Listing.product_id, Listing.price_minor, Listing.currency)
            .join(Channel, Channel.id == Listing.channel_id)
            .where(Listing.product_id.in_(ids), Listing.price_minor > 0)
            .order_by(Listing.channel_id, Listing.id))
    stmt = stmt.where(Listing.channel_id == channel_id) if channel_id is not None else (
        stmt.where(Channel.active.is_(True)))
    prices: dict[int, str] = {}
    if channel_id is not None:
        for product_id, minor, currency in session.execute(stmt):
            prices.setdefault(product_id, format_money(minor, currency))
    for product_id, minor, currency in session.execute(
            select(Product.id, Product.price_minor, Product.price_currency)
            .where(Product.id.in_(ids), Product.price_minor > 0)):
        prices.setdefault(product_id, format_money(minor, currency))
    if channel_id is None:
        for product_id, minor, currency in session.execute(stmt):
            prices.setdefault(product_id, format_money(minor, currency))
    return prices


def _first_bins(session: Session, ids: list[int]) -> dict[int, str]:
    """Each product's first bin on the walk, bins holding stock first."""
    rows = session.execute(
        select(StockLevel.product_id, Location.code)
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id.in_(ids))
        .order_by(StockLevel.on_hand <= 0, Location.walk_sequence, Location.code))
    bins: dict[int, str] = {}
    for product_id, code in rows:
        bins.setdefault(product_id, code)
    return bins


def _on_hand(session: Session, ids: list[int]) -> dict[int, int]:
    return {pid: int(n or 0) for pid, n in session.execute(
        select(StockLevel.product_id, func.sum(StockLevel.on_hand))
        .where(StockLevel.product_id.in_(ids), StockLevel.on_hand > 0)
        .group_by(StockLevel.product_id))}


def product_records(session: Session, product_ids: Iterable[int],
                    copies: Literal["on_hand"] | int | dict[int, int] = 1,
                    channel_id: int | None = None) -> list[Record]:
    """Product labels without the access check (for automatic printing): `copies` is a
    number for each, 'on_hand', or a count per product id (e.g. what was received)."""
    ids = _unique(product_ids)
    if not ids:
        return []
    products = {p.id: p for p in session.execute(
        select(Product.id, Product.sku, Product.title, Product.barcode, Product.attributes)
        .where(Product.id.in_(ids)))}
    _missing(products, ids, "products")
    prices, bins = _prices(session, ids, channel_id), _first_bins(session, ids)
    if copies == "on_hand":
        counts = _on_hand(session, ids)
    elif isinstance(copies, dict):
        counts = {int(k): int(v) for k, v in copies.items()}
    elif isinstance(copies, int) and not isinstance(copies, bool) and copies >= 1:
        counts = dict.fromkeys(ids, copies)
    else:
        raise DomainError(f"{copies!r} is not a number of labels; print at least one.")
    records: list[Record] = []
    for pid in ids:
        p = products[pid]
        record = {"sku": p.sku, "title": p.title, "price": prices.get(pid, ""),
                  "attributes": _attributes_text(p.attributes), "location": bins.get(pid, ""),
                  "barcode": (p.barcode or "").strip() or p.sku}
        records += [record] * max(0, counts.get(pid, 0))
    if not records and copies == "on_hand":
        raise DomainError("None of the chosen products has any stock on hand, so there is "
                          "nothing to label; give a number of labels instead.")
    return [dict(r) for r in records]


@requires(Can.SEE_INVENTORY)
def product_labels(session: Session, product_ids: Iterable[int],
                   copies: Literal["on_hand"] | int = "on_hand",
                   channel_id: int | None = None) -> list[Record]:
    """One record per label: SKU, title, price (its listing's on `channel_id` if given, else
    its own), attributes, first bin, and barcode (the product's, else its SKU)."""
    return product_records(session, product_ids, copies, channel_id)


# --- bin labels ----------------------------------------------------------------------------


@requires(Can.SEE_INVENTORY)
def bin_labels(session: Session, location_ids: Iterable[int]) -> list[Record]:
    """One label per bin, in walk order: its code (also the barcode) and its name."""
    ids = _unique(location_ids)
    rows = session.execute(select(Location.id, Location.code, Location.name)
                           .where(Location.id.in_(ids))
                           .order_by(Location.walk_sequence, Location.code)).all()
    _missing([r.id for r in rows], ids, "bins")
    return [{"location": code, "location_name": name or ""} for _, code, name in rows]


# --- job tickets ---------------------------------------------------------------------------


def task_records(session: Session, task_ids: Iterable[int]) -> list[Record]:
    """Job tickets without the access check (for automatic printing)."""
    ids = _unique(task_ids)
    if not ids:
        return []
    rows = {r.id: r for r in session.execute(
        select(SupplierTask.id, SupplierTask.sku, SupplierTask.due_date, Order.number,
               OrderLine.sku.label("product_sku"), OrderLine.title, OrderLine.quantity,
               OrderLine.personalisation, Supplier.name.label("supplier"))
        .join(Order, Order.id == SupplierTask.order_id)
        .join(OrderLine, OrderLine.id == SupplierTask.order_line_id)
        .outerjoin(Supplier, Supplier.id == SupplierTask.supplier_id)
        .where(SupplierTask.id.in_(ids)))}
    _missing(rows, ids, "supplier tasks")
    out = []
    for tid in ids:
        r = rows[tid]
        product = r.title if r.quantity == 1 else f"{r.quantity} × {r.title}"
        out.append({"task_sku": r.sku, "order_number": r.number, "product": product,
                    "product_sku": r.product_sku, "quantity": str(r.quantity),
                    "personalisation": r.personalisation or "",
                    "due_date": _day(r.due_date), "supplier": r.supplier or ""})
    return out


@requires(Can.SEE_ALL_TASKS)
def task_tickets(session: Session, task_ids: Iterable[int]) -> list[Record]:
    """One job ticket per supplier task: task SKU (the QR code too), order number, product
    (with the quantity when more than one), personalisation, due date and supplier."""
    return task_records(session, task_ids)


# --- parcel labels -------------------------------------------------------------------------


@requires(Can.SEE_ORDERS)
def parcel_label(session: Session, order_id: int) -> Record:
    """The order's parcel label: ship-to name and address lines, order number, and carrier,
    service, weight and tracking number from its latest shipment. Printed before the
    parcel is booked, it carries the order's shipping service and, as its barcode, the
    order number (scanned at the bench to find the order)."""
    order = session.get(Order, order_id)
    if order is None:
        raise DomainError("That order no longer exists; refresh the list.")
    shipment = session.scalars(
        select(Shipment).where(Shipment.order_id == order_id,
                               Shipment.status != str(ShipmentStatus.CANCELLED))
        .order_by(Shipment.id.desc()).limit(1)).first()
    address = "\n".join(p for p in (
        order.ship_address1, order.ship_address2,
        " ".join(x for x in (order.ship_city, order.ship_region) if x), order.ship_postcode)
        if p)
    sender = get_setting(session, RETURN_ADDRESS_KEY, "")
    return {
        "name": order.ship_name or order.customer_name, "address": address,
        "country": order.ship_country, "order_number": order.number,
        "carrier": (shipment.carrier if shipment else "") or order.shipping_service
        or "Carrier to be chosen",
        "service": (shipment.service if shipment else "") or order.shipping_service,
        "tracking": (shipment.tracking_number if shipment else "") or order.number,
        "weight": _weight(shipment.weight_g if shipment else None),
        "sender": sender if isinstance(sender, str) else "",
    }
