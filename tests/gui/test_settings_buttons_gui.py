"""Buttons in the Settings dialogs and the status bar that no other GUI test pressed: the
e-mail test send (working and with the server down), Outbox > Send now, the label template
editor's Remove field / Undo changes / Back to the sample, Message templates > Restore
built-in text, and the notices list opened from the status bar.

Each is driven as a person would (fill the form, pick the row, click) against a copy of the
demo workshop and, for e-mail, a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import func, select

from app.db.models import Setting
from app.domain.changes import Changes
from app.notify import notify, queue_email
from app.services import notifications as ns
from app.services import printers
from app.services.notifications import SmtpSettings
from app.ui.dialogs import label_templates
from app.ui.dialogs.label_templates import LabelTemplatesDialog
from app.ui.styles import BAD

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def no_modal_windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """No message box or modal dialog may block, and none of these buttons asks for one."""
    asked: list[str] = []
    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, k=kind: asked.append(k))
    monkeypatch.setattr(QDialog, "exec", lambda self: asked.append("exec") or 0)
    monkeypatch.setattr(label_templates, "confirm_discard", lambda *a: True)
    yield asked
    assert asked == [], f"a button opened a modal window: {asked}"


def _menu_action(window, text: str):  # type: ignore[no-untyped-def]
    return next(a for a in window.notifier.actions if a.text() == text)


def _fill_email_form(dialog, server, password: str = "") -> None:  # type: ignore[no-untyped-def]
    dialog.host.setText(server.host)
    dialog.port.setValue(server.port)
    dialog.starttls.setChecked(False)
    dialog.username.setText(server.username if password else "")
    dialog.password.setText(password)
    dialog.from_address.setText("workshop@example.com")
    dialog.owner_address.setText("owner@example.com")
    dialog.test_to.setText("bench@example.org")


def _send_test(dialog, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.test_button, LEFT)
    assert not dialog.test_button.isEnabled()
    assert dialog.result.text() == "Sending a test to bench@example.org…"
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=10_000)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_test_email_goes_out_with_the_typed_password_and_nothing_is_saved(
        window, gui_backroom, qtbot, make_mail_server, memory_keyring):
    server = make_mail_server(password="Glaze&Kiln-9")
    _menu_action(window, "&E-mail…").trigger()
    dialog = window.notifier.email_dialog
    assert dialog is not None and dialog.isVisible()
    _fill_email_form(dialog, server, password="Glaze&Kiln-9")

    _send_test(dialog, qtbot)
    assert dialog.result.text() == (f"Sent a test e-mail to bench@example.org through "
                                    f"{server.host}:{server.port}. Check that it arrived.")
    assert server.recipients == [["bench@example.org"]]  # the "Send a test to" address
    message = server.received[0]
    assert message["Subject"] == "Backroom test e-mail"
    assert "Sender: workshop@example.com" in message.get_content()
    # Testing is not saving: no settings, no password in the keyring, the form as typed.
    assert gui_backroom.read(ns.smtp_settings) is None
    assert memory_keyring.passwords == {}
    assert dialog.password.text() == "Glaze&Kiln-9" and dialog.isVisible()


def test_a_test_email_to_a_server_that_is_down_says_so_and_keeps_the_form(
        window, gui_backroom, qtbot, make_mail_server):
    server = make_mail_server(start=False)
    dialog = window.notifier.show_email_settings()
    _fill_email_form(dialog, server)

    _send_test(dialog, qtbot)
    said = dialog.result.text()
    assert said.startswith(f"The mail server at {server.host}:{server.port} could not be "
                           "reached: it refused the connection")
    assert "Traceback" not in said and "Errno" not in said
    assert dialog.result.styleSheet() == BAD
    assert dialog.isVisible()
    assert (dialog.host.text(), dialog.port.value(), dialog.test_to.text(),
            dialog.from_address.text()) == (server.host, server.port, "bench@example.org",
                                            "workshop@example.com")
    assert gui_backroom.read(ns.smtp_settings) is None
    assert gui_backroom.read(ns.outbox_summary) == {}  # a test is never queued
    assert server.received == []

    server.start()  # the server is back: the same form, one more click, no retyping
    _send_test(dialog, qtbot)
    assert dialog.result.text().startswith("Sent a test e-mail to bench@example.org")
    assert len(server.received) == 1


def test_send_now_in_the_outbox_sends_a_waiting_email(window, gui_backroom, qtbot,
                                                      mail_server):
    # The window's first look at the outbox (300 ms after opening) must be over, so that
    # it is the button, not that look, which sends the message.
    qtbot.waitUntil(lambda: not window.notifier._soon.isActive(), timeout=3000)
    with gui_backroom.uow() as uow:
        queue_email(uow.session, to="maker@example.net", subject="New task MUG-1-01",
                    body="Hi")
        uow.commit()

    dialog = window.notifier.show_outbox()
    assert not dialog.send_button.isEnabled()  # e-mail not set up yet
    assert ns.NOT_SET_UP in dialog.summary.text()

    gui_backroom.act(ns.save_smtp_settings, SmtpSettings(
        mail_server.host, mail_server.port, False, "", "workshop@example.com"))
    _menu_action(window, "&Outbox…").trigger()  # opened again: it looks again
    assert window.notifier.outbox_dialog is dialog
    assert dialog.send_button.isEnabled()
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 3).data() == "Waiting to send"
    assert dialog.summary.text() == "1 waiting, 0 failed, 0 sent."
    assert mail_server.received == []

    with qtbot.waitSignal(window.notifier.sendFinished, timeout=10_000) as finished:
        qtbot.mouseClick(dialog.send_button, LEFT)
    qtbot.waitUntil(lambda: window.notifier.send_job is None, timeout=5000)
    assert finished.args[0].sent == 1
    assert [m["Subject"] for m in mail_server.received] == ["New task MUG-1-01"]
    assert mail_server.recipients == [["maker@example.net"]]
    assert dialog.model.rowCount() == 0 and dialog.empty.text() == "No messages here."
    assert dialog.summary.text() == "0 waiting, 0 failed, 1 sent."
    assert window.statusBar().currentMessage() == "Sent 1 e-mail."
    assert dialog.send_now() == 0  # clicked again: it says there is nothing, not silence
    assert dialog.detail.text() == "Nothing is waiting to be sent."

    dialog.showing.setCurrentIndex(dialog.showing.findText("Sent"))
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 3).data().startswith("Sent ")


def _own_copy(qtbot, gui_backroom) -> tuple[LabelTemplatesDialog, str]:  # type: ignore[no-untyped-def]
    """The label template editor on a saved copy of the built-in product label."""
    dialog = LabelTemplatesDialog(lambda: gui_backroom)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select("product-50x25")
    qtbot.mouseClick(dialog.copy_button, LEFT)
    key = dialog.save()
    assert key is not None and not dialog.builtin and not dialog.dirty
    return dialog, key


def _keys(editor) -> list[str]:  # type: ignore[no-untyped-def]
    return [editor.fields.item(r, 0).text() for r in range(editor.fields.rowCount())]


def test_remove_field_then_undo_changes_brings_the_saved_template_back(qtbot, gui_backroom):
    dialog, key = _own_copy(qtbot, gui_backroom)
    editor = dialog.editor
    saved_image = editor.preview.image.tobytes()
    assert _keys(editor) == ["sku", "price", "title"]
    assert not dialog.revert_button.isEnabled()

    editor.fields.clearSelection()
    qtbot.mouseClick(editor.remove_field_button, LEFT)  # no field chosen: nothing happens
    assert _keys(editor) == ["sku", "price", "title"] and not dialog.dirty

    editor.set_field(0, "x_mm", "4")
    editor.fields.selectRow(2)
    qtbot.mouseClick(editor.remove_field_button, LEFT)
    assert _keys(editor) == ["sku", "price"]
    qtbot.waitUntil(lambda: editor.template is not None and len(editor.template.fields) == 2,
                    timeout=2000)
    assert editor.preview.image is not None
    assert editor.preview.image.tobytes() != saved_image  # the preview lost the title
    assert dialog.dirty and dialog.revert_button.isEnabled()
    assert "changed (not saved)" in dialog.heading.text()

    qtbot.mouseClick(dialog.revert_button, LEFT)
    assert _keys(editor) == ["sku", "price", "title"]
    assert editor.fields.item(0, 2).text() == "2"  # the SKU's X back as saved
    assert editor.preview.image.tobytes() == saved_image
    assert not dialog.dirty and not dialog.revert_button.isEnabled()
    assert "changed" not in dialog.heading.text()
    kept = printers.label_template(gui_backroom, key)
    assert [f.key for f in kept.fields] == ["sku", "price", "title"]
    assert kept.fields[0].x_mm == 2


def test_back_to_the_sample_undoes_preview_text_that_did_not_fit(qtbot, gui_backroom):
    dialog = LabelTemplatesDialog(lambda: gui_backroom)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select("product-50x25")
    editor = dialog.editor
    sample_image = editor.preview.image.tobytes()
    editor.pages.setCurrentIndex(1)  # the "Sample data" tab
    row = [editor.sample.item(r, 0).text()
           for r in range(editor.sample.rowCount())].index("barcode")
    original = editor.sample.item(row, 1).text()

    editor.sample.item(row, 1).setText("X" * 60)  # far too long for the barcode's box
    qtbot.waitUntil(lambda: editor.preview.image is None, timeout=2000)
    assert editor.image.text() == "No preview with this sample data."
    assert editor.problem_label.isVisible()
    assert editor.problem_label.text().startswith("With the sample data shown: The Code 128 "
                                                  "barcode for 'barcode'")
    assert editor.problems == []  # the template itself is fine

    qtbot.mouseClick(editor.reset_sample_button, LEFT)
    assert editor.sample.item(row, 1).text() == original
    assert editor.preview.image is not None
    assert editor.preview.image.tobytes() == sample_image
    assert not editor.problem_label.isVisible() and editor.image.text() == ""
    assert not dialog.dirty


def test_restore_built_in_text_puts_back_the_wording_and_save_keeps_it(
        window, gui_backroom, qtbot):
    gui_backroom.act(ns.save_template, "task_done", "Done: {task_sku}", "{supplier} is done.")
    _menu_action(window, "Message &templates…").trigger()
    dialog = window.notifier.templates_dialog
    dialog.kind.setCurrentIndex(dialog.kind.findData("task_done"))
    assert dialog.subject.text() == "Done: {task_sku}"
    assert "You have changed its wording." in dialog.audience.text()
    assert dialog.restore_button.isEnabled()
    qtbot.keyClicks(dialog.body, " Unsaved too.")  # typed, not saved: also given up

    qtbot.mouseClick(dialog.restore_button, LEFT)
    view = gui_backroom.read(ns.template_view, "task_done")
    assert (dialog.subject.text(), dialog.body.toPlainText()) == (view.builtin_subject,
                                                                  view.builtin_body)
    assert dialog.preview.toPlainText().startswith(
        "Subject: Hollow Oak Ceramics finished task MUG-1042-01\n\n"
        "Hollow Oak Ceramics has finished task MUG-1042-01")
    assert dialog.problem.text() == ""
    assert not dialog.restore_button.isEnabled()
    assert view.edited  # restoring only fills the form: Save keeps it
    assert dialog.save_button.isEnabled()

    qtbot.mouseClick(dialog.save_button, LEFT)
    assert not gui_backroom.read(ns.template_view, "task_done").edited
    assert "You have changed" not in dialog.audience.text()
    assert dialog.problem.text() == "Saved. New notices use this wording."
    with gui_backroom.sessions() as s:
        assert s.scalar(select(func.count(Setting.key))
                        .where(Setting.key.like("template:%"))) == 0


def _notices(backroom, *titles: str) -> None:  # type: ignore[no-untyped-def]
    with backroom.uow() as uow:
        for t in titles:
            notify(uow.session, kind="task_done", title=t, body=f"About {t}")
        uow.commit()


def test_the_notices_list_opens_from_the_status_bar_and_reading_updates_the_count(
        window, gui_backroom, qtbot):
    button = window.notifier.button
    _notices(gui_backroom, "Old")
    gui_backroom.act(ns.mark_all_read)
    _notices(gui_backroom, "Kiln A", "Kiln B")
    window.changed.emit(Changes(tasks=True))  # what a task action reports
    assert button.text() == "2 new"

    qtbot.mouseClick(button, LEFT)
    dialog = window.notifier.notifications_dialog
    assert dialog is not None and dialog.isVisible()
    table = dialog.table
    assert [table.item(r, 1).text() for r in range(3)] == ["Kiln B", "Kiln A", "Old"]
    assert [dialog.is_bold(r) for r in range(3)] == [True, True, False]  # unread in bold
    assert dialog.summary.text() == "2 unread notices"

    cell = table.visualItemRect(table.item(1, 1)).center()
    qtbot.mouseClick(table.viewport(), LEFT, pos=cell)  # reading "Kiln A" marks it read
    assert "About Kiln A" in dialog.detail.toPlainText()
    assert not dialog.is_bold(1) and dialog.is_bold(0)
    assert dialog.summary.text() == "1 unread notice"
    assert button.text() == "1 new"
    assert gui_backroom.read(ns.unread_count) == 1

    dialog.close()
    _notices(gui_backroom, "Kiln C")
    window.changed.emit(Changes(tasks=True))
    assert button.text() == "2 new"
    qtbot.mouseClick(button, LEFT)  # opened again: the same list, brought up to date
    assert window.notifier.notifications_dialog is dialog and dialog.isVisible()
    assert [table.item(r, 1).text() for r in range(4)] == ["Kiln C", "Kiln B", "Kiln A", "Old"]
    assert [dialog.is_bold(r) for r in range(4)] == [True, True, False, False]

    qtbot.mouseClick(dialog.mark_all_button, LEFT)
    assert button.text() == "No new notices"
    assert not any(dialog.is_bold(r) for r in range(4))
    assert not dialog.mark_all_button.isEnabled()
    assert gui_backroom.read(ns.unread_count) == 0
