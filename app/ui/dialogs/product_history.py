"""One product's stock ledger: every movement newest first with the on-hand after it, and
a chart of its stock over time (drawn with QPainter: no chart library needed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.services import locations, product_history
from app.services.context import Backroom
from app.services.paging import PageRequest
from app.services.product_history import MovementRow, StockCurve
from app.ui import formatting
from app.ui.dialogs.locations import (
    GREY,
    AdjustStockDialog,
    MoveStockDialog,
    no_default_button,
    paged_view,
    size_columns,
)
from app.ui.models.paged import Column, PagedTableModel

REASON_WORDS = {"goods_in": "Goods in", "dispatch": "Dispatch", "return": "Return",
                "adjustment": "Adjustment", "count": "Stock check", "transfer": "Transfer",
                "damage": "Damage"}
GREEN = QColor("#1b6e20")
RED = QColor("#b3261e")
LINE = QColor("#2f5d9e")
FILL = QColor(47, 93, 158, 40)
RANGES = (("Last 30 days", 30), ("Last 90 days", 90), ("Last year", 365), ("All time", None))


def reason_words(reason: str) -> str:
    return REASON_WORDS.get(reason, reason.replace("_", " ").capitalize())


def signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"-{-n:,}"


COLUMNS = (
    Column("Date", lambda r: formatting.when(r.created_at)),
    Column("Reason", lambda r: reason_words(r.reason)),
    Column("Quantity", lambda r: signed(r.quantity), numeric=True),
    Column("Bin", lambda r: r.location),
    Column("Reference", lambda r: r.reference, tooltip=lambda r: r.reference),
    Column("Who", lambda r: r.actor),
    Column("On hand", lambda r: f"{r.on_hand:,}", numeric=True,
           warn=lambda r: r.on_hand < 0),
    Column("Note", lambda r: r.note, tooltip=lambda r: r.note),
)
WIDTHS = (150, 110, 90, 90, 200, 110, 90, 2000)
QUANTITY = 2


class _MovementsModel(PagedTableModel):
    """Quantities in: green; out: red."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() \
                and index.column() == QUANTITY and index.row() < self.rowCount():
            row: MovementRow = self.row_at(index.row())
            return QBrush(GREEN if row.quantity > 0 else RED)
        return super().data(index, role)


# --- the chart ------------------------------------------------------------------------------


def _nice_top(value: int) -> int:
    """A round number at or a little above value (at least 1), for the top of the axis."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            if m * step >= value and float(m * step).is_integer():
                return int(m * step)
        step *= 10


class StockChart(QWidget):
    """On hand over time as steps, with the axis values at the side and the dates below."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.curve: StockCurve | None = None
        self.empty_text = "No movements yet."  # shown when there is no curve to draw
        self.setMinimumHeight(150)

    def sizeHint(self) -> QSize:
        return QSize(640, 190)

    def set_curve(self, curve: StockCurve | None) -> None:
        self.curve = curve
        self.update()

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        metrics = painter.fontMetrics()
        curve = self.curve
        if curve is None or len(curve.points) < 2:
            painter.setPen(QColor(GREY))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        low = min(0, curve.lowest)
        high = _nice_top(curve.highest) if curve.highest > 0 else 1
        if low < 0:
            low = -_nice_top(-low)
        labels = [high, (high + low) // 2 if low < 0 else high // 2, low]
        labels = list(dict.fromkeys(labels))
        left = max(metrics.horizontalAdvance(f"{v:,}") for v in labels) + 12
        bottom = metrics.height() + 8
        plot = QRectF(left, 10, max(10, self.width() - left - 14),
                      max(10, self.height() - bottom - 16))
        start, end = curve.points[0][0], curve.points[-1][0]
        span = max((end - start).total_seconds(), 1.0)

        def x(at: datetime) -> float:
            return plot.left() + (at - start).total_seconds() / span * plot.width()

        def y(q: float) -> float:
            return plot.bottom() - (q - low) / (high - low) * plot.height()

        grid = QPen(QColor("#dddddd"))
        for value in labels:
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y(value)), QPointF(plot.right(), y(value)))
            painter.setPen(QColor(GREY))
            painter.drawText(QRectF(0, y(value) - metrics.height() / 2, left - 6,
                                    metrics.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{value:,}")
        if low < 0:
            painter.setPen(QPen(QColor("#999999")))
            painter.drawLine(QPointF(plot.left(), y(0)), QPointF(plot.right(), y(0)))

        path = QPainterPath()
        first_at, first_q = curve.points[0]
        path.moveTo(x(first_at), y(first_q))
        for (_at, q), (next_at, next_q) in zip(curve.points, curve.points[1:], strict=False):
            path.lineTo(x(next_at), y(q))
            path.lineTo(x(next_at), y(next_q))
        area = QPainterPath(path)
        area.lineTo(x(end), y(0))
        area.lineTo(x(first_at), y(0))
        area.closeSubpath()
        painter.fillPath(area, FILL)
        painter.setPen(QPen(LINE, 1.6))
        painter.drawPath(path)

        painter.setPen(QColor(GREY))
        baseline = plot.bottom() + 4
        for at, align in ((start, Qt.AlignmentFlag.AlignLeft),
                          (start + (end - start) / 2, Qt.AlignmentFlag.AlignHCenter),
                          (end, Qt.AlignmentFlag.AlignRight)):
            text = formatting.day(at.astimezone().date())
            width = metrics.horizontalAdvance(text) + 4
            left_edge = {Qt.AlignmentFlag.AlignLeft: x(at),
                         Qt.AlignmentFlag.AlignHCenter: x(at) - width / 2,
                         Qt.AlignmentFlag.AlignRight: x(at) - width}[align]
            painter.drawText(QRectF(left_edge, baseline, width, metrics.height()),
                             align | Qt.AlignmentFlag.AlignTop, text)


# --- the dialog -----------------------------------------------------------------------------


class ProductHistoryDialog(QDialog):
    """A product's movements and its stock over time, in all bins or one, with Move stock…
    and Adjust stock… at hand."""

    changesMade = Signal(object)  # Changes

    def __init__(self, backroom: Callable[[], Backroom], product_id: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self.product_id = backroom, product_id
        self.resize(1040, 700)
        self.title = QLabel(wordWrap=True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(wordWrap=True)
        self.bin = QComboBox()
        self.bin.setMinimumWidth(160)
        self.bin.currentIndexChanged.connect(self._bin_chosen)
        self.range = QComboBox()
        for text, days in RANGES:
            self.range.addItem(text, days)
        self.range.setCurrentIndex(1)
        self.range.currentIndexChanged.connect(lambda _i: self._draw())
        self.move_button = QPushButton("Move stock…")
        self.move_button.clicked.connect(self.move_stock)
        self.adjust_button = QPushButton("Adjust stock…")
        self.adjust_button.clicked.connect(self.adjust_stock)
        self.chart = StockChart()
        self.chart_title = QLabel()
        self.chart_title.setStyleSheet(f"color: {GREY};")

        source: Any = SimpleNamespace(list_page=product_history.list_page,
                                      count=product_history.count)
        self.model = _MovementsModel(backroom, source, COLUMNS, self)
        self.model.request = PageRequest(filters=(("product_id", product_id),))
        self.model.countChanged.connect(self._counted)
        self.table = paged_view(self.model)
        self.count = QLabel()
        self.count.setStyleSheet(f"color: {GREY};")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Bin"))
        bar.addWidget(self.bin)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Chart"))
        bar.addWidget(self.range)
        bar.addStretch(1)
        bar.addWidget(self.move_button)
        bar.addWidget(self.adjust_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        foot = QHBoxLayout()
        foot.addWidget(self.count, 1)
        foot.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart)
        layout.addWidget(self.table, 1)
        layout.addLayout(foot)
        no_default_button(self)
        self.refresh()
        size_columns(self.table, WIDTHS, len(COLUMNS) - 1)

    def location_id(self) -> int | None:
        return self.bin.currentData()

    def refresh(self) -> None:
        stock = self._backroom().read(locations.product_stock, self.product_id)
        self.setWindowTitle(f"History — {stock.sku}")
        self.title.setText(f"<b>{stock.sku}</b> — {stock.title}")
        bins = ", ".join(f"{b.code} ({b.on_hand:,})" for b in stock.bins if b.on_hand) \
            or "no bin"
        available = stock.on_hand - stock.reserved
        colour = "#b3261e" if available <= 0 else "inherit"
        self.summary.setText(
            f"On hand <b>{stock.on_hand:,}</b>, promised {stock.reserved:,}, available "
            f"<span style='color:{colour}'><b>{available:,}</b></span> — in {bins}"
            + (" — may go below zero" if stock.allow_negative_stock else ""))
        chosen = self.bin.currentData()
        self.bin.blockSignals(True)
        self.bin.clear()
        self.bin.addItem("All bins", None)
        for b in stock.bins:
            self.bin.addItem(b.code, b.location_id)
        self.bin.setCurrentIndex(max(0, self.bin.findData(chosen)))
        self.bin.blockSignals(False)
        self.model.set_filter("location_id", self.location_id())  # reads the first page
        self._draw()

    def _bin_chosen(self) -> None:
        self.model.set_filter("location_id", self.location_id())
        self._draw()

    def _draw(self) -> None:
        days = self.range.currentData()
        since = None if days is None else datetime.now(UTC) - timedelta(days=days)
        curve = self._backroom().read(product_history.stock_over_time, self.product_id,
                                      self.location_id(), since)
        self.chart.set_curve(curve)
        where = self.bin.currentText() if self.location_id() is not None else "all bins"
        per = {"day": ", summed per day", "month": ", summed per month"}.get(curve.per, "")
        self.chart_title.setText(f"On hand in {where}, {self.range.currentText().lower()}"
                                 f" ({formatting.count(curve.movements, 'movement')}{per})")

    def _counted(self, n: int) -> None:
        self.count.setText(formatting.count(n, "movement"))

    def _changed(self, changes: Changes | None) -> None:
        self.refresh()
        if changes is not None:
            self.changesMade.emit(changes)

    def move_stock(self) -> None:
        dialog = MoveStockDialog(self._backroom, self.product_id, self.location_id(), self)
        if dialog.exec():
            self._changed(dialog.changes)

    def adjust_stock(self) -> None:
        dialog = AdjustStockDialog(self._backroom, self.product_id, self.location_id(), self)
        if dialog.exec():
            self._changed(dialog.changes)
