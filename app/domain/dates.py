"""Days as people write them in messages, e-mails and labels: '21 Aug 2026'."""

from __future__ import annotations

from datetime import UTC, date, datetime


def day_words(value: date | datetime) -> str:
    """'21 Aug 2026'; a stored time (UTC when it says nothing) as the day it was here."""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone().date()
    return f"{value.day} {value:%b %Y}"
