"""Labels on A4 or Letter sheets (Avery-style grids) as PDF, for ordinary office printers.

Each label is rendered as a 1-bit raster at 300 dpi and placed in its cell, centred; the
first sheet can start at any position so a part-used sheet is not wasted. Pillow writes the
pages to PDF (CCITT-compressed, so a page of 21 labels stays small). Print at 100 % (no
"fit to page"), or the grid drifts off the labels.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from app.printing.errors import TemplateError
from app.printing.raster import render_image
from app.printing.templates import LabelTemplate, mm_to_dots

SHEET_DPI = 300
_SLACK_MM = 0.5


@dataclass(frozen=True)
class SheetLayout:
    """A sheet of labels: page size, grid, label size, top-left margin and gaps, in mm."""

    name: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    left_mm: float
    top_mm: float
    column_gap_mm: float = 0.0
    row_gap_mm: float = 0.0

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def cell(self, position: int) -> tuple[float, float]:
        """Top-left corner in mm of 1-based `position`, counted left to right, top down."""
        row, column = divmod(position - 1, self.columns)
        return (self.left_mm + column * (self.label_width_mm + self.column_gap_mm),
                self.top_mm + row * (self.label_height_mm + self.row_gap_mm))


A4, LETTER = (210.0, 297.0), (215.9, 279.4)
LAYOUTS = {
    layout.name: layout for layout in (
        SheetLayout("Avery L7160 (A4, 21 per sheet, 63.5 x 38.1 mm)", *A4, 3, 7, 63.5, 38.1,
                    7.25, 15.15, 2.54, 0.0),
        SheetLayout("Avery L7159 (A4, 24 per sheet, 63.5 x 33.9 mm)", *A4, 3, 8, 63.5, 33.9,
                    7.25, 12.9, 2.54, 0.0),
        SheetLayout("Avery 5160 (Letter, 30 per sheet, 2.625 x 1 in)", *LETTER, 3, 10, 66.675,
                    25.4, 4.7625, 12.7, 3.175, 0.0),
    )
}


def layout_named(name: str) -> SheetLayout:
    """A layout by name, or by the start of its name ('Avery L7160')."""
    if name in LAYOUTS:
        return LAYOUTS[name]
    found = [layout for key, layout in LAYOUTS.items() if key.startswith(name)]
    if len(found) == 1:
        return found[0]
    raise TemplateError(f"There is no sheet layout called {name!r}; there are: "
                        f"{'; '.join(LAYOUTS)}.")


def sheet_pages(template: LabelTemplate, labels: Sequence[Mapping[str, str]],
                layout: SheetLayout, start: int = 1, dpi: int = SHEET_DPI) -> list[Image.Image]:
    """1-bit page images with one label per record, the first at position `start`.

    Every record is rendered (and so checked) before a page is returned.
    """
    if not 1 <= start <= layout.per_sheet:
        raise TemplateError(f"Position {start} is not on a {layout.name} sheet: choose 1 to "
                            f"{layout.per_sheet}.")
    if not labels:
        raise TemplateError("There are no labels to put on the sheet.")
    if (template.width_mm > layout.label_width_mm + _SLACK_MM
            or template.height_mm > layout.label_height_mm + _SLACK_MM):
        raise TemplateError(
            f"The {template.width_mm:g} x {template.height_mm:g} mm template "
            f"{template.name!r} does not fit the {layout.label_width_mm:g} x "
            f"{layout.label_height_mm:g} mm labels of {layout.name}.")
    images = [render_image(template, data, dpi) for data in labels]
    size = (mm_to_dots(layout.page_width_mm, dpi), mm_to_dots(layout.page_height_mm, dpi))
    pad_x = (layout.label_width_mm - template.width_mm) / 2
    pad_y = (layout.label_height_mm - template.height_mm) / 2
    pages = [Image.new("1", size, 1)]
    position = start
    for image in images:
        if position > layout.per_sheet:
            pages.append(Image.new("1", size, 1))
            position = 1
        x_mm, y_mm = layout.cell(position)
        pages[-1].paste(image, (mm_to_dots(x_mm + pad_x, dpi), mm_to_dots(y_mm + pad_y, dpi)))
        position += 1
    return pages


def pages_pdf(pages: Sequence[Image.Image], dpi: int) -> bytes:
    """Images as a PDF, one page each, sized so that one dot is 1/dpi inch."""
    out = io.BytesIO()
    first, *rest = pages
    first.save(out, "PDF", save_all=True, append_images=rest, resolution=float(dpi))
    return out.getvalue()


def sheet_pdf(template: LabelTemplate, labels: Sequence[Mapping[str, str]],
              layout: SheetLayout, start: int = 1, dpi: int = SHEET_DPI) -> bytes:
    """The labels on as many sheets as they need, as a PDF."""
    return pages_pdf(sheet_pages(template, labels, layout, start, dpi), dpi)


def label_pdf(template: LabelTemplate, data: Mapping[str, str], copies: int = 1,
              dpi: int | None = None) -> bytes:
    """One label per page, the page the size of the label, `copies` pages."""
    if copies < 1:
        raise ValueError(f"copies must be at least 1, not {copies}")
    dpi = dpi or template.dpi
    image = render_image(template, data, dpi)
    return pages_pdf([image] * copies, dpi)
