"""Print labels from where people work: the small dialog (how many, which printer and
template) and one function per kind of label that the tabs and dialogs call.

Each function asks, reads the labels' data, queues one print job (checked before it is
queued: bad data is refused in words and nothing is queued) and pokes the sender so it
prints at once. They return the job's id, or None when nothing was queued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.services import label_data, print_jobs, printers
from app.services.context import Backroom
from app.services.printers import Use
from app.ui import formatting
from app.ui.styles import MUTED, RIGHT

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.ui.print_sender import PrintSender

MOST_COPIES = 999
NO_PRINTER = ("No printer is set up on this computer yet: add one in Settings > Printers "
              "(the owner can).")
Records = list[dict[str, str]]


def sender_of(widget: QWidget | None) -> PrintSender | None:
    """The main window's print sender, found from any widget inside it."""
    while widget is not None:
        sender = getattr(widget, "print_sender", None)
        if sender is not None:
            return sender
        widget = widget.parentWidget()
    return None


@dataclass(frozen=True)
class Choice:
    printer: str
    template: str
    copies: int | None  # None: as many as on hand (or as received)


class PrintLabelsDialog(QDialog):
    """How many of each label, on which printer, with which template."""

    def __init__(self, backroom: Backroom, use: Use, what: str,
                 parent: QWidget | None = None, *, by_stock: str = ""):
        super().__init__(parent)
        self.setWindowTitle(f"Print {use.value}")
        self.setMinimumWidth(460)
        chosen = next(u for u in printers.printer_uses(backroom) if u.use == use)
        self.printers = printers.printer_list(backroom)
        templates = printers.template_list(backroom)

        heading = QLabel(f"<b>{what}</b>", wordWrap=True)
        self.by_stock = QRadioButton(by_stock) if by_stock else None
        self.by_number = QRadioButton("This many of each:" if by_stock else "Copies of each:")
        self.number = QSpinBox(minimum=1, maximum=MOST_COPIES)
        self.number.setAlignment(RIGHT)
        self.number.setFixedWidth(90)
        self.number.valueChanged.connect(lambda _v: self.by_number.setChecked(True))
        group = QButtonGroup(self)
        copies = QVBoxLayout()
        copies.setContentsMargins(0, 0, 0, 0)
        if self.by_stock is not None:
            group.addButton(self.by_stock)
            copies.addWidget(self.by_stock)
            self.by_stock.setChecked(True)
        else:
            self.by_number.setChecked(True)
        group.addButton(self.by_number)
        number_row = QHBoxLayout()
        number_row.addWidget(self.by_number)
        number_row.addWidget(self.number)
        number_row.addStretch(1)
        copies.addLayout(number_row)

        self.printer = QComboBox()
        for p in self.printers:
            self.printer.addItem(p.name + ("  (default)" if p.name == chosen.printer else ""),
                                 p.name)
        self.printer.setCurrentIndex(max(self.printer.findData(chosen.printer), 0))
        self.template = QComboBox()
        for t in templates:
            self.template.addItem(f"{t.name} ({t.width_mm:g} x {t.height_mm:g} mm)", t.key)
        self.template.setCurrentIndex(max(self.template.findData(chosen.template), 0))
        hint = QLabel(f"Settings > Printers chooses the printer and template {use.value} "
                      "print with on this computer.", wordWrap=True)
        hint.setStyleSheet(MUTED)

        form = QFormLayout()
        form.addRow("How many", copies)
        form.addRow("Printer", self.printer)
        form.addRow("Template", self.template)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Print")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def choice(self) -> Choice:
        by_stock = self.by_stock is not None and self.by_stock.isChecked()
        return Choice(str(self.printer.currentData()), str(self.template.currentData()),
                      None if by_stock else self.number.value())


def ask(dialog: PrintLabelsDialog) -> Choice | None:
    """The person's choice, or None if they cancelled (tests stand in for this)."""
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _dialog(parent: QWidget | None, backroom: Backroom, use: Use, what: str,
            by_stock: str = "") -> Choice | None:
    try:
        if not printers.printer_list(backroom):
            QMessageBox.information(parent, "No printer", NO_PRINTER)
            return None
        dialog = PrintLabelsDialog(backroom, use, what, parent, by_stock=by_stock)
    except DomainError as exc:
        QMessageBox.warning(parent, "Nothing was printed", str(exc))
        return None
    return ask(dialog)


def _queue(parent: QWidget | None, backroom: Backroom, sender: PrintSender | None,
           choice: Choice, records: Callable[[Session], Records], copies: int) -> int | None:
    """Read the labels, queue them as one job and poke the sender; problems in words."""
    try:
        found = backroom.read(records)
        job_id = backroom.act(print_jobs.queue_labels, choice.printer, choice.template, found,
                              copies, data_dir=backroom.config.data_dir)
    except DomainError as exc:
        QMessageBox.warning(parent, "Nothing was printed", str(exc))
        return None
    if sender is not None:
        labels = len(found) * copies
        sender.queued(f"Queued {formatting.count(labels, 'label')} on {choice.printer}.")
    return job_id


def print_product_labels(parent: QWidget | None, backroom_fn: Callable[[], Backroom | None],
                         sender: PrintSender | None, product_ids: Iterable[int],
                         received: Mapping[int, int] | None = None) -> int | None:
    """Product labels for the chosen products: as many as each has on hand (or, for a
    delivery, as `received` says: {product id: quantity}), or a number of each."""
    backroom = backroom_fn()
    ids = list(dict.fromkeys(int(i) for i in product_ids))
    if received is not None:
        ids = [pid for pid in dict.fromkeys([*ids, *received]) if received.get(pid, 0) > 0]
    if backroom is None or not ids:
        return None
    what = formatting.count(len(ids), "product")
    if received is not None:
        by_stock = f"As many as received ({sum(received[i] for i in ids):,})"
    else:
        by_stock = "As many as each has on hand"
    choice = _dialog(parent, backroom, Use.PRODUCT_LABELS, f"Product labels for {what}",
                     by_stock)
    if choice is None:
        return None

    def records(session: Session) -> Records:
        if choice.copies is not None:
            return label_data.product_labels(session, ids, 1)
        if received is None:
            return label_data.product_labels(session, ids, "on_hand")
        out: Records = []
        for pid in ids:
            out += label_data.product_labels(session, [pid], int(received[pid]))
        return out

    return _queue(parent, backroom, sender, choice, records, choice.copies or 1)


def print_goods_in_labels(parent: QWidget | None, backroom_fn: Callable[[], Backroom | None],
                          sender: PrintSender | None,
                          received: Mapping[int, int]) -> int | None:
    """Product labels for goods just received ({product id: quantity}), one per item."""
    return print_product_labels(parent, backroom_fn, sender, received, received=received)


def _simple(parent: QWidget | None, backroom_fn: Callable[[], Backroom | None],
            sender: PrintSender | None, use: Use, what: str, ids: Sequence[Any],
            read: Callable[[Session], Records]) -> int | None:
    backroom = backroom_fn()
    if backroom is None or not ids:
        return None
    choice = _dialog(parent, backroom, use, what)
    if choice is None:
        return None
    return _queue(parent, backroom, sender, choice, read, choice.copies or 1)


def print_job_tickets(parent: QWidget | None, backroom_fn: Callable[[], Backroom | None],
                      sender: PrintSender | None, task_ids: Iterable[int]) -> int | None:
    """A job ticket for each chosen supplier task."""
    ids = list(dict.fromkeys(task_ids))
    return _simple(parent, backroom_fn, sender, Use.JOB_TICKETS,
                   f"Job tickets for {formatting.count(len(ids), 'supplier task')}", ids,
                   lambda s: label_data.task_tickets(s, ids))


def print_bin_labels(parent: QWidget | None, backroom_fn: Callable[[], Backroom | None],
                     sender: PrintSender | None, location_ids: Iterable[int]) -> int | None:
    """A label for each chosen bin, in walk order."""
    ids = list(dict.fromkeys(location_ids))
    return _simple(parent, backroom_fn, sender, Use.BIN_LABELS,
                   f"Bin labels for {formatting.count(len(ids), 'bin')}", ids,
                   lambda s: label_data.bin_labels(s, ids))


def print_parcel_labels(parent: QWidget | None, backroom_fn: Callable[[], Backroom | None],
                        sender: PrintSender | None, order_ids: Iterable[int]) -> int | None:
    """A parcel label for each chosen order (ship-to address, carrier and tracking)."""
    ids = list(dict.fromkeys(order_ids))
    what = (f"Parcel labels for {formatting.count(len(ids), 'order')}" if len(ids) != 1
            else "The order's parcel label")
    return _simple(parent, backroom_fn, sender, Use.PARCEL_LABELS, what, ids,
                   lambda s: [label_data.parcel_label(s, i) for i in ids])


def print_parcel_label(parent: QWidget | None, backroom_fn: Callable[[], Backroom | None],
                       sender: PrintSender | None, order_id: int) -> int | None:
    """The parcel label of one order."""
    return print_parcel_labels(parent, backroom_fn, sender, [order_id])
