"""What every list tab shares: a search box, a sortable table read page by page, a count."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.services.context import Backroom
from app.services.paging import PageRequest
from app.ui import formatting
from app.ui.models.paged import Column, PagedTableModel
from app.ui.ops import Ops

SEARCH_DELAY_MS = 250


class ListTab(QWidget):
    """A tab showing one list; loads when first shown, reloads when its data changes."""

    countChanged = Signal(str)
    titleChanged = Signal(str)  # the tab's label, when it carries a count
    rowActivated = Signal(object)  # the row's DTO
    changesMade = Signal(object)  # Changes, from an action started here

    title = ""
    noun = ("row", "rows")
    source: ModuleType
    columns: tuple[Column, ...] = ()
    default_sort: tuple[str, bool] = ("", False)  # sort key, descending
    stretch_column = 1
    watches: tuple[str, ...] = ()  # Changes flags that make this tab reload
    search_hint = "Search"

    def __init__(self, backroom: Callable[[], Backroom], ops: Ops,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.backroom = backroom
        self.ops = ops
        self.loaded = False
        self._stale = False
        self.model = PagedTableModel(backroom, self.source, self.columns, self)
        key, desc = self.default_sort
        self.model.request = PageRequest(sort=key, descending=desc)
        self.model.countChanged.connect(self._announce)
        self.model.modelReset.connect(self._show_or_empty)

        self.search = QLineEdit(placeholderText=self.search_hint, clearButtonEnabled=True)
        self.search.setMinimumWidth(340)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._debounce.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_now)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(60)
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.doubleClicked.connect(self._activated)

        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.setStyleSheet("color: #6b6b6b; font-size: 14px; padding: 40px;")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.bar = QHBoxLayout()
        self.bar.addWidget(self.search)
        self.add_controls(self.bar)
        self.bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.bar)
        layout.addWidget(self.stack, 1)

    # --- for subclasses -----------------------------------------------------------------

    def add_controls(self, bar: QHBoxLayout) -> None:
        """Filters and buttons beside the search box."""

    def update_title(self) -> None:
        """Tabs whose label counts something (overdue tasks...) say it here."""

    def empty_text(self) -> str:
        if self.model.request.search:
            return f"No {self.noun[1]} match “{self.model.request.search}”."
        return f"No {self.noun[1]} yet."

    # --- loading ------------------------------------------------------------------------

    def ensure_loaded(self) -> None:
        if not self.loaded or self._stale:
            self.refresh()

    def refresh(self) -> None:
        self.model.reload()
        if not self.loaded:
            self._size_columns()
            sort = self.model.sort_column()
            if sort is not None:
                header = self.table.horizontalHeader()
                header.blockSignals(True)
                header.setSortIndicator(*sort)
                header.blockSignals(False)
        self.loaded, self._stale = True, False

    def apply_changes(self, changes: Changes, visible: bool) -> None:
        if not changes.touches(*self.watches):
            return
        if visible and self.loaded:
            self.refresh()
        else:
            self._stale = True

    def announce(self) -> None:
        """Say the count in the status bar (once it is known)."""
        if self.model.count_pending:
            self.countChanged.emit("Counting…")
        else:
            self.countChanged.emit(self._count_text(self.model.total))

    def selected_rows(self) -> list[Any]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in rows]

    # --- internals ----------------------------------------------------------------------

    def _count_text(self, n: int) -> str:
        text = formatting.count(n, *self.noun)
        verb = "matches" if n == 1 else "match"
        return f"{text} {verb} “{self.model.request.search}”" if self.model.request.search \
            else text

    def _announce(self, n: int) -> None:
        self.countChanged.emit(self._count_text(n))

    def _search_now(self) -> None:
        self._debounce.stop()
        self.model.set_search(self.search.text())

    def _show_or_empty(self) -> None:
        if self.model.rowCount():
            self.stack.setCurrentWidget(self.table)
        else:
            self.empty.setText(self.empty_text())
            self.stack.setCurrentWidget(self.empty)

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(50)
        self.table.resizeColumnsToContents()
        for i in range(len(self.columns)):
            width = header.sectionSize(i)
            header.resizeSection(i, min(max(width + 24, 80), 360))
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.stretch_column, QHeaderView.ResizeMode.Stretch)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.rowActivated.emit(self.model.row_at(index.row()))
