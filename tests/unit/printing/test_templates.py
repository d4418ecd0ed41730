"""Label templates: the built-ins load, JSON round-trips, and bad templates or data are refused
in words naming the field."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.printing.errors import TemplateError
from app.printing.templates import (
    BarcodeSpec,
    LabelTemplate,
    TextField,
    builtin,
    builtin_templates,
    check_data,
    check_template,
    load_template,
    mm_to_dots,
    sample_data,
    save_template,
    template_from_dict,
    template_problems,
    template_to_dict,
)


def test_the_four_built_in_templates_load_and_check():
    found = builtin_templates()
    assert set(found) == {"product-50x25", "bin-100x50", "job-ticket-100x75", "parcel-100x150"}
    assert (found["product-50x25"].width_mm, found["product-50x25"].height_mm) == (50, 25)
    assert (found["parcel-100x150"].width_mm, found["parcel-100x150"].height_mm) == (100, 150)
    assert found["job-ticket-100x75"].barcode.symbology == "qr"
    assert found["bin-100x50"].barcode.symbology == "code128"
    for template in found.values():
        assert check_template(template) is template
        assert check_data(template, sample_data(template))


def test_the_product_label_reads_sku_title_price_and_barcode(product):
    assert set(product.keys) == {"sku", "title", "price", "barcode"}


def test_a_template_survives_a_json_round_trip(tmp_path, product):
    path = tmp_path / "mine.json"
    save_template(product, path)
    assert load_template(path) == product
    assert json.loads(path.read_text("utf-8"))["fields"][0]["key"] == "sku"


def test_a_template_without_a_barcode_round_trips_without_one():
    plain = LabelTemplate("Plain", 50, 25, fields=(TextField("sku", 1, 1, 40, 5),))
    assert "barcode" not in template_to_dict(plain)
    assert template_from_dict(template_to_dict(plain)) == plain


def test_exact_dots_are_mm_over_25_4_times_dpi_rounded():
    assert mm_to_dots(50, 203) == 400  # 399.6
    assert mm_to_dots(25, 203) == 200  # 199.8
    assert mm_to_dots(50, 300) == 591  # 590.55
    assert mm_to_dots(100, 203) == 799  # 799.2


def test_an_unknown_setting_in_json_is_named():
    raw = template_to_dict(builtin("product-50x25"))
    raw["fields"][1]["colour"] = "red"
    with pytest.raises(TemplateError, match=r"field 2 \('price'\) has unknown setting\(s\) colour"):
        template_from_dict(raw)


def test_a_setting_of_the_wrong_type_is_named():
    raw = template_to_dict(builtin("product-50x25"))
    raw["fields"][0]["size"] = "big"
    with pytest.raises(TemplateError, match="'size' should be float, not 'big'"):
        template_from_dict(raw)


def test_a_field_without_a_position_is_refused():
    with pytest.raises(TemplateError, match="field 1 \\('sku'\\) lacks 'x_mm'"):
        template_from_dict({"name": "x", "width_mm": 50, "height_mm": 25,
                            "fields": [{"key": "sku", "y_mm": 1, "width_mm": 2,
                                        "height_mm": 3}]})


def test_unreadable_json_says_which_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(TemplateError, match=r"broken\.json cannot be read"):
        load_template(path)


def test_a_field_outside_the_label_is_refused_naming_it(product):
    tall = replace(product, fields=(*product.fields, TextField("attributes", 2, 22, 40, 5)))
    with pytest.raises(TemplateError) as caught:
        check_template(tall)
    assert "The field 'attributes' reaches 27 mm down; the label is only 25 mm tall." \
        in str(caught.value)
    assert caught.value.field == "attributes"


def test_a_box_too_short_for_its_smallest_font_is_refused(product):
    squashed = replace(product, fields=(TextField("sku", 1, 1, 40, 1, size=10, min_size=8),))
    assert template_problems(squashed) == (
        "The field 'sku' is 1 mm tall, too short for one line even at its smallest size 8 pt "
        "(3.4 mm).",)


def test_every_problem_is_listed_at_once():
    bad = LabelTemplate("Bad", 50, 25, dpi=150, fields=(
        TextField("sku", 1, 1, 40, 5, align="middle", fit="squash"),
        TextField("", 1, 1, 4, 5)),
        barcode=BarcodeSpec("sku", "pdf417", 1, 10, 48, 10, module_mm=0))
    problems = template_problems(bad)
    assert "The template is set to 150 dpi; label printers print at 203 or 300." in problems
    assert "The field 'sku' has fit 'squash'; use 'shrink' or 'wrap'." in problems
    assert "The field 'sku' has alignment 'middle'; use 'left', 'center' or 'right'." in problems
    assert "A field has no data key: say which value it shows (e.g. 'sku')." in problems
    assert any("symbology 'pdf417'" in p for p in problems)
    assert any("bars 0 mm wide" in p for p in problems)


def test_check_data_names_the_missing_field_and_lists_what_there_is(product, product_data):
    del product_data["title"]
    with pytest.raises(TemplateError, match=r"shows 'title', but the label's data has no 'title' "
                                            r"\(it has: barcode, price, sku\)"):
        check_data(product, product_data)


def test_check_data_refuses_an_empty_required_field(product, product_data):
    with pytest.raises(TemplateError, match="has an empty 'sku'"):
        check_data(product, {**product_data, "sku": ""})


def test_an_empty_optional_field_is_fine():
    ticket = builtin("job-ticket-100x75")
    data = sample_data(ticket)
    del data["personalisation"]
    assert check_data(ticket, data)["personalisation"] == ""


def test_check_data_refuses_a_barcode_value_its_symbology_cannot_hold(product, product_data):
    with pytest.raises(TemplateError, match="'barcode' cannot be printed: Code 128 cannot hold "
                                            "'é'") as caught:
        check_data(product, {**product_data, "barcode": "Café-01"})
    assert caught.value.field == "barcode"


def test_check_data_refuses_a_missing_barcode_value(product, product_data):
    del product_data["barcode"]
    with pytest.raises(TemplateError, match="encodes 'barcode' in its barcode, but the label's "
                                            "data has no 'barcode'"):
        check_data(product, product_data)


def test_an_unknown_built_in_lists_the_ones_there_are():
    with pytest.raises(TemplateError, match="no built-in label template 'nope'; there are: "
                                            "bin-100x50, job-ticket"):
        builtin("nope")


def test_sample_data_suits_the_barcode_symbology():
    upc = LabelTemplate("UPC", 50, 25, barcode=BarcodeSpec("code", "upca", 1, 1, 48, 20))
    assert sample_data(upc) == {"code": "036000291452"}
    check_data(upc, sample_data(upc))
