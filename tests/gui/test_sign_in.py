"""Who is working: first-run owner set-up, signing in, and a shop without log-in."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from app.bootstrap import open_backroom
from app.config import load_config
from app.services import users
from app.ui.dialogs import sign_in
from app.ui.dialogs.sign_in import FirstRunDialog, SignInDialog, who_is_working


@pytest.fixture
def fresh(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BACKROOM_DATA_DIR", str(tmp_path))
    backroom = open_backroom(load_config())
    yield backroom
    backroom.close()


def test_first_run_sets_up_the_owner_with_a_password(qtbot, fresh):
    dialog = FirstRunDialog(fresh)
    qtbot.addWidget(dialog)
    dialog.username.setText("ada")
    dialog.display_name.setText("Ada Lovelace")
    dialog.password.setText("engine-123")
    dialog.again.setText("engine-123")
    dialog.set_up()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.viewer.username == "ada"
    assert fresh.read(users.login_required)


def test_first_run_with_mismatched_passwords_says_so_and_creates_nobody(qtbot, fresh):
    dialog = FirstRunDialog(fresh)
    qtbot.addWidget(dialog)
    dialog.username.setText("ada")
    dialog.password.setText("engine-123")
    dialog.again.setText("engine-124")
    dialog.set_up()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "passwords differ" in dialog.problem.text()
    assert fresh.read(users.needs_owner)


def test_a_one_person_shop_skips_the_password(qtbot, fresh):
    dialog = FirstRunDialog(fresh)
    qtbot.addWidget(dialog)
    dialog.username.setText("ada")
    dialog.ask.setChecked(False)
    assert not dialog.password.isEnabled()
    dialog.set_up()
    assert dialog.viewer is not None
    assert not fresh.read(users.login_required)
    assert who_is_working(fresh) == dialog.viewer  # next start: no dialog at all


def test_sign_in_refuses_a_wrong_password_and_lets_you_try_again(qtbot, fresh):
    users.create_owner(fresh.uow(), "ada", "Ada", "engine-123", "engine-123")
    dialog = SignInDialog(fresh)
    qtbot.addWidget(dialog)
    dialog.username.setText("ada")
    dialog.password.setText("engine-12")
    dialog.sign_in()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "do not match" in dialog.problem.text()
    assert dialog.password.text() == ""
    dialog.password.setText("engine-123")
    dialog.sign_in()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.viewer.username == "ada"


def test_who_is_working_asks_for_a_sign_in_when_log_in_is_on(qtbot, fresh, monkeypatch):
    users.create_owner(fresh.uow(), "ada", "Ada", "engine-123", "engine-123")
    shown = []

    def fake_exec(dialog):  # type: ignore[no-untyped-def]
        shown.append(type(dialog))
        dialog.username.setText("ada")
        dialog.password.setText("engine-123")
        dialog.sign_in()
        return dialog.result()

    monkeypatch.setattr(sign_in.SignInDialog, "exec", fake_exec)
    viewer = who_is_working(fresh)
    assert shown == [SignInDialog]
    assert viewer.username == "ada"


def test_closing_the_sign_in_opens_nothing(qtbot, fresh, monkeypatch):
    users.create_owner(fresh.uow(), "ada", "Ada", "engine-123", "engine-123")
    monkeypatch.setattr(sign_in.SignInDialog, "exec", lambda _d: 0)
    assert who_is_working(fresh) is None


def test_the_demo_opens_as_its_owner_without_asking(gui_backroom):
    assert not gui_backroom.read(users.login_required)
    assert who_is_working(gui_backroom).username == "owner"
