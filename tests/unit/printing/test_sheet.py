"""Sheets of labels: a grid on A4 or Letter, as many pages as needed, starting anywhere."""

from __future__ import annotations

import re

import pytest
from PIL import ImageChops

from app.printing.errors import TemplateError
from app.printing.sheet import (
    LAYOUTS,
    label_pdf,
    layout_named,
    sheet_pages,
    sheet_pdf,
)
from app.printing.templates import builtin, mm_to_dots, sample_data

L7160 = layout_named("Avery L7160")


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def cell_has_ink(page, layout, position: int) -> bool:  # type: ignore[no-untyped-def]
    x, y = layout.cell(position)
    box = (mm_to_dots(x, 300), mm_to_dots(y, 300), mm_to_dots(x + layout.label_width_mm, 300),
           mm_to_dots(y + layout.label_height_mm, 300))
    return ImageChops.invert(page.crop(box).convert("L")).getbbox() is not None


def test_the_common_layouts_are_there_and_fit_their_pages():
    assert {(lay.per_sheet, lay.page_width_mm) for lay in LAYOUTS.values()} == {
        (21, 210.0), (24, 210.0), (30, 215.9)}
    for lay in LAYOUTS.values():
        right, bottom = lay.cell(lay.per_sheet)
        assert right + lay.label_width_mm <= lay.page_width_mm
        assert bottom + lay.label_height_mm <= lay.page_height_mm


def test_labels_fill_as_many_sheets_as_they_need(product, product_data):
    assert pdf_pages(sheet_pdf(product, [product_data] * 21, L7160)) == 1
    assert pdf_pages(sheet_pdf(product, [product_data] * 22, L7160)) == 2


def test_a_part_used_sheet_is_filled_from_the_start_position(product, product_data):
    pages = sheet_pages(product, [product_data] * 5, L7160, start=19)
    assert len(pages) == 2
    first, second = pages
    assert [cell_has_ink(first, L7160, p) for p in range(1, 22)] == [False] * 18 + [True] * 3
    assert [cell_has_ink(second, L7160, p) for p in range(1, 5)] == [True, True, False, False]
    assert pdf_pages(sheet_pdf(product, [product_data] * 5, L7160, start=19)) == 2


def test_pages_are_the_paper_size_at_300_dpi(product, product_data):
    a4 = sheet_pages(product, [product_data], L7160)[0]
    letter = sheet_pages(product, [product_data], layout_named("Avery 5160"))[0]
    assert a4.size == (2480, 3508)
    assert letter.size == (2550, 3300)


def test_a_start_position_off_the_sheet_is_refused(product, product_data):
    with pytest.raises(TemplateError, match=r"Position 22 is not on a Avery L7160 .* choose 1 "
                                            r"to 21"):
        sheet_pages(product, [product_data], L7160, start=22)


def test_a_template_bigger_than_the_sheets_labels_is_refused(product_data):
    parcel = builtin("parcel-100x150")
    with pytest.raises(TemplateError, match=r"100 x 150 mm template .* does not fit the 63\.5 x "
                                            r"38\.1 mm labels"):
        sheet_pages(parcel, [sample_data(parcel)], L7160)


def test_an_unknown_layout_lists_the_known_ones():
    with pytest.raises(TemplateError, match="no sheet layout called 'Avery 9999'; there are: "):
        layout_named("Avery 9999")


def test_a_label_pdf_has_a_label_sized_page_per_copy(product, product_data):
    pdf = label_pdf(product, product_data, copies=3)
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 3
    media = re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)
    assert media is not None
    width_pt, height_pt = float(media[1]), float(media[2])
    assert abs(width_pt / 72 * 25.4 - 50) < 0.2 and abs(height_pt / 72 * 25.4 - 25) < 0.2
