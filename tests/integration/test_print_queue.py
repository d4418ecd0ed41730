"""The print queue against stand-in printers: a job is checked before it is queued, sent with
exactly the rendered bytes, waits and is retried when the printer cannot take it, and is never
sent twice by itself when it may have printed. The clock is injected; nothing sleeps."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.bootstrap import open_backroom
from app.config import load_config
from app.db.models import Notification, PrintJob, SupplierTask
from app.domain.access import Role, Viewer
from app.domain.errors import DomainError
from app.printing.errors import TemplateError
from app.printing.printers import PrinterConfig, PrinterKind, render_for, render_labels_for
from app.printing.templates import builtin, sample_data
from app.services import history, print_jobs, printers
from app.services.print_jobs import INTERRUPTED, PrintSettings

from .printing.conftest import LoopbackPrinter, read_all

PRODUCT = builtin("product-50x25")
NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def label(sku: str, **changes: str) -> dict[str, str]:
    return {**sample_data(PRODUCT), "sku": sku, **changes}


@pytest.fixture
def recorder() -> Iterator[LoopbackPrinter]:
    """A port-9100 printer on loopback that keeps every job it is sent."""
    printer = LoopbackPrinter(read_all)
    yield printer
    printer.stop()


@pytest.fixture
def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def zebra(address: str, name: str = "Bench Zebra", **kw) -> PrinterConfig:  # type: ignore[no-untyped-def]
    return PrinterConfig(name, PrinterKind.ZPL_TCP, address, check_status=False,
                         timeout_s=1.0, **kw)


@pytest.fixture
def setup(backroom) -> Callable[[PrinterConfig], PrinterConfig]:  # type: ignore[no-untyped-def]
    def add(printer: PrinterConfig) -> PrinterConfig:
        return printers.save_printer(backroom, None, printer)

    return add


def queue(backroom, printer: str, records, **kw) -> int:  # type: ignore[no-untyped-def]
    return backroom.act(print_jobs.queue_labels, printer, "product-50x25", records,
                        data_dir=backroom.config.data_dir, **kw)


def send(backroom, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return print_jobs.send_next(backroom, lambda: printers.printer_list(backroom), now=now)


def job(backroom, job_id: int) -> PrintJob:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        row = s.get_one(PrintJob, job_id)
        s.expunge(row)
        return row


def job_count(backroom) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return int(s.scalar(select(func.count(PrintJob.id))) or 0)


def test_a_queued_job_is_sent_and_the_printer_receives_exactly_the_rendered_zpl(
        backroom, setup, recorder):
    config = setup(zebra(recorder.address))
    records = [label("MUG-1"), label("MUG-2")]
    job_id = queue(backroom, config.name, records)
    assert job(backroom, job_id).status == "queued" and recorder.received == []
    result = send(backroom)
    assert result == print_jobs.SendResult(job_id, config.name, "printed", 2)
    assert recorder.wait_for(1) == [render_labels_for(config, PRODUCT, records)]
    done = job(backroom, job_id)
    assert (done.status, done.attempts, done.error) == ("printed", 1, None)
    with backroom.sessions() as s:
        steps = [(h.from_status, h.to_status) for h in history.history(s, "print_job", job_id)]
    assert steps == [(None, "queued"), ("queued", "sending"), ("sending", "printed")]
    assert send(backroom) is None  # nothing more to do


def test_copies_of_one_label_are_made_by_the_zebra_itself(backroom, setup, recorder):
    config = setup(zebra(recorder.address))
    queue(backroom, config.name, [label("MUG-1")], copies=3)
    assert send(backroom).labels == 3
    payload = recorder.wait_for(1)[0]
    assert payload == render_for(config, PRODUCT, label("MUG-1"), copies=3)
    assert b"^PQ3" in payload


def test_a_refusing_printer_leaves_the_job_waiting_with_its_next_try_per_back_off(
        backroom, setup, closed_port):
    config = setup(zebra(f"127.0.0.1:{closed_port}"))
    job_id = queue(backroom, config.name, [label("MUG-1")])
    result = send(backroom)
    assert result.status == "waiting" and result.next_attempt_at == NOW + timedelta(seconds=15)
    waiting = job(backroom, job_id)
    assert waiting.error.startswith(f"The printer at 127.0.0.1:{closed_port} refused the "
                                    "connection")
    assert (waiting.attempts, waiting.next_attempt_at) == (1, NOW + timedelta(seconds=15))
    assert send(backroom, NOW + timedelta(seconds=14)) is None  # not its turn yet
    again = send(backroom, NOW + timedelta(seconds=15))
    assert again.status == "waiting"
    assert again.next_attempt_at == NOW + timedelta(seconds=15 + 30)  # twice as long
    assert job(backroom, job_id).attempts == 2
    row = backroom.read(print_jobs.job_list)[0]
    assert (row.status, row.status_label, row.labels, row.summary) == (
        "waiting", "Waiting", 1, "MUG-1")


def test_when_the_printer_is_back_what_waited_for_it_goes_at_once(
        backroom, setup, recorder, closed_port):
    setup(zebra(f"127.0.0.1:{closed_port}"))
    first = queue(backroom, "Bench Zebra", [label("MUG-1")])
    send(backroom)  # refused: waits 15 s
    printers.save_printer(backroom, "Bench Zebra", zebra(recorder.address))  # put right
    assert job(backroom, first).next_attempt_at is None  # what waited for it is due at once
    later = queue(backroom, "Bench Zebra", [label("MUG-2")])
    soon = NOW + timedelta(seconds=1)
    assert send(backroom, soon).job_id == first
    assert send(backroom, soon).job_id == later
    assert recorder.wait_for(2) == [render_labels_for(printers.printer_list(backroom)[0],
                                                      PRODUCT, [label(sku)])
                                    for sku in ("MUG-1", "MUG-2")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_printer_that_hangs_mid_job_may_have_printed_and_is_not_sent_again(
        backroom, setup, tmp_path):
    pipe = tmp_path / "lp0"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # the printer, taking nothing more
    try:
        config = setup(PrinterConfig("USB Zebra", PrinterKind.ZPL_DEVICE, str(pipe),
                                     timeout_s=0.2))
        records = [label(f"MUG-{i:04d}") for i in range(1000)]  # more than a pipe holds
        job_id = queue(backroom, config.name, records)
        result = send(backroom)
    finally:
        os.close(reader)
    assert result.status == "may_have_printed" and result.next_attempt_at is None
    stuck = job(backroom, job_id)
    assert stuck.status == "may_have_printed" and stuck.next_attempt_at is None
    assert "the label may have printed: look before printing it again" in stuck.error
    assert send(backroom, NOW + timedelta(days=1)) is None  # never retried by itself
    assert backroom.act(print_jobs.retry_now, [job_id]) == 1  # a person decides
    again = job(backroom, job_id)
    assert (again.status, again.attempts, again.error) == ("queued", 0, None)


def test_reprinting_a_job_that_may_have_printed_settles_it(backroom, setup, recorder):
    config = setup(zebra(recorder.address))
    job_id = queue(backroom, config.name, [label("MUG-1")])
    with backroom.sessions() as s:
        s.execute(update(PrintJob).values(status="may_have_printed", error=INTERRUPTED))
        s.commit()
    copy = backroom.act(print_jobs.reprint, job_id, data_dir=backroom.config.data_dir)
    assert job(backroom, job_id).status == "cancelled"
    with backroom.sessions() as s:
        assert history.history(s, "print_job", job_id)[-1].note == f"reprinted as job {copy}"
    assert send(backroom).job_id == copy


def test_a_job_caught_sending_when_backroom_stopped_may_have_printed(
        backroom, setup, recorder, monkeypatch):
    config = setup(zebra(recorder.address))
    job_id = queue(backroom, config.name, [label("MUG-1")])

    class Killed:
        def send(self, payload: bytes) -> None:
            raise KeyboardInterrupt  # the program ends mid-send

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(print_jobs, "transport_for", lambda printer: Killed())
        send(backroom)
    backroom.close()
    restarted = open_backroom(load_config())
    assert restarted.config.data_dir == backroom.config.data_dir
    try:
        assert job(restarted, job_id).status == "sending"  # as it was left
        assert restarted.act(print_jobs.recover_interrupted, ["Label Zebra upstairs"]) == 0
        assert restarted.act(print_jobs.recover_interrupted, [config.name]) == 1
        recovered = job(restarted, job_id)
        assert (recovered.status, recovered.error) == ("may_have_printed", INTERRUPTED)
        assert print_jobs.send_next(restarted, [config], now=NOW) is None
        assert restarted.act(print_jobs.recover_interrupted, [config.name]) == 0
    finally:
        restarted.close()
    assert recorder.received == []


def test_restarting_one_computer_leaves_another_computers_sending_job_alone(
        backroom, setup, recorder):
    ours = setup(zebra(recorder.address))
    mine = queue(backroom, ours.name, [label("MUG-1")])
    theirs = queue(backroom, ours.name, [label("MUG-2")])
    with backroom.sessions() as s:  # both mid-send: ours when we stopped, the other's now
        s.execute(update(PrintJob).values(status="sending"))
        s.execute(update(PrintJob).where(PrintJob.id == theirs)
                  .values(printer="Packing bench Zebra"))
        s.commit()
    assert backroom.act(print_jobs.recover_interrupted, [ours.name]) == 1
    assert job(backroom, mine).status == "may_have_printed"
    assert job(backroom, theirs).status == "sending"  # the packing bench is still at it
    assert backroom.act(print_jobs.recover_interrupted, []) == 0  # no printers here


def test_cancel_and_reprint(backroom, setup, recorder, closed_port):
    setup(zebra(f"127.0.0.1:{closed_port}", "Off"))
    setup(zebra(recorder.address, "On"))
    off = queue(backroom, "Off", [label("MUG-1"), label("MUG-2")])
    send(backroom)
    assert backroom.act(print_jobs.cancel_jobs, [off]) == 1
    assert job(backroom, off).status == "cancelled"
    with pytest.raises(DomainError, match="nothing to cancel"):
        backroom.act(print_jobs.cancel_jobs, [off])
    with pytest.raises(DomainError, match="Only jobs that are waiting"):
        backroom.act(print_jobs.retry_now, [off])
    copy = backroom.act(print_jobs.reprint, off, "On", data_dir=backroom.config.data_dir)
    assert copy != off
    fresh = job(backroom, copy)
    assert (fresh.status, fresh.printer, fresh.data["records"]) == (
        "queued", "On", job(backroom, off).data["records"])
    assert send(backroom).job_id == copy
    assert recorder.wait_for(1) == [render_labels_for(
        printers.printer_list(backroom)[1], PRODUCT, [label("MUG-1"), label("MUG-2")])]
    with pytest.raises(DomainError, match="is queued: it will print by itself"):
        backroom.act(print_jobs.reprint, queue(backroom, "On", [label("X")]),
                     data_dir=backroom.config.data_dir)
    rows = backroom.read(print_jobs.job_list)
    assert [r.id for r in rows][:3] == [copy + 1, copy, off]  # newest first
    assert backroom.read(print_jobs.queue_summary) == {"cancelled": 1, "printed": 1,
                                                       "queued": 1}


@pytest.mark.parametrize(("records", "printer", "refusal"), [
    ([label("MUG-1"), {k: v for k, v in label("MUG-2").items() if k != "sku"}], "Bench Zebra",
     r"Label 2: .*shows 'sku', but the label's data has no 'sku'.* Nothing was queued\."),
    ([label("MUG-1", barcode="4006381333932")], "Bench Zebra",
     r"Label 1 \(MUG-1\): The barcode value 'barcode' cannot be printed: .*check digit"),
    ([label("MUG-1", barcode="X" * 60)], "Bench Zebra",
     r"Label 1 \(MUG-1\): The Code 128 barcode for 'barcode' .* needs .* mm"),
    ([label("MUG-1")], "Gone",
     r"^There is no printer called Gone on this computer any more: choose one in Settings > "
     r"Printers\.$"),
    ([], "Bench Zebra", "There is nothing to print"),
], ids=["missing field", "wrong EAN check digit", "barcode too wide", "unknown printer",
        "no labels"])
def test_bad_labels_are_refused_before_anything_is_queued(backroom, setup, recorder, records,
                                                          printer, refusal):
    setup(zebra(recorder.address))
    with pytest.raises(DomainError, match=refusal):
        queue(backroom, printer, records)
    assert job_count(backroom) == 0


def test_a_refusal_names_the_field(backroom, setup, recorder):
    setup(zebra(recorder.address))
    with pytest.raises(TemplateError) as caught:
        queue(backroom, "Bench Zebra", [label("MUG-1", price="")])
    assert caught.value.field == "price"
    with pytest.raises(DomainError, match="at most 10,000"):
        queue(backroom, "Bench Zebra", [label("MUG-1")], copies=10_001)
    assert job_count(backroom) == 0


def test_a_pdf_file_printer_writes_a_pdf(backroom, setup, tmp_path):
    out = tmp_path / "labels.pdf"
    config = setup(PrinterConfig("PDF", PrinterKind.PDF_FILE, str(out)))
    queue(backroom, config.name, [label("MUG-1"), label("MUG-2")], copies=2)
    assert send(backroom).status == "printed"
    assert out.read_bytes().startswith(b"%PDF")
    assert out.read_bytes() == render_labels_for(config, PRODUCT, [label("MUG-1")] * 2
                                                 + [label("MUG-2")] * 2)


def test_jobs_for_another_computers_printers_are_left_for_it(backroom, setup, recorder):
    setup(zebra(recorder.address))
    queue(backroom, "Bench Zebra", [label("MUG-1")])
    assert print_jobs.send_next(backroom, [zebra(recorder.address, "Laptop's")], now=NOW) is None
    with backroom.sessions() as s:
        assert print_jobs.next_due(s, ["Bench Zebra"], NOW) == NOW
        assert print_jobs.next_due(s, ["Laptop's"], NOW) is None


def test_a_job_whose_template_went_away_waits_for_a_person(backroom, setup, recorder):
    setup(zebra(recorder.address))
    mine = printers.save_template(backroom, replace(PRODUCT, name="Ours"))
    job_id = backroom.act(print_jobs.queue_labels, "Bench Zebra", mine, [label("MUG-1")],
                          data_dir=backroom.config.data_dir)
    with pytest.raises(DomainError, match="1 print job still waits to print with this"):
        printers.remove_template(backroom, mine)  # not while the job waits on it
    (backroom.config.data_dir / "labels" / f"{mine}.json").unlink()  # gone all the same
    result = send(backroom)
    assert result.status == "waiting" and result.next_attempt_at is None
    assert "no label template called 'ours'" in job(backroom, job_id).error
    assert send(backroom, NOW + timedelta(days=1)) is None
    assert recorder.received == []


def test_the_queue_is_for_the_workshop_and_its_settings_for_the_owner(backroom, setup,
                                                                      recorder):
    setup(zebra(recorder.address))
    backroom.sign_in(Viewer(None, "sam", "Sam", Role.STAFF))
    queue(backroom, "Bench Zebra", [label("MUG-1")])
    with pytest.raises(DomainError, match="may not change settings"):
        backroom.act(print_jobs.save_print_settings, PrintSettings(on_task_created=True))
    backroom.sign_in(Viewer(None, "kiln", "Kiln & Co", Role.SUPPLIER, supplier_id=1))
    with pytest.raises(DomainError, match="signed in as a supplier and may not see inventory"):
        queue(backroom, "Bench Zebra", [label("MUG-2")])
    assert job_count(backroom) == 1


# --- printing automatically -------------------------------------------------------------------


def test_job_tickets_print_automatically_only_when_the_workshop_says_so(demo_copy, recorder):
    backroom = demo_copy
    data_dir = backroom.config.data_dir
    with backroom.sessions() as s:
        tasks = list(s.scalars(select(SupplierTask.id).order_by(SupplierTask.id).limit(2)))
    with backroom.sessions() as s:  # the rule is off: nothing
        assert print_jobs.auto_print_task_tickets(s, tasks, data_dir=data_dir) == \
            print_jobs.AutoPrint()
    backroom.act(print_jobs.save_print_settings, PrintSettings(on_task_created=True))
    assert backroom.read(print_jobs.print_settings).on_task_created
    with backroom.sessions() as s:  # on, but this computer has no job-ticket printer
        missed = print_jobs.auto_print_task_tickets(s, tasks, data_dir=data_dir)
        s.commit()
    assert missed.job_id is None
    assert "No printer is chosen for job tickets on this computer" in missed.problem
    with backroom.sessions() as s:
        assert s.scalar(select(Notification.title).where(Notification.kind == "print_failed")
                        ) == "Job tickets were not printed"
    printers.save_printer(backroom, None, zebra(recorder.address))
    printers.set_printer_use(backroom, "job tickets", "Bench Zebra")
    with backroom.sessions() as s:
        done = print_jobs.auto_print_task_tickets(s, tasks, data_dir=data_dir)
        s.commit()
    assert done.problem is None
    queued = job(backroom, done.job_id)
    assert (queued.template, queued.printer, queued.data["labels"]) == (
        "job-ticket-100x75", "Bench Zebra", 2)
    assert send(backroom).status == "printed"
    assert recorder.wait_for(1)[0].count(b"^BQN") == 2  # a QR code on each ticket


def test_received_goods_get_a_label_each_when_the_workshop_says_so(demo_copy, recorder):
    backroom = demo_copy
    data_dir = backroom.config.data_dir
    printers.save_printer(backroom, None, zebra(recorder.address))
    printers.set_printer_use(backroom, "product labels", "Bench Zebra")
    backroom.act(print_jobs.save_print_settings, PrintSettings(on_goods_received=True))
    with backroom.sessions() as s:
        from app.db.models import Listing, Product

        listed = s.scalar(select(Product.id).join(Listing, Listing.product_id == Product.id)
                          .where(Product.made_to_order.is_(False)).limit(1))
        done = print_jobs.auto_print_received_labels(s, {listed: 3}, data_dir=data_dir)
        s.commit()
    assert done.problem is None and job(backroom, done.job_id).data["labels"] == 3


def test_print_settings_round_trip(backroom):
    saved = backroom.act(print_jobs.save_print_settings, PrintSettings(
        True, False, "  Backroom Workshop\n  2 Pottery Lane  \n"))
    assert saved == PrintSettings(True, False, "Backroom Workshop\n2 Pottery Lane")
    assert backroom.read(print_jobs.print_settings) == saved


def test_a_renamed_printer_takes_its_waiting_jobs_along(backroom, setup, recorder, closed_port):
    setup(zebra(f"127.0.0.1:{closed_port}"))
    job_id = queue(backroom, "Bench Zebra", [label("MUG-1")])
    send(backroom)
    printers.save_printer(backroom, "Bench Zebra", zebra(recorder.address, "Zebra by the door"))
    assert job(backroom, job_id).printer == "Zebra by the door"
    with backroom.sessions() as s:
        s.execute(update(PrintJob).values(next_attempt_at=NOW))
        s.commit()
    assert send(backroom).status == "printed"
