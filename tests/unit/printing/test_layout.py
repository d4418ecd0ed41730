"""Fitting text: full size when it fits, smaller when not, then wrapped, then cut with '…'."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.printing.fonts import ADVANCES, RASTER, missing_glyphs
from app.printing.layout import ELLIPSIS, fit_text

BOTH = pytest.mark.parametrize("metrics", [RASTER, ADVANCES], ids=["raster", "advances"])


def fit(text: str, metrics, *, width=300, height=60, size=24, min_size=12, max_lines=2,  # type: ignore[no-untyped-def]
        fit="shrink"):
    return fit_text(text, width=width, height=height, size=size, min_size=min_size,
                    max_lines=max_lines, fit=fit, bold=False, metrics=metrics)


@BOTH
def test_short_text_keeps_its_size_on_one_line(metrics):
    fitted = fit("SKU-1", metrics)
    assert (fitted.size, fitted.lines, fitted.truncated) == (24, ("SKU-1",), False)


@BOTH
def test_shrink_makes_a_longer_text_smaller_before_wrapping_it(metrics):
    text = "Hand-thrown stoneware mug"
    fitted = fit(text, metrics)
    assert fitted.lines == (text,)
    assert 12 <= fitted.size < 24
    assert metrics.width(text, fitted.size, False) <= 300
    assert metrics.width(text, fitted.size + 1, False) > 300  # the largest size that fits


@BOTH
def test_shrink_then_wraps_when_even_the_smallest_size_is_too_wide(metrics):
    text = "Hand-thrown stoneware mug with a speckled oatmeal glaze and a handle"
    fitted = fit(text, metrics)
    assert len(fitted.lines) == 2
    assert " ".join(fitted.lines) == text
    assert not fitted.truncated


@BOTH
def test_wrap_wraps_at_full_size_first(metrics):
    fitted = fit("Hand-thrown stoneware mug", metrics, fit="wrap")
    assert fitted.size == 24
    assert fitted.lines == ("Hand-thrown stoneware", "mug")


@BOTH
def test_text_too_long_for_any_size_ends_in_an_ellipsis(metrics):
    fitted = fit("word " * 80, metrics)
    assert fitted.truncated and fitted.size == 12
    assert len(fitted.lines) == 2
    assert fitted.lines[-1].endswith(ELLIPSIS)


@BOTH
def test_hard_line_breaks_are_kept(metrics):
    fitted = fit("1 High St\nLondon", metrics, max_lines=3, height=100)
    assert fitted.lines == ("1 High St", "London")


@BOTH
def test_a_word_wider_than_the_box_is_cut_into_pieces(metrics):
    fitted = fit("X" * 60, metrics, max_lines=4, height=200, fit="wrap")
    assert "".join(fitted.lines) == "X" * 60
    assert all(metrics.width(line, fitted.size, False) <= 300 for line in fitted.lines)


@BOTH
def test_the_box_height_limits_the_lines_as_well_as_max_lines(metrics):
    line = metrics.line_height(12, False)
    fitted = fit("word " * 80, metrics, max_lines=10, height=line * 3)
    assert len(fitted.lines) == 3


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
                    max_size=120),
       width=st.integers(20, 400), lines=st.integers(1, 4), fit_mode=st.sampled_from(
           ["shrink", "wrap"]))
def test_whatever_the_text_every_line_fits_the_box(text, width, lines, fit_mode):
    for metrics in (RASTER, ADVANCES):
        fitted = fit(text, metrics, width=width, height=lines * 40, size=30, min_size=10,
                     max_lines=lines, fit=fit_mode)
        assert len(fitted.lines) <= lines
        assert len(fitted.lines) * fitted.line_height <= lines * 40
        assert all(metrics.width(line, fitted.size, False) <= width
                   for line in fitted.lines if line)


def test_the_label_font_has_latin_greek_and_cyrillic_but_not_cjk():
    assert missing_glyphs("Zoë Øster — Ωμέγα · Жж · £€ · ñ ł ß") == ""
    assert missing_glyphs("東京 Zoë") == "東京"
