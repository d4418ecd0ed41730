"""Goods in: a delivery compared with its purchase order lines, and what gets booked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.goods_in import (
    BinHistory,
    Booking,
    OpenLine,
    ReceiptStatus,
    Scan,
    allocate,
    apply_bookings,
    bookings,
    compare_delivery,
    po_status_after,
    suggest_bin,
    totals_by_sku,
)
from app.domain.statuses import PurchaseOrderStatus as PS

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def po_line(line_id: int, sku: str = "MUG-RED", ordered: int = 10, received: int = 0,
            po: str = "PO-0001", days: int = 0) -> OpenLine:
    return OpenLine(line_id, po, sku, ordered, received, T0 + timedelta(days=days))


def scans(sku: str, n: int) -> list[Scan]:
    return [Scan(sku)] * n


def only(lines, sku):
    return [r for r in lines if r.sku == sku]


# --- comparing -----------------------------------------------------------------------------


def test_scans_and_typed_quantities_add_up_per_sku():
    assert totals_by_sku([Scan("A"), Scan("B", 5), Scan("A"), Scan("A", -1)]) == \
        {"A": 1, "B": 5}


def test_taking_back_more_scans_than_were_made_is_refused():
    with pytest.raises(DomainError, match="MUG-RED"):
        totals_by_sku([Scan("MUG-RED"), Scan("MUG-RED", -2)])


def test_exactly_what_was_ordered_is_complete():
    (r,) = compare_delivery([po_line(1)], scans("MUG-RED", 10))
    assert (r.status, r.received_now, r.extra, r.still_to_come) == (ReceiptStatus.COMPLETE,
                                                                    10, 0, 0)
    assert r.question is None
    assert r.note == "10 of MUG-RED received now: all 10 on PO-0001 are in."


def test_less_than_ordered_is_short_with_the_rest_still_to_come():
    (r,) = compare_delivery([po_line(1)], [Scan("MUG-RED", 8)])
    assert (r.status, r.still_to_come, r.question) == (ReceiptStatus.SHORT, 2, None)
    assert r.note == "8 of MUG-RED received now: 8 of 10 on PO-0001 in, 2 still to come."


def test_a_line_nothing_came_for_is_short_and_says_so():
    (r,) = compare_delivery([po_line(1)], [])
    assert (r.status, r.received_now) == (ReceiptStatus.SHORT, 0)
    assert r.note == "None of MUG-RED in this delivery yet: 10 of 10 on PO-0001 still to come."


def test_the_rest_of_an_earlier_part_delivery_completes_the_line():
    (r,) = compare_delivery([po_line(1, received=6)], [Scan("MUG-RED", 4)])
    assert (r.expected, r.received_before, r.status) == (4, 6, ReceiptStatus.COMPLETE)


def test_more_than_ordered_is_over_and_asks_about_the_extra():
    (r,) = compare_delivery([po_line(1)], [Scan("MUG-RED", 12)])
    assert (r.status, r.received_now, r.extra) == (ReceiptStatus.OVER, 12, 2)
    assert r.question == "You received 12 of MUG-RED but only 10 are on order: book the 2 extra?"


def test_more_of_a_line_already_in_full_asks_about_all_of_it():
    (r,) = compare_delivery([po_line(1, received=10)], [Scan("MUG-RED", 3)])
    assert (r.status, r.extra) == (ReceiptStatus.OVER, 3)
    assert r.question == "You received 3 of MUG-RED but none are on order: book the 3 extra?"


def test_lines_complete_before_this_delivery_are_not_shown_again():
    lines = compare_delivery([po_line(1, received=10), po_line(2, "TEE-S")], [Scan("TEE-S", 1)])
    assert [r.sku for r in lines] == ["TEE-S"]


def test_an_item_on_no_open_order_is_unexpected_and_asked_about():
    lines = compare_delivery([po_line(1)], [*scans("MUG-RED", 10), Scan("MUG-BLUE", 5)])
    (r,) = only(lines, "MUG-BLUE")
    assert (r.status, r.po_line_id, r.received_now, r.extra) == (ReceiptStatus.UNEXPECTED,
                                                                  None, 5, 5)
    assert r.question == ("MUG-BLUE is not on any open purchase order: book the 5 received "
                          "into stock anyway?")
    assert lines[-1] is r  # unexpected items come after the order lines


def test_a_sku_scanned_and_taken_back_to_nothing_is_not_unexpected():
    assert compare_delivery([], [Scan("X"), Scan("X", -1)]) == ()


def test_a_parked_delivery_resumes_by_comparing_all_its_scans_again():
    first_half = [Scan("MUG-RED", 4)]
    parked = compare_delivery([po_line(1)], first_half)
    resumed = compare_delivery([po_line(1)], [*first_half, Scan("MUG-RED", 6)])
    assert parked[0].status is ReceiptStatus.SHORT
    assert resumed[0].status is ReceiptStatus.COMPLETE


# --- allocation over several lines -----------------------------------------------------------


def test_a_quantity_fills_the_oldest_order_line_first():
    old, new = po_line(2, po="PO-0001", days=0), po_line(1, po="PO-0002", days=5)
    assert [(ln.po_line_id, n) for ln, n in allocate(15, [new, old])] == [(2, 10), (1, 5)]


def test_what_no_line_needs_goes_on_the_newest_line():
    old, new = po_line(1, days=0), po_line(2, ordered=5, days=3)
    assert [(ln.po_line_id, n) for ln, n in allocate(18, [old, new])] == [(1, 10), (2, 8)]


def test_lines_of_unsent_orders_fill_after_dated_ones_then_by_line_id():
    undated = OpenLine(1, "PO-9", "MUG-RED", 10)
    dated = po_line(5, days=10)
    assert [ln.po_line_id for ln, _ in allocate(20, [undated, dated])] == [5, 1]


def test_over_several_lines_the_question_counts_all_that_is_on_order():
    lines = compare_delivery([po_line(1, po="PO-0001", days=0),
                              po_line(2, po="PO-0002", days=4)], [Scan("MUG-RED", 23)])
    assert [(r.po_number, r.status, r.received_now, r.extra) for r in lines] == [
        ("PO-0001", ReceiptStatus.COMPLETE, 10, 0), ("PO-0002", ReceiptStatus.OVER, 13, 3)]
    assert lines[1].question == ("You received 23 of MUG-RED but only 20 are on order: "
                                 "book the 3 extra?")


@given(qty=st.integers(0, 500),
       lines=st.lists(st.tuples(st.integers(1, 50), st.integers(0, 60), st.integers(0, 30)),
                      min_size=1, max_size=6))
def test_allocation_hands_out_exactly_what_came_oldest_first(qty, lines):
    open_lines = [po_line(i, ordered=o, received=min(r, o), days=d)
                  for i, (o, r, d) in enumerate(lines, start=1)]
    shares = allocate(qty, open_lines)
    assert sum(n for _, n in shares) == qty
    given_to = {ln.po_line_id: n for ln, n in shares}
    needy = sorted(open_lines, key=lambda ln: (ln.ordered_at, ln.po_line_id))
    # An older line is never left wanting while a newer one gets some.
    for i, older in enumerate(needy):
        for newer in needy[i + 1:]:
            if given_to.get(newer.po_line_id):
                assert given_to.get(older.po_line_id, 0) >= older.remaining


# --- booking -------------------------------------------------------------------------------


def test_declined_extra_is_not_booked_and_accepted_extra_is():
    lines = compare_delivery([po_line(1)], [Scan("MUG-RED", 12)])
    assert bookings(lines, bins={"MUG-RED": "A-01-1"}) == (Booking("MUG-RED", 10, "A-01-1", 1),)
    assert bookings(lines, bins={"MUG-RED": "A-01-1"}, book_extra={"MUG-RED"}) == \
        (Booking("MUG-RED", 12, "A-01-1", 1),)


def test_unexpected_goods_are_booked_only_when_accepted_and_against_no_line():
    lines = compare_delivery([], [Scan("CAP", 3)])
    assert bookings(lines, bins={"CAP": "B-02"}) == ()
    assert bookings(lines, bins={"CAP": "B-02"}, book_unexpected={"CAP"}) == \
        (Booking("CAP", 3, "B-02", None),)


def test_lines_with_nothing_received_book_nothing():
    lines = compare_delivery([po_line(1), po_line(2, "TEE-S")], [Scan("TEE-S", 2)])
    assert [b.sku for b in bookings(lines, bins={"TEE-S": "C-1"})] == ["TEE-S"]


def test_booking_without_a_bin_is_refused_in_words():
    lines = compare_delivery([po_line(1)], [Scan("MUG-RED", 2)])
    with pytest.raises(DomainError, match="Choose a bin for the 2 of MUG-RED"):
        bookings(lines, bins={})


def test_bookings_add_to_what_each_line_has_received():
    lines = [po_line(1, received=2), po_line(2, "TEE-S")]
    after = apply_bookings(lines, [Booking("MUG-RED", 5, "A", 1), Booking("CAP", 1, "B", None)])
    assert [ln.received for ln in after] == [7, 0]


# --- purchase order status ------------------------------------------------------------------


def test_a_sent_order_with_some_in_is_partly_received():
    assert po_status_after(PS.SENT, [po_line(1, received=4), po_line(2)]) is PS.PARTLY_RECEIVED


def test_an_order_with_every_line_in_full_is_received():
    assert po_status_after(PS.PARTLY_RECEIVED, [po_line(1, received=10),
                                                po_line(2, ordered=3, received=4)]) \
        is PS.RECEIVED
    assert po_status_after(PS.SENT, [po_line(1, received=10)]) is PS.RECEIVED


def test_an_order_nothing_has_come_for_stays_as_it_is():
    assert po_status_after(PS.SENT, [po_line(1)]) is PS.SENT
    assert po_status_after(PS.PARTLY_RECEIVED, [po_line(1, received=5)]) is PS.PARTLY_RECEIVED
    assert po_status_after(PS.SENT, []) is PS.SENT


@pytest.mark.parametrize("status", [PS.DRAFT, PS.RECEIVED, PS.CLOSED, PS.CANCELLED])
def test_only_sent_or_partly_received_orders_take_goods(status):
    with pytest.raises(DomainError, match="cannot receive goods"):
        po_status_after(status, [po_line(1, received=1)])


# --- which bin -----------------------------------------------------------------------------


def test_the_bin_holding_most_of_it_is_suggested():
    s = suggest_bin("MUG-RED", [BinHistory("A-01", on_hand=3, times_received=9),
                                BinHistory("B-02", on_hand=14, times_received=1)])
    assert s.location == "B-02"
    assert s.reason == "14 of MUG-RED are in B-02 now."


def test_with_none_in_stock_the_last_bin_received_into_is_suggested():
    s = suggest_bin("MUG-RED", [
        BinHistory("A-01", times_received=9, last_received_at=T0),
        BinHistory("B-02", times_received=1, last_received_at=T0 + timedelta(days=20)),
        BinHistory("C-03"),
    ])
    assert s.location == "B-02"
    assert s.reason == "None in stock; MUG-RED was last received into B-02 on 2026-03-21."


def test_equal_stock_goes_to_the_bin_received_into_last():
    s = suggest_bin("X", [BinHistory("A", 5, 1, T0), BinHistory("B", 5, 1, T0 + timedelta(1))])
    assert s.location == "B"


def test_a_new_product_gets_the_default_bin_or_none():
    assert suggest_bin("NEW", [], default="GOODS-IN").location == "GOODS-IN"
    s = suggest_bin("NEW", [])
    assert (s.location, s.reason) == (None, "NEW has no bin yet: choose one.")
