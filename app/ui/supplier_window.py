"""The window a supplier signed in to Backroom gets: its own tasks, its notices, nothing
of the shop's (no tabs, no settings, no other suppliers, no finance).

What it may read and do is decided by the services (they keep a supplier to its own
tasks); this window only leaves out what would be refused anyway.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QWidget

from app import __version__
from app.config import database_name
from app.domain.changes import EVERYTHING, Changes
from app.services.context import Backroom
from app.services.supplier_tasks import TaskRow
from app.ui.ops import Ops
from app.ui.tabs.my_tasks import MyTasksTab
from app.ui.widgets.notifier import Notifier


class SupplierWindow(QMainWindow):
    """Owns the supplier's open Backroom and closes it when the window closes."""

    def __init__(self, backroom: Backroom, parent: QWidget | None = None):
        super().__init__(parent)
        viewer = backroom.viewer
        if viewer is None or not viewer.is_supplier:
            raise ValueError("the supplier window is for a supplier signed in")
        self.backroom: Backroom | None = backroom
        self.config = backroom.config
        self.ops = Ops(lambda: self.backroom, self)  # type: ignore[arg-type,return-value]
        self.setWindowTitle(f"Backroom — My tasks — {viewer.display_name}")
        self.setMinimumSize(900, 560)
        self.resize(1280, 800)

        self.tasks = MyTasksTab(lambda: self.backroom, self.ops, self)  # type: ignore[arg-type,return-value]
        self.tasks.countChanged.connect(self._show_count)
        self.tasks.rowActivated.connect(self.open_task)
        self.tasks.changesMade.connect(self.apply_changes)
        self.setCentralWidget(self.tasks)

        bar = self.statusBar()
        self.count_label = QLabel()
        bar.addWidget(self.count_label, 1)
        who = QLabel(f"Signed in as {viewer.display_name} (supplier) · "
                     f"{database_name(self.config.database_url)}")
        who.setStyleSheet("color: #6b6b6b; padding: 0 6px;")
        bar.addPermanentWidget(who)
        self.notifier = Notifier(self, sends_mail=False)  # the workshop's window sends mail
        bar.addPermanentWidget(self.notifier.button)
        self._build_menus()

        self.tasks.refresh()
        self.tasks.announce()
        self.notifier.attach()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view = self.menuBar().addMenu("&View")
        self._action(view, "&Refresh", lambda: self.apply_changes(EVERYTHING),
                     QKeySequence.StandardKey.Refresh)
        self._action(view, "&Notifications", self.notifier.show_notifications, "Ctrl+Shift+N")
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Backroom", self.about)

    def _action(self, menu, text, slot, shortcut=None) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _show_count(self, text: str) -> None:
        self.count_label.setText(text)

    def apply_changes(self, changes: Changes) -> None:
        self.tasks.apply_changes(changes, visible=True)
        self.notifier.refresh_count()

    def open_task(self, row: TaskRow) -> None:
        """The task's own window, with the supplier's steps only."""
        from app.ui.dialogs.task_detail import TaskDialog

        dialog = TaskDialog(lambda: self.backroom, row.id, self)  # type: ignore[arg-type,return-value]
        dialog.changesMade.connect(self.apply_changes)
        dialog.exec()

    def about(self) -> None:
        QMessageBox.about(
            self, "About Backroom",
            f"<h3>Backroom {__version__}</h3>"
            "<p>You are signed in as a supplier: you see the tasks the workshop gave you, "
            "and what you change here the workshop sees at once.</p>")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.notifier.stop()
        self.ops.wait_all()
        if self.backroom is not None:
            self.backroom.close()
            self.backroom = None
        super().closeEvent(event)
