"""Stock checks: the list of them, starting one (bins, products or the rolling count),
counting by scan or by typing (blind if wished), and the owner's variance list with its
value, approved line by line or all at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.statuses import StockCheckStatus
from app.domain.stock_check import UNCOUNTED_LABELS, Uncounted
from app.services import catalogue, inventory, locations, stock_checks
from app.services.context import Backroom
from app.services.paging import PageRequest
from app.services.stock_checks import CheckRow, CheckVariance, CountSheet, UnknownCode
from app.ui import formatting
from app.ui.dialogs.locations import (
    GREY,
    RED,
    can,
    error_label,
    hint,
    item,
    no_default_button,
    paged_view,
    size_columns,
    small_table,
)
from app.ui.models.paged import Column, PagedTableModel

S = StockCheckStatus
GREEN = "#1b6e20"
OWNER_APPROVES = "Only the owner approves a stock check."
KIND_WORDS = {"bins": "Bins", "products": "Products", "rolling": "Rolling count"}
PRODUCT_RESULTS = 30


def status_words(status: str) -> str:
    return {S.COUNTING: "Counting", S.AWAITING_APPROVAL: "Waiting for approval",
            S.APPROVED: "Approved", S.CANCELLED: "Cancelled"}.get(
        status, formatting.status(status))  # type: ignore[call-overload]


def signed(n: int) -> str:
    return "0" if n == 0 else (f"+{n:,}" if n > 0 else f"-{-n:,}")


def money_text(value: Money) -> str:
    return formatting.money(value.minor, value.currency)


# --- the list of checks ----------------------------------------------------------------------


CHECK_COLUMNS = (
    Column("Number", lambda r: r.number, "number"),
    Column("Started", lambda r: formatting.when(r.started_at), "started"),
    Column("Kind", lambda r: KIND_WORDS.get(r.kind, r.kind) + (", blind" if r.blind else "")),
    Column("Covers", lambda r: r.covers),
    Column("Counted", lambda r: f"{r.counted:,} of {r.lines:,}", numeric=True),
    Column("Status", lambda r: status_words(r.status), "status"),
    Column("By", lambda r: r.actor),
    Column("Approved", lambda r: formatting.when(r.approved_at) +
           (f" by {r.approved_by}" if r.approved_by else "")),
)
CHECK_WIDTHS = (100, 150, 160, 100, 110, 170, 110, 2000)
SHOWING = (("Not finished", "open"), ("All", ""), ("Approved", str(S.APPROVED)),
           ("Cancelled", str(S.CANCELLED)))


class StockChecksDialog(QDialog):
    """Every stock check, unfinished first shown; New check… starts one, a double-click
    (or Open…) counts or approves it."""

    changesMade = Signal(object)  # Changes

    def __init__(self, backroom: Callable[[], Backroom], parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Stock checks")
        self.resize(1060, 520)
        self.showing = QComboBox()
        for text, value in SHOWING:
            self.showing.addItem(text, value)
        self.showing.currentIndexChanged.connect(
            lambda _i: self.model.set_filter("status", self.showing.currentData()))
        self.count = QLabel()
        self.count.setStyleSheet(f"color: {GREY};")
        source: Any = SimpleNamespace(list_page=stock_checks.list_page, count=stock_checks.count)
        self.model = PagedTableModel(backroom, source, CHECK_COLUMNS, self)
        self.model.request = PageRequest(sort="started", descending=True,
                                         filters=(("status", "open"),))
        self.model.countChanged.connect(
            lambda n: self.count.setText(formatting.count(n, "stock check")))
        self.table = paged_view(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.empty = hint("")
        self.new_button = QPushButton("New check…")
        self.new_button.clicked.connect(self.new_check)
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(self.open_selected)
        head = QHBoxLayout()
        head.addWidget(QLabel("Show"))
        head.addWidget(self.showing)
        head.addStretch(1)
        head.addWidget(self.count)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        no_default_button(self)
        self.model.modelReset.connect(self._empty_text)
        self.model.reload()
        size_columns(self.table, CHECK_WIDTHS, len(CHECK_COLUMNS) - 1)

    def _empty_text(self) -> None:
        self.empty.setVisible(not self.model.rowCount())
        self.empty.setText("No stock checks here yet. New check… counts chosen bins or "
                           "products, or the bins longest uncounted.")

    def selected(self) -> CheckRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def new_check(self) -> None:
        dialog = StartCheckDialog(self._backroom, self)
        if dialog.exec() and dialog.check_id is not None:
            self.changesMade.emit(Changes(stock=True))
            self.model.reload()
            self.open_check(dialog.check_id)

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_check(row.id)

    def open_check(self, check_id: int) -> None:
        dialog = StockCheckDialog(self._backroom, check_id, self)
        dialog.changesMade.connect(self.changesMade.emit)
        dialog.exec()
        self.model.reload()


# --- starting one ----------------------------------------------------------------------------


class StartCheckDialog(QDialog):
    """Choose what to count: bins, products, or the rolling count's bins due; blind or not.
    After Start, `check_id` is the new check."""

    def __init__(self, backroom: Callable[[], Backroom], parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.check_id: int | None = None
        self.setWindowTitle("New stock check")
        self.resize(760, 560)
        self.kinds = QButtonGroup(self)
        self.by_bins = QRadioButton("Bins")
        self.by_products = QRadioButton("Products")
        self.rolling = QRadioButton("Rolling count")
        self.rolling.setToolTip("The bins counted longest ago (never counted first)")
        kinds = QHBoxLayout()
        for n, button in enumerate((self.rolling, self.by_bins, self.by_products)):
            self.kinds.addButton(button, n)
            kinds.addWidget(button)
        kinds.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._rolling_page())
        self.pages.addWidget(self._bins_page())
        self.pages.addWidget(self._products_page())
        self.kinds.idClicked.connect(self.pages.setCurrentIndex)
        self.rolling.setChecked(True)
        self.blind = QCheckBox("Blind count: whoever counts does not see the recorded "
                               "quantities")
        self.blind.setChecked(True)
        self.error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        # Not an accept button: the box would make it the default, pressed by Enter in
        # the search box.
        self.start_button = buttons.addButton("Start counting",
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.start_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(kinds)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.blind)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        no_default_button(self)

    # --- the rolling count --------------------------------------------------------------

    def _rolling_page(self) -> QWidget:
        page = QWidget()
        backroom = self._backroom()
        self.how_many = QSpinBox(minimum=1, maximum=stock_checks.ROLLING_MAX, suffix=" bins")
        self.how_many.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.how_many.setValue(backroom.read(stock_checks.rolling_bins))
        self.remember = QCheckBox("Count this many every day from now on")
        owner = can(backroom, Can.CHANGE_SETTINGS)
        self.remember.setEnabled(owner)
        if not owner:
            self.remember.setToolTip("Only the owner changes the daily number.")
        self.due = small_table(["Bin", "Last counted"], set())
        self.due.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.due.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.how_many.valueChanged.connect(self._show_due)
        row = QHBoxLayout()
        row.addWidget(QLabel("Count the"))
        row.addWidget(self.how_many)
        row.addWidget(QLabel("counted longest ago"))
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.remember)
        layout.addWidget(hint("Bins never counted come first. Bins in a check that is not "
                              "finished are left for it."))
        layout.addWidget(self.due, 1)
        self._show_due()
        return page

    def _show_due(self) -> None:
        due = self._backroom().read(stock_checks.bins_due, self.how_many.value())
        self.due.setRowCount(len(due))
        for r, b in enumerate(due):
            self.due.setItem(r, 0, item(b.code))
            self.due.setItem(r, 1, item(formatting.when(b.last_counted_at)
                                        if b.last_counted_at else "Never"))
        self.due.resizeColumnToContents(0)

    # --- bins ---------------------------------------------------------------------------

    def _bins_page(self) -> QWidget:
        page = QWidget()
        self.bin_filter = QLineEdit(placeholderText="Filter bins, e.g. A-0",
                                    clearButtonEnabled=True)
        self.bin_filter.textChanged.connect(self._filter_bins)
        self.bins = QListWidget()
        for option in self._backroom().read(locations.bin_options):
            entry = QListWidgetItem(f"{option.code}" + (f" — {option.name}" if option.name
                                                        else ""))
            entry.setData(Qt.ItemDataRole.UserRole, option.id)
            entry.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)
            self.bins.addItem(entry)
        tick = QPushButton("Tick shown")
        tick.clicked.connect(lambda: self._tick_shown(True))
        untick = QPushButton("Untick shown")
        untick.clicked.connect(lambda: self._tick_shown(False))
        row = QHBoxLayout()
        row.addWidget(self.bin_filter, 1)
        row.addWidget(tick)
        row.addWidget(untick)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.bins, 1)
        layout.addWidget(hint("Every product in the ticked bins is counted; anything else "
                              "found there is added by scanning it."))
        return page

    def _filter_bins(self, text: str) -> None:
        wanted = text.strip().lower()
        for n in range(self.bins.count()):
            entry = self.bins.item(n)
            entry.setHidden(bool(wanted) and wanted not in entry.text().lower())

    def _tick_shown(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for n in range(self.bins.count()):
            if not self.bins.item(n).isHidden():
                self.bins.item(n).setCheckState(state)

    def ticked_bins(self) -> list[int]:
        return [self.bins.item(n).data(Qt.ItemDataRole.UserRole) for n in range(self.bins.count())
                if self.bins.item(n).checkState() == Qt.CheckState.Checked]

    def tick_bins(self, codes: Sequence[str]) -> None:
        for n in range(self.bins.count()):
            if self.bins.item(n).text().split(" — ")[0] in codes:
                self.bins.item(n).setCheckState(Qt.CheckState.Checked)

    # --- products -----------------------------------------------------------------------

    def _products_page(self) -> QWidget:
        page = QWidget()
        self.product_search = QLineEdit(placeholderText="Search SKU, title or barcode",
                                        clearButtonEnabled=True)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._find_products)
        self.product_search.textChanged.connect(lambda _t: self._debounce.start())
        self.product_search.returnPressed.connect(self._find_products)
        self.found = QListWidget()
        self.found.itemDoubleClicked.connect(lambda _i: self._add_products())
        self.chosen = QListWidget()
        self.chosen.itemDoubleClicked.connect(lambda _i: self._remove_products())
        for box in (self.found, self.chosen):
            box.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            box.setTextElideMode(Qt.TextElideMode.ElideRight)
        add = QPushButton("Add →")
        add.clicked.connect(self._add_products)
        remove = QPushButton("← Remove")
        remove.clicked.connect(self._remove_products)
        middle = QVBoxLayout()
        middle.addStretch(1)
        middle.addWidget(add)
        middle.addWidget(remove)
        middle.addStretch(1)
        lists = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.product_search)
        left.addWidget(self.found, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel("To count"))
        right.addWidget(self.chosen, 1)
        lists.addLayout(left, 1)
        lists.addLayout(middle)
        lists.addLayout(right, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(lists, 1)
        layout.addWidget(hint("Each product is counted in every bin it sits in; a bin where "
                              "it turns up unexpectedly is added by scanning it there."))
        return page

    def _find_products(self) -> None:
        self._debounce.stop()
        self.found.clear()
        text = self.product_search.text().strip()
        if not text:
            return
        page = self._backroom().read(inventory.list_page,
                                     PageRequest(search=text, limit=PRODUCT_RESULTS))
        for row in page.rows:
            entry = QListWidgetItem(f"{row.sku} — {row.title}")
            entry.setData(Qt.ItemDataRole.UserRole, row.id)
            entry.setToolTip(f"{row.title}\n{row.on_hand:,} on hand in {row.location or 'no bin'}")
            self.found.addItem(entry)

    def _add_products(self) -> None:
        have = set(self.chosen_products())
        for entry in self.found.selectedItems() or self.found.findItems(
                "", Qt.MatchFlag.MatchStartsWith)[:1]:
            if entry.data(Qt.ItemDataRole.UserRole) not in have:
                copy = QListWidgetItem(entry.text())
                copy.setData(Qt.ItemDataRole.UserRole, entry.data(Qt.ItemDataRole.UserRole))
                self.chosen.addItem(copy)

    def _remove_products(self) -> None:
        for entry in self.chosen.selectedItems():
            self.chosen.takeItem(self.chosen.row(entry))

    def chosen_products(self) -> list[int]:
        return [self.chosen.item(n).data(Qt.ItemDataRole.UserRole)
                for n in range(self.chosen.count())]

    # --- starting -----------------------------------------------------------------------

    def start(self) -> None:
        backroom = self._backroom()
        kind = ("rolling", "bins", "products")[self.kinds.checkedId()]
        try:
            if kind == "rolling":
                if self.remember.isChecked():
                    backroom.act(stock_checks.save_rolling_bins, self.how_many.value())
                self.check_id = backroom.act(stock_checks.start_check, "rolling",
                                             blind=self.blind.isChecked(),
                                             how_many=self.how_many.value())
            else:
                ids = self.ticked_bins() if kind == "bins" else self.chosen_products()
                self.check_id = backroom.act(stock_checks.start_check, kind, ids,
                                             blind=self.blind.isChecked())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


# --- counting and approving ------------------------------------------------------------------


SHEET_HEADERS = ["Bin", "SKU", "Title", "Recorded", "Counted", "Counted at"]
RECORDED, COUNTED = 3, 4
VARIANCE_HEADERS = ["Bin", "SKU", "Title", "Expected", "Counted", "Difference", "Value",
                    "Decision"]
DIFFERENCE, VALUE, DECISION = 5, 6, 7


def _decision(approved: bool | None) -> str:
    return {None: "", True: "Approved", False: "Left as recorded"}[approved]


class StockCheckDialog(QDialog):
    """One stock check: counting (a scan box, typed counts) while it is counted, then the
    variance list the owner approves."""

    changesMade = Signal(object)  # Changes

    def __init__(self, backroom: Callable[[], Backroom], check_id: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self.check_id = backroom, check_id
        self.sheet: CountSheet
        self.found: CheckVariance | None = None
        self._filling = False
        self.resize(1080, 700)
        self.heading = QLabel(wordWrap=True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._counting_page())
        self.pages.addWidget(self._approval_page())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.cancel_button = QPushButton("Cancel check")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_check)
        foot = QHBoxLayout()
        foot.addWidget(self.cancel_button)
        foot.addStretch(1)
        foot.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.pages, 1)
        layout.addLayout(foot)
        no_default_button(self)
        self.reload()

    # --- the counting page --------------------------------------------------------------

    def _counting_page(self) -> QWidget:
        page = QWidget()
        self.bin = QComboBox()
        self.bin.setMinimumWidth(130)
        self.bin.setMaxVisibleItems(20)
        self.bin.currentIndexChanged.connect(self._bin_chosen)
        self.scan_box = QLineEdit(placeholderText="Scan a barcode or type a SKU, then Enter")
        self.scan_box.setMinimumWidth(320)
        self.scan_box.returnPressed.connect(self.scan)
        self.scan_quantity = QSpinBox(minimum=-stock_checks.SCAN_MAX,
                                      maximum=stock_checks.SCAN_MAX, prefix="× ")
        self.scan_quantity.setValue(1)
        self.scan_quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.scan_quantity.setToolTip("Each scan adds this many (−1 takes one back)")
        self.add_button = QPushButton("Add")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.scan)
        self.feedback = QLabel(wordWrap=True)
        self.feedback.setMinimumHeight(22)
        self.link_button = QPushButton("Link to a product…")
        self.link_button.setAutoDefault(False)
        self.link_button.clicked.connect(self.link_unknown)
        self.link_button.hide()
        self._unknown: str | None = None
        self.lines = small_table(SHEET_HEADERS, {RECORDED, COUNTED})
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.lines.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.lines.itemChanged.connect(self._typed)
        self.progress = QLabel()
        self.progress.setStyleSheet(f"color: {GREY};")
        self.finish_button = QPushButton("Finish counting")
        self.finish_button.setAutoDefault(False)
        self.finish_button.clicked.connect(self.finish_counting)
        scan_row = QHBoxLayout()
        scan_row.addWidget(QLabel("Bin"))
        scan_row.addWidget(self.bin)
        scan_row.addSpacing(8)
        scan_row.addWidget(self.scan_box, 1)
        scan_row.addWidget(self.scan_quantity)
        scan_row.addWidget(self.add_button)
        said = QHBoxLayout()
        said.addWidget(self.feedback, 1)
        said.addWidget(self.link_button)
        foot = QHBoxLayout()
        foot.addWidget(self.progress, 1)
        foot.addWidget(self.finish_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(scan_row)
        layout.addLayout(said)
        layout.addWidget(self.lines, 1)
        layout.addWidget(hint("Scan each item (or type its SKU) in the bin chosen above, or "
                              "type a count in the Counted column; a typed count replaces "
                              "what was scanned."))
        layout.addLayout(foot)
        return page

    def _say(self, text: str, colour: str = GREEN) -> None:
        self.feedback.setText(text)
        self.feedback.setStyleSheet(f"color: {colour};")

    def _fill_sheet(self, select_line: int | None = None) -> None:
        sheet = self.sheet
        self._filling = True
        chosen = self.bin.currentData()
        self.bin.blockSignals(True)
        self.bin.clear()
        for option in sheet.bins:
            self.bin.addItem(option.code, option.id)
        self.bin.setCurrentIndex(max(0, self.bin.findData(chosen)))
        self.bin.blockSignals(False)
        self.lines.setRowCount(len(sheet.lines))
        editable = sheet.status == S.COUNTING
        for r, ln in enumerate(sheet.lines):
            self.lines.setItem(r, 0, item(ln.location, data=ln.line_id))
            self.lines.setItem(r, 1, item(ln.sku))
            self.lines.setItem(r, 2, item(ln.title))
            self.lines.item(r, 2).setToolTip(ln.title)
            self.lines.setItem(r, RECORDED, item("" if ln.expected is None
                                                 else f"{ln.expected:,}", True))
            counted = item("" if ln.counted is None else f"{ln.counted:,}", True)
            if editable and ln.approved is None:
                counted.setFlags(counted.flags() | Qt.ItemFlag.ItemIsEditable)
            self.lines.setItem(r, COUNTED, counted)
            self.lines.setItem(r, 5, item(formatting.when(ln.counted_at)))
        self.lines.setColumnHidden(RECORDED, sheet.blind)
        for c in (0, 1, RECORDED, COUNTED, 5):
            self.lines.resizeColumnToContents(c)
            self.lines.setColumnWidth(c, max(self.lines.columnWidth(c) + 12, 80))
        self._filling = False
        if sheet.lines:
            self.progress.setText(f"{sheet.counted:,} of "
                                  f"{formatting.count(len(sheet.lines), 'line')} counted")
        else:
            where = "for these products" if sheet.kind == "products" else "in these bins"
            self.progress.setText(f"No stock recorded {where}: scan anything found, or "
                                  "Finish counting if there is none.")
        if select_line is not None:
            row = self._row_of(select_line)
            if row is not None:
                self.lines.selectRow(row)
                self.lines.scrollToItem(self.lines.item(row, 0))

    def _row_of(self, line_id: int) -> int | None:
        for r in range(self.lines.rowCount()):
            if self.lines.item(r, 0).data(Qt.ItemDataRole.UserRole) == line_id:
                return r
        return None

    def _bin_chosen(self) -> None:
        code = self.bin.currentText()
        for r in range(self.lines.rowCount()):
            if self.lines.item(r, 0).text() == code:
                self.lines.scrollToItem(self.lines.item(r, 0),
                                        QAbstractItemView.ScrollHint.PositionAtTop)
                break
        self.scan_box.setFocus()

    def choose_bin(self, code: str) -> None:
        self.bin.setCurrentIndex(self.bin.findText(code))

    def scan(self) -> None:
        code = self.scan_box.text().strip()
        if not code:
            return
        self.link_button.hide()
        self._unknown = None
        try:
            result = self._backroom().act(stock_checks.scan, self.check_id, code,
                                          self.bin.currentData(), self.scan_quantity.value())
        except UnknownCode as exc:
            self._unknown = exc.code
            self._say(str(exc), RED)
            self.link_button.show()
            self.scan_box.selectAll()
            return
        except DomainError as exc:
            self._say(str(exc), RED)
            self.scan_box.selectAll()
            return
        self.scan_box.clear()
        self.scan_box.setFocus()
        found = f"{result.sku} — {result.title}: {result.counted:,} counted in {result.location}"
        if result.new_line:
            found = f"Not expected in {result.location}, added. " + found
        self._say(found)
        self.sheet = self._backroom().read(stock_checks.count_sheet, self.check_id)
        self._fill_sheet(result.line_id)

    def link_unknown(self) -> None:
        if self._unknown is None:
            return
        dialog = LinkBarcodeDialog(self._backroom, self._unknown, self)
        if dialog.exec():
            self.changesMade.emit(Changes(products=True))
            self.scan_box.setText(self._unknown)
            self.scan()

    def _typed(self, cell: QTableWidgetItem) -> None:
        if self._filling or cell.column() != COUNTED:
            return
        line_id = self.lines.item(cell.row(), 0).data(Qt.ItemDataRole.UserRole)
        text = cell.text().replace(",", "").strip()
        try:
            counted = int(text)
        except ValueError:
            self._say(f"“{cell.text()}” is not a whole number; type how many you counted.", RED)
            self._restore(line_id)
            return
        try:
            self._backroom().act(stock_checks.enter_count, self.check_id, line_id, counted)
        except DomainError as exc:
            self._say(str(exc), RED)
            self._restore(line_id)
            return
        sku = self.lines.item(cell.row(), 1).text()
        self._say(f"{sku}: {counted:,} counted in {self.lines.item(cell.row(), 0).text()}")
        self._restore(line_id)

    def _restore(self, line_id: int) -> None:
        self.sheet = self._backroom().read(stock_checks.count_sheet, self.check_id)
        QTimer.singleShot(0, self, lambda: self._fill_sheet(line_id))

    def type_count(self, line_id: int, counted: int) -> None:
        """Type a count into a line's Counted cell, as a person would."""
        row = self._row_of(line_id)
        assert row is not None
        self.lines.item(row, COUNTED).setText(str(counted))

    # --- the approval page --------------------------------------------------------------

    def _approval_page(self) -> QWidget:
        page = QWidget()
        self.uncounted = QComboBox()
        for choice, words in UNCOUNTED_LABELS.items():
            self.uncounted.addItem(words, str(choice))
        self.uncounted.currentIndexChanged.connect(lambda _i: self._read_variance())
        self.only_differences = QCheckBox("Only lines with a difference")
        self.only_differences.toggled.connect(lambda _on: self._fill_variance())
        self.totals = QLabel(wordWrap=True)
        self.variance_table = small_table(VARIANCE_HEADERS, {3, 4, DIFFERENCE, VALUE})
        self.variance_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.variance_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch)
        self.variance_table.itemSelectionChanged.connect(self._update_buttons)
        self.explanation = hint("")
        self.explanation.setMinimumHeight(36)
        self.variance_table.currentCellChanged.connect(lambda *_a: self._explain())
        self.approve_selected_button = QPushButton("Approve selected")
        self.approve_selected_button.clicked.connect(lambda: self.approve(selected=True))
        self.approve_all_button = QPushButton("Approve all")
        self.approve_all_button.clicked.connect(lambda: self.approve(selected=False))
        self.leave_button = QPushButton("Leave selected as recorded")
        self.leave_button.clicked.connect(self.leave_selected)
        self.count_again_button = QPushButton("Count again")
        self.count_again_button.setToolTip("Back to counting; lines already decided stay so.")
        self.count_again_button.clicked.connect(self.count_again)
        for button in (self.approve_selected_button, self.approve_all_button, self.leave_button,
                       self.count_again_button):
            button.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(QLabel("Lines nobody counted"))
        top.addWidget(self.uncounted)
        top.addSpacing(12)
        top.addWidget(self.only_differences)
        top.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.count_again_button)
        actions.addStretch(1)
        actions.addWidget(self.leave_button)
        actions.addWidget(self.approve_selected_button)
        actions.addWidget(self.approve_all_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.totals)
        layout.addWidget(self.variance_table, 1)
        layout.addWidget(self.explanation)
        layout.addLayout(actions)
        return page

    def _read_variance(self) -> None:
        if self.sheet.status == S.COUNTING:
            return
        chosen = Uncounted(self.uncounted.currentData())
        self.found = self._backroom().read(stock_checks.variance, self.check_id, chosen)
        self._fill_variance()

    def _shown_rows(self) -> list[stock_checks.VarianceRow]:
        assert self.found is not None
        if self.only_differences.isChecked():
            return [r for r in self.found.rows if r.line.variance or r.line.left_out]
        return list(self.found.rows)

    def _fill_variance(self) -> None:
        found = self.found
        if found is None:
            return
        rows = self._shown_rows()
        table = self.variance_table
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            v = row.line
            table.setItem(r, 0, item(v.location, data=row.line_id))
            table.setItem(r, 1, item(v.sku))
            table.setItem(r, 2, item(row.title))
            table.setItem(r, 3, item(f"{v.expected:,}", True))
            table.setItem(r, 4, item("–" if v.counted is None else f"{v.counted:,}", True))
            difference = item(signed(v.variance) if not v.left_out else "", True)
            value = item(money_text(v.value) if v.variance else "", True)
            colour = RED if v.variance < 0 else GREEN
            for cell in (difference, value):
                if v.variance:
                    cell.setForeground(QBrush(QColor(colour)))
            table.setItem(r, DIFFERENCE, difference)
            table.setItem(r, VALUE, value)
            table.setItem(r, DECISION, item(_decision(row.approved)))
            for c in range(len(VARIANCE_HEADERS)):
                table.item(r, c).setToolTip(v.explanation)
                if row.approved is not None:
                    table.item(r, c).setBackground(QBrush(QColor("#f1f1f1")))
        for c in (0, 1, 3, 4, DIFFERENCE, VALUE, DECISION):
            table.resizeColumnToContents(c)
            table.setColumnWidth(c, max(table.columnWidth(c) + 12, 84))
        net = ", ".join(money_text(m) for m in found.net_value) or money_text(Money(0, "GBP"))
        parts = [f"{found.units_short:,} short", f"{found.units_over:,} over",
                 f"net <b>{net}</b> at cost"]
        text = "Differences: " + ", ".join(parts) + "."
        if found.left_out:
            text += f" {formatting.count(found.left_out, 'line')} not counted, left as recorded."
        undecided = len(found.undecided)
        if not found.rows:
            text = self._nothing_recorded()
        elif found.status == S.AWAITING_APPROVAL:
            text += f" {formatting.count(undecided, 'line')} to decide."
        self.totals.setText(text)
        self._explain()
        self._update_buttons()

    def _nothing_recorded(self) -> str:
        """What a check with no lines means: its bins (or products) hold nothing, and
        approving it records that they were counted."""
        bins = self.sheet.kind != "products"
        said = "No stock recorded " + ("in these bins" if bins else "for these products")
        if self.sheet.status == S.AWAITING_APPROVAL:
            return said + (": approve to mark them counted as empty." if bins
                           else ": approve to close the check.")
        if self.sheet.status == S.APPROVED:
            return said + (": they were counted as empty." if bins else "; none was found.")
        return said + "."

    def _explain(self) -> None:
        row = self.variance_table.currentRow()
        cell = self.variance_table.item(row, 0) if row >= 0 else None
        self.explanation.setText(cell.toolTip() if cell is not None else
                                 "Choose a line to see how its difference was worked out.")

    def selected_lines(self) -> list[int]:
        rows = sorted({i.row() for i in self.variance_table.selectionModel().selectedRows()})
        return [self.variance_table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def select_lines(self, skus: Sequence[str]) -> None:
        self.variance_table.clearSelection()
        mode = self.variance_table.selectionMode()
        self.variance_table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for r in range(self.variance_table.rowCount()):
            if self.variance_table.item(r, 1).text() in skus:
                self.variance_table.selectRow(r)
        self.variance_table.setSelectionMode(mode)

    def _update_buttons(self) -> None:
        if not hasattr(self, "sheet"):
            return
        deciding = self.sheet.status == S.AWAITING_APPROVAL
        owner = can(self._backroom(), Can.CHANGE_SETTINGS)
        picked = bool(self.selected_lines())
        self.approve_all_button.setEnabled(deciding and owner)
        self.approve_selected_button.setEnabled(deciding and owner and picked)
        self.leave_button.setEnabled(deciding and owner and picked)
        self.count_again_button.setEnabled(deciding)
        self.uncounted.setEnabled(deciding and owner)
        for button in (self.approve_all_button, self.approve_selected_button,
                       self.leave_button):
            button.setToolTip("" if owner else OWNER_APPROVES)
        self.cancel_button.setEnabled(self.sheet.status in (S.COUNTING, S.AWAITING_APPROVAL))

    # --- acting -------------------------------------------------------------------------

    def reload(self, select_line: int | None = None) -> None:
        self.sheet = self._backroom().read(stock_checks.count_sheet, self.check_id)
        sheet = self.sheet
        self.setWindowTitle(f"Stock check {sheet.number}")
        kind = KIND_WORDS.get(sheet.kind, sheet.kind)
        covers = (formatting.count(len(sheet.bins), "bin") if sheet.kind != "products"
                  else formatting.count(len({ln.product_id for ln in sheet.lines}), "product"))
        blind = ", blind" if sheet.blind else ""
        self.heading.setText(
            f"<b>{sheet.number}</b> — {kind}: {covers}{blind} — "
            f"<b>{status_words(sheet.status)}</b> — started {formatting.when(sheet.started_at)}"
            f" by {sheet.actor}")
        if sheet.status == S.COUNTING:
            self.pages.setCurrentIndex(0)
            self._fill_sheet(select_line)
            self.scan_box.setFocus()
        else:
            self.pages.setCurrentIndex(1)
            self.uncounted.blockSignals(True)
            self.uncounted.setCurrentIndex(self.uncounted.findData(str(sheet.uncounted)))
            self.uncounted.blockSignals(False)
            self._read_variance()
        self._update_buttons()

    def _act(self, fn: Callable[..., Any], *args: Any) -> bool:
        try:
            self._backroom().act(fn, *args)
        except DomainError as exc:
            QMessageBox.warning(self, f"Stock check {self.sheet.number}", str(exc))
            self.reload()
            return False
        self.changesMade.emit(Changes(stock=True))
        self.reload()
        return True

    def confirm(self, text: str) -> bool:
        """Ask before something that cannot be undone."""
        return QMessageBox.question(self, f"Stock check {self.sheet.number}", text) \
            == QMessageBox.StandardButton.Yes

    def finish_counting(self) -> None:
        missing = len(self.sheet.lines) - self.sheet.counted
        if missing and not self.confirm(
                f"{formatting.count(missing, 'line')} not counted yet. Finish anyway? The "
                "owner decides what an uncounted line means."):
            return
        self._act(stock_checks.finish_counting, self.check_id)

    def count_again(self) -> None:
        self._act(stock_checks.count_again, self.check_id)

    def cancel_check(self) -> None:
        if self.confirm("Cancel this stock check? Its counts are kept but nothing more is "
                        "booked from it."):
            self._act(stock_checks.cancel_check, self.check_id)

    def _uncounted_choice(self) -> Uncounted:
        return Uncounted(self.uncounted.currentData())

    def approve(self, selected: bool) -> None:
        assert self.found is not None
        lines = self.selected_lines() if selected else None
        if not selected:
            n = len(self.found.undecided)
            net = ", ".join(money_text(m) for m in self.found.undecided_value)
            if not n:
                question = (f"Approve {self.sheet.number}? No stock is recorded in its bins "
                            "and none was found: they are marked counted as empty, and "
                            "nothing is booked." if self.sheet.kind != "products" else
                            f"Approve {self.sheet.number}? No stock is recorded for its "
                            "products and none was found: nothing is booked.")
            else:
                question = (f"Approve all {formatting.count(n, 'line')} still to decide "
                            f"(net {net} at cost)? Each difference is booked as a count "
                            "movement.")
            if not self.confirm(question):
                return
        self._act(stock_checks.approve_lines, self.check_id, lines, self._uncounted_choice())

    def leave_selected(self) -> None:
        self._act(stock_checks.leave_as_recorded, self.check_id, self.selected_lines(),
                  self._uncounted_choice())


# --- an unknown barcode ----------------------------------------------------------------------


class LinkBarcodeDialog(QDialog):
    """Give the product a scanned, unknown barcode belongs to: find it, then Link."""

    def __init__(self, backroom: Callable[[], Backroom], code: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self.code = backroom, code
        self.setWindowTitle("Link a barcode")
        self.resize(620, 420)
        self.search = QLineEdit(placeholderText="Search SKU or title", clearButtonEnabled=True)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.find)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.find)
        self.results = small_table(["SKU", "Title", "Barcode now"], set())
        self.results.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results.doubleClicked.connect(lambda _i: self.link())
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Barcode", QLabel(f"<b>{code}</b>"))
        form.addRow("Product", self.search)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.link_button = buttons.addButton("Link", QDialogButtonBox.ButtonRole.ActionRole)
        self.link_button.clicked.connect(self.link)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.results, 1)
        layout.addWidget(hint("The product gets this barcode, so the next scan finds it. A "
                              "barcode it had before is replaced."))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        no_default_button(self)

    def find(self) -> None:
        self._debounce.stop()
        text = self.search.text().strip()
        rows = () if not text else self._backroom().read(
            inventory.list_page, PageRequest(search=text, limit=PRODUCT_RESULTS)).rows
        barcodes = {}
        for row in rows:
            try:
                barcodes[row.id] = self._backroom().read(locations.product_stock,
                                                         row.id).barcode
            except DomainError:
                barcodes[row.id] = None
        self.results.setRowCount(len(rows))
        for r, row in enumerate(rows):
            self.results.setItem(r, 0, item(row.sku, data=row.id))
            self.results.setItem(r, 1, item(row.title))
            self.results.setItem(r, 2, item(barcodes[row.id] or ""))
        self.results.resizeColumnToContents(0)
        self.results.resizeColumnToContents(2)
        if rows:
            self.results.selectRow(0)

    def link(self) -> None:
        rows = self.results.selectionModel().selectedRows()
        if not rows:
            self.error.setText("Find the product first, then choose it in the list.")
            self.error.show()
            return
        r = rows[0].row()
        product_id = self.results.item(r, 0).data(Qt.ItemDataRole.UserRole)
        had = self.results.item(r, 2).text()
        if had and had != self.code and QMessageBox.question(
                self, "Link a barcode", f"{self.results.item(r, 0).text()} has the barcode "
                f"{had}. Replace it with {self.code}?") != QMessageBox.StandardButton.Yes:
            return
        try:
            self._backroom().act(catalogue.link_barcode, product_id, self.code)
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
