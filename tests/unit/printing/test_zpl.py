"""ZPL output, read back command by command: size, UTF-8, escapes, the printer's own barcodes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.printing.errors import TemplateError
from app.printing.templates import BarcodeSpec, LabelTemplate, TextField, builtin, sample_data
from app.printing.zpl import escape, render_zpl, render_zpl_labels

from .zplparse import code128_text, commands, labels


def one_label(template: LabelTemplate, data: dict[str, str], **kw) -> object:
    zpl = render_zpl(template, data, **kw).decode("utf-8")
    (label,) = labels(zpl)
    return label


def field_for(label, text_start: str):  # type: ignore[no-untyped-def]
    found = [f for f in label.fields if "A0" in f.commands and f.text.startswith(text_start)]
    assert len(found) == 1, [f.text for f in label.fields]
    return found[0]


def test_a_label_is_one_format_with_its_size_in_dots_and_utf8_text(product, product_data):
    zpl = render_zpl(product, product_data).decode("utf-8")
    names = [name for name, _ in commands(zpl)]
    assert names[0] == "XA" and names[-1] == "XZ"
    (label,) = labels(zpl)
    assert label.settings["CI"] == "28"
    assert label.settings["PW"] == "400"  # 50 mm at 203 dpi
    assert label.settings["LL"] == "200"
    assert label.settings["PQ"] == "1"


def test_at_300_dpi_the_same_template_is_measured_in_300_dpi_dots(product, product_data):
    label = one_label(product, product_data, dpi=300)
    assert (label.settings["PW"], label.settings["LL"]) == ("591", "295")


def test_copies_are_the_printers_print_quantity(product, product_data):
    assert one_label(product, product_data, copies=3).settings["PQ"] == "3"
    with pytest.raises(ValueError, match="at least 1"):
        render_zpl(product, product_data, copies=0)


def test_every_field_shows_its_value_at_its_place(product, product_data):
    label = one_label(product, product_data)
    sku = field_for(label, "SKU-MUGS")
    assert sku.origin == (16, 12)  # 2 mm, 1.5 mm
    assert sku.lines == [product_data["sku"]]
    price = field_for(label, "£")
    assert price.text == "£12.50"
    assert price.commands["FB"].split(",")[3] == "R"


def test_caret_tilde_underscore_and_backslash_in_data_cannot_break_the_format(product,
                                                                             product_data):
    title = "50% off ^XZ ~JA _5E back\\slash \\& end"
    zpl = render_zpl(product, {**product_data, "title": title}).decode("utf-8")
    label = labels(zpl)[0]  # still exactly one well-formed label
    assert len(labels(zpl)) == 1
    field = field_for(label, "50%")
    assert " ".join(field.lines) == title
    assert "^XZ ~JA" not in zpl


def test_non_ascii_text_goes_as_utf8_bytes(product, product_data):
    data = {**product_data, "title": "Zoë Øster — Ωμέγα 東京"}
    raw = render_zpl(product, data)
    assert "Zoë Øster — Ωμέγα 東京".encode() in raw
    assert field_for(labels(raw.decode())[0], "Zoë").text == "Zoë Øster — Ωμέγα 東京"


def test_an_ean13_is_drawn_by_the_printer_which_adds_the_check_digit(product, product_data):
    kind, bars = one_label(product, {**product_data, "barcode": "4006381333931"}).barcode()
    assert kind == "BE"
    assert bars.data == "400638133393"
    orientation, height, text, above = bars.commands["BE"].split(",")
    assert (orientation, text, above) == ("N", "Y", "N")
    module, _, by_height = bars.commands["BY"].split(",")
    assert module == "2" and by_height == height  # 0.25 mm at 203 dpi


def test_a_upc_a_uses_bu_and_an_ean8_b8(product, product_data):
    kind, bars = one_label(product, {**product_data, "barcode": "036000291452"}).barcode()
    assert (kind, bars.data) == ("BU", "03600029145")
    kind, bars = one_label(product, {**product_data, "barcode": "96385074"}).barcode()
    assert (kind, bars.data) == ("B8", "9638507")


@pytest.mark.parametrize("value", [
    "SKU-MUGS-250304-0001", "JD014600006281230456", "1042", "12345678", "A>B^C~D_E", "x",
    "12345ABC", "ABC12345",
])
def test_code128_field_data_encodes_the_value_exactly(product, product_data, value):
    kind, bars = one_label(product, {**product_data, "barcode": value}).barcode()
    assert kind == "BC"
    assert bars.commands["BC"].split(",")[4:] == ["N"]  # mode N: our start and switch codes
    assert not bars.hex and "^" not in bars.data and "~" not in bars.data
    assert code128_text(bars.data) == value


def test_a_long_run_of_digits_is_packed_in_code_set_c(product, product_data):
    _, bars = one_label(product, {**product_data, "barcode": "JD014600006281230456"}).barcode()
    assert bars.data == ">:JD>5014600006281230456"


def test_qr_field_data_starts_with_error_level_and_input_mode():
    ticket = builtin("job-ticket-100x75")
    data = sample_data(ticket)
    kind, qr = one_label(ticket, data).barcode()
    assert kind == "BQ"
    assert qr.commands["BQ"].split(",")[:2] == ["N", "2"]
    assert qr.commands["BQ"].split(",")[3] == "M"
    assert qr.text == f"MA,{data['task_sku']}"


def test_qr_with_non_ascii_text_goes_in_byte_mode_with_its_byte_count():
    ticket = builtin("job-ticket-100x75")
    data = {**sample_data(ticket), "task_sku": "Zoë_^~"}
    _, qr = one_label(ticket, data).barcode()
    assert qr.hex
    assert qr.text == f"MM,B{len('Zoë_^~'.encode()):04d}Zoë_^~"


def test_long_text_shrinks_then_wraps_within_its_box(product, product_data):
    short = field_for(one_label(product, product_data), "Hand")
    long_title = "Hand-thrown stoneware mug with a speckled oatmeal glaze and a chunky handle, " * 3
    long = field_for(one_label(product, {**product_data, "title": long_title.strip()}), "Hand")
    short_size, long_size = int(short.commands["A0"].split(",")[1]), \
        int(long.commands["A0"].split(",")[1])
    assert long_size < short_size
    width, max_lines = (int(v) for v in long.commands["FB"].split(",")[:2])
    assert width == 368  # the box, 46 mm
    assert max_lines <= 2 and len(long.lines) == max_lines
    assert long.lines[-1].endswith("…")


def test_an_empty_optional_field_is_left_out():
    ticket = builtin("job-ticket-100x75")
    data = {**sample_data(ticket), "personalisation": ""}
    label = one_label(ticket, data)
    assert not [f for f in label.fields if "Happy" in f.text]


def test_a_missing_field_is_refused_by_name_before_any_zpl_is_made(product, product_data):
    del product_data["price"]
    with pytest.raises(TemplateError, match="shows 'price', but the label's data has no "
                                            "'price'") as caught:
        render_zpl(product, product_data)
    assert caught.value.field == "price"


def test_an_ean_with_a_wrong_check_digit_is_refused_naming_the_field(product, product_data):
    with pytest.raises(TemplateError, match="'barcode' cannot be printed: EAN-13 4006381333932 "
                                            "has check digit 2, expected 1"):
        render_zpl(product, {**product_data, "barcode": "4006381333932"})


def test_letters_in_an_ean13_barcode_are_refused():
    template = LabelTemplate("EAN", 50, 25, fields=(), barcode=BarcodeSpec(
        "ean", "ean13", 1, 1, 48, 20))
    with pytest.raises(TemplateError, match="'A' at position 6"):
        render_zpl(template, {"ean": "40063A1333931"})


def test_a_barcode_too_long_for_its_box_is_refused_in_mm(product, product_data):
    narrow = replace(product, barcode=replace(product.barcode, width_mm=20))
    with pytest.raises(TemplateError, match=r"needs \d+\.\d mm even with the narrowest bars, "
                                            r"and its box is 20 mm wide"):
        render_zpl(narrow, {**product_data, "barcode": "SKU-MUGS-250304-0001"})


def test_a_template_that_does_not_fit_its_label_is_refused(product, product_data):
    wide = replace(product, fields=(TextField("sku", 40, 1, 20, 5),))
    with pytest.raises(TemplateError, match="The field 'sku' reaches 60 mm across; the label "
                                            "is only 50 mm wide"):
        render_zpl(wide, product_data)


def test_many_labels_make_one_payload_and_a_bad_record_stops_them_all(product, product_data):
    records = [{**product_data, "sku": f"SKU-{i}"} for i in range(5)]
    assert len(labels(render_zpl_labels(product, records).decode())) == 5
    with pytest.raises(TemplateError):
        render_zpl_labels(product, [*records, {"sku": "only"}])


def test_escape_hex_escapes_exactly_the_zpl_specials():
    assert escape("a^b~c_d\\e\tf") == "a_5Eb_7Ec_5Fd\\\\e f"
