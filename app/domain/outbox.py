"""The e-mail outbox's rules: what state a message is in, and when a failed one is tried again."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


# A message waits (queued, or failed until its next try), is claimed for one send, and ends
# sent; a failure puts it back to wait. Nothing but a successful send takes it out.
WAITING = (OutboxStatus.QUEUED, OutboxStatus.FAILED)

# A claim older than this is taken to belong to a sender that died mid-send (the SMTP
# timeout is 10 s), so the message is tried again rather than stuck for ever.
CLAIM_EXPIRES = timedelta(minutes=5)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 1, 2, 4, 8 ... min, at most 1 h."""
    if attempts < 1:
        return timedelta(0)
    if attempts > 7:  # 2**6 min is past the cap already
        return LONGEST_WAIT
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
