"""The Reorder view: every stocked product's suggestion, each number with how it was reached,
and the chosen ones turned into draft purchase orders, one per supplier.

The list is worked out in the background (a few seconds at 100,000 products); filtering,
searching and sorting then happen on the rows in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.domain.reorder import STATUS_LABELS, ReorderSettings, ReorderStatus
from app.services import reorder
from app.services.context import Backroom
from app.services.reorder import ReorderList, ReorderRow
from app.ui import formatting
from app.ui.ops import Job, JobContext, Ops
from app.ui.styles import LEFT, RIGHT

Index = QModelIndex | QPersistentModelIndex
STATUS_COLOURS = {ReorderStatus.ORDER_NOW: QColor("#b3261e"),
                  ReorderStatus.NO_SUPPLIER: QColor("#9a6700"),
                  ReorderStatus.LOW_DATA: QColor("#6b6b6b"),
                  ReorderStatus.DISCONTINUED: QColor("#6b6b6b")}
FILTERS = (("Order now", (ReorderStatus.ORDER_NOW,)),
           ("Order now or no supplier", (ReorderStatus.ORDER_NOW, ReorderStatus.NO_SUPPLIER)),
           ("Low data", (ReorderStatus.LOW_DATA,)),
           ("All", ()))


def _num(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


# header, text, sort key, numeric
COLUMNS: tuple[tuple[str, Callable[[ReorderRow], str], Callable[[ReorderRow], Any], bool],
               ...] = (
    ("SKU", lambda r: r.suggestion.sku, lambda r: r.suggestion.sku, False),
    ("Product", lambda r: r.title, lambda r: r.title.casefold(), False),
    ("Status", lambda r: STATUS_LABELS[r.suggestion.status],
     lambda r: list(ReorderStatus).index(r.suggestion.status), False),
    ("Supplier", lambda r: r.suggestion.supplier_name, lambda r: r.suggestion.supplier_name,
     False),
    ("Sold", lambda r: _num(r.units_sold), lambda r: r.units_sold, True),
    ("Days in stock", lambda r: _num(r.suggestion.days_in_stock),
     lambda r: r.suggestion.days_in_stock, True),
    ("A day", lambda r: "" if r.suggestion.daily_sales is None
     else f"{r.suggestion.daily_sales}", lambda r: r.suggestion.daily_sales or 0, True),
    ("Minimum", lambda r: "" if r.suggestion.low_data else _num(r.suggestion.minimum_level),
     lambda r: r.suggestion.minimum_level, True),
    ("Available", lambda r: _num(r.suggestion.available), lambda r: r.suggestion.available,
     True),
    ("On order", lambda r: _num(r.suggestion.on_order), lambda r: r.suggestion.on_order,
     True),
    ("Order", lambda r: _num(r.suggestion.order_qty) if r.suggestion.order_qty else "",
     lambda r: r.suggestion.order_qty, True),
    ("Cost", lambda r: formatting.money(r.suggestion.unit_cost.minor * r.suggestion.order_qty,
                                        r.suggestion.unit_cost.currency)
     if r.suggestion.unit_cost and r.suggestion.order_qty else "",
     lambda r: (r.suggestion.unit_cost.minor * r.suggestion.order_qty)
     if r.suggestion.unit_cost else 0, True),
)
PRODUCT_COLUMN = 1


class ReorderModel(QAbstractTableModel):
    """The suggestions shown: filtered by status and search, sorted in memory."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.all_rows: tuple[ReorderRow, ...] = ()
        self.rows: list[ReorderRow] = []
        self.statuses: tuple[ReorderStatus, ...] = FILTERS[0][1]
        self.search = ""
        self._sort: tuple[int, bool] = (0, False)

    def set_rows(self, rows: tuple[ReorderRow, ...]) -> None:
        self.all_rows = rows
        self._apply()

    def set_filter(self, statuses: tuple[ReorderStatus, ...], search: str) -> None:
        self.statuses, self.search = statuses, search.strip().casefold()
        self._apply()

    def _apply(self) -> None:
        wanted, text = set(self.statuses), self.search
        rows = [r for r in self.all_rows
                if (not wanted or r.suggestion.status in wanted)
                and (not text or text in r.suggestion.sku.casefold()
                     or text in r.title.casefold())]
        column, descending = self._sort
        rows.sort(key=COLUMNS[column][2], reverse=descending)
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        header, text, _key, numeric = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if numeric else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and header == "Status":
            colour = STATUS_COLOURS.get(row.suggestion.status)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.FontRole and header in ("Status", "Order") \
                and row.suggestion.status is ReorderStatus.ORDER_NOW:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.suggestion.explanation
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if COLUMNS[section][3] else LEFT)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self._apply()


class ReorderDialog(QDialog):
    """`changesMade(Changes)` once drafts were made; `loaded()` each time the list is in."""

    changesMade = Signal(object)
    loaded = Signal()

    def __init__(self, backroom: Callable[[], Backroom], ops: Ops,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self._ops = backroom, ops
        self.job: Job | None = None
        self.result: ReorderList | None = None
        self.made: reorder.DraftsMade | None = None
        self.setWindowTitle("Reorder")
        self.resize(1280, 760)

        saved = backroom().read(reorder.reorder_settings)
        self.window_days = self._spin(1, 730, saved.window_days, " days",
                                      "How far back sales are looked at.")
        self.safety_days = self._spin(0, 365, saved.safety_days, " days",
                                      "Extra days of stock kept on top of the supplier's "
                                      "lead time.")
        self.days_between = self._spin(0, 365, saved.days_between_orders, " days",
                                       "How long one order should last.")
        self.minimum_sales = self._spin(1, 1000, saved.minimum_sales, " sales",
                                        "Fewer sales than this in the window is too little "
                                        "to forecast from: the product is marked low data.")
        self.recalculate_button = QPushButton("Recalculate")
        self.recalculate_button.setToolTip("Work the list out again with these settings, "
                                           "without saving them.")
        self.recalculate_button.clicked.connect(self.recalculate)
        self.save_button = QPushButton("Save settings")
        self.save_button.setToolTip("Keep these settings for the list and for low-stock "
                                    "alerts.")
        self.save_button.clicked.connect(self.save_settings)
        settings_box = QGroupBox("Settings")
        row = QHBoxLayout(settings_box)
        for text, spin in (("Sales window", self.window_days), ("Safety", self.safety_days),
                           ("Days between orders", self.days_between),
                           ("Minimum sales", self.minimum_sales)):
            row.addWidget(QLabel(text))
            row.addWidget(spin)
            row.addSpacing(12)
        row.addStretch(1)
        row.addWidget(self.recalculate_button)
        row.addWidget(self.save_button)

        self.filter = QComboBox()
        for text, statuses in FILTERS:
            self.filter.addItem(text, statuses)
        self.filter.currentIndexChanged.connect(self._refilter)
        self.search = QLineEdit(placeholderText="Search SKU or product", clearButtonEnabled=True)
        self.search.setMinimumWidth(260)
        self.search.textChanged.connect(self._refilter)
        self.summary = QLabel("Working out the suggestions…")
        self.summary.setStyleSheet("color: #6b6b6b;")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.filter)
        bar.addWidget(self.search)
        bar.addSpacing(12)
        bar.addWidget(self.summary, 1)

        self.model = ReorderModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(60)
        header.setStretchLastSection(False)
        widths = (110, 260, 100, 160, 60, 100, 60, 76, 76, 72, 70, 90)
        for i, width in enumerate(widths):
            header.resizeSection(i, width)
        header.setSectionResizeMode(PRODUCT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._selected)

        self.working_title = QLabel("<b>How it was worked out</b>")
        self.working = QPlainTextEdit(readOnly=True)
        self.working.setPlaceholderText("Choose a product to see each number and how it was "
                                        "reached.")
        working_box = QWidget()
        working_layout = QVBoxLayout(working_box)
        working_layout.setContentsMargins(0, 0, 0, 0)
        working_layout.addWidget(self.working_title)
        working_layout.addWidget(self.working, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(working_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([520, 190])

        self.draft_button = QPushButton("Make draft purchase orders")
        self.draft_button.setToolTip("One draft per supplier for the selected products that "
                                     "need ordering now; review and send them in Purchase "
                                     "orders.")
        self.draft_button.clicked.connect(self.make_drafts)
        self.choose_all_button = QPushButton("Select all to order")
        self.choose_all_button.clicked.connect(self.select_all_to_order)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.choose_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.draft_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(settings_box)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self._enable()
        self.table.setFocus()
        self.recalculate()

    @staticmethod
    def _spin(low: int, high: int, value: int, suffix: str, tip: str) -> QSpinBox:
        spin = QSpinBox(minimum=low, maximum=high, suffix=suffix)
        spin.setValue(value)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.setToolTip(tip)
        return spin

    def settings(self) -> ReorderSettings:
        return ReorderSettings(self.window_days.value(), self.safety_days.value(),
                               self.days_between.value(), self.minimum_sales.value())

    # --- working the list out -----------------------------------------------------------

    def recalculate(self) -> Job | None:
        """Work the list out in the background with the settings as they stand."""
        if self.job is not None:
            return None
        settings = self.settings()
        started = time.perf_counter()

        def work(ctx: JobContext) -> tuple[ReorderList, float]:
            return reorder.suggestions(ctx.session, settings), time.perf_counter() - started

        self.summary.setText("Working out the suggestions…")
        self.job = self._ops.run("Working out reorder suggestions", work,
                                 on_finished=self._done, on_failed=self._failed, quiet=True)
        self._enable()
        return self.job

    def _done(self, outcome: tuple[ReorderList, float]) -> None:
        self.job = None
        self.result, took = outcome
        self.model.set_rows(self.result.rows)
        if self.model.rowCount() == 0 and self.filter.currentIndex() == 0:
            self.filter.setCurrentIndex(len(FILTERS) - 1)  # nothing to order: show them all
        self._summarise(took)
        self._enable()
        self._selected()
        self.loaded.emit()

    def _failed(self, message: str) -> None:
        self.job = None
        self.summary.setText(message)
        self._enable()

    def _summarise(self, took: float | None = None) -> None:
        if self.result is None:
            return
        r = self.result
        parts = [f"{r.count(ReorderStatus.ORDER_NOW):,} to order now",
                 f"{r.count(ReorderStatus.NO_SUPPLIER):,} with no supplier",
                 f"{r.count(ReorderStatus.LOW_DATA):,} low data",
                 formatting.count(len(r.rows), "product")]
        when = f"worked out {formatting.when(r.computed_at)}"
        if took is not None:
            when += f" in {took:.1f} s" if took >= 0.1 else " in under 0.1 s"
        shown = f"{self.model.rowCount():,} shown · " if self.model.rowCount() != len(r.rows) \
            else ""
        self.summary.setText(f"{shown}{' · '.join(parts)} · {when}")

    def _refilter(self) -> None:
        self.model.set_filter(self.filter.currentData(), self.search.text())
        self._summarise()
        self._selected()

    # --- choosing -----------------------------------------------------------------------

    def selected_rows(self) -> list[ReorderRow]:
        """The chosen rows, read from the selection's ranges (10,000 rows stay quick)."""
        rows = sorted({r for span in self.table.selectionModel().selection()
                       for r in range(span.top(), span.bottom() + 1)})
        return [self.model.rows[r] for r in rows if r < len(self.model.rows)]

    def select_all_to_order(self) -> None:
        """Choose every product shown that needs ordering now (in runs, so 10,000 are quick)."""
        chosen = QItemSelection()
        last = len(COLUMNS) - 1
        start = None
        for r, row in enumerate([*self.model.rows, None]):
            wanted = row is not None and row.suggestion.status is ReorderStatus.ORDER_NOW
            if wanted and start is None:
                start = r
            elif not wanted and start is not None:
                chosen.select(self.model.index(start, 0), self.model.index(r - 1, last))
                start = None
        self.table.selectionModel().select(
            chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._selected()

    def _selected(self, *_args: object) -> None:
        rows = self.selected_rows()
        self._enable(rows)
        if len(rows) == 1:
            s = rows[0].suggestion
            self.working_title.setText(f"<b>{s.sku}</b> — {rows[0].title}")
            self.working.setPlainText("\n\n".join(s.lines))
        elif rows:
            to_order = [r for r in rows if r.suggestion.status is ReorderStatus.ORDER_NOW]
            self.working_title.setText(f"<b>{len(rows):,} products chosen</b>")
            self.working.setPlainText(
                f"{len(to_order):,} of them need ordering now, from "
                f"{len({r.suggestion.supplier_id for r in to_order}):,} supplier(s).\n\n"
                "Make draft purchase orders puts them on one draft per supplier.")
        else:
            self.working_title.setText("<b>How it was worked out</b>")
            self.working.clear()

    def _enable(self, chosen: list[ReorderRow] | None = None) -> None:
        idle = self.job is None
        self.recalculate_button.setEnabled(idle)
        self.save_button.setEnabled(idle)
        chosen = self.selected_rows() if chosen is None else chosen
        to_order = idle and any(r.suggestion.status is ReorderStatus.ORDER_NOW for r in chosen)
        self.draft_button.setEnabled(to_order)
        self.choose_all_button.setEnabled(idle and self.model.rowCount() > 0)

    # --- acting -------------------------------------------------------------------------

    def save_settings(self) -> None:
        try:
            settings = self.settings()
            changes = self._backroom().act(reorder.save_reorder_settings, settings)
        except DomainError as exc:
            QMessageBox.warning(self, "Settings not saved", str(exc))
            return
        self.changesMade.emit(changes)
        self.recalculate()

    def make_drafts(self) -> None:
        ids = [r.suggestion.product_id for r in self.selected_rows()
               if r.suggestion.product_id is not None]
        try:
            made = self._backroom().act(reorder.make_draft_purchase_orders, ids,
                                        self.result.settings if self.result else None)
        except DomainError as exc:
            QMessageBox.warning(self, "No draft purchase orders made", str(exc))
            return
        self.made = made
        if made.drafts:
            self.changesMade.emit(made.changes)
        self.inform("Draft purchase orders", made.summary + (
            "\n\nReview and send them in Purchase orders." if made.drafts else ""))
        self.recalculate()

    def inform(self, title: str, text: str) -> None:
        """Say what happened (tests replace this to read it)."""
        QMessageBox.information(self, title, text)
