"""The stock room's windows on a copy of the demo: counting by scan (Enter adds one), blind
counts, the owner's approval, a product's history and chart, the Bins window and moving
stock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.db.models import Product, StockLevel
from app.domain.access import Role, Viewer
from app.services import locations, stock_checks
from app.services.paging import PageRequest
from app.ui.dialogs.locations import LocationEditor, LocationsDialog, MoveStockDialog
from app.ui.dialogs.product_history import ProductHistoryDialog
from app.ui.dialogs.stock_check import (
    COUNTED,
    DECISION,
    RECORDED,
    LinkBarcodeDialog,
    StartCheckDialog,
    StockCheckDialog,
    StockChecksDialog,
)

UNKNOWN = "4006381333931"


def _stocked_bin(backroom):  # type: ignore[no-untyped-def]
    """A demo bin and a product with more than 5 there: (bin id, bin code, sku)."""
    with backroom.sessions() as s:
        level = s.scalars(select(StockLevel).where(StockLevel.on_hand > 5)
                          .order_by(StockLevel.location_id)).first()
        bins = backroom.read(locations.list_page, PageRequest(limit=100)).rows
        code = next(b.code for b in bins if b.id == level.location_id)
        return level.location_id, code, s.get_one(Product, level.product_id).sku


def _level(backroom, sku: str, location_id: int) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        product = s.scalar(select(Product.id).where(Product.sku == sku))
        return s.get_one(StockLevel, (product, location_id)).on_hand


def _open(qtbot, backroom, check_id: int) -> StockCheckDialog:  # type: ignore[no-untyped-def]
    dialog = StockCheckDialog(lambda: backroom, check_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _counted(dialog: StockCheckDialog, sku: str) -> str:
    row = next(r for r in range(dialog.lines.rowCount())
               if dialog.lines.item(r, 1).text() == sku)
    return dialog.lines.item(row, COUNTED).text()


def test_enter_in_the_scan_box_counts_one_and_an_unknown_barcode_is_named(qtbot, gui_backroom):
    bin_id, code, sku = _stocked_bin(gui_backroom)
    check = gui_backroom.act(stock_checks.start_check, "bins", [bin_id])
    dialog = _open(qtbot, gui_backroom, check)
    dialog.choose_bin(code)
    for _ in range(2):
        qtbot.keyClicks(dialog.scan_box, sku)
        qtbot.keyClick(dialog.scan_box, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter counts; it never closes the window
    assert _counted(dialog, sku) == "2"
    assert f"{sku}" in dialog.feedback.text() and "2 counted" in dialog.feedback.text()
    assert dialog.scan_box.text() == "" and not dialog.link_button.isVisible()

    qtbot.keyClicks(dialog.scan_box, UNKNOWN)
    qtbot.keyClick(dialog.scan_box, Qt.Key.Key_Return)
    assert f"No product has the barcode or SKU “{UNKNOWN}”" in dialog.feedback.text()
    assert dialog.link_button.isVisible()
    assert dialog.scan_box.text() == UNKNOWN  # kept, to link or to fix


def test_an_unknown_barcode_linked_to_its_product_then_counts(qtbot, gui_backroom):
    bin_id, code, sku = _stocked_bin(gui_backroom)
    check = gui_backroom.act(stock_checks.start_check, "bins", [bin_id])
    link = LinkBarcodeDialog(lambda: gui_backroom, UNKNOWN)
    qtbot.addWidget(link)
    link.search.setText(sku)
    link.find()
    assert link.results.rowCount() == 1 and link.results.item(0, 0).text() == sku
    link.link()  # the demo's stocked products carry an EAN: replacing it is asked (Yes)
    assert link.result() == link.DialogCode.Accepted
    dialog = _open(qtbot, gui_backroom, check)
    dialog.choose_bin(code)
    qtbot.keyClicks(dialog.scan_box, UNKNOWN)
    qtbot.keyClick(dialog.scan_box, Qt.Key.Key_Return)
    assert _counted(dialog, sku) == "1"


def test_a_blind_count_hides_the_recorded_quantity_and_an_open_one_shows_it(qtbot,
                                                                           gui_backroom):
    bin_id, _code, sku = _stocked_bin(gui_backroom)
    blind = _open(qtbot, gui_backroom, gui_backroom.act(stock_checks.start_check, "bins",
                                                        [bin_id]))
    assert blind.lines.isColumnHidden(RECORDED)
    assert ": 1 bin, blind" in blind.heading.text()  # one bin, not "1 bins"
    gui_backroom.act(stock_checks.cancel_check, blind.check_id)
    seen = _open(qtbot, gui_backroom, gui_backroom.act(stock_checks.start_check, "bins",
                                                       [bin_id], blind=False))
    assert not seen.lines.isColumnHidden(RECORDED)
    row = next(r for r in range(seen.lines.rowCount()) if seen.lines.item(r, 1).text() == sku)
    assert seen.lines.item(row, RECORDED).text() == f"{_level(gui_backroom, sku, bin_id):,}"


def test_a_typed_count_replaces_the_scans(qtbot, gui_backroom):
    bin_id, code, sku = _stocked_bin(gui_backroom)
    dialog = _open(qtbot, gui_backroom, gui_backroom.act(stock_checks.start_check, "bins",
                                                         [bin_id]))
    dialog.choose_bin(code)
    dialog.scan_box.setText(sku)
    dialog.scan()
    line = next(ln for ln in dialog.sheet.lines if ln.sku == sku)
    dialog.type_count(line.line_id, 7)
    qtbot.waitUntil(lambda: _counted(dialog, sku) == "7")
    assert next(ln for ln in gui_backroom.read(stock_checks.count_sheet, dialog.check_id).lines
                if ln.sku == sku).counted == 7
    dialog.type_count(line.line_id, "lots")  # type: ignore[arg-type]
    assert "not a whole number" in dialog.feedback.text()


def test_the_owner_approves_selected_lines_then_all_and_the_stock_follows(qtbot, gui_backroom):
    bin_id, code, sku = _stocked_bin(gui_backroom)
    before = _level(gui_backroom, sku, bin_id)
    dialog = _open(qtbot, gui_backroom, gui_backroom.act(stock_checks.start_check, "bins",
                                                         [bin_id]))
    dialog.confirm = lambda text: True  # type: ignore[method-assign]
    dialog.choose_bin(code)
    dialog.scan_box.setText(sku)
    dialog.scan_quantity.setValue(before - 2)  # two missing
    dialog.scan()
    dialog.finish_button.click()
    assert dialog.pages.currentIndex() == 1 and dialog.sheet.status == "awaiting_approval"
    assert "short" in dialog.totals.text() and "at cost" in dialog.totals.text()
    assert not dialog.approve_selected_button.isEnabled()  # nothing chosen yet
    dialog.select_lines([sku])
    assert dialog.approve_selected_button.isEnabled()
    with qtbot.waitSignal(dialog.changesMade) as emitted:
        dialog.approve_selected_button.click()
    assert emitted.args[0].touches("stock")
    assert _level(gui_backroom, sku, bin_id) == before - 2
    row = next(r for r in range(dialog.variance_table.rowCount())
               if dialog.variance_table.item(r, 1).text() == sku)
    assert dialog.variance_table.item(row, DECISION).text() == "Approved"
    dialog.approve_all_button.click()
    assert dialog.sheet.status == "approved"
    assert not dialog.approve_all_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert gui_backroom.read(stock_checks.check_ledger).ok


def test_staff_count_but_see_approval_reserved_for_the_owner(qtbot, gui_backroom):
    bin_id, _code, _sku = _stocked_bin(gui_backroom)
    gui_backroom.sign_in(Viewer(90, "pat", "Pat", Role.STAFF))
    check = gui_backroom.act(stock_checks.start_check, "bins", [bin_id])
    gui_backroom.act(stock_checks.finish_counting, check)
    dialog = _open(qtbot, gui_backroom, check)
    assert dialog.pages.currentIndex() == 1
    assert not dialog.approve_all_button.isEnabled()
    assert "Only the owner" in dialog.approve_all_button.toolTip()
    assert dialog.count_again_button.isEnabled()


def test_a_rolling_check_starts_from_the_new_check_dialog(qtbot, gui_backroom):
    start = StartCheckDialog(lambda: gui_backroom)
    qtbot.addWidget(start)
    assert start.rolling.isChecked() and start.blind.isChecked()
    assert start.due.rowCount() == gui_backroom.read(stock_checks.rolling_bins)
    start.show()
    start.by_products.click()
    qtbot.keyClicks(start.product_search, "mug")
    qtbot.keyClick(start.product_search, Qt.Key.Key_Return)  # finds; starts nothing
    assert start.isVisible() and start.check_id is None and start.found.count()
    start.rolling.click()
    start.how_many.setValue(3)
    assert start.due.rowCount() == 3
    due = [start.due.item(r, 0).text() for r in range(3)]
    start.start_button.click()
    assert start.check_id is not None
    sheet = gui_backroom.read(stock_checks.count_sheet, start.check_id)
    assert [b.code for b in sheet.bins] == due and sheet.kind == "rolling"
    checks = StockChecksDialog(lambda: gui_backroom)
    qtbot.addWidget(checks)
    assert checks.model.rowCount() == 1 and checks.model.row_at(0).number == sheet.number


def test_a_products_history_lists_its_movements_and_charts_its_stock(qtbot, gui_backroom):
    bin_id, _code, sku = _stocked_bin(gui_backroom)
    with gui_backroom.sessions() as s:
        product = s.scalar(select(Product.id).where(Product.sku == sku))
    dialog = ProductHistoryDialog(lambda: gui_backroom, product)
    qtbot.addWidget(dialog)
    dialog.show()
    assert sku in dialog.windowTitle()
    first = dialog.model.row_at(0)
    assert first.on_hand == gui_backroom.read(locations.product_stock, product).on_hand
    assert dialog.model.data(dialog.model.index(0, 2),
                             Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    dialog.range.setCurrentIndex(dialog.range.count() - 1)  # all time
    assert dialog.chart.curve is not None and dialog.chart.curve.movements == dialog.model.total
    assert dialog.chart.curve.points[-1][1] == first.on_hand
    dialog.bin.setCurrentIndex(dialog.bin.findData(bin_id))
    assert {dialog.model.row_at(r).location_id for r in range(dialog.model.rowCount())} == {
        bin_id}


def test_the_bins_window_adds_a_bin_and_moves_stock_into_it(qtbot, gui_backroom):
    bin_id, _code, sku = _stocked_bin(gui_backroom)
    editor = LocationEditor(lambda: gui_backroom)
    qtbot.addWidget(editor)
    editor.code.setText("Z-99-1")
    editor.save()
    assert editor.result() == editor.DialogCode.Accepted and editor.saved_id
    window = LocationsDialog(lambda: gui_backroom)
    qtbot.addWidget(window)
    assert "Z-99-1" in [window.model.row_at(r).code for r in range(window.model.rowCount())]
    with gui_backroom.sessions() as s:
        product = s.scalar(select(Product.id).where(Product.sku == sku))
    before = _level(gui_backroom, sku, bin_id)
    move = MoveStockDialog(lambda: gui_backroom, product, bin_id)
    qtbot.addWidget(move)
    move.target.setCurrentIndex(move.target.findData(editor.saved_id))
    move.quantity.setValue(2)
    move.move_button.click()
    assert move.changes is not None and move.changes.touches("stock")
    assert _level(gui_backroom, sku, bin_id) == before - 2
    assert _level(gui_backroom, sku, editor.saved_id) == 2


@pytest.fixture(autouse=True)
def _no_real_questions(monkeypatch):  # type: ignore[no-untyped-def]
    """A question box would wait for a click that never comes: answer Yes."""
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)


def test_the_bins_window_opens_move_and_adjust_for_the_chosen_product_and_bin(
        qtbot, gui_backroom, monkeypatch):
    from app.ui.dialogs import locations as locations_dialogs

    bin_id, code, sku = _stocked_bin(gui_backroom)
    window = LocationsDialog(lambda: gui_backroom)
    qtbot.addWidget(window)
    row = next(r for r in range(window.model.rowCount()) if window.model.row_at(r).code == code)
    window.table.selectRow(row)
    assert not window.move_button.isEnabled()  # no product chosen in the bin yet
    window.contents.selectRow(next(r for r in range(window.contents.rowCount())
                                   if window.contents.item(r, 0).text() == sku))
    assert window.move_button.isEnabled() and window.adjust_button.isEnabled()
    opened = []

    def booked(dialog):  # type: ignore[no-untyped-def]
        opened.append((type(dialog).__name__, dialog.windowTitle()))
        if isinstance(dialog, locations_dialogs.AdjustStockDialog):
            assert dialog.bin.currentData() == bin_id
            dialog.reason.setCurrentIndex(dialog.reason.findData("damage"))
            dialog.quantity.setValue(1)
            dialog.note.setText("Dropped at the bench")
            dialog.book()
            assert dialog.changes is not None, dialog.error.text()
        else:
            assert dialog.source.currentData() == bin_id
            dialog.reject()
        return dialog.result()

    monkeypatch.setattr(locations_dialogs.QDialog, "exec", booked)
    before = _level(gui_backroom, sku, bin_id)
    window.move_button.click()
    window.adjust_button.click()
    assert [name for name, _title in opened] == ["MoveStockDialog", "AdjustStockDialog"]
    assert all(sku in title for _name, title in opened)
    assert _level(gui_backroom, sku, bin_id) == before - 1  # the damage booked, nothing moved
