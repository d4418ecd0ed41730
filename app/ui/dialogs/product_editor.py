"""Add a product or change one: details and variants, attributes, photos, barcode, prices,
suppliers and channel listings; and the bulk edit of many. Nothing is saved until every
field is right, and every problem is listed at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.services import catalogue
from app.services.catalogue import (
    BulkEdit,
    EditorOptions,
    ListingForm,
    ProductForm,
    SavedProduct,
    SupplierLinkForm,
)
from app.services.context import Backroom
from app.ui.styles import BAD as ERROR
from app.ui.styles import GOOD, MUTED

PHOTO_FILTER = "Pictures (*.jpg *.jpeg *.png *.webp *.gif *.bmp *.tif *.tiff);;All files (*)"
ATTRIBUTE_NAMES = ("colour", "size", "material", "weight", "dimensions")
THUMB = catalogue.THUMB_SIZES[-1]
COUNT_MAX = 1_000_000


def _hint(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet(MUTED)
    return label


def _table(headers: Sequence[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(30)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    header.setStretchLastSection(False)
    for c in range(len(headers)):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _buttons(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def _currency_box(options: EditorOptions, current: str) -> QComboBox:
    box = QComboBox()
    box.setEditable(True)
    box.addItems(list(options.currencies))
    box.setCurrentText(current or options.default_currency)
    box.setMinimumContentsLength(4)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return box


def _spin(value: int, minimum: int = 1, special: str = "") -> QSpinBox:
    spin = QSpinBox(minimum=minimum, maximum=COUNT_MAX)
    if special:
        spin.setSpecialValueText(special)
    spin.setValue(value)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    return spin


class ProductEditor(QDialog):
    """`product_id` None adds a product (from `initial` if given); after Save, `saved` says
    which product it was and `changes` what changed."""

    def __init__(self, backroom: Callable[[], Backroom], product_id: int | None = None,
                 parent: QWidget | None = None, initial: ProductForm | None = None):
        super().__init__(parent)
        self._backroom, self.product_id = backroom, product_id
        self.saved: SavedProduct | None = None
        self.changes: Changes | None = None
        self.options = backroom().read(catalogue.editor_options)
        default = self.options.default_currency
        current = (backroom().read(catalogue.product_form, product_id)
                   if product_id is not None else
                   initial or ProductForm("", "", cost_currency=default,
                                          price_currency=default))
        self.family = (backroom().read(catalogue.product_family, product_id)
                       if product_id is not None else catalogue.Family(None, ()))
        self.setWindowTitle("Add product" if product_id is None
                            else f"Edit product — {current.sku}")

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._details(current), "Details")
        self.tabs.addTab(self._attributes(current), "Attributes")
        self.tabs.addTab(self._photos(current), "Photos")
        self.tabs.addTab(self._barcode(current), "Barcode")
        self.tabs.addTab(self._prices(current), "Prices")
        self.tabs.addTab(self._suppliers(current), "Suppliers")
        self.tabs.addTab(self._channels(current), "Channels")
        self._count_tabs()

        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(ERROR + " padding: 4px 0;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_area = QScrollArea()
        self.error_area.setWidget(self.error)
        self.error_area.setWidgetResizable(True)
        self.error_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.error_area.setMaximumHeight(150)
        self.error_area.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_area)
        layout.addWidget(buttons)
        self.resize(880, 600)
        self.sku.setFocus()

    # --- the tabs -----------------------------------------------------------------------

    def _details(self, f: ProductForm) -> QWidget:
        page = QWidget()
        self.sku = QLineEdit(f.sku, maxLength=catalogue.SKU_MAX,
                             placeholderText="e.g. MUG-RED-350")
        self.title = QLineEdit(f.title, maxLength=catalogue.TITLE_MAX)
        self.description = QPlainTextEdit(f.description)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(84)
        self.category = QComboBox()
        self.category.addItem("No category", None)
        for option in self.options.categories:
            self.category.addItem(option.name, option.id)
        self.category.setCurrentIndex(max(self.category.findData(f.category_id), 0))
        self.parent_sku = QLineEdit(f.parent_sku, maxLength=catalogue.SKU_MAX,
                                    placeholderText="Empty, or the SKU of the product this "
                                                    "is a size or colour of")
        self.parent_note = QLabel(wordWrap=True)
        self.parent_sku.editingFinished.connect(self._check_parent)
        self.weight = QSpinBox(minimum=0, maximum=catalogue.WEIGHT_MAX_G, suffix=" g")
        self.weight.setSpecialValueText("Not set")
        self.weight.setValue(f.weight_g or 0)
        self.weight.setToolTip("The packed weight, for shipping labels and postage.")
        self.active = QCheckBox("Active (shown in the lists and sold)")
        self.active.setChecked(f.active)
        self.made_to_order = QCheckBox("Made to order (a supplier makes each one)")
        self.made_to_order.setChecked(f.made_to_order)
        self.allow_negative = QCheckBox("Allow negative stock")
        self.allow_negative.setChecked(f.allow_negative_stock)
        self.allow_negative.setToolTip("Let shipping go ahead when the bins say there are "
                                       "none (stock counted later).")
        flags = QVBoxLayout()
        flags.setSpacing(2)
        for box in (self.active, self.made_to_order, self.allow_negative):
            flags.addWidget(box)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("SKU", self.sku)
        form.addRow("Title", self.title)
        form.addRow("Description", self.description)
        form.addRow("Category", self.category)
        form.addRow("Weight", self.weight)
        form.addRow("Parent product", self.parent_sku)
        form.addRow("", self.parent_note)
        form.addRow("", flags)

        self.variants = QListWidget()
        self.variants.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.variants.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.variants.setWordWrap(True)
        self.variants.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.variants.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.variants.setSpacing(2)
        box = QGroupBox("Variants")
        inner = QVBoxLayout(box)
        inner.addWidget(self.variants)
        members = ([self.family.parent] if self.family.parent else []) + list(
            self.family.variants)
        for member in members:
            head = member is self.family.parent
            item = QListWidgetItem(f"{member.sku}{' (main)' if head else ''}\n{member.title}")
            item.setToolTip(member.title)
            if member.id == self.product_id:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.variants.addItem(item)
        if not members:
            inner.addWidget(_hint("Sizes or colours of one product share a parent: give "
                                  "each variant the main product's SKU as Parent product, "
                                  "and they show here together."))
            self.variants.hide()

        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        layout = QHBoxLayout(page)
        layout.addLayout(left, 3)
        layout.addWidget(box, 2)
        self._check_parent()
        return page

    def _check_parent(self) -> None:
        sku = self.parent_sku.text().strip()
        if not sku:
            self.parent_note.setText("")
            self.parent_note.hide()
            return
        self.parent_note.show()
        try:
            found = self._backroom().read(catalogue.product_by_sku, sku)
        except DomainError as exc:
            self.parent_note.setStyleSheet(ERROR)
            self.parent_note.setText(str(exc))
            return
        self.parent_note.setStyleSheet(MUTED)
        self.parent_note.setText(f"A variant of {found.title}")

    def _attributes(self, f: ProductForm) -> QWidget:
        page = QWidget()
        self.attributes = _table(["Name", "Value"], 1)
        self.attributes.horizontalHeader().resizeSection(0, 200)
        for key, value in f.attributes:
            self.add_attribute(key, value, edit=False)
        add = QPushButton("Add")
        menu = QMenu(add)
        for name in ATTRIBUTE_NAMES:
            menu.addAction(name.capitalize(), lambda n=name: self.add_attribute(n))
        menu.addSeparator()
        menu.addAction("Other…", lambda: self.add_attribute(""))
        add.setMenu(menu)
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: self._remove_row(self.attributes))
        layout = QVBoxLayout(page)
        layout.addWidget(_hint("Free details shoppers and packers need: colour, size, "
                               "material, weight, dimensions…"))
        layout.addWidget(self.attributes, 1)
        layout.addLayout(_buttons(add, remove))
        return page

    def add_attribute(self, key: str = "", value: str = "", edit: bool = True) -> int:
        row = self.attributes.rowCount()
        self.attributes.insertRow(row)
        self.attributes.setItem(row, 0, QTableWidgetItem(key))
        self.attributes.setItem(row, 1, QTableWidgetItem(value))
        if edit:
            self.attributes.setCurrentCell(row, 1 if key else 0)
            self.attributes.editItem(self.attributes.item(row, 1 if key else 0))
        self._count_tabs()
        return row

    def _photos(self, f: ProductForm) -> QWidget:
        page = QWidget()
        self.photos = QListWidget()
        self.photos.setViewMode(QListView.ViewMode.IconMode)
        self.photos.setIconSize(QSize(THUMB, THUMB))
        self.photos.setGridSize(QSize(THUMB + 24, THUMB + 24))
        self.photos.setMovement(QListView.Movement.Static)
        self.photos.setResizeMode(QListView.ResizeMode.Adjust)
        self.photos.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for path in f.photos:
            self._add_photo_item(path)
        add = QPushButton("Add…")
        add.clicked.connect(self.choose_photos)
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_photo)
        earlier = QPushButton("Move earlier")
        earlier.clicked.connect(lambda: self.move_photo(-1))
        later = QPushButton("Move later")
        later.clicked.connect(lambda: self.move_photo(1))
        self.photo_error = QLabel(wordWrap=True)
        self.photo_error.setStyleSheet(ERROR)
        self.photo_error.hide()
        layout = QVBoxLayout(page)
        layout.addWidget(_hint("The first photo is the main one: it shows in the Inventory "
                               "list. Photos are copied into Backroom's data folder."))
        layout.addWidget(self.photos, 1)
        layout.addWidget(self.photo_error)
        layout.addLayout(_buttons(add, remove, earlier, later))
        return page

    def _add_photo_item(self, path: str) -> None:
        config = self._backroom().config
        thumb = catalogue.thumbnail(config, path, THUMB)
        item = QListWidgetItem(Path(path).name[:8] + "…")
        item.setData(Qt.ItemDataRole.UserRole, path)
        item.setToolTip(str(catalogue.photo_file(config, path)))
        if thumb is not None:
            item.setIcon(QIcon(QPixmap(str(thumb))))
        else:
            item.setText("missing file")
        self.photos.addItem(item)

    def photo_paths(self) -> tuple[str, ...]:
        return tuple(self.photos.item(i).data(Qt.ItemDataRole.UserRole)
                     for i in range(self.photos.count()))

    def choose_photos(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add photos", "", PHOTO_FILTER)
        if names:
            self.add_photos([Path(n) for n in names])

    def add_photos(self, files: Sequence[Path]) -> list[str]:
        """Copy pictures in and show them; files that are not pictures are named and left
        out. Returns the problems."""
        problems = []
        have = set(self.photo_paths())
        for file in files:
            try:
                stored = catalogue.store_photo(self._backroom().config, file)
            except DomainError as exc:
                problems.append(str(exc))
                continue
            if stored not in have:
                have.add(stored)
                self._add_photo_item(stored)
        self.photo_error.setText("\n".join(problems))
        self.photo_error.setVisible(bool(problems))
        self._count_tabs()
        return problems

    def remove_photo(self) -> None:
        row = self.photos.currentRow()
        if row >= 0:
            self.photos.takeItem(row)
            self._count_tabs()

    def move_photo(self, step: int) -> None:
        row = self.photos.currentRow()
        to = row + step
        if row < 0 or not 0 <= to < self.photos.count():
            return
        item = self.photos.takeItem(row)
        self.photos.insertItem(to, item)
        self.photos.setCurrentRow(to)

    def _barcode(self, f: ProductForm) -> QWidget:
        page = QWidget()
        self.barcode = QLineEdit(f.barcode, maxLength=40,
                                 placeholderText="Scan it, or type the digits under the bars")
        self.barcode_status = QLabel(wordWrap=True)
        self.barcode.textChanged.connect(self._check_barcode)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Barcode", self.barcode)
        form.addRow("", self.barcode_status)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(_hint("13 digits are an EAN-13 and 12 a UPC-A: the last digit is a "
                               "check digit, tested as you type. Anything else (your own "
                               "code) prints as Code 128. Leave it empty if the product has "
                               "none: labels then carry the SKU."))
        layout.addStretch(1)
        self._check_barcode()
        return page

    def _check_barcode(self) -> None:
        code = self.barcode.text().replace(" ", "").strip()
        if not code:
            self.barcode_status.setStyleSheet(MUTED)
            self.barcode_status.setText("No barcode.")
            return
        why = catalogue.barcode_problem(code)
        if why:
            self.barcode_status.setStyleSheet(ERROR)
            self.barcode_status.setText(why)
        else:
            self.barcode_status.setStyleSheet(GOOD)
            self.barcode_status.setText(f"✓ A valid {catalogue.barcode_kind(code)}.")

    def _prices(self, f: ProductForm) -> QWidget:
        page = QWidget()
        self.cost = QLineEdit(f.cost, placeholderText="0.00")
        self.cost_currency = _currency_box(self.options, f.cost_currency)
        self.price = QLineEdit(f.price, placeholderText="0.00")
        self.price_currency = _currency_box(self.options, f.price_currency)
        for edit in (self.cost, self.price):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(140)
            edit.textChanged.connect(self._show_margin)
        for box in (self.cost_currency, self.price_currency):
            box.currentTextChanged.connect(self._show_margin)
        self.margin = QLabel()
        grid = QGridLayout()
        grid.addWidget(QLabel("Cost price"), 0, 0)
        grid.addWidget(self.cost, 0, 1)
        grid.addWidget(self.cost_currency, 0, 2)
        grid.addWidget(QLabel("Selling price"), 1, 0)
        grid.addWidget(self.price, 1, 1)
        grid.addWidget(self.price_currency, 1, 2)
        grid.addWidget(self.margin, 2, 1, 1, 3)
        grid.setColumnStretch(3, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(grid)
        layout.addWidget(_hint("The cost is what one costs you (materials, or a supplier's "
                               "price); the selling price is your own, which a channel's "
                               "listing may override on the Channels tab."))
        layout.addStretch(1)
        self._show_margin()
        return page

    def _show_margin(self) -> None:
        from app.domain.catalogue_rows import parse_price
        from app.domain.money import format_money, percent

        cur = self.price_currency.currentText().strip().upper()
        try:
            price = parse_price(self.price.text() or "0", cur).minor
            cost = parse_price(self.cost.text() or "0",
                               self.cost_currency.currentText().strip().upper()).minor
        except (DomainError, ValueError):
            self.margin.setText("")
            return
        if not price or cur != self.cost_currency.currentText().strip().upper():
            self.margin.setText("")
            return
        self.margin.setStyleSheet(ERROR if price < cost else MUTED)
        self.margin.setText(f"Margin {format_money(price - cost, cur)} "
                            f"({percent(price - cost, price)})")

    def _suppliers(self, f: ProductForm) -> QWidget:
        page = QWidget()
        self.suppliers = _table(["Supplier", "Their code", "Pack size", "Minimum order",
                                 "Unit cost", "Currency"], 1)
        for c, width in ((0, 200), (2, 90), (3, 110), (4, 90), (5, 80)):
            self.suppliers.horizontalHeader().resizeSection(c, width)
        for link in f.suppliers:
            self.add_supplier(link)
        add = QPushButton("Add supplier")
        add.clicked.connect(lambda: self.add_supplier())
        add.setEnabled(bool(self.options.suppliers))
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: self._remove_row(self.suppliers))
        layout = QVBoxLayout(page)
        layout.addWidget(_hint("Who you buy it from: their code for it, how it comes packed, "
                               "the least they take, and what one costs from them."))
        layout.addWidget(self.suppliers, 1)
        layout.addLayout(_buttons(add, remove))
        return page

    def add_supplier(self, link: SupplierLinkForm | None = None) -> int:
        if link is None:
            first = self.options.suppliers[0].id if self.options.suppliers else 0
            link = SupplierLinkForm(first, currency=self.options.default_currency)
        row = self.suppliers.rowCount()
        self.suppliers.insertRow(row)
        who = QComboBox()
        for option in self.options.suppliers:
            who.addItem(option.name, option.id)
        who.setCurrentIndex(max(who.findData(link.supplier_id), 0))
        self.suppliers.setCellWidget(row, 0, who)
        self.suppliers.setItem(row, 1, QTableWidgetItem(link.supplier_code))
        self.suppliers.setCellWidget(row, 2, _spin(link.pack_size))
        self.suppliers.setCellWidget(row, 3, _spin(link.minimum_order))
        cost = QTableWidgetItem(link.unit_cost)
        cost.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.suppliers.setItem(row, 4, cost)
        self.suppliers.setCellWidget(row, 5, _currency_box(self.options, link.currency))
        self._count_tabs()
        return row

    def _channels(self, f: ProductForm) -> QWidget:
        page = QWidget()
        self.listings = _table(["Channel", "Channel SKU", "External id", "Title override",
                                "Price override", "Push stock", "Most shown"], 3)
        for c, width in ((0, 150), (1, 130), (2, 110), (4, 110), (5, 90), (6, 100)):
            self.listings.horizontalHeader().resizeSection(c, width)
        for listing in f.listings:
            self.add_listing(listing)
        add = QPushButton("Add listing")
        add.clicked.connect(lambda: self.add_listing())
        add.setEnabled(bool(self.options.channels))
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: self._remove_row(self.listings))
        layout = QVBoxLayout(page)
        layout.addWidget(_hint("Where it is sold. An empty title or price uses the product's "
                               "own (a price is in the channel's currency). Push stock tells "
                               "the channel how many are free; Most shown caps that."))
        layout.addWidget(self.listings, 1)
        layout.addLayout(_buttons(add, remove))
        return page

    def add_listing(self, listing: ListingForm | None = None) -> int:
        if listing is None:
            first = self.options.channels[0].id if self.options.channels else 0
            listing = ListingForm(first, self.sku.text().strip())
        row = self.listings.rowCount()
        self.listings.insertRow(row)
        where = QComboBox()
        for option in self.options.channels:
            where.addItem(f"{option.name} ({option.currency})", option.id)
        where.setCurrentIndex(max(where.findData(listing.channel_id), 0))
        self.listings.setCellWidget(row, 0, where)
        sku = QTableWidgetItem(listing.channel_sku)
        sku.setData(Qt.ItemDataRole.UserRole, listing.id)
        self.listings.setItem(row, 1, sku)
        self.listings.setItem(row, 2, QTableWidgetItem(listing.external_id))
        self.listings.setItem(row, 3, QTableWidgetItem(listing.title_override))
        price = QTableWidgetItem(listing.price)
        price.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.listings.setItem(row, 4, price)
        push = QTableWidgetItem("Push")
        push.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        push.setCheckState(Qt.CheckState.Checked if listing.push_stock
                           else Qt.CheckState.Unchecked)
        self.listings.setItem(row, 5, push)
        self.listings.setCellWidget(row, 6, _spin(-1 if listing.max_shown is None
                                                  else listing.max_shown, -1, "No limit"))
        self._count_tabs()
        return row

    def _remove_row(self, table: QTableWidget) -> None:
        row = table.currentRow()
        if row < 0 and table.rowCount():
            row = table.rowCount() - 1
        if row >= 0:
            table.removeRow(row)
            self._count_tabs()

    def _count_tabs(self) -> None:
        if not hasattr(self, "tabs") or self.tabs.count() < 7:
            return
        for index, name, n in ((1, "Attributes", self.attributes.rowCount()),
                               (2, "Photos", self.photos.count()),
                               (5, "Suppliers", self.suppliers.rowCount()),
                               (6, "Channels", self.listings.rowCount())):
            self.tabs.setTabText(index, f"{name} ({n})" if n else name)

    # --- saving -------------------------------------------------------------------------

    def form(self) -> ProductForm:
        attrs = tuple((_text(self.attributes, r, 0), _text(self.attributes, r, 1))
                      for r in range(self.attributes.rowCount()))
        links = []
        for r in range(self.suppliers.rowCount()):
            who: QComboBox = self.suppliers.cellWidget(r, 0)  # type: ignore[assignment]
            pack: QSpinBox = self.suppliers.cellWidget(r, 2)  # type: ignore[assignment]
            least: QSpinBox = self.suppliers.cellWidget(r, 3)  # type: ignore[assignment]
            money: QComboBox = self.suppliers.cellWidget(r, 5)  # type: ignore[assignment]
            links.append(SupplierLinkForm(who.currentData() or 0, _text(self.suppliers, r, 1),
                                          pack.value(), least.value(),
                                          _text(self.suppliers, r, 4), money.currentText()))
        listings = []
        for r in range(self.listings.rowCount()):
            where: QComboBox = self.listings.cellWidget(r, 0)  # type: ignore[assignment]
            most: QSpinBox = self.listings.cellWidget(r, 6)  # type: ignore[assignment]
            sku = self.listings.item(r, 1)
            listings.append(ListingForm(
                where.currentData() or 0, _text(self.listings, r, 1),
                _text(self.listings, r, 2), _text(self.listings, r, 3),
                _text(self.listings, r, 4),
                self.listings.item(r, 5).checkState() == Qt.CheckState.Checked,
                None if most.value() < 0 else most.value(),
                sku.data(Qt.ItemDataRole.UserRole) if sku is not None else None))
        return ProductForm(
            sku=self.sku.text(), title=self.title.text(),
            description=self.description.toPlainText(),
            category_id=self.category.currentData(), parent_sku=self.parent_sku.text(),
            barcode=self.barcode.text(), cost=self.cost.text(),
            cost_currency=self.cost_currency.currentText(), price=self.price.text(),
            price_currency=self.price_currency.currentText(),
            weight_g=self.weight.value() or None, attributes=attrs,
            photos=self.photo_paths(), suppliers=tuple(links), listings=tuple(listings),
            made_to_order=self.made_to_order.isChecked(),
            allow_negative_stock=self.allow_negative.isChecked(),
            active=self.active.isChecked())

    def save(self) -> None:
        for table in (self.attributes, self.suppliers, self.listings):
            table.setCurrentItem(None)  # commits a cell still being typed in
        try:
            self.saved = self._backroom().act(catalogue.save_product, self.product_id,
                                              self.form())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error_area.show()
            return
        self.changes = self.saved.changes
        self.accept()


class BulkEditDialog(QDialog):
    """Change the category, the price and/or a supplier of the selected products at once."""

    def __init__(self, backroom: Callable[[], Backroom], product_ids: Sequence[int],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.product_ids = list(product_ids)
        self.changes: Changes | None = None
        options = backroom().read(catalogue.editor_options)
        n = len(self.product_ids)
        self.setWindowTitle(f"Bulk edit {n:,} product{'' if n == 1 else 's'}")

        self.category = QComboBox()
        self.category.addItem("Leave as it is", None)
        for option in options.categories:
            self.category.addItem(option.name, option.id)
        self.keep_price = QRadioButton("Leave as it is")
        self.set_price = QRadioButton("Set to")
        self.change_price = QRadioButton("Change by")
        self.keep_price.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.keep_price, self.set_price, self.change_price):
            group.addButton(button)
        self.price = QLineEdit(placeholderText="12.50")
        self.price.setMaximumWidth(110)
        self.price_currency = _currency_box(options, options.default_currency)
        self.percent = QLineEdit(placeholderText="10 or -5")
        self.percent.setMaximumWidth(110)
        self.price.textEdited.connect(lambda _t: self.set_price.setChecked(True))
        self.percent.textEdited.connect(lambda _t: self.change_price.setChecked(True))
        prices = QGridLayout()
        prices.addWidget(self.keep_price, 0, 0)
        prices.addWidget(self.set_price, 1, 0)
        prices.addWidget(self.price, 1, 1)
        prices.addWidget(self.price_currency, 1, 2)
        prices.addWidget(self.change_price, 2, 0)
        prices.addWidget(self.percent, 2, 1)
        prices.addWidget(QLabel("%"), 2, 2)
        prices.setColumnStretch(3, 1)
        self.supplier = QComboBox()
        self.supplier.addItem("Leave as it is", None)
        for option in options.suppliers:
            self.supplier.addItem(f"Add {option.name}", option.id)

        form = QFormLayout()
        form.addRow("Category", self.category)
        form.addRow("Price", prices)
        form.addRow("Supplier", self.supplier)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(ERROR)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(form)
        layout.addWidget(_hint("Every selected product changes, or none does. A supplier "
                               "added here gets the product's cost; their code and pack "
                               "size can follow in each product's editor."))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def edit(self) -> BulkEdit:
        return BulkEdit(
            category_id=self.category.currentData(),
            price=self.price.text() if self.set_price.isChecked() else "",
            price_currency=self.price_currency.currentText(),
            price_percent=self.percent.text() if self.change_price.isChecked() else "",
            supplier_id=self.supplier.currentData())

    def apply(self) -> None:
        try:
            self.changes = self._backroom().act(catalogue.bulk_edit, self.product_ids,
                                                self.edit())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()
