"""Telling people: task notices in-app and queued by e-mail, the list, templates, migration."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from alembic import command
from sqlalchemy import select

from app.bootstrap import open_backroom
from app.config import load_config
from app.db.migrate import HEAD_REVISION, alembic_config, current_revision
from app.db.models import Notification, OutboxEmail, Setting
from app.domain.errors import DomainError
from app.notify import announce, notify
from app.services import notifications as ns
from app.services.notifications import SmtpSettings

TASK = {"task_sku": "MUG-7-01", "order_number": "ET-1001", "product": "Enamel mug",
        "sku": "MUG-ENM", "quantity": 3, "personalisation": "Happy 60th, Pat",
        "due_date": date(2026, 12, 3), "supplier": "Hollow Oak"}
SMTP = SmtpSettings("smtp.example.com", 587, True, "", "workshop@example.com",
                    "owner@example.com")


def _all(backroom, model):  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        key = model.key if model is Setting else model.id
        rows = list(s.scalars(select(model).order_by(key)))
        for r in rows:
            s.expunge(r)
        return rows


def test_a_task_done_tells_the_owner_in_the_window_and_by_email(backroom):
    backroom.act(ns.save_smtp_settings, SMTP)
    with backroom.uow() as uow:
        told = announce(uow.session, "task_done", {**TASK, "carrier": "DPD",
                                                   "tracking": "15501234"}, entity_id=7)
        uow.commit()
    [note] = _all(backroom, Notification)
    [mail] = _all(backroom, OutboxEmail)
    assert (told.notification_id, told.email_id, told.email_to) == (note.id, mail.id,
                                                                    "owner@example.com")
    assert note.title == "Hollow Oak finished task MUG-7-01"
    assert (note.kind, note.entity, note.entity_id, note.for_user_id) == (
        "task_done", "supplier_task", 7, None)
    assert "Tracking: 15501234" in note.body
    assert (mail.to_address, mail.subject, mail.body, mail.status) == (
        "owner@example.com", note.title, note.body, "queued")


def test_owner_notices_go_to_the_sender_address_when_no_other_is_set(backroom):
    backroom.act(ns.save_smtp_settings, SmtpSettings("smtp.example.com", 587, True, "",
                                                     "workshop@example.com"))
    with backroom.uow() as uow:
        told = announce(uow.session, "task_overdue", {**TASK, "days_late": 2})
        uow.commit()
    assert told.email_to == "workshop@example.com"


def test_before_email_is_set_up_the_owner_is_told_in_the_window_only(backroom):
    with backroom.uow() as uow:
        told = announce(uow.session, "task_rejected", {**TASK, "reason": "No glaze"})
        uow.commit()
    assert told.email_id is None
    assert [n.title for n in _all(backroom, Notification)] == [
        "Hollow Oak turned down task MUG-7-01"]
    assert _all(backroom, OutboxEmail) == []


def test_an_assigned_task_is_emailed_to_the_supplier_with_the_owners_template(backroom):
    backroom.act(ns.save_template, "task_assigned", "Job {task_sku} by {due_date}",
                 "Hi {supplier}, {quantity} please.")
    with backroom.uow() as uow:
        told = announce(uow.session, "task_assigned", TASK, email_to="makers@hollowoak.test")
        uow.commit()
    [mail] = _all(backroom, OutboxEmail)
    assert (mail.to_address, mail.subject, mail.body) == (
        "makers@hollowoak.test", "Job MUG-7-01 by 3 Dec 2026", "Hi Hollow Oak, 3 please.")
    assert told.notification_id is None  # the supplier has no user in Backroom
    assert _all(backroom, Notification) == []


def test_a_supplier_without_an_address_is_not_emailed_and_the_owner_hears_of_it(backroom):
    with backroom.uow() as uow:
        told = announce(uow.session, "task_assigned", TASK, email_to="")
        uow.commit()
    assert told.email_id is None
    assert _all(backroom, OutboxEmail) == []
    [note] = _all(backroom, Notification)
    assert note.kind == "email_missing"
    assert note.title == "Hollow Oak was not e-mailed about task MUG-7-01"
    assert "no e-mail address" in note.body


def test_nothing_is_told_when_the_action_rolls_back(backroom):
    backroom.act(ns.save_smtp_settings, SMTP)
    with pytest.raises(RuntimeError), backroom.uow() as uow:
        announce(uow.session, "task_done", TASK)
        raise RuntimeError("the task change failed")
    assert _all(backroom, Notification) == []
    assert _all(backroom, OutboxEmail) == []


def _add_notes(backroom, *titles: str, for_user_id=None) -> list[int]:  # type: ignore[no-untyped-def]
    with backroom.uow() as uow:
        rows = [notify(uow.session, kind="task_done", title=t, for_user_id=for_user_id)
                for t in titles]
        uow.session.flush()
        uow.commit()
        return [r.id for r in rows]


def test_the_list_is_newest_first_and_reading_clears_the_count(backroom):
    ids = _add_notes(backroom, "First", "Second", "Third")
    assert backroom.read(ns.unread_count) == 3
    listed = backroom.read(ns.notification_list, 2)
    assert [n.title for n in listed] == ["Third", "Second"]
    assert all(n.unread for n in listed)

    backroom.act(ns.mark_read, [ids[1]])
    assert backroom.read(ns.unread_count) == 2
    assert [n.unread for n in backroom.read(ns.notification_list)] == [True, False, True]

    backroom.act(ns.mark_all_read)
    assert backroom.read(ns.unread_count) == 0
    assert all(n.read_at is not None for n in backroom.read(ns.notification_list))


def test_a_template_with_an_unknown_placeholder_is_refused_and_nothing_saved(backroom):
    with pytest.raises(DomainError, match=r"\{customer\}"):
        backroom.act(ns.save_template, "task_done", "Done", "Hi {customer}")
    assert _all(backroom, Setting) == []
    view = backroom.read(ns.template_view, "task_done")
    assert not view.edited and view.subject == view.builtin_subject


def test_an_edited_template_is_kept_and_can_go_back_to_the_builtin_text(backroom):
    backroom.act(ns.save_template, "task_done", "Done: {task_sku}", "{supplier} is done.")
    view = backroom.read(ns.template_view, "task_done")
    assert (view.subject, view.body, view.edited) == ("Done: {task_sku}", "{supplier} is done.",
                                                      True)
    with backroom.sessions() as s:
        assert s.get(Setting, "template:task_done").value["value"] == {
            "subject": "Done: {task_sku}", "body": "{supplier} is done."}
    backroom.act(ns.reset_template, "task_done")
    assert not backroom.read(ns.template_view, "task_done").edited
    assert _all(backroom, Setting) == []


def test_check_template_previews_with_sample_values():
    check = ns.check_template("task_assigned", "For {supplier}", "Due {due_date}")
    assert check.problems == ()
    assert (check.subject, check.body) == ("For Hollow Oak Ceramics", "Due 3 Dec 2026")
    assert ns.check_template("task_assigned", "For {who}", "x").problems


def test_a_database_from_before_the_retry_time_is_backed_up_and_upgraded(data_dir):
    path = data_dir / "backroom.sqlite"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0002")
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO outbox_emails (to_address, subject, body, status, attempts, "
                    "created_at) VALUES ('a@example.com', 'Hello', 'Body', 'queued', 0, "
                    "'2026-11-01 10:00:00')")
    con.close()

    opened = open_backroom(load_config())
    try:
        assert current_revision(opened.engine) == HEAD_REVISION
        assert opened.backup_made is not None and opened.backup_made.exists()
        with sqlite3.connect(opened.backup_made) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (
                "0002",)
        copy.close()
        [mail] = _all(opened, OutboxEmail)
        assert (mail.to_address, mail.status, mail.next_attempt_at) == (
            "a@example.com", "queued", None)
    finally:
        opened.close()
