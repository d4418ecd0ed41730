"""My tasks: what a supplier signed in to Backroom sees — its own tasks and nothing else.

The list is read through the same scoped services as every other view (the services keep
a supplier to its own tasks); this tab only shows them and opens one to work on.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from app.domain.statuses import TaskStatus, label
from app.services import supplier_tasks
from app.services.supplier_tasks import OPEN_FILTER, TaskRow
from app.ui import formatting
from app.ui.models.paged import Column
from app.ui.tabs.base import ListTab

OVERDUE_FILTER = "overdue"
# What the status box offers a supplier: its open work first, then each step.
CHOICES = (("Open tasks", OPEN_FILTER), ("Overdue", OVERDUE_FILTER), ("All tasks", ""),
           *((label(s), str(s)) for s in TaskStatus if s is not TaskStatus.UNASSIGNED))


def _due(r: TaskRow) -> str:
    text = formatting.day(r.due_date) or "—"
    return f"{text} (overdue)" if r.overdue else text


class MyTasksTab(ListTab):
    title = "My tasks"
    noun = ("task", "tasks")
    source = SimpleNamespace(list_page=supplier_tasks.task_list_page,  # type: ignore[assignment]
                             count=supplier_tasks.task_count)
    default_sort = ("due", False)
    stretch_column = 2
    watches = ("tasks",)
    search_hint = "Search task SKU or order number"
    columns = (
        Column("Task", lambda r: r.sku, "sku"),
        Column("Order", lambda r: r.order_number, "order"),
        Column("Product", lambda r: r.product),
        Column("Quantity", lambda r: f"{r.quantity:,}", numeric=True),
        Column("Category", lambda r: r.category),
        Column("Status", lambda r: formatting.status(r.status), "status"),
        Column("Due", _due, "due", warn=lambda r: r.overdue,
               tooltip=lambda r: "Past its due date: tell the workshop when it will be ready"
               if r.overdue else ""),
    )

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.status = QComboBox()
        self.status.setMinimumWidth(150)
        for text, value in CHOICES:
            self.status.addItem(text, value)
        self.status.currentIndexChanged.connect(self._filter_changed)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.status)
        self.model.request = replace(self.model.request, filters=self._filters())

    def _filters(self) -> tuple[tuple[str, object], ...]:
        value = self.status.currentData()
        if value == OVERDUE_FILTER:
            return (("overdue", True),)
        return (("status", value),) if value else ()

    def _filter_changed(self, *_args: object) -> None:
        self.model.request = replace(self.model.request, filters=self._filters())
        self.model.reload()

    def empty_text(self) -> str:
        if self.model.request.search:
            return f"None of your tasks match “{self.model.request.search}”."
        if self.status.currentData() == OPEN_FILTER:
            return "No open tasks: when the workshop gives you one, it shows here."
        return "No tasks here."
