"""Scorecard arithmetic: rates and averages over what was done, None when nothing was."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.scorecard import WINDOWS, WindowCounts, average, rate, score, window_start


def test_the_detail_pane_scores_30_and_90_days():
    assert WINDOWS == (30, 90)


def test_a_window_counts_back_from_today():
    assert window_start(date(2026, 3, 31), 30) == date(2026, 3, 1)
    assert window_start(date(2026, 3, 31), 90) == date(2025, 12, 31)


def test_a_window_is_at_least_a_day():
    with pytest.raises(ValueError):
        window_start(date(2026, 3, 31), 0)


def test_rate_is_part_of_whole():
    assert rate(3, 4) == 0.75
    assert rate(0, 5) == 0.0
    assert rate(5, 5) == 1.0


def test_rate_of_nothing_is_unknown_not_zero():
    assert rate(0, 0) is None


@pytest.mark.parametrize(("part", "whole"), [(-1, 3), (4, 3), (1, -1)])
def test_a_rate_that_cannot_be_is_refused(part, whole):
    with pytest.raises(ValueError):
        rate(part, whole)


def test_average_of_nothing_is_unknown():
    assert average(0.0, 0) is None
    assert average(9.0, 4) == 2.25


def test_score_turns_counts_into_rates_and_averages():
    card = score(WindowCounts(days=30, done=4, done_with_due=3, done_on_time=2,
                              lead_days_total=27.5, rejected=1, open_overdue=2))
    assert card.days == 30
    assert card.done == 4
    assert card.on_time_rate == pytest.approx(2 / 3)
    assert card.average_lead_days == pytest.approx(6.875)
    assert card.rejected == 1
    assert card.late == 1 + 2  # done late, plus open and past due


def test_a_supplier_with_no_work_has_no_rate_and_no_average():
    card = score(WindowCounts(days=90))
    assert (card.done, card.on_time_rate, card.average_lead_days, card.rejected, card.late) \
        == (0, None, None, 0, 0)


def test_done_tasks_without_due_dates_count_for_lead_time_but_not_for_the_rate():
    card = score(WindowCounts(days=30, done=2, done_with_due=0, lead_days_total=3.0))
    assert card.on_time_rate is None
    assert card.average_lead_days == 1.5
    assert card.late == 0


@given(with_due=st.integers(0, 1000), data=st.data())
def test_the_on_time_rate_stays_between_0_and_1(with_due, data):
    on_time = data.draw(st.integers(0, with_due))
    card = score(WindowCounts(days=30, done=with_due, done_with_due=with_due,
                              done_on_time=on_time))
    assert card.on_time_rate is None if with_due == 0 else 0 <= card.on_time_rate <= 1
    assert card.late == with_due - on_time
