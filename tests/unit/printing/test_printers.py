"""Printer settings and render_for: each kind of printer gets the bytes it understands."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.printing import transports
from app.printing.errors import PrinterError, PrinterErrorKind
from app.printing.printers import (
    Payload,
    PrinterConfig,
    PrinterKind,
    check_printer,
    printer_problems,
    render_for,
    render_labels_for,
)
from app.printing.zpl import render_zpl


def printer(kind: str, **kw) -> PrinterConfig:  # type: ignore[no-untyped-def]
    return PrinterConfig(name="Bench printer", kind=PrinterKind(kind),
                         address=kw.pop("address", "somewhere"), **kw)


def test_zpl_printers_get_zpl_with_copies_as_print_quantity(product, product_data):
    for kind in ("zpl_tcp", "zpl_device"):
        payload = render_for(printer(kind), product, product_data, copies=2)
        assert payload == render_zpl(product, product_data, copies=2)
    raw_system = printer("system", raw_zpl=True)
    assert raw_system.payload is Payload.ZPL
    assert render_for(raw_system, product, product_data).startswith(b"^XA")


def test_a_300_dpi_zpl_printer_gets_300_dpi_zpl(product, product_data):
    assert b"^PW591" in render_for(printer("zpl_tcp", dpi=300), product, product_data)


def test_brother_printers_get_ql_raster_at_300_dpi(product, product_data):
    config = printer("brother_ql_tcp", brother_model="QL-820NWB", brother_label="62", dpi=203)
    assert config.render_dpi == 300
    payload = render_for(config, product, product_data, copies=2)
    assert payload.startswith(b"\x1bia\x01")  # switch to raster mode
    assert b"\x00" * 400 + b"\x1b@" in payload  # invalidate, then initialise
    assert payload.endswith(b"\x1a")  # print with feeding


def test_system_printers_get_1_bit_tiff_pages_at_their_dpi(product, product_data):
    payload = render_for(printer("system", dpi=300), product, product_data, copies=3)
    pages = Image.open(io.BytesIO(payload))
    assert pages.n_frames == 3
    assert pages.mode == "1" and pages.size == (591, 295)
    assert round(pages.info["dpi"][0]) == 300


def test_a_sheet_printer_gets_sheet_pages_from_the_start_position(product, product_data):
    config = printer("system", sheet_layout="Avery L7160")
    pages = Image.open(io.BytesIO(render_for(config, product, product_data, copies=4, start=20)))
    assert pages.n_frames == 2 and pages.size == (2480, 3508)


def test_a_pdf_file_printer_gets_a_pdf(product, product_data):
    assert render_for(printer("pdf_file"), product, product_data).startswith(b"%PDF")
    sheets = render_labels_for(printer("pdf_file", sheet_layout="Avery 5160"), product,
                               [product_data] * 31)
    assert sheets.startswith(b"%PDF") and b"/Count 2" in sheets


def test_bad_settings_are_refused_in_words_before_rendering(product, product_data):
    bad = PrinterConfig(name="", kind=PrinterKind.BROTHER_QL_DEVICE, address="", dpi=600,
                        brother_model="QL-9", sheet_layout="Avery L7160", timeout_s=0)
    problems = printer_problems(bad)
    assert "The printer has no name." in problems
    assert "Say where the printer is: device file, e.g. /dev/usb/lp0." in problems
    assert "600 dpi is not a label printer's resolution; use 203 or 300." in problems
    assert any("'QL-9' is not a Brother QL model" in p for p in problems)
    assert "Only an ordinary printer or a PDF file can print sheets of labels." in problems
    with pytest.raises(PrinterError, match="is not set up right") as caught:
        render_for(bad, product, product_data)
    assert caught.value.kind is PrinterErrorKind.SETUP
    assert printer_problems(PrinterConfig("x", "laser", "a")) == (  # type: ignore[arg-type]
        "'laser' is not a kind of printer; choose one of zpl_tcp, zpl_device, brother_ql_tcp, "
        "brother_ql_device, system, pdf_file.",)


def test_good_settings_pass_the_check():
    config = printer("zpl_tcp", address="192.168.1.50")
    assert check_printer(config) is config


def test_without_the_gui_there_is_no_way_to_system_printers(monkeypatch):
    monkeypatch.delitem(transports._FACTORIES, PrinterKind.SYSTEM, raising=False)
    with pytest.raises(PrinterError, match="cannot reach system printers") as caught:
        transports.transport_for(printer("system"))
    assert caught.value.kind is PrinterErrorKind.SETUP


def test_transports_are_found_by_printer_kind(tmp_path):
    tcp = transports.transport_for(printer("zpl_tcp", address="10.0.0.7:9101"))
    assert isinstance(tcp, transports.TcpTransport)
    assert (tcp.host, tcp.port, tcp.query_status) == ("10.0.0.7", 9101, True)
    ql = transports.transport_for(printer("brother_ql_tcp", address="ql"))
    assert isinstance(ql, transports.TcpTransport) and not ql.query_status
    device = transports.transport_for(printer("zpl_device", address="/dev/usb/lp0"))
    assert isinstance(device, transports.DeviceFileTransport)
    pdf = transports.transport_for(printer("pdf_file", address=str(tmp_path / "x.pdf")))
    assert isinstance(pdf, transports.FileTransport)


def test_a_new_kind_of_transport_can_be_registered(monkeypatch):
    sent: list[bytes] = []

    class Recorder:
        where = "memory"

        def send(self, payload: bytes) -> None:
            sent.append(payload)

    monkeypatch.setitem(transports._FACTORIES, PrinterKind.SYSTEM, lambda p: Recorder())
    transports.register("system", lambda p: Recorder())
    transports.transport_for(printer("system")).send(b"x")
    assert sent == [b"x"]


@pytest.mark.parametrize(("address", "expected"), [
    ("192.168.1.50", ("192.168.1.50", 9100)),
    ("zebra-1:9101", ("zebra-1", 9101)),
    ("[fe80::1]:9100", ("fe80::1", 9100)),
    ("fe80::1", ("fe80::1", 9100)),
])
def test_printer_addresses_take_an_optional_port(address, expected):
    assert transports.parse_address(address) == expected
