"""What a sync would do, from a preview run: the orders it would create and update, those it
would flag or change, what it could not read, and the stock it would send — nothing of it
was written or sent."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.sync import PREVIEW_PUSH_SHOWN, SyncReport
from app.ui.dialogs.sync_log import readable_payload
from app.ui.styles import RIGHT

TITLE = "Preview — nothing was changed"


def _words(lines: list[str], empty: str) -> QListWidget:
    box = QListWidget()
    box.addItems(lines or [empty])
    if not lines:
        box.item(0).setForeground(Qt.GlobalColor.gray)
    return box


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]], numeric: set[int]
           ) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    for c in range(len(headers)):
        table.horizontalHeaderItem(c).setTextAlignment(
            RIGHT if c in numeric else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            if c in numeric:
                item.setTextAlignment(RIGHT)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


class SyncPreviewDialog(QDialog):
    def __init__(self, report: SyncReport, parent: QWidget | None = None):
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(f"{TITLE} — {report.channel}")
        self.resize(900, 600)

        heading = QLabel(f"<h3 style='margin:0'>{TITLE}</h3>")
        said = QLabel(f"What a sync of <b>{_esc(report.channel)}</b> would do now. Nothing "
                      "was written here and nothing was sent to the channel.", wordWrap=True)
        said.setStyleSheet("color: #6b6b6b;")

        counts = QHBoxLayout()
        counts.setSpacing(8)
        shown = [("Orders fetched", report.fetched), ("Would create", report.created),
                 ("Would update", report.updated), ("Unchanged", report.unchanged),
                 ("Stock levels to send", len(report.would_push)),
                 ("Shipments to confirm", report.would_confirm),
                 ("Could not be read", report.failed)]
        self.count_labels: dict[str, QLabel] = {}
        for title, n in shown:
            tile = QFrame()
            tile.setFrameShape(QFrame.Shape.StyledPanel)
            value = QLabel(f"{n:,}")
            value.setAlignment(RIGHT)
            bad = title == "Could not be read" and n
            value.setStyleSheet("font-size: 18px; font-weight: bold;"
                                + (" color: #b3261e;" if bad else ""))
            name = QLabel(title)
            name.setAlignment(RIGHT)
            name.setStyleSheet("color: #6b6b6b;")
            cell = QVBoxLayout(tile)
            cell.setContentsMargins(10, 6, 10, 6)
            cell.addWidget(value)
            cell.addWidget(name)
            counts.addWidget(tile)
            self.count_labels[title] = value
        counts.addStretch(1)

        self.error = QLabel(report.error, wordWrap=True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setVisible(bool(report.error))

        self.tabs = QTabWidget()
        stock_rows = [(u.channel_sku, f"{u.available:,}", u.external_id)
                      for u in report.would_push]
        self.stock = _table(("Channel SKU", "Would show", "Channel's id"), stock_rows, {1})
        more = (f" (the first {PREVIEW_PUSH_SHOWN:,})"
                if len(report.would_push) >= PREVIEW_PUSH_SHOWN else "")
        self.tabs.addTab(self.stock, f"Stock to send ({len(report.would_push):,}{more})")
        self.flagged = _words(report.flagged, "No order would be flagged.")
        self.tabs.addTab(self.flagged, f"Flagged orders ({len(report.flagged):,})")
        self.changed = _words(report.changed, "No order changed on the channel.")
        self.tabs.addTab(self.changed, f"Changed orders ({len(report.changed):,})")
        self.problems = _table(("Item", "What went wrong"),
                               [(p.ref, p.message) for p in report.problems], set())
        self.problems.itemSelectionChanged.connect(self._problem_chosen)
        self.payload = QPlainTextEdit(readOnly=True)
        self.payload.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.payload.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.payload.setPlaceholderText("Select an item to see what the channel sent for it.")
        problems = QSplitter(Qt.Orientation.Vertical)
        problems.addWidget(self.problems)
        problems.addWidget(self.payload)
        self.tabs.addTab(problems, f"Could not be read ({report.failed:,})")
        if report.problems:
            self.tabs.setCurrentWidget(problems)
            self.problems.selectRow(0)
        elif not report.would_push and report.flagged:
            self.tabs.setCurrentWidget(self.flagged)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(said)
        layout.addLayout(counts)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def _problem_chosen(self) -> None:
        rows = self.problems.selectionModel().selectedRows()
        if not rows:
            self.payload.clear()
            return
        problem = self.report.problems[rows[0].row()]
        self.payload.setPlainText(readable_payload(problem.payload or "")
                                  or "(the channel sent nothing more for this item)")


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
