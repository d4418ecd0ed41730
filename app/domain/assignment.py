"""Which supplier gets a task: in turn, fewest open tasks, or by weight; plain rules, no I/O.

The service loads the category's suppliers as candidates plus the last turn it stored,
asks `choose_supplier`, and stores `next_rotation` back, so the rotation survives restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from app.domain.errors import DomainError


class Strategy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"
    WEIGHTED = "weighted"


DEFAULT_STRATEGY = Strategy.ROUND_ROBIN

STRATEGY_LABELS = {
    Strategy.ROUND_ROBIN: "Round robin (each supplier in turn)",
    Strategy.LEAST_OPEN: "Least open tasks",
    Strategy.WEIGHTED: "Weighted (shares set per supplier)",
}


def strategy_from_setting(value: str | None) -> Strategy:
    """A category's stored setting as a Strategy; blank means the default, round robin."""
    if value is None or not value.strip():
        return DEFAULT_STRATEGY
    try:
        return Strategy(value.strip())
    except ValueError:
        allowed = ", ".join(s.value for s in Strategy)
        raise DomainError(
            f"{value!r} is not a way of choosing suppliers. Use one of: {allowed}."
        ) from None


@dataclass(frozen=True)
class Candidate:
    """A supplier serving the category, with what the choice needs to know about it now."""

    supplier_id: int
    name: str
    active: bool = True
    open_tasks: int = 0
    capacity: int | None = None  # most open tasks at once; None = no limit
    weight: int = 1
    assigned_total: int = 0  # tasks ever given to it in this category (for weighted)

    def __post_init__(self) -> None:
        if isinstance(self.weight, bool) or not isinstance(self.weight, int) or self.weight < 1:
            raise DomainError(
                f"{self.name}'s weight must be a whole number of 1 or more; it is {self.weight}."
            )
        if self.capacity is not None and self.capacity < 0:
            raise DomainError(
                f"{self.name}'s capacity cannot be negative ({self.capacity}). "
                "Leave it empty for no limit."
            )
        if self.open_tasks < 0 or self.assigned_total < 0:
            raise ValueError(f"{self.name}: task counts cannot be negative")

    @property
    def at_capacity(self) -> bool:
        return self.capacity is not None and self.open_tasks >= self.capacity


@dataclass(frozen=True)
class Choice:
    """Who gets the task (None: nobody can, and `reason` says why) and the turn to store."""

    supplier_id: int | None
    reason: str
    next_rotation: int | None

    @property
    def assigned(self) -> bool:
        return self.supplier_id is not None


# Why a candidate cannot take this task, most specific first.
_TURNED_DOWN, _PAUSED, _FULL = "turned_down", "paused", "full"


def obstacle(candidate: Candidate, exclude: Iterable[int] = ()) -> str | None:
    """None if the supplier can take the task, else 'turned_down', 'paused' or 'full'."""
    if candidate.supplier_id in exclude:
        return _TURNED_DOWN
    if not candidate.active:
        return _PAUSED
    if candidate.at_capacity:
        return _FULL
    return None


def is_eligible(candidate: Candidate, exclude: Iterable[int] = ()) -> bool:
    return obstacle(candidate, exclude) is None


def rotation_order(candidates: Iterable[Candidate], last_supplier_id: int | None
                   ) -> list[Candidate]:
    """By supplier id, starting just after the last turn; an unknown last id still works."""
    ordered = sorted(candidates, key=lambda c: c.supplier_id)
    if last_supplier_id is None:
        return ordered
    after = [c for c in ordered if c.supplier_id > last_supplier_id]
    return after + [c for c in ordered if c.supplier_id <= last_supplier_id]


def choose_supplier(strategy: Strategy | str, candidates: Sequence[Candidate], *,
                    last_supplier_id: int | None, exclude: frozenset[int] = frozenset(),
                    category_name: str) -> Choice:
    """The supplier whose turn it is under the category's strategy; ties go round the rotation.

    `exclude` holds the suppliers that turned this task down. Deterministic: the same
    inputs always give the same choice.
    """
    strategy = Strategy(strategy)
    ids = [c.supplier_id for c in candidates]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"suppliers listed more than once: {twice}")
    eligible = [c for c in rotation_order(candidates, last_supplier_id)
                if is_eligible(c, exclude)]
    if not eligible:
        return Choice(None, _why_nobody(candidates, exclude=exclude, category_name=category_name),
                      last_supplier_id)
    if strategy is Strategy.LEAST_OPEN:
        pick = min(eligible, key=lambda c: c.open_tasks)  # first of equals: rotation order
    elif strategy is Strategy.WEIGHTED:
        pick = min(eligible, key=lambda c: Fraction(c.assigned_total + 1, c.weight))
    else:
        pick = eligible[0]
    return Choice(pick.supplier_id, "", pick.supplier_id)


# --- why nobody can take it, in the owner's words ------------------------------------------

_MAX_NAMES = 3  # a reason lists this many names and counts the rest
REASON_MAX = 300  # the length of supplier_tasks.unassigned_reason; longer ones only count


def _why_nobody(candidates: Sequence[Candidate], *, exclude: frozenset[int],
                category_name: str) -> str:
    """One or two sentences naming the category and what stops each of its suppliers."""
    if not candidates:
        return (f"No supplier serves {category_name}. Add one in the Suppliers tab, "
                "or give an existing supplier this category.")
    ordered = sorted(candidates, key=lambda c: c.supplier_id)
    groups: dict[str, list[Candidate]] = {_FULL: [], _PAUSED: [], _TURNED_DOWN: []}
    for c in ordered:
        groups[obstacle(c, exclude) or _FULL].append(c)
    used = [(kind, group) for kind, group in groups.items() if group]
    if len(used) == 1:
        reason = _all_alike(*used[0], category_name)
    else:
        reason = (f"No supplier of {category_name} can take this task: "
                  + _sentence([_clause(kind, group) for kind, group in used]) + ".")
    if len(reason) <= REASON_MAX:
        return reason
    counts = [_clause(kind, group, counted=True) for kind, group in used]
    return f"No supplier of {category_name} can take this task: {_sentence(counts)}."


def _load(c: Candidate) -> str:
    if c.capacity == 0:
        return "capacity 0"
    tasks = f"{c.open_tasks} open task{'' if c.open_tasks == 1 else 's'}"
    return tasks if c.open_tasks == c.capacity else f"{tasks}, limit {c.capacity}"


def _names(group: list[Candidate], with_load: bool) -> str:
    shown = [f"{c.name} ({_load(c)})" if with_load else c.name for c in group[:_MAX_NAMES]]
    rest = len(group) - len(shown)
    if rest:
        shown.append(f"{rest} other{'' if rest == 1 else 's'}")
    return _sentence(shown)


def _sentence(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _clause(kind: str, group: list[Candidate], counted: bool = False) -> str:
    one = len(group) == 1
    if counted:
        verb = {_TURNED_DOWN: "turned it down", _PAUSED: f"{'is' if one else 'are'} paused",
                _FULL: f"{'is' if one else 'are'} at capacity"}[kind]
        return f"{len(group)} {verb}"
    if kind == _TURNED_DOWN:
        return f"{_names(group, False)} turned this task down"
    if kind == _PAUSED:
        return f"{_names(group, False)} {'is' if one else 'are'} paused"
    if one:
        return f"{group[0].name} is at capacity ({_load(group[0])})"
    return f"{_names(group, True)} are at capacity"


def _all_alike(kind: str, group: list[Candidate], category: str) -> str:
    if len(group) == 1:
        c = group[0]
        what = {_TURNED_DOWN: "turned this task down", _PAUSED: "is paused",
                _FULL: f"is at capacity ({_load(c)})"}[kind]
        return f"{c.name}, the only supplier of {category}, {what}."
    who = "Both" if len(group) == 2 else f"All {len(group)}"
    what = {_TURNED_DOWN: "turned this task down", _PAUSED: "are paused",
            _FULL: f"are at capacity: {_names(group, True)}"}[kind]
    return f"{who} suppliers of {category} {what}."
