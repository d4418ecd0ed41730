"""Inventory tab: every product with on hand, reserved, available and where it lives."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout

from app.services import inventory
from app.ui.models.paged import Column
from app.ui.tabs.base import ListTab


def _available(r: inventory.ProductRow) -> str:
    if r.made_to_order and not r.on_hand:
        return "–"
    return f"{r.available:,}"


class InventoryTab(ListTab):
    title = "Inventory"
    noun = ("product", "products")
    source = inventory
    default_sort = ("sku", False)
    watches = ("products", "stock")
    search_hint = "Search SKU, title or barcode"
    columns = (
        Column("SKU", lambda r: r.sku, "sku"),
        Column("Title", lambda r: r.title, "title", tooltip=lambda r: r.title),
        Column("Category", lambda r: r.category, "category"),
        Column("On hand", lambda r: f"{r.on_hand:,}", "on_hand", numeric=True),
        Column("Reserved", lambda r: f"{r.reserved:,}", "reserved", numeric=True),
        Column("Available", _available, "available", numeric=True,
               warn=lambda r: r.available <= 0 and not r.made_to_order),
        Column("Location", lambda r: "Made to order" if r.made_to_order and not r.location
               else r.location, "location"),
    )

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.category = QComboBox()
        self.category.setMinimumWidth(160)
        self.category.addItem("All categories", "")
        self.category.currentIndexChanged.connect(
            lambda _i: self.model.set_filter("category", self.category.currentData()))
        bar.addWidget(self.category)

    def refresh(self) -> None:
        if self.category.count() == 1:
            self.category.blockSignals(True)
            for option in self.backroom().read(inventory.categories):
                self.category.addItem(option.name, option.code)
            self.category.blockSignals(False)
        super().refresh()
