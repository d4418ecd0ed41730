"""A few rows of a workshop, written through the models, for tests that need exact numbers."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select

from app.db.models import (
    Channel,
    Location,
    Order,
    OrderLine,
    OrderSearchTerm,
    Product,
    StockLevel,
    StockMovement,
)
from app.domain.statuses import OPEN_ORDER_STATUSES, OrderStatus
from app.domain.stock import MovementReason
from app.services import stock
from app.services.context import Backroom
from app.services.search import terms

_numbers = itertools.count(1)


def add_channel(backroom: Backroom, name: str = "Shop", currency: str = "GBP") -> int:
    with backroom.sessions() as s:
        channel = Channel(name=name, kind="manual", currency=currency)
        s.add(channel)
        s.commit()
        return channel.id


def add_location(backroom: Backroom, code: str, walk_sequence: int) -> int:
    with backroom.sessions() as s:
        location = Location(code=code, walk_sequence=walk_sequence)
        s.add(location)
        s.commit()
        return location.id


def add_product(backroom: Backroom, sku: str | None = None, *, made_to_order: bool = False,
                allow_negative_stock: bool = False) -> int:
    sku = sku or f"TST-{next(_numbers):05d}"
    with backroom.sessions() as s:
        product = Product(sku=sku, title=f"Test product {sku}", title_key=f"test product {sku}",
                          made_to_order=made_to_order,
                          allow_negative_stock=allow_negative_stock)
        s.add(product)
        s.commit()
        return product.id


def book(backroom: Backroom, product_id: int, location_id: int, quantity: int,
         reason: MovementReason = MovementReason.GOODS_IN) -> None:
    """One movement in its own unit of work, as a user action would book it."""
    uow = backroom.uow()
    with uow:
        stock.book_movement(uow.session, product_id=product_id, location_id=location_id,
                            quantity=quantity, reason=reason, actor=uow.actor)
        uow.commit()


def add_order(backroom: Backroom, channel_id: int, status: OrderStatus,
              lines: list[tuple[int, int]], *, number: str | None = None,
              customer: str = "Ann Lee") -> int:
    """An order with (product id, quantity) lines; open orders reserve their stocked lines."""
    number = number or f"#{next(_numbers)}"
    with backroom.sessions() as s:
        order = Order(channel_id=channel_id, external_id=number, number=number,
                      placed_at=datetime.now(UTC), status=str(status), customer_name=customer,
                      customer_key=customer.lower(), currency="GBP",
                      items_count=sum(q for _, q in lines))
        for product_id, quantity in lines:
            product = s.get_one(Product, product_id)
            order.lines.append(OrderLine(product_id=product_id, sku=product.sku,
                                         title=product.title, quantity=quantity,
                                         needs_making=product.made_to_order))
        s.add(order)
        s.flush()
        for term in terms(number, customer):
            s.add(OrderSearchTerm(term=term, order_id=order.id))
        if status in OPEN_ORDER_STATUSES:
            for line in order.lines:
                if not line.needs_making:
                    line.reserved = stock.reserve(s, line.product_id, line.quantity,
                                                  reference=f"order {number}", actor="test")
        s.commit()
        return order.id


def levels(backroom: Backroom, product_id: int) -> dict[int, tuple[int, int]]:
    """Per bin: (on hand, reserved)."""
    with backroom.sessions() as s:
        return {lv.location_id: (lv.on_hand, lv.reserved) for lv in s.scalars(
            select(StockLevel).where(StockLevel.product_id == product_id))}


def movements(backroom: Backroom, product_id: int) -> list[tuple[int, int, str, str]]:
    """(bin, quantity, reason, reference) in booking order."""
    with backroom.sessions() as s:
        return [(m.location_id, m.quantity, m.reason, m.reference) for m in s.scalars(
            select(StockMovement).where(StockMovement.product_id == product_id)
            .order_by(StockMovement.id))]
