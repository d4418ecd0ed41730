"""Background sync of the API channels: every 30 s, each switched-on channel whose next
sync is due gets a sync job through the window's ops — one job per channel at a time.

The driver is built inside the job (its secrets come from the keyring, never the GUI
thread), waits that end as soon as Cancel is pressed, and is closed after. On the GUI
thread the window hears what changed and the status bar shows the run's summary. The
scheduler also owns Settings > Channels, the sync log and the preview dialogs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.ui.ops import Job, JobContext

if TYPE_CHECKING:
    from app.channels.http import HttpOptions
    from app.services.context import Backroom
    from app.services.sync import SyncReport
    from app.ui.dialogs.channels import ChannelsDialog
    from app.ui.dialogs.sync_log import SyncLogDialog
    from app.ui.dialogs.sync_preview import SyncPreviewDialog
    from app.ui.main_window import MainWindow

CHECK_EVERY_MS = 30_000
FIRST_CHECK_MS = 3_000  # once the window has settled after opening
SLEEP_STEP = 0.05  # a wait notices Cancel within this many seconds

#: Makes the drivers' HTTP options from the job's cancel check and a cancellable sleep.
OptionsFactory = Callable[[Callable[[], bool], Callable[[float], object]], "HttpOptions"]


def default_http_options(cancelled: Callable[[], bool],
                         sleep: Callable[[float], object]) -> HttpOptions:
    from app.channels.http import HttpOptions

    return HttpOptions(cancelled=cancelled, sleep=sleep)


def cancellable_sleep(cancelled: Callable[[], bool]) -> Callable[[float], None]:
    """A sleep for back-off and rate-limit waits that ends early once Cancel is pressed."""

    def sleep(seconds: float) -> None:
        end = time.monotonic() + max(0.0, seconds)
        while not cancelled():
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, SLEEP_STEP))

    return sleep


def build_driver_in_job(ctx: JobContext, channel_id: int, options: OptionsFactory) -> Any:
    """The channel's driver, built on the worker thread with waits that honour Cancel."""
    from app.services import channels

    cancelled = lambda: ctx.cancelled  # noqa: E731
    with ctx.backroom.sessions() as session:
        return channels.driver_for(session, channel_id,
                                   options=options(cancelled, cancellable_sleep(cancelled)))


def close_driver(driver: Any) -> None:
    close = getattr(driver, "close", None)
    if close is not None:
        close()


class SyncScheduler(QObject):
    """Starts sync runs (on a timer, or on Sync now / Preview) and tells the window."""

    started = Signal(int)  # channel id: a sync or a preview began
    synced = Signal(int, object)  # channel id, SyncReport (of a sync or a preview)
    failed = Signal(int, str)  # channel id, why the run could not start

    def __init__(self, window: MainWindow, *, http_options: OptionsFactory | None = None,
                 interval_ms: int = CHECK_EVERY_MS):
        super().__init__(window)
        self.window = window
        self.http_options: OptionsFactory = http_options or default_http_options
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(FIRST_CHECK_MS)
        self._soon.timeout.connect(self.check)
        self._jobs: dict[int, Job] = {}
        self._previews: set[int] = set()
        self._held: dict[int, datetime] = {}  # a channel that could not start waits
        self.problems: dict[int, str] = {}  # why a channel's last run could not start
        self.channels_dialog: ChannelsDialog | None = None
        self.log_dialog: SyncLogDialog | None = None
        self.preview_dialog: SyncPreviewDialog | None = None
        self.watch_job: Job | None = None  # reading the file channels' watch folders

    def backroom(self) -> Backroom | None:
        return self.window.backroom

    # --- the window's life --------------------------------------------------------------

    def attach(self) -> None:
        """A database was opened: forget what was known of the last one."""
        for dialog in (self.channels_dialog, self.log_dialog, self.preview_dialog):
            if dialog is not None:
                dialog.close()
        self.channels_dialog = self.log_dialog = self.preview_dialog = None
        self._held.clear()
        self.problems.clear()

    def start(self) -> None:
        self.timer.start()
        self._soon.start()

    def stop(self) -> None:
        """No new runs (the window is closing; ops cancels the running ones)."""
        self.timer.stop()
        self._soon.stop()

    # --- what runs ----------------------------------------------------------------------

    def is_running(self, channel_id: int) -> bool:
        return channel_id in self._jobs

    def is_previewing(self, channel_id: int) -> bool:
        return channel_id in self._previews

    def job_of(self, channel_id: int) -> Job | None:
        return self._jobs.get(channel_id)

    def cancel(self, channel_id: int) -> None:
        job = self._jobs.get(channel_id)
        if job is not None:
            job.cancel()

    def check(self) -> list[Job]:
        """Start a sync for each switched-on API channel that is due and not running."""
        from app.domain.access import Can
        from app.domain.errors import DomainError
        from app.services import channels

        backroom = self.backroom()
        viewer = backroom.viewer if backroom is not None else None
        if backroom is None or (viewer is not None and not viewer.can(Can.MOVE_ORDERS)):
            return []
        try:
            views = backroom.read(channels.channel_list, False)  # no counting on the GUI thread
        except DomainError:  # e.g. another program holds the database: next time
            return []
        now = datetime.now(UTC)
        started = []
        watching = [v for v in views if v.active and not v.api and v.watch_folder]
        if watching and self.watch_job is None:
            job = self.import_watch_folders()
            if job is not None:
                started.append(job)
        for view in views:
            if not (view.api and view.active) or view.waits_for_owner \
                    or view.id in self._jobs:
                continue
            if self._held.get(view.id, now) > now:
                continue
            due = view.next_sync()
            if due is None or due <= now:
                job = self.sync_now(view.id, view.name)
                if job is not None:
                    started.append(job)
        return started

    def import_watch_folders(self) -> Job | None:
        """Take in the report files waiting in file channels' watch folders (in the
        background, one run at a time); each goes to imported/ or rejected/."""
        from app.services import file_import

        def work(ctx: JobContext) -> Any:
            return file_import.import_watch_folders(ctx.backroom)

        self.watch_job = self.window.ops.run("Importing from watch folders", work,
                                             on_finished=self._watched,
                                             on_failed=self._watch_failed, writes=True,
                                             quiet=True)
        return self.watch_job

    def _watched(self, report: Any) -> None:
        self.watch_job = None
        if report.files:
            took = sum(f.created for f in report.files)
            refused = [f.name for f in report.files if f.rejected]
            text = f"Watch folders: {len(report.files):,} file(s), {took:,} new orders"
            if refused:
                text += f"; refused (see rejected/): {', '.join(refused)}"
            self.window.statusBar().showMessage(text, 20_000)
            self.window.changed.emit(report.changes)

    def _watch_failed(self, message: str) -> None:
        self.watch_job = None
        self.window.statusBar().showMessage(f"Watch folders not read: {message}", 20_000)

    def sync_now(self, channel_id: int, name: str) -> Job | None:
        """Fetch the channel's orders and push its stock now (unless it is already running)."""
        return self._start(channel_id, name, preview=False)

    def preview(self, channel_id: int, name: str) -> Job | None:
        """Fetch and show what a sync would do; nothing is written."""
        return self._start(channel_id, name, preview=True)

    def _start(self, channel_id: int, name: str, *, preview: bool) -> Job | None:
        if self.backroom() is None:
            return None
        if channel_id in self._jobs:
            doing = "previewing" if channel_id in self._previews else "syncing"
            self.window.statusBar().showMessage(f"{name} is already {doing}.", 5_000)
            return None
        options = self.http_options

        def work(ctx: JobContext) -> SyncReport:
            from app.services import sync

            driver = build_driver_in_job(ctx, channel_id, options)
            try:
                return sync.sync_channel(ctx.backroom, channel_id, driver, preview=preview,
                                         cancelled=lambda: ctx.cancelled,
                                         progress=ctx.progress)
            finally:
                close_driver(driver)

        label = f"Previewing {name}" if preview else f"Syncing {name}"
        # Not a writing job: each page is its own short transaction and the network waits
        # happen outside them, so other writes need not queue behind a slow channel.
        job = self.window.ops.run(
            label, work,
            on_finished=lambda report, cid=channel_id: self._finished(cid, report),
            on_failed=lambda message, cid=channel_id, n=name: self._failed(cid, n, message))
        job.progress.connect(lambda done, total, lbl=label: self._progress(lbl, done, total))
        self._jobs[channel_id] = job
        if preview:
            self._previews.add(channel_id)
        self.problems.pop(channel_id, None)
        self.started.emit(channel_id)
        return job

    def _progress(self, label: str, done: int, total: int) -> None:
        """A sync does not know how many orders are coming: count them on a busy bar."""
        if total <= 0:
            self.window.progress.setRange(0, 0)
            self.window.job_label.setText(f"{label}: {done:,} orders…")

    def _forget(self, channel_id: int) -> bool:
        self._jobs.pop(channel_id, None)
        was_preview = channel_id in self._previews
        self._previews.discard(channel_id)
        return was_preview

    def _finished(self, channel_id: int, report: SyncReport) -> None:
        was_preview = self._forget(channel_id)
        self._held.pop(channel_id, None)
        self.window.statusBar().showMessage(
            ("Preview — " if was_preview else "") + report.summary(), 20_000)
        if not report.preview:
            self.window.changed.emit(report.changes)
        self.synced.emit(channel_id, report)
        if report.preview:
            self.show_preview(report)

    def _failed(self, channel_id: int, name: str, message: str) -> None:
        was_preview = self._forget(channel_id)
        if not was_preview:  # not again at once: wait for the channel's interval
            self._held[channel_id] = datetime.now(UTC) + timedelta(minutes=self._interval(
                channel_id))
        self.problems[channel_id] = message
        what = "preview" if was_preview else "sync"
        self.window.statusBar().showMessage(f"The {what} of {name} did not run: {message}",
                                            20_000)
        self.failed.emit(channel_id, message)

    def _interval(self, channel_id: int) -> int:
        from app.domain.errors import DomainError
        from app.services import channels

        backroom = self.backroom()
        try:
            views = backroom.read(channels.channel_list, False) if backroom else ()
        except DomainError:
            views = ()
        return next((v.interval_minutes for v in views if v.id == channel_id), 15)

    # --- dialogs ------------------------------------------------------------------------

    def _raise(self, dialog: QWidget) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def show_channels(self) -> ChannelsDialog:
        from app.ui.dialogs.channels import ChannelsDialog

        if self.channels_dialog is None:
            self.channels_dialog = ChannelsDialog(self, self.window)
        else:
            self.channels_dialog.reload()
        self._raise(self.channels_dialog)
        return self.channels_dialog

    def show_log(self, channel_id: int | None = None) -> SyncLogDialog:
        from app.ui.dialogs.sync_log import SyncLogDialog

        if self.log_dialog is None:
            self.log_dialog = SyncLogDialog(self.backroom, self.window)  # type: ignore[arg-type]
            self.synced.connect(self.log_dialog.reload_if_shown)
        self.log_dialog.show_channel(channel_id)
        self._raise(self.log_dialog)
        return self.log_dialog

    def show_preview(self, report: SyncReport) -> SyncPreviewDialog:
        from app.ui.dialogs.sync_preview import SyncPreviewDialog

        if self.preview_dialog is not None:
            self.preview_dialog.close()
        self.preview_dialog = SyncPreviewDialog(report, self.window)
        self._raise(self.preview_dialog)
        return self.preview_dialog
