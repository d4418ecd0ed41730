"""One exchange with an API channel (a sync run): orders in page by page, then the stock
the channel may sell pushed out — run by the background worker, never on the GUI thread.

Each page of orders is its own transaction (with the channel's cursor), so a sync cut off
half-way keeps what it took in and carries on from there next time; an order that fails
is reported with its raw payload and the rest go in. Network calls happen outside any
transaction, so the window's own writes never wait on a slow channel. A preview fetches
and reports what it would do, and writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.channels.base import (
    Capability,
    ChannelDriver,
    ChannelError,
    CredentialsRefused,
    StockUpdate,
)
from app.db.models import Channel, SyncRun, SyncRunItem
from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.statuses import SyncRunStatus
from app.notify.inapp import notify
from app.services import shipments, stock_push, supplier_tasks
from app.services.access import requires
from app.services.channel_import import SYNC_ACTOR, ItemProblem, import_orders
from app.services.context import Backroom

PAYLOAD_MAX = 20_000
PREVIEW_PUSH_SHOWN = 500


@dataclass
class SyncReport:
    """What a sync run did (or, in a preview, would do)."""

    channel: str
    preview: bool
    run_id: int | None = None
    status: SyncRunStatus = SyncRunStatus.RUNNING
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pushed: int = 0
    flagged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[ItemProblem] = field(default_factory=list)
    would_push: list[StockUpdate] = field(default_factory=list)
    confirmed: int = 0  # shipments the channel was told of
    would_confirm: int = 0
    error: str = ""
    cancelled: bool = False

    @property
    def failed(self) -> int:
        return len(self.problems)

    @property
    def changes(self) -> Changes:
        took = self.created or self.updated
        return Changes(orders=bool(took), stock=bool(took), tasks=bool(self.created),
                       suppliers=bool(self.created), finance=bool(took))

    def summary(self) -> str:
        """One line for the status bar and the log."""
        verb = "would create" if self.preview else "created"
        parts = [f"{self.fetched:,} fetched", f"{self.created:,} {verb}",
                 f"{self.updated:,} updated", f"{self.unchanged:,} unchanged"]
        if self.preview:
            parts.append(f"{len(self.would_push):,} stock levels to send")
            parts.append(f"{self.would_confirm:,} shipments to confirm")
        else:
            parts.append(f"{self.pushed:,} stock levels sent")
            if self.confirmed:
                parts.append(f"{self.confirmed:,} shipments confirmed")
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        text = f"{self.channel}: " + ", ".join(parts)
        if self.error:
            text += f". {self.error}"
        return text


def _start(backroom: Backroom, channel_id: int, preview: bool
           ) -> tuple[str, str | None, int | None]:
    """The channel's name and cursor, and (unless a preview) a new running sync run."""
    with backroom.uow() as uow:
        channel = uow.session.get(Channel, channel_id)
        if channel is None:
            raise DomainError("That channel no longer exists.")
        name, cursor = channel.name, channel.sync_cursor
        if preview:
            return name, cursor, None
        run = SyncRun(channel_id=channel_id, status=str(SyncRunStatus.RUNNING), preview=False,
                      source=f"{name} API", started_at=datetime.now(UTC))
        uow.session.add(run)
        uow.session.flush()
        run_id = run.id
        uow.commit()
    return name, cursor, run_id


def _items(session, run_id: int | None, problems: list[ItemProblem]) -> None:  # type: ignore[no-untyped-def]
    if run_id is None:
        return
    for p in problems:
        session.add(SyncRunItem(sync_run_id=run_id, item_ref=p.ref[:200], outcome="failed",
                                message=p.message, payload=(p.payload or "")[:PAYLOAD_MAX]))


REFUSED_WAITS = ("The background sync leaves this channel alone until its key or token is "
                 "changed in Settings > Channels (Edit); Sync now there tries it at once.")


@requires(Can.MOVE_ORDERS)
def sync_channel(backroom: Backroom, channel_id: int, driver: ChannelDriver, *,
                 preview: bool = False, cancelled: Callable[[], bool] = lambda: False,
                 progress: Callable[[int, int], None] | None = None) -> SyncReport:
    """Fetch the channel's new and changed orders, then push its stock; never raises for a
    channel's trouble (the report and the sync run say what went wrong)."""
    name, cursor, run_id = _start(backroom, channel_id, preview)
    report = SyncReport(name, preview, run_id)
    try:
        if Capability.FETCH_ORDERS in driver.capabilities:
            _fetch(backroom, channel_id, driver, cursor, report, cancelled, progress)
        if Capability.PUSH_STOCK in driver.capabilities and not report.cancelled:
            _push(backroom, channel_id, driver, report, cancelled)
        if Capability.PUSH_SHIPMENT in driver.capabilities and not report.cancelled:
            _confirm_shipments(backroom, channel_id, driver, report, cancelled)
    except CredentialsRefused as exc:
        report.error = str(exc)
        report.status = SyncRunStatus.REFUSED
    except ChannelError as exc:
        report.error = str(exc)
        report.status = SyncRunStatus.FAILED
    except DomainError as exc:  # e.g. the database was locked by another program
        report.error = str(exc)
        report.status = SyncRunStatus.FAILED
    if report.status is SyncRunStatus.RUNNING:
        report.status = SyncRunStatus.PARTIAL if report.failed else SyncRunStatus.SUCCEEDED
    if report.cancelled and not report.error:
        report.error = "Stopped: the sync was cancelled; it carries on from here next time."
    _finish(backroom, channel_id, report)
    return report


def _fetch(backroom: Backroom, channel_id: int, driver: ChannelDriver, cursor: str | None,
           report: SyncReport, cancelled: Callable[[], bool],
           progress: Callable[[int, int], None] | None) -> None:
    for page in driver.fetch_orders(cursor):
        if cancelled():
            report.cancelled = True
            return
        problems = [ItemProblem(ref, message, raw) for ref, message, raw in page.problems]
        uow = backroom.uow()
        with uow:
            s = uow.session
            outcome = import_orders(s, channel_id, page.orders, SYNC_ACTOR,
                                    source=f"{report.channel} API")
            problems += outcome.problems
            if not report.preview:
                _items(s, report.run_id, problems)
                channel = s.get_one(Channel, channel_id)
                if page.cursor is not None:
                    channel.sync_cursor = page.cursor
                uow.commit()
        report.fetched += outcome.fetched
        report.created += outcome.created
        report.updated += outcome.updated
        report.unchanged += outcome.unchanged
        report.flagged += outcome.flagged
        report.changed += outcome.updated_notes
        report.problems += problems
        if outcome.created_ids and not report.preview:
            try:
                backroom.act(supplier_tasks.apply_auto_purchasing, outcome.created_ids)
            except DomainError as exc:
                report.problems.append(ItemProblem(
                    "purchasing", f"New orders were not sent to suppliers: {exc}"))
        if progress is not None:
            progress(report.fetched, 0)


def _push(backroom: Backroom, channel_id: int, driver: ChannelDriver, report: SyncReport,
          cancelled: Callable[[], bool]) -> None:
    previous = object()
    while not cancelled():
        uow = backroom.uow()
        with uow:
            batch = stock_push.pending_push(uow.session, channel_id)
            if batch is None:
                return
            if report.preview:  # show what would go, change nothing
                report.would_push = list(batch.updates[:PREVIEW_PUSH_SHOWN])
                return
            uow.commit()
        if batch.cursor == previous:  # only products it refused before: once per sync
            return
        previous = batch.cursor
        refused = driver.push_stock(batch.updates)
        with backroom.uow() as uow:
            stock_push.pushed(uow.session, batch, refused)
            _items(uow.session, report.run_id, [
                ItemProblem(sku, f"Stock not updated: {why}") for sku, why in refused])
            uow.commit()
        report.pushed += len(batch.updates) - len(refused)
        report.problems += [ItemProblem(sku, f"Stock not updated: {why}")
                            for sku, why in refused]
        if not refused and batch.cursor is None:
            return
    report.cancelled = True


def _confirm_shipments(backroom: Backroom, channel_id: int, driver: ChannelDriver,
                       report: SyncReport, cancelled: Callable[[], bool]) -> None:
    """Tell the channel of parcels that left; one it refuses waits for the next sync (and
    the log says why), the rest are marked told."""
    with backroom.sessions() as s:
        waiting = shipments.notices_to_send(s, channel_id)
    if report.preview:
        report.would_confirm = len(waiting)
        return
    told: list[int] = []
    refused: list[ItemProblem] = []
    try:
        for shipment_id, notice in waiting:
            if cancelled():
                report.cancelled = True
                break
            try:
                driver.push_shipment(notice)
                told.append(shipment_id)
            except CredentialsRefused:
                raise
            except ChannelError as exc:
                refused.append(ItemProblem(notice.order_number,
                                           f"Shipment not confirmed: {exc}"))
    finally:  # those told before a refusal are kept as told: never told twice
        with backroom.uow() as uow:
            shipments.confirmed(uow.session, told)
            _items(uow.session, report.run_id, refused)
            uow.commit()
        report.confirmed += len(told)
        report.problems += refused


def _finish(backroom: Backroom, channel_id: int, report: SyncReport) -> None:
    """Close the sync run; tell the owner when a channel that worked stops working."""
    if report.preview or report.run_id is None:
        return
    with backroom.uow() as uow:
        s = uow.session
        run = s.get_one(SyncRun, report.run_id)
        before = s.query(SyncRun.status).filter(
            SyncRun.channel_id == channel_id, SyncRun.id < run.id,
            SyncRun.preview.is_(False)).order_by(SyncRun.id.desc()).limit(1).scalar()
        run.status = str(report.status)
        run.ended_at = datetime.now(UTC)
        run.fetched, run.created, run.updated = report.fetched, report.created, report.updated
        run.pushed, run.failed = report.pushed, report.failed
        run.error = report.error or None
        if report.status is SyncRunStatus.FAILED and before != str(SyncRunStatus.FAILED):
            notify(s, kind="sync_failed", title=f"Sync with {report.channel} failed",
                   body=report.error + "\n\nBackroom tries again at the next sync; see "
                   "Settings > Channels > Sync log.", entity="channel", entity_id=channel_id)
        if report.status is SyncRunStatus.REFUSED and before != str(SyncRunStatus.REFUSED):
            notify(s, kind="sync_failed", title=f"{report.channel} refused Backroom's key",
                   body=report.error + "\n\n" + REFUSED_WAITS, entity="channel",
                   entity_id=channel_id)
        uow.commit()


# --- the sync log -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    id: int
    channel: str
    source: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    fetched: int
    created: int
    updated: int
    pushed: int
    failed: int
    error: str


@dataclass(frozen=True)
class RunItem:
    ref: str
    outcome: str
    message: str
    payload: str


@requires(Can.SEE_ORDERS)
def sync_log(session, channel_id: int | None = None, limit: int = 200  # type: ignore[no-untyped-def]
             ) -> tuple[RunRow, ...]:
    """The newest sync runs first (every channel, or one)."""
    q = (session.query(SyncRun, Channel.name).join(Channel, Channel.id == SyncRun.channel_id)
         .filter(SyncRun.preview.is_(False)))
    if channel_id is not None:
        q = q.filter(SyncRun.channel_id == channel_id)
    return tuple(RunRow(r.id, name, r.source, r.status, r.started_at, r.ended_at, r.fetched,
                        r.created, r.updated, r.pushed, r.failed, r.error or "")
                 for r, name in q.order_by(SyncRun.id.desc()).limit(limit))


@requires(Can.SEE_ORDERS)
def run_items(session, run_id: int) -> tuple[RunItem, ...]:  # type: ignore[no-untyped-def]
    """What failed in one run, with the channel's own text of each failing item."""
    return tuple(RunItem(i.item_ref, i.outcome, i.message, i.payload or "")
                 for i in session.query(SyncRunItem).filter(SyncRunItem.sync_run_id == run_id)
                 .order_by(SyncRunItem.id))
