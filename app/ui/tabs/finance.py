"""Finance tab: the month's sales, fees, costs and margin for each channel."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from app.domain.money import percent
from app.services import finance
from app.ui import formatting
from app.ui.models.paged import Column
from app.ui.tabs.base import ListTab


def _m(minor: int, row: finance.FinanceRow) -> str:
    return formatting.money(minor, row.currency)


class FinanceTab(ListTab):
    title = "Finance"
    noun = ("channel", "channels")
    source = finance
    default_sort = ("channel", False)
    stretch_column = 0
    watches = ("orders", "finance")
    columns = (
        Column("Channel", lambda r: r.channel, "channel"),
        Column("Currency", lambda r: r.currency),
        Column("Orders", lambda r: f"{r.orders:,}", "orders", numeric=True),
        Column("Sales", lambda r: _m(r.sales_minor, r), "sales", numeric=True,
               tooltip=lambda r: "Order totals less tax, for orders not cancelled or refunded"),
        Column("Fees", lambda r: _m(r.fees_minor, r), "fees", numeric=True,
               tooltip=lambda r: "What the channel kept"),
        Column("Costs", lambda r: _m(r.costs_minor, r), "costs", numeric=True,
               tooltip=lambda r: "Cost of the goods sold"),
        Column("Margin", lambda r: _m(r.margin_minor, r), "margin", numeric=True,
               warn=lambda r: r.margin_minor < 0),
        Column("Margin %", lambda r: percent(r.margin_minor, r.sales_minor), numeric=True),
    )

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.search.hide()
        bar.addWidget(QLabel("Month"))
        self.month = QComboBox()
        self.month.setMinimumWidth(170)
        self.month.currentIndexChanged.connect(
            lambda _i: self.model.set_filter("month", self.month.currentData()))
        bar.addWidget(self.month)
        self.summary = QLabel()
        self.summary.setStyleSheet("font-weight: 600; padding-left: 16px;")
        bar.addWidget(self.summary)
        self.model.modelReset.connect(self._summarise)

    def refresh(self) -> None:
        months = self.backroom().read(finance.months_with_orders)
        current = self.month.currentData()
        self.month.blockSignals(True)
        self.month.clear()
        for m in months:
            self.month.addItem(formatting.month(m), m)
        if current in months:
            self.month.setCurrentIndex(months.index(current))
        self.month.blockSignals(False)
        self.model.request = replace(self.model.request,
                                     filters=(("month", self.month.currentData()),))
        super().refresh()

    def empty_text(self) -> str:
        return f"No sales in {self.month.currentText() or 'this month'}."

    def _summarise(self) -> None:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for i in range(self.model.rowCount()):
            row = self.model.row_at(i)
            totals[row.currency][0] += row.margin_minor
            totals[row.currency][1] += row.sales_minor
        parts = [f"{formatting.money(m, cur)} ({percent(m, s)})"
                 for cur, (m, s) in sorted(totals.items())]
        self.summary.setText("Margin: " + " · ".join(parts) if parts else "")
