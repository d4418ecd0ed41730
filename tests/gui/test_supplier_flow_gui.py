"""The supplier-task flow as the owner and as a supplier, on the demo: each test below the
happy paths began as a bug found by walking the flow (now fixed)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import openpyxl
import pytest
from PySide6.QtCore import QDate, QItemSelectionModel
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
from sqlalchemy import select

from app.db import models as m
from app.domain.access import Role
from app.domain.statuses import OrderStatus
from app.services import job_sheet, orders, supplier_tasks, users
from app.services.job_sheet import FIRST_ROW
from app.ui.dialogs.task_detail import TaskDialog
from app.ui.supplier_window import SupplierWindow

TW, STITCH, GICLEE = "Threadworks Manchester", "Stitch Republic", "Giclée House"
Task = m.SupplierTask


@pytest.fixture
def said(monkeypatch) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    boxes: dict[str, list[str]] = {"information": [], "warning": []}
    for kind in boxes:
        monkeypatch.setattr(QMessageBox, kind, lambda *a, k=kind: boxes[k].append(a[2]))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("No blanks left", True))
    return boxes


def _show(window, title: str):  # type: ignore[no-untyped-def]
    index = [p.title for p in window.tab_pages].index(title)
    window.tabs.setCurrentIndex(index)
    return window.tab_pages[index]


def _sid(b, name: str = TW) -> int:  # type: ignore[no-untyped-def]
    with b.sessions() as s:
        return s.scalars(select(m.Supplier.id).where(m.Supplier.name == name)).one()


def _orders(b, status: str, code: str | None) -> list[int]:  # type: ignore[no-untyped-def]
    """Orders in a status whose every line is made in category `code` (None: nothing made)."""
    with b.sessions() as s:
        cat = s.scalar(select(m.Category.id).where(m.Category.code == code))
        return [o.id for o in s.scalars(select(m.Order).where(m.Order.status == status)
                                        .order_by(m.Order.placed_at))
                if all(ln.needs_making == bool(code) and (not code or ln.category_id == cat)
                       for ln in o.lines)]


def _tasks(b, order_id: int) -> list[m.SupplierTask]:  # type: ignore[no-untyped-def]
    with b.sessions() as s:
        return list(s.scalars(select(Task).where(Task.order_id == order_id)))


def _get(b, model, key):  # type: ignore[no-untyped-def]
    with b.sessions() as s:
        return s.get_one(model, key)


def _new_tee_task(b) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Two new T-shirt orders to Purchasing; (order, task) of the one Threadworks got."""
    b.act(orders.change_status, _orders(b, "new", "t-shirts")[:2], OrderStatus.PURCHASING)
    with b.sessions() as s:
        t = s.scalars(select(Task).where(Task.supplier_id == _sid(b), Task.status == "assigned")
                      .order_by(Task.id.desc())).first()
        return t.order_id, t.id


def _as(b, user: str = "threadworks", password: str = "threadworks-demo"):  # type: ignore[no-untyped-def]
    b.sign_in(b.read(users.log_in, user, password))
    return b


def _dialog(qtbot, b, task_id: int) -> TaskDialog:  # type: ignore[no-untyped-def]
    dialog = TaskDialog(lambda: b, task_id)
    qtbot.addWidget(dialog)
    return dialog


def _texts(table) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(r, c).text() for r in range(table.rowCount())
            for c in range(table.columnCount())]


def _rows(tab) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [tab.model.row_at(i) for i in range(tab.model.rowCount())]


def test_orders_tab_refuses_a_batch_then_sends_orders_round_robin(window, gui_backroom, said):
    tab = _show(window, "Orders")
    tab.status.setCurrentIndex(tab.status.findData("new"))
    ids, stocked = _orders(gui_backroom, "new", "t-shirts")[:2], _orders(gui_backroom, "new", None)
    tab.table.selectAll()  # one order with nothing to make stops the whole selection
    tab.move_selected(OrderStatus.PURCHASING)
    (warning,) = said["warning"]
    assert "has nothing to make; move it to Ready to pick" in warning
    assert warning.endswith("No order was changed.") and _tasks(gui_backroom, ids[0]) == []
    assert {_get(gui_backroom, m.Order, i).status for i in [*ids, stocked[0]]} == {"new"}
    tab.table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r, row in enumerate(_rows(tab)):
        if row.id in ids:
            tab.table.selectionModel().select(tab.model.index(r, 0), flags)
    tab.move_selected(OrderStatus.PURCHASING)
    assert len(said["warning"]) == 1 and not {r.id for r in _rows(tab)} & set(ids)
    assert [_get(gui_backroom, m.Order, i).status for i in ids] == ["purchasing"] * 2
    tasks = [t for i in ids for t in _tasks(gui_backroom, i)]
    assert len({t.sku for t in tasks}) == len(tasks) == 2
    assert all(re.fullmatch(rf"SKU-TSHIRTS-{date.today():%y%m%d}-\d{{4}}", t.sku) for t in tasks)
    assert {t.supplier_id for t in tasks} == {_sid(gui_backroom), _sid(gui_backroom, STITCH)}
    for t in tasks:  # due: the order's date plus the maker's lead time
        placed = _get(gui_backroom, m.Order, t.order_id).placed_at.astimezone().date()
        lead = _get(gui_backroom, m.Supplier, t.supplier_id).lead_time_days
        assert t.due_date == placed + timedelta(days=lead)
    with gui_backroom.sessions() as s:  # Threadworks has a login: told in Backroom too
        assert set(s.scalars(select(m.Notification.entity_id).where(
            m.Notification.kind == "task_assigned", m.Notification.for_user_id.is_not(None)))
        ) & {t.id for t in tasks}
    for to in (OrderStatus.ON_HOLD, OrderStatus.PURCHASING):  # on hold and back: same tasks
        gui_backroom.act(orders.change_status, ids[:1], to)
    assert [t.id for t in _tasks(gui_backroom, ids[0])] == [tasks[0].id]


def test_the_supplier_sees_only_its_own_and_a_rejection_goes_to_the_next(qtbot, gui_backroom):
    _order, task_id = _new_tee_task(gui_backroom)
    win = SupplierWindow(_as(gui_backroom))
    qtbot.addWidget(win)
    with gui_backroom.sessions() as s:
        assert sorted(r.id for r in _rows(win.tasks)) == sorted(s.scalars(select(Task.id).where(
            Task.supplier_id == _sid(gui_backroom), Task.status.not_in(("done", "cancelled")))))
    assert {r.supplier for r in _rows(win.tasks)} == {TW}
    win.apply_changes(gui_backroom.act(supplier_tasks.reject_task, task_id, "No blanks left"))
    t = _get(gui_backroom, Task, task_id)
    assert (t.status, t.supplier_id, t.rejected_by) == (
        "assigned", _sid(gui_backroom, STITCH), [_sid(gui_backroom)])
    assert task_id not in {r.id for r in _rows(win.tasks)}
    with gui_backroom.sessions() as s:
        told = s.scalars(select(m.Notification).where(m.Notification.kind == "task_rejected",
                                                      m.Notification.entity_id == task_id)).one()
        assert told.for_user_id is None and "No blanks left" in told.body


def test_notes_then_shipping_straight_to_the_customer_moves_the_order_on(qtbot, gui_backroom,
                                                                         monkeypatch):
    order_id, task_id = _new_tee_task(gui_backroom)
    owner = _dialog(qtbot, gui_backroom, task_id)
    owner.new_message.setPlainText("Gold thread on the name, please")
    owner.add_message_button.click()
    dialog = _dialog(qtbot, _as(gui_backroom), task_id)
    assert "Gold thread on the name, please" in _texts(dialog.messages)
    dialog.new_message.setPlainText("Will do; ready Friday")
    dialog.add_message_button.click()
    assert _texts(dialog.messages)[-2:] == ["threadworks", "Will do; ready Friday"]
    for step in ("accept", "start", "finish"):
        dialog.action_buttons[step].click()
    monkeypatch.setattr(dialog, "ask_shipping", lambda: ("DPD", "15501234", True))
    dialog.action_buttons["ship"].click()
    assert _get(gui_backroom, m.Order, order_id).status == "shipped"
    with gui_backroom.sessions() as s:
        change = s.scalars(select(m.StatusChange).where(m.StatusChange.entity == "order",
                                                        m.StatusChange.entity_id == order_id)
                           .order_by(m.StatusChange.id.desc())).first()
        assert (change.to_status, change.actor) == ("shipped", supplier_tasks.AUTO_DONE)
        parcel = s.scalars(select(m.Shipment).where(m.Shipment.order_id == order_id)).one()
        assert (parcel.carrier, parcel.tracking_number) == ("DPD", "15501234")
    dialog.action_buttons["done"].click()  # and the owner is told
    with gui_backroom.sessions() as s:
        assert "task_done" in s.scalars(select(m.Notification.kind).where(
            m.Notification.entity_id == task_id, m.Notification.for_user_id.is_(None))).all()


def test_an_overdue_task_counts_on_the_tab_and_the_suppliers_row(window, gui_backroom, qtbot):
    _order, task_id = _new_tee_task(gui_backroom)
    before = gui_backroom.read(supplier_tasks.overdue_count)
    tab = _show(window, "Suppliers")
    late = {r.name: r.overdue_tasks for r in _rows(tab)}[TW]
    dialog = _dialog(qtbot, gui_backroom, task_id)
    dialog.changesMade.connect(window.changed.emit)
    dialog.due.setDate(QDate.currentDate().addDays(-1))
    dialog.save_button.click()
    assert dialog.due_label.text().endswith("— overdue")
    at = window.tab_pages.index(tab)
    qtbot.waitUntil(lambda: window.tabs.tabText(at).startswith(
        f"Suppliers · {before + 1} overdue"), timeout=3000)
    assert {r.name: r.overdue_tasks for r in _rows(tab)}[TW] == late + 1


def _fill(path, fill) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Fill rows as a supplier would in Excel; gives each task SKU's (row, exported status)."""
    book = openpyxl.load_workbook(path)
    sheet, skus = book["Tasks"], {}
    for r in range(FIRST_ROW, sheet.max_row + 1):
        skus[sheet.cell(r, 1).value] = r, sheet.cell(r, 7).value
        for col, value in fill(sheet.cell(r, 7).value, r).items():
            sheet[f"{col}{r}"] = value
    book.save(path)
    return skus


def _job_sheet(window, b, monkeypatch, path):  # type: ignore[no-untyped-def]
    tab = _show(window, "Suppliers")
    assert tab.select_supplier(_sid(b))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(path), ""))
    tab.export_button.click()
    return tab


def _snapshot(b) -> dict[str, tuple]:  # type: ignore[no-untyped-def,type-arg]
    with b.sessions() as s:
        return {t.sku: (t.status, t.supplier_id, t.carrier, t.tracking_number, t.ships_direct)
                for t in s.scalars(select(Task))}


def test_a_filled_job_sheet_comes_back_and_twice_is_harmless(window, gui_backroom, tmp_path,
                                                             monkeypatch, said):
    path = tmp_path / "tw.xlsx"
    tab = _job_sheet(window, gui_backroom, monkeypatch, path)
    plan = {"Assigned": "In production", "Accepted": "Shipped", "In production": "Done"}
    skus = _fill(path, lambda now, r: {"H": plan[now], **(
        {"I": "DPD", "J": "0012345"} if now == "Accepted" else {})})
    tab.import_button.click()
    assert said["warning"] == []
    assert said["information"][-1] == f"{len(skus)} tasks of {TW} updated from tw.xlsx."
    after = _snapshot(gui_backroom)
    became = {"Assigned": "in_production", "Accepted": "shipped", "In production": "done"}
    assert all(after[sku][0] == became[was] for sku, (_r, was) in skus.items())
    assert {after[sku][2:] for sku, (_r, was) in skus.items() if was == "Accepted"} == {
        ("DPD", "0012345", False)}  # the zeros kept; sent to the workshop
    with gui_backroom.sessions() as s:
        notes = s.scalars(select(m.StatusChange.note).where(
            m.StatusChange.entity == "supplier_task", m.StatusChange.note.like("%tw.xlsx")))
        assert len(notes.all()) >= len(skus)  # "…; from job sheet tw.xlsx"
    tab.import_button.click()  # the same sheet again: nothing new, nothing counted twice
    assert said["information"][-1].startswith(f"0 tasks of {TW} updated from tw.xlsx; ")
    assert _snapshot(gui_backroom) == after


def test_a_job_sheet_with_bad_rows_changes_nothing_and_names_every_row(
        window, gui_backroom, tmp_path, monkeypatch, said):
    path = tmp_path / "tw.xlsx"
    tab = _job_sheet(window, gui_backroom, monkeypatch, path)
    with gui_backroom.sessions() as s:
        theirs = s.scalars(select(Task.sku).where(Task.supplier_id == _sid(gui_backroom, GICLEE),
                                                  Task.status == "in_production")).first()
    wrong = iter([{"H": "Produced", "I": "DPD"}, {"H": "Accepted"}])  # two in production
    skus = _fill(path, lambda now, r: {"H": "Accepted"} if now == "Assigned" else
                 {"H": "Rejected"} if now == "Accepted" else next(wrong))
    at = {was: r for r, was in sorted(skus.values(), reverse=True)}  # each status's first row
    book = openpyxl.load_workbook(path)
    last = book["Tasks"].max_row
    book["Tasks"].append([theirs] + [None] * 6 + ["Later"])
    book["Tasks"].append(["SKU-NOBODY"] + [None] * 6 + ["Done"])
    book.save(path)
    before, changed = _snapshot(gui_backroom), []
    tab.changesMade.connect(changed.append)
    tab.import_button.click()
    (warning,) = said["warning"]
    assert warning.startswith("tw.xlsx was not imported; nothing was changed:\n")
    for text in (f"Row {at['In production']}: A carrier or tracking number is only for shipped",
                 "cannot go back to accepted",
                 f"Row {at['Accepted']}: Say why the task is turned down",
                 f"Row {last + 1}: “Later” is not a status",
                 f"Row {last + 1}: Task {theirs} is {GICLEE}'s, not {TW}'s.",
                 f"Row {last + 2}: There is no task SKU-NOBODY in Backroom."):
        assert text in warning
    assert len(warning.splitlines()) == 7  # the heading and one line per problem
    assert f"Row {at['Assigned']}:" not in warning  # the good row: fine, but not applied
    assert _snapshot(gui_backroom) == before and changed == []


# --- bugs ---------------------------------------------------------------------------------


def test_rejecting_from_the_suppliers_dialog_closes_it_cleanly(qtbot, gui_backroom, said):
    _order, task_id = _new_tee_task(gui_backroom)
    dialog = _dialog(qtbot, _as(gui_backroom), task_id)
    dialog.show()
    dialog.action_buttons["reject"].click()
    assert _get(gui_backroom, Task, task_id).supplier_id == _sid(gui_backroom, STITCH)
    assert not dialog.isVisible()


def test_importing_the_same_sheet_twice_does_not_repeat_its_note(gui_backroom, tmp_path):
    path = tmp_path / "tw.xlsx"
    gui_backroom.read(job_sheet.export_job_sheet, _sid(gui_backroom), path)
    _fill(path, lambda now, r: {"K": "Ready Friday"} if r == FIRST_ROW else {})
    gui_backroom.act(job_sheet.import_job_sheet, _sid(gui_backroom), path)
    again = gui_backroom.act(job_sheet.import_job_sheet, _sid(gui_backroom), path)
    with gui_backroom.sessions() as s:
        notes = s.scalars(select(m.TaskMessage.id).where(m.TaskMessage.body == "Ready Friday"))
        assert (len(notes.all()), again.applied) == (1, 0)


def test_an_order_back_from_hold_with_all_tasks_done_moves_on(gui_backroom):
    order_id, task_id = _new_tee_task(gui_backroom)
    gui_backroom.act(orders.change_status, [order_id], OrderStatus.ON_HOLD)
    for step in (supplier_tasks.accept_task, supplier_tasks.start_production,
                 supplier_tasks.finish_production, supplier_tasks.complete_task):
        gui_backroom.act(step, task_id)
    gui_backroom.act(orders.change_status, [order_id], OrderStatus.PURCHASING)
    assert _get(gui_backroom, m.Order, order_id).status == "ready_to_pick"


def test_cancelling_the_last_open_task_moves_the_order_on(qtbot, gui_backroom, said):
    with gui_backroom.sessions() as s:
        order_id = next(o for o in s.scalars(select(m.Order.id).where(
            m.Order.status == "purchasing").order_by(m.Order.id))
            if len(_tasks(gui_backroom, o)) == 2)
    first, second = _tasks(gui_backroom, order_id)
    dialog = _dialog(qtbot, gui_backroom, first.id)
    for step in ("accept", "start", "finish", "done"):  # from wherever it is, on to done
        if step in dialog.action_buttons:
            dialog.action_buttons[step].click()
    assert _get(gui_backroom, Task, first.id).status == "done"
    _dialog(qtbot, gui_backroom, second.id).action_buttons["cancel"].click()
    assert _get(gui_backroom, m.Order, order_id).status == "ready_to_pick"


def test_correcting_a_direct_shipments_tracking_reaches_the_order(qtbot, gui_backroom,
                                                                 monkeypatch):
    order_id, task_id = _new_tee_task(gui_backroom)
    dialog = _dialog(qtbot, _as(gui_backroom), task_id)
    for step in ("accept", "start", "finish"):
        dialog.action_buttons[step].click()
    monkeypatch.setattr(dialog, "ask_shipping", lambda: ("DPD", "15501234", True))
    dialog.action_buttons["ship"].click()
    dialog.tracking.setText("15509999")
    dialog.save_button.click()
    assert _get(gui_backroom, Task, task_id).tracking_number == "15509999"  # the task: fixed
    with gui_backroom.sessions() as s:
        parcel = s.scalars(select(m.Shipment).where(m.Shipment.order_id == order_id)).one()
        assert parcel.tracking_number == "15509999"


def test_the_next_supplier_does_not_learn_who_had_the_task(qtbot, gui_backroom):
    gui_backroom.act(users.add_user, gui_backroom.viewer, username="stitch",
                     display_name="Stitch bench", role=Role.SUPPLIER, password="stitch-pass-1",
                     again="stitch-pass-1", supplier_id=_sid(gui_backroom, STITCH))
    _order, task_id = _new_tee_task(gui_backroom)
    _as(gui_backroom).act(supplier_tasks.reject_task, task_id, "No blanks left")
    stitch = _dialog(qtbot, _as(gui_backroom, "stitch", "stitch-pass-1"), task_id)
    assert not any("threadworks" in t.lower() for t in _texts(stitch.history))


def test_a_supplier_cannot_search_by_the_customers_email(qtbot, gui_backroom):
    order_id, _task_id = _new_tee_task(gui_backroom)
    email = _get(gui_backroom, m.Order, order_id).customer_email
    win = SupplierWindow(_as(gui_backroom))
    qtbot.addWidget(win)
    win.tasks.model.set_search(email)
    assert win.tasks.model.rowCount() == 0
    number = _get(gui_backroom, m.Order, order_id).number
    win.tasks.model.set_search(number)  # what it does see of the order still finds it
    assert win.tasks.model.rowCount() >= 1
