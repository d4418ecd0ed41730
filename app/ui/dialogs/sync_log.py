"""The sync log: every exchange with a channel, newest first; a run's failed items, and the
channel's own text (raw payload) of the one selected, to see exactly what it sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
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

from app.domain.errors import DomainError
from app.services import channels, sync
from app.services.context import Backroom
from app.services.sync import RunItem, RunRow
from app.ui import formatting
from app.ui.styles import LEFT, RIGHT

RED = QBrush(QColor("#b3261e"))
STATUS_WORDS = {"running": "Running", "succeeded": "OK", "partial": "Some failed",
                "failed": "Failed", "refused": "Key refused"}
RUN_COLUMNS = ("Started", "Channel", "Status", "Took", "Fetched", "New", "Updated",
               "Stock sent", "Failed", "Error")
NUMERIC = frozenset({"Took", "Fetched", "New", "Updated", "Stock sent", "Failed"})
ITEM_COLUMNS = ("Item", "Outcome", "What went wrong")


def took(started: datetime, ended: datetime | None) -> str:
    if ended is None:
        return ""
    seconds = max(0.0, (ended - started).total_seconds())
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min {seconds % 60:02.0f} s"
    return f"{seconds // 3600:.0f} h {seconds % 3600 // 60:02.0f} min"


def readable_payload(payload: str) -> str:
    """JSON indented to read; anything else as it came."""
    try:
        return json.dumps(json.loads(payload), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return payload


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    for i, title in enumerate(columns):
        table.horizontalHeaderItem(i).setTextAlignment(RIGHT if title in NUMERIC else LEFT)
    return table


def _size(table: QTableWidget, widest: int = 260) -> None:
    header = table.horizontalHeader()
    table.resizeColumnsToContents()
    last = table.columnCount() - 1
    for i in range(last):
        header.resizeSection(i, min(header.sectionSize(i) + 12, widest))
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)


class SyncLogDialog(QDialog):
    def __init__(self, backroom: Callable[[], Backroom | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Sync log")
        self.resize(1180, 720)
        self.runs: tuple[RunRow, ...] = ()
        self.items: tuple[RunItem, ...] = ()

        self.channel = QComboBox()
        self.channel.setMinimumWidth(220)
        self.channel.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #6b6b6b;")
        head = QHBoxLayout()
        head.addWidget(QLabel("Channel"))
        head.addWidget(self.channel)
        head.addWidget(self.summary, 1)
        head.addWidget(self.refresh_button)

        self.run_table = _table(RUN_COLUMNS)
        self.run_table.itemSelectionChanged.connect(self._run_chosen)
        self.item_table = _table(ITEM_COLUMNS)
        self.item_table.itemSelectionChanged.connect(self._item_chosen)
        self.items_label = QLabel("Select a run to see what failed in it.", wordWrap=True)
        self.payload = QPlainTextEdit(readOnly=True)
        self.payload.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.payload.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.payload.setPlaceholderText("Select a failed item to see what the channel sent "
                                        "for it.")

        items_box = QWidget()
        items_layout = QVBoxLayout(items_box)
        items_layout.setContentsMargins(0, 0, 0, 0)
        items_layout.addWidget(self.items_label)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.item_table)
        payload_box = QWidget()
        payload_layout = QVBoxLayout(payload_box)
        payload_layout.setContentsMargins(0, 0, 0, 0)
        payload_layout.addWidget(QLabel("What the channel sent (raw payload)"))
        payload_layout.addWidget(self.payload, 1)
        lower.addWidget(payload_box)
        lower.setSizes([520, 640])
        items_layout.addWidget(lower, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.run_table)
        split.addWidget(items_box)
        split.setSizes([320, 360])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self._fill_channels()

    def _fill_channels(self, keep: int | None = None) -> None:
        backroom = self._backroom()
        self.channel.blockSignals(True)
        self.channel.clear()
        self.channel.addItem("All channels", None)
        if backroom is not None:
            try:
                for view in backroom.read(channels.channel_list):
                    self.channel.addItem(view.name, view.id)
            except DomainError:
                pass
        index = self.channel.findData(keep) if keep is not None else 0
        self.channel.setCurrentIndex(max(index, 0))
        self.channel.blockSignals(False)

    def show_channel(self, channel_id: int | None) -> None:
        """Show one channel's runs (None: every channel's)."""
        self._fill_channels(channel_id)
        self.reload()

    def reload_if_shown(self, *_args: object) -> None:
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        chosen = self.selected_run()
        try:
            self.runs = backroom.read(sync.sync_log, self.channel.currentData())
        except DomainError as exc:
            self.summary.setText(str(exc))
            self.runs = ()
        self.run_table.setRowCount(len(self.runs))
        for r, run in enumerate(self.runs):
            values = {
                "Started": formatting.when(run.started_at), "Channel": run.channel,
                "Status": STATUS_WORDS.get(run.status, formatting.status(run.status)),
                "Took": took(run.started_at, run.ended_at), "Fetched": f"{run.fetched:,}",
                "New": f"{run.created:,}", "Updated": f"{run.updated:,}",
                "Stock sent": f"{run.pushed:,}", "Failed": f"{run.failed:,}",
                "Error": run.error.replace("\n", " "),
            }
            for c, title in enumerate(RUN_COLUMNS):
                item = QTableWidgetItem(values[title])
                if title in NUMERIC:
                    item.setTextAlignment(RIGHT)
                bad = (title == "Status" and run.status == "failed") or (
                    title == "Failed" and run.failed) or title == "Error"
                if bad:
                    item.setForeground(RED)
                if title in ("Error", "Channel", "Status"):
                    item.setToolTip(run.error or run.source)
                self.run_table.setItem(r, c, item)
        _size(self.run_table)
        if not self.runs:
            self.summary.setText("No syncs yet.")
        else:
            failed = sum(1 for r in self.runs if r.status == "failed")
            self.summary.setText(f"{formatting.count(len(self.runs), 'run')}, newest first"
                                 + (f"; {failed:,} failed" if failed else "") + ".")
        ids = [r.id for r in self.runs]
        if chosen is not None and chosen.id in ids:
            self.run_table.selectRow(ids.index(chosen.id))
        self._run_chosen()

    def selected_run(self) -> RunRow | None:
        rows = self.run_table.selectionModel().selectedRows()
        return self.runs[rows[0].row()] if rows and rows[0].row() < len(self.runs) else None

    def select_run(self, run_id: int) -> None:
        ids = [r.id for r in self.runs]
        if run_id in ids:
            self.run_table.selectRow(ids.index(run_id))

    def _run_chosen(self) -> None:
        run, backroom = self.selected_run(), self._backroom()
        self.items = ()
        if run is not None and backroom is not None:
            self.items = backroom.read(sync.run_items, run.id)
        self.item_table.setRowCount(len(self.items))
        for r, it in enumerate(self.items):
            for c, value in enumerate((it.ref, formatting.status(it.outcome),
                                       it.message.replace("\n", " "))):
                item = QTableWidgetItem(value)
                if c == 2:
                    item.setToolTip(it.message)
                if it.outcome == "failed" and c == 1:
                    item.setForeground(RED)
                self.item_table.setItem(r, c, item)
        _size(self.item_table, widest=180)
        if run is None:
            self.items_label.setText("Select a run to see what failed in it.")
        elif not self.items:
            at = formatting.when(run.started_at)
            self.items_label.setText(f"The run of {at} failed as a whole: {run.error}"
                                     if run.error and run.status == "failed"
                                     else f"Nothing failed in the run of {at}.")
        else:
            self.items_label.setText(f"{formatting.count(len(self.items), 'item')} of the run "
                                     f"of {formatting.when(run.started_at)} failed:")
        if self.items:
            self.item_table.selectRow(0)
        self._item_chosen()

    def selected_item(self) -> RunItem | None:
        rows = self.item_table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _item_chosen(self) -> None:
        item = self.selected_item()
        if item is None:
            self.payload.clear()
        elif item.payload:
            self.payload.setPlainText(readable_payload(item.payload))
        else:
            self.payload.setPlainText(f"({item.ref}: the channel sent nothing more for this "
                                      f"item.)\n\n{item.message}")
