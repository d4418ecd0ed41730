"""Buttons no other GUI test pressed: Add → / ← Remove when a stock check counts chosen
products, the count's Add button and Link to a product…, Add bin… and Edit… in the Bins
window, and Inventory > Import… with a chosen file. Each is driven as a person would, then
checked on screen and in the database."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from sqlalchemy import func, select

from app.db.models import Location, Product, StockCheck, StockLevel
from app.services import locations, stock_checks
from app.ui.dialogs import catalogue_import
from app.ui.dialogs.locations import LocationEditor, LocationsDialog
from app.ui.dialogs.stock_check import (
    COUNTED,
    LinkBarcodeDialog,
    StartCheckDialog,
    StockCheckDialog,
)

UNKNOWN = "4006381333931"


@pytest.fixture(autouse=True)
def _answer_yes(monkeypatch):  # type: ignore[no-untyped-def]
    """A question box would wait for a click that never comes: answer Yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)


def _button(widget, text: str) -> QPushButton:  # type: ignore[no-untyped-def]
    return next(b for b in widget.findChildren(QPushButton) if b.text() == text)


def _product(backroom, sku: str) -> Product:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalars(select(Product).where(Product.sku == sku)).one()


def _counting(qtbot, backroom):  # type: ignore[no-untyped-def]
    """A bins check of a stocked bin, open at that bin: (dialog, sku there, sku elsewhere)."""
    with backroom.sessions() as s:
        level = s.scalars(select(StockLevel).where(StockLevel.on_hand > 5)
                          .order_by(StockLevel.location_id)).first()
        here = s.get_one(Product, level.product_id).sku
        elsewhere = s.scalar(select(Product.sku).join(StockLevel).where(
            StockLevel.location_id != level.location_id, StockLevel.on_hand > 0,
            ~Product.id.in_(select(StockLevel.product_id).where(
                StockLevel.location_id == level.location_id))))
        code = s.get_one(Location, level.location_id).code
    dialog = StockCheckDialog(lambda: backroom, backroom.act(
        stock_checks.start_check, "bins", [level.location_id]))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.choose_bin(code)
    return dialog, here, elsewhere


def _counted(dialog: StockCheckDialog, sku: str) -> str:
    return next(dialog.lines.item(r, COUNTED).text() for r in range(dialog.lines.rowCount())
                if dialog.lines.item(r, 1).text() == sku)


def test_add_and_remove_choose_the_products_a_check_counts(qtbot, gui_backroom):
    start = StartCheckDialog(lambda: gui_backroom)
    qtbot.addWidget(start)
    start.show()
    start.by_products.click()
    qtbot.keyClicks(start.product_search, "travel mug")
    qtbot.keyClick(start.product_search, Qt.Key.Key_Return)
    assert start.found.count() >= 3
    add, remove = _button(start, "Add →"), _button(start, "← Remove")
    add.click()  # nothing selected: the first found is taken
    assert [start.chosen.item(0).text()] == [start.found.item(0).text()]
    for n in range(3):
        start.found.item(n).setSelected(True)
    add.click()  # the first is not added twice
    ids = [start.found.item(n).data(Qt.ItemDataRole.UserRole) for n in range(3)]
    assert start.chosen_products() == ids
    start.chosen.item(1).setSelected(True)
    remove.click()
    assert [start.chosen.item(n).text() for n in range(start.chosen.count())] == [
        start.found.item(0).text(), start.found.item(2).text()]
    start.start_button.click()
    assert start.result() == start.DialogCode.Accepted and start.check_id is not None
    with gui_backroom.sessions() as s:
        assert s.get_one(StockCheck, start.check_id).scope["products"] == sorted(
            [ids[0], ids[2]])
        stocked = set(s.scalars(select(StockLevel.product_id).where(
            StockLevel.product_id.in_([ids[0], ids[2]]))))
    sheet = gui_backroom.read(stock_checks.count_sheet, start.check_id)
    assert sheet.kind == "products" and stocked  # a product in no bin has no line yet
    assert {ln.product_id for ln in sheet.lines} == stocked


def test_the_add_button_counts_the_quantity_and_adds_an_unexpected_product(qtbot,
                                                                         gui_backroom):
    dialog, here, elsewhere = _counting(qtbot, gui_backroom)
    dialog.scan_quantity.setValue(3)
    qtbot.keyClicks(dialog.scan_box, here)
    dialog.add_button.click()
    assert _counted(dialog, here) == "3" and "3 counted" in dialog.feedback.text()
    dialog.scan_quantity.setValue(-1)  # one taken back
    qtbot.keyClicks(dialog.scan_box, here)
    dialog.add_button.click()
    assert _counted(dialog, here) == "2" and dialog.scan_box.text() == ""
    dialog.scan_quantity.setValue(1)
    qtbot.keyClicks(dialog.scan_box, elsewhere)
    dialog.add_button.click()
    assert dialog.feedback.text().startswith("Not expected in")
    counts = {ln.sku: ln.counted for ln in gui_backroom.read(stock_checks.count_sheet,
                                                             dialog.check_id).lines}
    assert counts[here] == 2 and counts[elsewhere] == 1


def test_link_to_a_product_gives_it_the_unknown_barcode_and_counts_it(qtbot, gui_backroom,
                                                                    monkeypatch):
    dialog, here, _elsewhere = _counting(qtbot, gui_backroom)
    had = _product(gui_backroom, here).barcode
    answer = {"link": False}

    def person(link: LinkBarcodeDialog) -> int:
        assert link.code == UNKNOWN
        link.search.setText(here)
        link.find()
        link.link_button.click() if answer["link"] else link.reject()
        return link.result()

    monkeypatch.setattr(LinkBarcodeDialog, "exec", person)
    qtbot.keyClicks(dialog.scan_box, UNKNOWN)
    qtbot.keyClick(dialog.scan_box, Qt.Key.Key_Return)
    assert dialog.link_button.isVisible()
    dialog.link_button.click()  # they change their mind: nothing linked, nothing counted
    assert _product(gui_backroom, here).barcode == had and _counted(dialog, here) == ""
    assert dialog.link_button.isVisible()
    answer["link"] = True
    with qtbot.waitSignal(dialog.changesMade) as emitted:
        dialog.link_button.click()
    assert emitted.args[0].touches("products")
    assert _product(gui_backroom, here).barcode == UNKNOWN
    assert _counted(dialog, here) == "1" and here in dialog.feedback.text()
    assert not dialog.link_button.isVisible() and dialog.scan_box.text() == ""


def test_add_bin_refuses_a_taken_code_then_saves_and_selects_the_new_bin(qtbot, gui_backroom,
                                                                       monkeypatch):
    with gui_backroom.sessions() as s:
        bins, last = s.scalar(select(func.count(Location.id))), s.scalar(
            select(func.max(Location.walk_sequence)))
    window = LocationsDialog(lambda: gui_backroom)
    qtbot.addWidget(window)

    def person(editor: LocationEditor) -> int:
        assert editor.windowTitle() == "Add bin"
        editor.code.setText("a-01-1")  # taken, whatever the case
        editor.save()
        assert "There is already a bin a-01-1" in editor.error.text()
        assert editor.result() != editor.DialogCode.Accepted
        editor.code.setText("Z-99-1")
        editor.name.setText("Back room, top shelf")
        editor.save()
        return editor.result()

    monkeypatch.setattr(LocationEditor, "exec", person)
    with qtbot.waitSignal(window.changesMade) as emitted:
        window.add_button.click()
    assert emitted.args[0].touches("stock")
    assert window.selected_bin().code == "Z-99-1"
    assert "In Z-99-1</b> — Back room, top shelf" in window.contents_title.text()
    assert "(empty)" in window.contents_title.text()
    with gui_backroom.sessions() as s:
        new = s.scalars(select(Location).where(Location.code == "Z-99-1")).one()
        assert s.scalar(select(func.count(Location.id))) == bins + 1
    assert (new.name, new.active, new.walk_sequence) == (  # at the end of the walk
        "Back room, top shelf", True, last + locations.WALK_STEP)


def test_edit_bin_changes_the_chosen_bin_and_keeps_it_chosen(qtbot, gui_backroom, monkeypatch):
    window = LocationsDialog(lambda: gui_backroom)
    qtbot.addWidget(window)
    row = next(r for r in range(window.model.rowCount()) if window.model.row_at(r).code ==
               "A-02-1")
    window.table.selectRow(row)
    chosen = window.selected_bin().id

    def person(editor: LocationEditor) -> int:
        assert editor.windowTitle() == "Edit bin — A-02-1" and editor.code.text() == "A-02-1"
        editor.code.setText("A-02-2")  # another bin's code
        editor.save()
        assert "There is already a bin A-02-2" in editor.error.text()
        editor.code.setText("A-02-9")
        editor.name.setText("By the door")
        editor.walk.setValue(15)
        editor.save()
        return editor.result()

    monkeypatch.setattr(LocationEditor, "exec", person)
    window.edit_button.click()
    assert window.selected_bin().id == chosen  # still chosen, shown as changed
    r = window.table.selectionModel().selectedRows()[0].row()
    assert [window.model.data(window.model.index(r, c)) for c in range(3)] == [
        "15", "A-02-9", "By the door"]
    with gui_backroom.sessions() as s:
        saved = s.get_one(Location, chosen)
        assert (saved.code, saved.name, saved.walk_sequence) == ("A-02-9", "By the door", 15)
        assert s.scalar(select(func.count(Location.id)).where(Location.code == "A-02-1")) == 0


def _import_through_the_tab(qtbot, window, monkeypatch, path):  # type: ignore[no-untyped-def]
    """Inventory > Import…, Choose… the file, Import: (the report, the row the tab shows)."""
    tab = next(p for p in window.tab_pages if p.title == "Inventory")
    window.tabs.setCurrentWidget(tab)
    qtbot.keyClicks(tab.search, "MUG-0011")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5000)
    monkeypatch.setattr(catalogue_import.QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(path), ""))
    reports = []

    def person(dialog) -> int:  # type: ignore[no-untyped-def]
        _button(dialog, "Choose…").click()
        assert dialog.path.text() == str(path)
        dialog.import_button.click()
        qtbot.waitUntil(lambda: dialog.job is None and dialog.report is not None,
                        timeout=10_000)
        reports.append(dialog.result.toPlainText())
        return 0

    monkeypatch.setattr(catalogue_import.CatalogueImportDialog, "exec", person)
    tab.import_button.click()
    return reports[0], [tab.model.data(tab.model.index(0, c))
                        for c in range(tab.model.columnCount())]


def test_import_of_a_good_workbook_updates_the_product_the_tab_shows(qtbot, window,
                                                                   gui_backroom, tmp_path,
                                                                   monkeypatch):
    path = tmp_path / "prices.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["SKU", "Title", "Price"])
    book.active.append(["MUG-0011", "Travel mug with lid — Sage, 250 ml", 19.5])
    book.save(path)
    report, shown = _import_through_the_tab(qtbot, window, monkeypatch, path)
    assert "1 updated" in report and "Nothing was changed" not in report
    assert "Travel mug with lid — Sage, 250 ml" in shown
    product = _product(gui_backroom, "MUG-0011")
    assert (product.title, product.price_minor) == ("Travel mug with lid — Sage, 250 ml", 1950)


def test_import_of_a_file_with_problems_lists_them_by_row_and_changes_nothing(
        qtbot, window, gui_backroom, tmp_path, monkeypatch):
    before = _product(gui_backroom, "MUG-0011")
    path = tmp_path / "bad.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["SKU", "Title", "Price"],
                                 ["MUG-0011", "Renamed, but not for long", "5.00"],
                                 ["MUG-0013", "", "cheap"],
                                 ["", "No SKU at all", ""]])
    report, shown = _import_through_the_tab(qtbot, window, monkeypatch, path)
    assert "bad.csv: refused, nothing imported (2 problems)" in report
    assert "Row 3, Price:" in report and "Row 4, SKU: The SKU is missing." in report
    assert "Nothing was changed" in report
    assert before.title in shown and "Renamed, but not for long" not in shown
    after = _product(gui_backroom, "MUG-0011")
    assert (after.title, after.price_minor) == (before.title, before.price_minor)
