"""Transports against stand-in printers: what arrives is what was rendered, and every failure
says what happened, in words, and whether the label may have printed."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from app.printing.errors import PrinterError, PrinterErrorKind
from app.printing.printers import PrinterConfig, PrinterKind, render_for
from app.printing.templates import builtin, sample_data
from app.printing.transports import (
    DeviceFileTransport,
    FileTransport,
    TcpTransport,
    parse_host_status,
    print_label,
    transport_for,
)

from .conftest import hang, host_status, zebra

Kind = PrinterErrorKind
PRODUCT = builtin("product-50x25")
DATA = sample_data(PRODUCT)


def zpl_printer(address: str, **kw) -> PrinterConfig:  # type: ignore[no-untyped-def]
    return PrinterConfig(name="Packing bench Zebra", kind=PrinterKind.ZPL_TCP, address=address,
                         **kw)


def test_the_printer_receives_exactly_the_rendered_bytes(make_printer):
    printer = make_printer()
    config = zpl_printer(printer.address, check_status=False)
    payload = render_for(config, PRODUCT, DATA, copies=2)
    transport_for(config).send(payload)
    assert printer.wait_for(1) == [payload]


def test_a_thousand_labels_arrive_whole_in_one_job(make_printer):
    from app.printing.zpl import render_zpl_labels

    printer = make_printer()
    payload = render_zpl_labels(PRODUCT, [{**DATA, "sku": f"SKU-{i:04d}"} for i in range(1000)])
    TcpTransport("127.0.0.1", printer.port).send(payload)
    assert printer.wait_for(1)[0] == payload


def test_print_label_renders_and_sends_in_one_go(make_printer):
    printer = make_printer()
    config = zpl_printer(printer.address, check_status=False)
    print_label(config, PRODUCT, DATA)
    assert printer.wait_for(1) == [render_for(config, PRODUCT, DATA)]


def test_a_closed_port_is_refused_in_words_and_nothing_printed(closed_port):
    with pytest.raises(PrinterError) as caught:
        TcpTransport("127.0.0.1", closed_port, timeout=1).send(b"^XA^XZ")
    error = caught.value
    assert error.kind is Kind.REFUSED and not error.may_have_printed
    assert str(error).startswith(f"The printer at 127.0.0.1:{closed_port} refused the connection")


def test_an_unknown_host_name_is_unreachable(monkeypatch):
    def no_such_host(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "create_connection", no_such_host)
    with pytest.raises(PrinterError, match="There is no printer called 'zebra-7' on the network "
                                           r"\(Name or service not known\)") as caught:
        TcpTransport("zebra-7").send(b"^XA^XZ")
    assert caught.value.kind is Kind.UNREACHABLE and not caught.value.may_have_printed


def test_a_printer_that_takes_the_connection_but_never_answers_status_times_out_unprinted(
        make_printer):
    printer = make_printer(hang)
    config = zpl_printer(printer.address, timeout_s=0.3)  # status check on, as by default
    with pytest.raises(PrinterError) as caught:
        transport_for(config).send(render_for(config, PRODUCT, DATA))
    error = caught.value
    assert error.kind is Kind.TIMEOUT and not error.may_have_printed
    assert "did not answer a status request within 0.3 s" in str(error)


def test_a_printer_that_stops_reading_mid_job_may_have_printed(make_printer):
    printer = make_printer(hang, receive_buffer=4096)
    payload = b"^XA^FDx^FS^XZ" * 3_000_000  # more than any socket buffers hold
    with pytest.raises(PrinterError) as caught:
        TcpTransport("127.0.0.1", printer.port, timeout=0.3).send(payload)
    error = caught.value
    assert error.kind is Kind.TIMEOUT and error.may_have_printed
    assert f"of {len(payload):,} bytes" in str(error)
    assert "the label may have printed: look before printing it again" in str(error)


def test_a_printer_that_drops_the_connection_mid_job_may_have_printed(make_printer):
    def take_some_then_drop(conn: socket.socket, printer) -> None:  # type: ignore[no-untyped-def]
        conn.recv(1000)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()  # with linger 0: a reset, as a printer switched off mid-job

    printer = make_printer(take_some_then_drop)
    with pytest.raises(PrinterError) as caught:
        TcpTransport("127.0.0.1", printer.port, timeout=2).send(b"x" * 50_000_000)
    assert caught.value.may_have_printed
    assert "closed the connection after" in str(caught.value)


def test_a_zebra_out_of_paper_is_reported_before_the_label_is_sent(make_printer):
    printer = make_printer(zebra(host_status(paper_out=1)))
    config = zpl_printer(printer.address)
    with pytest.raises(PrinterError, match="is out of labels — load a new roll") as caught:
        transport_for(config).send(render_for(config, PRODUCT, DATA))
    assert caught.value.kind is Kind.OUT_OF_PAPER and not caught.value.may_have_printed
    assert printer.wait_for(1) == [b"~HS"]


def test_a_paused_zebra_or_one_with_its_head_open_is_not_ready(make_printer):
    for status, words in ((host_status(paused=1), "is paused"),
                          (host_status(head_up=1), "print head open")):
        printer = make_printer(zebra(status))
        with pytest.raises(PrinterError, match=words) as caught:
            transport_for(zpl_printer(printer.address)).send(b"^XA^XZ")
        assert caught.value.kind is Kind.NOT_READY


def test_a_ready_zebra_is_asked_its_status_then_sent_the_label(make_printer):
    printer = make_printer(zebra(host_status()))
    config = zpl_printer(printer.address)
    payload = render_for(config, PRODUCT, DATA)
    transport_for(config).send(payload)
    assert printer.wait_for(1) == [b"~HS" + payload]
    status = TcpTransport("127.0.0.1", printer.port).status()
    assert not status.paper_out and status.labels_remaining == 0


def test_host_status_strings_are_read_field_by_field():
    status = parse_host_status(host_status(paper_out=1, paused=1, head_up=1))
    assert (status.paper_out, status.paused, status.head_open) == (True, True, True)
    assert not status.ribbon_out and status.formats_waiting == 0
    with pytest.raises(ValueError, match="not a ZPL host status answer"):
        parse_host_status(b"HTTP/1.1 400 Bad Request\r\n")


# --- device files -----------------------------------------------------------------------------


def test_a_device_file_receives_exactly_the_rendered_bytes(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    config = PrinterConfig("USB Zebra", PrinterKind.ZPL_DEVICE, str(device))
    payload = render_for(config, PRODUCT, DATA)
    transport_for(config).send(payload)
    assert device.read_bytes() == payload


def test_a_missing_device_means_an_unplugged_printer(tmp_path):
    missing = tmp_path / "usb" / "lp0"
    with pytest.raises(PrinterError) as caught:
        DeviceFileTransport(missing).send(b"^XA^XZ")
    assert str(caught.value) == f"There is no printer at {missing} — is it plugged in and " \
                                "switched on?"
    assert caught.value.kind is Kind.UNREACHABLE and not caught.value.may_have_printed
    assert not missing.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_device_nobody_is_reading_counts_as_unplugged(tmp_path):
    pipe = tmp_path / "lp0"
    os.mkfifo(pipe)
    with pytest.raises(PrinterError, match="There is no printer at") as caught:
        DeviceFileTransport(pipe).send(b"^XA^XZ")
    assert caught.value.kind is Kind.UNREACHABLE


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_device_that_stops_taking_data_times_out_and_may_have_printed(tmp_path):
    pipe = tmp_path / "lp0"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # the 'printer', never reading
    try:
        with pytest.raises(PrinterError) as caught:
            DeviceFileTransport(pipe, timeout=0.2).send(b"x" * 1_000_000)
    finally:
        os.close(reader)
    assert caught.value.kind is Kind.TIMEOUT and caught.value.may_have_printed
    assert "stopped taking data after" in str(caught.value)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root may write anywhere")
def test_a_device_we_may_not_write_to_says_how_to_get_permission(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    device.chmod(0o400)
    with pytest.raises(PrinterError, match="add your user to the 'lp' group") as caught:
        DeviceFileTransport(device).send(b"^XA^XZ")
    assert caught.value.kind is Kind.REFUSED


def test_a_pdf_file_printer_writes_the_whole_file(tmp_path):
    out = tmp_path / "labels.pdf"
    config = PrinterConfig("PDF", PrinterKind.PDF_FILE, str(out))
    print_label(config, PRODUCT, DATA, copies=2)
    assert out.read_bytes() == render_for(config, PRODUCT, DATA, copies=2)
    with pytest.raises(PrinterError, match="Could not write"):
        FileTransport(tmp_path / "no" / "such" / "dir.pdf").send(b"%PDF")
