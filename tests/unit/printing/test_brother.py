"""Brother QL raster: brother-ql-next with Pillow 13, images shaped for the tape, bars intact."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from brother_ql.reader import BrotherQLReader
from PIL import Image

from app.printing.brother import fit_to_label, label_problem, models, render_ql
from app.printing.errors import TemplateError
from app.printing.raster import render_image
from app.printing.templates import builtin, sample_data


def printed(instructions: bytes, tmp_path) -> list[Image.Image]:  # type: ignore[no-untyped-def]
    """The pages a QL printer would print, decoded back by brother_ql's own reader."""
    reader = BrotherQLReader(io.BufferedReader(io.BytesIO(instructions)))  # type: ignore[arg-type]
    reader.filename_fmt = str(tmp_path / "page{counter:04d}.png")
    reader.analyse()
    return [Image.open(p) for p in sorted(tmp_path.glob("page*.png"))]


def decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.mark.parametrize("label", ["62", "29x90", "62x29", "29"])
def test_ql_raster_prints_a_barcode_that_still_scans(product, product_data, tmp_path, label,
                                                     capsys):
    image = render_image(product, product_data, 300)
    pages = printed(render_ql([image, image], "QL-820NWB", label), tmp_path)
    assert len(pages) == 2
    assert decode(pages[0]) == [product_data["barcode"]]


def test_the_image_is_turned_when_it_only_fits_sideways(product, product_data):
    image = render_image(product, product_data, 300)  # 591 x 295 dots
    fitted = fit_to_label(image, "29x90")  # printable 306 x 991
    assert fitted.size == (306, 991)
    assert fit_to_label(image, "62").size == (696, 295)


def test_content_in_the_unprintable_margin_is_refused_not_cut_off():
    parcel = builtin("parcel-100x150")
    image = render_image(parcel, sample_data(parcel), 300)
    with pytest.raises(TemplateError, match="too wide for the printable area of 62mm endless"):
        fit_to_label(image, "62")


def test_unknown_models_and_labels_are_refused_with_the_choices():
    assert "QL-700" in models()
    assert "is not a Brother QL model we know" in label_problem("QL-9", "62")
    assert "'63' is not a Brother label size" in label_problem("QL-700", "63")
    assert "fits only" in label_problem("QL-700", "102")
    assert label_problem("QL-700", "62") is None
    with pytest.raises(TemplateError, match="'QL-9' is not a Brother QL model"):
        render_ql([Image.new("1", (696, 200), 1)], "QL-9", "62")
