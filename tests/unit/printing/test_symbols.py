"""Barcode encoding: our Code 128 and EAN modules match the standard, module for module."""

from __future__ import annotations

import barcode
import pytest

from app.domain.barcodes import Symbology
from app.printing.symbols import (
    START_B,
    START_C,
    code128_modules,
    code128_values,
    code128_zpl,
    gtin_modules,
)


@pytest.mark.parametrize("code", ["4006381333931", "5012345678900", "0000000000000"])
def test_ean13_modules_match_python_barcode(code):
    assert gtin_modules(code, Symbology.EAN13) == barcode.get("ean13", code[:12]).build()[0]


def test_upca_is_an_ean13_with_a_leading_zero():
    assert gtin_modules("036000291452", Symbology.UPCA) == \
        gtin_modules("0036000291452", Symbology.EAN13)


def test_ean8_has_67_modules():
    modules = gtin_modules("96385074", Symbology.EAN8)
    assert len(modules) == 67 and modules.startswith("101") and modules.endswith("101")


def test_code128_uses_set_c_for_digits_and_set_b_for_text():
    assert code128_values("1234")[0] == START_C
    assert code128_values("AB")[0] == START_B
    assert len(code128_values("12345678")) == 1 + 4 + 1  # start, four pairs, check
    assert code128_values("ABC123") == code128_values("ABC123")  # short run stays in B
    assert len(code128_values("ABC123")) == 1 + 6 + 1


def test_code128_check_character_is_the_weighted_sum_mod_103():
    values = code128_values("PJJ123C")
    # 104 + 48*1 + 42*2 + 42*3 + 17*4 + 18*5 + 19*6 + 35*7 = 879 = 8*103 + 55
    assert values[-1] == 55


def test_code128_modules_end_with_the_stop_pattern():
    modules = code128_modules(code128_values("A"))
    assert modules.endswith("1100011101011")
    assert len(modules) == 11 * 3 + 13


def test_code128_zpl_spells_specials_as_invocation_codes():
    assert code128_zpl(code128_values("A>B^C~")) == ">:A>0B><C>="
    assert code128_zpl(code128_values("AB123456CD")) == ">:AB>5123456>6CD"
