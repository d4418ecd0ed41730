"""The e-mail outbox against a real SMTP server on loopback: sent once, kept on failure."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from sqlalchemy import select, update

from app.db.engine import sqlite_path
from app.db.models import OutboxEmail, Setting
from app.domain.errors import DomainError
from app.domain.outbox import OutboxStatus
from app.notify import queue_email
from app.notify.outbox import send_due
from app.notify.smtp import KEYRING_SERVICE, SmtpTransport
from app.services import notifications as ns
from app.services.notifications import SmtpSettings, deliver_outbox

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
# The loopback server takes a password without TLS; aiosmtpd rightly warns about that.
PLAIN_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _settings(server, **changes) -> SmtpSettings:  # type: ignore[no-untyped-def]
    values = {"host": server.host, "port": server.port, "starttls": False,
              "username": "", "from_address": "workshop@example.com",
              "owner_address": "owner@example.com"}
    values.update(changes)
    return SmtpSettings(**values)


def _queue(backroom, to="maker@example.net", subject="New task MUG-1-01",  # type: ignore[no-untyped-def]
           body="Please make 2 mugs.\nThank you!") -> int:
    with backroom.uow() as uow:
        row = queue_email(uow.session, to=to, subject=subject, body=body)
        uow.session.flush()
        uow.commit()
        return row.id


def _row(backroom, message_id: int) -> OutboxEmail:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        row = s.get(OutboxEmail, message_id)
        assert row is not None, "the message was deleted"
        s.expunge(row)
        return row


def test_a_queued_message_reaches_the_server_exactly_as_written(backroom, mail_server):
    backroom.act(ns.save_smtp_settings, _settings(mail_server))
    message_id = _queue(backroom, body="Please make 2 mugs: “Grandad”.\nThank you!")

    report = deliver_outbox(backroom.sessions, now=T0)

    assert (report.sent, report.failed) == (1, 0)
    assert mail_server.recipients == [["maker@example.net"]]
    [mail] = mail_server.received
    assert mail["From"] == "workshop@example.com"
    assert mail["To"] == "maker@example.net"
    assert mail["Subject"] == "New task MUG-1-01"
    assert mail["Message-ID"]
    assert mail.get_content().replace("\r\n", "\n") == (
        "Please make 2 mugs: “Grandad”.\nThank you!\n")
    row = _row(backroom, message_id)
    assert (row.status, row.attempts, row.error, row.sent_at) == ("sent", 1, None, T0)
    assert deliver_outbox(backroom.sessions, now=T0 + timedelta(hours=2)).sent == 0
    assert len(mail_server.received) == 1


def test_a_server_that_is_down_fails_the_message_keeps_it_and_sends_it_once_back_up(
        backroom, make_mail_server):
    server = make_mail_server(start=False)
    backroom.act(ns.save_smtp_settings, _settings(server))
    message_id = _queue(backroom)

    report = deliver_outbox(backroom.sessions, now=T0)

    assert (report.sent, report.failed) == (0, 1)
    row = _row(backroom, message_id)
    assert row.status == "failed"
    assert row.attempts == 1
    assert row.error == report.problem
    assert f"The mail server at 127.0.0.1:{server.port} could not be reached" in row.error
    assert row.next_attempt_at == T0 + timedelta(minutes=1)
    assert (row.to_address, row.subject) == ("maker@example.net", "New task MUG-1-01")

    # Not due yet: nothing is tried.
    assert deliver_outbox(backroom.sessions, now=T0 + timedelta(seconds=30)).failed == 0
    assert _row(backroom, message_id).attempts == 1
    # Still down at the next try: the wait doubles.
    deliver_outbox(backroom.sessions, now=T0 + timedelta(minutes=1))
    row = _row(backroom, message_id)
    assert (row.attempts, row.next_attempt_at) == (2, T0 + timedelta(minutes=3))

    server.start()
    later = T0 + timedelta(minutes=3)
    report = deliver_outbox(backroom.sessions, now=later)
    assert (report.sent, report.failed) == (1, 0)
    assert deliver_outbox(backroom.sessions, now=later + timedelta(hours=5)).sent == 0
    assert len(server.received) == 1
    assert server.received[0]["Subject"] == "New task MUG-1-01"
    row = _row(backroom, message_id)
    assert (row.status, row.attempts, row.error, row.sent_at) == ("sent", 3, None, later)


def test_with_the_server_down_a_run_stops_after_the_first_failure(backroom, make_mail_server):
    server = make_mail_server(start=False)
    backroom.act(ns.save_smtp_settings, _settings(server))
    ids = [_queue(backroom, subject=f"Message {n}") for n in range(3)]

    report = deliver_outbox(backroom.sessions, now=T0)

    assert (report.failed, report.stopped_early) == (1, True)
    assert [_row(backroom, i).status for i in ids] == ["failed", "queued", "queued"]
    server.start()
    assert deliver_outbox(backroom.sessions, now=T0 + timedelta(minutes=1)).sent == 3
    assert [m["Subject"] for m in server.received] == ["Message 0", "Message 1", "Message 2"]


def test_retry_now_makes_a_failed_message_due_at_once(backroom, make_mail_server):
    server = make_mail_server(start=False)
    backroom.act(ns.save_smtp_settings, _settings(server))
    message_id = _queue(backroom)
    deliver_outbox(backroom.sessions, now=T0)
    assert _row(backroom, message_id).next_attempt_at == T0 + timedelta(minutes=1)

    backroom.act(ns.retry_now, [message_id])

    row = _row(backroom, message_id)
    assert (row.status, row.next_attempt_at, row.attempts) == ("queued", None, 1)
    assert "could not be reached" in row.error  # the last failure is still shown
    server.start()
    assert deliver_outbox(backroom.sessions, now=T0 + timedelta(seconds=5)).sent == 1
    with pytest.raises(DomainError, match="already sent"):
        backroom.act(ns.retry_now, [message_id])


def test_send_now_makes_every_message_still_to_go_due_at_once(backroom, make_mail_server):
    server = make_mail_server(start=False)
    backroom.act(ns.save_smtp_settings, _settings(server))
    failed, waiting = _queue(backroom), _queue(backroom)
    deliver_outbox(backroom.sessions, now=T0)  # both fail: the server is down
    assert _row(backroom, failed).next_attempt_at == T0 + timedelta(minutes=1)
    server.start()
    assert backroom.act(ns.send_all_now) == 2
    assert {_row(backroom, i).next_attempt_at for i in (failed, waiting)} == {None}
    assert deliver_outbox(backroom.sessions, now=T0 + timedelta(seconds=5)).sent == 2
    assert backroom.act(ns.send_all_now) == 0  # the sent ones are left alone


def test_two_senders_at_once_send_each_message_exactly_once(backroom, mail_server):
    backroom.act(ns.save_smtp_settings, _settings(mail_server))
    for n in range(12):
        _queue(backroom, subject=f"Message {n}")
    transport = SmtpTransport(_settings(mail_server), None)
    reports = []

    def run() -> None:
        reports.append(send_due(backroom.sessions, transport))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r.sent for r in reports) == 12
    assert sorted(m["Subject"] for m in mail_server.received) == sorted(
        f"Message {n}" for n in range(12))


def test_a_message_whose_sender_died_mid_send_is_sent_after_its_claim_runs_out(
        backroom, mail_server):
    backroom.act(ns.save_smtp_settings, _settings(mail_server))
    message_id = _queue(backroom)
    with backroom.sessions() as s:
        s.execute(update(OutboxEmail).values(status="sending",
                                             next_attempt_at=T0 + timedelta(minutes=5)))
        s.commit()
    assert deliver_outbox(backroom.sessions, now=T0 + timedelta(minutes=1)).sent == 0
    assert deliver_outbox(backroom.sessions, now=T0 + timedelta(minutes=5)).sent == 1
    assert _row(backroom, message_id).status == "sent"


@PLAIN_AUTH
def test_the_password_goes_to_the_keyring_and_never_into_the_database(
        backroom, memory_keyring, make_mail_server):
    server = make_mail_server(password="Kiln-Fire-2026!")
    settings = _settings(server, username=server.username)
    backroom.act(ns.save_smtp_settings, settings, "Kiln-Fire-2026!")
    _queue(backroom)
    assert deliver_outbox(backroom.sessions, now=T0).sent == 1

    assert memory_keyring.passwords == {(KEYRING_SERVICE, server.username): "Kiln-Fire-2026!"}
    with backroom.sessions() as s:
        values = {row.key: row.value for row in s.scalars(select(Setting))}
    assert values["smtp"]["value"]["username"] == server.username
    assert "Kiln-Fire-2026!" not in repr(values)
    backroom.engine.dispose()
    path = sqlite_path(backroom.config.database_url)
    assert path is not None
    for part in path.parent.glob(path.name + "*"):  # the file and its write-ahead log
        assert b"Kiln-Fire-2026!" not in part.read_bytes()
    con = sqlite3.connect(path)
    try:
        dumped = "\n".join(con.iterdump())
    finally:
        con.close()
    assert "Kiln-Fire-2026!" not in dumped


@PLAIN_AUTH
def test_a_wrong_password_is_named_and_the_message_waits(backroom, make_mail_server):
    server = make_mail_server(password="right-one")
    backroom.act(ns.save_smtp_settings, _settings(server, username=server.username),
                 "wrong-one")
    message_id = _queue(backroom)
    report = deliver_outbox(backroom.sessions, now=T0)
    assert report.failed == 1 and not server.received
    row = _row(backroom, message_id)
    assert row.status == "failed"
    assert row.error.startswith(
        f"The mail server at 127.0.0.1:{server.port} refused the password for "
        f"{server.username}")
    assert "wrong-one" not in row.error


def test_starttls_asked_of_a_server_without_it_is_refused_in_words(backroom, mail_server):
    backroom.act(ns.save_smtp_settings, _settings(mail_server, starttls=True))
    message_id = _queue(backroom)
    deliver_outbox(backroom.sessions, now=T0)
    assert "does not offer STARTTLS" in _row(backroom, message_id).error
    assert not mail_server.received


def test_with_no_system_keyring_saving_a_password_is_refused_and_nothing_saved(backroom):
    keyring.set_keyring(NoKeyring())
    with pytest.raises(DomainError, match="no system keyring"):
        backroom.act(ns.save_smtp_settings,
                     SmtpSettings("smtp.example.com", 587, True, "shop", "shop@example.com"),
                     "secret")
    assert backroom.read(ns.smtp_settings) is None


def test_with_no_system_keyring_the_outbox_says_why_it_cannot_send(backroom, mail_server,
                                                                    memory_keyring):
    backroom.act(ns.save_smtp_settings, _settings(mail_server, username="shop"), "secret")
    message_id = _queue(backroom)
    keyring.set_keyring(NoKeyring())
    deliver_outbox(backroom.sessions, now=T0)
    row = _row(backroom, message_id)
    assert row.status == "failed" and "no system keyring" in row.error
    assert not mail_server.received


def test_nothing_is_sent_or_counted_while_email_is_not_set_up(backroom):
    message_id = _queue(backroom)
    report = deliver_outbox(backroom.sessions, now=T0)
    assert report.problem == ns.NOT_SET_UP
    row = _row(backroom, message_id)
    assert (row.status, row.attempts) == ("queued", 0)
    assert backroom.read(ns.outbox_ready) is False


def test_settings_with_mistakes_are_refused_every_one_named(backroom):
    bad = SmtpSettings("smtp example.com", 0, True, "", "not-an-address", "also bad")
    with pytest.raises(DomainError) as caught:
        backroom.act(ns.save_smtp_settings, bad, "pw")
    text = str(caught.value)
    for words in ("not a server name", "1 to 65535", "Sender address", "your notices",
                  "user name that the password belongs to"):
        assert words in text
    assert backroom.read(ns.smtp_settings) is None


def test_the_test_email_goes_straight_out_and_a_down_server_is_explained(backroom,
                                                                         mail_server):
    said = ns.send_test_email(_settings(mail_server), None, "owner@example.com")
    assert said == f"Sent a test e-mail to owner@example.com through {mail_server.host}:" \
                   f"{mail_server.port}."
    assert mail_server.received[0]["Subject"] == "Backroom test e-mail"
    mail_server.stop()
    with pytest.raises(DomainError, match="could not be reached"):
        ns.send_test_email(_settings(mail_server), None, "owner@example.com")


def test_an_address_that_is_not_one_is_refused_when_queued(backroom):
    with pytest.raises(DomainError, match="is not an e-mail address"), backroom.uow() as uow:
        queue_email(uow.session, to="maker at example", subject="x", body="y")
    assert backroom.read(ns.outbox_summary) == {}


def test_the_outbox_lists_newest_first_and_filters_what_is_unsent(backroom, mail_server):
    from app.services.paging import PageRequest

    backroom.act(ns.save_smtp_settings, _settings(mail_server))
    first = _queue(backroom, subject="First")
    deliver_outbox(backroom.sessions, now=T0)
    second = _queue(backroom, subject="Second")
    page = backroom.read(ns.outbox_page, PageRequest())
    assert [r.id for r in page.rows] == [second, first]
    assert [r.status for r in page.rows] == ["queued", "sent"]
    unsent = PageRequest(filters=(("status", ns.UNSENT),))
    assert [r.subject for r in backroom.read(ns.outbox_page, unsent).rows] == ["Second"]
    assert backroom.read(ns.outbox_count, unsent) == 1
    assert backroom.read(ns.outbox_summary) == {"queued": 1, "sent": 1}
    assert str(OutboxStatus.SENT) == "sent"
