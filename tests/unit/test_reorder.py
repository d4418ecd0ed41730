"""Reorder suggestions: demand per day in stock, minimum level, packs, and the working shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.reorder import (
    ReorderFacts,
    ReorderSettings,
    ReorderStatus,
    below_minimum,
    days_out_of_stock,
    draft_purchase_orders,
    round_to_packs,
    suggest,
    suggest_all,
    time_out_of_stock,
)

SETTINGS = ReorderSettings(window_days=30, safety_days=3, days_between_orders=14,
                           minimum_sales=3)


def facts(**kw) -> ReorderFacts:
    base = dict(sku="MUG-RED", units_sold=42, days_out_of_stock=2, on_hand=10, reserved=2,
                on_order=10, supplier_id=1, supplier_name="Potters", lead_time_days=7)
    return ReorderFacts(**{**base, **kw})


# --- daily sales -----------------------------------------------------------------------------


def test_daily_sales_divide_by_days_in_stock_only():
    s = suggest(facts(), SETTINGS)
    assert s.days_in_stock == 28
    assert s.daily_sales == Decimal("1.50")
    assert s.lines[0] == ("Sold 42 in 28 days in stock (2 days out of stock not counted) "
                          "= 1.50 a day.")


def test_a_stock_out_does_not_look_like_no_demand():
    in_stock_all_month = suggest(facts(units_sold=30, days_out_of_stock=0), SETTINGS)
    out_half_the_month = suggest(facts(units_sold=15, days_out_of_stock=15), SETTINGS)
    assert in_stock_all_month.daily_sales == out_half_the_month.daily_sales == Decimal("1.00")
    assert out_half_the_month.minimum_level == in_stock_all_month.minimum_level


def test_a_window_without_stock_outs_says_nothing_about_them():
    s = suggest(facts(units_sold=30, days_out_of_stock=0), SETTINGS)
    assert s.lines[0] == "Sold 30 in 30 days in stock = 1.00 a day."


def test_a_new_product_is_judged_over_the_days_it_has_been_on_sale():
    s = suggest(facts(units_sold=10, days_out_of_stock=0, days_in_window=5), SETTINGS)
    assert s.daily_sales == Decimal("2.00")


def test_daily_sales_are_shown_to_two_places_but_quantities_use_the_exact_rate():
    s = suggest(facts(units_sold=40, days_out_of_stock=0), SETTINGS)  # 1.333... a day
    assert s.daily_sales == Decimal("1.33")
    assert s.minimum_level == 14  # 13.33 rounded up, not 1.33 x 10 = 13.3
    assert "= 13.33, rounded up to 14" in s.lines[1]
    assert s.reorder_qty == 19  # 18.67 rounded up


# --- minimum level and reorder quantity ---------------------------------------------------


def test_minimum_level_is_daily_sales_over_lead_time_plus_safety_days():
    s = suggest(facts(), SETTINGS)
    assert s.minimum_level == 15  # 1.5 x (7 + 3)
    assert s.lines[1] == ("Minimum level: 1.50 a day × 10 days (7 days lead time + 3 safety) "
                          "= 15.")


def test_reorder_quantity_is_daily_sales_over_the_days_between_orders():
    s = suggest(facts(), SETTINGS)
    assert s.reorder_qty == 21  # 1.5 x 14
    assert s.lines[2] == "Reorder quantity: 1.50 a day × 14 days between orders = 21."


def test_enough_stock_and_on_order_needs_no_order():
    s = suggest(facts(), SETTINGS)  # 8 available + 10 on order = 18, minimum 15
    assert s.status is ReorderStatus.OK
    assert (s.needed, s.order_qty) == (0, 0)
    assert s.lines[3] == "Stock position: 8 available (10 on hand − 2 reserved) + 10 on order = 18."
    assert s.lines[4] == "18 is not below the minimum level of 15: no order needed."


def test_what_is_already_on_order_is_subtracted():
    without = suggest(facts(on_order=0), SETTINGS)
    with_some = suggest(facts(on_order=5), SETTINGS)
    assert without.status is with_some.status is ReorderStatus.ORDER_NOW
    assert without.needed == 15 + 21 - 8
    assert with_some.needed == without.needed - 5
    assert "order up to 15 + 21 = 36, less 13 = 23." in with_some.lines[4]


def test_reserved_stock_is_not_available_for_the_position():
    s = suggest(facts(on_hand=10, reserved=10, on_order=0), SETTINGS)
    assert s.available == 0
    assert s.needed == 36


def test_customers_waiting_are_added_to_the_order():
    s = suggest(facts(on_hand=0, reserved=4, on_order=0), SETTINGS)
    assert s.needed == 15 + 21 + 4
    assert "plus 4 owed = 40" in s.lines[4]


def test_at_the_minimum_level_no_order_is_needed_yet():
    s = suggest(facts(on_hand=15, reserved=0, on_order=0), SETTINGS)
    assert s.status is ReorderStatus.OK


# --- packs and minimum order --------------------------------------------------------------


def test_the_order_is_rounded_up_to_whole_packs():
    s = suggest(facts(on_order=0, pack_size=12), SETTINGS)  # needs 28
    assert s.order_qty == 36
    assert "Rounded up to whole packs of 12: 36 (3 packs)." in s.lines
    assert s.lines[-1] == "Order 36."


def test_the_order_is_raised_to_the_minimum_order():
    s = suggest(facts(on_order=0, minimum_order=50), SETTINGS)
    assert s.order_qty == 50
    assert "Raised to the minimum order of 50 from Potters." in s.lines


def test_minimum_order_and_packs_together_give_whole_packs_over_the_minimum():
    assert round_to_packs(28, pack_size=12, minimum_order=30) == 36
    assert round_to_packs(1, pack_size=6, minimum_order=1) == 6
    assert round_to_packs(0, pack_size=6, minimum_order=10) == 0


def test_a_single_unit_pack_orders_exactly_what_is_needed():
    s = suggest(facts(on_order=0), SETTINGS)
    assert s.order_qty == s.needed == 28
    assert not any("pack" in line for line in s.lines)


@given(needed=st.integers(1, 10_000), pack=st.integers(1, 500), minimum=st.integers(1, 2_000))
def test_an_order_is_whole_packs_covering_both_the_need_and_the_minimum(needed, pack, minimum):
    qty = round_to_packs(needed, pack, minimum)
    assert qty % pack == 0
    assert qty >= needed
    assert qty >= minimum
    assert qty - pack < max(needed, minimum)  # one pack fewer would not do


@given(sold=st.integers(0, 5_000), out=st.integers(0, 60), on_hand=st.integers(-50, 500),
       reserved=st.integers(0, 100), on_order=st.integers(0, 500), pack=st.integers(1, 48),
       minimum=st.integers(1, 200), lead=st.integers(0, 60))
def test_a_suggestion_to_order_always_fits_the_supplier_terms(sold, out, on_hand, reserved,
                                                               on_order, pack, minimum, lead):
    s = suggest(ReorderFacts("X", sold, days_out_of_stock=min(out, 60), on_hand=on_hand,
                             reserved=reserved, on_order=on_order, supplier_id=1,
                             lead_time_days=lead, pack_size=pack, minimum_order=minimum,
                             days_in_window=60), SETTINGS)
    if s.status is ReorderStatus.ORDER_NOW:
        assert s.order_qty % pack == 0
        assert s.order_qty >= minimum
        assert s.order_qty >= s.needed > 0
        assert s.position + s.order_qty >= s.minimum_level
    else:
        assert s.order_qty == 0
    assert s.lines


# --- low data ----------------------------------------------------------------------------


def test_one_sale_is_low_data_and_not_extrapolated():
    s = suggest(facts(units_sold=1, on_hand=0, reserved=0, on_order=0), SETTINGS)
    assert s.status is ReorderStatus.LOW_DATA
    assert s.low_data
    assert s.daily_sales is None
    assert (s.minimum_level, s.reorder_qty, s.order_qty) == (0, 0, 0)
    assert s.lines[0] == ("Sold 1 in 28 days in stock (2 days out of stock not counted): too "
                          "little to forecast from (at least 3 units are needed).")
    assert s.lines[-1] == "No order suggested: order by hand if it is needed."


def test_one_big_sale_is_still_one_sale_when_sales_are_counted():
    s = suggest(facts(units_sold=50, sales=1), SETTINGS)
    assert s.low_data
    assert "Sold 50 in 1 sale in 28 days" in s.lines[0]
    assert "at least 3 sales are needed" in s.lines[0]


def test_exactly_the_minimum_number_of_sales_is_enough():
    assert not suggest(facts(units_sold=3), SETTINGS).low_data
    assert suggest(facts(units_sold=2), SETTINGS).low_data


def test_low_data_still_orders_what_customers_are_waiting_for():
    s = suggest(facts(units_sold=1, on_hand=0, reserved=3, on_order=0, pack_size=2), SETTINGS)
    assert s.low_data
    assert s.status is ReorderStatus.ORDER_NOW
    assert s.needed == 3
    assert s.order_qty == 4
    assert "3 owed to open orders beyond what is in stock and on order" in s.explanation


def test_out_of_stock_the_whole_window_is_low_data_not_a_division_by_zero():
    s = suggest(facts(units_sold=5, days_out_of_stock=30), SETTINGS)
    assert s.low_data
    assert s.days_in_stock == 0
    assert "Out of stock all 30 days of the window" in s.lines[0]


# --- statuses that stop an order -----------------------------------------------------------


def test_a_product_without_a_supplier_says_so_instead_of_ordering():
    s = suggest(facts(on_order=0, supplier_id=None, supplier_name=""), SETTINGS)
    assert s.status is ReorderStatus.NO_SUPPLIER
    assert s.needed == 28
    assert s.order_qty == 0
    assert s.lines[-1] == "No supplier to order from: choose one for MUG-RED to order the 28."


def test_a_product_without_a_supplier_but_enough_stock_is_just_ok():
    assert suggest(facts(supplier_id=None), SETTINGS).status is ReorderStatus.OK


def test_a_discontinued_product_is_never_reordered():
    s = suggest(facts(on_order=0, active=False), SETTINGS)
    assert s.status is ReorderStatus.DISCONTINUED
    assert s.order_qty == 0
    assert s.lines[-1] == "Discontinued: never reordered."


# --- inputs that cannot be -----------------------------------------------------------------


@pytest.mark.parametrize("bad", [dict(pack_size=0), dict(minimum_order=0),
                                 dict(lead_time_days=-1)])
def test_impossible_supplier_terms_are_refused_in_words(bad):
    with pytest.raises(DomainError, match="MUG-RED"):
        facts(**bad)


@pytest.mark.parametrize("bad", [dict(window_days=0), dict(safety_days=-1),
                                 dict(days_between_orders=-1), dict(minimum_sales=0)])
def test_impossible_settings_are_refused_in_words(bad):
    with pytest.raises(DomainError):
        ReorderSettings(**bad)


def test_more_days_out_of_stock_than_in_the_window_is_a_mistake():
    with pytest.raises(ValueError):
        suggest(facts(days_out_of_stock=31), SETTINGS)


def test_negative_sales_are_a_mistake():
    with pytest.raises(ValueError):
        facts(units_sold=-1)


# --- alerts and drafts ---------------------------------------------------------------------


def test_below_minimum_is_strictly_below():
    assert below_minimum(4, 5)
    assert not below_minimum(5, 5)
    assert below_minimum(-1, 0)
    assert not below_minimum(0, 0)


def test_drafts_group_what_to_order_by_supplier_with_totals():
    gbp = Money(250, "GBP")
    suggestions = suggest_all([
        facts(sku="MUG-RED", on_order=0, unit_cost=gbp, product_id=1),
        facts(sku="MUG-BLUE", on_order=0, unit_cost=gbp, product_id=2),
        facts(sku="TEE-S", on_order=0, supplier_id=2, supplier_name="Atelier", product_id=3),
        facts(sku="OK-ONE", product_id=4),  # enough stock: no line
        facts(sku="NOBODY", on_order=0, supplier_id=None),
    ], SETTINGS)
    drafts = draft_purchase_orders(suggestions)
    assert [d.supplier_name for d in drafts] == ["Atelier", "Potters"]
    atelier, potters = drafts
    assert [(ln.sku, ln.quantity) for ln in potters.lines] == [("MUG-BLUE", 28), ("MUG-RED", 28)]
    assert potters.total == Money(2 * 28 * 250, "GBP")
    assert atelier.total is None  # no price known


def test_a_draft_in_two_currencies_is_refused():
    suggestions = suggest_all([
        facts(sku="A", on_order=0, unit_cost=Money(100, "GBP")),
        facts(sku="B", on_order=0, unit_cost=Money(100, "EUR")),
    ], SETTINGS)
    with pytest.raises(DomainError, match="EUR and GBP"):
        draft_purchase_orders(suggestions)


def test_nothing_to_order_makes_no_drafts():
    assert draft_purchase_orders(suggest_all([facts()], SETTINGS)) == ()


def test_a_hundred_thousand_products_are_suggested_in_one_pass():
    many = [ReorderFacts(f"SKU-{i}", i % 40, days_out_of_stock=i % 5, on_hand=i % 17,
                         on_order=i % 3, supplier_id=i % 9 or None, pack_size=1 + i % 6)
            for i in range(100_000)]
    out = suggest_all(many, SETTINGS)
    assert len(out) == 100_000
    assert {s.status for s in out} >= {ReorderStatus.ORDER_NOW, ReorderStatus.OK,
                                       ReorderStatus.LOW_DATA, ReorderStatus.NO_SUPPLIER}


# --- days out of stock from movements ------------------------------------------------------

START = datetime(2026, 3, 1, tzinfo=UTC)
END = START + timedelta(days=30)


def at(days: float) -> datetime:
    return START + timedelta(days=days)


def test_in_stock_all_window_is_no_day_out():
    assert days_out_of_stock([(at(3), 5), (at(10), 2)], level_at_start=8,
                             window_start=START, window_end=END) == 0


def test_the_time_between_selling_out_and_restocking_is_out_of_stock():
    moves = [(at(5), 0), (at(9), 20)]
    assert days_out_of_stock(moves, level_at_start=3, window_start=START, window_end=END) == 4


def test_out_of_stock_at_the_start_counts_until_the_first_restock():
    assert days_out_of_stock([(at(6), 10)], level_at_start=0,
                             window_start=START, window_end=END) == 6


def test_sold_out_to_the_end_counts_to_the_end_of_the_window():
    assert days_out_of_stock([(at(25), 0)], level_at_start=4,
                             window_start=START, window_end=END) == 5


def test_part_days_add_up_and_round_down():
    moves = [(at(1), 0), (at(1.5), 3), (at(4), 0), (at(4.5), 3), (at(7), 0), (at(7.75), 3)]
    assert time_out_of_stock(moves, level_at_start=3, window_start=START,
                             window_end=END) == timedelta(days=1.75)
    assert days_out_of_stock(moves, level_at_start=3, window_start=START, window_end=END) == 1


def test_negative_stock_is_out_of_stock():
    assert days_out_of_stock([(at(2), -2), (at(5), 4)], level_at_start=1,
                             window_start=START, window_end=END) == 3


def test_movements_outside_the_window_are_ignored():
    moves = [(at(-3), 0), (at(10), 0), (at(12), 5), (at(31), 0)]
    assert days_out_of_stock(moves, level_at_start=5, window_start=START,
                             window_end=END) == 2


def test_a_window_with_some_stock_always_leaves_a_day_in_stock():
    moves = [(at(0.5), 0)]
    out = days_out_of_stock(moves, level_at_start=1, window_start=START, window_end=END)
    assert out == 29
    assert 30 - out >= 1


def test_movements_out_of_time_order_are_refused():
    with pytest.raises(ValueError, match="order"):
        days_out_of_stock([(at(5), 1), (at(4), 0)], level_at_start=1,
                          window_start=START, window_end=END)


@given(st.lists(st.tuples(st.floats(0, 30), st.integers(-5, 5)), max_size=30),
       st.integers(-5, 5))
def test_time_out_of_stock_never_exceeds_the_window(raw, start_level):
    moves = sorted((at(d), level) for d, level in raw)
    out = time_out_of_stock(moves, level_at_start=start_level, window_start=START,
                            window_end=END)
    assert timedelta(0) <= out <= END - START
