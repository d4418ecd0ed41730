"""The e-mail outbox: messages are queued in the caller's transaction and sent later.

`send_due` claims one due message at a time in its own short transaction, sends it with no
transaction open, then records the outcome. A failure keeps the message, says why, and sets
its next try (1, 2, 4 ... minutes, at most an hour apart); only a successful send ends it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db.models import OutboxEmail
from app.domain.errors import DomainError
from app.domain.outbox import CLAIM_EXPIRES, WAITING, OutboxStatus, retry_delay
from app.notify.templates import SUBJECT_MAX

ADDRESS_MAX = 254


class SendError(Exception):
    """A message could not be sent; the text says why in words.

    `affects_all` is set when every other message would fail the same way (the server is
    down, the password is wrong), so a run stops rather than trying each one.
    """

    def __init__(self, message: str, *, affects_all: bool = False):
        super().__init__(message)
        self.affects_all = affects_all


class Transport(Protocol):
    def send(self, to: str, subject: str, body: str,
             attachments: Sequence[str] = ()) -> None:
        """Deliver one message (with the files named) or raise SendError."""


@dataclass(frozen=True)
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0
    problem: str | None = None  # the last failure's words
    stopped_early: bool = False  # the rest were left for the next run (server down...)


def address_problem(address: str) -> str | None:
    """Why a string is not a usable e-mail address, or None if it is one."""
    a = address.strip()
    if not a:
        return "No e-mail address was given."
    local, at, domain = a.rpartition("@")
    if (not at or not local or "." not in domain or domain.startswith(".")
            or domain.endswith(".") or any(c.isspace() or c in "<>,;\"" for c in a)
            or len(a) > ADDRESS_MAX):
        return f"“{a}” is not an e-mail address."
    return None


def queue_email(session: Session, *, to: str, subject: str, body: str,
                attachments: Sequence[str | Path] = ()) -> OutboxEmail:
    """Add a message to the outbox in the caller's transaction; the sender picks it up later
    (with the files named, read from disk when it is sent)."""
    problem = address_problem(to)
    if problem:
        raise DomainError(problem)
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    row = OutboxEmail(to_address=to.strip(), subject=subject, body=body,
                      status=str(OutboxStatus.QUEUED), attempts=0,
                      attachments=[str(Path(p)) for p in attachments])
    session.add(row)
    return row


def is_due(now: datetime):  # type: ignore[no-untyped-def]
    """Waiting messages whose time has come, and claims that ran out."""
    return (OutboxEmail.status.in_([str(s) for s in (*WAITING, OutboxStatus.SENDING)]),
            or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now))


def due_count(session: Session, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    return int(session.scalar(select(func.count(OutboxEmail.id)).where(*is_due(now))) or 0)


def _claim(session: Session, now: datetime
           ) -> tuple[int, str, str, str, int, list[str]] | None:
    """Take the oldest due message for this run, in one statement, so no two runs share it."""
    oldest = (select(OutboxEmail.id).where(*is_due(now)).order_by(OutboxEmail.id).limit(1)
              .scalar_subquery())
    row = session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == oldest, *is_due(now))
        .values(status=str(OutboxStatus.SENDING), next_attempt_at=now + CLAIM_EXPIRES)
        .returning(OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject,
                   OutboxEmail.body, OutboxEmail.attempts, OutboxEmail.attachments)
        .execution_options(synchronize_session=False)).one_or_none()
    session.commit()
    return None if row is None else (row[0], row[1], row[2], row[3], row[4],
                                     list(row[5] or []))


def _record(sessions: Callable[[], Session], message_id: int, **values: object) -> None:
    """Write a send's outcome; a busy database is waited for, since the mail has gone."""
    for attempt in range(5):
        try:
            with sessions() as s:
                s.execute(update(OutboxEmail)
                          .where(OutboxEmail.id == message_id,
                                 OutboxEmail.status == str(OutboxStatus.SENDING))
                          .values(attempts=OutboxEmail.attempts + 1, **values)
                          .execution_options(synchronize_session=False))
                s.commit()
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))


def send_due(sessions: Callable[[], Session], transport: Transport,
             now: datetime | Callable[[], datetime] | None = None, *, limit: int = 100,
             cancelled: Callable[[], bool] = lambda: False) -> SendReport:
    """Send the messages that are due, oldest first, one at a time; never loses one.

    `now` fixes the clock (a time, or a function giving it); by default it is the real time.
    """
    def clock() -> datetime:
        if now is None:
            return datetime.now(UTC)
        return now() if callable(now) else now

    sent = failed = 0
    problem: str | None = None
    for _ in range(limit):
        if cancelled():
            break
        with sessions() as s:
            claimed = _claim(s, clock())
        if claimed is None:
            break
        message_id, to, subject, body, tried, files = claimed
        try:
            transport.send(to, subject, body, files)
        except Exception as exc:
            affects_all = isinstance(exc, SendError) and exc.affects_all
            problem = str(exc) if isinstance(exc, SendError) else (
                f"Sending failed unexpectedly: {exc}")
            failed += 1
            _record(sessions, message_id, status=str(OutboxStatus.FAILED), error=problem,
                    next_attempt_at=clock() + retry_delay(tried + 1))
            if affects_all:
                return SendReport(sent, failed, problem, stopped_early=True)
            continue
        sent += 1
        _record(sessions, message_id, status=str(OutboxStatus.SENT), sent_at=clock(),
                error=None, next_attempt_at=None)
    return SendReport(sent, failed, problem)
