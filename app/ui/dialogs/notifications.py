"""The notification list: newest first, unread in bold; reading one marks it read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import notifications
from app.services.context import Backroom
from app.services.notifications import NotificationView
from app.ui import formatting

SHOWN = 200


class NotificationsDialog(QDialog):
    readChanged = Signal()

    def __init__(self, backroom: Callable[[], Backroom | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Notifications")
        self.resize(760, 520)
        self.rows: tuple[NotificationView, ...] = ()
        self._marking = False

        self.summary = QLabel()
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["When", "Notice"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setPlaceholderText("Choose a notice to read it.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([320, 140])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.mark_all_button = QPushButton("Mark all read")
        self.mark_all_button.clicked.connect(self.mark_all_read)
        buttons.addButton(self.mark_all_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        self.rows = backroom.read(notifications.notification_list, SHOWN)
        unread = backroom.read(notifications.unread_count)
        self.table.setRowCount(len(self.rows))
        for r, note in enumerate(self.rows):
            when = QTableWidgetItem(formatting.when(note.created_at))
            title = QTableWidgetItem(note.title)
            title.setToolTip(note.body)
            for item in (when, title):
                self._style(item, note.unread)
            self.table.setItem(r, 0, when)
            self.table.setItem(r, 1, title)
        if not self.rows:
            self.summary.setText("No notifications yet. Backroom tells you here when a "
                                 "supplier finishes a task, turns one down or is late.")
        else:
            shown = (f" (the newest {SHOWN:,} are listed)"
                     if len(self.rows) == SHOWN else "")
            self.summary.setText(f"{formatting.count(unread, 'unread notice')}{shown}")
        self.mark_all_button.setEnabled(unread > 0)
        self.detail.clear()

    def reload_if_shown(self, _n: int = 0) -> None:
        if self.isVisible() and not self._marking:
            self.reload()

    @staticmethod
    def _style(item: QTableWidgetItem, unread: bool) -> None:
        font = QFont(item.font())
        font.setBold(unread)
        item.setFont(font)

    def is_bold(self, row: int) -> bool:
        item = self.table.item(row, 1)
        return item is not None and item.font().bold()

    def _selected(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if not rows:
            return
        r = min(rows)
        note = self.rows[r]
        self.detail.setPlainText(f"{note.title}\n{formatting.when(note.created_at)}\n\n"
                                 f"{note.body}")
        if note.unread:
            backroom = self._backroom()
            if backroom is None:
                return
            backroom.act(notifications.mark_read, [note.id])
            for c in range(2):
                item = self.table.item(r, c)
                if item is not None:
                    self._style(item, False)
            self.rows = (*self.rows[:r], _read(note), *self.rows[r + 1:])
            unread = backroom.read(notifications.unread_count)
            self.summary.setText(formatting.count(unread, "unread notice"))
            self.mark_all_button.setEnabled(unread > 0)
            self._marking = True  # the count changes because of us: keep the list as it is
            try:
                self.readChanged.emit()
            finally:
                self._marking = False

    def mark_all_read(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        backroom.act(notifications.mark_all_read)
        self.reload()
        self.readChanged.emit()


def _read(note: NotificationView) -> NotificationView:
    return replace(note, read_at=datetime.now(UTC))
