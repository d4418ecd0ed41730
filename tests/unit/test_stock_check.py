"""Stock checks: counted against the level at the start plus what moved since, then settled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.stock import MovementReason
from app.domain.stock_check import (
    BinToCount,
    CountLine,
    Uncounted,
    add_scans,
    adjustments,
    bins_due,
    moved_between,
    record_count,
    shown_expected,
    variance_line,
    variance_list,
)

COST = Money(250, "GBP")


def line(**kw) -> CountLine:
    base = dict(sku="MUG-RED", location="A-01-1", level_at_start=12, unit_cost=COST)
    return CountLine(**{**base, **kw})


# --- counting ------------------------------------------------------------------------------


def test_a_blind_check_hides_the_recorded_quantity():
    assert shown_expected(line(), blind=True) is None
    assert shown_expected(line(), blind=False) == 12


def test_a_typed_count_is_recorded_with_the_movements_up_to_it():
    counted = record_count(line(), 9, moved_since_start=-2)
    assert (counted.counted, counted.moved_since_start, counted.expected) == (9, -2, 10)


def test_scans_add_up_and_a_negative_scan_takes_one_back():
    c = add_scans(line(), moved_since_start=0)
    c = add_scans(c, moved_since_start=0)
    c = add_scans(c, 5, moved_since_start=0)
    assert c.counted == 7
    assert add_scans(c, -1, moved_since_start=0).counted == 6


def test_a_negative_count_is_refused():
    with pytest.raises(DomainError, match="negative"):
        record_count(line(), -1, moved_since_start=0)


def test_a_recount_replaces_the_first_count_and_its_moment():
    first = record_count(line(), 7, moved_since_start=0)
    again = record_count(first, 10, moved_since_start=-2)
    v = variance_line(again, uncounted=Uncounted.LEAVE_OUT)
    assert (v.counted, v.expected, v.variance) == (10, 10, 0)


def test_movements_are_summed_from_the_start_until_the_count():
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    counted_at = start + timedelta(hours=2)
    moves = [(start - timedelta(minutes=1), 50), (start, -1),
             (start + timedelta(hours=1), -2), (counted_at, -4)]
    assert moved_between(moves, start, counted_at) == -3


# --- variances ------------------------------------------------------------------------------


def test_variance_is_counted_less_expected_and_valued_at_cost():
    v = variance_line(record_count(line(), 9, moved_since_start=0), uncounted=Uncounted.LEAVE_OUT)
    assert (v.expected, v.variance) == (12, -3)
    assert v.value == Money(-750, "GBP")
    assert v.explanation == ("Counted 9; expected 12 (12 at the start of the check): "
                             "3 short, worth -£7.50.")


def test_sales_during_the_count_are_not_taken_for_loss():
    # 12 at the start, 2 sold before the bin was counted, 10 found: nothing is missing.
    v = variance_line(record_count(line(), 10, moved_since_start=-2),
                      uncounted=Uncounted.LEAVE_OUT)
    assert v.variance == 0
    assert v.explanation == ("Counted 10; expected 10 (12 at the start of the check, "
                             "2 out since): no difference.")


def test_goods_in_during_the_count_raise_what_is_expected():
    v = variance_line(record_count(line(), 20, moved_since_start=6),
                      uncounted=Uncounted.LEAVE_OUT)
    assert (v.expected, v.variance) == (18, 2)
    assert "6 in since" in v.explanation
    assert "2 over, worth £5.00" in v.explanation


def test_an_uncounted_line_left_out_keeps_its_recorded_level():
    v = variance_line(line(), uncounted=Uncounted.LEAVE_OUT)
    assert v.left_out
    assert (v.variance, v.value, v.found) == (0, Money(0, "GBP"), 12)
    assert v.explanation == "Not counted: left at 12 as recorded."


def test_an_uncounted_line_counted_as_zero_writes_the_stock_off():
    v = variance_line(line(), uncounted=Uncounted.COUNT_AS_ZERO)
    assert v.taken_as_zero and not v.left_out
    assert (v.counted, v.variance, v.found) == (None, -12, 0)
    assert v.value == Money(-3000, "GBP")
    assert v.explanation.startswith("Not counted, so taken as none found; expected 12")


def test_a_big_difference_asks_for_a_recount():
    counted = record_count(line(), 2, moved_since_start=0)
    assert variance_line(counted, uncounted=Uncounted.LEAVE_OUT,
                         recount_over_units=5).recount
    assert not variance_line(counted, uncounted=Uncounted.LEAVE_OUT,
                             recount_over_units=10).recount
    by_value = variance_line(counted, uncounted=Uncounted.LEAVE_OUT,
                             recount_over_value=Money(2000, "GBP"))
    assert by_value.recount  # worth £25 lost
    assert by_value.explanation.endswith("Count it again before approving.")


def test_a_value_limit_in_another_currency_does_not_apply():
    counted = record_count(line(), 2, moved_since_start=0)
    assert not variance_line(counted, uncounted=Uncounted.LEAVE_OUT,
                             recount_over_value=Money(1, "EUR")).recount


def test_an_uncounted_line_is_not_sent_for_recount():
    assert not variance_line(line(), uncounted=Uncounted.COUNT_AS_ZERO,
                             recount_over_units=0).recount


def test_the_variance_list_sorts_by_bin_and_totals_by_currency():
    lines = [
        record_count(line(location="B-01-1"), 10, moved_since_start=0),  # 2 short: -£5
        record_count(line(sku="TEE-S", unit_cost=Money(400, "EUR")), 13,
                     moved_since_start=0),  # 1 over: €4
        record_count(line(sku="MUG-BLUE"), 15, moved_since_start=0),  # 3 over: £7.50
        line(sku="CAP", location="C-01-1"),  # left out
    ]
    vl = variance_list(lines, uncounted=Uncounted.LEAVE_OUT)
    assert [(v.location, v.sku) for v in vl.lines] == [
        ("A-01-1", "MUG-BLUE"), ("A-01-1", "TEE-S"), ("B-01-1", "MUG-RED"), ("C-01-1", "CAP")]
    assert vl.net_value == (Money(400, "EUR"), Money(250, "GBP"))
    assert (vl.units_short, vl.units_over, vl.left_out) == (2, 4, 1)
    assert [v.sku for v in vl.differences] == ["MUG-BLUE", "TEE-S", "MUG-RED"]


# --- approval ------------------------------------------------------------------------------


def test_approval_books_one_count_movement_per_difference():
    vl = variance_list([record_count(line(product_id=7, location_id=3), 9, moved_since_start=0),
                        record_count(line(sku="SAME"), 12, moved_since_start=0),
                        line(sku="UNTOUCHED")], uncounted=Uncounted.LEAVE_OUT)
    booked = adjustments(vl.lines, reference="SC-0004")
    assert len(booked) == 1
    (a,) = booked
    assert (a.sku, a.location, a.quantity, a.reason) == ("MUG-RED", "A-01-1", -3,
                                                         MovementReason.COUNT)
    assert (a.product_id, a.location_id, a.reference) == (7, 3, "SC-0004")
    assert a.note == "Stock check SC-0004: expected 12, found 9."


def test_uncounted_lines_counted_as_zero_are_booked_out():
    vl = variance_list([line()], uncounted=Uncounted.COUNT_AS_ZERO)
    assert [a.quantity for a in adjustments(vl.lines, reference="SC-1")] == [-12]


def test_only_the_lines_the_owner_approves_are_booked():
    vl = variance_list([record_count(line(), 9, moved_since_start=0),
                        record_count(line(sku="B"), 14, moved_since_start=0)],
                       uncounted=Uncounted.LEAVE_OUT)
    approved = [v for v in vl.lines if v.sku == "B"]
    assert [a.quantity for a in adjustments(approved, reference="SC-1")] == [2]


@given(start=st.integers(-20, 500), before=st.integers(-100, 100),
       after=st.integers(-100, 100), counted=st.integers(0, 600))
def test_booking_the_variance_leaves_recorded_stock_equal_to_what_was_found(start, before,
                                                                            after, counted):
    # Movements before the count are in the expectation; those after it stay in the ledger.
    v = variance_line(record_count(line(level_at_start=start), counted, moved_since_start=before),
                      uncounted=Uncounted.LEAVE_OUT)
    booked = sum(a.quantity for a in adjustments([v], reference="SC"))
    recorded_at_approval = start + before + after
    assert recorded_at_approval + booked == counted + after
    assert all(a.quantity != 0 for a in adjustments([v], reference="SC"))


# --- rolling schedule ------------------------------------------------------------------------


def bin_(code: str, walk: int, days_ago: int | None, active: bool = True) -> BinToCount:
    when = None if days_ago is None else datetime(2026, 3, 31, tzinfo=UTC) - timedelta(days_ago)
    return BinToCount(code, walk, when, active)


def test_never_counted_bins_come_first_then_the_oldest():
    bins = [bin_("A", 1, 5), bin_("B", 2, None), bin_("C", 3, 40), bin_("D", 4, 10),
            bin_("E", 5, None)]
    assert [b.location for b in bins_due(bins, 3)] == ["B", "C", "E"]


def test_the_chosen_bins_come_back_in_walk_order():
    bins = [bin_("Z-9", 1, 30), bin_("A-1", 9, None), bin_("M-5", 5, 60)]
    assert [b.location for b in bins_due(bins, 3)] == ["Z-9", "M-5", "A-1"]


def test_bins_counted_at_the_same_time_are_chosen_by_walk_sequence():
    bins = [bin_("C", 3, 7), bin_("A", 1, 7), bin_("B", 2, 7)]
    assert [b.location for b in bins_due(bins, 2)] == ["A", "B"]


def test_inactive_bins_are_never_due():
    bins = [bin_("A", 1, None, active=False), bin_("B", 2, 3)]
    assert [b.location for b in bins_due(bins, 5)] == ["B"]


def test_asking_for_no_bins_gives_none_and_a_negative_number_is_refused():
    assert bins_due([bin_("A", 1, None)], 0) == ()
    with pytest.raises(DomainError):
        bins_due([], -1)


@given(st.lists(st.tuples(st.integers(0, 50), st.one_of(st.none(), st.integers(0, 365))),
                max_size=40, unique_by=lambda t: t[0]),
       st.integers(0, 45))
def test_no_bin_left_out_was_counted_less_recently_than_one_chosen(raw, n):
    bins = [bin_(f"L{walk:02}", walk, ago) for walk, ago in raw]
    chosen = bins_due(bins, n)
    assert len(chosen) == min(n, len(bins))

    def staleness(b):  # higher is more overdue
        return (1, 0) if b.last_counted_at is None else (0, -b.last_counted_at.timestamp())

    rest = [b for b in bins if b not in chosen]
    if chosen and rest:
        assert min(staleness(b) for b in chosen) >= max(staleness(b) for b in rest)
