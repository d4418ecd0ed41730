"""The print queue: every print is a job row, checked before it is queued, sent in the
background, retried when the printer was off, and never silently lost.

A job keeps its records (the label data), not the printer's bytes: the sender renders them
for the printer when it sends. `send_next` marks a job sending and commits before any byte
leaves, so a job caught mid-send by a crash is found at the next start and shown as 'may have
printed' for a person to check, never printed twice by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.config import default_data_dir
from app.db.models import PrintJob
from app.db.settings import get_setting, put_setting
from app.domain.access import Can
from app.domain.errors import DomainError
from app.domain.statuses import PRINT_JOB_TRANSITIONS, PrintJobStatus, label
from app.notify.inapp import notify
from app.printing.backoff import retry_delay
from app.printing.errors import PrinterError, TemplateError
from app.printing.printers import (
    Payload,
    PrinterConfig,
    printer_problems,
    render_for,
    render_labels_for,
)
from app.printing.symbols import place_barcode
from app.printing.templates import LabelTemplate, check_data
from app.printing.transports import transport_for
from app.services import history
from app.services.access import requires
from app.services.context import Backroom
from app.services.label_data import RETURN_ADDRESS_KEY, Record, product_records, task_records
from app.services.printers import Use, find_template, load_workstation, printer_for
from app.services.uow import UnitOfWork

PJ = PrintJobStatus
ENTITY = "print_job"
SENDER = "Backroom"  # who the history says moved a job the sender moved
MAX_LABELS = 10_000  # in one job
INTERRUPTED = ("Backroom stopped while sending; the label may have printed — check, then "
               "Reprint or Cancel")
AUTO_KEY = "print_automatically"
_NAMES = ("sku", "location", "task_sku", "order_number", "name")  # what a label is, in a list


def _from(to: PrintJobStatus) -> list[str]:
    """The statuses a job may go to `to` from (the transition table in domain/statuses)."""
    return [str(s) for s, allowed in PRINT_JOB_TRANSITIONS.items() if to in allowed]


def _where(data_dir: Path | None) -> Path:
    """This computer's data folder (where printers.json is) unless one is given."""
    return Path(data_dir) if data_dir is not None else default_data_dir()


def _name_of(record: Mapping[str, str]) -> str:
    return next((record[k] for k in _NAMES if record.get(k)), "")


def _summary(records: Sequence[Mapping[str, str]]) -> str:
    """'MUG-1, MUG-2, MUG-3 and 4 more': what the job prints, for the queue's list."""
    names = list(dict.fromkeys(n for n in map(_name_of, records) if n))
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:3])} and {len(names) - 3} more"


# --- queueing -----------------------------------------------------------------------------


def _checked(printer: PrinterConfig, template: LabelTemplate,
             records: Sequence[Mapping[str, Any]]) -> list[Record]:
    """The records as text, each checked against the template (and its barcode against its
    box at the printer's resolution); TemplateError naming the label and the field."""
    out: list[Record] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    for number, raw in enumerate(records, 1):
        if not isinstance(raw, Mapping):
            raise DomainError(f"Label {number} has no data to print; nothing was queued.")
        record = {str(k): "" if v is None else str(v) for k, v in raw.items()}
        out.append(record)
        key = tuple(sorted(record.items()))
        if key in seen:
            continue
        seen.add(key)
        try:
            values = check_data(template, record)
            if template.barcode is not None:
                place_barcode(template.barcode, values[template.barcode.key],
                              printer.render_dpi, checked=True)
        except TemplateError as e:
            name = _name_of(record)
            raise TemplateError(f"Label {number}{f' ({name})' if name else ''}: {e} Nothing "
                                "was queued.", field=e.field) from e
    return out


def _queue(session: Session, data_dir: Path, printer_name: str, template_name: str,
           records: Sequence[Mapping[str, Any]], copies: int, start: int, actor: str,
           note: str = "") -> int:
    """Check everything, then add the job; nothing is written unless all of it is right."""
    printer = load_workstation(data_dir).printer(printer_name)
    problems = printer_problems(printer)
    if problems:
        raise DomainError(f"The printer {printer.name!r} is not set up right: "
                          + " ".join(problems) + " Fix it in Settings > Printers.")
    key, template = find_template(data_dir, template_name)
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise DomainError(f"{copies!r} is not a number of copies; print at least one.")
    if isinstance(start, bool) or not isinstance(start, int) or start < 1:
        raise DomainError(f"{start!r} is not a position on the sheet; the first is 1.")
    if not records:
        raise DomainError("There is nothing to print: no labels were chosen.")
    labels = len(records) * copies
    if labels > MAX_LABELS:
        raise DomainError(f"That is {labels:,} labels; print at most {MAX_LABELS:,} at a time.")
    checked = _checked(printer, template, records)
    now = datetime.now(UTC)
    job = PrintJob(printer=printer.name, template=key, copies=copies, status=str(PJ.QUEUED),
                   attempts=0, created_at=now, updated_at=now,
                   data={"records": checked, "start": start, "labels": labels,
                         "summary": _summary(checked)})
    session.add(job)
    session.flush()
    history.record(session, ENTITY, job.id, None, str(PJ.QUEUED), actor,
                   note or f"{labels} label{'s' if labels != 1 else ''} on {printer.name}")
    return job.id


@requires(Can.SEE_INVENTORY)
def queue_labels(uow: UnitOfWork, printer_name: str, template_name: str,
                 records: Sequence[Mapping[str, Any]], copies: int = 1, start: int = 1, *,
                 data_dir: Path | None = None) -> int:
    """Queue one label per record (each `copies` times) on a printer of this computer; the
    job's id. Printer, template and every record are checked first: bad data is refused in
    words and never reaches the queue. `start` is the first position on a sheet of labels."""
    with uow:
        job_id = _queue(uow.session, _where(data_dir), printer_name, template_name, records,
                        copies, start, uow.actor)
        uow.commit()
    return job_id


@requires(Can.SEE_INVENTORY)
def queue_for_use(uow: UnitOfWork, use: Use | str, records: Sequence[Mapping[str, Any]],
                  copies: int = 1, start: int = 1, *, data_dir: Path | None = None) -> int:
    """Queue labels on the printer and template this computer prints `use` with."""
    where = _where(data_dir)
    printer, template = printer_for(where, use)
    with uow:
        job_id = _queue(uow.session, where, printer.name, template, records, copies, start,
                        uow.actor)
        uow.commit()
    return job_id


# --- the sender ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    """What one call of the sender did with one job."""

    job_id: int
    printer: str
    status: str  # printed, waiting or may_have_printed
    labels: int
    error: str | None = None
    next_attempt_at: datetime | None = None  # waiting: when it is tried again (None: a person)


def _due(moment: datetime):  # type: ignore[no-untyped-def]
    return or_(PrintJob.status == str(PJ.QUEUED),
               and_(PrintJob.status == str(PJ.WAITING), PrintJob.next_attempt_at.is_not(None),
                    PrintJob.next_attempt_at <= moment))


def _render(printer: PrinterConfig, template: LabelTemplate, records: list[Record],
            copies: int, start: int) -> bytes:
    """The job's bytes for this printer; a ZPL printer makes the copies itself (^PQ)."""
    if printer.payload is Payload.ZPL and copies > 1:
        return b"".join(render_for(printer, template, r, copies) for r in records)
    if len(records) == 1:
        return render_for(printer, template, records[0], copies, start)
    return render_labels_for(printer, template, [r for r in records for _ in range(copies)],
                             start)


def _write(backroom: Backroom, job_id: int, seen: str, to: PrintJobStatus, note: str,
           **values: Any) -> bool:
    """Move a job on from `seen` (only if nobody moved it meanwhile), with its history line;
    a busy database is waited for, since what happened at the printer cannot be undone."""
    for attempt in range(5):
        try:
            with backroom.sessions() as s:
                moved = s.execute(
                    update(PrintJob).where(PrintJob.id == job_id, PrintJob.status == seen)
                    .values(status=str(to), updated_at=datetime.now(UTC), **values)
                    .execution_options(synchronize_session=False)).rowcount
                if moved:
                    history.record(s, ENTITY, job_id, seen, str(to), SENDER, note)
                s.commit()
            return bool(moved)
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    return False


def send_next(backroom: Backroom,
              printers: Sequence[PrinterConfig] | Callable[[], Sequence[PrinterConfig]],
              now: datetime | None = None) -> SendResult | None:
    """Send the oldest due job for one of `printers` (this computer's); None when none is due.

    Run off the GUI thread, over and over. The labels are rendered first (a job whose labels
    cannot be made waits for a person), then the job is marked sending and committed, then
    sent: printed; waiting for its next try when the printer could not take it; or 'may have
    printed', never retried by itself, when it failed with bytes already gone.
    """
    configs = {p.name: p for p in (printers() if callable(printers) else printers)}
    if not configs:
        return None
    moment = now or datetime.now(UTC)
    for _ in range(10):  # another sender may take the job first; then try the next one
        with backroom.sessions() as s:
            job = s.execute(
                select(PrintJob.id, PrintJob.printer, PrintJob.template, PrintJob.data,
                       PrintJob.copies, PrintJob.status, PrintJob.attempts)
                .where(_due(moment), PrintJob.printer.in_(list(configs)))
                .order_by(PrintJob.id).limit(1)).first()
        if job is None:
            return None
        printer = configs[job.printer]
        data = job.data if isinstance(job.data, dict) else {}
        records = list(data.get("records") or [])
        labels = int(data.get("labels") or len(records) * job.copies)
        try:
            template = find_template(backroom.config.data_dir, job.template)[1]
            payload = _render(printer, template, records, job.copies, int(data.get("start", 1)))
        except (DomainError, PrinterError, ValueError) as e:
            return _cannot_make(backroom, job, labels, f"The labels could not be made: {e}")
        except Exception as e:  # a bug must not stop the queue behind this job
            return _cannot_make(backroom, job, labels,
                                f"The labels could not be made ({type(e).__name__}: {e}).")
        if not _write(backroom, job.id, job.status, PJ.SENDING, f"to {printer.name}"):
            continue
        return _send(backroom, job.id, printer, payload, job.attempts + 1, labels, moment)
    return None


def _cannot_make(backroom: Backroom, job: Any, labels: int, error: str) -> SendResult:
    _write(backroom, job.id, job.status, PJ.WAITING, error, error=error, next_attempt_at=None)
    return SendResult(job.id, job.printer, str(PJ.WAITING), labels, error)


def _send(backroom: Backroom, job_id: int, printer: PrinterConfig, payload: bytes,
          attempts: int, labels: int, moment: datetime) -> SendResult:
    sending = str(PJ.SENDING)
    try:
        transport_for(printer).send(payload)
    except PrinterError as e:
        error = str(e)
        if e.may_have_printed:
            _write(backroom, job_id, sending, PJ.MAY_HAVE_PRINTED, error, attempts=attempts,
                   error=error, next_attempt_at=None)
            return SendResult(job_id, printer.name, str(PJ.MAY_HAVE_PRINTED), labels, error)
        delay = retry_delay(attempts, e.kind)
        later = None if delay is None else moment + delay
        _write(backroom, job_id, sending, PJ.WAITING, error, attempts=attempts, error=error,
               next_attempt_at=later)
        return SendResult(job_id, printer.name, str(PJ.WAITING), labels, error, later)
    except Exception as e:  # whatever the transport did, bytes may have gone
        error = (f"Sending to {printer.name} failed unexpectedly ({type(e).__name__}: {e}) — "
                 "the label may have printed: look before printing it again.")
        _write(backroom, job_id, sending, PJ.MAY_HAVE_PRINTED, error, attempts=attempts,
               error=error, next_attempt_at=None)
        return SendResult(job_id, printer.name, str(PJ.MAY_HAVE_PRINTED), labels, error)
    _write(backroom, job_id, sending, PJ.PRINTED, "", attempts=attempts, error=None,
           next_attempt_at=None)
    _printer_is_back(backroom, printer.name, moment)
    return SendResult(job_id, printer.name, str(PJ.PRINTED), labels)


def _printer_is_back(backroom: Backroom, printer: str, moment: datetime) -> None:
    """The printer took a job: what waits for it to come back is tried now, not later."""
    with backroom.sessions() as s:
        s.execute(update(PrintJob)
                  .where(PrintJob.printer == printer, PrintJob.status == str(PJ.WAITING),
                         PrintJob.next_attempt_at > moment)
                  .values(next_attempt_at=moment)
                  .execution_options(synchronize_session=False))
        s.commit()


def next_due(session: Session, printer_names: Iterable[str],
             now: datetime | None = None) -> datetime | None:
    """When the sender next has work for these printers (now, if a job is due already)."""
    moment = now or datetime.now(UTC)
    names = list(printer_names)
    if session.scalar(select(PrintJob.id).where(_due(moment), PrintJob.printer.in_(names))
                      .limit(1)) is not None:
        return moment
    return session.scalar(select(func.min(PrintJob.next_attempt_at))
                          .where(PrintJob.status == str(PJ.WAITING),
                                 PrintJob.printer.in_(names)))


def recover_interrupted(uow: UnitOfWork, printer_names: Iterable[str]) -> int:
    """At start-up: this computer's jobs left sending (Backroom was stopped mid-send) may have
    printed; a person decides. How many there were. Another computer's jobs for its own
    printers are left alone: on a shared database it may be sending them right now."""
    names = list(printer_names)
    if not names:
        return 0
    with uow:
        jobs = list(uow.session.scalars(select(PrintJob)
                                        .where(PrintJob.status == str(PJ.SENDING),
                                               PrintJob.printer.in_(names))))
        for job in jobs:
            _move(uow.session, job, PJ.MAY_HAVE_PRINTED, SENDER, INTERRUPTED,
                  error=INTERRUPTED)
        uow.commit()
    return len(jobs)


# --- the queue, for people ----------------------------------------------------------------


@dataclass(frozen=True)
class PrintJobRow:
    id: int
    printer: str
    template: str
    summary: str  # what it prints: 'MUG-1, MUG-2 and 3 more'
    labels: int
    copies: int
    status: str
    status_label: str  # 'May have printed'
    attempts: int
    error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime


@requires(Can.SEE_INVENTORY)
def job_list(session: Session, limit: int = 200,
             statuses: Iterable[str] | None = None) -> tuple[PrintJobRow, ...]:
    """The print queue, newest first (optionally only some statuses)."""
    stmt = select(PrintJob.id, PrintJob.printer, PrintJob.template,
                  PrintJob.data["summary"].as_string(), PrintJob.data["labels"].as_integer(),
                  PrintJob.copies, PrintJob.status, PrintJob.attempts, PrintJob.error,
                  PrintJob.next_attempt_at, PrintJob.created_at, PrintJob.updated_at)
    if statuses is not None:
        stmt = stmt.where(PrintJob.status.in_([str(s) for s in statuses]))
    rows = session.execute(stmt.order_by(PrintJob.id.desc()).limit(limit))
    return tuple(PrintJobRow(i, p, t, summary or "", labels or 0, c, s, label(PJ(s)), a, e, n,
                             ca, ua)
                 for i, p, t, summary, labels, c, s, a, e, n, ca, ua in rows)


@requires(Can.SEE_INVENTORY)
def queue_summary(session: Session) -> dict[str, int]:
    """How many jobs are in each status (for the status bar: waiting, may have printed)."""
    return {s: int(n) for s, n in session.execute(
        select(PrintJob.status, func.count(PrintJob.id)).group_by(PrintJob.status))}


def _move(session: Session, job: PrintJob, to: PrintJobStatus, actor: str, note: str = "",
          **values: Any) -> None:
    history.record(session, ENTITY, job.id, job.status, str(to), actor, note)
    job.status = str(to)
    job.updated_at = datetime.now(UTC)
    for name, value in values.items():
        setattr(job, name, value)


def _jobs(session: Session, ids: Iterable[int], to: PrintJobStatus) -> list[PrintJob]:
    return list(session.scalars(select(PrintJob).where(PrintJob.id.in_(list(ids)),
                                                       PrintJob.status.in_(_from(to)))
                                .order_by(PrintJob.id)))


@requires(Can.SEE_INVENTORY)
def retry_now(uow: UnitOfWork, ids: Iterable[int]) -> int:
    """Send these waiting (or may-have-printed) jobs again at once, their back-off starting
    afresh; how many there were."""
    ids = list(ids)
    with uow:
        jobs = _jobs(uow.session, ids, PJ.QUEUED)
        if ids and not jobs:
            raise DomainError("Only jobs that are waiting, or that may have printed, can be sent "
                              "again; those have printed, are printing or were cancelled.")
        for job in jobs:
            _move(uow.session, job, PJ.QUEUED, uow.actor, "sent again by hand", attempts=0,
                  error=None, next_attempt_at=None)
        uow.commit()
    return len(jobs)


@requires(Can.SEE_INVENTORY)
def cancel_jobs(uow: UnitOfWork, ids: Iterable[int]) -> int:
    """Cancel jobs that have not printed (a job being sent right now cannot be stopped)."""
    ids = list(ids)
    with uow:
        jobs = _jobs(uow.session, ids, PJ.CANCELLED)
        if ids and not jobs:
            raise DomainError("Those jobs have printed, are being sent right now or were "
                              "cancelled already; there is nothing to cancel.")
        for job in jobs:
            _move(uow.session, job, PJ.CANCELLED, uow.actor, next_attempt_at=None)
        uow.commit()
    return len(jobs)


REPRINTABLE = (PJ.PRINTED, PJ.MAY_HAVE_PRINTED, PJ.CANCELLED)


@requires(Can.SEE_INVENTORY)
def reprint(uow: UnitOfWork, job_id: int, printer_name: str | None = None, *,
            data_dir: Path | None = None) -> int:
    """A new job with the same labels (on another printer if one is named); its id.
    The labels are checked again, as the template may have changed since. A job that may
    have printed is settled by it (cancelled, noting the reprint)."""
    with uow:
        job = uow.session.get(PrintJob, job_id)
        if job is None:
            raise DomainError("That print job no longer exists; refresh the list.")
        if job.status not in [str(s) for s in REPRINTABLE]:
            raise DomainError(f"That job is {label(PJ(job.status)).lower()}: it will print by "
                              "itself, so there is nothing to reprint. Use Retry now to send "
                              "it at once.")
        data = job.data if isinstance(job.data, dict) else {}
        new_id = _queue(uow.session, _where(data_dir), printer_name or job.printer,
                        job.template, list(data.get("records") or []), job.copies,
                        int(data.get("start", 1)), uow.actor, f"reprint of job {job.id}")
        if job.status == str(PJ.MAY_HAVE_PRINTED):  # the person looked: it did not print
            _move(uow.session, job, PJ.CANCELLED, uow.actor, f"reprinted as job {new_id}")
        uow.commit()
    return new_id


# --- printing automatically ---------------------------------------------------------------


@dataclass(frozen=True)
class PrintSettings:
    """The workshop's printing rules (in the database: every workstation follows them)."""

    on_goods_received: bool = False  # product labels for what was received
    on_task_created: bool = False  # job tickets for new supplier tasks
    return_address: str = ""  # the 'From:' line of parcel labels


def _settings(session: Session) -> PrintSettings:
    raw = get_setting(session, AUTO_KEY, {})
    raw = raw if isinstance(raw, dict) else {}
    sender = get_setting(session, RETURN_ADDRESS_KEY, "")
    return PrintSettings(bool(raw.get("goods_received")), bool(raw.get("task_created")),
                         sender if isinstance(sender, str) else "")


@requires(Can.SEE_INVENTORY)
def print_settings(session: Session) -> PrintSettings:
    return _settings(session)


@requires(Can.CHANGE_SETTINGS)
def save_print_settings(uow: UnitOfWork, settings: PrintSettings) -> PrintSettings:
    cleaned = PrintSettings(bool(settings.on_goods_received), bool(settings.on_task_created),
                            "\n".join(line.strip() for line in
                                      settings.return_address.strip().splitlines()))
    with uow:
        put_setting(uow.session, AUTO_KEY, {"goods_received": cleaned.on_goods_received,
                                            "task_created": cleaned.on_task_created})
        put_setting(uow.session, RETURN_ADDRESS_KEY, cleaned.return_address)
        uow.commit()
    return cleaned


@dataclass(frozen=True)
class AutoPrint:
    """What printing automatically did: a job queued, nothing (the rule is off), or why not."""

    job_id: int | None = None
    problem: str | None = None


def _auto(session: Session, data_dir: Path | None, use: Use, what: str,
          records: Callable[[], list[Record]]) -> AutoPrint:
    """Queue labels in the caller's transaction; a problem becomes a notice, never an error,
    so the action that asked for the labels goes through."""
    where = _where(data_dir)
    try:
        printer, template = printer_for(where, use)
        job_id = _queue(session, where, printer.name, template, records(), 1, 1, SENDER)
    except DomainError as e:
        notify(session, kind="print_failed", title=f"{what.capitalize()} were not printed",
               body=str(e))
        return AutoPrint(problem=f"The {what} were not printed: {e}")
    return AutoPrint(job_id)


def auto_print_task_tickets(session: Session, task_ids: Sequence[int], *,
                            data_dir: Path | None = None) -> AutoPrint:
    """Job tickets for new supplier tasks on this computer's job-ticket printer, when the
    workshop prints them automatically; call it in the transaction that made the tasks."""
    if not task_ids or not _settings(session).on_task_created:
        return AutoPrint()
    return _auto(session, data_dir, Use.JOB_TICKETS, "job tickets",
                 lambda: task_records(session, task_ids))


def auto_print_received_labels(session: Session, received: Mapping[int, int], *,
                               data_dir: Path | None = None) -> AutoPrint:
    """Product labels for goods received ({product id: quantity}), one per item, when the
    workshop prints them automatically; call it in the transaction that booked them."""
    counts = {pid: n for pid, n in received.items() if n > 0}
    if not counts or not _settings(session).on_goods_received:
        return AutoPrint()
    return _auto(session, data_dir, Use.PRODUCT_LABELS, "product labels",
                 lambda: product_records(session, counts, counts))
