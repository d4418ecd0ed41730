"""System printers through Qt: pages painted dot for dot (checked by printing to a PDF file and
reading the barcode back), raw ZPL through CUPS' lp, and printers that have gone away."""

from __future__ import annotations

import os
import stat

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtPdf import QPdfDocument

from app.printing import system, transports
from app.printing.errors import PrinterError, PrinterErrorKind
from app.printing.printers import PrinterConfig, PrinterKind, render_for
from app.printing.system import (
    SystemPrinter,
    SystemPrinterTransport,
    list_system_printers,
    register_system_transport,
)
from app.printing.templates import builtin, sample_data

PRODUCT = builtin("product-50x25")
DATA = sample_data(PRODUCT)


def pdf_pages(path, qapp, dpi: int = 300) -> list[tuple[tuple[float, float], Image.Image]]:  # type: ignore[no-untyped-def]
    """(size in mm, image at `dpi`) of every page of a PDF, as Qt's PDF reader sees it."""
    doc = QPdfDocument(qapp)
    doc.load(str(path))
    pages = []
    for i in range(doc.pageCount()):
        points = doc.pagePointSize(i)
        mm = (points.width() / 72 * 25.4, points.height() / 72 * 25.4)
        image = doc.render(i, QSize(round(mm[0] / 25.4 * dpi), round(mm[1] / 25.4 * dpi)))
        image.save(str(path) + f".{i}.png")
        pages.append((mm, Image.open(str(path) + f".{i}.png").convert("L")))
    doc.close()
    return pages


def test_label_pages_print_to_pdf_at_label_size_and_still_scan(qapp, tmp_path):
    out = tmp_path / "printed.pdf"
    config = PrinterConfig("Office", PrinterKind.SYSTEM, "Office", dpi=203)
    SystemPrinterTransport("", output_pdf=out).send(render_for(config, PRODUCT, DATA, copies=2))
    pages = pdf_pages(out, qapp)
    assert len(pages) == 2
    (width, height), image = pages[0]
    assert abs(width - 50) < 0.3 and abs(height - 25) < 0.3
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [DATA["barcode"]]


def test_a_sheet_prints_on_a4_pages(qapp, tmp_path):
    out = tmp_path / "sheet.pdf"
    config = PrinterConfig("Office", PrinterKind.SYSTEM, "Office", sheet_layout="Avery L7160")
    payload = render_for(config, PRODUCT, DATA, copies=3, start=20)
    SystemPrinterTransport("", output_pdf=out).send(payload)
    pages = pdf_pages(out, qapp, dpi=200)
    assert len(pages) == 2
    assert abs(pages[0][0][0] - 210) < 0.5 and abs(pages[0][0][1] - 297) < 0.5
    assert [r.text for r in zxingcpp.read_barcodes(pages[1][1])] == [DATA["barcode"]]


def test_a_printer_that_no_longer_exists_is_named_before_anything_is_sent(qapp):
    with pytest.raises(PrinterError) as caught:
        SystemPrinterTransport("Zebra_GK420d_old").send(b"^XA^XZ")
    assert str(caught.value) == ("There is no printer called 'Zebra_GK420d_old' on this "
                                 "computer any more — choose another in Settings > Printers.")
    assert caught.value.kind is PrinterErrorKind.UNREACHABLE


class _KnownPrinters:
    """Stands in for QPrinterInfo's list of queues, which is empty without CUPS."""

    names = ["Zebra_GK420d"]

    @classmethod
    def availablePrinterNames(cls) -> list[str]:
        return cls.names


@pytest.mark.skipif(os.name != "posix", reason="raw printing goes through CUPS' lp")
def test_raw_zpl_goes_to_the_queue_untouched_through_lp(qapp, tmp_path, monkeypatch):
    received, args = tmp_path / "received.zpl", tmp_path / "args.txt"
    fake_lp = tmp_path / "bin" / "lp"
    fake_lp.parent.mkdir()
    fake_lp.write_text(f'#!/bin/sh\necho "$@" > {args}\ncat > {received}\n')
    fake_lp.chmod(fake_lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake_lp.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(system, "QPrinterInfo", _KnownPrinters)
    config = PrinterConfig("Zebra", PrinterKind.SYSTEM, "Zebra_GK420d", raw_zpl=True)
    payload = render_for(config, PRODUCT, DATA)
    SystemPrinterTransport("Zebra_GK420d", raw=True).send(payload)
    assert received.read_bytes() == payload
    assert args.read_text().split() == ["-d", "Zebra_GK420d", "-o", "raw"]


@pytest.mark.skipif(os.name != "posix", reason="raw printing goes through CUPS' lp")
def test_a_queue_that_refuses_the_job_says_what_cups_said(qapp, tmp_path, monkeypatch):
    fake_lp = tmp_path / "bin" / "lp"
    fake_lp.parent.mkdir()
    fake_lp.write_text('#!/bin/sh\ncat > /dev/null\necho "lp: Destination is paused" >&2\n'
                       "exit 1\n")
    fake_lp.chmod(fake_lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake_lp.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(system, "QPrinterInfo", _KnownPrinters)
    with pytest.raises(PrinterError, match="CUPS would not take the job for the printer "
                                           "'Zebra_GK420d': lp: Destination is paused"):
        SystemPrinterTransport("Zebra_GK420d", raw=True).send(b"^XA^XZ")


def test_the_gui_plugs_the_system_transport_into_the_registry(qapp, monkeypatch):
    monkeypatch.delitem(transports._FACTORIES, PrinterKind.SYSTEM, raising=False)
    register_system_transport()
    found = transports.transport_for(PrinterConfig("Office", PrinterKind.SYSTEM, "Office"))
    assert isinstance(found, SystemPrinterTransport) and found.queue == "Office"


def test_discovery_lists_system_printers_and_guesses_their_language(qapp):
    assert all(isinstance(p, SystemPrinter) for p in list_system_printers())
    zebra = SystemPrinter("ZDesigner_GK420d", "Zebra GK420d", "Zebra ZPL", "", False)
    brother = SystemPrinter("QL-820NWB", "Brother QL-820NWB", "Brother QL", "", False)
    office = SystemPrinter("HP_LaserJet", "HP LaserJet", "HP PCL", "", True)
    assert [p.looks_like for p in (zebra, brother, office)] == ["zpl", "brother_ql", "other"]
