"""The picking list points at the first bin on the walk that actually holds the goods."""

from __future__ import annotations

from app.domain.statuses import OrderStatus
from app.domain.stock import MovementReason
from app.services import picking
from app.services.paging import PageRequest

from .workshop import add_channel, add_location, add_order, add_product, book


def test_an_emptied_bin_is_walked_past_and_an_order_without_stock_comes_last(backroom):
    channel = add_channel(backroom)
    front = add_location(backroom, "A-01-1", 10)
    middle = add_location(backroom, "B-01-1", 20)
    back = add_location(backroom, "C-01-1", 30)
    mug = add_product(backroom, "MUG-0001")
    tee = add_product(backroom, "TEE-0001")
    ghost = add_product(backroom, "SHO-0001")
    book(backroom, mug, front, 2)
    book(backroom, mug, front, -2, MovementReason.DISPATCH)  # the front bin is now empty
    book(backroom, mug, back, 4)
    book(backroom, tee, middle, 1)
    mugs = add_order(backroom, channel, OrderStatus.READY_TO_PICK, [(mug, 1)])
    nothing = add_order(backroom, channel, OrderStatus.READY_TO_PICK, [(ghost, 1)])
    both = add_order(backroom, channel, OrderStatus.READY_TO_PICK, [(mug, 1), (tee, 1)])
    add_order(backroom, channel, OrderStatus.PACKED, [(tee, 1)])

    page = backroom.read(picking.list_page, PageRequest(sort="bin"))
    assert [(r.id, r.first_bin) for r in page.rows] == [
        (both, "B-01-1"), (mugs, "C-01-1"), (nothing, "")]
    assert backroom.read(picking.count, PageRequest()) == 3
