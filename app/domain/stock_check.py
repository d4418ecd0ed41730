"""Stock checks: what a bin should hold, what was found, and the movements that settle it.

A line is counted against the level at the check's start plus the movements at that product
and bin since then, up to when it was counted, so sales during a count are not mistaken for
loss. The owner sees the variance list, approves, and `adjustments` gives the count
movements that make the recorded stock equal what was found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.stock import MovementReason


class Uncounted(StrEnum):
    """What a line nobody counted means when the check is closed; chosen per check."""

    LEAVE_OUT = "leave_out"  # not looked at: the recorded level stands, nothing is booked
    COUNT_AS_ZERO = "count_as_zero"  # the bin was checked and it was not there: write it off


UNCOUNTED_LABELS = {
    Uncounted.LEAVE_OUT: "Leave uncounted lines as recorded",
    Uncounted.COUNT_AS_ZERO: "Uncounted lines were not found (count them as 0)",
}


@dataclass(frozen=True)
class CountLine:
    """One product at one bin in a check."""

    sku: str
    location: str
    level_at_start: int  # recorded on hand when the check started
    unit_cost: Money
    counted: int | None = None  # None until someone counts it
    moved_since_start: int = 0  # movements here from the start until it was counted
    product_id: int | None = None
    location_id: int | None = None

    @property
    def expected(self) -> int:
        """What the bin should have held when it was counted."""
        return self.level_at_start + self.moved_since_start


def shown_expected(line: CountLine, *, blind: bool) -> int | None:
    """The recorded quantity the counter may see: none in a blind check, so they count."""
    return None if blind else line.expected


def record_count(line: CountLine, counted: int, *, moved_since_start: int) -> CountLine:
    """A typed count, or a recount: the latest wins, against the level at its own moment."""
    if counted < 0:
        raise DomainError(f"A count cannot be negative: {counted} of {line.sku} "
                          f"in {line.location}.")
    return replace(line, counted=counted, moved_since_start=moved_since_start)


def add_scans(line: CountLine, scans: int = 1, *, moved_since_start: int) -> CountLine:
    """Scanning adds to what has been counted so far (a negative number takes scans back)."""
    return record_count(line, (line.counted or 0) + scans, moved_since_start=moved_since_start)


def moved_between(movements: Iterable[tuple[datetime, int]], start: datetime,
                  end: datetime) -> int:
    """The sum of (timestamp, quantity) movements stamped at or after start and before end."""
    return sum(q for at, q in movements if start <= at < end)


# --- the variance list ---------------------------------------------------------------------


@dataclass(frozen=True)
class VarianceLine:
    """A line as the owner sees it before approving: the difference and what it is worth."""

    sku: str
    location: str
    expected: int
    counted: int | None  # as counted; None when it was not
    variance: int  # found - expected: negative is short, positive is over
    value: Money  # variance x unit cost
    taken_as_zero: bool  # not counted, and the check counts that as none found
    recount: bool  # the difference is big enough that a second count is advised
    explanation: str
    product_id: int | None = None
    location_id: int | None = None

    @property
    def left_out(self) -> bool:
        return self.counted is None and not self.taken_as_zero

    @property
    def found(self) -> int:
        """What the bin is taken to hold after approval."""
        return self.expected + self.variance


@dataclass(frozen=True)
class VarianceList:
    lines: tuple[VarianceLine, ...]
    net_value: tuple[Money, ...]  # per currency, by code: over less short
    units_short: int
    units_over: int
    left_out: int  # lines not counted and left as recorded

    @property
    def differences(self) -> tuple[VarianceLine, ...]:
        return tuple(v for v in self.lines if v.variance)


def _worth(value: Money) -> str:
    return f"worth {value}"


def _since(moved: int) -> str:
    if moved > 0:
        return f", {moved} in since"
    if moved < 0:
        return f", {-moved} out since"
    return ""


def _over_threshold(variance: int, value: Money, units: int | None,
                    money: Money | None) -> bool:
    if units is not None and abs(variance) > units:
        return True
    return money is not None and value.currency == money.currency \
        and abs(value.minor) > money.minor


def variance_line(line: CountLine, *, uncounted: Uncounted,
                  recount_over_units: int | None = None,
                  recount_over_value: Money | None = None) -> VarianceLine:
    """One line's difference and value, and whether to count it again before approving.

    A recount is advised when the difference is more than `recount_over_units` units or
    worth more than `recount_over_value` (compared in that currency only).
    """
    expected = line.expected
    working = (f"expected {expected} ({line.level_at_start} at the start of the check"
               f"{_since(line.moved_since_start)})")
    if line.counted is None and uncounted is Uncounted.LEAVE_OUT:
        return VarianceLine(line.sku, line.location, expected, None, 0,
                            Money(0, line.unit_cost.currency), False, False,
                            f"Not counted: left at {expected} as recorded.",
                            line.product_id, line.location_id)
    found = 0 if line.counted is None else line.counted
    variance = found - expected
    value = line.unit_cost * variance
    if line.counted is None:
        said = f"Not counted, so taken as none found; {working}"
    else:
        said = f"Counted {found}; {working}"
    if variance == 0:
        explanation = f"{said}: no difference."
    else:
        how = f"{-variance} short" if variance < 0 else f"{variance} over"
        explanation = f"{said}: {how}, {_worth(value)}."
    recount = line.counted is not None and _over_threshold(
        variance, value, recount_over_units, recount_over_value)
    if recount:
        explanation += " Count it again before approving."
    return VarianceLine(line.sku, line.location, expected, line.counted, variance, value,
                        line.counted is None, recount, explanation,
                        line.product_id, line.location_id)


def variance_list(lines: Iterable[CountLine], *, uncounted: Uncounted,
                  recount_over_units: int | None = None,
                  recount_over_value: Money | None = None) -> VarianceList:
    """The check's lines with their differences, by bin then SKU, and the totals."""
    out = sorted((variance_line(c, uncounted=uncounted, recount_over_units=recount_over_units,
                                recount_over_value=recount_over_value) for c in lines),
                 key=lambda v: (v.location, v.sku))
    net: dict[str, int] = {}
    for v in out:
        net[v.value.currency] = net.get(v.value.currency, 0) + v.value.minor
    return VarianceList(
        lines=tuple(out),
        net_value=tuple(Money(minor, cur) for cur, minor in sorted(net.items())),
        units_short=sum(-v.variance for v in out if v.variance < 0),
        units_over=sum(v.variance for v in out if v.variance > 0),
        left_out=sum(1 for v in out if v.left_out),
    )


# --- approval ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """A count movement to book on approval: the signed quantity at one bin."""

    sku: str
    location: str
    quantity: int
    reason: MovementReason
    reference: str
    note: str
    product_id: int | None = None
    location_id: int | None = None


def adjustments(approved: Iterable[VarianceLine], *, reference: str) -> tuple[Adjustment, ...]:
    """The movements that make recorded stock equal what was found, one per difference.

    Booking `quantity` leaves the bin at counted plus whatever moved after it was counted.
    """
    return tuple(
        Adjustment(v.sku, v.location, v.variance, MovementReason.COUNT, reference,
                   f"Stock check {reference}: expected {v.expected}, found {v.found}.",
                   v.product_id, v.location_id)
        for v in approved if v.variance
    )


# --- which bins to count next --------------------------------------------------------------


@dataclass(frozen=True)
class BinToCount:
    location: str
    walk_sequence: int
    last_counted_at: datetime | None
    active: bool = True
    location_id: int | None = None


def bins_due(bins: Iterable[BinToCount], how_many: int) -> tuple[BinToCount, ...]:
    """The rolling count: the `how_many` least recently counted active bins, in walk order.

    Never-counted bins come first, then the oldest count; ties go by walk sequence. The
    chosen bins come back in walk order so one walk counts them all.
    """
    if how_many < 0:
        raise DomainError(f"Cannot count {how_many} bins; choose 0 or more.")
    active = [b for b in bins if b.active]
    never = sorted((b for b in active if b.last_counted_at is None),
                   key=lambda b: (b.walk_sequence, b.location))
    counted = sorted((b for b in active if b.last_counted_at is not None),
                     key=lambda b: (b.last_counted_at, b.walk_sequence, b.location))
    chosen = (never + counted)[:how_many]
    return tuple(sorted(chosen, key=lambda b: (b.walk_sequence, b.location)))
