"""Changing an order's status: recorded, all or nothing, and stock follows the parcel."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.db.models import Order, StatusChange, StockMovement
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.statuses import OrderStatus
from app.services import orders, stock

from .workshop import (
    add_channel,
    add_location,
    add_order,
    add_product,
    book,
    levels,
    movements,
)

S = OrderStatus


@dataclass
class Bench:
    channel: int
    front: int  # walked first
    back: int
    mug: int
    custom: int


@pytest.fixture
def bench(backroom) -> Bench:
    """Two bins, a stocked mug (5 at the front, 3 at the back) and a made-to-order print."""
    channel = add_channel(backroom)
    back = add_location(backroom, "B-01-1", 20)
    front = add_location(backroom, "A-01-1", 10)
    mug = add_product(backroom, "MUG-0001")
    custom = add_product(backroom, "ART-0001", made_to_order=True)
    book(backroom, mug, front, 5)
    book(backroom, mug, back, 3)
    return Bench(channel, front, back, mug, custom)


def _status(backroom, order_id: int) -> str:
    with backroom.sessions() as s:
        return s.get_one(Order, order_id).status


def _status_changes(backroom) -> list[tuple[int, str | None, str, str, str]]:
    with backroom.sessions() as s:
        return [(c.entity_id, c.from_status, c.to_status, c.actor, c.note) for c in s.scalars(
            select(StatusChange).where(StatusChange.entity == "order").order_by(StatusChange.id))]


def _ledger_is_whole(backroom) -> bool:
    return backroom.read(stock.ledger_mismatches) == ()


def test_a_status_change_is_recorded_with_who_from_and_to(backroom, bench):
    order = add_order(backroom, bench.channel, S.NEW, [(bench.mug, 1)])
    changes = backroom.act(orders.change_status, [order], S.READY_TO_PICK, note="paid")
    assert _status(backroom, order) == "ready_to_pick"
    assert _status_changes(backroom) == [(order, "new", "ready_to_pick", backroom.actor, "paid")]
    assert changes == Changes(orders=True)

    detail = backroom.read(orders.detail, order)
    assert [(h.from_status, h.to_status, h.actor) for h in detail.history] == [
        ("new", "ready_to_pick", backroom.actor)]
    assert detail.history[0].changed_at.tzinfo is not None
    assert detail.allowed_next == ("picking", "packed", "purchasing", "on_hold", "cancelled")


def test_an_illegal_change_names_the_order_and_writes_nothing(backroom, bench):
    order = add_order(backroom, bench.channel, S.SHIPPED, [(bench.mug, 1)], number="#1234")
    with pytest.raises(DomainError) as caught:
        backroom.act(orders.change_status, [order], S.NEW)
    assert str(caught.value).startswith("Order #1234: An order that is shipped cannot become new")
    assert _status(backroom, order) == "shipped"
    assert _status_changes(backroom) == []


def test_a_batch_with_one_illegal_change_changes_none_of_the_orders(backroom, bench):
    first = add_order(backroom, bench.channel, S.NEW, [(bench.mug, 2)], number="#2001")
    second = add_order(backroom, bench.channel, S.DELIVERED, [(bench.mug, 1)], number="#2002")
    third = add_order(backroom, bench.channel, S.ON_HOLD, [(bench.mug, 1)], number="#2003")
    before = levels(backroom, bench.mug)
    with pytest.raises(DomainError, match="#2002"):
        backroom.act(orders.change_status, [first, second, third], S.CANCELLED)
    assert [_status(backroom, o) for o in (first, second, third)] == [
        "new", "delivered", "on_hold"]
    assert _status_changes(backroom) == []
    assert levels(backroom, bench.mug) == before


def test_a_vanished_order_stops_the_whole_batch(backroom, bench):
    order = add_order(backroom, bench.channel, S.NEW, [(bench.mug, 1)])
    with pytest.raises(DomainError, match="no longer exists"):
        backroom.act(orders.change_status, [order, 987654], S.ON_HOLD)
    assert _status(backroom, order) == "new"


def test_cancelling_an_open_order_gives_its_stock_back(backroom, bench):
    order = add_order(backroom, bench.channel, S.READY_TO_PICK, [(bench.mug, 2)])
    assert levels(backroom, bench.mug) == {bench.front: (5, 2), bench.back: (3, 0)}
    changes = backroom.act(orders.change_status, [order], S.CANCELLED)
    assert levels(backroom, bench.mug) == {bench.front: (5, 0), bench.back: (3, 0)}
    assert changes.touches("stock") and changes.touches("orders") and changes.touches("finance")
    assert len(movements(backroom, bench.mug)) == 2  # the two bookings in, nothing else
    assert _ledger_is_whole(backroom)


def test_cancelling_gives_back_a_reservation_spread_over_two_bins(backroom, bench):
    keep = add_order(backroom, bench.channel, S.NEW, [(bench.mug, 1)])
    order = add_order(backroom, bench.channel, S.ON_HOLD, [(bench.mug, 6)])
    assert levels(backroom, bench.mug) == {bench.front: (5, 5), bench.back: (3, 2)}
    backroom.act(orders.change_status, [order], S.CANCELLED)
    on_hand = {b: oh for b, (oh, _) in levels(backroom, bench.mug).items()}
    reserved = sum(r for _, r in levels(backroom, bench.mug).values())
    assert on_hand == {bench.front: 5, bench.back: 3}
    assert reserved == 1
    assert _status(backroom, keep) == "new"


def test_cancelling_a_made_to_order_line_leaves_stock_alone(backroom, bench):
    order = add_order(backroom, bench.channel, S.PURCHASING, [(bench.custom, 1), (bench.mug, 1)])
    backroom.act(orders.change_status, [order], S.CANCELLED)
    assert levels(backroom, bench.custom) == {}
    assert levels(backroom, bench.mug) == {bench.front: (5, 0), bench.back: (3, 0)}


def test_shipping_a_packed_order_books_dispatch_movements_walk_first(backroom, bench):
    order = add_order(backroom, bench.channel, S.PACKED, [(bench.mug, 7), (bench.custom, 1)],
                      number="#3001")
    changes = backroom.act(orders.change_status, [order], S.SHIPPED)
    assert _status(backroom, order) == "shipped"
    assert movements(backroom, bench.mug)[2:] == [
        (bench.front, -5, "dispatch", "order #3001"),
        (bench.back, -2, "dispatch", "order #3001"),
    ]
    assert levels(backroom, bench.mug) == {bench.front: (0, 0), bench.back: (1, 0)}
    assert movements(backroom, bench.custom) == []
    assert changes.touches("stock") and not changes.touches("finance")
    assert _ledger_is_whole(backroom)


def test_shipping_with_too_little_stock_is_refused_and_changes_nothing(backroom, bench):
    other = add_order(backroom, bench.channel, S.PACKED, [(bench.mug, 1)], number="#4000")
    order = add_order(backroom, bench.channel, S.PACKED, [(bench.mug, 9)], number="#4001")
    before_levels = levels(backroom, bench.mug)
    before_moves = movements(backroom, bench.mug)
    with pytest.raises(DomainError, match=r"^Order #4001: Only 7 of 9 × MUG-0001 are on hand"):
        backroom.act(orders.change_status, [other, order], S.SHIPPED)
    assert levels(backroom, bench.mug) == before_levels
    assert movements(backroom, bench.mug) == before_moves
    assert [_status(backroom, o) for o in (other, order)] == ["packed", "packed"]
    assert _status_changes(backroom) == []
    assert _ledger_is_whole(backroom)


def test_a_short_order_never_ships_stock_promised_to_an_older_one(backroom, bench):
    older = add_order(backroom, bench.channel, S.PACKED, [(bench.mug, 8)], number="#4100")
    short = add_order(backroom, bench.channel, S.PACKED, [(bench.mug, 1)], number="#4101")
    with backroom.sessions() as s:  # imported with nothing free: flagged short
        s.get_one(Order, short).flagged = "Short: MUG-0001 (1 wanted, 0 free)"
        s.commit()
    before = levels(backroom, bench.mug)
    with pytest.raises(DomainError, match=r"^Order #4101: 1 × MUG-0001 wanted but only 0 "
                                          r"held for it; the rest on the shelf is promised"):
        backroom.act(orders.change_status, [short], S.SHIPPED)
    assert levels(backroom, bench.mug) == before and _status(backroom, short) == "packed"
    backroom.act(orders.change_status, [older], S.CANCELLED)  # its stock comes free
    backroom.act(orders.change_status, [short], S.SHIPPED, carrier="DPD")
    with backroom.sessions() as s:
        shipped = s.get_one(Order, short)
        assert (shipped.status, shipped.flagged) == ("shipped", None)
    assert sum(on for on, _held in levels(backroom, bench.mug).values()) == 7
    assert _ledger_is_whole(backroom)


def test_shipping_every_packed_demo_order_keeps_the_ledger_whole(demo_copy):
    with demo_copy.sessions() as s:
        packed = list(s.scalars(select(Order.id).where(Order.status == "packed")))
        moves_before = s.scalar(select(func.count(StockMovement.id)))
    assert len(packed) > 5
    demo_copy.act(orders.change_status, packed, S.SHIPPED)
    with demo_copy.sessions() as s:
        assert s.scalar(select(func.count(Order.id)).where(Order.status == "packed")) == 0
        assert s.scalar(select(func.count(StockMovement.id))) > moves_before
        assert s.scalar(select(func.count(StatusChange.id)).where(
            StatusChange.entity == "order", StatusChange.to_status == "shipped",
            StatusChange.entity_id.in_(packed), StatusChange.actor == demo_copy.actor)
        ) == len(packed)
    assert _ledger_is_whole(demo_copy)


def test_shipping_releases_the_orders_reservation_wherever_the_stock_is_taken(backroom, bench):
    front_empty = add_product(backroom, "MUG-0002")
    book(backroom, front_empty, bench.back, 3)
    order = add_order(backroom, bench.channel, S.PACKED, [(front_empty, 3)])
    assert levels(backroom, front_empty) == {bench.back: (3, 3)}
    book(backroom, front_empty, bench.front, 4)  # restocked at the front after the promise
    backroom.act(orders.change_status, [order], S.SHIPPED)
    after = levels(backroom, front_empty)
    assert sum(oh for oh, _ in after.values()) == 4
    assert sum(r for _, r in after.values()) == 0
    assert _ledger_is_whole(backroom)
