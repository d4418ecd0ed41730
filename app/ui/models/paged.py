"""A table model that reads pages from a service query: keyset paging, sort and search in SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from app.services.context import Backroom
from app.services.paging import PageRequest
from app.ui.styles import LEFT, RIGHT

Index = QModelIndex | QPersistentModelIndex
WARNING = QBrush(QColor("#b3261e"))
MUTED = QBrush(QColor("#6b6b6b"))


@dataclass(frozen=True)
class Column:
    """One column: its header, how a row reads in it, and the service's sort key (if any)."""

    header: str
    text: Callable[[Any], str]
    sort_key: str = ""
    numeric: bool = False
    warn: Callable[[Any], bool] | None = None  # shown in red when true
    tooltip: Callable[[Any], str] | None = None


class PagedTableModel(QAbstractTableModel):
    """Rows come a page at a time from `source.list_page`; more as the view scrolls."""

    countChanged = Signal(int)
    pageLoaded = Signal()

    def __init__(self, backroom: Callable[[], Backroom], source: ModuleType,
                 columns: tuple[Column, ...], parent: Any = None):
        super().__init__(parent)
        self._backroom = backroom
        self._source = source
        self.columns = columns
        self._rows: list[Any] = []
        self._after: tuple[Any, ...] | None = None
        self.request = PageRequest()
        self._total = 0
        self._count_pending = False

    # --- what the view asks -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if col.numeric else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and col.warn is not None and col.warn(row):
            return WARNING
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip is not None:
            return col.tooltip(row)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if col.numeric else LEFT)
        if role == Qt.ItemDataRole.ToolTipRole and not col.sort_key:
            return f"{col.header} cannot be sorted"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._after is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._after is None:
            return
        page = self._backroom().read(self._source.list_page,
                                     replace(self.request, after=self._after))
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self._after = page.after
            self.endInsertRows()
        else:
            self._after = None
        self.pageLoaded.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sort_key:
            return
        self.request = replace(self.request, sort=self.columns[column].sort_key,
                               descending=order == Qt.SortOrder.DescendingOrder)
        self.reload(count=False)

    # --- what the tab asks --------------------------------------------------------------

    def set_search(self, text: str) -> None:
        if text.strip() != self.request.search:
            self.request = replace(self.request, search=text.strip())
            self.reload()

    def set_filter(self, name: str, value: Any) -> None:
        filters = {k: v for k, v in self.request.filters if k != name}
        if value not in (None, ""):
            filters[name] = value
        self.request = replace(self.request, filters=tuple(sorted(filters.items())))
        self.reload()

    def reload(self, count: bool = True) -> None:
        """Read the first page again (after a search, a sort, or a change elsewhere).

        The rows show first; the count follows as soon as they are painted.
        """
        page = self._backroom().read(self._source.list_page, replace(self.request, after=None))
        self.beginResetModel()
        self._rows = list(page.rows)
        self._after = page.after
        self.endResetModel()
        if count:
            self._count_pending = True
            QTimer.singleShot(0, self._count)
        self.pageLoaded.emit()

    @property
    def count_pending(self) -> bool:
        return self._count_pending

    @property
    def total(self) -> int:
        """How many rows the list holds (counted now if the count is still to come)."""
        self._count()
        return self._total

    def _count(self) -> None:
        backroom = self._backroom()
        if not self._count_pending or backroom is None:  # e.g. the window closed meanwhile
            return
        self._count_pending = False
        self._total = backroom.read(self._source.count,
                                            replace(self.request, after=None))
        self.countChanged.emit(self._total)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def sort_column(self) -> tuple[int, Qt.SortOrder] | None:
        for i, col in enumerate(self.columns):
            if col.sort_key and col.sort_key == self.request.sort:
                order = (Qt.SortOrder.DescendingOrder if self.request.descending
                         else Qt.SortOrder.AscendingOrder)
                return i, order
        return None
