"""Work off the GUI thread: own Session, progress, cancel, and a result on the GUI thread.

A job's function gets a JobContext (its own Session, progress(), cancelled) and must never
touch a widget. `finished(result)` or `failed(message)` arrive on the GUI thread after the
worker thread has stopped, so nothing outlives its job.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThread, Signal, Slot

from app.domain.errors import DomainError

if TYPE_CHECKING:  # imported lazily so the window can paint before the database layer loads
    from sqlalchemy.orm import Session

    from app.services.context import Backroom

_LIVE_THREADS: set[QThread] = set()
# SQLite takes one writer at a time; jobs that write queue here, reads and I/O don't.
WRITE_LOCK = threading.Lock()


class JobCancelled(Exception):
    """Raised inside a job when the person pressed Cancel."""


class JobContext:
    def __init__(self, backroom: Backroom, session: Session, job: Job):
        self.backroom = backroom
        self.session = session
        self._job = job

    def progress(self, done: int, total: int) -> None:
        self._job.progress.emit(int(done), int(total))

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_requested.is_set()

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise JobCancelled


class Job(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    _ended = Signal(object)

    def __init__(self, label: str, parent: QObject | None = None):
        super().__init__(parent)
        self.label = label
        self.cancel_requested = threading.Event()
        self.was_cancelled = False
        self._thread: QThread | None = None
        self._worker: QObject | None = None
        self._outcome: tuple[bool, object] | None = None

    def cancel(self) -> None:
        self.cancel_requested.set()

    @Slot(bool, object)
    def _on_done(self, ok: bool, value: object) -> None:
        """GUI thread: remember the outcome and let the worker thread stop."""
        self._outcome = (ok, value)
        if self._thread is not None:
            self._thread.quit()

    @Slot()
    def _on_thread_finished(self) -> None:
        """GUI thread, after the worker thread has stopped: report the outcome."""
        assert self._thread is not None
        self._thread.wait()
        _LIVE_THREADS.discard(self._thread)
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread.deleteLater()
        self._thread = self._worker = None
        ok, value = self._outcome or (False, f"{self.label} stopped unexpectedly.")
        self._ended.emit(self)
        if ok:
            self.finished.emit(value)
        else:
            self.failed.emit(str(value))


class _Worker(QObject):
    done = Signal(bool, object)  # ok, result or message

    def __init__(self, backroom: Backroom, job: Job, fn: Callable[[JobContext], Any],
                 writes: bool):
        super().__init__()
        self._backroom, self._job, self._fn, self._writes = backroom, job, fn, writes

    @Slot()
    def run(self) -> None:
        try:
            with self._backroom.session() as session:
                ctx = JobContext(self._backroom, session, self._job)
                if self._writes:
                    with WRITE_LOCK:
                        result = self._fn(ctx)
                else:
                    result = self._fn(ctx)
            self.done.emit(True, result)
        except JobCancelled:
            self._job.was_cancelled = True
            self.done.emit(False, f"{self._job.label} was cancelled; nothing was kept.")
        except DomainError as exc:
            self._job.was_cancelled = self._job.cancel_requested.is_set()
            self.done.emit(False, str(exc))
        except Exception as exc:  # shown to the person, with the detail for a bug report
            traceback.print_exc()
            self.done.emit(False, f"{self._job.label} failed: {exc}")


class Ops(QObject):
    """Starts jobs and knows which are running (the status bar shows them)."""

    started = Signal(object)  # Job
    ended = Signal(object)  # Job

    def __init__(self, backroom: Callable[[], Backroom], parent: QObject | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self._running: list[Job] = []

    @property
    def running(self) -> tuple[Job, ...]:
        return tuple(self._running)

    def run(self, label: str, fn: Callable[[JobContext], Any], *,
            on_finished: Callable[[Any], None] | None = None,
            on_failed: Callable[[str], None] | None = None, writes: bool = False,
            quiet: bool = False) -> Job:
        """Start `fn` on its own thread; `quiet` jobs (quick reads) do not show in the
        status bar."""
        job = Job(label, self)
        if on_finished:
            job.finished.connect(on_finished)
        if on_failed:
            job.failed.connect(on_failed)
        thread = QThread()
        worker = _Worker(self._backroom(), job, fn, writes)
        worker.moveToThread(thread)
        job._thread, job._worker = thread, worker
        worker.done.connect(job._on_done)
        thread.started.connect(worker.run)
        thread.finished.connect(job._on_thread_finished)
        job._ended.connect(self._forget)
        _LIVE_THREADS.add(thread)
        self._running.append(job)
        thread.start()
        if not quiet:
            self.started.emit(job)
        return job

    @Slot(object)
    def _forget(self, job: Job) -> None:
        if job in self._running:
            self._running.remove(job)
        self.ended.emit(job)

    def cancel_all(self) -> None:
        for job in self._running:
            job.cancel()

    def wait_all(self, timeout_ms: int = 10_000) -> bool:
        """Cancel every job and let each wrap up (used when closing the window)."""
        self.cancel_all()
        deadline = time.monotonic() + timeout_ms / 1000
        while self._running and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return not self._running


def live_threads() -> int:
    """Threads started by ops that have not been cleaned up yet (tests assert zero)."""
    return len(_LIVE_THREADS)
