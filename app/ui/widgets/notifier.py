"""The window's notices: the unread count in the status bar, the Settings dialogs for e-mail,
and the background sender that empties the outbox.

The sender runs `deliver_outbox` through ops (never on the GUI thread), every minute and
right after something is queued, one run at a time: asking while a run is going makes one
more run follow it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from app.ui.ops import Job, JobContext

if TYPE_CHECKING:
    from app.services.context import Backroom
    from app.services.notifications import SendReport
    from app.ui.dialogs.email_settings import EmailSettingsDialog
    from app.ui.dialogs.message_templates import TemplatesDialog
    from app.ui.dialogs.notifications import NotificationsDialog
    from app.ui.dialogs.outbox import OutboxDialog
    from app.ui.main_window import MainWindow
    from app.ui.supplier_window import SupplierWindow

SEND_EVERY_MS = 60_000
SENDING = "Sending e-mail"


class NotificationsButton(QToolButton):
    """"3 new" in the status bar; a click opens the notification list."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.show_unread(0)

    def show_unread(self, n: int) -> None:
        if n:
            self.setText(f"{n:,} new")
            self.setStyleSheet("QToolButton { font-weight: bold; color: #0b57d0; "
                               "padding: 0 8px; }")
            self.setToolTip(f"{n:,} unread notification{'s' if n != 1 else ''}: "
                            "click to read them")
        else:
            self.setText("No new notices")
            self.setStyleSheet("QToolButton { color: #6b6b6b; padding: 0 8px; }")
            self.setToolTip("Notifications: tasks done, turned down or late")


class Notifier(QObject):
    """Owns the notifications button, the e-mail dialogs and the outbox sender."""

    countChanged = Signal(int)
    sendFinished = Signal(object)  # SendReport

    def __init__(self, window: MainWindow | SupplierWindow, sends_mail: bool = True):
        super().__init__(window)
        self._window = window
        self.sends_mail = sends_mail  # the workshop's window sends; a supplier's only reads
        self.button = NotificationsButton()
        self.button.setEnabled(False)
        self.button.clicked.connect(self.show_notifications)
        self.timer = QTimer(self)
        self.timer.setInterval(SEND_EVERY_MS)
        self.timer.timeout.connect(self.tick)
        self._soon = QTimer(self)  # the first look, once the tab's first page is shown
        self._soon.setSingleShot(True)
        self._soon.setInterval(300)
        self._soon.timeout.connect(self.tick)
        self.unread = 0
        self.send_job: Job | None = None
        self._again = False
        self._stopped = False
        self.notifications_dialog: NotificationsDialog | None = None
        self.outbox_dialog: OutboxDialog | None = None
        self.templates_dialog: TemplatesDialog | None = None
        self.email_dialog: EmailSettingsDialog | None = None
        self.actions: list[QAction] = []
        window.ops.ended.connect(self._job_ended)

    def _backroom(self) -> Backroom | None:
        return self._window.backroom

    # --- set-up from the window ---------------------------------------------------------

    def fill_settings_menu(self, menu: QMenu) -> list[QAction]:
        for text, slot in (("&E-mail…", self.show_email_settings),
                           ("Message &templates…", self.show_templates),
                           ("&Outbox…", self.show_outbox)):
            action = QAction(text, self._window)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions.append(action)
        return self.actions

    def attach(self) -> None:
        """A database is open: show its count soon and start the minute timer."""
        self.button.setEnabled(True)
        for dialog in (self.notifications_dialog, self.outbox_dialog, self.templates_dialog,
                       self.email_dialog):
            if dialog is not None:
                dialog.close()
        self.notifications_dialog = self.outbox_dialog = None
        self.templates_dialog = self.email_dialog = None
        self._stopped = False
        self.timer.start()
        self._soon.start()

    def stop(self) -> None:
        """The window is closing: no new sends."""
        self._stopped = True
        self.timer.stop()
        self._soon.stop()

    # --- the count ----------------------------------------------------------------------

    def tick(self) -> None:
        self.refresh_count()
        self.send_soon()

    def refresh_count(self) -> None:
        from app.services.notifications import unread_count

        backroom = self._backroom()
        if backroom is None:
            return
        self.unread = backroom.read(unread_count)
        self.button.show_unread(self.unread)
        self.countChanged.emit(self.unread)

    # --- the sender ---------------------------------------------------------------------

    def send_soon(self) -> Job | None:
        """Send what is due now, off the GUI thread; if a run is going, one more follows it."""
        from app.services.notifications import outbox_ready

        backroom = self._backroom()
        if self._stopped or backroom is None or not self.sends_mail:
            return None
        if self.send_job is not None:
            self._again = True
            return self.send_job
        if not backroom.read(outbox_ready):
            return None
        return self._start()

    def _start(self) -> Job:
        from app.services.notifications import deliver_outbox

        def work(ctx: JobContext) -> Any:
            return deliver_outbox(ctx.backroom.sessions, cancelled=lambda: ctx.cancelled)

        # Not a writing job: its transactions are short and SQLite queues them itself, so
        # other background work need not wait while a slow mail server answers.
        self.send_job = self._window.ops.run(SENDING, work, on_finished=self._sent,
                                             on_failed=self._send_failed)
        return self.send_job

    def _job_ended(self, job: Job) -> None:
        if job is not self.send_job:
            return
        self.send_job = None
        if self._again and not self._stopped:
            self._again = False
            self.send_soon()

    def _sent(self, report: SendReport) -> None:
        bar = self._window.statusBar()
        if report.problem and report.failed:
            bar.showMessage(f"E-mail not sent, tried again later (Settings > Outbox…): "
                            f"{report.problem}", 20_000)
        elif report.sent:
            bar.showMessage(f"Sent {report.sent} e-mail{'s' if report.sent != 1 else ''}.",
                            5_000)
        self.sendFinished.emit(report)

    def _send_failed(self, message: str) -> None:
        self._window.statusBar().showMessage(f"E-mail not sent: {message}", 20_000)
        from app.services.notifications import SendReport

        self.sendFinished.emit(SendReport(problem=message))

    # --- dialogs ------------------------------------------------------------------------

    def _raise(self, dialog: QWidget) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def show_notifications(self) -> NotificationsDialog:
        from app.ui.dialogs.notifications import NotificationsDialog

        if self.notifications_dialog is None:
            self.notifications_dialog = NotificationsDialog(self._backroom, self._window)
            self.notifications_dialog.readChanged.connect(self.refresh_count)
            self.countChanged.connect(self.notifications_dialog.reload_if_shown)
        else:
            self.notifications_dialog.reload()
        self._raise(self.notifications_dialog)
        return self.notifications_dialog

    def show_outbox(self) -> OutboxDialog:
        from app.ui.dialogs.outbox import OutboxDialog

        if self.outbox_dialog is None:
            self.outbox_dialog = OutboxDialog(self._backroom, self, self._window)
        else:
            self.outbox_dialog.reload()
        self._raise(self.outbox_dialog)
        return self.outbox_dialog

    def show_templates(self) -> TemplatesDialog:
        from app.ui.dialogs.message_templates import TemplatesDialog

        if self.templates_dialog is None:
            self.templates_dialog = TemplatesDialog(self._backroom, self._window)
        self._raise(self.templates_dialog)
        return self.templates_dialog

    def show_email_settings(self) -> EmailSettingsDialog:
        from app.ui.dialogs.email_settings import EmailSettingsDialog

        if self.email_dialog is not None:
            self.email_dialog.close()
        self.email_dialog = EmailSettingsDialog(self._backroom, self._window.ops,
                                                self._window)
        self.email_dialog.saved.connect(self.send_soon)
        self._raise(self.email_dialog)
        return self.email_dialog
