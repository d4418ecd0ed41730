"""The Suppliers tab: add and edit through the dialog, pause and resume, deletion refused in
words for a supplier with work, and a detail pane that shows what the database holds."""

from __future__ import annotations

import time
from datetime import date

import pytest
from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from app.db.models import (
    Category,
    Order,
    StatusChange,
    Supplier,
    SupplierCategory,
    SupplierTask,
)
from app.domain.statuses import OPEN_TASK_STATUSES
from app.services import suppliers as supplier_service
from app.ui.tabs.suppliers import SuppliersTab


def _pane_shows(tab: SuppliersTab, name: str) -> None:
    """The detail is read in the background; wait (briefly) until the pane shows it."""
    deadline = time.monotonic() + 5
    while not (tab.pane.detail and tab.pane.detail.name == name):
        assert time.monotonic() < deadline, f"the pane never showed {name}"
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def _show(window) -> SuppliersTab:  # type: ignore[no-untyped-def]
    index = [p.title for p in window.tab_pages].index("Suppliers")
    window.tabs.setCurrentIndex(index)
    tab = window.tab_pages[index]
    assert tab.loaded
    if tab.selected() is not None:
        _pane_shows(tab, tab.selected().name)
    return tab


def _names(tab: SuppliersTab) -> list[str]:
    return [tab.model.row_at(i).name for i in range(tab.model.rowCount())]


def _select(tab: SuppliersTab, name: str):  # type: ignore[no-untyped-def]
    row = _names(tab).index(name)
    tab.table.selectRow(row)
    _pane_shows(tab, name)
    return tab.model.row_at(row)


def _supplier(backroom, name: str) -> Supplier | None:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalars(select(Supplier).where(Supplier.name == name)).one_or_none()


def _category(backroom, name: str) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalars(select(Category.id).where(Category.name == name)).one()


def _no_questions(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail(f"asked: {a[2]}"))
    return warnings


def test_the_first_supplier_is_selected_and_shown(window):
    tab = _show(window)
    assert tab.selected().name == _names(tab)[0]
    assert tab.pane.detail.name == _names(tab)[0]
    assert tab.pane.name.text() == _names(tab)[0]
    assert all(b.isEnabled() for b in (tab.edit_button, tab.pause_button, tab.delete_button))


def test_adding_a_supplier_through_the_dialog(window, gui_backroom, qtbot):
    tab = _show(window)
    tab.add_button.click()
    editor = tab.editor
    assert editor is not None and editor.isVisible()
    assert editor.windowTitle() == "Add supplier"
    editor.name.setText("Fired Up Pottery")
    editor.email.setText("hello@firedup.example")
    editor.phone.setText("+44 113 555 0101")
    mugs = _category(gui_backroom, "Mugs")
    editor.choose(mugs, 3)
    editor.capacity.setValue(0)
    assert editor.capacity.text() == "No limit"
    editor.lead_time.setValue(9)
    editor.notes.setPlainText("Hand-thrown stoneware.")
    editor.references.setPlainText("Two sample mugs survived 50 dishwasher cycles.")
    editor.save_button.click()
    assert not editor.isVisible()

    qtbot.waitUntil(lambda: "Fired Up Pottery" in _names(tab), timeout=3000)
    assert tab.selected().name == "Fired Up Pottery"  # the new supplier is shown
    _pane_shows(tab, "Fired Up Pottery")
    supplier = _supplier(gui_backroom, "Fired Up Pottery")
    assert (supplier.email, supplier.phone, supplier.capacity, supplier.lead_time_days,
            supplier.notes, supplier.active) == (
        "hello@firedup.example", "+44 113 555 0101", None, 9, "Hand-thrown stoneware.", True)
    with gui_backroom.sessions() as s:
        links = s.execute(select(SupplierCategory.category_id, SupplierCategory.weight)
                          .where(SupplierCategory.supplier_id == supplier.id)).all()
    assert [tuple(link) for link in links] == [(mugs, 3)]
    qtbot.waitUntil(lambda: window.count_label.text() == "7 suppliers", timeout=3000)


def test_a_bad_form_is_explained_in_the_dialog_and_nothing_is_saved(window, gui_backroom):
    tab = _show(window)
    with gui_backroom.sessions() as s:
        before = s.scalar(select(func.count(Supplier.id)))
    editor = tab.open_editor(None)
    editor.name.setText("kiln & co. ceramics")
    editor.email.setText("orders@")
    editor.save_button.click()
    assert editor.isVisible()
    assert editor.error.isVisible()
    text = editor.error.text()
    assert text.startswith("The supplier was not saved:")
    assert "Another supplier is already called “Kiln & Co. Ceramics”" in text
    assert "“orders@” is not an e-mail address" in text
    assert "a supplier with no category is never given work" in text
    with gui_backroom.sessions() as s:
        assert s.scalar(select(func.count(Supplier.id))) == before
    editor.name.setText("Fired Up Pottery")
    editor.email.setText("")
    editor.choose(_category(gui_backroom, "Mugs"))
    editor.save_button.click()
    assert not editor.isVisible()
    assert _supplier(gui_backroom, "Fired Up Pottery") is not None


def test_double_clicking_a_supplier_edits_it(window, gui_backroom, qtbot):
    tab = _show(window)
    row = _select(tab, "Stitch Republic")
    index = tab.model.index(_names(tab).index("Stitch Republic"), 0)
    where = tab.table.visualRect(index).center()
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    editor = tab.editor
    assert editor.isVisible() and editor.supplier_id == row.id
    assert editor.name.text() == "Stitch Republic"
    assert editor.capacity.text() == "No limit"
    editor.capacity.setValue(30)
    editor.choose(_category(gui_backroom, "Tote bags"), 2)
    editor.save_button.click()
    assert _supplier(gui_backroom, "Stitch Republic").capacity == 30
    shown = tab.model.row_at(_names(tab).index("Stitch Republic"))
    assert (shown.capacity, shown.categories) == (30, "T-shirts, Tote bags")
    assert tab.selected().id == row.id
    qtbot.waitUntil(lambda: "Tote bags (weight 2)" in tab.pane.categories.text(), timeout=3000)
    qtbot.waitUntil(lambda: tab.pane.history.rowCount() == 2, timeout=3000)  # + "Added"
    assert tab.pane.history.item(0, 1).text() == "Edited"


def test_pausing_shows_paused_and_the_button_resumes(window, gui_backroom, qtbot):
    tab = _show(window)
    row = _select(tab, "Kiln & Co. Ceramics")
    assert tab.pause_button.text() == "Pause"
    tab.pause_button.click()
    shown = tab.model.row_at(_names(tab).index("Kiln & Co. Ceramics"))
    status_col = [c.header for c in tab.columns].index("Status")
    assert tab.model.index(_names(tab).index("Kiln & Co. Ceramics"), status_col).data() == \
        "Paused"
    assert not shown.active
    assert tab.selected().id == row.id
    assert tab.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: "Paused" in tab.pane.state.text(), timeout=3000)
    assert not _supplier(gui_backroom, "Kiln & Co. Ceramics").active
    tab.pause_button.click()
    assert _supplier(gui_backroom, "Kiln & Co. Ceramics").active
    assert tab.pause_button.text() == "Pause"
    with gui_backroom.sessions() as s:
        moves = s.execute(select(StatusChange.from_status, StatusChange.to_status)
                          .where(StatusChange.entity == "supplier",
                                 StatusChange.entity_id == row.id)
                          .order_by(StatusChange.id)).all()
    assert [tuple(m) for m in moves] == [(None, "active"), ("active", "paused"),
                                         ("paused", "active")]  # added, paused, resumed
    qtbot.waitUntil(lambda: tab.pane.history.rowCount() == 3, timeout=3000)
    assert [tab.pane.history.item(r, 1).text() for r in range(3)] == [
        "Resumed", "Paused", "Added"]


def test_deleting_a_supplier_with_tasks_is_refused_in_words(window, gui_backroom, monkeypatch):
    warnings = _no_questions(monkeypatch)
    tab = _show(window)
    row = _select(tab, "Kiln & Co. Ceramics")
    with gui_backroom.sessions() as s:
        tasks = s.scalar(select(func.count()).where(SupplierTask.supplier_id == row.id))
        before = s.scalar(select(func.count(Supplier.id)))
    assert tasks > 0
    tab.delete_button.click()
    assert warnings == [f"Kiln & Co. Ceramics has {tasks} tasks; pause the supplier instead "
                        "(paused suppliers get no new work).\n\nNothing was changed."]
    with gui_backroom.sessions() as s:
        assert s.scalar(select(func.count(Supplier.id))) == before
    assert "Kiln & Co. Ceramics" in _names(tab)
    assert _supplier(gui_backroom, "Kiln & Co. Ceramics").active


def test_deleting_a_supplier_without_work_asks_first(window, gui_backroom, monkeypatch, qtbot):
    gui_backroom.act(supplier_service.save_supplier, None, supplier_service.SupplierForm(
        name="Trial Vendor", categories=((_category(gui_backroom, "Mugs"), 1),)))
    tab = _show(window)
    tab.refresh()
    _select(tab, "Trial Vendor")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2])
                        or QMessageBox.StandardButton.No)
    tab.delete_button.click()
    assert asked == ["Delete Trial Vendor? Its contact, categories and notes are removed "
                     "for good."]
    assert _supplier(gui_backroom, "Trial Vendor") is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    tab.delete_button.click()
    assert _supplier(gui_backroom, "Trial Vendor") is None
    assert "Trial Vendor" not in _names(tab)
    assert tab.selected() is not None  # the list moved on to another supplier


def test_the_detail_pane_shows_each_suppliers_open_tasks(window, gui_backroom):
    tab = _show(window)
    open_statuses = [str(s) for s in OPEN_TASK_STATUSES]
    today = date.today()
    for name in _names(tab):
        row = _select(tab, name)
        with gui_backroom.sessions() as s:
            expected = s.execute(
                select(SupplierTask.sku, Order.number, SupplierTask.due_date)
                .join(Order, Order.id == SupplierTask.order_id)
                .where(SupplierTask.supplier_id == row.id,
                       SupplierTask.status.in_(open_statuses))
                .order_by(SupplierTask.due_date, SupplierTask.sku)).all()
        table = tab.pane.open_tasks
        assert table.rowCount() == len(expected) == row.open_tasks
        for r, (sku, number, due) in enumerate(expected):
            assert table.item(r, 0).text() == f"{sku}\nOrder {number}"
            red = table.item(r, 2).foreground().color().name() == "#b3261e"
            assert red == (due < today)
        assert tab.pane.tabs.tabText(0) == f"Open tasks ({len(expected)})"
        thirty, ninety = tab.pane.detail.scorecards
        assert tab.pane.score_labels["done", 30].text() == f"{thirty.done:,}"
        assert tab.pane.score_labels["done", 90].text() == f"{ninety.done:,}"


def test_with_nothing_selected_the_buttons_wait_and_the_pane_says_so(window, qtbot):
    tab = _show(window)
    tab.search.setText("zzznotasupplier")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.model.rowCount() == 0
    assert tab.add_button.isEnabled()
    assert not any(b.isEnabled() for b in (tab.edit_button, tab.pause_button,
                                           tab.delete_button))
    assert tab.pane.stack.currentWidget() is tab.pane.placeholder
