"""Labels as ZPL II for Zebra-language printers, using the printer's own fonts and barcodes.

One label is `^XA ... ^XZ`: size from the template (^PW/^LL in dots), UTF-8 text (^CI28)
in field blocks (^FB) laid out here so long text shrinks and wraps inside its box, and the
printer's barcode commands (^BC, ^BE, ^BU, ^B8, ^BQ) with the module width (^BY) and
position worked out in `symbols`, so the bars are as sharp as the printer can make them.
Data goes through ^FH hex escapes, so '^', '~' and '_' in a title cannot break the format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from app.domain.barcodes import Symbology
from app.printing.fonts import ADVANCES
from app.printing.layout import FieldBox, field_boxes, fit_text
from app.printing.symbols import code128_zpl, place_barcode
from app.printing.templates import (
    LabelTemplate,
    check_data,
    field_text,
)

# ^FH turns _XX into a byte; '\' is ^FB's own escape ('\&' is a line break).
_ESCAPES = {ord("_"): "_5F", ord("^"): "_5E", ord("~"): "_7E", ord("\\"): "\\\\",
            **{c: " " for c in range(32)}, 127: " "}
_JUSTIFY = {"left": "L", "center": "C", "right": "R"}
# A QR code carries its text byte for byte: only ZPL's own characters are hex-escaped (no
# '\\&' line breaks of a text block, and control characters kept, not blanked).
_QR_ESCAPES = {ord("_"): "_5F", ord("^"): "_5E", ord("~"): "_7E",
               **{c: f"_{c:02X}" for c in range(32)}, 127: "_7F"}


def escape(text: str) -> str:
    """Field data safe after ^FH inside a ^FB block: '^' -> '_5E', '~' -> '_7E', '_' -> '_5F'."""
    return text.translate(_ESCAPES)


def _text(box: FieldBox, text: str) -> str:
    f = box.field
    fitted = fit_text(text, width=box.width, height=box.height, size=box.size,
                      min_size=box.min_size, max_lines=f.max_lines, fit=f.fit, bold=f.bold,
                      metrics=ADVANCES)
    size, lines = fitted.size, fitted.lines
    body = "\\&".join(escape(line) for line in lines)
    return (f"^FO{box.x},{box.y}^A0N,{size},{size}"
            f"^FB{box.width},{len(lines)},{fitted.line_height - size},{_JUSTIFY[box.field.align]},0"
            f"^FH^FD{body}^FS\n")


def _qr_data(text: str, level: str) -> str:
    """^BQ field data: error level and input mode first ('QA,'); bytes beyond ASCII go in
    manual byte mode with their count, since automatic mode cannot carry them."""
    data = text.translate(_QR_ESCAPES)
    if text.isascii():
        return f"{level}A,{data}"
    return f"{level}M,B{len(text.encode('utf-8')):04d}{data}"


def _barcode(template: LabelTemplate, value: str, dpi: int) -> str:
    spec = template.barcode
    assert spec is not None
    b = place_barcode(spec, value, dpi, checked=True)
    text = "Y" if spec.show_text else "N"
    if b.symbology is Symbology.QR:
        return (f"^FO{b.x},{b.y}^BQN,2,{b.module},{spec.error_correction}"
                f"^FH^FD{_qr_data(value, spec.error_correction)}^FS\n")
    head = f"^FO{b.x},{b.y}^BY{b.module},3,{b.bar_height}"
    if b.symbology is Symbology.CODE128:
        return f"{head}^BCN,{b.bar_height},{text},N,N^FD{code128_zpl(list(b.code128))}^FS\n"
    if b.symbology is Symbology.EAN13:  # the printer adds the check digit itself
        return f"{head}^BEN,{b.bar_height},{text},N^FD{value[:12]}^FS\n"
    if b.symbology is Symbology.UPCA:
        return f"{head}^BUN,{b.bar_height},{text},N,Y^FD{value[:11]}^FS\n"
    return f"{head}^B8N,{b.bar_height},{text},N^FD{value[:7]}^FS\n"


def _formats(template: LabelTemplate, dpi: int | None) -> Callable[[Mapping[str, str], int], str]:
    """A function from (data, copies) to one label's ZPL, with the template laid out once."""
    dpi = dpi or template.dpi
    boxes = field_boxes(template, dpi)
    width, height = template.size_dots(dpi)
    head = f"^XA\n^CI28\n^PW{width}\n^LL{height}\n^LH0,0\n"
    barcode_key = template.barcode.key if template.barcode else None

    def label(data: Mapping[str, str], copies: int) -> str:
        values = check_data(template, data)
        parts = [head]
        for box in boxes:
            text = field_text(box.field, values)
            if text:
                parts.append(_text(box, text))
        if barcode_key is not None:
            parts.append(_barcode(template, values[barcode_key], dpi))
        parts.append(f"^PQ{copies}\n^XZ\n")
        return "".join(parts)

    return label


def label_zpl(template: LabelTemplate, data: Mapping[str, str], copies: int = 1,
              dpi: int | None = None) -> str:
    """One label format as ZPL text (^XA ... ^PQ copies ^XZ); TemplateError on bad data."""
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    return _formats(template, dpi)(data, copies)


def render_zpl(template: LabelTemplate, data: Mapping[str, str], copies: int = 1,
               dpi: int | None = None) -> bytes:
    """One label, `copies` times, as the UTF-8 bytes to send to the printer."""
    return label_zpl(template, data, copies, dpi).encode("utf-8")


def render_zpl_labels(template: LabelTemplate, records: Iterable[Mapping[str, str]],
                      dpi: int | None = None) -> bytes:
    """Many labels (one per record) as one payload, e.g. a shelf's worth of product labels.

    Every record is checked before any ZPL is returned, so a bad one stops the whole batch.
    """
    label = _formats(template, dpi)
    return "".join([label(data, 1) for data in records]).encode("utf-8")
