"""Bins: codes, the walk, retiring, and stock moved between bins or adjusted at one."""

from __future__ import annotations

import pytest

from app.domain.access import Role, Viewer
from app.domain.errors import DomainError
from app.domain.stock import MovementReason
from app.services import locations, stock
from app.services.locations import LocationForm
from app.services.paging import PageRequest

from .workshop import add_channel, add_location, add_order, add_product, book, levels, movements

STAFF = Viewer(90, "pat", "Pat", Role.STAFF)


@pytest.fixture
def bins(backroom) -> list[int]:
    return [add_location(backroom, f"A-0{n}-1", n * 10) for n in range(1, 4)]


def _walk(backroom) -> list[str]:
    return [r.code for r in backroom.read(locations.list_page, PageRequest()).rows]


def test_a_new_bin_goes_to_the_end_of_the_walk(backroom, bins):
    new = backroom.act(locations.save_location, None, LocationForm(" B-01-1 ", "Bay 1"))
    assert _walk(backroom) == ["A-01-1", "A-02-1", "A-03-1", "B-01-1"]
    assert backroom.read(locations.location_form, new) == LocationForm("B-01-1", "Bay 1", 40)


def test_a_bin_with_a_bad_or_taken_code_is_refused_with_every_problem(backroom, bins):
    with pytest.raises(DomainError) as refused:
        backroom.act(locations.save_location, None, LocationForm("a-01-1", "x" * 121))
    assert "There is already a bin a-01-1" in str(refused.value)
    assert "at most 120 characters" in str(refused.value)
    with pytest.raises(DomainError, match="no spaces"):
        backroom.act(locations.save_location, bins[0], LocationForm("A 01"))
    assert len(_walk(backroom)) == 3


def test_moving_a_bin_on_the_walk_keeps_the_others_in_order(backroom, bins):
    backroom.act(locations.move_in_walk, bins[2], -2)
    assert _walk(backroom) == ["A-03-1", "A-01-1", "A-02-1"]
    backroom.act(locations.move_in_walk, bins[2], 5)
    assert _walk(backroom) == ["A-01-1", "A-02-1", "A-03-1"]
    for _ in range(6):  # no room left between neighbours: renumbered, order kept
        backroom.act(locations.move_in_walk, bins[1], -1)
        backroom.act(locations.move_in_walk, bins[1], 1)
    assert _walk(backroom) == ["A-01-1", "A-02-1", "A-03-1"]
    backroom.act(locations.renumber_walk, [bins[1]])
    assert [(r.code, r.walk_sequence) for r in backroom.read(
        locations.list_page, PageRequest()).rows] == [
        ("A-02-1", 10), ("A-01-1", 20), ("A-03-1", 30)]


def test_a_bin_holding_stock_cannot_be_retired(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 4)
    with pytest.raises(DomainError, match="A-01-1 still holds 4 units of 1 product"):
        backroom.act(locations.set_location_active, bins[0], False)
    backroom.act(locations.set_location_active, bins[1], False)
    assert _walk(backroom) == ["A-01-1", "A-03-1"]
    shown = backroom.read(locations.list_page, PageRequest(filters=(("inactive", True),)))
    assert [(r.code, r.active) for r in shown.rows][1] == ("A-02-1", False)
    assert [b.code for b in backroom.read(locations.bin_options)] == ["A-01-1", "A-03-1"]


def test_moving_stock_books_a_pair_of_transfers_and_keeps_the_total(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 10)
    backroom.act(locations.move_stock, mug, bins[0], bins[2], 4, "Overflow")
    assert levels(backroom, mug) == {bins[0]: (6, 0), bins[2]: (4, 0)}
    assert movements(backroom, mug)[1:] == [(bins[0], -4, "transfer", "A-01-1 → A-03-1"),
                                           (bins[2], 4, "transfer", "A-01-1 → A-03-1")]
    held = backroom.read(locations.product_stock, mug)
    assert held.on_hand == 10 and [b.code for b in held.bins] == ["A-01-1", "A-03-1"]
    assert backroom.read(stock.ledger_mismatches) == ()


def test_promised_stock_moves_with_it_when_the_free_stock_left_is_too_little(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 10)
    add_order(backroom, add_channel(backroom), "new", [(mug, 8)])
    backroom.act(locations.move_stock, mug, bins[0], bins[1], 5)
    assert levels(backroom, mug) == {bins[0]: (5, 5), bins[1]: (5, 3)}


def test_a_move_of_more_than_the_bin_holds_books_nothing(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 3)
    with pytest.raises(DomainError, match="A-01-1 holds 3 × MUG-0001; 4 cannot be moved"):
        backroom.act(locations.move_stock, mug, bins[0], bins[1], 4)
    with pytest.raises(DomainError, match="already in A-01-1"):
        backroom.act(locations.move_stock, mug, bins[0], bins[0], 1)
    backroom.act(locations.set_location_active, bins[2], False)
    with pytest.raises(DomainError, match="A-03-1 is retired"):
        backroom.act(locations.move_stock, mug, bins[0], bins[2], 1)
    assert levels(backroom, mug) == {bins[0]: (3, 0)}
    assert len(movements(backroom, mug)) == 1


def test_adjusting_stock_books_damage_out_and_returns_in_with_the_reason(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 5)
    backroom.act(locations.adjust_stock, mug, bins[0], 2, MovementReason.DAMAGE, "Dropped")
    backroom.act(locations.adjust_stock, mug, bins[0], 1, MovementReason.RETURN, "Unwanted",
                 "#1042")
    backroom.act(locations.adjust_stock, mug, bins[0], -1, MovementReason.ADJUSTMENT,
                 "Found a chipped one in the sample box")
    assert levels(backroom, mug) == {bins[0]: (3, 0)}
    assert movements(backroom, mug)[1:] == [(bins[0], -2, "damage", ""),
                                           (bins[0], 1, "return", "#1042"),
                                           (bins[0], -1, "adjustment", "")]


def test_an_adjustment_below_zero_or_without_a_reason_is_refused(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    art = add_product(backroom, "ART-0001", allow_negative_stock=True)
    book(backroom, mug, bins[0], 1)
    with pytest.raises(DomainError, match="MUG-0001 has 1 on hand in A-01-1"):
        backroom.act(locations.adjust_stock, mug, bins[0], 2, MovementReason.DAMAGE, "Broken")
    with pytest.raises(DomainError, match="Say why"):
        backroom.act(locations.adjust_stock, mug, bins[0], 1, MovementReason.DAMAGE, " ")
    with pytest.raises(DomainError, match="not adjusted as “dispatch”"):
        backroom.act(locations.adjust_stock, mug, bins[0], -1, MovementReason.DISPATCH, "x")
    backroom.act(locations.adjust_stock, art, bins[0], -2, MovementReason.ADJUSTMENT,
                 "Printed on demand")
    assert levels(backroom, mug) == {bins[0]: (1, 0)}
    assert levels(backroom, art) == {bins[0]: (-2, 0)}


def test_staff_move_stock_but_only_the_owner_lays_out_bins(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 2)
    backroom.sign_in(STAFF)
    backroom.act(locations.move_stock, mug, bins[0], bins[1], 1)
    with pytest.raises(DomainError, match="may not change settings"):
        backroom.act(locations.save_location, None, LocationForm("C-01-1"))
    with pytest.raises(DomainError, match="may not change settings"):
        backroom.act(locations.move_in_walk, bins[0], 1)
