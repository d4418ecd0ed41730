"""The Bins window (codes, names, the picking walk, what each bin holds), and the small
dialogs that move stock between bins or adjust it at one."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.stock import MovementReason
from app.services import locations
from app.services.context import Backroom
from app.services.locations import LocationForm, LocationRow
from app.services.paging import PageRequest
from app.ui import formatting
from app.ui.models.paged import Column, PagedTableModel
from app.ui.styles import RIGHT

RED = "#b3261e"
GREY = "#6b6b6b"
SEARCH_DELAY_MS = 250
QUANTITY_MAX = 1_000_000
OWNER_ONLY = "Only the owner lays out the bins and the walk."


def can(backroom: Backroom, what: Can) -> bool:
    """Whether the signed-in person may (no one signed in: Backroom's own, the owner)."""
    return backroom.viewer is None or backroom.viewer.can(what)


def hint(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet(f"color: {GREY};")
    return label


def error_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setStyleSheet(f"color: {RED}; padding: 4px 0;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def paged_view(model: PagedTableModel) -> QTableView:
    """A read-only table of rows read a page at a time, whole rows selected."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def size_columns(view: QTableView, widths: tuple[int, ...], stretch: int) -> None:
    """Columns fitted to what they show, at most `widths`, one stretching."""
    header = view.horizontalHeader()
    view.resizeColumnsToContents()
    for i, widest in enumerate(widths):
        header.resizeSection(i, min(max(header.sectionSize(i) + 16, 56), widest))
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def fit_height(dialog: QDialog) -> None:
    """Grow to show a problem whole (wrapped labels need their height for the width)."""
    layout = dialog.layout()
    layout.activate()
    needed = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() \
        else layout.totalSizeHint().height()
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


def no_default_button(dialog: QDialog) -> None:
    """Enter in a search or scan box must not press a button (or close the window)."""
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)


def item(text: str, right: bool = False, data: Any = None) -> QTableWidgetItem:
    cell = QTableWidgetItem(text)
    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        cell.setTextAlignment(RIGHT)
    if data is not None:
        cell.setData(Qt.ItemDataRole.UserRole, data)
    return cell


def small_table(headers: list[str], numeric: set[int]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for c in numeric:
        header_item = table.horizontalHeaderItem(c)
        if header_item is not None:
            header_item.setTextAlignment(RIGHT)
    return table


# --- the Bins window -----------------------------------------------------------------------


def _counted(r: LocationRow) -> str:
    return formatting.day(r.last_counted_at.astimezone().date()) if r.last_counted_at \
        else "Never"


BIN_COLUMNS = (
    Column("Walk", lambda r: f"{r.walk_sequence:,}", "walk", numeric=True),
    Column("Code", lambda r: r.code, "code"),
    Column("Name", lambda r: r.name + ("" if r.active else " (retired)"), "name",
           tooltip=lambda r: r.name),
    Column("Products", lambda r: f"{r.products:,}", "products", numeric=True),
    Column("Units", lambda r: f"{r.units:,}", "units", numeric=True),
    Column("Last counted", _counted, "last_counted", warn=lambda r: r.last_counted_at is None),
)
BIN_WIDTHS = (70, 110, 320, 90, 90, 130)


class LocationsDialog(QDialog):
    """Bins: add, change, retire; their order on the picking walk; what each holds, with
    Move stock…, Adjust stock… and History… for the product chosen there."""

    changesMade = Signal(object)  # Changes

    def __init__(self, backroom: Callable[[], Backroom], parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Bins")
        self.resize(1100, 620)
        owner = can(backroom(), Can.CHANGE_SETTINGS)

        self.search = QLineEdit(placeholderText="Search bin code or name",
                                clearButtonEnabled=True)
        self.search.setMinimumWidth(260)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._debounce.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.show_retired = QCheckBox("Show retired bins")
        self.show_retired.toggled.connect(
            lambda on: self.model.set_filter("inactive", True if on else None))
        self.count = QLabel()
        self.count.setStyleSheet(f"color: {GREY};")

        source: Any = SimpleNamespace(list_page=locations.list_page, count=locations.count)
        self.model = PagedTableModel(backroom, source, BIN_COLUMNS, self)
        self.model.request = PageRequest(sort="walk")
        self.model.countChanged.connect(
            lambda n: self.count.setText(formatting.count(n, "bin")))
        self.table = paged_view(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.doubleClicked.connect(lambda _i: self.edit_bin() if owner else None)
        self.model.modelReset.connect(self._reselect)

        self.add_button = QPushButton("Add bin…")
        self.add_button.clicked.connect(self.add_bin)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_bin)
        self.up_button = QPushButton("Earlier on the walk")
        self.up_button.clicked.connect(lambda: self.move_in_walk(-1))
        self.down_button = QPushButton("Later on the walk")
        self.down_button.clicked.connect(lambda: self.move_in_walk(1))
        self.renumber_button = QPushButton("Renumber walk")
        self.renumber_button.setToolTip("Number the walk 10, 20, 30… in its present order")
        self.renumber_button.clicked.connect(self.renumber)
        self.retire_button = QPushButton("Retire")
        self.retire_button.clicked.connect(self.toggle_active)
        self._owner_buttons = (self.add_button, self.edit_button, self.up_button,
                               self.down_button, self.renumber_button, self.retire_button)
        for button in self._owner_buttons:
            button.setEnabled(owner)
            if not owner:
                button.setToolTip(OWNER_ONLY)

        self.contents_title = QLabel("<b>Choose a bin</b>")
        self.contents = small_table(["SKU", "Title", "On hand", "Promised"], {2, 3})
        self.contents.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.contents.itemSelectionChanged.connect(self._update_buttons)
        self.contents.doubleClicked.connect(lambda _i: self.history())
        self.move_button = QPushButton("Move stock…")
        self.move_button.clicked.connect(self.move_stock)
        self.adjust_button = QPushButton("Adjust stock…")
        self.adjust_button.clicked.connect(self.adjust_stock)
        self.history_button = QPushButton("History…")
        self.history_button.clicked.connect(self.history)

        head = QHBoxLayout()
        head.addWidget(self.search)
        head.addWidget(self.show_retired)
        head.addStretch(1)
        head.addWidget(self.count)
        self.print_button = QPushButton("Print bin labels")
        self.print_button.setToolTip("A label with the bin's code and barcode for each "
                                     "selected bin")
        self.print_button.clicked.connect(self.print_labels)
        walk = QHBoxLayout()
        for button in self._owner_buttons:
            walk.addWidget(button)
        walk.addStretch(1)
        walk.addWidget(self.print_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(head)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(walk)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.contents_title)
        right_layout.addWidget(self.contents, 1)
        actions = QHBoxLayout()
        for button in (self.move_button, self.adjust_button, self.history_button):
            actions.addWidget(button)
        actions.addStretch(1)
        right_layout.addLayout(actions)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 440])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)

        self._selected_id: int | None = None
        self.table.selectionModel().selectionChanged.connect(self._bin_chosen)
        no_default_button(self)
        self.model.reload()
        size_columns(self.table, BIN_WIDTHS, 2)
        if self.model.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    # --- reading ------------------------------------------------------------------------

    def selected_bin(self) -> LocationRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def selected_product(self) -> int | None:
        rows = self.contents.selectionModel().selectedRows()
        if not rows:
            return None
        return self.contents.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def _reselect(self) -> None:
        if self._selected_id is None:
            return
        for r in range(self.model.rowCount()):
            if self.model.row_at(r).id == self._selected_id:
                self.table.selectRow(r)
                self.table.scrollTo(self.model.index(r, 0))
                return

    def _bin_chosen(self) -> None:
        row = self.selected_bin()
        if row is not None:
            self._selected_id = row.id
        self._show_contents(row)
        self._update_buttons()

    def _show_contents(self, row: LocationRow | None) -> None:
        self.contents.setRowCount(0)
        if row is None:
            self.contents_title.setText("<b>Choose a bin</b>")
            return
        held = self._backroom().read(locations.bin_contents, row.id)
        self.contents_title.setText(
            f"<b>In {row.code}</b>" + (f" — {row.name}" if row.name else "")
            + ("" if held else f" <span style='color:{GREY}'>(empty)</span>"))
        self.contents.setRowCount(len(held))
        for r, c in enumerate(held):
            self.contents.setItem(r, 0, item(c.sku, data=c.product_id))
            self.contents.setItem(r, 1, item(c.title))
            self.contents.item(r, 1).setToolTip(c.title)
            self.contents.setItem(r, 2, item(f"{c.on_hand:,}", True))
            self.contents.setItem(r, 3, item(f"{c.reserved:,}" if c.reserved else "", True))
        self.contents.resizeColumnToContents(0)
        for c in (2, 3):
            self.contents.resizeColumnToContents(c)

    def print_labels(self) -> int | None:
        """Bin labels for the selected bins, on this computer's bin-label printer."""
        from app.ui.printing_actions import print_bin_labels, sender_of

        ids = [self.model.row_at(i.row()).id for i in self.table.selectionModel().selectedRows()]
        if not ids:
            return None
        return print_bin_labels(self, self._backroom, sender_of(self.parentWidget()), ids)

    def _update_buttons(self) -> None:
        row = self.selected_bin()
        self.print_button.setEnabled(row is not None)
        owner = can(self._backroom(), Can.CHANGE_SETTINGS)
        for button in (self.edit_button, self.up_button, self.down_button, self.retire_button):
            button.setEnabled(owner and row is not None)
        self.up_button.setEnabled(owner and row is not None and self.model.request.sort
                                  in ("", "walk"))
        self.down_button.setEnabled(self.up_button.isEnabled())
        self.retire_button.setText("Bring back" if row is not None and not row.active
                                   else "Retire")
        chosen = self.selected_product() is not None
        for button in (self.move_button, self.adjust_button, self.history_button):
            button.setEnabled(chosen)

    def reload(self, changes: Changes | None = None) -> None:
        self.model.reload()
        self._show_contents(self.selected_bin())
        self._update_buttons()
        if changes is not None:
            self.changesMade.emit(changes)

    # --- acting -------------------------------------------------------------------------

    def _act(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return self._backroom().act(fn, *args)
        except DomainError as exc:
            QMessageBox.warning(self, "Bins", str(exc))
            return None

    def add_bin(self) -> None:
        editor = LocationEditor(self._backroom, None, self)
        if editor.exec():
            self._selected_id = editor.saved_id
            self.reload(Changes(stock=True))

    def edit_bin(self) -> None:
        row = self.selected_bin()
        if row is None:
            return
        editor = LocationEditor(self._backroom, row.id, self)
        if editor.exec():
            self.reload(Changes(stock=True))

    def move_in_walk(self, steps: int) -> None:
        row = self.selected_bin()
        if row is not None and self._act(locations.move_in_walk, row.id, steps) is not None:
            self.reload(Changes(stock=True))

    def renumber(self) -> None:
        if self._act(locations.renumber_walk) is not None:
            self.reload(Changes(stock=True))

    def toggle_active(self) -> None:
        row = self.selected_bin()
        if row is not None and self._act(locations.set_location_active, row.id,
                                         not row.active) is not None:
            self.reload(Changes(stock=True))

    def move_stock(self) -> None:
        self._stock_dialog(MoveStockDialog)

    def adjust_stock(self) -> None:
        self._stock_dialog(AdjustStockDialog)

    def _stock_dialog(self, kind: type[MoveStockDialog] | type[AdjustStockDialog]) -> None:
        """Move or adjust the chosen product in the chosen bin."""
        product, row = self.selected_product(), self.selected_bin()
        if product is None or row is None:
            return
        dialog = kind(self._backroom, product, row.id, self)
        if dialog.exec():
            self.reload(dialog.changes)

    def history(self) -> None:
        from app.ui.dialogs.product_history import ProductHistoryDialog

        product = self.selected_product()
        if product is None:
            return
        dialog = ProductHistoryDialog(self._backroom, product, self)
        dialog.changesMade.connect(self.reload)
        dialog.exec()


# --- one bin -------------------------------------------------------------------------------


class LocationEditor(QDialog):
    """Add a bin (`location_id` None) or change one; problems show here, nothing is saved
    until all is right."""

    def __init__(self, backroom: Callable[[], Backroom], location_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self.location_id = backroom, location_id
        self.saved_id: int | None = None
        current = (backroom().read(locations.location_form, location_id)
                   if location_id is not None else LocationForm(""))
        self.setWindowTitle("Add bin" if location_id is None else f"Edit bin — {current.code}")
        self.code = QLineEdit(current.code, maxLength=locations.CODE_MAX,
                              placeholderText="e.g. A-03-2 (aisle, bay, shelf)")
        self.code.setMinimumWidth(320)
        self.name = QLineEdit(current.name, maxLength=locations.NAME_MAX,
                              placeholderText="e.g. Aisle A, bay 3, shelf 2")
        self.walk = QSpinBox(minimum=-1 if location_id is None else 0,
                             maximum=locations.WALK_MAX, singleStep=locations.WALK_STEP)
        self.walk.setSpecialValueText("At the end of the walk")
        self.walk.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.walk.setValue(current.walk_sequence if current.walk_sequence is not None else -1)
        form = QFormLayout()
        form.addRow("Code", self.code)
        form.addRow("Name", self.name)
        form.addRow("Walk position", self.walk)
        form.addRow("", hint("Pickers walk the bins from the lowest position to the highest."))
        self.error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def form(self) -> LocationForm:
        walk = self.walk.value()
        return LocationForm(self.code.text(), self.name.text(), None if walk < 0 else walk)

    def save(self) -> None:
        try:
            self.saved_id = self._backroom().act(locations.save_location, self.location_id,
                                                 self.form())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            fit_height(self)
            return
        self.accept()


# --- moving and adjusting stock ------------------------------------------------------------


def _product_title(stock: locations.ProductStock) -> QLabel:
    label = QLabel(f"<b>{stock.sku}</b> — {stock.title}", wordWrap=True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _held(b: locations.BinStock) -> str:
    promised = f", {b.reserved:,} promised" if b.reserved else ""
    return f"{b.code} — {b.on_hand:,} on hand{promised}"


class MoveStockDialog(QDialog):
    """Move some of a product from one bin to another: two transfer movements, both or
    neither. After Move, `changes` says what changed."""

    def __init__(self, backroom: Callable[[], Backroom], product_id: int,
                 from_location_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self.product_id = backroom, product_id
        self.changes: Changes | None = None
        self.stock = backroom().read(locations.product_stock, product_id)
        self.setWindowTitle(f"Move stock — {self.stock.sku}")
        self.source = QComboBox()
        for b in self.stock.bins:
            if b.on_hand > 0:
                self.source.addItem(_held(b), b.location_id)
        if from_location_id is not None:
            self.source.setCurrentIndex(max(0, self.source.findData(from_location_id)))
        self.target = QComboBox()
        self.target.setMaxVisibleItems(20)
        for option in backroom().read(locations.bin_options):
            held = next((b for b in self.stock.bins if b.location_id == option.id), None)
            extra = f" — {held.on_hand:,} here already" if held and held.on_hand else ""
            self.target.addItem(f"{option.code}{extra}", option.id)
        self.quantity = QSpinBox(minimum=1, maximum=QUANTITY_MAX)
        self.quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.all_button = QPushButton("All")
        self.all_button.clicked.connect(lambda: self.quantity.setValue(self.quantity.maximum()))
        self.note = QLineEdit(maxLength=locations.NOTE_MAX,
                              placeholderText="Optional, e.g. overflow from the top shelf")
        self.source.currentIndexChanged.connect(self._source_chosen)
        self._source_chosen()
        how_many = QHBoxLayout()
        how_many.addWidget(self.quantity, 1)
        how_many.addWidget(self.all_button)
        form = QFormLayout()
        form.addRow("Product", _product_title(self.stock))
        form.addRow("From", self.source)
        form.addRow("To", self.target)
        form.addRow("How many", how_many)
        form.addRow("Note", self.note)
        form.addRow("", hint("Stock promised to orders moves with it when too little free "
                             "stock would stay behind."))
        self.error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.move_button = buttons.addButton("Move", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.move)
        buttons.rejected.connect(self.reject)
        if not self.source.count():
            self.error.setText(f"{self.stock.sku} has no stock on hand in any bin to move.")
            self.error.show()
            self.move_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.target.setMinimumWidth(340)

    def _source_chosen(self) -> None:
        held = next((b for b in self.stock.bins if b.location_id == self.source.currentData()),
                    None)
        self.quantity.setMaximum(max(1, held.on_hand if held else 1))
        if self.target.currentData() == self.source.currentData():
            self.target.setCurrentIndex((self.target.currentIndex() + 1) % max(
                1, self.target.count()))

    def move(self) -> None:
        try:
            self.changes = self._backroom().act(
                locations.move_stock, self.product_id, self.source.currentData(),
                self.target.currentData(), self.quantity.value(), self.note.text())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            fit_height(self)
            return
        self.accept()


ADJUST_CHOICES = (
    (MovementReason.DAMAGE, "Damaged or lost (takes stock out)"),
    (MovementReason.RETURN, "Returned by a customer (puts stock back)"),
    (MovementReason.ADJUSTMENT, "Adjustment (either way)"),
)


class AdjustStockDialog(QDialog):
    """Book damage, a return or an adjustment at one bin, with why. Going below zero is
    refused unless the product allows it. After Book, `changes` says what changed."""

    def __init__(self, backroom: Callable[[], Backroom], product_id: int,
                 location_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self.product_id = backroom, product_id
        self.changes: Changes | None = None
        self.stock = backroom().read(locations.product_stock, product_id)
        self.setWindowTitle(f"Adjust stock — {self.stock.sku}")
        self.bin = QComboBox()
        self.bin.setMaxVisibleItems(20)
        seen = set()
        for b in self.stock.bins:
            if b.active or b.on_hand:
                self.bin.addItem(_held(b), b.location_id)
                seen.add(b.location_id)
        for option in backroom().read(locations.bin_options):
            if option.id not in seen:
                self.bin.addItem(f"{option.code} — none here", option.id)
        if location_id is not None:
            self.bin.setCurrentIndex(max(0, self.bin.findData(location_id)))
        self.reason = QComboBox()
        for reason, words in ADJUST_CHOICES:
            self.reason.addItem(words, str(reason))
        self.quantity = QSpinBox(minimum=1, maximum=QUANTITY_MAX)
        self.quantity.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.after = QLabel()
        self.note = QLineEdit(maxLength=locations.NOTE_MAX,
                              placeholderText="Why (needed), e.g. dropped while packing")
        self.reference = QLineEdit(maxLength=locations.REFERENCE_MAX,
                                   placeholderText="Optional: order number, returns number")
        self.reason.currentIndexChanged.connect(self._reason_chosen)
        self.bin.currentIndexChanged.connect(self._show_after)
        self.quantity.valueChanged.connect(self._show_after)
        form = QFormLayout()
        form.addRow("Product", _product_title(self.stock))
        form.addRow("Bin", self.bin)
        form.addRow("What happened", self.reason)
        form.addRow("How many", self.quantity)
        form.addRow("", self.after)
        form.addRow("Why", self.note)
        form.addRow("Reference", self.reference)
        self.error = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.book_button = buttons.addButton("Book", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.book)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.bin.setMinimumWidth(360)
        self._reason_chosen()

    def _reason(self) -> MovementReason:
        return MovementReason(self.reason.currentData())

    def _reason_chosen(self) -> None:
        if self._reason() is MovementReason.ADJUSTMENT:
            self.quantity.setMinimum(-QUANTITY_MAX)
            self.quantity.setToolTip("Negative takes stock out, positive puts it in.")
        else:
            self.quantity.setMinimum(1)
            self.quantity.setToolTip("")
        self._show_after()

    def signed_quantity(self) -> int:
        way = locations.ADJUST_REASONS[self._reason()]
        return self.quantity.value() * (way or 1)

    def _show_after(self) -> None:
        held = next((b for b in self.stock.bins if b.location_id == self.bin.currentData()),
                    None)
        now = held.on_hand if held else 0
        after = now + self.signed_quantity()
        code = self.bin.currentText().split(" — ")[0]
        colour = RED if after < 0 else GREY
        self.after.setText(f"<span style='color:{colour}'>{code}: {now:,} on hand → "
                           f"{after:,}</span>")

    def book(self) -> None:
        reason = self._reason()
        quantity = self.quantity.value() if reason is not MovementReason.ADJUSTMENT \
            else self.signed_quantity()
        try:
            self.changes = self._backroom().act(
                locations.adjust_stock, self.product_id, self.bin.currentData(), quantity,
                reason, self.note.text(), self.reference.text())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            fit_height(self)
            return
        self.accept()
