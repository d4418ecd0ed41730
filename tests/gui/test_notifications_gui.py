"""Notices in the window: the unread count, the list, templates, e-mail settings, the outbox
and the background sender."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.db.models import OutboxEmail, Setting
from app.domain.changes import Changes
from app.notify import notify, queue_email
from app.notify.smtp import KEYRING_SERVICE, SmtpTransport
from app.services import notifications as ns
from app.services.notifications import SmtpSettings

LEFT = Qt.MouseButton.LeftButton


def _add_notes(backroom, *titles: str) -> None:  # type: ignore[no-untyped-def]
    with backroom.uow() as uow:
        for t in titles:
            notify(uow.session, kind="task_done", title=t, body=f"About {t}")
        uow.commit()


def _queue(backroom, subject: str = "New task MUG-1-01") -> int:  # type: ignore[no-untyped-def]
    with backroom.uow() as uow:
        row = queue_email(uow.session, to="maker@example.net", subject=subject, body="Hi")
        uow.session.flush()
        uow.commit()
        return row.id


def _use_server(backroom, server) -> None:  # type: ignore[no-untyped-def]
    backroom.act(ns.save_smtp_settings, SmtpSettings(server.host, server.port, False, "",
                                                     "workshop@example.com"))


def _status(backroom, message_id: int) -> tuple[str, int, str | None]:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        row = s.get_one(OutboxEmail, message_id)
        return row.status, row.attempts, row.error


def test_settings_menu_offers_email_templates_and_outbox(window):
    menus = {a.text(): a.menu() for a in window.menuBar().actions() if a.menu()}
    assert [a.text() for a in menus["&Settings"].actions()] == [
        "&Users…", "&Supplier tasks…", "&Channels…", "&Printers…", "&Label templates…", "",
        "&E-mail…", "Message &templates…", "&Outbox…"]
    assert all(a.isEnabled() for a in menus["&Settings"].actions())


def test_unread_count_shows_in_the_status_bar_and_mark_all_read_clears_it(
        window, gui_backroom, qtbot):
    button = window.notifier.button
    assert button.isVisible()
    qtbot.waitUntil(lambda: button.text() == "No new notices", timeout=3000)
    _add_notes(gui_backroom, "First", "Second", "Third")
    window.changed.emit(Changes(tasks=True))  # what a task action reports
    assert button.text() == "3 new"

    qtbot.mouseClick(button, LEFT)
    dialog = window.notifier.notifications_dialog
    assert dialog is not None and dialog.isVisible()
    titles = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert titles == ["Third", "Second", "First"]
    assert all(dialog.is_bold(r) for r in range(3))
    assert dialog.summary.text() == "3 unread notices"

    dialog.table.selectRow(1)  # reading one marks it read
    assert not dialog.is_bold(1) and dialog.is_bold(0)
    assert "About Second" in dialog.detail.toPlainText()
    assert button.text() == "2 new"

    qtbot.mouseClick(dialog.mark_all_button, LEFT)
    assert not any(dialog.is_bold(r) for r in range(3))
    assert button.text() == "No new notices"
    assert gui_backroom.read(ns.unread_count) == 0
    assert not dialog.mark_all_button.isEnabled()


def test_a_template_with_an_unknown_placeholder_shows_the_problem_and_saves_nothing(
        window, gui_backroom, qtbot):
    dialog = window.notifier.show_templates()
    dialog.kind.setCurrentIndex(dialog.kind.findData("task_done"))
    assert dialog.problem.text() == ""
    assert "Subject: Hollow Oak Ceramics finished task MUG-1042-01" in \
        dialog.preview.toPlainText()

    dialog.body.setFocus()
    dialog.body.moveCursor(dialog.body.textCursor().MoveOperation.End)
    qtbot.keyClick(dialog.body, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.body, "Customer: {customer}")

    assert "{customer}" in dialog.problem.text()
    assert "not a placeholder" in dialog.problem.text()
    assert dialog.preview.toPlainText() == ""
    assert not dialog.save_button.isEnabled()
    assert dialog.save() is False  # even if asked: the service refuses it
    assert "not saved" in dialog.problem.text()
    with gui_backroom.sessions() as s:
        assert s.scalars(select(Setting).where(Setting.key.like("template:%"))).all() == []


def test_an_edited_template_previews_live_and_is_saved(window, gui_backroom, qtbot):
    dialog = window.notifier.show_templates()
    dialog.kind.setCurrentIndex(dialog.kind.findData("task_rejected"))
    dialog.subject.selectAll()
    qtbot.keyClicks(dialog.subject, "No from {supplier}")
    assert dialog.preview.toPlainText().startswith("Subject: No from Hollow Oak Ceramics")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, LEFT)
    view = gui_backroom.read(ns.template_view, "task_rejected")
    assert view.edited and view.subject == "No from {supplier}"
    assert "Saved" in dialog.problem.text()


def test_email_settings_keep_the_password_in_the_keyring_and_send_a_test(
        window, gui_backroom, qtbot, mail_server, memory_keyring):
    dialog = window.notifier.show_email_settings()
    dialog.host.setText(mail_server.host)
    dialog.port.setValue(mail_server.port)
    dialog.starttls.setChecked(False)
    dialog.from_address.setText("workshop@example.com")
    dialog.owner_address.setText("owner@example.com")

    qtbot.mouseClick(dialog.test_button, LEFT)
    assert not dialog.test_button.isEnabled()
    assert dialog.result.text() == "Sending a test to owner@example.com…"
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert dialog.result.text().startswith("Sent a test e-mail to owner@example.com")
    assert [m["Subject"] for m in mail_server.received] == ["Backroom test e-mail"]

    dialog.username.setText("shop")
    dialog.password.setText("Glaze&Kiln-9")
    assert dialog.save()
    assert memory_keyring.passwords == {(KEYRING_SERVICE, "shop"): "Glaze&Kiln-9"}
    saved = gui_backroom.read(ns.smtp_settings)
    assert (saved.host, saved.port, saved.username) == (mail_server.host, mail_server.port,
                                                        "shop")
    with gui_backroom.sessions() as s:
        assert "Glaze&Kiln-9" not in repr([r.value for r in s.scalars(select(Setting))])


def test_email_settings_with_mistakes_are_explained_and_not_saved(window, gui_backroom):
    dialog = window.notifier.show_email_settings()
    dialog.host.setText("")
    dialog.from_address.setText("nobody")
    assert dialog.save() is False
    assert dialog.problem.isVisible()
    assert "mail server's name" in dialog.problem.text()
    assert "not an e-mail address" in dialog.problem.text()
    assert gui_backroom.read(ns.smtp_settings) is None


def test_the_background_send_runs_off_the_gui_thread_one_run_at_a_time(
        window, gui_backroom, qtbot, mail_server, monkeypatch):
    _use_server(gui_backroom, mail_server)
    message_id = _queue(gui_backroom)
    threads: list[threading.Thread] = []
    real_send = SmtpTransport.send

    def watched_send(self, to, subject, body, attachments=()):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        real_send(self, to, subject, body, attachments)

    monkeypatch.setattr(SmtpTransport, "send", watched_send)
    with qtbot.waitSignal(window.notifier.sendFinished, timeout=10_000) as sent:
        job = window.send_outbox_soon()
        assert job is not None
        assert window.send_outbox_soon() is job  # asked again while running: no second run
        assert [j.label for j in window.ops.running].count("Sending e-mail") == 1
    assert sent.args[0].sent == 1
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert _status(gui_backroom, message_id)[0] == "sent"
    assert len(mail_server.received) == 1
    qtbot.waitUntil(lambda: window.notifier.send_job is None, timeout=5000)
    assert len(mail_server.received) == 1  # the follow-up run found nothing to send


def test_the_outbox_shows_why_a_send_failed_and_retry_sends_it_when_the_server_is_back(
        window, gui_backroom, qtbot, make_mail_server):
    server = make_mail_server(start=False)
    _use_server(gui_backroom, server)
    message_id = _queue(gui_backroom)
    with qtbot.waitSignal(window.notifier.sendFinished, timeout=10_000):
        window.send_outbox_soon()
    status, attempts, error = _status(gui_backroom, message_id)
    assert (status, attempts) == ("failed", 1)
    assert "could not be reached" in window.statusBar().currentMessage()

    dialog = window.notifier.show_outbox()
    model = dialog.model
    assert model.rowCount() == 1
    texts = [model.index(0, c).data() for c in range(model.columnCount())]
    assert texts[1] == "maker@example.net"
    assert texts[3].startswith("Failed (1 try); next try at")
    assert texts[5] == error and "could not be reached" in texts[5]
    dialog.table.selectRow(0)
    assert "Why it failed: The mail server at" in dialog.detail.text()

    server.start()
    with qtbot.waitSignal(window.notifier.sendFinished, timeout=10_000):
        qtbot.mouseClick(dialog.retry_button, LEFT)
    qtbot.waitUntil(lambda: window.notifier.send_job is None, timeout=5000)
    assert _status(gui_backroom, message_id)[0] == "sent"
    assert len(server.received) == 1
    assert dialog.model.rowCount() == 0  # "Not sent yet" is empty now
    assert "0 waiting, 0 failed, 1 sent." in dialog.summary.text()


def test_nothing_is_sent_in_the_background_while_email_is_not_set_up(window, gui_backroom):
    _queue(gui_backroom)
    assert window.send_outbox_soon() is None
    assert not window.ops.running
