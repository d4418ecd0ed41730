"""Labels as 1-bit Pillow images at the printer's true resolution, for Brother QL, system
printers, PDF sheets and the template editor's preview.

The image is exactly the label's size in dots. Bars and QR modules are whole dots, drawn
from `symbols`, so they scan; text is DejaVu Sans, drawn into a box-sized image and pasted,
so even a pathological string cannot leave its box.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from PIL import Image, ImageDraw

from app.domain.barcodes import Symbology
from app.printing.fonts import RASTER, truetype
from app.printing.layout import FieldBox, FittedText, field_boxes, fit_text
from app.printing.symbols import PlacedBarcode, place_barcode
from app.printing.templates import (
    LabelTemplate,
    check_data,
    field_text,
)

WHITE, BLACK = 1, 0
_DARK_RUNS = re.compile("1+")
_QR_SHADES = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # module 1 is dark


def _draw_lines(label: Image.Image, x: int, y: int, width: int, height: int,
                fitted: FittedText, align: str, bold: bool) -> None:
    """Text lines drawn in a box-sized image, then pasted: nothing can spill out."""
    box = Image.new("1", (width, height), WHITE)
    draw = ImageDraw.Draw(box)
    font = truetype(fitted.size, bold)
    for i, line in enumerate(fitted.lines):
        if not line:
            continue
        left, _, right, _ = font.getbbox(line)
        ink = right - min(left, 0)
        offset = 0 if align == "left" else (width - ink) if align == "right" \
            else (width - ink) // 2
        draw.text((max(0, offset) - min(left, 0), i * fitted.line_height), line, font=font,
                  fill=BLACK, anchor="la")
    label.paste(box, (x, y))


def _draw_text(label: Image.Image, box: FieldBox, text: str) -> None:
    f = box.field
    fitted = fit_text(text, width=box.width, height=box.height, size=box.size,
                      min_size=box.min_size, max_lines=f.max_lines, fit=f.fit, bold=f.bold,
                      metrics=RASTER)
    _draw_lines(label, box.x, box.y, box.width, box.height, fitted, f.align, f.bold)


def _draw_barcode(label: Image.Image, b: PlacedBarcode) -> None:
    draw = ImageDraw.Draw(label)
    if b.symbology is Symbology.QR:
        rows = b.qr
        n = len(rows)
        shades = b"".join(rows).translate(_QR_SHADES)
        symbol = Image.frombytes("L", (n, n), shades).resize((b.width, b.width),
                                                              Image.Resampling.NEAREST)
        label.paste(symbol.convert("1", dither=Image.Dither.NONE), (b.x, b.y))
        return
    m, bottom = b.module, b.y + b.bar_height - 1
    for run in _DARK_RUNS.finditer(b.modules):
        draw.rectangle((b.x + run.start() * m, b.y, b.x + run.end() * m - 1, bottom),
                       fill=BLACK)
    if b.text_height:
        size = max(1, int(b.text_height / 1.17))
        fitted = fit_text(b.value, width=b.width, height=b.text_height, size=size,
                          min_size=max(1, size // 2), max_lines=1, fit="shrink", bold=False,
                          metrics=RASTER)
        _draw_lines(label, b.x, b.text_top, b.width, b.text_height, fitted, "center", False)


def render_image(template: LabelTemplate, data: Mapping[str, str],
                 dpi: int | None = None) -> Image.Image:
    """The label as a 1-bit image, exactly width x height dots at `dpi` (default: the
    template's); TemplateError when the data does not suit the template."""
    dpi = dpi or template.dpi
    boxes = field_boxes(template, dpi)
    values = check_data(template, data)
    label = Image.new("1", template.size_dots(dpi), WHITE)
    for box in boxes:
        text = field_text(box.field, values)
        if text:
            _draw_text(label, box, text)
    if template.barcode is not None:
        _draw_barcode(label, place_barcode(template.barcode, values[template.barcode.key], dpi,
                                           checked=True))
    label.info["dpi"] = (dpi, dpi)
    return label


def render_png(template: LabelTemplate, data: Mapping[str, str], dpi: int | None = None) -> bytes:
    """The label as a 1-bit PNG that records its dpi."""
    dpi = dpi or template.dpi
    out = io.BytesIO()
    render_image(template, data, dpi).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def pages_tiff(pages: list[Image.Image], dpi: int) -> bytes:
    """1-bit pages as one multi-page TIFF (CCITT group 4, dpi recorded): the payload for
    system printers, one page per label or sheet, every dot kept."""
    out = io.BytesIO()
    first, *rest = pages
    first.save(out, "TIFF", save_all=True, append_images=rest, compression="group4",
               dpi=(dpi, dpi))
    return out.getvalue()
