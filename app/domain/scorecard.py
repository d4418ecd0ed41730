"""A supplier's scorecard over a window of days: the arithmetic, with no database in sight.

The service counts a window's tasks in SQL (`WindowCounts`); `score` turns the counts into
rates and averages. A rate or average with nothing to measure is None, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WINDOWS = (30, 90)  # days the detail pane scores a supplier over, side by side


@dataclass(frozen=True)
class WindowCounts:
    """A supplier's tasks in one window, as counted by the database."""

    days: int
    done: int = 0  # tasks finished in the window
    done_with_due: int = 0  # of those, the ones that had a due date
    done_on_time: int = 0  # of those, finished on or before the due date
    lead_days_total: float = 0.0  # sum over done tasks of created -> finished, in days
    rejected: int = 0  # tasks this supplier turned down in the window
    open_overdue: int = 0  # open tasks past their due date now


@dataclass(frozen=True)
class Scorecard:
    days: int
    done: int
    on_time_rate: float | None  # 0.0 to 1.0; None when no done task had a due date
    average_lead_days: float | None  # None when nothing was done
    rejected: int
    late: int  # done after the due date, plus open and past due


def window_start(today: date, days: int) -> date:
    """The first day a window of `days` days ending today counts from."""
    if days < 1:
        raise ValueError("a scorecard window is at least one day")
    return today - timedelta(days=days)


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to measure."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"cannot take {part} of {whole} as a rate")
    return None if whole == 0 else part / whole


def average(total: float, n: int) -> float | None:
    if n < 0:
        raise ValueError("cannot average over a negative count")
    return None if n == 0 else total / n


def score(counts: WindowCounts) -> Scorecard:
    late_done = counts.done_with_due - counts.done_on_time
    return Scorecard(
        days=counts.days,
        done=counts.done,
        on_time_rate=rate(counts.done_on_time, counts.done_with_due),
        average_lead_days=average(counts.lead_days_total, counts.done),
        rejected=counts.rejected,
        late=late_done + counts.open_overdue,
    )
