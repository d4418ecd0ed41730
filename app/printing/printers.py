"""Printer settings, and what each kind of printer is sent: ZPL, QL raster, TIFF pages or PDF.

A `PrinterConfig` is one row of Settings > Printers on one workstation. `render_for` makes
the bytes for it and `transports.transport_for` finds the way to send them; the print
queue keeps the two steps apart, so a job is rendered (and its data checked) once, before
anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.printing import brother, sheet
from app.printing.errors import PrinterError, PrinterErrorKind
from app.printing.raster import pages_tiff, render_image
from app.printing.templates import DPIS, LabelTemplate
from app.printing.zpl import render_zpl, render_zpl_labels


class PrinterKind(StrEnum):
    ZPL_TCP = "zpl_tcp"  # Zebra-language printer on the network, port 9100
    ZPL_DEVICE = "zpl_device"  # ... on USB, as a device file such as /dev/usb/lp0
    BROTHER_QL_TCP = "brother_ql_tcp"
    BROTHER_QL_DEVICE = "brother_ql_device"
    SYSTEM = "system"  # a printer the operating system knows (CUPS, Windows spooler)
    PDF_FILE = "pdf_file"  # no printer: write a PDF (to print later, or to e-mail)


class Payload(StrEnum):
    ZPL = "zpl"
    QL = "ql"  # Brother QL raster instructions
    TIFF = "tiff"  # 1-bit pages at the printer's dpi, for system printers
    PDF = "pdf"


ADDRESS_MEANING = {
    PrinterKind.ZPL_TCP: "host name or IP address, optionally with ':port' (default 9100)",
    PrinterKind.ZPL_DEVICE: "device file, e.g. /dev/usb/lp0",
    PrinterKind.BROTHER_QL_TCP: "host name or IP address, optionally with ':port' (default 9100)",
    PrinterKind.BROTHER_QL_DEVICE: "device file, e.g. /dev/usb/lp0",
    PrinterKind.SYSTEM: "the printer's name on this computer",
    PrinterKind.PDF_FILE: "the PDF file to write",
}


@dataclass(frozen=True)
class PrinterConfig:
    """One printer on this workstation; `address` means what ADDRESS_MEANING says for the kind.

    `raw_zpl` sends ZPL through a system printer's queue untouched (CUPS `lp -o raw`);
    `sheet_layout` (system or pdf_file) prints on sheets of labels (see sheet.LAYOUTS);
    `check_status` asks a ZPL network printer for its status (~HS) before sending, and a
    USB device for its port status, so paper out is reported instead of printing nothing.
    """

    name: str
    kind: PrinterKind
    address: str = ""
    dpi: int = 203
    default_template: str = ""
    brother_model: str = brother.DEFAULT_MODEL
    brother_label: str = brother.DEFAULT_LABEL
    raw_zpl: bool = False
    sheet_layout: str = ""
    check_status: bool = True
    timeout_s: float = 5.0

    def __post_init__(self) -> None:
        if self.kind in PrinterKind._value2member_map_:  # 'zpl_tcp' read from settings
            object.__setattr__(self, "kind", PrinterKind(self.kind))

    @property
    def payload(self) -> Payload:
        """What this printer is sent."""
        if self.kind in (PrinterKind.ZPL_TCP, PrinterKind.ZPL_DEVICE) or (
                self.kind is PrinterKind.SYSTEM and self.raw_zpl):
            return Payload.ZPL
        if self.kind in (PrinterKind.BROTHER_QL_TCP, PrinterKind.BROTHER_QL_DEVICE):
            return Payload.QL
        return Payload.PDF if self.kind is PrinterKind.PDF_FILE else Payload.TIFF

    @property
    def render_dpi(self) -> int:
        """Brother QL printers print at 300 dpi whatever `dpi` says; sheets at 300 too."""
        if self.payload is Payload.QL or self.sheet_layout:
            return brother.QL_DPI
        return self.dpi


def printer_problems(p: PrinterConfig) -> tuple[str, ...]:
    """What is wrong with a printer's settings, one sentence each; empty when fine."""
    out: list[str] = []
    try:
        kind = PrinterKind(p.kind)
    except ValueError:
        return (f"{p.kind!r} is not a kind of printer; choose one of "
                f"{', '.join(k.value for k in PrinterKind)}.",)
    if not p.name.strip():
        out.append("The printer has no name.")
    if not p.address.strip():
        out.append(f"Say where the printer is: {ADDRESS_MEANING[kind]}.")
    if p.dpi not in DPIS:
        out.append(f"{p.dpi} dpi is not a label printer's resolution; use 203 or 300.")
    if p.payload is Payload.QL:
        problem = brother.label_problem(p.brother_model, p.brother_label)
        if problem:
            out.append(problem)
    if p.sheet_layout:
        if kind not in (PrinterKind.SYSTEM, PrinterKind.PDF_FILE) or p.raw_zpl:
            out.append("Only an ordinary printer or a PDF file can print sheets of labels.")
        elif not any(name.startswith(p.sheet_layout) for name in sheet.LAYOUTS):
            out.append(f"There is no sheet layout called {p.sheet_layout!r}.")
    if p.timeout_s <= 0:
        out.append("The printer's timeout must be more than 0 seconds.")
    return tuple(out)


def check_printer(p: PrinterConfig) -> PrinterConfig:
    """The settings if they can work, else PrinterError (kind setup) saying what to fix."""
    problems = printer_problems(p)
    if problems:
        raise PrinterError(f"The printer {p.name!r} is not set up right: " + " ".join(problems)
                           + " Fix it in Settings > Printers.", PrinterErrorKind.SETUP)
    return p


def render_labels_for(printer: PrinterConfig, template: LabelTemplate,
                      labels: Sequence[Mapping[str, str]], start: int = 1) -> bytes:
    """One label per record, rendered for this printer (every record checked first).

    `start` is the first position on a sheet of labels (1 = top left), for sheet printers.
    """
    check_printer(printer)
    dpi = printer.render_dpi
    payload = printer.payload
    if payload is Payload.ZPL:
        return render_zpl_labels(template, labels, dpi)
    if printer.sheet_layout:
        layout = sheet.layout_named(printer.sheet_layout)
        pages = sheet.sheet_pages(template, labels, layout, start, dpi)
    else:
        pages = [render_image(template, data, dpi) for data in labels]
    if payload is Payload.QL:
        return brother.render_ql(pages, printer.brother_model, printer.brother_label)
    if payload is Payload.PDF:
        return sheet.pages_pdf(pages, dpi)
    return pages_tiff(pages, dpi)


def render_for(printer: PrinterConfig, template: LabelTemplate, data: Mapping[str, str],
               copies: int = 1, start: int = 1) -> bytes:
    """The bytes that make this printer print `copies` of one label."""
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    if check_printer(printer).payload is Payload.ZPL:
        return render_zpl(template, data, copies, printer.render_dpi)  # ^PQ prints copies
    return render_labels_for(printer, template, [data] * copies, start)
