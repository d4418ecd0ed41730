"""Orders in from channels' report files (Shopify, Etsy, Amazon, eBay exports): by hand
(File > Import orders…), from a channel's watch folder, or `backroom import FILE`.

A file is all or nothing: every problem in it is listed by row and field, and if there is
any, nothing of that file is written (only a failed sync run saying why). Importing the
same file again changes nothing. Each file's import is one sync run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.channels.files import NotAnOrderFile, ParseResult, describe, detect, read_files
from app.db.models import Channel, SyncRun, SyncRunItem
from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.statuses import SyncRunStatus
from app.services import supplier_tasks
from app.services.access import requires
from app.services.channel_import import import_orders
from app.services.channels import FILE_KINDS
from app.services.context import Backroom

IMPORTED, REJECTED = "imported", "rejected"
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")


@dataclass
class FileReport:
    """What happened to one report file."""

    name: str
    format: str = ""
    channel: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "row 14, Created at: ..."
    rejected: bool = False
    preview: bool = False

    def summary(self) -> str:
        where = f" ({self.format}) into {self.channel}" if self.format else ""
        if self.rejected:
            n = len(self.problems)
            return (f"{self.name}{where}: rejected, nothing imported "
                    f"({n:,} problem{'s' if n != 1 else ''})")
        verb = "would be created" if self.preview else "created"
        return (f"{self.name}{where}: {self.rows:,} rows, {self.created:,} {verb}, "
                f"{self.updated:,} updated, {self.unchanged:,} unchanged, "
                f"{len(self.flagged):,} flagged")


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(f.rejected for f in self.files)

    @property
    def changes(self) -> Changes:
        took = any(f.created or f.updated for f in self.files if not f.preview)
        return Changes(orders=took, stock=took, tasks=took, suppliers=took, finance=took)


def _shop_zone():  # type: ignore[no-untyped-def]
    """Report dates without a zone are in the shop's local time: this computer's."""
    return datetime.now().astimezone().tzinfo


def _channel_for(session: Session, result: ParseResult, name: str | None) -> Channel:
    """The channel a file's orders belong to: the one named, else the only channel of the
    file's kind; a first file of a kind makes its channel."""
    if name:
        channel = session.scalars(select(Channel).where(
            func.lower(Channel.name) == name.strip().lower())).first()
        if channel is None:
            known = ", ".join(session.scalars(select(Channel.name).order_by(Channel.name)))
            raise DomainError(f"There is no channel called {name}. The channels are: "
                              f"{known or 'none yet'}.")
        return channel
    kind = result.format.channel
    same = list(session.scalars(select(Channel).where(Channel.kind == kind)
                                .order_by(Channel.id)))
    if len(same) == 1:
        return same[0]
    if len(same) > 1:
        raise DomainError(f"{result.name} is a {result.format.title}, and several channels "
                          f"are {FILE_KINDS.get(kind, kind)} channels "
                          f"({', '.join(c.name for c in same)}): say which one it is for.")
    currency = result.orders[0].currency if result.orders else "GBP"
    channel = Channel(name=FILE_KINDS.get(kind, kind.capitalize()).split(" (")[0], kind=kind,
                      currency=currency, settings={"api": False})
    if session.scalar(select(Channel.id).where(Channel.name == channel.name)):
        channel.name = f"{channel.name} ({result.format.title})"
    session.add(channel)
    session.flush()
    return channel


def _record_run(session: Session, channel_id: int, source: str, report: FileReport,
                started: datetime, items: Sequence[tuple[str, str, str]]) -> None:
    run = SyncRun(channel_id=channel_id, source=source[:300], preview=False,
                  status=str(SyncRunStatus.FAILED if report.rejected
                             else SyncRunStatus.SUCCEEDED),
                  started_at=started, ended_at=datetime.now(UTC),
                  fetched=report.rows, created=report.created, updated=report.updated,
                  failed=len(items),
                  error=(f"Rejected: {len(report.problems):,} problems; nothing was imported"
                         if report.rejected else None))
    session.add(run)
    session.flush()
    for ref, message, payload in items:
        session.add(SyncRunItem(sync_run_id=run.id, item_ref=ref[:200], outcome="failed",
                                message=message, payload=payload or None))


def _import_one(backroom: Backroom, result: ParseResult, channel_name: str | None,
                preview: bool, started: datetime) -> FileReport:
    report = FileReport(result.name, result.format.title, rows=result.rows, preview=preview)
    created: list[int] = []
    uow = backroom.uow()
    with uow:
        s = uow.session
        channel = _channel_for(s, result, channel_name)
        report.channel = channel.name
        report.problems = [describe(p) for p in result.problems]
        outcome = None
        if not report.problems:
            outcome = import_orders(s, channel.id, result.orders, uow.actor,
                                    source=result.name)
            report.problems += [f"order {p.ref}: {p.message}" for p in outcome.problems]
        if report.problems:  # all or nothing: this file's orders go back out
            report.rejected = True
            if any(", not " in p and " is in " in p for p in report.problems):
                report.problems.append(
                    f"The amounts are not in {channel.currency}, the currency of "
                    f"{channel.name}: if the file is another channel's, name that channel "
                    "(or set one up with its currency in Settings > Channels).")
            s.rollback()
            known = s.get(Channel, channel.id) if not preview else None
            if known is None:  # a preview, or the file's channel would have been new
                return report
            items = [(f"row {p.row}", f"{p.field}: {p.message}", "") for p in result.problems]
            if outcome is not None:
                items += [(p.ref, p.message, p.payload) for p in outcome.problems]
            _record_run(s, known.id, result.name, report, started, items)
            uow.commit()
            return report
        assert outcome is not None
        report.created, report.updated = outcome.created, outcome.updated
        report.unchanged = outcome.unchanged
        report.flagged, report.changed = outcome.flagged, outcome.updated_notes
        if preview:
            return report  # leaving without commit: nothing was written
        _record_run(s, channel.id, result.name, report, started, [])
        created = outcome.created_ids
        uow.commit()
    if created:
        try:
            backroom.act(supplier_tasks.apply_auto_purchasing, created)
        except DomainError as exc:
            report.problems.append(f"New orders were not sent to suppliers: {exc}")
    return report


def _currency(backroom: Backroom, paths: Sequence[Path | str], channel: str | None) -> str:
    """The currency of amounts a file writes without one: its channel's (the one named, or
    the only one of the first file's kind), else the workshop's usual one."""
    with backroom.sessions() as s:
        if channel:
            found = s.scalar(select(Channel.currency).where(
                func.lower(Channel.name) == channel.strip().lower()))
            if found:
                return found
        else:
            try:
                kind = detect(Path(paths[0])).channel if paths else None
            except (NotAnOrderFile, OSError):
                kind = None
            same = list(s.scalars(select(Channel.currency).where(Channel.kind == kind)))
            if len(same) == 1:
                return same[0]
        usual = s.scalar(select(Channel.currency).group_by(Channel.currency)
                         .order_by(func.count(Channel.id).desc()).limit(1))
        return usual or "GBP"


@requires(Can.MOVE_ORDERS)
def import_order_files(backroom: Backroom, paths: Sequence[Path | str],
                       channel: str | None = None, *, preview: bool = False,
                       progress: Callable[[int], None] | None = None) -> ImportReport:
    """Read report files and take their orders in, each file all or nothing. A file Backroom
    does not know, or cannot open, is refused in words before anything is written."""
    started = datetime.now(UTC)
    currency = _currency(backroom, paths, channel)
    try:
        results = read_files([Path(p) for p in paths], shop_tz=_shop_zone(),
                             currency=currency, progress=progress)
    except NotAnOrderFile as exc:
        raise DomainError(str(exc)) from exc
    except OSError as exc:
        raise DomainError(f"Could not read {getattr(exc, 'filename', '') or 'the file'}: "
                          f"{exc.strerror or exc}.") from exc
    report = ImportReport()
    for result in results:
        report.files.append(_import_one(backroom, result, channel, preview, started))
    return report


# --- watch folders ----------------------------------------------------------------------


def watched_files(folder: Path) -> list[Path]:
    """Report files waiting in a watch folder (oldest first); files still being written
    (changed in the last few seconds) wait for the next look."""
    if not folder.is_dir():
        return []
    now = datetime.now().timestamp()
    found = [p for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
             and now - p.stat().st_mtime > 3]
    return sorted(found, key=lambda p: p.stat().st_mtime)


def _move(path: Path, to: str) -> Path:
    target_dir = path.parent / to
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        target = target_dir / f"{path.stem}-{datetime.now():%Y%m%d-%H%M%S}{path.suffix}"
    shutil.move(str(path), target)
    return target


@requires(Can.MOVE_ORDERS)
def import_watch_folders(backroom: Backroom) -> ImportReport:
    """Import what waits in each file channel's watch folder; a file that went in moves to
    `imported/`, one refused to `rejected/` with a .txt beside it saying why."""
    with backroom.sessions() as s:
        folders = [(c.name, str((c.settings or {}).get("watch_folder") or ""))
                   for c in s.scalars(select(Channel).where(Channel.active.is_(True)))]
    report = ImportReport()
    for name, folder in folders:
        if not folder:
            continue
        for path in watched_files(Path(folder)):
            try:
                one = import_order_files(backroom, [path], name)
                files = one.files
            except DomainError as exc:
                files = [FileReport(path.name, channel=name, rejected=True,
                                    problems=[str(exc)])]
            rejected = any(f.rejected for f in files)
            moved = _move(path, REJECTED if rejected else IMPORTED)
            if rejected:
                why = "\n".join(p for f in files for p in f.problems)
                moved.with_suffix(moved.suffix + ".why.txt").write_text(
                    f"{moved.name} was not imported; nothing of it was written.\n\n{why}\n",
                    encoding="utf-8")
            report.files += files
    return report
