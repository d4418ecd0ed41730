"""When the print queue tries a failed job again: a pure schedule, by what went wrong.

A printer that is off or unreachable is tried again after 15 s, 30 s, 1 min ... up to every
15 min; one that is out of labels or paused is looked at every minute or two, since a
person is fixing it. A job that may have printed, or a printer whose settings cannot work,
is not retried by itself: a person decides.
"""

from __future__ import annotations

from datetime import timedelta

from app.printing.errors import PrinterErrorKind

Kind = PrinterErrorKind
FIRST_RETRY = timedelta(seconds=15)
LONGEST_WAIT = timedelta(minutes=15)
ATTENDED_RETRY = timedelta(minutes=1)  # out of paper, paused, head open
ATTENDED_LONGEST = timedelta(minutes=2)
NOT_BY_ITSELF = (Kind.SETUP,)


def retry_delay(attempts: int, kind: PrinterErrorKind | str = Kind.UNKNOWN,
                may_have_printed: bool = False) -> timedelta | None:
    """How long to wait after the `attempts`-th failed try, or None to wait for a person.

    >>> retry_delay(1, "timeout"), retry_delay(3, "unreachable")
    (datetime.timedelta(seconds=15), datetime.timedelta(seconds=60))
    """
    kind = Kind(kind)
    if may_have_printed or kind in NOT_BY_ITSELF:
        return None
    if attempts < 1:
        return timedelta(0)
    if kind in (Kind.OUT_OF_PAPER, Kind.NOT_READY):
        return ATTENDED_RETRY if attempts < 3 else ATTENDED_LONGEST
    if attempts > 10:  # 15 s * 2**9 is past the cap already
        return LONGEST_WAIT
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def schedule(tries: int, kind: PrinterErrorKind | str = Kind.UNKNOWN) -> list[timedelta]:
    """The waits after each of the first `tries` failures, e.g. to show 'next try in ...'."""
    return [delay for n in range(1, tries + 1)
            if (delay := retry_delay(n, kind)) is not None]
