"""Inventory tab: every product with on hand, reserved, available and where it lives; adding
and editing products, bulk edits, scans of unknown barcodes, spreadsheet import and export."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, QTimer
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.services import inventory
from app.ui.models.paged import Column
from app.ui.ops import Job, JobContext
from app.ui.tabs.base import ListTab

if TYPE_CHECKING:
    from app.ui.dialogs.product_editor import BulkEditDialog, ProductEditor

PHOTO_COLUMN = 0
RESELECT_PAGES = 50  # a saved product is looked for this many pages deep, at most
THUMB_PX = 22
_CODE = re.compile(r"\d{8,14}")  # what a scanner types for a retail barcode
EXPORTS = (("products", "Products, as the list shows them…",
            "The products in the list (its search and category), with barcode, price and "
            "cost; imports back as it is"),
           ("stock", "Stock by bin…", "One row per product and bin of the products in the "
                                       "list: a counting sheet that imports back"),
           ("movements", "Stock movements…", "The stock ledger: of the selected products, or "
                                             "every movement when none is selected"))


def _available(r: inventory.ProductRow) -> str:
    if r.made_to_order and not r.on_hand:
        return "–"
    return f"{r.available:,}"


def looks_like_barcode(text: str) -> bool:
    return bool(_CODE.fullmatch(text.strip()))


class _PhotoDelegate(QStyledItemDelegate):
    """Draws a product's main photo, small, in the first column."""

    def __init__(self, tab: InventoryTab):
        super().__init__(tab)
        self.tab = tab

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        if not index.isValid() or index.row() >= self.tab.model.rowCount():
            return
        pixmap = self.tab.photo_of(self.tab.model.row_at(index.row()).id)
        if pixmap is None:
            return
        shown = pixmap.scaled(THUMB_PX, THUMB_PX, Qt.AspectRatioMode.KeepAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
        box = option.rect  # type: ignore[attr-defined]
        at = QRect(box.x() + (box.width() - shown.width()) // 2,
                   box.y() + (box.height() - shown.height()) // 2, shown.width(),
                   shown.height())
        painter.drawPixmap(at, shown)


class InventoryTab(ListTab):
    title = "Inventory"
    noun = ("product", "products")
    source = inventory
    default_sort = ("sku", False)
    stretch_column = 2
    watches = ("products", "stock")
    search_hint = "Search SKU, title or barcode (or scan one)"
    columns = (
        Column("", lambda r: "", tooltip=lambda r: "Double-click to edit"),
        Column("SKU", lambda r: r.sku, "sku"),
        Column("Title", lambda r: ("    ↳ " if r.parent_id else "") + r.title
               + ("" if r.active else " (switched off)"), "title",
               tooltip=lambda r: r.title + (" (a variant)" if r.parent_id else "")),
        Column("Category", lambda r: r.category, "category"),
        Column("On hand", lambda r: f"{r.on_hand:,}", "on_hand", numeric=True),
        Column("Reserved", lambda r: f"{r.reserved:,}", "reserved", numeric=True),
        Column("Available", _available, "available", numeric=True,
               warn=lambda r: r.available <= 0 and not r.made_to_order),
        Column("Location", lambda r: "Made to order" if r.made_to_order and not r.location
               else r.location, "location"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._photos: dict[int, str | None] = {}  # product id -> its main photo's path
        self._pixmaps: dict[str, QPixmap | None] = {}
        self.editor: ProductEditor | None = None
        self.bulk: BulkEditDialog | None = None
        self.export_job: Job | None = None
        self._select_id: int | None = None
        super().__init__(*args, **kwargs)
        self.table.setItemDelegateForColumn(PHOTO_COLUMN, _PhotoDelegate(self))
        self.table.doubleClicked.connect(self._edit_row)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self._update_buttons())
        # after the page is painted: the first page shows before any photo is looked up
        self.model.pageLoaded.connect(lambda: QTimer.singleShot(0, self._read_photos))
        self.model.modelReset.connect(self._reselect)
        self._update_buttons()

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.category = QComboBox()
        self.category.setMinimumWidth(160)
        self.category.addItem("All categories", "")
        self.category.currentIndexChanged.connect(
            lambda _i: self.model.set_filter("category", self.category.currentData()))
        bar.addWidget(self.category)
        self.group = QCheckBox("Group variants")
        self.group.setToolTip("Show each product's variants (sizes, colours) right under it")
        self.group.toggled.connect(self.group_variants)
        bar.addWidget(self.group)
        self.show_off = QCheckBox("Show switched off")
        self.show_off.setToolTip("Also list products switched off (no longer sold), to switch "
                                 "one back on")
        self.show_off.toggled.connect(
            lambda on: self.model.set_filter("inactive", "1" if on else ""))
        bar.addWidget(self.show_off)
        self.table.horizontalHeader().sectionClicked.connect(self._sorted_by_column)
        self.search.returnPressed.connect(self._scanned)  # after the search has run

        self.add_button = QPushButton("Add product")
        self.edit_button = QPushButton("Edit")
        self.bulk_button = QPushButton("Bulk edit…")
        self.import_button = QPushButton("Import…")
        self.export_button = QPushButton("Export…")
        self.add_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button.clicked.connect(self.edit_selected)
        self.bulk_button.clicked.connect(self.bulk_edit_selected)
        self.import_button.clicked.connect(self.import_file)
        self.edit_button.setToolTip("Edit the selected product (or double-click it)")
        self.bulk_button.setToolTip("Change the category, price or supplier of every "
                                    "selected product at once")
        self.import_button.setToolTip("Create or update products, and set stock, from an "
                                      "XLSX or CSV file")
        menu = QMenu(self.export_button)
        for kind, text, tip in EXPORTS:
            action = menu.addAction(text, lambda k=kind: self.choose_export(k))
            action.setToolTip(tip)
        menu.setToolTipsVisible(True)
        self.export_button.setMenu(menu)
        self.export_button.setToolTip("Save the list, stock by bin or the stock ledger as "
                                      "XLSX or CSV")
        bar.addWidget(QFrame(frameShape=QFrame.Shape.VLine, frameShadow=QFrame.Shadow.Sunken))
        for button in (self.add_button, self.edit_button, self.bulk_button):
            bar.addWidget(button)
        self.stock_button = QPushButton("Stock")
        stock_menu = QMenu(self.stock_button)
        self.history_action = stock_menu.addAction("History…", self.show_history)
        self.move_action = stock_menu.addAction("Move stock…", self.move_stock)
        self.adjust_action = stock_menu.addAction("Adjust stock…", self.adjust_stock)
        stock_menu.addSeparator()
        self.print_action = stock_menu.addAction("Print labels…", self.print_labels)
        self.stock_button.setMenu(stock_menu)
        self.stock_button.setToolTip("The selected product's movements and chart, moving it "
                                     "between bins, adjusting it, printing its labels")
        bar.addWidget(self.stock_button)
        bar.addWidget(QFrame(frameShape=QFrame.Shape.VLine, frameShadow=QFrame.Shadow.Sunken))
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_button)

    def group_variants(self, on: bool) -> None:
        """Sort variants under their parent product (or back to the SKU order)."""
        from dataclasses import replace

        key = "family" if on else "sku"
        self.model.request = replace(self.model.request, sort=key, descending=False)
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(not on)
        if not on:  # the arrow says what the list is sorted by: SKU, A to Z
            header.blockSignals(True)
            header.setSortIndicator([c.header for c in self.columns].index("SKU"),
                                    Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
        self.model.reload(count=False)

    def _sorted_by_column(self, _section: int) -> None:
        """A column header was clicked: its sort replaces the grouping."""
        if self.group.isChecked():
            self.group.blockSignals(True)
            self.group.setChecked(False)
            self.group.blockSignals(False)
            self.table.horizontalHeader().setSortIndicatorShown(True)

    def refresh(self) -> None:
        if self.category.count() == 1:
            self.category.blockSignals(True)
            for option in self.backroom().read(inventory.categories):
                self.category.addItem(option.name, option.code)
            self.category.blockSignals(False)
        self._photos.clear()
        super().refresh()

    def empty_text(self) -> str:
        search = self.model.request.search
        if search and looks_like_barcode(search):
            return (f"No product has barcode {search}. Press Enter in the search box to "
                    "link it to a product.")
        return super().empty_text()

    def _size_columns(self) -> None:
        super()._size_columns()
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(THUMB_PX + 10)
        header.setSectionResizeMode(PHOTO_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PHOTO_COLUMN, THUMB_PX + 10)

    def _update_buttons(self) -> None:
        if not hasattr(self, "edit_button"):
            return
        n = len(self.table.selectionModel().selectedRows())
        self.edit_button.setEnabled(n == 1)
        self.bulk_button.setEnabled(n >= 1)
        self.stock_button.setEnabled(n >= 1)
        for action in (self.history_action, self.move_action, self.adjust_action):
            action.setEnabled(n == 1)

    # --- the product's stock -------------------------------------------------------------

    def _one(self) -> int | None:
        rows = self.selected_rows()
        return rows[0].id if len(rows) == 1 else None

    def show_history(self) -> QWidget | None:
        """The selected product's movements, newest first, and its stock over time."""
        from app.ui.dialogs.product_history import ProductHistoryDialog

        product_id = self._one()
        if product_id is None:
            return None
        dialog = ProductHistoryDialog(self.backroom, product_id, self)
        dialog.changesMade.connect(self.changesMade.emit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def move_stock(self) -> Changes | None:
        from app.ui.dialogs.locations import MoveStockDialog

        return self._stock_dialog(MoveStockDialog)

    def adjust_stock(self) -> Changes | None:
        from app.ui.dialogs.locations import AdjustStockDialog

        return self._stock_dialog(AdjustStockDialog)

    def _stock_dialog(self, kind: Any) -> Changes | None:
        product_id = self._one()
        if product_id is None:
            return None
        dialog = kind(self.backroom, product_id, parent=self)
        dialog.exec()
        if dialog.changes:
            self.changesMade.emit(dialog.changes)
        return dialog.changes

    def print_labels(self) -> None:
        """Labels for the selected products: as many as are on hand, or a number."""
        from app.ui.printing_actions import print_product_labels, sender_of

        ids = [r.id for r in self.selected_rows()]
        if ids:
            print_product_labels(self, self.backroom, sender_of(self), ids)

    # --- photos in the list --------------------------------------------------------------

    def _read_photos(self) -> None:
        """Which of the rows read so far have a photo: one query per page."""
        backroom = self.backroom()
        if backroom is None:
            return
        from app.services import catalogue

        ids = [self.model.row_at(r).id for r in range(self.model.rowCount())]
        missing = [i for i in ids if i not in self._photos]
        if not missing:
            return
        found = backroom.read(catalogue.first_photos, missing)
        for i in missing:
            self._photos[i] = found.get(i)
        if found:
            self.table.viewport().update()

    def photo_of(self, product_id: int) -> QPixmap | None:
        path = self._photos.get(product_id)
        if path is None:
            return None
        if path not in self._pixmaps:
            from app.services import catalogue

            thumb = catalogue.thumbnail(self.backroom().config, path,
                                        catalogue.THUMB_SIZES[0])
            self._pixmaps[path] = QPixmap(str(thumb)) if thumb is not None else None
        return self._pixmaps[path]

    # --- editing -------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        return [r.id for r in self.selected_rows()]

    def open_editor(self, product_id: int | None) -> ProductEditor | None:
        """The product editor (window-modal); saving refreshes the list."""
        from app.ui.dialogs.product_editor import ProductEditor

        try:
            self.editor = ProductEditor(self.backroom, product_id, self)
        except DomainError as exc:  # deleted meanwhile
            QMessageBox.warning(self, "Product not found", str(exc))
            self.changesMade.emit(Changes(products=True))
            return None
        self.editor.accepted.connect(self._saved)
        self.editor.open()
        return self.editor

    def edit_selected(self) -> ProductEditor | None:
        ids = self.selected_ids()
        return self.open_editor(ids[0]) if ids else None

    def _edit_row(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_editor(self.model.row_at(index.row()).id)

    def _saved(self) -> None:
        editor = self.sender()
        saved = getattr(editor, "saved", None)
        if saved is not None:
            self._select_id = saved.id
            self._pixmaps.clear()
            self.changesMade.emit(saved.changes)

    def _reselect(self) -> None:
        if self._select_id is None:
            return
        wanted, self._select_id = self._select_id, None
        start, pages = 0, 0
        while True:  # a new product may sort past the pages loaded so far
            for r in range(start, self.model.rowCount()):
                if self.model.row_at(r).id == wanted:
                    self.table.selectRow(r)
                    self.table.scrollTo(self.model.index(r, 1))
                    return
            pages += 1
            if pages > RESELECT_PAGES or not self.model.canFetchMore(QModelIndex()):
                return
            start = self.model.rowCount()
            self.model.fetchMore(QModelIndex())

    def bulk_edit_selected(self) -> BulkEditDialog | None:
        from app.ui.dialogs.product_editor import BulkEditDialog

        ids = self.selected_ids()
        if not ids:
            return None
        self.bulk = BulkEditDialog(self.backroom, ids, self)
        self.bulk.accepted.connect(
            lambda: self.changesMade.emit(self.bulk.changes if self.bulk is not None
                                          and self.bulk.changes else Changes()))
        self.bulk.open()
        return self.bulk

    # --- scans ---------------------------------------------------------------------------

    def _scanned(self) -> None:
        code = self.search.text().strip()
        if looks_like_barcode(code) and self.model.rowCount() == 0:
            self.offer_link(code)

    def offer_link(self, code: str) -> None:
        """An unknown barcode was scanned: say so, and offer to link it to a product."""
        from app.services import catalogue

        try:
            found = self.backroom().read(catalogue.find_by_code, code)
        except DomainError as exc:
            message = str(exc)
        else:  # known after all (e.g. a product's SKU), but perhaps switched off
            if not found.active and not self.show_off.isChecked():
                self.show_off.setChecked(True)
                self.window().statusBar().showMessage(
                    f"{found.sku} has that code but is switched off; it is shown now (untick "
                    "Show switched off to hide such products again).", 15_000)
            return
        if "link it" not in message:
            QMessageBox.warning(self, "Unknown barcode", message)
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Unknown barcode", message,
                          QMessageBox.StandardButton.Cancel, self)
        link = box.addButton("Link to a product…", QMessageBox.ButtonRole.AcceptRole)
        box.exec()
        if box.clickedButton() is not link:
            return
        rows = self.selected_rows()
        sku, ok = QInputDialog.getText(self, "Link barcode",
                                       f"The SKU of the product that carries {code}:",
                                       text=rows[0].sku if rows else "")
        if ok and sku.strip():
            problem = self.link_code(code, sku)
            if problem:
                QMessageBox.warning(self, "Barcode not linked", problem)

    def link_code(self, code: str, sku: str) -> str | None:
        """Give the product with this SKU the barcode; the problem in words, if any."""
        from app.services import catalogue

        backroom = self.backroom()
        try:
            product = backroom.read(catalogue.product_by_sku, sku)
            changes = backroom.act(catalogue.link_barcode, product.id, code)
        except DomainError as exc:
            return str(exc)
        self.changesMade.emit(changes)
        return None

    # --- spreadsheets --------------------------------------------------------------------

    def import_file(self) -> None:
        from app.ui.dialogs.catalogue_import import CatalogueImportDialog

        dialog = CatalogueImportDialog(self.backroom, self.ops, self)
        dialog.changesMade.connect(self.changesMade.emit)
        dialog.exec()

    def choose_export(self, kind: str) -> None:
        folder = self.backroom().config.exports_dir
        folder.mkdir(parents=True, exist_ok=True)
        name = {"products": "products", "stock": "stock-by-bin",
                "movements": "stock-movements"}[kind]
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export", str(folder / f"{name}.xlsx"),
            "Excel workbook (*.xlsx);;CSV (*.csv)")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_name(target.name + (".csv" if "csv" in chosen.lower()
                                                     else ".xlsx"))
        self.export(kind, target)

    def export(self, kind: str, path: Path) -> Job:
        """Write the export in the background (progress and Cancel in the status bar)."""
        from app.services.paging import PageRequest

        req = PageRequest(search=self.model.request.search, sort=self.model.request.sort,
                          descending=self.model.request.descending,
                          filters=self.model.request.filters)
        selected = self.selected_ids() or None

        def work(ctx: JobContext) -> object:
            from app.services import spreadsheets

            def cancelled() -> bool:
                return ctx.cancelled

            if kind == "movements":
                return spreadsheets.export_movements(ctx.session, path, product_ids=selected,
                                                     progress=ctx.progress,
                                                     cancelled=cancelled)
            return spreadsheets.export(ctx.session, kind, path, req, progress=ctx.progress,
                                       cancelled=cancelled)

        self.export_job = self.ops.run(f"Exporting {path.name}", work,
                                       on_finished=self._exported,
                                       on_failed=self._export_failed)
        return self.export_job

    def _exported(self, result: Any) -> None:
        self.export_job = None
        QMessageBox.information(self, "Exported", result.summary() + ".")

    def _export_failed(self, message: str) -> None:
        self.export_job = None
        QMessageBox.warning(self, "Not exported", message)
