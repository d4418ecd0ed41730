"""Settings > Channels, Sync now, Preview, the sync log and the background scheduler, against
a Shopify shop played by a loopback pytest-httpserver with Shopify's own JSON shapes."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from werkzeug import Request, Response

from app.channels.http import HttpOptions
from app.db.models import Channel, Order, SyncRun
from app.domain.access import Role, Viewer
from app.services import channels
from app.services.channels import ChannelSetup
from app.ui.dialogs.channels import KEPT, ChannelEditor
from app.ui.main_window import MainWindow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "api"
API = "/admin/api/2025-10"
TOKEN = "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"


def fast_options(cancelled, sleep) -> HttpOptions:  # type: ignore[no-untyped-def]
    """No real waits: one retry, no back-off."""
    return HttpOptions(cancelled=cancelled, sleep=lambda _s: None, jitter=lambda: 1.0,
                       backoff=0.0, max_attempts=2, timeout=5.0)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def shopify_orders(first: int, n: int) -> list[dict[str, Any]]:
    """The sample order renumbered: #first … #first+n-1, each with its own id."""
    base = load("shopify_order.json")
    made = []
    for number in range(first, first + n):
        order = copy.deepcopy(base)
        order["id"] = 450789469 + number
        order["name"] = f"#{number}"
        order["order_number"] = number
        made.append(order)
    return made


def serve_pages(httpserver: HTTPServer, pages: list[bytes], delay: float = 0.0) -> None:
    """orders.json page by page (Link rel="next" with page_info), each page already JSON."""
    def answer(request: Request) -> Response:
        index = int(request.args.get("page_info", "0"))
        headers = {}
        if index + 1 < len(pages):
            link = httpserver.url_for(f"{API}/orders.json?limit=250&page_info={index + 1}")
            headers["Link"] = f'<{link}>; rel="next"'
        if delay:
            time.sleep(delay)
        return Response(pages[index], headers=headers, content_type="application/json")

    httpserver.expect_request(f"{API}/orders.json").respond_with_handler(answer)


def page(orders: list[dict[str, Any]]) -> bytes:
    return json.dumps({"orders": orders}).encode()


def count(backroom, model=Order) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def add_shop(backroom, httpserver: HTTPServer, name: str = "Ana's Shopify") -> int:  # type: ignore[no-untyped-def]
    return backroom.act(channels.save_channel, None, ChannelSetup(
        name=name, kind="shopify", api=True, currency="USD",
        settings={"shop_domain": "ana-engraving.myshopify.com", "location_id": "24826418",
                  "base_url": httpserver.url_for("").rstrip("/")},
        secrets={"access_token": TOKEN}))


@pytest.fixture
def scheduler(window):  # type: ignore[no-untyped-def]
    window.sync_scheduler.http_options = fast_options
    return window.sync_scheduler


@pytest.fixture
def dialog(scheduler, qtbot):  # type: ignore[no-untyped-def]
    shown = scheduler.show_channels()
    yield shown
    shown.close()


def row_of(dialog, channel_id: int) -> int:  # type: ignore[no-untyped-def]
    return [v.id for v in dialog.views].index(channel_id)


def cell(dialog, channel_id: int, column: str) -> str:  # type: ignore[no-untyped-def]
    from app.ui.dialogs.channels import COLUMNS

    return dialog.table.item(row_of(dialog, channel_id), COLUMNS.index(column)).text()


# --- setting channels up --------------------------------------------------------------------


def test_adding_a_shopify_channel_stores_its_settings_and_puts_the_token_in_the_keyring(
        qtbot, window, dialog, gui_backroom, memory_keyring, monkeypatch):
    def fill(editor: ChannelEditor) -> int:
        editor.name.setText("Ana's Shopify")
        editor.choose_kind("shopify", True)
        editor.currency.setText("usd")
        editor.interval.setValue(10)
        editor.buffer.setValue(2)
        editor.percent.setValue(80)
        editor.fields["access_token"].setText(TOKEN)
        editor.fields["shop_domain"].setText("ana-engraving.myshopify.com")
        assert editor.fields["access_token"].echoMode() == QLineEdit.EchoMode.Password
        assert editor.save()
        return 1

    monkeypatch.setattr(ChannelEditor, "exec", fill)
    channel_id = dialog.add()
    assert channel_id is not None
    with gui_backroom.sessions() as s:
        stored = s.get_one(Channel, channel_id)
        assert (stored.kind, stored.currency, stored.sync_interval_minutes,
                stored.stock_buffer) == ("shopify", "USD", 10, 2)
        assert stored.settings["shop_domain"] == "ana-engraving.myshopify.com"
        assert stored.settings["percent_shown"] == 80
        assert TOKEN not in json.dumps(stored.settings)
    assert list(memory_keyring.passwords.values()) == [TOKEN]
    assert dialog.selected().id == channel_id
    assert cell(dialog, channel_id, "Status") == "Never synced"
    assert cell(dialog, channel_id, "Kind") == "Shopify API"
    assert cell(dialog, channel_id, "Next sync") == "Soon"

    editor = ChannelEditor(dialog._backroom, window.ops, channel_id, dialog)
    qtbot.addWidget(editor)
    token = editor.fields["access_token"]
    assert token.text() == "" and token.placeholderText() == KEPT
    editor.buffer.setValue(3)
    assert editor.save()  # the empty token field keeps the kept token
    assert list(memory_keyring.passwords.values()) == [TOKEN]
    assert gui_backroom.read(channels.channel_form, channel_id).secrets_kept == {"access_token"}


def test_a_form_with_problems_lists_every_one_and_saves_nothing(qtbot, window, gui_backroom,
                                                                memory_keyring):
    before = count(gui_backroom, Channel)
    editor = ChannelEditor(lambda: gui_backroom, window.ops)
    qtbot.addWidget(editor)
    editor.show()
    editor.choose_kind("shopify", True)
    editor.name.setText(" ")
    editor.currency.setText("pounds")
    editor.fields["shop_domain"].setText("not a domain!")
    assert not editor.save()
    shown = editor.error.text()
    assert editor.error.isVisible()
    for words in ("Give the channel a name", "three-letter code",
                  "Enter the client ID and client secret", "Shop domain 'not a domain!' does not "
                  "look right"):
        assert words in shown
    assert count(gui_backroom, Channel) == before
    assert memory_keyring.passwords == {}


def test_a_file_channel_asks_for_a_watch_folder_not_credentials(qtbot, window, gui_backroom,
                                                                tmp_path):
    editor = ChannelEditor(lambda: gui_backroom, window.ops)
    qtbot.addWidget(editor)
    editor.show()
    editor.choose_kind("etsy", False)
    assert editor.connection.isHidden() and not editor.folder_box.isHidden()
    editor.name.setText("Etsy two")
    editor.watch_folder.setText(str(tmp_path))
    assert editor.save()
    (view,) = [v for v in gui_backroom.read(channels.channel_list) if v.name == "Etsy two"]
    assert (view.api, view.kind, view.watch_folder) == (False, "etsy", str(tmp_path))


def test_switching_off_and_removing_a_channel(qtbot, dialog, gui_backroom, httpserver,
                                              monkeypatch):
    channel_id = add_shop(gui_backroom, httpserver)
    dialog.reload()
    dialog.select(channel_id)
    assert dialog.toggle_active()
    assert cell(dialog, channel_id, "Next sync") == "Switched off"
    assert not dialog.sync_button.isEnabled() and dialog.active_button.text() == "Switch on"
    assert dialog.toggle_active()
    assert dialog.selected().active
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    assert dialog.remove()
    assert channel_id not in [v.id for v in dialog.views]
    etsy = next(v for v in dialog.views if v.name == "Etsy shop")  # a demo channel with orders
    dialog.select(etsy.id)
    assert not dialog.remove()
    assert "switch it off instead" in told[-1]


def test_test_connection_asks_the_shop_off_the_gui_thread(qtbot, window, gui_backroom,
                                                          httpserver):
    httpserver.expect_request(f"{API}/shop.json").respond_with_json(
        {"shop": {"name": "Ana's Engraving", "myshopify_domain": "ana-engraving.myshopify.com",
                  "currency": "USD"}})
    channel_id = add_shop(gui_backroom, httpserver)
    editor = ChannelEditor(lambda: gui_backroom, window.ops, channel_id, options=fast_options)
    qtbot.addWidget(editor)
    job = editor.test_connection()  # token kept: the saved channel is asked
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert "Connected to Ana's Engraving" in editor.test_result.text()
    editor.fields["access_token"].setText("short")
    assert editor.test_connection() is None  # a typed token is checked first
    assert "does not look right" in editor.test_result.text()


# --- syncing --------------------------------------------------------------------------------


def test_sync_now_takes_the_orders_in_lights_ok_and_the_log_lists_the_run(
        qtbot, window, scheduler, dialog, gui_backroom, httpserver):
    channel_id = add_shop(gui_backroom, httpserver)
    serve_pages(httpserver, [page(shopify_orders(5001, 3))])
    before = count(gui_backroom)
    dialog.reload()
    dialog.select(channel_id)
    heard = []
    window.changed.connect(heard.append)
    with qtbot.waitSignal(scheduler.synced, timeout=20_000) as done:
        job = dialog.sync_button.click() or scheduler.job_of(channel_id)
        assert job is not None and window.job_label.isVisible()
        assert scheduler.sync_now(channel_id, "again") is None  # never twice at once
    report = done.args[1]
    assert (report.status.value, report.created) == ("succeeded", 3), report.summary()
    assert count(gui_backroom) == before + 3
    assert heard and heard[-1].touches("orders")
    assert "3 created" in window.statusBar().currentMessage()
    assert cell(dialog, channel_id, "Status") == "OK"
    assert cell(dialog, channel_id, "New") == "3"
    assert dialog.sync_button.isEnabled() and not dialog.stop_button.isEnabled()

    dialog.show_log()
    log = scheduler.log_dialog
    assert log is not None and log.channel.currentData() == channel_id
    assert [(r.channel, r.status, r.created) for r in log.runs] == [
        ("Ana's Shopify", "succeeded", 3)]
    assert log.run_table.item(0, 2).text() == "OK"
    log.close()


def test_the_log_shows_the_raw_payload_of_an_order_that_failed(qtbot, scheduler, gui_backroom,
                                                               httpserver):
    channel_id = add_shop(gui_backroom, httpserver)
    broken = {**shopify_orders(6001, 1)[0], "created_at": "soon"}
    serve_pages(httpserver, [page([*shopify_orders(6002, 1), broken])])
    with qtbot.waitSignal(scheduler.synced, timeout=20_000) as done:
        scheduler.sync_now(channel_id, "Ana's Shopify")
    assert done.args[1].status.value == "partial"
    log = scheduler.show_log(channel_id)
    log.run_table.selectRow(0)
    assert [i.ref for i in log.items] == ["#6001"]
    assert "could not be read" in log.item_table.item(0, 2).text()
    shown = log.payload.toPlainText()
    assert '"created_at": "soon"' in shown and log.payload.isReadOnly()
    log.close()


def test_a_shop_answering_500_shows_failed_with_the_error_in_words(
        qtbot, scheduler, dialog, gui_backroom, httpserver):
    channel_id = add_shop(gui_backroom, httpserver)
    httpserver.expect_request(f"{API}/orders.json").respond_with_data("oops", status=500)
    dialog.reload()
    dialog.select(channel_id)
    with qtbot.waitSignal(scheduler.synced, timeout=20_000) as done:
        dialog.sync_now()
    report = done.args[1]
    assert report.status.value == "failed"
    assert cell(dialog, channel_id, "Status") == "Failed"
    error = cell(dialog, channel_id, "Last error")
    assert "Shopify" in error and "500" in error
    assert "Traceback" not in error and TOKEN not in error
    assert "Shopify" in dialog.detail.text()
    assert count(gui_backroom, SyncRun) == 1


def test_a_refused_token_lights_refused_and_the_scheduler_leaves_the_channel_alone(
        qtbot, scheduler, dialog, gui_backroom, httpserver):
    channel_id = add_shop(gui_backroom, httpserver)
    httpserver.expect_request(f"{API}/orders.json").respond_with_json(
        {"errors": "[API] Invalid API key or access token (unrecognized login or wrong "
                   "password)"}, status=401)
    dialog.reload()
    dialog.select(channel_id)
    with qtbot.waitSignal(scheduler.synced, timeout=20_000) as done:
        dialog.sync_now()
    assert done.args[1].status.value == "refused"
    assert cell(dialog, channel_id, "Status") == "Refused"
    assert cell(dialog, channel_id, "Next sync") == "When its key is changed"
    assert "Settings > Channels" in cell(dialog, channel_id, "Last error")
    assert TOKEN not in cell(dialog, channel_id, "Last error")
    assert [j.label for j in scheduler.check() if "Ana" in j.label] == []


def test_a_channel_that_cannot_start_says_why_and_waits_its_interval(
        qtbot, scheduler, dialog, gui_backroom, httpserver, memory_keyring):
    channel_id = add_shop(gui_backroom, httpserver)
    memory_keyring.passwords.clear()  # the token is gone from the keyring
    with qtbot.waitSignal(scheduler.failed, timeout=10_000) as told:
        scheduler.sync_now(channel_id, "Ana's Shopify")
    assert "not fully set up" in told.args[1]
    dialog.reload()
    assert "not fully set up" in cell(dialog, channel_id, "Last error")
    assert scheduler.check() == []  # not again every 30 s


def test_a_preview_writes_nothing_and_shows_what_it_would_do(qtbot, scheduler, dialog,
                                                             gui_backroom, httpserver):
    channel_id = add_shop(gui_backroom, httpserver)
    serve_pages(httpserver, [page(shopify_orders(7001, 2))])
    before = (count(gui_backroom), count(gui_backroom, SyncRun))
    dialog.reload()
    dialog.select(channel_id)
    with qtbot.waitSignal(scheduler.synced, timeout=20_000) as done:
        dialog.preview_button.click()
    assert done.args[1].preview and done.args[1].created == 2
    assert (count(gui_backroom), count(gui_backroom, SyncRun)) == before
    with gui_backroom.sessions() as s:
        assert s.get_one(Channel, channel_id).sync_cursor is None
    shown = scheduler.preview_dialog
    assert shown is not None and shown.isVisible()
    assert "Preview — nothing was changed" in shown.windowTitle()
    assert shown.count_labels["Would create"].text() == "2"
    assert cell(dialog, channel_id, "Status") == "Never synced"  # a preview is no sync
    shown.close()


def test_cancel_stops_a_running_sync(qtbot, window, scheduler, dialog, gui_backroom,
                                     httpserver):
    channel_id = add_shop(gui_backroom, httpserver)
    pages = [page(shopify_orders(8000 + 10 * i, 10)) for i in range(20)]
    serve_pages(httpserver, pages, delay=0.2)
    before = count(gui_backroom)
    dialog.reload()
    dialog.select(channel_id)
    job = dialog.sync_now()
    assert job is not None
    qtbot.waitUntil(lambda: dialog.stop_button.isEnabled(), timeout=2000)
    with qtbot.waitSignal(job.progress, timeout=10_000):
        pass
    assert "orders" in window.job_label.text()
    with qtbot.waitSignal(scheduler.synced, timeout=10_000) as done:
        dialog.stop_button.click()
    report = done.args[1]
    assert report.cancelled and "cancelled" in report.error
    assert 0 < count(gui_backroom) - before < 200
    assert "cancelled" in window.statusBar().currentMessage()
    assert not scheduler.is_running(channel_id)


# --- the background scheduler ---------------------------------------------------------------


def test_the_scheduler_syncs_due_channels_once_each_and_skips_the_rest(
        qtbot, scheduler, gui_backroom, httpserver):
    shop = add_shop(gui_backroom, httpserver)
    off = add_shop(gui_backroom, httpserver, name="Paused shop")
    gui_backroom.act(channels.set_channel_active, off, False)
    serve_pages(httpserver, [page(shopify_orders(9001, 1))])
    jobs = scheduler.check()  # the demo's file channels and the one switched off wait
    assert [j.label for j in jobs] == ["Syncing Ana's Shopify"]
    assert scheduler.check() == []  # the same channel is never synced twice at once
    with qtbot.waitSignal(scheduler.synced, timeout=20_000):
        pass
    assert scheduler.check() == []  # next one in 15 minutes
    (view,) = [v for v in gui_backroom.read(channels.channel_list) if v.id == shop]
    assert view.light.value == "ok" and view.next_sync() is not None


def test_the_scheduler_ticks_every_30_seconds_once_started(window):
    scheduler = window.sync_scheduler
    assert not scheduler.timer.isActive()  # only once the window's background checks start
    scheduler.start()
    assert scheduler.timer.isActive() and scheduler.timer.interval() == 30_000
    window.close()
    assert not scheduler.timer.isActive()


def test_channels_are_for_the_owner_and_the_sync_log_for_everyone(qtbot, gui_backroom):
    gui_backroom.sign_in(Viewer(None, "pat", "Pat", Role.STAFF))
    staff_window = MainWindow(gui_backroom)
    qtbot.addWidget(staff_window)
    assert not staff_window.channels_action.isEnabled()
    assert staff_window.channels_action.toolTip() == "Only the owner changes settings"
    assert staff_window.sync_log_action.isEnabled()
    staff_window.sync_log_action.trigger()
    log = staff_window.sync_scheduler.log_dialog
    assert log is not None and log.isVisible() and log.runs == ()
    log.close()


def test_the_settings_menu_opens_channels(window):
    assert window.channels_action.isEnabled()
    window.channels_action.trigger()
    shown = window.sync_scheduler.channels_dialog
    assert shown is not None and shown.isVisible()
    assert {v.name for v in shown.views} >= {"Etsy shop", "Shopify store"}
    shown.close()


def test_a_watch_folder_is_read_in_the_background_and_its_file_filed(qtbot, scheduler,
                                                                     gui_backroom, tmp_path):
    import os
    import shutil
    import time
    from pathlib import Path

    from sqlalchemy import func, select

    from app.db.models import Order

    folder = tmp_path / "drop"
    folder.mkdir()
    gui_backroom.act(channels.save_channel, None, channels.ChannelSetup(
        name="eBay UK", kind="ebay", api=False, currency="GBP", watch_folder=str(folder)))
    files = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "files"
    shutil.copy(files / "ebay_uk_orders_report.csv", folder / "report.csv")
    old = time.time() - 60
    os.utime(folder / "report.csv", (old, old))
    with gui_backroom.sessions() as s:
        before = s.scalar(select(func.count(Order.id)))
    scheduler.check()
    assert scheduler.watch_job is not None
    qtbot.waitUntil(lambda: scheduler.watch_job is None, timeout=10_000)
    assert (folder / "imported" / "report.csv").exists()
    with gui_backroom.sessions() as s:
        assert s.scalar(select(func.count(Order.id))) > before
