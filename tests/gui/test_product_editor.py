"""The product editor and the Inventory tab's catalogue actions: a product saved with its
tables, bad input refused with every problem listed, pictures only, bulk edits, exports in
the background and an unknown scanned barcode linked to a product."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from app.db.models import Listing, Product, ProductPhoto, SupplierProduct
from app.ui.dialogs.product_editor import BulkEditDialog, ProductEditor
from app.ui.tabs.inventory import InventoryTab


def _editor(qtbot, backroom, product_id=None) -> ProductEditor:  # type: ignore[no-untyped-def]
    editor = ProductEditor(lambda: backroom, product_id)
    qtbot.addWidget(editor)
    return editor


def _product(backroom, sku: str) -> Product | None:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalars(select(Product).where(Product.sku == sku)).one_or_none()


def _inventory(window) -> InventoryTab:  # type: ignore[no-untyped-def]
    window.tabs.setCurrentIndex(0)
    tab = window.tab_pages[0]
    assert isinstance(tab, InventoryTab) and tab.loaded
    return tab


def test_a_new_product_is_saved_with_attributes_photos_suppliers_and_listings(
        qtbot, gui_backroom, tmp_path):
    editor = _editor(qtbot, gui_backroom)
    assert editor.windowTitle() == "Add product"
    editor.sku.setText("MUG-NEW")
    editor.title.setText("New mug")
    editor.category.setCurrentIndex(editor.category.findText("Mugs"))
    editor.add_attribute("colour", "teal", edit=False)
    picture = tmp_path / "teal.png"
    Image.new("RGB", (300, 200), "teal").save(picture)
    assert editor.add_photos([picture]) == []
    assert editor.photos.count() == 1 and not editor.photos.item(0).icon().isNull()
    editor.barcode.setText("4006381333931")
    assert "valid EAN-13" in editor.barcode_status.text()
    editor.cost.setText("3.10")
    editor.price.setText("11.00")
    assert editor.margin.text() == "Margin £7.90 (71.8%)"
    editor.add_supplier()
    editor.suppliers.item(0, 1).setText("K-1")
    editor.add_listing()
    assert editor.listings.item(0, 1).text() == "MUG-NEW"
    assert editor.tabs.tabText(1) == "Attributes (1)" and editor.tabs.tabText(6) == \
        "Channels (1)"
    with qtbot.waitSignal(editor.accepted, timeout=2000):
        editor.save_button.click()
    product = _product(gui_backroom, "MUG-NEW")
    assert editor.saved.id == product.id and editor.changes.products
    assert (product.title, product.barcode, product.cost_minor, product.price_minor,
            product.attributes) == ("New mug", "4006381333931", 310, 1100, {"colour": "teal"})
    with gui_backroom.sessions() as s:
        assert s.scalar(select(func.count(ProductPhoto.id))
                        .where(ProductPhoto.product_id == product.id)) == 1
        assert s.scalar(select(SupplierProduct.supplier_code)
                        .where(SupplierProduct.product_id == product.id)) == "K-1"
        assert s.scalar(select(Listing.channel_sku)
                        .where(Listing.product_id == product.id)) == "MUG-NEW"


def test_bad_input_is_refused_with_every_problem_listed_and_nothing_saved(qtbot,
                                                                         gui_backroom):
    editor = _editor(qtbot, gui_backroom, 1)
    before = _product(gui_backroom, "MUG-0001")
    editor.sku.setText("MUG-0002")  # another product's
    editor.title.clear()
    editor.barcode.setText("5012345678901")
    assert "check digit 1, expected 0" in editor.barcode_status.text()
    editor.price.setText("12,3,4")
    editor.add_attribute("", "big", edit=False)
    editor.save_button.click()
    assert editor.result() != ProductEditor.DialogCode.Accepted
    shown = editor.error.text()
    assert not editor.error_area.isHidden()
    for words in ("The SKU MUG-0002 is already used", "Give the product a title",
                  "check digit 1, expected 0", "'12,3,4' is not a price",
                  "but no name"):
        assert words in shown
    after = _product(gui_backroom, "MUG-0001")
    assert (after.title, after.barcode, after.price_minor, after.updated_at) == (
        before.title, before.barcode, before.price_minor, before.updated_at)


def test_a_file_that_is_not_a_picture_is_refused_by_its_name(qtbot, gui_backroom, tmp_path):
    editor = _editor(qtbot, gui_backroom, 1)
    notes = tmp_path / "price-list.pdf"
    notes.write_bytes(b"%PDF-1.4 not a picture")
    good = tmp_path / "mug.jpg"
    Image.new("RGB", (64, 64), "red").save(good)
    problems = editor.add_photos([notes, good])
    assert problems == ["price-list.pdf is not a picture Backroom can read (JPEG, PNG, WebP, "
                        "GIF, BMP or TIFF), so it was not added."]
    assert not editor.photo_error.isHidden()
    assert "price-list.pdf" in editor.photo_error.text()
    assert editor.photos.count() == 1
    editor.photos.setCurrentRow(0)
    editor.remove_photo()
    assert editor.photo_paths() == ()


def test_double_click_opens_the_editor_and_a_save_refreshes_the_list(window, gui_backroom,
                                                                     qtbot):
    tab = _inventory(window)
    first = tab.model.row_at(0)
    tab.table.doubleClicked.emit(tab.model.index(0, 1))
    editor = tab.editor
    assert editor is not None and editor.isVisible()
    assert editor.sku.text() == first.sku
    editor.title.setText("Renamed mug")
    editor.save()
    qtbot.waitUntil(lambda: tab.model.row_at(0).title == "Renamed mug", timeout=3000)
    assert tab.selected_ids() == [first.id]


def test_bulk_edit_changes_the_selected_products(window, gui_backroom, qtbot):
    tab = _inventory(window)
    tab.table.selectRow(0)
    tab.table.selectionModel().select(
        tab.model.index(1, 0), tab.table.selectionModel().SelectionFlag.Select
        | tab.table.selectionModel().SelectionFlag.Rows)
    ids = tab.selected_ids()
    assert len(ids) == 2 and tab.bulk_button.isEnabled() and not tab.edit_button.isEnabled()
    dialog = tab.bulk_edit_selected()
    assert isinstance(dialog, BulkEditDialog)
    dialog.category.setCurrentIndex(dialog.category.findText("Shoes"))
    dialog.change_price.setChecked(True)
    dialog.percent.setText("-10")
    with gui_backroom.sessions() as s:
        prices = dict(s.execute(select(Product.id, Product.price_minor)
                                .where(Product.id.in_(ids))).all())
    dialog.apply()
    assert dialog.result() == BulkEditDialog.DialogCode.Accepted
    qtbot.waitUntil(lambda: tab.model.row_at(0).category == "Shoes", timeout=3000)
    with gui_backroom.sessions() as s:
        for pid, price in s.execute(select(Product.id, Product.price_minor)
                                    .where(Product.id.in_(ids))):
            assert price == round(prices[pid] * 0.9)


def test_a_bulk_edit_with_nothing_chosen_says_so(window, qtbot):
    tab = _inventory(window)
    tab.table.selectRow(0)
    dialog = tab.bulk_edit_selected()
    dialog.apply()
    assert "Choose what to change" in dialog.error.text()
    assert dialog.result() != BulkEditDialog.DialogCode.Accepted


@pytest.mark.parametrize("kind", ["products", "movements"])
def test_export_writes_what_the_list_shows_in_the_background(window, qtbot, tmp_path,
                                                            monkeypatch, kind):
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: said.append(a[2]))
    tab = _inventory(window)
    tab.category.setCurrentIndex(tab.category.findText("Shoes"))
    shown = tab.model.rowCount()
    target = tmp_path / f"{kind}.xlsx"
    job = tab.export(kind, target)
    qtbot.waitUntil(lambda: said != [], timeout=10_000)
    assert tab.export_job is None and job is not None
    rows = list(load_workbook(target, read_only=True).active.iter_rows(values_only=True))
    if kind == "products":
        assert len(rows) - 1 == shown and {r[2] for r in rows[1:]} == {"Shoes"}
        assert said == [f"{shown} products written to {target}."]
    else:
        assert rows[0][:3] == ("When", "SKU", "Title") and len(rows) > 1


def test_an_unknown_scanned_barcode_is_said_and_can_be_linked(window, gui_backroom, qtbot,
                                                              monkeypatch):
    tab = _inventory(window)
    offered: list[str] = []
    monkeypatch.setattr(tab, "offer_link", offered.append)
    tab.search.setText("5012345678900")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)  # as a scanner ends what it types
    assert offered == ["5012345678900"]
    assert tab.model.rowCount() == 0
    assert "No product has barcode 5012345678900" in tab.empty.text()
    assert "check digit" in tab.link_code("5012345678901", "MUG-0006")
    assert tab.link_code("5012345678900", "NOPE") == "No product has the SKU 'NOPE'."
    with qtbot.waitSignal(tab.changesMade, timeout=2000):
        assert tab.link_code("5012345678900", "mug-0006") is None
    assert _product(gui_backroom, "MUG-0006").barcode == "5012345678900"
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=3000)


def test_thumbnails_of_main_photos_show_in_the_list(window, gui_backroom, qtbot, tmp_path):
    from dataclasses import replace

    from app.services import catalogue

    picture = tmp_path / "p.png"
    Image.new("RGB", (200, 200), "orange").save(picture)
    stored = catalogue.store_photo(gui_backroom.config, picture)
    form = gui_backroom.read(catalogue.product_form, 1)
    changes = catalogue.save_product(gui_backroom.uow(), 1, replace(form, photos=(stored,)))
    window.changed.emit(changes.changes)
    tab = _inventory(window)
    qtbot.waitUntil(lambda: tab.photo_of(1) is not None, timeout=3000)
    assert tab.photo_of(1).width() == catalogue.THUMB_SIZES[0]
    assert tab.photo_of(2) is None


def test_the_editor_shows_a_products_variants_together(qtbot, gui_backroom):
    from dataclasses import replace

    from app.services import catalogue

    for pid in (2, 3):
        form = gui_backroom.read(catalogue.product_form, pid)
        catalogue.save_product(gui_backroom.uow(), pid, replace(form, parent_sku="MUG-0001"))
    editor = _editor(qtbot, gui_backroom, 3)
    texts = [editor.variants.item(i).text() for i in range(editor.variants.count())]
    assert [t.split("\n")[0] for t in texts] == ["MUG-0001 (main)", "MUG-0002", "MUG-0003"]
    assert editor.parent_sku.text() == "MUG-0001"
    assert editor.parent_note.text().startswith("A variant of ")


def test_photos_can_be_put_in_order(qtbot, gui_backroom, tmp_path):
    editor = _editor(qtbot, gui_backroom, 1)
    files = []
    for colour in ("red", "green"):
        path = tmp_path / f"{colour}.png"
        Image.new("RGB", (50, 50), colour).save(path)
        files.append(path)
    editor.add_photos(files)
    first, second = editor.photo_paths()
    editor.photos.setCurrentRow(1)
    editor.move_photo(-1)
    assert editor.photo_paths() == (second, first)
    editor.save()
    with gui_backroom.sessions() as s:
        assert list(s.scalars(select(ProductPhoto.path).where(ProductPhoto.product_id == 1)
                              .order_by(ProductPhoto.position))) == [second, first]
    assert Path(gui_backroom.config.photos_dir / Path(first).name).is_file()
