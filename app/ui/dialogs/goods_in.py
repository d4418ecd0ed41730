"""Goods in: scan or type each item of a delivery, see it against the purchase order (short,
complete, over, unexpected), choose the bin each product goes to, then Book — or Park it
half-done and resume it later.

The scans live here until the delivery is parked or booked; every scan is compared with the
order again by the service, so what the table shows is always what booking would do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.domain.goods_in import ReceiptStatus, Scan
from app.services import catalogue, goods_in, label_data, print_jobs
from app.services.context import Backroom
from app.services.goods_in import (
    BookedDelivery,
    DeliveryCheck,
    OrderTakesNoGoods,
    Question,
    ReceiptQuestions,
    ResumedDelivery,
    UnknownBarcode,
)
from app.services.printers import Use
from app.ui import formatting
from app.ui.printing_actions import sender_of
from app.ui.styles import LEFT, RIGHT

SUPPLIER_ROLE = Qt.ItemDataRole.UserRole + 1
NO_ORDER = "No purchase order (goods nobody ordered)"
COLUMNS = ("SKU", "Product", "Order", "Ordered", "Before", "Now", "To come", "Status", "Bin",
           "Note")
NUMERIC = {3, 4, 5, 6}
BIN_COLUMN, NOTE_COLUMN = 8, 9
STATUS_WORDS = {ReceiptStatus.COMPLETE: "Complete", ReceiptStatus.SHORT: "Short",
                ReceiptStatus.OVER: "Over — asks", ReceiptStatus.UNEXPECTED: "Unexpected — asks"}
STATUS_COLOURS = {ReceiptStatus.COMPLETE: "#1e7a34", ReceiptStatus.SHORT: "#6b6b6b",
                  ReceiptStatus.OVER: "#9a6700", ReceiptStatus.UNEXPECTED: "#b3261e"}
GOOD, BAD = "color: #1e7a34;", "color: #b3261e;"


class GoodsInDialog(QDialog):
    """`changesMade(Changes)` after a delivery is booked (stock, products, orders moved)."""

    changesMade = Signal(object)

    def __init__(self, backroom: Callable[[], Backroom], purchase_order_id: int | None = None,
                 *, delivery_id: int | None = None, data_dir: Path | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self._data_dir = backroom, data_dir
        self.scans: list[Scan] = []
        self.bins: dict[str, str] = {}  # chosen by the user; the rest follow the suggestion
        self.check: DeliveryCheck | None = None
        self.delivery_id: int | None = None
        self.parked_order: int | None = None  # the order the delivery is parked against
        # The supplier of a parked delivery kept after its order stopped taking goods:
        # choosing another of their orders here moves the delivery to it.
        self.kept_for: int | None = None
        self.booked: BookedDelivery | None = None
        self.unknown_code: str | None = None
        self.unknown_scan = ""  # what was scanned or typed with it ('4006381333931 x 5')
        self.bin_codes = backroom().read(goods_in.bin_choices)
        self.setWindowTitle("Goods in")
        self.resize(1180, 680)

        self.order = QComboBox()
        self.order.setMinimumWidth(420)
        self.order.currentIndexChanged.connect(self._order_changed)
        self.resume_button = QPushButton("Resume parked delivery")
        self.resume_menu = QMenu(self)
        self.resume_button.setMenu(self.resume_menu)
        top = QHBoxLayout()
        top.addWidget(QLabel("Purchase order"))
        top.addWidget(self.order, 1)
        top.addWidget(self.resume_button)

        self.scan_box = QLineEdit(placeholderText="Scan a barcode or type a SKU (MUG-1 x 5 for "
                                                  "five), then Enter")
        font = self.scan_box.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.scan_box.setFont(font)
        self.scan_box.returnPressed.connect(self.add_scan)
        self.quantity = QSpinBox(minimum=1, maximum=goods_in.SCAN_MAX, prefix="× ")
        self.quantity.setToolTip("How many each scan adds (back to 1 after each); a quantity "
                                 "typed after the code wins.")
        self.quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_scan)
        self.undo_button = QPushButton("Undo last scan")
        self.undo_button.clicked.connect(self.undo_scan)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_box, 1)
        scan_row.addWidget(self.quantity)
        scan_row.addWidget(self.add_button)
        scan_row.addWidget(self.undo_button)

        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link_button = QPushButton("Link to product…")
        self.link_button.clicked.connect(self.link_unknown)
        self.link_button.hide()
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.link_button, 0, Qt.AlignmentFlag.AlignTop)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for i, width in enumerate((104, 200, 90, 68, 60, 52, 66, 126, 110, 300)):
            header.resizeSection(i, width)
            self.table.horizontalHeaderItem(i).setTextAlignment(RIGHT if i in NUMERIC else LEFT)
        header.setSectionResizeMode(NOTE_COLUMN, QHeaderView.ResizeMode.Stretch)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.print_button = QPushButton("Print labels for these")
        self.print_button.setToolTip("A product label for each item just booked, on this "
                                     "computer's product label printer.")
        self.print_button.clicked.connect(self.print_labels)
        self.print_button.hide()
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Throw away this parked delivery; nothing of it was "
                                       "booked.")
        self.discard_button.clicked.connect(lambda: self.discard())
        self.park_button = QPushButton("Park")
        self.park_button.setToolTip("Keep this delivery half-done, to finish later; nothing is "
                                    "booked yet.")
        self.park_button.clicked.connect(self.park)
        self.book_button = QPushButton("Book")
        self.book_button.setToolTip("Book what came into stock and against the order.")
        self.book_button.clicked.connect(self.book)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.park_button)
        bottom.addWidget(self.book_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(scan_row)
        layout.addLayout(message_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        for button in self.findChildren(QPushButton):  # Enter in a box never presses one
            button.setAutoDefault(False)
        self._fill_orders(purchase_order_id, keep=purchase_order_id is not None)
        if delivery_id is not None:
            self.resume(delivery_id)
        self._refresh()
        self.scan_box.setFocus()

    # --- choosing the order -------------------------------------------------------------

    def _index_of(self, po_id: int | None, supplier_id: int | None = None) -> int:
        """The order's place in the list. If it is not (or no longer) there: the next open
        order of `supplier_id`, else No purchase order, never another supplier's order."""
        no_order = self.order.count() - 1
        found = self.order.findData(po_id) if po_id is not None else -1
        if found >= 0:
            return found
        if supplier_id is not None:
            for i in range(no_order):
                if self.order.itemData(i, SUPPLIER_ROLE) == supplier_id:
                    return i
        return no_order

    def _fill_orders(self, chosen: int | None, keep: bool = True,
                     supplier_id: int | None = None) -> None:
        orders = self._backroom().read(goods_in.receivable_orders)
        self.order.blockSignals(True)
        self.order.clear()
        for o in orders:
            self.order.addItem(o.text, o.id)
            self.order.setItemData(self.order.count() - 1, o.supplier_id, SUPPLIER_ROLE)
        self.order.addItem(NO_ORDER, None)
        self.order.setCurrentIndex(self._index_of(chosen, supplier_id) if keep else 0)
        self.order.blockSignals(False)
        self._fill_parked()

    def _only_orders_of(self, supplier_id: int | None) -> None:
        """Grey out the other suppliers' orders: a kept delivery moves only to its own."""
        model = self.order.model()
        for i in range(self.order.count() - 1):
            if self.order.itemData(i, SUPPLIER_ROLE) != supplier_id:
                model.item(i).setEnabled(False)  # type: ignore[attr-defined]

    def _fill_parked(self) -> None:
        self.resume_menu.clear()
        parked = self._backroom().read(goods_in.parked_deliveries)
        for p in parked:
            action = self.resume_menu.addAction(f"{p.text} ({formatting.when(p.parked_at)})")
            action.triggered.connect(lambda _c=False, i=p.id: self.resume(i))
        self.resume_button.setEnabled(bool(parked))
        self.resume_button.setText(f"Resume parked delivery ({len(parked)})" if parked
                                   else "No parked deliveries")

    @property
    def purchase_order_id(self) -> int | None:
        return self.order.currentData()

    def _order_changed(self) -> None:
        if self.kept_for is not None and self.delivery_id is not None:
            self._move_parked()
            return
        self.bins.clear()
        self._refresh()
        self.scan_box.setFocus()

    def resume(self, delivery_id: int) -> None:
        """Carry on with a parked delivery: its scans and bins come back."""
        if self.scans and not self._ask_yes(
                "Put these scans aside?",
                "This delivery's scans are not parked or booked; resuming another drops "
                "them. Go on?"):
            return
        try:
            resumed = self._backroom().read(goods_in.resume_delivery, delivery_id)
        except DomainError as exc:
            self._say(str(exc), BAD)
            self._fill_parked()
            return
        self._fill_orders(self.purchase_order_id)  # the orders as they stand now
        if not resumed.takes_goods:
            self._keep_or_discard(resumed)
            return
        self._load(resumed)
        self.order.setEnabled(False)
        self.order.setToolTip("A parked delivery stays with its purchase order.")
        self._say(f"Resumed delivery {delivery_id}: {sum(s.quantity for s in self.scans):,} "
                  "scanned so far.", GOOD)
        self._refresh()

    def _load(self, parked: ResumedDelivery) -> None:
        """Take up a parked delivery's scans and bins, its order chosen."""
        self.order.blockSignals(True)
        self.order.setCurrentIndex(self._index_of(parked.purchase_order_id))
        self.order.blockSignals(False)
        self.delivery_id, self.parked_order = parked.delivery_id, parked.purchase_order_id
        self.scans = list(parked.scans)
        self.bins = dict(parked.bins)

    def _keep_or_discard(self, parked: ResumedDelivery) -> None:
        """A parked delivery whose order no longer takes goods: discard it, or keep its scans
        (No), parked against No purchase order, to book as goods nobody ordered or against
        another open order of the same supplier."""
        status = formatting.status(parked.po_status).lower()
        units = formatting.count(sum(s.quantity for s in parked.scans), "unit")
        if self._ask_yes(
                "Discard the parked delivery?",
                f"{parked.po_number} is {status} now, so delivery {parked.delivery_id} cannot "
                f"be booked against it.\n\nYes discards the delivery and its {units} scanned "
                "(nothing of it was booked). No keeps them: the delivery stays parked, against "
                "No purchase order, to book as unexpected goods or against another open order "
                f"of {parked.supplier}."):
            self.delivery_id = parked.delivery_id
            self.discard(ask=False)
            return
        try:
            self._backroom().act(goods_in.move_parked_delivery, parked.delivery_id, None)
        except DomainError as exc:
            self._say(str(exc), BAD)
            self._fill_parked()
            return
        self._fill_orders(None)
        self._load(replace(parked, purchase_order_id=None))
        self.kept_for = parked.supplier_id
        self._only_orders_of(self.kept_for)
        self.order.setEnabled(True)
        self.order.setToolTip(f"Choosing one of {parked.supplier}'s open orders moves the "
                              "parked delivery to it.")
        self._say(f"Kept delivery {parked.delivery_id}: {parked.po_number} is {status} now, so "
                  "the delivery stays parked, against No purchase order. Book its scans as "
                  f"unexpected goods, or choose another open order of {parked.supplier}.", GOOD)
        self._refresh()

    def _move_parked(self) -> None:
        """The order of a kept delivery was changed here: the parked delivery moves with it."""
        assert self.delivery_id is not None
        try:
            self._backroom().act(goods_in.move_parked_delivery, self.delivery_id,
                                 self.purchase_order_id)
        except DomainError as exc:
            self._fill_orders(self.parked_order)  # back where it is parked
            self._only_orders_of(self.kept_for)
            self._say(str(exc), BAD)
            return
        self.parked_order = self.purchase_order_id
        self._fill_parked()
        if self._refresh() and self.check is not None:
            self._say(f"Delivery {self.delivery_id} is parked against "
                      f"{self.check.po_number or 'No purchase order'} now; nothing is booked "
                      "until you book it.", GOOD)

    def _order_moved_on(self) -> None:
        """The chosen order stopped taking goods (cancelled, closed or received in another
        window): the list is read again, and a parked delivery of it is kept or discarded."""
        if self.delivery_id is not None:
            try:
                parked = self._backroom().read(goods_in.resume_delivery, self.delivery_id)
            except DomainError:
                parked = None
            if parked is not None and not parked.takes_goods:
                self._keep_or_discard(replace(parked, scans=tuple(self.scans),
                                              bins=dict(self.bins)))
                return
        self._fill_orders(None)
        self._refresh()

    # --- scanning -----------------------------------------------------------------------

    def add_scan(self) -> None:
        text = self.scan_box.text()
        try:
            code, quantity = goods_in.parse_scan(text)
            if quantity == 1 and text.strip() == code:
                quantity = self.quantity.value()
            supplier = self.order.currentData(SUPPLIER_ROLE)
            match = self._backroom().read(goods_in.identify, code, supplier)
        except UnknownBarcode as exc:
            self.unknown_code, self.unknown_scan = exc.code, text
            self._say(str(exc), BAD)
            self.link_button.show()
            self.scan_box.selectAll()
            return
        except DomainError as exc:
            self._say(str(exc), BAD)
            self.scan_box.selectAll()
            return
        had = len(self.scans)
        self.scans.append(Scan(match.sku, quantity))
        if not self._refresh():
            del self.scans[had:]
            self._refresh()
            return
        verb = "Added" if quantity > 0 else "Took back"
        self._say(f"{verb} {abs(quantity):,} × {match.sku} — {match.title}", GOOD)
        self.scan_box.clear()
        self.quantity.setValue(1)

    def undo_scan(self) -> None:
        if self.scans:
            last = self.scans.pop()
            self._refresh()
            self._say(f"Took back the last scan: {last.quantity:,} × {last.sku}.", GOOD)
        self.scan_box.setFocus()

    def link_unknown(self) -> None:
        """Record the unknown code as a product's barcode, then add the scan again."""
        code = self.unknown_code
        if not code:
            return
        sku = self.ask_sku(code)
        if not sku:
            return
        backroom = self._backroom()
        why = catalogue.barcode_problem(code.replace(" ", ""))
        if why:  # said before any question of replacing a good barcode with it
            self._say(f"The barcode was not linked: {why}", BAD)
            return
        try:
            product = backroom.read(catalogue.product_by_sku, sku)
            if product.barcode and product.barcode != code and QMessageBox.question(
                    self, "Link a barcode", f"{product.sku} has the barcode {product.barcode}. "
                    f"Replace it with {code}?") != QMessageBox.StandardButton.Yes:
                return
            changes = backroom.act(catalogue.link_barcode, product.id, code)
        except DomainError as exc:
            self._say(str(exc), BAD)
            return
        self.changesMade.emit(changes)
        self.unknown_code = None
        self.link_button.hide()
        self.scan_box.setText(self.unknown_scan or code)  # with the quantity it came with
        self.add_scan()

    def ask_sku(self, code: str) -> str:
        """The SKU of the product that carries this code (tests replace this)."""
        sku, ok = QInputDialog.getText(self, "Link barcode",
                                       f"The SKU of the product that carries {code}:")
        return sku.strip() if ok else ""

    # --- the table ----------------------------------------------------------------------

    def _refresh(self) -> bool:
        """Compare the scans with the order again and show it; False (and says why) if the
        scans cannot stand (e.g. more taken back than scanned)."""
        try:
            self.check = self._backroom().read(goods_in.check_delivery, self.purchase_order_id,
                                               self.scans)
        except OrderTakesNoGoods as exc:
            self._say(str(exc), BAD)
            self._order_moved_on()
            return False
        except DomainError as exc:
            self._say(str(exc), BAD)
            return False
        self._show(self.check)
        self._enable()
        return True

    def _show(self, check: DeliveryCheck) -> None:
        for r in range(len(check.rows), self.table.rowCount()):
            gone = self.table.cellWidget(r, BIN_COLUMN)
            if gone is not None:
                gone.hide()  # deleted with its row, later
        self.table.setRowCount(len(check.rows))
        for r, row in enumerate(check.rows):
            line = row.line
            values = (line.sku, row.title, line.po_number or "—", _n(line.ordered),
                      _n(line.received_before), _n(line.received_now),
                      _n(line.still_to_come), STATUS_WORDS[line.status], "",
                      line.question or line.note)
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c in NUMERIC:
                    item.setTextAlignment(RIGHT)
                item.setToolTip(line.note if c != NOTE_COLUMN else
                                "\n".join(x for x in (line.note, line.question) if x))
                self.table.setItem(r, c, item)
            colour = QBrush(QColor(STATUS_COLOURS[line.status]))
            self.table.item(r, 7).setForeground(colour)
            if line.question:
                self.table.item(r, NOTE_COLUMN).setForeground(colour)
                bold = QFont(self.table.font())
                bold.setBold(True)
                self.table.item(r, 7).setFont(bold)
            self._bin_box(r, line.sku, check)
        self.table.resizeRowsToContents()
        for r in range(self.table.rowCount()):
            self.table.setRowHeight(r, max(32, self.table.rowHeight(r) + 8))
        units = check.units
        questions = len(check.questions)
        parts = [formatting.count(units, "unit") + " scanned"]
        if check.po_number:
            to_come = sum(r.line.still_to_come for r in check.rows)
            parts.append(f"{to_come:,} still to come on {check.po_number}")
        if questions:
            parts.append(f"{questions} question{'' if questions == 1 else 's'} to answer when "
                         "you book")
        self.summary.setText(" · ".join(parts))

    def _bin_box(self, row: int, sku: str, check: DeliveryCheck) -> None:
        """The row's bin: an editable list of bins showing the chosen or suggested one."""
        suggestion = check.bins.get(sku)
        chosen = self.bins.get(sku) or (suggestion.location if suggestion else None) or ""
        box = self.table.cellWidget(row, BIN_COLUMN)
        if not isinstance(box, QComboBox) or box.property("sku") != sku:
            if box is not None:
                box.hide()  # replaced: Qt deletes it later
            box = QComboBox()
            box.setEditable(True)
            box.addItems(self.bin_codes)
            box.setProperty("sku", sku)
            box.lineEdit().setPlaceholderText("Choose a bin")
            box.currentTextChanged.connect(lambda text, s=sku: self._bin_chosen(s, text))
            self.table.setCellWidget(row, BIN_COLUMN, box)
        if box.currentText() != chosen:
            box.blockSignals(True)
            box.setCurrentText(chosen)
            box.blockSignals(False)
        box.setToolTip(suggestion.reason if suggestion else "")

    def _bin_chosen(self, sku: str, code: str) -> None:
        self.bins[sku] = code.strip()

    def chosen_bins(self) -> dict[str, str]:
        """The bin for every SKU: the one chosen here, else the suggested one."""
        out = {}
        if self.check is not None:
            for sku, suggestion in self.check.bins.items():
                if suggestion.location:
                    out[sku] = suggestion.location
        out.update({sku: code for sku, code in self.bins.items() if code})
        return out

    def _enable(self) -> None:
        something = self.check is not None and self.check.units > 0
        self.park_button.setEnabled(something)
        self.book_button.setEnabled(something)
        self.undo_button.setEnabled(bool(self.scans))
        self.discard_button.setVisible(self.delivery_id is not None)

    def _say(self, text: str, style: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)
        if style is GOOD:
            self.link_button.hide()

    # --- parking and booking ------------------------------------------------------------

    def park(self) -> bool:
        try:
            self.delivery_id = self._backroom().act(
                goods_in.park_delivery, self.delivery_id, self.purchase_order_id, self.scans,
                self.chosen_bins())
        except OrderTakesNoGoods as exc:
            self._say(f"Not parked: {exc}", BAD)
            self._order_moved_on()
            return False
        except DomainError as exc:
            self._say(f"Not parked: {exc}", BAD)
            return False
        parked = self.delivery_id
        self._start_again()
        self._say(f"Parked delivery {parked}; resume it from “Resume parked delivery”.", GOOD)
        return True

    def discard(self, ask: bool = True) -> None:
        """Throw away the parked delivery being worked on."""
        if self.delivery_id is None or (ask and not self._ask_yes(
                "Discard the parked delivery?",
                f"Throw away delivery {self.delivery_id} and its scans? Nothing of it was "
                "booked.")):
            return
        gone = self.delivery_id
        try:
            self._backroom().act(goods_in.discard_delivery, gone)
        except DomainError as exc:
            self._say(str(exc), BAD)
            return
        self._start_again()
        self._say(f"Discarded parked delivery {gone}; nothing of it was booked.", GOOD)

    def book(self) -> BookedDelivery | None:
        """Book the delivery; extra or unexpected goods are asked about first."""
        answers: dict[str, set[str]] = {"book_extra": set(), "book_unexpected": set(),
                                        "leave_out": set()}
        while True:
            try:
                booked = self._backroom().act(
                    goods_in.book_delivery, self.delivery_id, self.purchase_order_id,
                    self.scans, self.chosen_bins(), data_dir=self._data_dir, **answers)
                break
            except ReceiptQuestions as asked:
                for question in asked.questions:
                    answer = self.ask(question)
                    if answer is None:
                        self._say("Nothing was booked.", BAD)
                        return None
                    key = ("leave_out" if not answer else
                           "book_unexpected" if question.kind == "unexpected" else "book_extra")
                    answers[key].add(question.sku)
            except OrderTakesNoGoods as exc:
                self._say(f"Not booked: {exc}", BAD)
                self._order_moved_on()
                return None
            except DomainError as exc:
                self._say(f"Not booked: {exc}", BAD)
                return None
        self.booked = booked
        self.changesMade.emit(booked.changes)
        self._start_again()
        self._say(booked.summary + (f" {booked.labels}" if booked.labels else ""), GOOD)
        # Printed by themselves already: not offered again (one click would print twice).
        self.print_button.setVisible(bool(booked.received) and booked.label_job is None)
        if booked.label_job is not None:
            self._labels_queued()
        return booked

    def ask(self, question: Question) -> bool | None:
        """Yes (book it), No (leave it out) or Cancel (book nothing) — tests replace this."""
        answer = QMessageBox.question(
            self, "Book the extra?" if question.kind == "extra" else "Book unexpected goods?",
            question.text + "\n\nNo leaves them out of stock, to send back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Cancel:
            return None
        return answer == QMessageBox.StandardButton.Yes

    def _start_again(self) -> None:
        """Ready for the next delivery."""
        self.scans, self.bins, self.delivery_id = [], {}, None
        self.parked_order, self.kept_for = None, None
        self.order.setEnabled(True)
        self.order.setToolTip("")
        # An order received in full leaves the list: its supplier's next one, else none.
        self._fill_orders(self.purchase_order_id, supplier_id=self.order.currentData(
            SUPPLIER_ROLE))
        self.print_button.hide()
        self._refresh()
        self.scan_box.setFocus()

    def print_labels(self) -> None:
        """A product label for each item of the delivery just booked."""
        if self.booked is None:
            return
        received = self.booked.received
        backroom = self._backroom()
        try:
            records = backroom.read(label_data.product_records, list(received), received)
            job = backroom.act(print_jobs.queue_for_use, Use.PRODUCT_LABELS, records,
                               data_dir=self._data_dir)
        except DomainError as exc:
            self._say(f"No labels printed: {exc}", BAD)
            return
        self._say(f"{formatting.count(len(records), 'label')} queued (print job {job}).", GOOD)
        self.print_button.hide()
        self._labels_queued()

    def _labels_queued(self) -> None:
        """Tell the main window's print sender, so the labels go now, not at its next look."""
        sender = sender_of(self)
        if sender is not None:
            sender.queued()

    # --- leaving ------------------------------------------------------------------------

    def reject(self) -> None:
        """Close (Escape, the window's X, Close): scans not booked are offered parking."""
        if self.scans and any(s.quantity for s in self.scans):
            answer = QMessageBox.question(
                self, "Park this delivery?",
                "The scans of this delivery are not booked. Park them to finish later?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Yes and not self.park()):
                return
        super().reject()

    def _ask_yes(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes


def _n(value: int) -> str:
    return f"{value:,}"
