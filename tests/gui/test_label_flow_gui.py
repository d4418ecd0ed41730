"""The label printer at the bench, in the window: awkward text, printers that never read or stop
mid-job, renaming printers and templates while jobs wait, copies, goods in, reopening."""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import zxingcpp
from loopback import Recorder
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select, update

from app.db.models import Location, PrintJob, Product
from app.domain.errors import DomainError
from app.printing.printers import PrinterConfig, PrinterKind
from app.printing.raster import render_image
from app.printing.templates import BarcodeSpec, builtin
from app.printing.zpl import render_zpl
from app.services import label_data, print_jobs, printers
from app.services.print_jobs import PrintSettings
from app.services.printers import Use
from app.ui import printing_actions

TITLE = ("O'Brien's £12 Tüte ^XA~JA _5E\\& " + "speckled stoneware " * 15)[:300]


@pytest.fixture
def port(closed_port: int) -> int:
    """Where the printer will listen once switched on (nothing does yet)."""
    return closed_port


@pytest.fixture
def mute() -> Iterator[str]:
    """A printer that takes the connection (the kernel does) and never reads nor answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Boxes are answered, never shown; the print dialog is told 'this many of each: 1'."""
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a: None)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(printing_actions, "ask",
                        lambda d: (d.by_number.setChecked(True), d.choice())[1])


def zebra(address: str, status: bool = False) -> PrinterConfig:
    return PrinterConfig("Bench Zebra", PrinterKind.ZPL_TCP, address, check_status=status,
                         timeout_s=1)


def set_up(window, printer: PrinterConfig, use: Use | None = None,  # type: ignore[no-untyped-def]
           template: str = "") -> None:
    printers.save_printer(window.backroom, None, printer)
    if use is not None:
        printers.set_printer_use(window.backroom, use, printer.name, template)
    window.print_sender.start_now()


def wait_until(done, ms: int = 8000) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + ms / 1000
    while not done():
        assert time.monotonic() < deadline, "timed out"
        QTest.qWait(20)


def job(window, job_id: int) -> PrintJob:  # type: ignore[no-untyped-def]
    with window.backroom.sessions() as s:
        row = s.get_one(PrintJob, job_id)
        s.expunge(row)
        return row


def settle(window, job_id: int) -> PrintJob:  # type: ignore[no-untyped-def]
    """The job once the sender has done what it will do with it now."""
    wait_until(lambda: job(window, job_id).status not in ("queued", "sending"))
    wait_until(lambda: window.print_sender.send_job is None)
    return job(window, job_id)


def print_products(window, ids: list[int]) -> int:  # type: ignore[no-untyped-def]
    job_id = printing_actions.print_product_labels(window, window.print_sender.backroom,
                                                   window.print_sender, ids)
    assert job_id is not None
    return job_id


def field_texts(zpl: str) -> list[str]:
    """Every field's data as the printer reads it; fails unless the labels are well formed."""
    assert zpl.count("^XA") == zpl.count("^XZ") > 0
    fields = re.findall(r"(\^FH)?\^FD(.*?)\^FS", zpl, re.S)
    assert len(fields) == zpl.count("^FD") == zpl.count("^FS")
    out = []
    for hexed, data in fields:
        assert "^" not in data and "~" not in data and "\n" not in data, data
        raw = data.encode()
        if hexed:
            raw = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes.fromhex(m[1].decode()), raw)
        out.append(raw.decode("utf-8"))
    return out


def block_text(data: str) -> str:
    """A ^FB block's text: '\\&' breaks a line, '\\\\' is one backslash."""
    return re.sub(r"\\(.)", lambda m: " " if m[1] == "&" else m[1], data)


def test_awkward_text_and_an_empty_optional_field_make_well_formed_zpl_that_scans(
        window, recorder):
    set_up(window, zebra(recorder.address), Use.PRODUCT_LABELS)
    printers.set_printer_use(window.backroom, Use.PARCEL_LABELS, "Bench Zebra")
    sku = "MUG_^~\\01"
    with window.backroom.sessions() as s:
        s.execute(update(Product).where(Product.id == 6).values(sku=sku, title=TITLE))
        s.commit()
    job_id = print_products(window, [6])
    assert settle(window, job_id).status == "printed"
    zpl = recorder.wait_for(1)[0].decode("utf-8")
    assert zpl.startswith("^XA") and "^CI28" in zpl
    texts = field_texts(zpl)
    assert block_text(texts[0]) == sku and block_text(texts[1]) == "£21.99"
    title = block_text(texts[2])  # 300 characters: wrapped on two lines, then cut short
    assert title.startswith("O'Brien's £12 Tüte ^XA~JA _5E\\& speckled") and title.endswith("…")
    assert texts[3] == ">:MUG_><>=\\01"  # Code 128: ^ and ~ by their invocation codes
    record = job(window, job_id).data["records"][0]
    image = render_image(builtin("product-50x25"), record).convert("L")
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [sku]

    parcel = printing_actions.print_parcel_label(window, window.print_sender.backroom,
                                                 window.print_sender, 1)
    assert settle(window, parcel).status == "printed"
    record = job(window, parcel).data["records"][0]
    assert record["weight"] == "" and record["sender"] == ""  # not booked, no return address
    texts = field_texts(recorder.wait_for(2)[1].decode("utf-8"))
    assert "" not in texts and len(texts) == sum(1 for v in record.values() if v)


def test_a_qr_code_in_zpl_says_exactly_what_the_raster_qr_code_says():
    ticket = builtin("job-ticket-100x75")
    box = ticket.barcode
    qr_sku = replace(ticket, name="SKU QR", barcode=BarcodeSpec(
        "sku", "qr", box.x_mm, box.y_mm, box.width_mm, box.height_mm))
    value = "Zoë\\01"
    data = {**{k: "x" for k in qr_sku.keys}, "sku": value}
    image = render_image(qr_sku, data).convert("L")
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [value]
    qr = [t for t in field_texts(render_zpl(qr_sku, data).decode()) if t[1:3] == "M,"]
    assert qr == [f"MM,B{len(value.encode()):04d}{value}"]


def test_a_zebra_that_takes_the_connection_and_never_answers_leaves_the_job_waiting(
        window, mute):
    set_up(window, zebra(mute, status=True), Use.BIN_LABELS)
    with window.backroom.sessions() as s:
        bins = list(s.scalars(select(Location.id).order_by(Location.id).limit(3)))
    ticks: list[int] = []
    clock = QTimer(window, interval=20)
    clock.timeout.connect(lambda: ticks.append(1))
    clock.start()
    job_id = printing_actions.print_bin_labels(window, window.print_sender.backroom,
                                               window.print_sender, bins)
    waiting = settle(window, job_id)
    clock.stop()
    assert len(ticks) >= 20  # the window went on working through the 1 s wait
    assert waiting.status == "waiting" and waiting.attempts == 1
    assert "did not answer a status request within 1 s" in waiting.error
    assert waiting.next_attempt_at is not None  # tried again by itself, later
    assert window.print_sender.button.text().startswith(
        f"3 labels waiting: the printer at {mute} took the connection")


def test_a_printer_that_never_reads_a_byte_is_not_said_to_have_printed(window, mute):
    set_up(window, zebra(mute), Use.PRODUCT_LABELS)  # no status check (or a Brother QL)
    job_id = print_products(window, [1])
    assert settle(window, job_id).status in ("may_have_printed", "waiting")


def test_300_products_on_a_usb_zebra_that_stops_mid_job_then_reprinted_elsewhere(
        window, recorder, tmp_path):
    with window.backroom.sessions() as s:
        s.add_all(Product(sku=f"EXTRA-{i:03d}", title=f"Extra mug {i}", title_key=f"extra {i}",
                          price_minor=900) for i in range(100))
        s.commit()
        ids = list(s.scalars(select(Product.id).order_by(Product.id)))
    assert len(ids) == 300
    pipe = tmp_path / "lp0"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # the printer, taking nothing more
    try:
        set_up(window, zebra(recorder.address))
        set_up(window, PrinterConfig("USB Zebra", PrinterKind.ZPL_DEVICE, str(pipe),
                                     timeout_s=0.5), Use.PRODUCT_LABELS)
        job_id = print_products(window, ids)
        stuck = settle(window, job_id)
        assert stuck.status == "may_have_printed"
        assert "may have printed: look before printing it again" in stuck.error
        assert window.print_sender.button.text() == "1 job may have printed"
        while os.read(reader, 1 << 20):  # what reached the printer before it stopped
            pass
        assert window.print_sender.send_soon() is None  # never sent again by itself
        assert os.read(reader, 1) == b""
    finally:
        os.close(reader)
    queue = window.print_sender.show_queue()
    queue.select_job(job_id)
    assert "300 labels" in queue.detail.text() and "and 297 more" in queue.detail.text()
    again = queue.reprint_selected("Bench Zebra")
    assert settle(window, again).status == "printed"
    assert job(window, job_id).status == "cancelled"
    zpl = recorder.wait_for(1)[0].decode("utf-8")
    assert zpl.count("^XA") == 300 and len(field_texts(zpl)) == 300 * 4
    assert len(recorder.received) == 1


def test_copies_at_the_edges(window, qtbot, recorder):
    set_up(window, zebra(recorder.address), Use.PRODUCT_LABELS)
    dialog = printing_actions.PrintLabelsDialog(window.backroom, Use.PRODUCT_LABELS, "Labels")
    qtbot.addWidget(dialog)
    dialog.number.setValue(0)
    assert dialog.choice().copies == 1  # the box will not go below one
    records = window.backroom.read(label_data.product_labels, [1], 1)
    queue = lambda n: window.backroom.act(  # noqa: E731
        print_jobs.queue_labels, "Bench Zebra", "product-50x25", records, n,
        data_dir=window.backroom.config.data_dir)
    with pytest.raises(DomainError, match="0 is not a number of copies; print at least one"):
        queue(0)
    job_id = queue(1000)
    window.print_sender.queued()
    assert settle(window, job_id).data["labels"] == 1000
    zpl = recorder.wait_for(1)[0].decode("utf-8")
    assert zpl.count("^XA") == 1 and "^PQ1000\n" in zpl  # the Zebra makes the copies


def waiting_job(window, port: int, template: str = "") -> int:  # type: ignore[no-untyped-def]
    set_up(window, zebra(f"127.0.0.1:{port}"), Use.PRODUCT_LABELS, template)  # it is off
    job_id = print_products(window, [1, 2])
    assert settle(window, job_id).status == "waiting"
    return job_id


def rename_printer(window, address: str) -> None:  # type: ignore[no-untyped-def]
    dialog = window.print_sender.show_printers()
    editor = dialog.open_editor(dialog.selected())
    editor.name.setText("Zebra by the door")
    editor.address.setText(address)
    assert editor.save()
    dialog._changed()  # what the dialog does once its editor is saved


def retry(window, job_id: int):  # type: ignore[no-untyped-def]
    queue = window.print_sender.show_queue()
    queue.select_job(job_id)
    assert queue.retry_selected() == 1
    return queue


def test_a_printer_renamed_while_a_job_waits_takes_it_along_and_prints_it_once(
        window, port, recorder):
    job_id = waiting_job(window, port)
    rename_printer(window, recorder.address)
    assert job(window, job_id).printer == "Zebra by the door"
    assert settle(window, job_id).status == "printed"  # its address put right: it goes
    assert len(recorder.wait_for(1)) == 1 and recorder.received[0].count(b"^XA") == 2
    window.print_sender.send_soon()
    wait_until(lambda: window.print_sender.send_job is None)
    assert len(recorder.received) == 1  # once, not twice


def test_fixing_the_printers_address_sends_what_waited_for_it(window, port, recorder):
    job_id = waiting_job(window, port)
    rename_printer(window, recorder.address)
    wait_until(lambda: window.print_sender.send_job is None)
    assert job(window, job_id).status == "printed"


def test_a_job_that_may_have_printed_follows_its_renamed_printer(window, port, recorder):
    job_id = waiting_job(window, port)
    with window.backroom.sessions() as s:  # Backroom stopped while sending it
        s.execute(update(PrintJob).where(PrintJob.id == job_id).values(status="sending"))
        s.commit()
    window.print_sender.start_now()
    assert job(window, job_id).status == "may_have_printed"
    rename_printer(window, recorder.address)
    retry(window, job_id)  # the person looked: it did not print
    wait_until(lambda: window.print_sender.send_job is None)
    assert job(window, job_id).status == "printed"


def job_on_own_template(window, port: int):  # type: ignore[no-untyped-def]
    """A job waiting (the printer is off) on a template of the workshop's own, open in
    Settings > Label templates."""
    own = replace(builtin("product-50x25"), name="Shelf label")
    key = printers.save_template(window.backroom, own)
    job_id = waiting_job(window, port, key)
    dialog = window.print_sender.show_templates()
    dialog.select(key)
    return job_id, dialog


def test_a_template_renamed_while_a_job_waits_still_prints_it(window, port):
    job_id, dialog = job_on_own_template(window, port)
    dialog.editor.name.setText("Shelf label 50 x 25")
    assert dialog.save() == "shelf-label-50-x-25"
    back = Recorder(port)  # the printer is switched on again
    try:
        retry(window, job_id)
        done = settle(window, job_id)
        assert (done.status, done.error) == ("printed", None)
    finally:
        back.stop()


def test_a_template_a_job_waits_on_is_kept_until_the_job_is_done_with(window, port,
                                                                      monkeypatch):
    job_id, dialog = job_on_own_template(window, port)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: said.append(text))
    assert not dialog.delete()  # a waiting job would be left with nothing to print
    assert said == ["1 print job still waits to print with this template; print or cancel "
                    "it first (View > Print queue…), then remove it."]
    queue = window.print_sender.show_queue()
    queue.select_job(job_id)
    assert queue.cancel_selected() == 1
    assert dialog.delete()  # nothing waits on it now


def book_goods(window, recorder, automatic: bool):  # type: ignore[no-untyped-def]
    window.backroom.act(print_jobs.save_print_settings, PrintSettings(automatic))
    set_up(window, zebra(recorder.address), Use.PRODUCT_LABELS)
    dialog = window.show_stock_room("goods_in")
    dialog.ask = lambda question: True  # book the goods that came without an order
    dialog.scan_box.setText("MUG-0001 x 2")
    dialog.add_scan()
    assert dialog.book() is not None
    return dialog


def test_print_labels_for_these_in_goods_in_prints_at_once(window, recorder):
    dialog = book_goods(window, recorder, automatic=False)
    QTest.qWait(100)  # the booking's own poke of the sender comes and goes
    wait_until(lambda: window.print_sender.send_job is None)
    dialog.print_button.click()
    assert dialog.message.text().startswith("2 labels queued")
    assert len(recorder.wait_for(1, timeout=3)) == 1


def test_goods_in_does_not_offer_the_labels_it_has_just_printed_by_itself(window, recorder):
    dialog = book_goods(window, recorder, automatic=True)
    assert "Labels queued (print job" in dialog.message.text()
    assert dialog.print_button.isHidden()


def test_the_queue_is_still_there_after_closing_and_reopening_the_window(window, qtbot, port):
    from app.ui.main_window import MainWindow

    job_id = waiting_job(window, port)
    window.close()
    again = MainWindow(window.backroom)
    qtbot.addWidget(again)
    again.show()
    again.print_sender.start_now()
    wait_until(lambda: again.print_sender.send_job is None)
    assert again.print_sender.button.text().startswith(
        f"2 labels waiting: the printer at 127.0.0.1:{port} refused")
    back = Recorder(port)  # switched on again
    try:
        queue = retry(again, job_id)
        assert [r.id for r in queue.rows] == [job_id]
        assert settle(again, job_id).status == "printed"
        assert len(back.wait_for(1)) == 1
    finally:
        back.stop()
        again.close()
