"""When the outbox tries a failed message again."""

from __future__ import annotations

from datetime import timedelta

from app.domain.outbox import retry_delay


def test_retries_wait_1_2_4_minutes_and_so_on():
    assert [retry_delay(n) for n in (1, 2, 3, 4, 5, 6)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32)]


def test_retries_never_wait_more_than_an_hour():
    assert retry_delay(7) == timedelta(hours=1)
    assert retry_delay(1000) == timedelta(hours=1)


def test_a_message_never_tried_waits_for_nothing():
    assert retry_delay(0) == timedelta(0)
