"""Purchase orders: the list (open ones first) with a status filter and search, and the chosen
order below it — its lines (editable while it is a draft), notes, deliveries and history,
with what can be done next: save, send, receive, close or cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.statuses import PurchaseOrderStatus, label
from app.services import purchasing
from app.services.context import Backroom
from app.services.paging import PageRequest
from app.services.purchasing import LineIn, PurchaseOrderDetail, PurchaseOrderRow
from app.ui import formatting
from app.ui.dialogs.goods_in import GoodsInDialog
from app.ui.dialogs.task_detail import change_words
from app.ui.models.paged import Column, PagedTableModel
from app.ui.styles import LEFT, MUTED, RIGHT

FILTERS = (("Open", purchasing.OPEN), ("All", None),
           *((label(s), str(s)) for s in PurchaseOrderStatus))
LINE_COLUMNS = ("SKU", "Product", "Supplier code", "Ordered", "Received", "To come",
                "Unit price", "Total")
NUMERIC = {3, 4, 5, 6, 7}
ORDERED, PRICE = 3, 6


def _received(r: PurchaseOrderRow) -> str:
    return "" if r.status == "draft" else f"{r.received:,} of {r.ordered:,}"


COLUMNS = (
    Column("Number", lambda r: r.number, "number"),
    Column("Supplier", lambda r: r.supplier, "supplier"),
    Column("Status", lambda r: formatting.status(r.status), "status"),
    Column("Lines", lambda r: f"{r.lines:,}", numeric=True),
    Column("Received", _received, numeric=True),
    Column("Total", lambda r: formatting.money(r.total_minor, r.currency), "total",
           numeric=True),
    Column("Made", lambda r: formatting.day(r.created_at.astimezone().date()), "created"),
    Column("Sent", lambda r: formatting.day(r.sent_at.astimezone().date()) if r.sent_at
           else "", "sent"),
    Column("Wanted by", lambda r: formatting.day(r.expected_on), "expected"),
)


@dataclass
class _Line:
    """A line being edited on a draft."""

    product_id: int
    sku: str
    title: str
    supplier_code: str
    quantity: int
    unit_cost_minor: int
    received: int = 0


class PurchaseOrdersDialog(QDialog):
    """`changesMade(Changes)` after anything was saved, sent, received, closed or cancelled."""

    changesMade = Signal(object)

    def __init__(self, backroom: Callable[[], Backroom], exports_dir: Path,
                 parent: QWidget | None = None, *, data_dir: Path | None = None):
        super().__init__(parent)
        self._backroom, self._exports_dir, self._data_dir = backroom, exports_dir, data_dir
        self.detail: PurchaseOrderDetail | None = None
        self.lines: list[_Line] = []
        self.dirty = False
        self.setWindowTitle("Purchase orders")
        self.resize(1180, 800)

        self.search = QLineEdit(placeholderText="Search number or supplier",
                                clearButtonEnabled=True)
        self.search.setMinimumWidth(280)
        self.search.textChanged.connect(lambda t: self.model.set_search(t))
        self.status = QComboBox()
        for text, value in FILTERS:
            self.status.addItem(text, value)
        self.status.currentIndexChanged.connect(
            lambda _i: self.model.set_filter("status", self.status.currentData()))
        self.new_button = QPushButton("New purchase order…")
        self.new_button.clicked.connect(self.new_order)
        self.goods_in_button = QPushButton("Goods in…")
        self.goods_in_button.clicked.connect(lambda: self.receive(None))
        self.count = QLabel()
        self.count.setStyleSheet(MUTED)
        bar = QHBoxLayout()
        bar.addWidget(self.search)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.status)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.goods_in_button)

        self.model = PagedTableModel(backroom, purchasing, COLUMNS, self)
        self.model.request = PageRequest(sort="number", descending=True,
                                         filters=(("status", purchasing.OPEN),))
        self.model.countChanged.connect(
            lambda n: self.count.setText(formatting.count(n, "purchase order")))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.sortIndicatorChanged.connect(self.model.sort)
        for i, width in enumerate((100, 240, 120, 60, 110, 110, 110, 110, 110)):
            header.resizeSection(i, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.pane = QWidget()
        self._build_pane()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.pane)
        split.setSizes([260, 540])

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

        for button in self.findChildren(QPushButton):  # Enter in a box never presses one
            button.setAutoDefault(False)
        self.model.reload()
        header.blockSignals(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.blockSignals(False)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._chosen())
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self._show(None)

    # --- the chosen order ---------------------------------------------------------------

    def _build_pane(self) -> None:
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.info = QLabel(wordWrap=True)
        self.info.setStyleSheet(MUTED)
        self.line_table = QTableWidget(0, len(LINE_COLUMNS))
        self.line_table.setHorizontalHeaderLabels(LINE_COLUMNS)
        self.line_table.verticalHeader().setVisible(False)
        self.line_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.line_table.setAlternatingRowColors(True)
        self.line_table.setWordWrap(False)
        lh = self.line_table.horizontalHeader()
        for i, width in enumerate((120, 300, 130, 80, 80, 80, 124, 110)):
            lh.resizeSection(i, width)
            self.line_table.horizontalHeaderItem(i).setTextAlignment(
                RIGHT if i in NUMERIC else LEFT)
        lh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.line_table.itemChanged.connect(self._line_edited)

        self.add_code = QLineEdit(placeholderText="SKU, barcode or supplier code")
        self.add_code.returnPressed.connect(self.add_line)
        self.add_quantity = QSpinBox(minimum=1, maximum=purchasing.QUANTITY_MAX)
        self.add_quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.add_button = QPushButton("Add line")
        self.add_button.clicked.connect(self.add_line)
        self.remove_button = QPushButton("Remove line")
        self.remove_button.clicked.connect(self.remove_line)
        self.edit_row = QWidget()
        edit = QHBoxLayout(self.edit_row)
        edit.setContentsMargins(0, 0, 0, 0)
        edit.addWidget(self.add_code, 1)
        edit.addWidget(self.add_quantity)
        edit.addWidget(self.add_button)
        edit.addSpacing(16)
        edit.addWidget(self.remove_button)

        self.notes = QPlainTextEdit(placeholderText="Notes for the supplier (on the PDF and "
                                                    "the e-mail)")
        self.notes.setFixedHeight(56)
        self.notes.setTabChangesFocus(True)
        self.notes.textChanged.connect(self._notes_edited)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history = QLabel(wordWrap=True)
        self.history.setStyleSheet(MUTED)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.problem, 1)
        for action, text, slot in (("edit", "Save draft", self.save),
                                   ("send", "Send…", self.send),
                                   ("receive", "Receive…", lambda: self.receive(self._id())),
                                   ("close", "Close order…", self.close_order),
                                   ("cancel", "Cancel order…", self.cancel_order)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[action] = button

        layout = QVBoxLayout(self.pane)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addWidget(self.line_table, 1)
        layout.addWidget(self.edit_row)
        layout.addWidget(self.notes)
        layout.addWidget(self.history)
        layout.addLayout(row)

    def _id(self) -> int | None:
        return self.detail.row.id if self.detail else None

    def _chosen(self) -> None:
        index = self.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is not None and self.detail is not None and row.id == self.detail.row.id:
            return
        if not self._leave_draft():
            return
        self._show(row.id if row is not None else None)

    def _leave_draft(self) -> bool:
        """Before moving away from an edited draft: save it, or drop the edits."""
        if not self.dirty or self.detail is None:
            return True
        if self.confirm("Save the draft?", f"{self.detail.row.number} has changes that are "
                                           "not saved. Save them?"):
            return self.save()
        self.dirty = False
        return True

    def _show(self, po_id: int | None) -> None:
        self.problem.clear()
        if po_id is None:
            self.detail, self.lines = None, []
            self.title.setText("<span style='color:#6b6b6b'>No purchase order chosen. Make one "
                               "with New purchase order…, or from Reorder.</span>")
            self.info.clear()
            self.history.clear()
            self.line_table.setRowCount(0)
            self.edit_row.hide()
            self.notes.hide()
            for button in self.buttons.values():
                button.hide()
            return
        try:
            d = self._backroom().read(purchasing.detail, po_id)
        except DomainError as exc:
            self.problem.setText(str(exc))
            return
        self.detail = d
        r = d.row
        self.title.setText(f"<b style='font-size:15px'>{r.number}</b> &nbsp;— {r.supplier} "
                           f"&nbsp;·&nbsp; <b>{formatting.status(r.status)}</b>")
        facts = [f"Made {formatting.when(r.created_at)}"]
        if r.sent_at:
            facts.append(f"sent {formatting.when(r.sent_at)}")
        if r.expected_on:
            facts.append(f"wanted by {formatting.day(r.expected_on)}")
        facts.append(d.supplier_email or "no e-mail address")
        facts.append(f"lead time {formatting.count(d.lead_time_days, 'day')}")
        facts.append(f"total {formatting.money(r.total_minor, r.currency)}")
        self.info.setText(" · ".join(facts))
        self.lines = [_Line(ln.product_id, ln.sku, ln.title, ln.supplier_code, ln.ordered,
                            ln.unit_cost_minor, ln.received) for ln in d.lines]
        self._fill_lines()
        draft = "edit" in d.actions
        self.edit_row.setVisible(draft)
        self.notes.blockSignals(True)
        self.notes.setPlainText(d.notes)
        self.notes.blockSignals(False)
        self.notes.setReadOnly(not draft)
        self.notes.setVisible(draft or bool(d.notes))
        deliveries = ", ".join(f"delivery {x.id} ({formatting.count(x.units, 'unit')}, "
                               f"{formatting.when(x.received_at)})" for x in d.deliveries
                               if x.status == "booked")
        history = [f"{formatting.when(h.changed_at)}: {change_words(h.from_status, h.to_status)}"
                   f" by {h.actor}" + (f" — {h.note}" if h.note else "") for h in d.history]
        self.history.setText("\n".join(
            ([f"Received in {deliveries}"] if deliveries else []) + history[-4:]))
        for action, button in self.buttons.items():
            button.setVisible(action in d.actions)
        self.dirty = False

    def _fill_lines(self) -> None:
        draft = self.detail is not None and "edit" in self.detail.actions
        currency = self.detail.row.currency if self.detail else "GBP"
        table = self.line_table
        table.blockSignals(True)
        for c in (4, 5):  # received, to come: nothing yet on a draft
            table.setColumnHidden(c, draft)
        table.horizontalHeaderItem(PRICE).setText(f"Unit price ({currency})" if draft
                                                  else LINE_COLUMNS[PRICE])
        table.setRowCount(len(self.lines))
        for r, ln in enumerate(self.lines):
            total = ln.quantity * ln.unit_cost_minor
            values = (ln.sku, ln.title, ln.supplier_code, f"{ln.quantity:,}",
                      "" if draft else f"{ln.received:,}",
                      "" if draft else f"{max(0, ln.quantity - ln.received):,}",
                      _amount(ln.unit_cost_minor, currency) if draft
                      else formatting.money(ln.unit_cost_minor, currency),
                      formatting.money(total, currency))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c in NUMERIC:
                    item.setTextAlignment(RIGHT)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if draft and c in (ORDERED, PRICE):
                    flags |= Qt.ItemFlag.ItemIsEditable
                    item.setToolTip("Double-click to change")
                item.setFlags(flags)
                table.setItem(r, c, item)
            if not draft and ln.received > ln.quantity:
                table.item(r, 4).setForeground(QBrush(QColor("#9a6700")))
        table.blockSignals(False)

    # --- editing a draft ----------------------------------------------------------------

    def _line_edited(self, item: QTableWidgetItem) -> None:
        if self.detail is None:
            return
        ln = self.lines[item.row()]
        text = item.text().strip()
        try:
            if item.column() == ORDERED:
                ln.quantity = int(text.replace(",", ""))
            elif item.column() == PRICE:
                ln.unit_cost_minor = Money.parse(text.lstrip("£$€") or "0",
                                                 self.detail.row.currency).minor
        except (ValueError, ArithmeticError):
            self.problem.setText(f"“{text}” is not a number; {ln.sku} keeps its "
                                 f"{'quantity' if item.column() == ORDERED else 'price'}.")
        else:
            self.problem.clear()
            self.dirty = True
        self._fill_lines()

    def _notes_edited(self) -> None:
        if self.detail is not None and "edit" in self.detail.actions:
            self.dirty = True

    def add_line(self) -> None:
        if self.detail is None:
            return
        try:
            found = self._backroom().read(purchasing.find_line_product,
                                          self.detail.supplier_id, self.add_code.text())
        except DomainError as exc:
            self.problem.setText(str(exc))
            return
        quantity = self.add_quantity.value()
        for ln in self.lines:
            if ln.product_id == found.product_id:
                ln.quantity += quantity
                break
        else:
            self.lines.append(_Line(found.product_id, found.sku, found.title,
                                    found.supplier_code, quantity, found.unit_cost_minor))
        hints = []
        if found.pack_size > 1:
            hints.append(f"comes in packs of {found.pack_size}")
        if found.minimum_order > 1:
            hints.append(f"minimum order {found.minimum_order}")
        if found.currency is None:
            hints.append("no price from this supplier: type one in")
        self.problem.setText(f"{found.sku}: {', '.join(hints)}." if hints else "")
        self.dirty = True
        self.add_code.clear()
        self.add_quantity.setValue(1)
        self._fill_lines()

    def remove_line(self) -> None:
        rows = sorted({i.row() for i in self.line_table.selectionModel().selectedRows()},
                      reverse=True)
        for r in rows:
            del self.lines[r]
        if rows:
            self.dirty = True
            self._fill_lines()

    def save(self) -> bool:
        if self.detail is None:
            return False
        po_id = self.detail.row.id
        try:
            changes = self._backroom().act(
                purchasing.save_draft, po_id,
                [LineIn(ln.product_id, ln.quantity, ln.unit_cost_minor) for ln in self.lines],
                self.notes.toPlainText(), self.detail.row.expected_on)
        except DomainError as exc:
            self.problem.setText(str(exc))
            return False
        self.dirty = False
        self.changesMade.emit(changes)
        self._reload(po_id)
        return True

    # --- acting -------------------------------------------------------------------------

    def new_order(self) -> int | None:
        """A new draft for a supplier chosen from the list; it is shown to add lines to."""
        if not self._leave_draft():
            return None
        choices = self._backroom().read(purchasing.supplier_choices)
        if not choices:
            self.inform("No suppliers", "Add a supplier in the Suppliers tab first.")
            return None
        supplier_id = self.choose_supplier(choices)
        if supplier_id is None:
            return None
        try:
            po_id = self._backroom().act(purchasing.create_purchase_order, supplier_id)
        except DomainError as exc:
            self.problem.setText(str(exc))
            return None
        self.search.clear()
        self.status.setCurrentIndex(0)
        self._reload(po_id)
        self.add_code.setFocus()
        return po_id

    def choose_supplier(self, choices: tuple[purchasing.SupplierChoice, ...]) -> int | None:
        """The supplier to order from (tests replace this)."""
        names = [c.name + ("" if c.active else " (paused)") for c in choices]
        name, ok = QInputDialog.getItem(self, "New purchase order", "Order from", names, 0,
                                        False)
        return choices[names.index(name)].id if ok else None

    def send(self) -> None:
        if self.detail is None or (self.dirty and not self.save()):
            return
        d = self.detail
        folder = self._exports_dir / purchasing.FOLDER
        email = bool(d.supplier_email.strip())
        if email:
            question = (f"Send {d.row.number} to {d.row.supplier} at {d.supplier_email}?\n\n"
                        f"The PDF and spreadsheet are saved in {folder}, and the e-mail waits "
                        "in the outbox until it goes.")
        else:
            question = (f"{d.row.supplier} has no e-mail address in Backroom. Mark "
                        f"{d.row.number} as sent, and send the PDF (saved in {folder}) "
                        "yourself?")
        if not self.confirm(f"Send {d.row.number}", question):
            return
        try:
            sent = self._backroom().act(purchasing.send_purchase_order, d.row.id,
                                        self._exports_dir, email=email)
        except DomainError as exc:
            self._refused(d.row.id, exc)
            return
        self.changesMade.emit(sent.changes)
        told = (f"The e-mail to {sent.emailed_to} is in the outbox." if sent.emailed_to
                else "Nothing was e-mailed.")
        self.inform(f"{sent.number} sent", f"{told}\n\nSaved:\n{sent.pdf}\n{sent.xlsx}")
        self._reload(d.row.id)

    def receive(self, po_id: int | None) -> None:
        """Goods in, against this order (or chosen there)."""
        dialog = GoodsInDialog(self._backroom, po_id, data_dir=self._data_dir, parent=self)
        dialog.changesMade.connect(self.changesMade.emit)
        dialog.changesMade.connect(lambda _c: self._reload(self._id()))
        self.goods_in = dialog
        dialog.exec()

    def close_order(self) -> None:
        d = self.detail
        if d is None:
            return
        missing = sum(ln.to_come for ln in d.lines)
        text = (f"Close {d.row.number}? {missing:,} unit{'' if missing == 1 else 's'} "
                "still to come will not be expected any more." if missing
                else f"Close {d.row.number}? Everything ordered has come in.")
        if not self.confirm(f"Close {d.row.number}", text):
            return
        self._act(purchasing.close_purchase_order, d.row.id)

    def cancel_order(self) -> None:
        d = self.detail
        if d is None:
            return
        reason = self.ask_reason(d)
        if reason is None:
            return
        self._act(purchasing.cancel_purchase_order, d.row.id, reason)

    def ask_reason(self, d: PurchaseOrderDetail) -> str | None:
        """Why the order is cancelled (may be empty); None keeps it (tests replace this)."""
        told = (f" {d.row.supplier} is e-mailed that it is cancelled."
                if d.row.status == "sent" and d.supplier_email else "")
        reason, ok = QInputDialog.getText(self, f"Cancel {d.row.number}",
                                          f"Why is it cancelled? (optional){told}")
        return reason if ok else None

    def _act(self, fn: Callable[..., object], *args: object) -> None:
        po_id = self._id()
        try:
            changes = self._backroom().act(fn, *args)  # type: ignore[arg-type]
        except DomainError as exc:
            self._refused(po_id, exc)
            return
        self.changesMade.emit(changes)
        self._reload(po_id)

    def _refused(self, po_id: int | None, exc: DomainError) -> None:
        """An action was refused: the order may have moved on in another window, so the list
        and the order are read again before saying why."""
        self._reload(po_id)
        self.problem.setText(str(exc))

    def _reload(self, po_id: int | None) -> None:
        """Read the list again and show `po_id` (chosen again if it is still listed)."""
        self.dirty = False
        self.model.reload()
        self.detail = None
        for r in range(self.model.rowCount()):
            if self.model.row_at(r).id == po_id:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(r, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
                break
        else:
            self._show(po_id)

    def confirm(self, title: str, text: str) -> bool:
        """Yes or no (tests replace this)."""
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def reject(self) -> None:
        if self._leave_draft():
            super().reject()


def _amount(minor: int, currency: str) -> str:
    """A price as typed into a cell: 3.25, no symbol."""
    return f"{Money(minor, currency).amount:,}"

