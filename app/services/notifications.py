"""Notifications and e-mail: the notification list, the outbox, SMTP settings and templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import Notification, OutboxEmail
from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.outbox import OutboxStatus
from app.notify import outbox
from app.notify.outbox import SendError, SendReport
from app.notify.settings import store_template, template_overrides
from app.notify.smtp import (
    SmtpSettings,
    SmtpTransport,
    load_smtp_settings,
    settings_problems,
    store_password,
    store_smtp_settings,
    stored_password,
    transport_for,
)
from app.notify.templates import KINDS, PLACEHOLDERS, Template, preview, validate
from app.services.access import requires, viewer_of
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.uow import UnitOfWork

__all__ = ["SendReport", "SmtpSettings"]

NOT_SET_UP = "E-mail is not set up yet: enter your mail server in Settings > E-mail…."


# --- the notification list ----------------------------------------------------------------


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None
    entity: str | None
    entity_id: int | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _for(session: Session):  # type: ignore[no-untyped-def]
    """Whose notices the signed-in person reads: the workshop's own list and their own; a
    supplier only its own (never the shop's)."""
    viewer = viewer_of(session)
    if viewer is not None and viewer.is_supplier:
        return Notification.for_user_id == viewer.user_id  # no account: nothing at all
    if viewer is None or viewer.user_id is None:
        return Notification.for_user_id.is_(None)
    return or_(Notification.for_user_id == viewer.user_id, Notification.for_user_id.is_(None))


def notification_list(session: Session, limit: int = 200) -> tuple[NotificationView, ...]:
    """The newest notifications first."""
    rows = session.execute(
        select(Notification.id, Notification.kind, Notification.title, Notification.body,
               Notification.created_at, Notification.read_at, Notification.entity,
               Notification.entity_id)
        .where(_for(session)).order_by(Notification.id.desc()).limit(limit))
    return tuple(NotificationView(*r) for r in rows)


def unread_count(session: Session) -> int:
    return int(session.scalar(select(func.count(Notification.id))
                              .where(_for(session), Notification.read_at.is_(None))) or 0)


def mark_read(uow: UnitOfWork, ids: Iterable[int]) -> Changes:
    ids = list(ids)
    with uow:
        if ids:
            uow.session.execute(update(Notification)
                                .where(Notification.id.in_(ids), _for(uow.session),
                                       Notification.read_at.is_(None))
                                .values(read_at=datetime.now(UTC)))
        uow.commit()
    return uow.changes


def mark_all_read(uow: UnitOfWork) -> Changes:
    with uow:
        uow.session.execute(update(Notification)
                            .where(_for(uow.session), Notification.read_at.is_(None))
                            .values(read_at=datetime.now(UTC)))
        uow.commit()
    return uow.changes


# --- the outbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    id: int
    to: str
    subject: str
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None


OUTBOX = Listing(
    sort_keys={"created": OutboxEmail.id, "to": OutboxEmail.to_address,
               "subject": OutboxEmail.subject, "status": OutboxEmail.status,
               "attempts": OutboxEmail.attempts},
    default_sort="created",
    default_descending=True,
    tiebreak=OutboxEmail.id,
)
UNSENT = "unsent"  # a status filter: everything not sent yet

_OUTBOX_COLUMNS = (OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject,
                   OutboxEmail.status, OutboxEmail.attempts, OutboxEmail.error,
                   OutboxEmail.created_at, OutboxEmail.sent_at, OutboxEmail.next_attempt_at)


def _outbox_where(req: PageRequest) -> list:  # type: ignore[type-arg]
    conds = []
    status = req.filter("status")
    if status == UNSENT:
        conds.append(OutboxEmail.status != str(OutboxStatus.SENT))
    elif status:
        conds.append(OutboxEmail.status == status)
    text = req.search.strip()
    if text:
        like = f"%{text}%"
        conds.append(or_(OutboxEmail.to_address.ilike(like), OutboxEmail.subject.ilike(like)))
    return conds


@requires(Can.SEE_ALL_TASKS)
def outbox_page(session: Session, req: PageRequest) -> Page[OutboxRow]:
    """The outbox, newest first: to, subject, status, tries, the last error, when."""
    stmt = select(*_OUTBOX_COLUMNS).where(*_outbox_where(req))
    return keyset_page(session, stmt, OUTBOX, req, lambda r: OutboxRow(*r[:9]))


@requires(Can.SEE_ALL_TASKS)
def outbox_count(session: Session, req: PageRequest) -> int:
    return int(session.scalar(select(func.count(OutboxEmail.id))
                              .where(*_outbox_where(req))) or 0)


@requires(Can.SEE_ALL_TASKS)
def outbox_summary(session: Session) -> dict[str, int]:
    """How many messages are in each status."""
    return {status: n for status, n in session.execute(
        select(OutboxEmail.status, func.count(OutboxEmail.id)).group_by(OutboxEmail.status))}


def outbox_ready(session: Session, now: datetime | None = None) -> bool:
    """Whether the sender has anything to do: e-mail is set up and a message is due."""
    return load_smtp_settings(session) is not None and outbox.due_count(session, now) > 0


@requires(Can.SEE_ALL_TASKS)
def retry_now(uow: UnitOfWork, ids: Iterable[int]) -> Changes:
    """Try these messages again at the next send rather than waiting for their turn."""
    ids = list(ids)
    with uow:
        done = uow.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_(ids),
                   OutboxEmail.status.in_([str(OutboxStatus.FAILED), str(OutboxStatus.QUEUED)]))
            .values(status=str(OutboxStatus.QUEUED), next_attempt_at=None)
            .execution_options(synchronize_session=False)).rowcount
        if ids and not done:
            raise DomainError("Those messages were already sent (or are being sent right now); "
                              "there is nothing to try again.")
        uow.commit()
    return uow.changes


@requires(Can.SEE_ALL_TASKS)
def send_all_now(uow: UnitOfWork) -> int:
    """Outbox > Send now: every message still to go, failed ones too, is due at once rather
    than at its next try. How many that is."""
    with uow:
        due = uow.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.status.in_([str(OutboxStatus.FAILED), str(OutboxStatus.QUEUED)]))
            .values(status=str(OutboxStatus.QUEUED), next_attempt_at=None)
            .execution_options(synchronize_session=False)).rowcount
        uow.commit()
    return int(due or 0)


class _Unusable:
    """Stands in for a transport that could not be made, so every try says why."""

    def __init__(self, problem: str):
        self.problem = problem

    def send(self, to: str, subject: str, body: str,
             attachments: Sequence[str] = ()) -> None:
        raise SendError(self.problem, affects_all=True)


def deliver_outbox(sessions: Callable[[], Session], *, now: datetime | None = None,
                   cancelled: Callable[[], bool] = lambda: False) -> SendReport:
    """Send what is due over the saved SMTP server (run off the GUI thread)."""
    with sessions() as s:
        settings = load_smtp_settings(s)
    if settings is None:
        return SendReport(problem=NOT_SET_UP)
    transport: outbox.Transport
    try:
        transport = transport_for(settings)
    except DomainError as exc:
        transport = _Unusable(str(exc))
    return outbox.send_due(sessions, transport, now, cancelled=cancelled)


# --- SMTP settings ------------------------------------------------------------------------


@requires(Can.CHANGE_SETTINGS)
def smtp_settings(session: Session) -> SmtpSettings | None:
    return load_smtp_settings(session)


def password_stored(username: str) -> bool:
    """Whether the keyring holds a password for this user name (raises if there is none)."""
    return bool(username) and stored_password(username) is not None


def _cleaned(settings: SmtpSettings) -> SmtpSettings:
    return replace(settings, host=settings.host.strip(), username=settings.username.strip(),
                   from_address=settings.from_address.strip(),
                   owner_address=settings.owner_address.strip())


@requires(Can.CHANGE_SETTINGS)
def save_smtp_settings(uow: UnitOfWork, settings: SmtpSettings,
                       password: str | None = None) -> Changes:
    """Save the mail server; a password given goes to the system keyring, never the database."""
    settings = _cleaned(settings)
    problems = settings_problems(settings)
    if password and not settings.username:
        problems.append("Enter the user name that the password belongs to.")
    if problems:
        raise DomainError("\n".join(problems))
    with uow:
        store_smtp_settings(uow.session, settings)
        if password:
            store_password(settings.username, password)
        uow.commit()
    return uow.changes


def send_test_email(settings: SmtpSettings, password: str | None, to: str) -> str:
    """Send one message now with these settings (saved or not); say what happened."""
    settings = _cleaned(settings)
    problems = settings_problems(settings)
    problem = outbox.address_problem(to)
    if problem:
        problems.append(f"Test address: {problem}")
    if problems:
        raise DomainError("\n".join(problems))
    if not password and settings.username:
        password = stored_password(settings.username)
    transport = SmtpTransport(settings, password or None)
    tls = "on" if settings.starttls else "off"
    try:
        transport.send(to.strip(), "Backroom test e-mail",
                       "This is a test from Backroom's e-mail settings.\n\n"
                       f"Server: {settings.server} (STARTTLS {tls})\n"
                       f"Sender: {settings.from_address}\n\n"
                       "If you can read this, Backroom can send your notices.")
    except SendError as exc:
        raise DomainError(str(exc)) from None
    return f"Sent a test e-mail to {to.strip()} through {settings.server}."


# --- message templates --------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateView:
    kind: str
    title: str
    audience: str
    subject: str
    body: str
    edited: bool  # the owner changed it from the built-in text
    builtin_subject: str
    builtin_body: str
    placeholders: tuple[tuple[str, str], ...]  # name, what it stands for


@dataclass(frozen=True)
class TemplateCheck:
    problems: tuple[str, ...]
    subject: str  # the preview, filled with sample values (empty when there are problems)
    body: str


def template_kinds() -> tuple[tuple[str, str], ...]:
    return tuple((k.name, k.title) for k in KINDS.values())


@requires(Can.CHANGE_SETTINGS)
def template_view(session: Session, kind: str) -> TemplateView:
    k = KINDS[kind]
    edited = template_overrides(session).get(kind)
    shown = edited or k.builtin
    return TemplateView(kind, k.title, str(k.audience), shown.subject, shown.body,
                        edited is not None, k.builtin.subject, k.builtin.body,
                        tuple((p, PLACEHOLDERS[p]) for p in k.placeholders))


def check_template(kind: str, subject: str, body: str) -> TemplateCheck:
    """What is wrong with an edit, and how it reads with sample values (for the live preview)."""
    problems = tuple(validate(kind, subject, body))
    if problems:
        return TemplateCheck(problems, "", "")
    shown = preview(kind, subject, body)
    return TemplateCheck((), shown.subject, shown.body)


@requires(Can.CHANGE_SETTINGS)
def save_template(uow: UnitOfWork, kind: str, subject: str, body: str) -> Changes:
    """Keep the owner's text for a kind of message; refused in words if it would not work."""
    if kind not in KINDS:
        raise DomainError(f"There is no kind of message called {kind!r}.")
    problems = validate(kind, subject, body)
    if problems:
        raise DomainError("The template was not saved. " + " ".join(problems))
    with uow:
        store_template(uow.session, kind, Template(subject, body))
        uow.commit()
    return uow.changes


@requires(Can.CHANGE_SETTINGS)
def reset_template(uow: UnitOfWork, kind: str) -> Changes:
    """Go back to the built-in text for a kind of message."""
    with uow:
        store_template(uow.session, kind, None)
        uow.commit()
    return uow.changes
