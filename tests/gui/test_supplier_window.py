"""A supplier signed in gets "My tasks": its own tasks, its own steps, nothing of the shop."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import SupplierTask
from app.domain.access import Role
from app.services import users
from app.ui.dialogs.task_detail import TaskDialog
from app.ui.dialogs.users import NewUserDialog
from app.ui.main_window import MainWindow
from app.ui.supplier_window import SupplierWindow


@pytest.fixture
def kiln(gui_backroom):  # type: ignore[no-untyped-def]
    """The demo's supplier login (Threadworks Manchester, with open tasks), signed in."""
    viewer = gui_backroom.read(users.log_in, "threadworks", "threadworks-demo")
    gui_backroom.sign_in(viewer)
    return gui_backroom, viewer.supplier_id, viewer.display_name


def _own_count(backroom, supplier_id: int) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return len(s.scalars(select(SupplierTask.id).where(
            SupplierTask.supplier_id == supplier_id,
            SupplierTask.status.in_(("assigned", "accepted", "in_production", "produced"))
        )).all())


def test_the_owner_adds_a_supplier_login(qtbot, gui_backroom):
    dialog = NewUserDialog(gui_backroom)
    qtbot.addWidget(dialog)
    assert not dialog.supplier.isEnabled()
    dialog.username.setText("kiln2")
    dialog.display_name.setText("Kiln & Co. (second bench)")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.SUPPLIER))
    assert dialog.supplier.isEnabled()
    dialog.supplier.setCurrentIndex(dialog.supplier.findText("Kiln & Co. Ceramics"))
    dialog.password.setText("clay-1234")
    dialog.again.setText("clay-1234")
    dialog.save()
    viewer = gui_backroom.read(users.log_in, "kiln2", "clay-1234")
    assert viewer.role is Role.SUPPLIER
    assert viewer.supplier_id == dialog.supplier.currentData()


def test_a_supplier_signing_in_gets_my_tasks_instead_of_the_shop(qtbot, kiln):
    backroom, supplier_id, name = kiln
    shop = MainWindow(backroom)
    qtbot.addWidget(shop)
    win = shop.supplier_window
    assert isinstance(win, SupplierWindow)
    qtbot.addWidget(win)
    assert shop.backroom is None and not shop.isVisible()
    assert name in win.windowTitle()
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus == ["&File", "&View", "&Help"]  # no settings, no tabs
    rows = [win.tasks.model.row_at(i) for i in range(win.tasks.model.rowCount())]
    assert rows and len(rows) == _own_count(backroom, supplier_id)
    assert {r.supplier for r in rows} == {name}
    assert "Supplier" not in [c.header for c in win.tasks.columns]
    assert win.count_label.text().endswith("tasks") or win.count_label.text() == "Counting…"
    win.close()
    assert win.backroom is None  # closing the window closes its database


def test_the_status_box_shows_all_tasks_or_only_overdue_ones(qtbot, kiln):
    backroom, *_ = kiln
    win = SupplierWindow(backroom)
    qtbot.addWidget(win)
    open_rows = win.tasks.model.rowCount()
    win.tasks.status.setCurrentIndex(win.tasks.status.findText("All tasks"))
    assert win.tasks.model.rowCount() >= open_rows
    win.tasks.status.setCurrentIndex(win.tasks.status.findText("Overdue"))
    rows = [win.tasks.model.row_at(i) for i in range(win.tasks.model.rowCount())]
    assert all(r.overdue for r in rows)
    win.close()


def test_a_supplier_works_its_task_without_the_owners_controls(qtbot, kiln, monkeypatch):
    backroom, supplier_id, _ = kiln
    with backroom.sessions() as s:
        task = s.scalars(select(SupplierTask).where(
            SupplierTask.supplier_id == supplier_id, SupplierTask.status == "assigned")).first()
    dialog = TaskDialog(lambda: backroom, task.id)
    qtbot.addWidget(dialog)
    assert set(dialog.action_buttons) == {"accept", "reject"}  # no assign, no cancel
    assert not hasattr(dialog, "due") and not hasattr(dialog, "cost")
    assert not dialog.save_button.isEnabled()  # nothing shipped yet to correct
    for step in ("accept", "start", "finish"):
        dialog.action_buttons[step].click()
    monkeypatch.setattr(dialog, "ask_shipping", lambda: ("DPD", "15501234", True))
    dialog.action_buttons["ship"].click()
    with backroom.sessions() as s:
        stored = s.get_one(SupplierTask, task.id)
        assert (stored.status, stored.carrier, stored.ships_direct) == ("shipped", "DPD", True)
        assert stored.production_started_at is not None
    assert dialog.save_button.isEnabled()
    dialog.tracking.setText("15509999")
    dialog.save_shipping()
    with backroom.sessions() as s:
        assert s.get_one(SupplierTask, task.id).tracking_number == "15509999"


def test_another_suppliers_task_is_refused_in_words(qtbot, kiln):
    backroom, supplier_id, _ = kiln
    with backroom.sessions() as s:
        theirs = s.scalars(select(SupplierTask).where(
            SupplierTask.supplier_id != supplier_id)).first()
    from app.domain.errors import DomainError

    with pytest.raises(DomainError, match="not one of yours"):
        TaskDialog(lambda: backroom, theirs.id)
