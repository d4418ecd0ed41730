"""Printing through a real CUPS scheduler, as a workshop's system printer does: a queue set up
with `lpadmin` whose device is a port-9100 (AppSocket) printer played by a loopback server,
and a cups-pdf virtual printer. Needs CUPS running; `.ci/cups` installs and starts it in CI,
which sets BACKROOM_REQUIRE_CUPS so these tests fail there rather than skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from loopback import Recorder
from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtPdf import QPdfDocument

from app.printing.printers import PrinterConfig, PrinterKind, render_for
from app.printing.system import SystemPrinterTransport, list_system_printers
from app.printing.templates import builtin, sample_data

PRODUCT = builtin("product-50x25")
DATA = sample_data(PRODUCT)
PDF_QUEUE = "Backroom_PDF"  # made by .ci/cups


def _cups_running() -> bool:
    lpstat = shutil.which("lpstat")
    if lpstat is None or shutil.which("lpadmin") is None:
        return False
    done = subprocess.run([lpstat, "-r"], capture_output=True, text=True, check=False)
    return "is running" in done.stdout and "not running" not in done.stdout


if not _cups_running():
    if os.environ.get("BACKROOM_REQUIRE_CUPS"):
        raise RuntimeError("BACKROOM_REQUIRE_CUPS is set but no CUPS scheduler is running: "
                           "run .ci/cups first.")
    pytest.skip("no CUPS scheduler on this computer (.ci/cups sets one up)",
                allow_module_level=True)


@pytest.fixture
def zebra_queue(qapp) -> Iterator[tuple[str, Recorder]]:  # type: ignore[no-untyped-def]
    """A CUPS queue 'Backroom_Zebra_<port>' whose printer is the loopback one: a raw queue,
    as CUPS sets up a label printer that is sent its own language."""
    printer = Recorder()
    queue = f"Backroom_Zebra_{printer.port}"
    subprocess.run(["lpadmin", "-p", queue, "-E", "-v", f"socket://127.0.0.1:{printer.port}",
                    "-D", "Zebra GK420d (loopback)"], check=True, capture_output=True)
    try:
        yield queue, printer
    finally:
        subprocess.run(["lpadmin", "-x", queue], check=False, capture_output=True)
        printer.stop()


def _barcodes_in_pdf(data: bytes, folder: Path, qapp) -> list[str]:  # type: ignore[no-untyped-def]
    path = folder / "printed.pdf"
    path.write_bytes(data)
    doc = QPdfDocument(qapp)
    doc.load(str(path))
    found = []
    for i in range(doc.pageCount()):
        points = doc.pagePointSize(i)
        size = QSize(round(points.width() / 72 * 300), round(points.height() / 72 * 300))
        png = folder / f"page{i}.png"
        doc.render(i, size).save(str(png))
        found += [r.text for r in zxingcpp.read_barcodes(Image.open(png).convert("L"))]
    doc.close()
    return found


def test_discovery_finds_the_cups_queues(zebra_queue):
    queue, _ = zebra_queue
    names = {p.name: p for p in list_system_printers()}
    assert queue in names and PDF_QUEUE in names
    assert names[queue].looks_like == "zpl"  # offered raw ZPL in Settings > Printers


def test_raw_zpl_reaches_the_printer_through_cups_byte_for_byte(zebra_queue):
    queue, printer = zebra_queue
    config = PrinterConfig("Zebra", PrinterKind.SYSTEM, queue, raw_zpl=True)
    payload = render_for(config, PRODUCT, DATA, copies=2)
    SystemPrinterTransport(queue, raw=True).send(payload)
    assert printer.wait_for(1, timeout=30) == [payload]


def test_painted_labels_reach_the_printer_through_cups_and_still_scan(zebra_queue, tmp_path,
                                                                      qapp):
    queue, printer = zebra_queue
    config = PrinterConfig("Office", PrinterKind.SYSTEM, queue, dpi=203)
    SystemPrinterTransport(queue).send(render_for(config, PRODUCT, DATA))
    (sent,) = printer.wait_for(1, timeout=30)
    assert sent.startswith(b"%PDF")  # what Qt hands CUPS; a raw queue passes it on
    assert _barcodes_in_pdf(sent, tmp_path, qapp) == [DATA["barcode"]]


def test_painted_labels_print_on_the_cups_pdf_queue(qapp, tmp_path):
    import pwd

    out = Path(pwd.getpwuid(os.getuid()).pw_dir) / "PDF"  # cups-pdf's folder for this user
    before = set(out.glob("*.pdf")) if out.exists() else set()
    config = PrinterConfig("PDF", PrinterKind.SYSTEM, PDF_QUEUE, dpi=203)
    SystemPrinterTransport(PDF_QUEUE).send(render_for(config, PRODUCT, DATA))
    deadline = time.monotonic() + 60
    made: set[Path] = set()
    while not made and time.monotonic() < deadline:
        time.sleep(0.2)
        made = set(out.glob("*.pdf")) - before if out.exists() else set()
    assert made, f"cups-pdf wrote nothing to {out}"
    (pdf,) = made
    for _ in range(50):  # cups-pdf may still be writing it
        if pdf.read_bytes().rstrip().endswith(b"%%EOF"):
            break
        time.sleep(0.1)
    assert _barcodes_in_pdf(pdf.read_bytes(), tmp_path, qapp) == [DATA["barcode"]]
    pdf.unlink()


def test_a_queue_removed_from_cups_is_named_before_anything_is_sent(qapp):
    from app.printing.errors import PrinterError

    subprocess.run(["lpadmin", "-p", "Backroom_Gone", "-E", "-v", "socket://127.0.0.1:9"],
                   check=True, capture_output=True)
    subprocess.run(["lpadmin", "-x", "Backroom_Gone"], check=True, capture_output=True)
    with pytest.raises(PrinterError, match="There is no printer called 'Backroom_Gone'"):
        SystemPrinterTransport("Backroom_Gone", raw=True).send(b"^XA^XZ")
