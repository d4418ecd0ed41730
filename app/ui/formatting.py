"""How values read on screen: money with its symbol, local dates, status words."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain.money import format_money


def money(minor: int, currency: str) -> str:
    return format_money(minor, currency)


def when(moment: datetime | None) -> str:
    """A stored UTC time in the user's local time, e.g. '24 Nov 2026, 14:05'."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def day(value: date | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


def month(value: date) -> str:
    return f"{value:%B %Y}"


def age(moment: datetime, now: datetime | None = None) -> str:
    """How long something has waited: '45 min', '5 h', '3 days'."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 3600:
        return f"{max(0, int(seconds // 60))} min"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"


def status(value: str) -> str:
    return value.replace("_", " ").capitalize()


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def rate(value: float | None) -> str:
    """A share from 0 to 1 as '85%', or an en dash when there was nothing to measure."""
    return "–" if value is None else f"{value * 100:.0f}%"


def days(value: float | None) -> str:
    """A length of time in days, '4.6 days', or an en dash when there is none."""
    if value is None:
        return "–"
    return "1 day" if value == 1 else f"{value:,.1f} days"
