"""The owner's Users dialog: add a supplier login, refuse bad input, switch log-in on."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from app.domain.access import Role
from app.services import users
from app.ui.dialogs.users import NewUserDialog, UsersDialog


@pytest.fixture
def owner_backroom(gui_backroom):  # type: ignore[no-untyped-def]
    gui_backroom.sign_in(gui_backroom.read(users.the_owner))
    return gui_backroom


def test_the_owner_adds_a_staff_login(qtbot, owner_backroom):
    dialog = NewUserDialog(owner_backroom)
    qtbot.addWidget(dialog)
    assert [Role(dialog.role.itemData(i)) for i in range(dialog.role.count())] == [
        Role.STAFF, Role.SUPPLIER, Role.OWNER]
    dialog.username.setText("pat")
    dialog.display_name.setText("Pat the packer")
    dialog.password.setText("bench-1234")
    dialog.again.setText("bench-1234")
    dialog.save()
    viewer = owner_backroom.read(users.log_in, "pat", "bench-1234")
    assert viewer.role is Role.STAFF


def test_bad_new_user_input_is_listed_and_nothing_is_saved(qtbot, owner_backroom):
    dialog = NewUserDialog(owner_backroom)
    qtbot.addWidget(dialog)
    dialog.username.setText("two words")
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.save()
    assert "no spaces" in dialog.problem.text()
    assert "at least 8 characters" in dialog.problem.text()
    assert [r.username for r in owner_backroom.read(users.user_list,
                                                    owner_backroom.viewer)] == [
        "owner", "threadworks"]  # the demo's own two


def test_log_in_cannot_be_switched_on_before_the_owner_has_a_password(
        qtbot, owner_backroom, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    dialog = UsersDialog(owner_backroom)
    qtbot.addWidget(dialog)
    assert not dialog.ask.isChecked()
    dialog.ask.setChecked(True)
    assert "Give yourself a password first" in warnings[0]
    assert not dialog.ask.isChecked()
    assert not owner_backroom.read(users.login_required)


def test_the_owner_cannot_switch_off_their_own_account(qtbot, owner_backroom):
    dialog = UsersDialog(owner_backroom)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    assert dialog.selected().username == "owner"
    assert not dialog.active_button.isEnabled()
    assert dialog.password_button.isEnabled()
