"""What the order and task dialogs share: a body rebuilt after every change, and
read-only tables of lines and history."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.styles import RIGHT


class DetailDialog(QDialog):
    """One thing (an order, a task) shown whole; after a change its body is read again."""

    changesMade = Signal(object)  # Changes

    def __init__(self, parent: QWidget | None, minimum: tuple[int, int]):
        super().__init__(parent)
        self.setMinimumSize(*minimum)
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._body: QWidget | None = None

    def _build(self) -> QWidget:
        raise NotImplementedError

    def _rebuild(self) -> None:
        old, self._body = self._body, self._build()
        if old is None:
            self._outer.addWidget(self._body)
        else:
            self._outer.replaceWidget(old, self._body)
            old.deleteLater()


def read_only_table(headers: list[str], rows: Iterable[list[str]], *, stretch: int,
                    numeric: Iterable[int] = (), wrap: bool = False) -> QTableWidget:
    rows = list(rows)
    right = set(numeric)
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(wrap)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c in right:
                item.setTextAlignment(RIGHT)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table
