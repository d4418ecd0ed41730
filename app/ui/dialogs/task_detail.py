"""One supplier task: what to make for which order, who makes it by when, the next steps,
the notes between owner and supplier, and everything that happened to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import InvalidOperation

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.money import Money
from app.services import supplier_tasks
from app.services.context import Backroom
from app.services.supplier_tasks import TaskDetail
from app.ui import formatting
from app.ui.styles import BAD as RED
from app.ui.widgets.detail import DetailDialog, read_only_table

NO_DATE = QDate(2000, 1, 1)  # the date edit's "No due date"

# The buttons for each next step, in the order they are shown.
BUTTONS = {
    "accept": "Accept", "start": "Start production", "finish": "Finish production",
    "ship": "Ship…", "done": "Done", "assign": "Assign…", "reject": "Reject…",
    "cancel": "Cancel task",
}
AUTOMATIC = "Automatic: the supplier whose turn it is"


class ShipDialog(QDialog):
    """Asks how the goods went: carrier or platform, tracking number, straight to customer."""

    def __init__(self, detail: TaskDetail, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Ship task {detail.sku}")
        self.carrier = QLineEdit(detail.carrier, placeholderText="Royal Mail, DPD, Evri…")
        self.tracking = QLineEdit(detail.tracking_number)
        self.direct = QCheckBox("Shipped straight to the customer")
        form = QFormLayout(self)
        form.addRow("Carrier or platform", self.carrier)
        form.addRow("Tracking number", self.tracking)
        form.addRow("", self.direct)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, bool]:
        return self.carrier.text(), self.tracking.text(), self.direct.isChecked()


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    return read_only_table(headers, rows, stretch=len(headers) - 1, wrap=True)


def change_words(from_status: str | None, to_status: str) -> str:
    """'Assigned → Accepted', or just 'Assigned' for a note that changed no status."""
    if from_status and from_status != to_status:
        return f"{formatting.status(from_status)} → {formatting.status(to_status)}"
    return formatting.status(to_status)


class TaskDialog(DetailDialog):
    """`changesMade(Changes)` after every step that changed something."""

    def __init__(self, backroom: Callable[[], Backroom], task_id: int,
                 parent: QWidget | None = None):
        super().__init__(parent, (820, 680))
        self._backroom, self.task_id = backroom, task_id
        self._rebuild()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> QWidget:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        d = self._backroom().read(supplier_tasks.task_detail, self.task_id)
        self.detail = d
        self.setWindowTitle(f"Supplier task {d.sku} — order {d.order_number}")

        head = QHBoxLayout()
        form = QFormLayout()
        form.addRow("Task", QLabel(f"<b>{d.sku}</b> — {formatting.status(d.status)}"))
        form.addRow("Order", QLabel(f"{d.order_number} ({formatting.status(d.order_status)})"))
        form.addRow("Product", QLabel(f"{d.product} ({d.product_sku})", wordWrap=True))
        form.addRow("Quantity", QLabel(f"{d.quantity:,}"))
        form.addRow("Personalisation", QLabel(d.personalisation or "—", wordWrap=True))
        if d.supplier is None:
            self.supplier_label = QLabel(f"Needs a supplier: {d.unassigned_reason or ''}",
                                         wordWrap=True)
            self.supplier_label.setStyleSheet(RED)
        else:
            self.supplier_label = QLabel(d.supplier + (f" ({d.supplier_email})"
                                                       if d.supplier_email else ""))
        form.addRow("Supplier", self.supplier_label)
        self.due_label = QLabel(formatting.day(d.due_date) or "—")
        if d.overdue:
            self.due_label.setText(f"{formatting.day(d.due_date)} — overdue")
            self.due_label.setStyleSheet(RED + " font-weight: bold;")
        form.addRow("Due", self.due_label)
        if d.production_started_at:
            made = formatting.when(d.production_started_at)
            if d.production_ended_at:
                made += f" to {formatting.when(d.production_ended_at)}"
            form.addRow("Production", QLabel(made))
        if d.turned_down_by:
            form.addRow("Turned down by", QLabel(", ".join(d.turned_down_by), wordWrap=True))
        head.addLayout(form, 3)
        if d.ship_to and (d.ships_direct or not d.workshop_view):
            ship = QGroupBox("Shipped straight to" if d.ships_direct
                             else "The customer, if you ship straight to them")
            QVBoxLayout(ship).addWidget(QLabel(d.ship_to))
            head.addWidget(ship, 1)
        layout.addLayout(head)

        steps = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        for action, text in BUTTONS.items():
            if action in d.actions:
                button = QPushButton(text)
                button.clicked.connect(lambda _c=False, a=action: self.do(a))
                steps.addWidget(button)
                self.action_buttons[action] = button
        steps.addStretch(1)
        if d.workshop_view:
            self.ticket_button = QPushButton("Print job ticket")
            self.ticket_button.setToolTip("Print this task's job ticket (task SKU, QR code, "
                                          "what to make) on this computer's ticket printer")
            self.ticket_button.clicked.connect(self.print_ticket)
            steps.addWidget(self.ticket_button)
        layout.addLayout(steps)

        layout.addWidget(self._edit_box(d) if d.workshop_view else self._shipping_box(d))

        lower = QHBoxLayout()
        notes = QGroupBox("Notes between you and the supplier" if d.workshop_view
                          else "Notes between you and the workshop")
        notes_layout = QVBoxLayout(notes)
        self.messages = _table(["When", "By", "Note"], [
            [formatting.when(m.created_at), m.author, m.body] for m in d.messages])
        self.messages.resizeRowsToContents()
        self.new_message = QPlainTextEdit(placeholderText="Write a note…")
        self.new_message.setTabChangesFocus(True)
        self.new_message.setFixedHeight(60)
        self.add_message_button = QPushButton("Add note")
        self.add_message_button.clicked.connect(self.add_message)
        notes_layout.addWidget(self.messages, 1)
        notes_layout.addWidget(self.new_message)
        notes_layout.addWidget(self.add_message_button, 0, Qt.AlignmentFlag.AlignRight)
        lower.addWidget(notes, 1)
        timeline = QGroupBox("History")
        timeline_layout = QVBoxLayout(timeline)
        # Half the dialog's width: who and any note go under the change, not in columns.
        self.history = _table(["When", "What"], [
            [formatting.when(h.changed_at),
             f"{change_words(h.from_status, h.to_status)}\nby {h.actor}"
             + (f"\n{h.note}" if h.note else "")] for h in d.history])
        self.history.resizeRowsToContents()
        timeline_layout.addWidget(self.history)
        lower.addWidget(timeline, 1)
        layout.addLayout(lower, 1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        return body

    def _edit_box(self, d: TaskDetail) -> QGroupBox:
        box = QGroupBox("Due date, cost and shipping")
        row = QHBoxLayout(box)
        self.due = QDateEdit(calendarPopup=True, displayFormat="d MMM yyyy")
        self.due.setMinimumDate(NO_DATE)
        self.due.setSpecialValueText("No due date")
        self.due.setDate(QDate(d.due_date.year, d.due_date.month, d.due_date.day)
                         if d.due_date else NO_DATE)
        self.due.setToolTip("The milestone the supplier works to")
        self.cost = QLineEdit(str(Money(d.cost_minor, d.currency).amount))
        self.cost.setMaximumWidth(110)
        self.cost.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.carrier = QLineEdit(d.carrier, placeholderText="Carrier or platform")
        self.tracking = QLineEdit(d.tracking_number, placeholderText="Tracking number")
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save_edits)
        for text, widget in (("Due", self.due), (f"Cost ({d.currency})", self.cost),
                             ("Carrier", self.carrier), ("Tracking", self.tracking)):
            row.addWidget(QLabel(text))
            row.addWidget(widget)
        row.addWidget(self.save_button)
        editable = d.status != "cancelled"
        for widget in (self.due, self.cost, self.carrier, self.tracking, self.save_button):
            widget.setEnabled(editable)
        return box

    def _shipping_box(self, d: TaskDetail) -> QGroupBox:
        """A supplier's own fix: the carrier and tracking number of what it shipped."""
        box = QGroupBox("Carrier and tracking")
        row = QHBoxLayout(box)
        self.carrier = QLineEdit(d.carrier, placeholderText="Carrier or platform")
        self.tracking = QLineEdit(d.tracking_number, placeholderText="Tracking number")
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save_shipping)
        for text, widget in (("Carrier", self.carrier), ("Tracking", self.tracking)):
            row.addWidget(QLabel(text))
            row.addWidget(widget, 1)
        row.addWidget(self.save_button)
        shipped = d.status in ("shipped", "done")
        for widget in (self.carrier, self.tracking, self.save_button):
            widget.setEnabled(shipped)
        if not shipped:
            box.setToolTip("Use Ship… when the goods leave you; fix a mistyped number here "
                           "afterwards.")
        return box

    # --- acting --------------------------------------------------------------------------

    def _run(self, fn: Callable[..., Changes], *args: object) -> bool:
        try:
            changes = self._backroom().act(fn, self.task_id, *args)
        except DomainError as exc:
            QMessageBox.warning(self, "Nothing was changed", str(exc))
            return False
        if changes != Changes():
            self.changesMade.emit(changes)
        try:
            self._rebuild()
        except DomainError:  # a supplier's rejection passes it on: no longer theirs to see
            QMessageBox.information(self, "Task passed on", f"Task {self.detail.sku} has gone "
                                    "back to the workshop; it is no longer in your list.")
            self.accept()
        return True

    def do(self, action: str) -> bool:
        """Take the next step named by an ACTIONS value, asking what it needs first."""
        simple = {"accept": supplier_tasks.accept_task,
                  "start": supplier_tasks.start_production,
                  "finish": supplier_tasks.finish_production,
                  "done": supplier_tasks.complete_task,
                  "cancel": supplier_tasks.cancel_task}
        if action in simple:
            if action == "cancel" and QMessageBox.question(
                    self, "Cancel task", f"Cancel task {self.detail.sku}? It cannot be "
                    "undone.") != QMessageBox.StandardButton.Yes:
                return False
            return self._run(simple[action])
        if action == "ship":
            shipping = self.ask_shipping()
            return shipping is not None and self._run(supplier_tasks.ship_task, *shipping)
        if action == "reject":
            reason = self.ask_reason()
            return reason is not None and self._run(supplier_tasks.reject_task, reason)
        if action == "assign":
            choice = self.ask_supplier()
            return choice is not False and self._run(supplier_tasks.assign_task, choice)
        raise ValueError(f"no such step: {action}")

    def ask_shipping(self) -> tuple[str, str, bool] | None:
        dialog = ShipDialog(self.detail, self)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_reason(self) -> str | None:
        reason, ok = QInputDialog.getText(
            self, "Reject task", f"Why is task {self.detail.sku} turned down? (The owner is "
            "told, and the task goes to another supplier.)")
        return reason if ok else None

    def ask_supplier(self) -> int | bool | None:
        """A supplier id, None for the automatic choice, or False if the person cancelled."""
        choices = self._backroom().read(supplier_tasks.supplier_choices, self.task_id)
        items = [AUTOMATIC]
        for c in choices:
            notes = [w for w, on in (("paused", not c.active), ("at capacity", c.at_capacity),
                                     ("turned it down", c.turned_down)) if on]
            items.append(c.name + (f" ({', '.join(notes)})" if notes else ""))
        chosen, ok = QInputDialog.getItem(self, "Assign task",
                                          f"Give task {self.detail.sku} to:", items, 0, False)
        if not ok:
            return False
        at = items.index(chosen)
        return None if at == 0 else choices[at - 1].id

    def save_edits(self) -> bool:
        due = self.due.date()
        due_date = None if due == NO_DATE else date(due.year(), due.month(), due.day())
        try:
            cost = Money.parse(self.cost.text() or "0", self.detail.currency).minor
        except (InvalidOperation, ValueError):
            QMessageBox.warning(self, "Nothing was changed",
                                f"“{self.cost.text()}” is not an amount of money, like 12.50.")
            return False
        return self._run(supplier_tasks.edit_task, due_date, cost, self.carrier.text(),
                         self.tracking.text())

    def save_shipping(self) -> bool:
        return self._run(supplier_tasks.change_task_shipping, self.carrier.text(),
                         self.tracking.text())

    def print_ticket(self) -> int | None:
        from app.ui.printing_actions import print_job_tickets, sender_of

        return print_job_tickets(self, self._backroom, sender_of(self), [self.task_id])

    def add_message(self) -> bool:
        return self._run(supplier_tasks.add_task_message, self.new_message.toPlainText())
