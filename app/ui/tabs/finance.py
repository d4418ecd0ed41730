"""Finance tab: the month's sales, fees, costs and margin for each channel.

Adding up a month reads every order of it (a quarter of a million in a big shop), so it
runs as a background job; the tab shows at once and fills in when the sums are ready.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from app.domain.money import percent
from app.services import finance
from app.services.paging import Page, PageRequest
from app.ui import formatting
from app.ui.models.paged import Column
from app.ui.ops import JobContext
from app.ui.tabs.base import ListTab


def _m(minor: int, row: finance.FinanceRow) -> str:
    return formatting.money(minor, row.currency)


class _AddedUp:
    """The month's rows once added up; the table model reads and sorts them from here."""

    def __init__(self) -> None:
        self.rows: tuple[finance.FinanceRow, ...] = ()

    def list_page(self, _session: object, req: PageRequest) -> Page[finance.FinanceRow]:
        return Page(rows=finance.sort_rows(self._matching(req), req.sort, req.descending),
                    after=None)

    def count(self, _session: object, req: PageRequest) -> int:
        return len(self._matching(req))

    def _matching(self, req: PageRequest) -> tuple[finance.FinanceRow, ...]:
        words = req.search.lower().split()
        return tuple(r for r in self.rows
                     if all(w in f"{r.channel} {r.currency}".lower() for w in words))


class FinanceTab(ListTab):
    title = "Finance"
    noun = ("channel", "channels")
    source = _AddedUp()  # replaced per tab in __init__
    default_sort = ("channel", False)
    stretch_column = 0
    watches = ("orders", "finance")
    search_hint = "Search channel or currency"
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

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.source = _AddedUp()
        self._adding_up: date | None = None
        super().__init__(*args, **kwargs)

    def add_controls(self, bar: QHBoxLayout) -> None:
        bar.addWidget(QLabel("Month"))
        self.month = QComboBox()
        self.month.setMinimumWidth(170)
        self.month.currentIndexChanged.connect(lambda _i: self._add_up())
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
        self._add_up()
        self.loaded, self._stale = True, False

    @property
    def adding_up(self) -> bool:
        return self._adding_up is not None

    def announce(self) -> None:
        if self.adding_up:
            self.countChanged.emit("Adding up…")
        else:
            super().announce()

    def _add_up(self) -> None:
        """Start adding up the chosen month in the background; the table waits with a note."""
        month: date | None = self.month.currentData()
        if month is None or month == self._adding_up:
            return
        self._adding_up = month
        self.model.request = replace(self.model.request, filters=(("month", month),))
        self.empty.setText(f"Adding up {formatting.month(month)}…")
        self.stack.setCurrentWidget(self.empty)
        self.summary.clear()
        self.countChanged.emit("Adding up…")

        def work(ctx: JobContext) -> tuple[finance.FinanceRow, ...]:
            return finance.month_by_channel(ctx.session, month.year, month.month)

        self.ops.run(f"Adding up {formatting.month(month)}", work,
                     on_finished=lambda rows, m=month: self._added_up(m, rows),
                     on_failed=lambda message, m=month: self._failed(m, message))

    def _added_up(self, month: date, rows: tuple[finance.FinanceRow, ...]) -> None:
        if month != self._adding_up:
            return  # another month was chosen meanwhile; its own job will fill the table
        self._adding_up = None
        first = not self.source.rows and not self.model.rowCount()
        self.source.rows = rows
        self.model.reload()
        if first and rows:
            self._size_columns()

    def _failed(self, month: date, message: str) -> None:
        if month == self._adding_up:
            self._adding_up = None
            self.empty.setText(f"Could not add up {formatting.month(month)}: {message}")

    def empty_text(self) -> str:
        if self.model.request.search and self.source.rows:
            return super().empty_text()
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
