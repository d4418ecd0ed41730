"""Barcode values: GTIN check digits computed and enforced, Code 128 and QR limits in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.barcodes import (
    BarcodeError,
    Symbology,
    detect_kind,
    gtin_check_digit,
    validate,
    validate_code128,
    validate_gtin,
    validate_qr,
    with_check_digit,
)
from app.domain.errors import DomainError


@pytest.mark.parametrize(("body", "digit"), [
    ("400638133393", 1),  # EAN-13 4006381333931
    ("501234567890", 0),  # EAN-13 5012345678900
    ("03600029145", 2),  # UPC-A 036000291452
    ("9638507", 4),  # EAN-8 96385074
    ("000000000000", 0),
])
def test_check_digit_follows_gs1_mod_10(body, digit):
    assert gtin_check_digit(body) == digit


def test_with_check_digit_completes_a_gtin():
    assert with_check_digit("400638133393") == "4006381333931"
    assert with_check_digit("03600029145", Symbology.UPCA) == "036000291452"
    assert with_check_digit("9638507", Symbology.EAN8) == "96385074"
    with pytest.raises(ValueError, match="12 digits before its check digit, not 13"):
        with_check_digit("4006381333931")


def test_a_wrong_ean13_check_digit_is_refused_saying_which_digit_was_expected():
    with pytest.raises(BarcodeError) as caught:
        validate_gtin("4006381333932", Symbology.EAN13)
    assert str(caught.value) == "EAN-13 4006381333932 has check digit 2, expected 1"
    assert isinstance(caught.value, DomainError)
    assert caught.value.symbology is Symbology.EAN13


def test_a_letter_in_an_ean_is_refused_naming_the_letter_and_its_position():
    with pytest.raises(BarcodeError, match=r"EAN-13 '40063A1333931' has 'A' at position 6: "
                                           r"an EAN-13 is digits only"):
        validate_gtin("40063A1333931", Symbology.EAN13)


def test_a_upc_with_a_letter_reads_a_upc_a():
    with pytest.raises(BarcodeError, match="a UPC-A is digits only"):
        validate_gtin("03600029145X", Symbology.UPCA)


def test_an_ean_of_the_wrong_length_says_how_many_digits_it_needs():
    with pytest.raises(BarcodeError, match=r"'40063813339' has 11 digits; it needs 13 "
                                           r"\(12 and a check digit\)"):
        validate_gtin("40063813339", Symbology.EAN13)


def test_full_width_digits_are_not_digits_for_a_barcode():
    with pytest.raises(BarcodeError, match="digits only"):
        validate_gtin("４００６３８１３３３９３１", Symbology.EAN13)


def test_upc_a_and_ean_8_are_checked_like_ean_13():
    assert validate_gtin("036000291452", Symbology.UPCA) == "036000291452"
    assert validate_gtin("96385074", Symbology.EAN8) == "96385074"
    with pytest.raises(BarcodeError, match="UPC-A 036000291453 has check digit 3, expected 2"):
        validate_gtin("036000291453", Symbology.UPCA)


def test_code128_takes_printable_ascii_and_refuses_the_rest_in_words():
    assert validate_code128("SKU-MUGS-250304-0001 ^~>_") == "SKU-MUGS-250304-0001 ^~>_"
    with pytest.raises(BarcodeError,
                       match=r"Code 128 cannot hold 'é' \(character 4 of 'Café-01'\)"):
        validate_code128("Café-01")
    with pytest.raises(BarcodeError, match="U\\+0009"):
        validate_code128("A\tB")
    with pytest.raises(BarcodeError, match="needs at least one character"):
        validate_code128("")
    with pytest.raises(BarcodeError, match="at most 80"):
        validate_code128("X" * 81)


def test_qr_holds_unicode_up_to_its_capacity():
    assert validate_qr("Zoë — 東京") == "Zoë — 東京"
    with pytest.raises(BarcodeError, match="holds at most 1273"):
        validate_qr("x" * 1274, "H")
    with pytest.raises(BarcodeError, match="needs some text"):
        validate_qr("")


def test_validate_dispatches_on_the_symbology_name():
    assert validate("ean13", "4006381333931") == "4006381333931"
    assert validate(Symbology.CODE128, "A-03-2") == "A-03-2"
    assert validate("qr", "https://example.com/t/1") == "https://example.com/t/1"
    with pytest.raises(ValueError):
        validate("pdf417", "x")


@pytest.mark.parametrize(("value", "kind"), [
    ("4006381333931", Symbology.EAN13),
    ("036000291452", Symbology.UPCA),
    ("96385074", Symbology.EAN8),
    ("96385075", Symbology.CODE128),  # 8 digits, not a valid EAN-8: an internal number
    ("SKU-MUGS-0001", Symbology.CODE128),
    ("1042", Symbology.CODE128),
])
def test_detect_kind_finds_retail_codes_and_falls_back_to_code128(value, kind):
    assert detect_kind(value) is kind


def test_detect_kind_refuses_a_mistyped_ean13_rather_than_printing_it_as_code128():
    with pytest.raises(BarcodeError, match="check digit 2, expected 1"):
        detect_kind("4006381333932")


def test_detect_kind_refuses_what_no_symbology_can_hold():
    with pytest.raises(BarcodeError, match="Code 128 cannot hold"):
        detect_kind("Tasse à café")


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_every_completed_ean13_validates_and_any_other_last_digit_does_not(body):
    code = with_check_digit(body)
    assert validate_gtin(code, Symbology.EAN13) == code
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(BarcodeError):
        validate_gtin(wrong, Symbology.EAN13)


def test_one_article_is_found_however_its_code_was_stored():
    from app.domain.barcodes import same_code

    upc = "036000291452"
    assert set(same_code(upc)) == {upc, "0" + upc, "00" + upc}
    assert upc in same_code("0" + upc)  # an EAN-13 scanner's reading of the UPC-A
    assert same_code("WS12345X") == ("WS12345X",)  # an own Code 128 is only itself
    assert same_code("12345678") == ("12345678",)  # EAN-8 stays apart from longer codes
