"""Raster labels: exact size in dots, barcodes a real reader decodes, text that stays in its box."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw

from app.printing.fonts import missing_glyphs
from app.printing.raster import pages_tiff, render_image, render_png
from app.printing.symbols import place_barcode
from app.printing.templates import (
    BarcodeSpec,
    LabelTemplate,
    builtin,
    builtin_templates,
    mm_to_dots,
    sample_data,
)

DPIS = pytest.mark.parametrize("dpi", [203, 300])
FORMATS = {"code128": zxingcpp.BarcodeFormat.Code128, "ean13": zxingcpp.BarcodeFormat.EAN13,
           "upca": zxingcpp.BarcodeFormat.UPCA, "ean8": zxingcpp.BarcodeFormat.EAN8,
           "qr": zxingcpp.BarcodeFormat.QRCode}


def decoded(image: Image.Image, only: str | None = None) -> list[tuple[str, str]]:
    """What a real reader makes of the image (told the symbology when `only` is given: a
    UPC-A is an EAN-13 starting with 0 unless the reader looks for UPC-A)."""
    kw = {"formats": FORMATS[only]} if only else {}
    found = [(r.format.name, r.text) for r in zxingcpp.read_barcodes(image.convert("L"), **kw)]
    # zxing-cpp 3 gives a UPC-A as its GTIN-13 ('0' in front)
    return [(f, t[1:] if f == "UPCA" and len(t) == 13 else t) for f, t in found]


def label_with(symbology: str, value: str, module_mm: float = 0.25) -> LabelTemplate:
    return LabelTemplate("Test", 60, 30, barcode=BarcodeSpec(
        "code", symbology, 2, 2, 56, 26, module_mm=module_mm))


def black_outside(image: Image.Image, boxes: list[tuple[int, int, int, int]]) -> bool:
    """Whether any dot is black outside all of these (x, y, width, height) boxes."""
    ink = ImageChops.invert(image.convert("L"))
    draw = ImageDraw.Draw(ink)
    for x, y, w, h in boxes:
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=0)
    return ink.getbbox() is not None


def boxes_of(template: LabelTemplate, dpi: int) -> list[tuple[int, int, int, int]]:
    parts = [*template.fields, *([template.barcode] if template.barcode else [])]
    return [(mm_to_dots(p.x_mm, dpi), mm_to_dots(p.y_mm, dpi), mm_to_dots(p.width_mm, dpi),
             mm_to_dots(p.height_mm, dpi)) for p in parts]


@DPIS
def test_the_image_is_exactly_the_label_in_dots_and_1_bit(product, product_data, dpi):
    image = render_image(product, product_data, dpi)
    assert image.mode == "1"
    assert image.size == (mm_to_dots(50, dpi), mm_to_dots(25, dpi))
    assert image.info["dpi"] == (dpi, dpi)


@DPIS
@pytest.mark.parametrize(("symbology", "value"), [
    ("code128", "SKU-MUGS-250304-0001"),
    ("code128", "JD014600006281230456"),
    ("code128", "A>B^C~D_E {x|y}"),
    ("code128", "1042"),
    ("ean13", "4006381333931"),
    ("ean13", "5012345678900"),
    ("upca", "036000291452"),
    ("ean8", "96385074"),
    ("qr", "SKU-KILNCO-250304-0001"),
    ("qr", "https://example.com/t/1042?x=Zoë — 東京"),
])
def test_a_real_reader_decodes_every_barcode_to_its_value(symbology, value, dpi):
    image = render_image(label_with(symbology, value), {"code": value}, dpi)
    assert decoded(image) == [(FORMATS[symbology].name, value)] or symbology == "upca"
    assert decoded(image, only=symbology) == [(FORMATS[symbology].name, value)]


@DPIS
def test_the_product_label_barcode_decodes_as_ean13_or_code128(product, product_data, dpi):
    assert decoded(render_image(product, product_data, dpi)) == [("EAN13", "4006381333931")]
    sku = {**product_data, "barcode": product_data["sku"]}
    assert decoded(render_image(product, sku, dpi)) == [("Code128", product_data["sku"])]


@DPIS
def test_built_in_templates_decode_with_their_sample_data(dpi):
    for name, template in builtin_templates().items():
        data = sample_data(template)
        found = decoded(render_image(template, data, dpi))
        assert [text for _, text in found] == [data[template.barcode.key]], name


@DPIS
def test_bars_are_whole_dots_of_one_module_width(dpi):
    template = label_with("code128", "SKU-MUGS-0001", module_mm=0.5)
    image = render_image(template, {"code": "SKU-MUGS-0001"}, dpi)
    placed = place_barcode(template.barcode, "SKU-MUGS-0001", dpi)
    row = [image.getpixel((x, placed.y + 5)) for x in range(image.width)]
    runs, start = [], 0
    for x in range(1, len(row) + 1):
        if x == len(row) or row[x] != row[start]:
            runs.append(x - start)
            start = x
    inner = runs[1:-1]  # between the white margins
    assert all(run % placed.module == 0 for run in inner)
    assert sum(inner) == placed.width


def test_barcodes_shrink_to_narrower_whole_dot_bars_to_fit_their_box():
    wide = label_with("code128", "SKU-MUGS-250304-0001", module_mm=1.0)
    placed = place_barcode(wide.barcode, "SKU-MUGS-250304-0001", 203)
    assert placed.module < mm_to_dots(1.0, 203)
    assert placed.width + 20 * placed.module <= mm_to_dots(56, 203)


def test_non_ascii_text_is_drawn_with_real_glyphs(product, product_data):
    text = "Zoë Øster — Ωμέγα"
    assert missing_glyphs(text) == ""
    accented = render_image(product, {**product_data, "title": text})
    plain = render_image(product, {**product_data, "title": "Zoe Oster - Omega"})
    assert ImageChops.difference(accented.convert("L"), plain.convert("L")).getbbox()


def test_cjk_text_without_a_cjk_font_still_renders_inside_its_box(product, product_data):
    image = render_image(product, {**product_data, "title": "東京 " * 30})
    assert not black_outside(image, boxes_of(product, 203))


LONG = {
    "spaces": "Hand-thrown stoneware mug with a speckled oatmeal glaze and a chunky handle " * 6,
    "no spaces": "W" * 300,
    "lines": "line\n" * 40,
    "accents": "Ÿĳŀŉǅǈ ÅÉÎÕÜ ģķļņŗ ÞÐ ﬁﬂ " * 10,
    "tall marks": "ǺǻǼǽǾǿ Ậậ Ặặ ẞ gjpqy ÇȘȚ " * 8,
}


@DPIS
@pytest.mark.parametrize("kind", list(LONG))
def test_text_longer_than_the_label_never_leaves_its_box(kind, dpi):
    for template in builtin_templates().values():
        data = {key: LONG[kind] for key in sample_data(template)}
        data[template.barcode.key] = sample_data(template)[template.barcode.key]
        image = render_image(template, data, dpi)
        assert not black_outside(image, boxes_of(template, dpi)), template.name


@settings(max_examples=25, deadline=None)
@given(st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")),
               min_size=1, max_size=200))
def test_any_title_stays_inside_the_title_box(title):
    product = builtin("product-50x25")
    data = {**sample_data(product), "title": title}
    image = render_image(product, data)
    assert not black_outside(image, boxes_of(product, 203))


def test_a_right_aligned_price_ends_at_the_right_of_its_box(product, product_data):
    image = render_image(product, {**product_data, "price": "£1"})
    box = boxes_of(product, 203)[1]
    crop = ImageChops.invert(image.crop((box[0], box[1], box[0] + box[2], box[1] + box[3]))
                             .convert("L"))
    left, _, right, _ = crop.getbbox()
    assert right >= box[2] - 2 and left > box[2] // 2


def test_png_and_tiff_keep_every_dot_and_the_dpi(product, product_data):
    image = render_image(product, product_data)
    png = Image.open(io.BytesIO(render_png(product, product_data)))
    assert round(png.info["dpi"][0]) == 203
    assert not ImageChops.difference(png.convert("L"), image.convert("L")).getbbox()
    tiff = Image.open(io.BytesIO(pages_tiff([image, image], 203)))
    assert tiff.n_frames == 2
    assert not ImageChops.difference(tiff.convert("L"), image.convert("L")).getbbox()


def test_the_bin_label_shows_the_location_large(product_data):
    template = builtin("bin-100x50")
    image = render_image(template, {"location": "A-03-2"})
    top = ImageChops.invert(image.crop((0, 0, image.width, mm_to_dots(22, 203))).convert("L"))
    _, y0, _, y1 = top.getbbox()
    assert y1 - y0 > mm_to_dots(10, 203)  # letters over a centimetre tall


def test_a_template_at_another_dpi_scales_positions_not_dots():
    template = replace(builtin("product-50x25"), dpi=300)
    assert render_image(template, sample_data(template)).size == (591, 295)
    assert render_image(template, sample_data(template), 203).size == (400, 200)
