"""Printers the operating system knows, through Qt (CUPS on Linux/macOS, the Windows spooler).

The only module of app.printing that imports Qt, and none of the others imports it: the
GUI calls `register_system_transport()` at start-up so that services can print to system
printers without importing PySide6 themselves. Pages arrive as the 1-bit TIFF that
`printers.render_for` makes and are painted dot for dot at their own resolution; with
`raw=True` the payload (ZPL) goes to the queue untouched through CUPS' `lp -o raw`.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence
from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from app.printing import transports
from app.printing.errors import PrinterError, PrinterErrorKind
from app.printing.printers import PrinterConfig, PrinterKind

Kind = PrinterErrorKind
_ZPL_HINTS = ("zebra", "zdesigner", "zpl", "gk420", "gx420", "zd4", "zd6", "zt2", "zt4")
_QL_HINTS = ("brother ql", "ql-")


@dataclass(frozen=True)
class SystemPrinter:
    name: str
    description: str
    make_and_model: str
    location: str
    is_default: bool

    @property
    def looks_like(self) -> str:
        """'zpl', 'brother_ql' or 'other': a guess from the name and driver, for suggestions."""
        text = f"{self.name} {self.description} {self.make_and_model}".lower()
        if any(hint in text for hint in _ZPL_HINTS):
            return "zpl"
        if any(hint in text for hint in _QL_HINTS):
            return "brother_ql"
        return "other"


def list_system_printers() -> list[SystemPrinter]:
    """The printers this computer has set up, the default first."""
    found = [SystemPrinter(info.printerName(), info.description(), info.makeAndModel(),
                           info.location(), info.isDefault())
             for info in QPrinterInfo.availablePrinters()]
    return sorted(found, key=lambda p: (not p.is_default, p.name.lower()))


def suggested_printers() -> list[PrinterConfig]:
    """Printer settings to offer for each system printer: Zebras get raw ZPL where CUPS can
    pass it through, everything else prints pages."""
    raw_ok = sys.platform != "win32" and shutil.which("lp") is not None
    return [PrinterConfig(name=p.description or p.name, kind=PrinterKind.SYSTEM, address=p.name,
                          raw_zpl=raw_ok and p.looks_like == "zpl",
                          dpi=300 if p.looks_like == "brother_ql" else 203)
            for p in list_system_printers()]


def qimage(page: Image.Image) -> QImage:
    """A Pillow label image as a QImage (e.g. for the template editor's preview)."""
    grey = page.convert("L")
    return QImage(grey.tobytes(), grey.width, grey.height, grey.width,
                  QImage.Format.Format_Grayscale8).copy()


class SystemPrinterTransport:
    """Prints on a system printer by name; `output_pdf` prints to a PDF file instead (Qt's
    own PDF printer, as the tests and 'print to file' use)."""

    def __init__(self, queue: str, raw: bool = False, output_pdf: str | Path | None = None,
                 timeout: float = 30.0):
        self.queue, self.raw, self.timeout = queue, raw, timeout
        self.output_pdf = Path(output_pdf) if output_pdf else None
        self.where = str(self.output_pdf) if self.output_pdf else f"the printer {queue!r}"

    def _check_exists(self) -> None:
        if self.output_pdf is None and self.queue not in QPrinterInfo.availablePrinterNames():
            raise PrinterError(f"There is no printer called {self.queue!r} on this computer any "
                               "more — choose another in Settings > Printers.", Kind.UNREACHABLE)

    def send(self, payload: bytes) -> None:
        self._check_exists()
        if self.raw:
            self._send_raw(payload)
        else:
            self._paint(payload)

    def _send_raw(self, payload: bytes) -> None:
        lp = shutil.which("lp")
        if sys.platform == "win32" or lp is None:
            raise PrinterError(f"Raw ZPL cannot go to {self.where} from this computer (it needs "
                               "CUPS' lp command); set the printer up as a network (port 9100) "
                               "or USB printer instead.", Kind.SETUP)
        try:
            done = subprocess.run([lp, "-d", self.queue, "-o", "raw"], input=payload,
                                  capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise PrinterError(f"CUPS did not take the job for {self.where} within "
                               f"{self.timeout:g} s — it may still print.", Kind.TIMEOUT,
                               may_have_printed=True) from e
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
            raise PrinterError(f"CUPS would not take the job for {self.where}: {why}.",
                               Kind.REFUSED)

    def _paint(self, payload: bytes) -> None:
        try:
            opened = Image.open(io.BytesIO(payload))
            pages = [page.copy() for page in ImageSequence.Iterator(opened)]
        except OSError as e:
            raise PrinterError(f"The pages for {self.where} are not an image this program made "
                               f"({e}).", Kind.UNKNOWN) from e
        dpi = round(float(pages[0].info.get("dpi", (203, 203))[0]))
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.output_pdf is not None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self.output_pdf))
        else:
            printer.setPrinterName(self.queue)
        printer.setResolution(dpi)
        size_mm = QSizeF(pages[0].width * 25.4 / dpi, pages[0].height * 25.4 / dpi)
        printer.setPageSize(QPageSize(size_mm, QPageSize.Unit.Millimeter, "Label",
                                      QPageSize.SizeMatchPolicy.ExactMatch))
        printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            raise PrinterError(f"Could not start printing on {self.where}.", Kind.UNKNOWN)
        try:
            scale = printer.resolution() / dpi
            for i, page in enumerate(pages):
                if i:
                    printer.newPage()
                target = QRectF(0, 0, page.width * scale, page.height * scale)
                painter.drawImage(target, qimage(page))
        finally:
            painter.end()


def _system_transport(printer: PrinterConfig) -> SystemPrinterTransport:
    return SystemPrinterTransport(printer.address, raw=printer.raw_zpl)


def register_system_transport() -> None:
    """Let services print to system printers (call once, from the GUI, at start-up)."""
    transports.register(PrinterKind.SYSTEM, _system_transport)
