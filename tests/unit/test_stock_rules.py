"""Stock arithmetic: a movement moves on-hand, never below zero unless the product allows it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.stock import apply_movement, available, shown_on_channel


def test_a_movement_adds_its_signed_quantity():
    assert apply_movement(5, 3, allow_negative=False, sku="MUG-1", location="A-01-1") == 8
    assert apply_movement(5, -5, allow_negative=False, sku="MUG-1", location="A-01-1") == 0


def test_taking_more_than_is_on_hand_is_refused_with_the_sku_and_bin_named():
    with pytest.raises(DomainError) as caught:
        apply_movement(2, -3, allow_negative=False, sku="MUG-0007", location="B-02-3")
    message = str(caught.value)
    assert "MUG-0007" in message
    assert "B-02-3" in message
    assert "-1" in message


def test_negative_stock_is_kept_when_the_product_allows_it():
    assert apply_movement(2, -3, allow_negative=True, sku="MUG-1", location="A-01-1") == -1


@pytest.mark.parametrize("allow_negative", [False, True])
def test_a_zero_movement_is_refused(allow_negative):
    with pytest.raises(DomainError, match="zero"):
        apply_movement(4, 0, allow_negative=allow_negative, sku="X", location="A")


@given(on_hand=st.integers(0, 10_000), quantity=st.integers(-10_000, 10_000).filter(bool))
def test_on_hand_never_goes_below_zero_without_permission(on_hand, quantity):
    try:
        new = apply_movement(on_hand, quantity, allow_negative=False, sku="X", location="A")
    except DomainError:
        assert on_hand + quantity < 0
    else:
        assert new == on_hand + quantity >= 0


def test_available_is_on_hand_less_reserved():
    assert available(10, 4) == 6
    assert available(2, 5) == -3


def test_a_channel_is_shown_the_free_stock_less_its_buffer():
    assert shown_on_channel(10, 3) == 7
    assert shown_on_channel(10, 3, buffer=2) == 5
    assert shown_on_channel(1, 1, buffer=0) == 0  # the last one is held: every channel 0
    assert shown_on_channel(2, 5, buffer=1) == 0  # never below zero


def test_a_channel_can_be_capped_by_a_number_or_a_share():
    assert shown_on_channel(100, 0, max_shown=10) == 10
    assert shown_on_channel(100, 0, percent=25) == 25
    assert shown_on_channel(7, 0, percent=50) == 3  # rounded down: never promise half a mug
    assert shown_on_channel(100, 0, buffer=20, percent=50, max_shown=30) == 30


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 50),
       st.one_of(st.none(), st.integers(0, 500)), st.one_of(st.none(), st.integers(0, 100)))
def test_a_channel_is_never_shown_more_than_is_free(on_hand, reserved, buffer, cap, percent):
    shown = shown_on_channel(on_hand, reserved, buffer=buffer, max_shown=cap, percent=percent)
    assert 0 <= shown <= max(available(on_hand, reserved), 0)
