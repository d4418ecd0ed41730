"""The supplier task dialog, the order dialog's task list and the task settings dialog, on a
copy of the demo workshop."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QInputDialog, QMessageBox
from sqlalchemy import select

from app.db.models import Category, Setting, Supplier, SupplierTask
from app.domain import task_sku
from app.services import settings
from app.ui.dialogs.order_detail import OrderDialog
from app.ui.dialogs.task_detail import TaskDialog
from app.ui.dialogs.task_settings import TaskSettingsDialog


def _task(backroom, status: str, category: str = "t-shirts") -> SupplierTask:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalars(select(SupplierTask).join(Category)
                         .where(SupplierTask.status == status, Category.code == category)
                         .order_by(SupplierTask.id)).first()


def _stored(backroom, task_id: int) -> SupplierTask:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.get_one(SupplierTask, task_id)


def _open(qtbot, backroom, task_id: int) -> TaskDialog:  # type: ignore[no-untyped-def]
    dialog = TaskDialog(lambda: backroom, task_id)
    qtbot.addWidget(dialog)
    return dialog


def _warnings(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: seen.append(a[2]))
    return seen


def test_accepting_a_demo_task_stores_it_and_shows_the_next_step(qtbot, gui_backroom):
    task = _task(gui_backroom, "assigned")
    dialog = _open(qtbot, gui_backroom, task.id)
    assert task.sku in dialog.windowTitle()
    assert set(dialog.action_buttons) == {"accept", "reject", "cancel"}
    with qtbot.waitSignal(dialog.changesMade) as emitted:
        dialog.action_buttons["accept"].click()
    assert emitted.args[0].touches("tasks")
    assert _stored(gui_backroom, task.id).status == "accepted"
    assert set(dialog.action_buttons) == {"start", "reject", "cancel"}
    last = dialog.history.rowCount() - 1
    assert dialog.history.item(last, 1).text() == f"Assigned → Accepted\nby {gui_backroom.actor}"


def test_rejecting_asks_why_and_the_task_goes_to_another_supplier(qtbot, gui_backroom,
                                                                 monkeypatch):
    task = _task(gui_backroom, "assigned")
    dialog = _open(qtbot, gui_backroom, task.id)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Press is down", True))
    dialog.action_buttons["reject"].click()
    stored = _stored(gui_backroom, task.id)
    assert stored.rejected_by == [task.supplier_id]
    assert stored.supplier_id not in (None, task.supplier_id)  # t-shirts have a second maker
    assert stored.status == "assigned"
    notes = [dialog.history.item(r, 1).text() for r in range(dialog.history.rowCount())]
    assert any(n.endswith(": Press is down") for n in notes)
    with gui_backroom.sessions() as s:
        first = s.get_one(Supplier, task.supplier_id).name
    assert dialog.detail.turned_down_by == (first,)


def test_a_refused_step_is_explained_and_changes_nothing(qtbot, gui_backroom, monkeypatch):
    task = _task(gui_backroom, "assigned")
    dialog = _open(qtbot, gui_backroom, task.id)
    seen = _warnings(monkeypatch)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("   ", True))
    dialog.action_buttons["reject"].click()
    assert seen and "Say why" in seen[0]
    assert _stored(gui_backroom, task.id).status == "assigned"
    seen.clear()
    dialog.cost.setText("twelve")
    dialog.save_button.click()
    assert seen and "not an amount of money" in seen[0]


def test_a_task_nobody_will_take_can_be_assigned_by_hand(qtbot, gui_backroom, monkeypatch):
    task = _task(gui_backroom, "assigned")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Too busy", True))
    dialog = _open(qtbot, gui_backroom, task.id)
    dialog.action_buttons["reject"].click()
    dialog.action_buttons["reject"].click()  # the second t-shirt maker turns it down too
    assert dialog.detail.needs_supplier
    assert dialog.supplier_label.text().startswith(
        "Needs a supplier: Both suppliers of T-shirts")
    assert set(dialog.action_buttons) == {"assign", "cancel"}
    with gui_backroom.sessions() as s:
        maker = s.scalars(select(Supplier).where(Supplier.name.like("Threadworks%"))).one()
    offered: list[list[str]] = []

    def choose(_parent, _title, _label, items, *_a, **_k):  # type: ignore[no-untyped-def]
        offered.append(items)
        return next(i for i in items if i.startswith("Threadworks")), True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    dialog.action_buttons["assign"].click()
    assert offered[0][0].startswith("Automatic")
    assert f"{maker.name} (turned it down)" in offered[0]
    stored = _stored(gui_backroom, task.id)
    assert (stored.status, stored.supplier_id) == ("assigned", maker.id)


def test_shipping_and_finishing_a_task_from_the_dialog(qtbot, gui_backroom, monkeypatch):
    task = _task(gui_backroom, "produced", "shoes")
    dialog = _open(qtbot, gui_backroom, task.id)
    monkeypatch.setattr(dialog, "ask_shipping", lambda: ("DPD", "15501234", False))
    dialog.action_buttons["ship"].click()
    stored = _stored(gui_backroom, task.id)
    assert (stored.status, stored.carrier, stored.tracking_number) == (
        "shipped", "DPD", "15501234")
    assert dialog.carrier.text() == "DPD"
    dialog.action_buttons["done"].click()
    assert _stored(gui_backroom, task.id).status == "done"
    assert dialog.action_buttons == {}


def test_editing_the_due_date_and_cost_and_adding_a_note(qtbot, gui_backroom):
    task = _task(gui_backroom, "accepted", "shoes")
    dialog = _open(qtbot, gui_backroom, task.id)
    dialog.due.setDate(QDate(2031, 5, 6))
    dialog.cost.setText("12.50")
    dialog.save_button.click()
    stored = _stored(gui_backroom, task.id)
    assert (stored.due_date.isoformat(), stored.cost_minor) == ("2031-05-06", 1250)
    dialog.new_message.setPlainText("Gold rim, please")
    dialog.add_message_button.click()
    assert dialog.messages.rowCount() == 1
    assert dialog.messages.item(0, 2).text() == "Gold rim, please"
    assert dialog.new_message.toPlainText() == ""


def test_an_overdue_task_shows_its_due_date_in_red(qtbot, gui_backroom):
    task = _task(gui_backroom, "in_production", "shoes")
    with gui_backroom.sessions() as s:
        s.get_one(SupplierTask, task.id).due_date = date.today() - timedelta(days=3)
        s.commit()
    dialog = _open(qtbot, gui_backroom, task.id)
    assert dialog.due_label.text().endswith("— overdue")
    assert "#b3261e" in dialog.due_label.styleSheet()


def test_the_order_dialog_lists_its_tasks_and_opens_one(qtbot, gui_backroom, monkeypatch):
    task = _task(gui_backroom, "assigned")
    opened: list[TaskDialog] = []
    monkeypatch.setattr(TaskDialog, "exec", lambda self: opened.append(self) or 0)
    dialog = OrderDialog(lambda: gui_backroom, task.order_id)
    qtbot.addWidget(dialog)
    skus = [dialog.tasks.item(r, 0).text() for r in range(dialog.tasks.rowCount())]
    assert task.sku in skus
    row = skus.index(task.sku)
    assert dialog.tasks.item(row, 2).text() == "Assigned"
    dialog.tasks.cellDoubleClicked.emit(row, 0)
    assert opened and opened[0].detail.sku == task.sku
    with qtbot.waitSignal(dialog.changesMade):
        opened[0].action_buttons["accept"].click()
    skus = [dialog.tasks.item(r, 0).text() for r in range(dialog.tasks.rowCount())]
    assert dialog.tasks.item(skus.index(task.sku), 2).text() == "Accepted"


def test_settings_preview_the_pattern_and_refuse_a_bad_one(qtbot, gui_backroom):
    dialog = TaskSettingsDialog(lambda: gui_backroom)
    qtbot.addWidget(dialog)
    assert dialog.pattern.text() == task_sku.DEFAULT_PATTERN
    assert dialog.preview.text().startswith("<b>SKU-MUGS-")
    assert dialog.save_button.isEnabled()
    dialog.pattern.setText("JOB {category}")
    assert not dialog.save_button.isEnabled()
    assert "cannot be part of a SKU" in dialog.problems.text()
    assert "same SKU" in dialog.problems.text()
    dialog.pattern.setText("JOB-{category}-{seq:5}")
    assert dialog.save_button.isEnabled() and "JOB-MUGS-00001" in dialog.preview.text()
    dialog.auto.setChecked(True)
    with gui_backroom.sessions() as s:
        mugs = s.scalars(select(Category.id).where(Category.code == "mugs")).one()
    box = dialog.strategy_boxes[mugs]
    box.setCurrentIndex(box.findData("least_open"))
    with qtbot.waitSignal(dialog.changesMade):
        dialog.save_button.click()
    saved = gui_backroom.read(settings.task_settings)
    assert (saved.pattern, saved.auto_purchasing) == ("JOB-{category}-{seq:5}", True)
    assert {c.name: c.strategy for c in saved.categories}["Mugs"] == "least_open"
    with gui_backroom.sessions() as s:
        assert s.get_one(Setting, "task_sku_pattern").value == {"value": "JOB-{category}-{seq:5}"}
