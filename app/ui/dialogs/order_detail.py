"""One order: who, where to, what, its supplier tasks, and everything that happened to it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.domain.statuses import OrderStatus, label
from app.services import orders, supplier_tasks
from app.services.context import Backroom
from app.ui import formatting
from app.ui.dialogs.task_detail import TaskDialog, change_words
from app.ui.widgets.detail import DetailDialog, read_only_table

RED = QColor("#b3261e")


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> QTableWidget:
    return read_only_table(headers, rows, stretch=1, numeric=numeric)


class OrderDialog(DetailDialog):
    def __init__(self, backroom: Callable[[], Backroom], order_id: int, parent=None):
        super().__init__(parent, (760, 560))
        self._backroom, self._order_id = backroom, order_id
        self._rebuild()

    def _build(self) -> QWidget:
        body = QWidget(self)
        self._layout = QVBoxLayout(body)
        d = self._backroom().read(orders.detail, self._order_id)
        self.detail = d
        o = d.row
        self.setWindowTitle(f"Order {o.number} — {o.channel}")
        head = QHBoxLayout()
        form = QFormLayout()
        form.addRow("Order", QLabel(f"<b>{o.number}</b> on {o.channel}"))
        form.addRow("Placed", QLabel(formatting.when(o.placed_at)))
        form.addRow("Status", QLabel(f"<b>{formatting.status(o.status)}</b>"))
        form.addRow("Total", QLabel(formatting.money(o.total_minor, o.currency)))
        form.addRow("Customer", QLabel(f"{o.customer}<br>{d.email}"))
        if o.flagged:
            form.addRow("Flag", QLabel(f"<span style='color:#b3261e'>{o.flagged}</span>"))
        head.addLayout(form, 1)
        ship = QGroupBox("Ship to")
        ship_layout = QVBoxLayout(ship)
        ship_layout.addWidget(QLabel(d.ship_to or "No address"))
        head.addWidget(ship, 1)
        self._layout.addLayout(head)

        self._layout.addWidget(QLabel("<b>Lines</b>"))
        self.lines = _table(
            ["SKU", "Title", "Qty", "Price", "Personalisation"],
            [[ln.sku, ln.title + (" (made to order)" if ln.needs_making else ""),
              str(ln.quantity), formatting.money(ln.unit_price_minor, o.currency),
              ln.personalisation] for ln in d.lines], {2, 3})
        self._layout.addWidget(self.lines, 1)

        self.tasks = self._tasks_table()
        if self.task_rows:
            self._layout.addWidget(QLabel("<b>Supplier tasks</b> (double-click to open)"))
            self._layout.addWidget(self.tasks, 1)

        self._layout.addWidget(QLabel("<b>History</b>"))
        self.history = _table(
            ["When", "Change", "By", "Note"],
            [[formatting.when(h.changed_at), change_words(h.from_status, h.to_status),
              h.actor, h.note] for h in d.history], set())
        self._layout.addWidget(self.history, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.move_buttons: dict[str, QPushButton] = {}
        for status in d.allowed_next:
            button = QPushButton(f"Move to {label(OrderStatus(status)).lower()}")
            button.clicked.connect(lambda _c=False, s=status: self.move_to(OrderStatus(s)))
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            self.move_buttons[status] = button
        self._layout.addWidget(buttons)
        return body

    def _tasks_table(self) -> QTableWidget:
        self.task_rows = self._backroom().read(supplier_tasks.order_tasks, self._order_id)
        table = _table(
            ["Task SKU", "Supplier", "Status", "Due"],
            [[t.sku, t.supplier or "Needs a supplier", formatting.status(t.status),
              formatting.day(t.due_date) + (" (overdue)" if t.overdue else "")]
             for t in self.task_rows], set())
        for r, t in enumerate(self.task_rows):
            if t.supplier is None:
                table.item(r, 1).setForeground(RED)
                table.item(r, 1).setToolTip(t.unassigned_reason or "")
            if t.overdue:
                table.item(r, 3).setForeground(RED)
        table.cellDoubleClicked.connect(lambda row, _col: self.open_task(row))
        return table

    def open_task(self, row: int) -> None:
        """The task dialog for a row of the Supplier tasks table."""
        dialog = TaskDialog(self._backroom, self.task_rows[row].id, self)
        dialog.changesMade.connect(self._task_changed)
        self.task_dialog = dialog
        dialog.exec()

    def _task_changed(self, changes: object) -> None:
        self.changesMade.emit(changes)
        self._rebuild()

    def ask_parcel(self) -> tuple[str, str] | None:
        """How the order leaves (carrier, tracking), told to its channel; None: cancel."""
        from app.ui.dialogs.parcel import ask_parcel

        return ask_parcel(self, 1)

    def move_to(self, status: OrderStatus) -> None:
        parcel = ("", "")
        if status is OrderStatus.SHIPPED:
            asked = self.ask_parcel()
            if asked is None:
                return
            parcel = asked
        try:
            changes = self._backroom().act(orders.change_status, [self._order_id], status,
                                           carrier=parcel[0], tracking=parcel[1])
        except DomainError as exc:
            QMessageBox.warning(self, "Status not changed", str(exc))
            return
        self.changesMade.emit(changes)
        self._rebuild()
