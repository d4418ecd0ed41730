"""Settings > Outbox: every e-mail Backroom sends, what became of it, and why one failed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.services import notifications
from app.services.context import Backroom
from app.services.notifications import OutboxRow
from app.services.paging import PageRequest
from app.ui import formatting
from app.ui.models.paged import Column, PagedTableModel

if TYPE_CHECKING:
    from app.ui.widgets.notifier import Notifier

SOURCE: Any = SimpleNamespace(list_page=notifications.outbox_page,
                              count=notifications.outbox_count)
SHOWING = (("Not sent yet", notifications.UNSENT), ("Failed", "failed"),
           ("Sent", "sent"), ("All", ""))


def _clock(moment: datetime) -> str:
    local = moment.astimezone()
    if local.date() == datetime.now(UTC).astimezone().date():
        return f"{local:%H:%M}"
    return formatting.when(moment)


def status_words(row: OutboxRow, now: datetime | None = None) -> str:
    """The message's state as a person says it."""
    now = now or datetime.now(UTC)
    if row.status == "sent":
        return f"Sent {formatting.when(row.sent_at)}"
    if row.status == "sending":
        return "Sending…"
    if row.status == "failed":
        tries = formatting.count(row.attempts, "try", "tries")
        if row.next_attempt_at is None or row.next_attempt_at <= now:
            return f"Failed ({tries}); trying again now"
        return f"Failed ({tries}); next try at {_clock(row.next_attempt_at)}"
    if row.error:
        return "Waiting to send again"
    return "Waiting to send"


COLUMNS = (
    Column("Queued", lambda r: formatting.when(r.created_at), "created"),
    Column("To", lambda r: r.to, "to"),
    Column("Subject", lambda r: r.subject, "subject", tooltip=lambda r: r.subject),
    Column("Status", status_words, "status", warn=lambda r: r.status == "failed"),
    Column("Tries", lambda r: str(r.attempts), "attempts", numeric=True),
    Column("Why it failed", lambda r: r.error or "", warn=lambda r: bool(r.error),
           tooltip=lambda r: r.error or ""),
)


WIDEST = (150, 200, 260, 260, 60, 2000)


class OutboxDialog(QDialog):
    def __init__(self, backroom: Callable[[], Backroom | None], notifier: Notifier,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self._notifier = notifier
        self.setWindowTitle("Outbox")
        self.resize(1100, 560)

        self.showing = QComboBox()
        for text, value in SHOWING:
            self.showing.addItem(text, value)
        self.showing.currentIndexChanged.connect(self._filter)
        self.summary = QLabel(wordWrap=True)

        self.model = PagedTableModel(backroom, SOURCE, COLUMNS, self)  # type: ignore[arg-type]
        self.model.request = PageRequest(sort="created", descending=True,
                                         filters=(("status", notifications.UNSENT),))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, self.model.sort_column()[1])  # type: ignore[index]
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self.empty = QLabel(wordWrap=True)
        self.empty.setStyleSheet("color: #6b6b6b;")
        self.detail = QLabel(wordWrap=True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(48)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.retry_button = QPushButton("Retry selected now")
        self.retry_button.clicked.connect(self.retry_selected)
        self.send_button = QPushButton("Send now")
        self.send_button.clicked.connect(self.send_now)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)

        head = QHBoxLayout()
        head.addWidget(QLabel("Show"))
        head.addWidget(self.showing)
        head.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.detail)
        layout.addWidget(buttons)
        notifier.sendFinished.connect(self._after_send)
        self.reload()
        self._size_columns()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        self.table.resizeColumnsToContents()
        for i, widest in enumerate(WIDEST):
            header.resizeSection(i, min(max(header.sectionSize(i) + 16, 60), widest))
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def reload(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        self.model.reload(count=False)
        counts = backroom.read(notifications.outbox_summary)
        set_up = backroom.read(notifications.smtp_settings) is not None
        waiting = counts.get("queued", 0) + counts.get("sending", 0)
        parts = [f"{waiting:,} waiting", f"{counts.get('failed', 0):,} failed",
                 f"{counts.get('sent', 0):,} sent"]
        text = ", ".join(parts) + "."
        if not set_up:
            text += " " + notifications.NOT_SET_UP
        elif counts.get("failed"):
            text += (" Failed messages are kept and tried again by themselves: after 1, 2, 4 "
                     "… minutes, then every hour.")
        self.summary.setText(text)
        self.empty.setText("" if self.model.rowCount() else "No messages here.")
        self.empty.setVisible(not self.model.rowCount())
        self._show_selected()
        self.send_button.setEnabled(set_up)

    def _show_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            self.detail.setText("")
            return
        r = rows[0]
        text = f"<b>{escape(r.subject)}</b> to {escape(r.to)}: {escape(status_words(r))}."
        if r.error:
            last = "Why it failed" if r.status == "failed" else "The last try failed"
            text += f"<br><span style='color:#b3261e'>{last}: {escape(r.error)}</span>"
        self.detail.setText(text)

    def _filter(self, _index: int) -> None:
        self.model.set_filter("status", self.showing.currentData())
        self.reload()

    def selected_rows(self) -> list[OutboxRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in rows]

    def retry_selected(self) -> None:
        backroom = self._backroom()
        chosen = self.selected_rows()
        if backroom is None or not chosen:
            return
        try:
            backroom.act(notifications.retry_now, [r.id for r in chosen])
        except DomainError as exc:
            QMessageBox.information(self, "Nothing to retry", str(exc))
            return
        self.reload()
        self._notifier.send_soon()

    def send_now(self) -> int:
        """Send everything still to go, failed messages too, without waiting for their next
        try; says so when there is nothing. How many were due."""
        backroom = self._backroom()
        if backroom is None:
            return 0
        try:
            due = backroom.act(notifications.send_all_now)
        except DomainError as exc:
            self.detail.setText(escape(str(exc)))
            return 0
        if not due:
            self.detail.setText("Nothing is waiting to be sent.")
            return 0
        self.reload()
        self.detail.setText(f"Sending {formatting.count(due, 'e-mail')}…")
        self._notifier.send_soon()
        return due

    def _after_send(self, _report: object) -> None:
        if self.isVisible():
            self.reload()
