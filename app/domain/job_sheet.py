"""Job sheet rules: the status words a supplier may write, and the steps a task takes to get
from where it is to the status written on the sheet."""

from __future__ import annotations

from app.domain.errors import DomainError
from app.domain.statuses import TaskStatus, check_transition, label

T = TaskStatus

# The words of the "New status" dropdown, in the order of a task's life.
STATUS_WORDS: dict[str, TaskStatus] = {
    "Accepted": T.ACCEPTED, "In production": T.IN_PRODUCTION, "Produced": T.PRODUCED,
    "Shipped": T.SHIPPED, "Done": T.DONE, "Rejected": T.REJECTED,
}
_BY_KEY = {w.casefold(): s for w, s in STATUS_WORDS.items()}
# A task's life from assigned to done; a sheet may jump forward along it.
LIFE = (T.ASSIGNED, T.ACCEPTED, T.IN_PRODUCTION, T.PRODUCED, T.SHIPPED, T.DONE)


def status_from_word(word: str) -> TaskStatus | None:
    """'In production', 'in_production', ' IN-PRODUCTION ' -> in production; None if unknown."""
    key = " ".join(word.replace("_", " ").replace("-", " ").split()).casefold()
    return _BY_KEY.get(key)


def steps(current: TaskStatus, wanted: TaskStatus, via_shipped: bool) -> tuple[TaskStatus, ...]:
    """The statuses a task passes through, in order, to get from current to wanted.

    A forward jump along the life (assigned -> in production) takes every step between, each
    checked against the transition table; produced -> done skips shipped unless the sheet
    gives a carrier or tracking number (via_shipped). Going back, or on from a closed task,
    raises.
    """
    if wanted == current:
        return ()
    if current in LIFE and wanted in LIFE:
        i, j = LIFE.index(current), LIFE.index(wanted)
        if j < i:
            raise DomainError(f"it is already {label(current).lower()}; it cannot go back to "
                              f"{label(wanted).lower()}.")
        path = list(LIFE[i + 1:j + 1])
        if wanted == T.DONE and not via_shipped and T.SHIPPED in path:
            path.remove(T.SHIPPED)
        here = current
        for step in path:
            check_transition(here, step)
            here = step
        return tuple(path)
    check_transition(current, wanted)
    return (wanted,)
