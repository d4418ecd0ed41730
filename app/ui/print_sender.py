"""The print queue's sender: sends queued labels in the background and shows in the status
bar what still waits.

A run is one ops job (never the GUI thread) that sends every job due now, one after
another, and says when the next falls due; a single-shot timer wakes the sender then, and
`send_soon()` wakes it as soon as something is queued. One run at a time: asking during a
run makes one more run follow it. At start it plugs in the system-printer transport and
settles jobs a crash left mid-send ('may have printed'). It also owns the printing dialogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from app.ui import formatting
from app.ui.ops import Job, JobContext

if TYPE_CHECKING:
    from app.domain.changes import Changes
    from app.services.context import Backroom
    from app.services.print_jobs import PrintJobRow, SendResult
    from app.ui.dialogs.label_templates import LabelTemplatesDialog
    from app.ui.dialogs.print_queue import PrintQueueDialog
    from app.ui.dialogs.printers import PrintersDialog
    from app.ui.main_window import MainWindow

PRINTING = "Printing labels"
FIRST_LOOK_MS = 2_000  # after start-up has settled (printing loads Pillow, barcodes, Qt print)
LOOK_EVERY_MS = 60_000  # jobs queued by the services themselves (printing automatically)
MOST_PER_RUN = 200  # a run hands back to the GUI at least this often
OUTSTANDING = ("queued", "sending", "waiting", "may_have_printed")
RED, AMBER, BLUE, GREY = "#b3261e", "#c77700", "#0b57d0", "#6b6b6b"


@dataclass(frozen=True)
class PrintRun:
    """What one run of the sender did, and when the next job falls due (None: none waits)."""

    results: tuple[SendResult, ...]
    next_due: datetime | None


@dataclass(frozen=True)
class QueueState:
    """What the status bar says about this computer's print queue."""

    queued: int = 0  # labels
    waiting: int = 0  # labels
    may_have_printed: int = 0  # jobs
    reason: str = ""  # why the latest waiting job waits


def short_reason(error: str | None, most: int = 60) -> str:
    """The first clause of a printer error, for the status bar: 'the printer at x refused
    the connection'."""
    if not error:
        return ""
    text = error.split(" — ")[0].strip().rstrip(".")
    text = text[:1].lower() + text[1:]
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def queue_state(rows: tuple[PrintJobRow, ...] | list[PrintJobRow]) -> QueueState:
    queued = sum(r.labels for r in rows if r.status in ("queued", "sending"))
    waiting = [r for r in rows if r.status == "waiting"]
    return QueueState(queued, sum(r.labels for r in waiting),
                      sum(1 for r in rows if r.status == "may_have_printed"),
                      waiting[0].error or "" if waiting else "")


class PrintQueueButton(QToolButton):
    """'Printing…', '2 labels waiting: …' or '1 job may have printed' in the status bar;
    a click opens the print queue. Hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.hide()

    def show_state(self, state: QueueState, sending: bool) -> None:
        tips = []
        if sending or (state.queued and not state.waiting):
            text, colour = "Printing…", BLUE
        elif state.waiting:
            text = f"{formatting.count(state.waiting, 'label')} waiting"
            if state.reason:
                text += f": {short_reason(state.reason)}"
                tips.append(state.reason)
            colour = RED
        elif state.may_have_printed:
            text = f"{formatting.count(state.may_have_printed, 'job')} may have printed"
            colour = AMBER
        else:
            self.hide()
            return
        if state.may_have_printed:
            tips.append(f"{formatting.count(state.may_have_printed, 'job')} may have printed: "
                        "check the printer, then Reprint or Cancel.")
        tips.append("Click for the print queue.")
        self.setText(text)
        self.setToolTip("\n".join(tips))
        self.setStyleSheet(f"QToolButton {{ color: {colour}; padding: 0 8px; "
                           f"{'font-weight: bold;' if colour == RED else ''} }}")
        self.show()


class PrintSender(QObject):
    """Sends the print queue for the window and tells it (and the queue view) how it went."""

    changed = Signal()  # the queue changed here (a run ended, jobs recovered): views reload
    runFinished = Signal(object)  # PrintRun

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self._window = window
        self.button = PrintQueueButton()
        self.button.clicked.connect(self.show_queue)
        window.statusBar().addPermanentWidget(self.button)
        self.timer = QTimer(self)  # when the next waiting job falls due
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.send_soon)
        self.look = QTimer(self)
        self.look.setInterval(LOOK_EVERY_MS)
        self.look.timeout.connect(self.send_soon)
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.setInterval(FIRST_LOOK_MS)
        self._first.timeout.connect(self.start_now)
        self.send_job: Job | None = None
        self.state = QueueState()
        self._again = False
        self._running = False  # start() was called and stop() was not
        self.queue_dialog: PrintQueueDialog | None = None
        self.printers_dialog: PrintersDialog | None = None
        self.templates_dialog: LabelTemplatesDialog | None = None
        window.changed.connect(self._heard)
        window.ops.ended.connect(self._job_ended)

    def backroom(self) -> Backroom | None:
        return self._window.backroom

    @property
    def ops(self):  # type: ignore[no-untyped-def]
        return self._window.ops

    # --- the window's life --------------------------------------------------------------

    def attach(self) -> None:
        """A database was opened: close what showed the last one; carry on if running."""
        for dialog in (self.queue_dialog, self.printers_dialog, self.templates_dialog):
            if dialog is not None:
                dialog.close()
        self.queue_dialog = self.printers_dialog = self.templates_dialog = None
        self.timer.stop()
        if self._running:
            self.start()

    def start(self) -> None:
        """Start sending, once the window has settled (see start_now)."""
        self._running = True
        self._first.start()

    def start_now(self) -> None:
        """Plug in system printers, settle jobs a crash left mid-send, and send what is due."""
        from app.domain.errors import DomainError
        from app.printing.system import register_system_transport
        from app.services import print_jobs

        backroom = self.backroom()
        if backroom is None:
            return
        self._first.stop()
        register_system_transport()
        self._running = True
        try:
            interrupted = backroom.act(
                print_jobs.recover_interrupted, self._printer_names(backroom))
        except DomainError as exc:
            interrupted = 0
            self._window.statusBar().showMessage(f"Could not look at the print queue: {exc}",
                                                 15_000)
        if interrupted:
            self._window.statusBar().showMessage(
                f"{formatting.count(interrupted, 'print job')} stopped mid-send when Backroom "
                "last closed and may have printed: check, then Reprint or Cancel (View > "
                "Print queue).", 30_000)
            self.changed.emit()
        self.look.start()
        self.refresh()
        self.send_soon()

    def stop(self) -> None:
        """The window is closing: no new runs (ops cancels the one going)."""
        self._running = False
        self.timer.stop()
        self.look.stop()
        self._first.stop()

    # --- sending ------------------------------------------------------------------------

    def _printer_names(self, backroom: Backroom) -> list[str]:
        from app.domain.errors import DomainError
        from app.services import printers

        try:
            return [p.name for p in printers.printer_list(backroom)]
        except DomainError:  # printers.json cannot be read: the dialog says why
            return []

    def send_soon(self) -> Job | None:
        """Send what is due now, off the GUI thread; if a run is going, one more follows it.
        When nothing is due yet, the timer is set for when something will be."""
        from app.services import print_jobs

        backroom = self.backroom()
        if not self._running or backroom is None:
            return None
        if self.send_job is not None:
            self._again = True
            return self.send_job
        names = self._printer_names(backroom)
        if not names:
            self.refresh()
            return None
        from app.printing.system import register_system_transport

        register_system_transport()  # before the first run, even if start_now is still to come
        now = datetime.now(UTC)
        with backroom.session() as session:
            due = print_jobs.next_due(session, names, now)
        if due is None or due > now:
            self._wake_at(due)
            self.refresh()
            return None
        return self._start()

    def _wake_at(self, due: datetime | None) -> None:
        self.timer.stop()
        if due is not None and self._running:
            ms = (due - datetime.now(UTC)).total_seconds() * 1000
            self.timer.start(int(min(max(ms + 50, 200), LOOK_EVERY_MS)))

    def _start(self) -> Job:
        from app.services import print_jobs, printers

        def work(ctx: JobContext) -> PrintRun:
            backroom = ctx.backroom
            configs = lambda: printers.printer_list(backroom)  # noqa: E731 - read afresh
            results: list[SendResult] = []
            while not ctx.cancelled and len(results) < MOST_PER_RUN:
                result = print_jobs.send_next(backroom, configs)
                if result is None:
                    break
                results.append(result)
            names = [p.name for p in configs()]
            return PrintRun(tuple(results), print_jobs.next_due(ctx.session, names))

        self.button.show_state(self.state, sending=True)
        # Not a writing job: a printer may take seconds to answer, and the queue's own
        # writes are short (and wait for a busy database themselves).
        self.send_job = self.ops.run(PRINTING, work, on_finished=self._sent,
                                     on_failed=self._send_failed, quiet=True)
        return self.send_job

    def _job_ended(self, job: Job) -> None:
        if job is not self.send_job:
            return
        self.send_job = None
        if self._again and self._running:
            self._again = False
            self.send_soon()

    def _sent(self, run: PrintRun) -> None:
        printed = [r for r in run.results if r.status == "printed"]
        failed = [r for r in run.results if r.status != "printed"]
        bar = self._window.statusBar()
        if failed:
            last = failed[-1]
            words = ("may have printed" if last.status == "may_have_printed"
                     else "did not print")
            bar.showMessage(f"{formatting.count(last.labels, 'label')} on {last.printer} "
                            f"{words}: {last.error or ''}", 20_000)
        elif printed:
            labels = sum(r.labels for r in printed)
            where = ", ".join(dict.fromkeys(r.printer for r in printed))
            bar.showMessage(f"Printed {formatting.count(labels, 'label')} on {where}.", 5_000)
        self._wake_at(run.next_due)
        self.refresh()
        self.changed.emit()
        self.runFinished.emit(run)

    def _send_failed(self, message: str) -> None:
        self._window.statusBar().showMessage(f"Labels not printed: {message}", 20_000)
        self.refresh()
        self.changed.emit()

    def _heard(self, changes: Changes) -> None:
        """Goods received or tasks made may have queued labels to print automatically."""
        if changes.touches("tasks", "stock", "products"):
            QTimer.singleShot(0, self.send_soon)

    # --- the status bar -----------------------------------------------------------------

    def refresh(self) -> QueueState:
        """Read what waits on this computer's printers and say it in the status bar."""
        from app.domain.errors import DomainError
        from app.services import print_jobs

        backroom = self.backroom()
        if backroom is None:
            self.button.hide()
            return QueueState()
        names = set(self._printer_names(backroom))
        try:
            rows = backroom.read(print_jobs.job_list, limit=1000, statuses=OUTSTANDING)
        except DomainError:
            rows = ()
        self.state = queue_state([r for r in rows if r.printer in names])
        self.button.show_state(self.state, sending=self.send_job is not None)
        return self.state

    def queued(self, message: str = "") -> None:
        """Call after queueing labels: say so, and send them now."""
        if message:
            self._window.statusBar().showMessage(message, 5_000)
        self.changed.emit()
        self.send_soon()
        self.refresh()

    # --- dialogs ------------------------------------------------------------------------

    def _raise(self, dialog: QWidget) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def show_queue(self) -> PrintQueueDialog:
        from app.ui.dialogs.print_queue import PrintQueueDialog

        if self.queue_dialog is None:
            self.queue_dialog = PrintQueueDialog(self.backroom, self, self._window)
        else:
            self.queue_dialog.reload()
        self._raise(self.queue_dialog)
        return self.queue_dialog

    def show_printers(self) -> PrintersDialog:
        from app.ui.dialogs.printers import PrintersDialog

        if self.printers_dialog is not None:
            self.printers_dialog.close()
        self.printers_dialog = PrintersDialog(self.backroom, self.ops, self, self._window)
        self._raise(self.printers_dialog)
        return self.printers_dialog

    def show_templates(self) -> LabelTemplatesDialog:
        from app.ui.dialogs.label_templates import LabelTemplatesDialog

        if self.templates_dialog is None:
            self.templates_dialog = LabelTemplatesDialog(self.backroom, self._window)
        self._raise(self.templates_dialog)
        return self.templates_dialog
