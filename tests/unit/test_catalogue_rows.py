"""Catalogue imports are checked whole before anything is applied; exports carry no formulas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.catalogue_rows import (
    CatalogueRow,
    Problem,
    cell_text,
    check_rows,
    parse_price,
    safe_cell,
    safe_row,
)
from app.domain.errors import DomainError
from app.domain.money import Money

HEADER = ["SKU", "Title", "Category", "Barcode", "Price", "Quantity"]
CATEGORIES = {"Cups", "T-shirts"}


def ean13_ok(code: str) -> bool:
    """A stand-in check-digit rule for EAN-13, as the barcode module will supply."""
    if len(code) != 13 or not code.isdigit():
        raise ValueError(f"{code} is not 13 digits long.")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])


def check(rows, header=HEADER, **kw):
    kw.setdefault("currency", "GBP")
    kw.setdefault("categories", CATEGORIES)
    kw.setdefault("barcode_check", ean13_ok)
    return check_rows(header, rows, **kw)


GOOD = ["MUG-RED", "Red mug", "cups", "4006381333931", "12.50", "4"]


def test_a_clean_file_gives_its_rows_parsed():
    result = check([GOOD, ["TEE-S", "Tee", "T-shirts", None, None, None]])
    assert result.ok
    assert result.rows == (
        CatalogueRow(2, "MUG-RED", "Red mug", "Cups", "4006381333931", Money(1250, "GBP"),
                     None, 4),
        CatalogueRow(3, "TEE-S", "Tee", "T-shirts"),
    )


def test_rows_are_numbered_as_the_spreadsheet_shows_them_and_blank_rows_are_skipped():
    result = check([GOOD, [None] * 6, ["", "  ", None], ["", "No sku", "", "", "", ""]])
    assert result.problems == (Problem(5, "SKU", "The SKU is missing."),)


def test_a_missing_sku_is_a_problem():
    (p,) = check([["", "Mug", "", "", "", ""]]).problems
    assert (p.row, p.column, p.message) == (2, "SKU", "The SKU is missing.")
    assert str(p) == "Row 2, SKU: The SKU is missing."


def test_an_overlong_sku_is_a_problem():
    (p,) = check([["X" * 81]]).problems
    assert "81 characters" in p.message


def test_a_file_without_a_sku_column_is_refused_at_the_header():
    result = check([["Mug"]], header=["Title"])
    assert result.problems == (Problem(1, "sku", "There is no sku column: the first row must "
                                                 "name the columns."),)
    assert result.rows == ()


def test_a_column_named_twice_is_a_problem():
    (p,) = check([["A", "B"]], header=["sku", "SKU"]).problems
    assert (p.row, p.column) == (1, "SKU")


def test_columns_the_import_does_not_read_are_reported_not_refused():
    result = check([["A", "blue"]], header=["sku", "Colour"])
    assert result.ok
    assert result.ignored_columns == ("Colour",)


def test_an_unknown_category_is_a_problem_naming_the_known_ones():
    (p,) = check([["A", "", "Cupz"]]).problems
    assert (p.row, p.column) == (2, "Category")
    assert p.message == "'Cupz' is not a category (known: Cups, T-shirts)."


def test_unknown_categories_can_be_allowed_and_are_listed_to_create():
    result = check([["A", "", "Hats"], ["B", "", "hats"], ["C", "", "Cups"]],
                   allow_new_categories=True)
    assert result.ok
    assert result.new_categories == ("Hats",)
    assert [r.category for r in result.rows] == ["Hats", "Hats", "Cups"]


@pytest.mark.parametrize(("text", "message"), [
    ("-3", "-3 is negative; a quantity is 0 or more."),
    ("2.5", "'2.5' is not a whole number of units."),
    ("lots", "'lots' is not a number of units."),
])
def test_a_bad_quantity_is_a_problem(text, message):
    (p,) = check([["A", "", "", "", "", text]]).problems
    assert (p.column, p.message) == ("Quantity", message)


def test_quantities_from_a_spreadsheet_may_be_whole_floats():
    (row,) = check([["A", "", "", "", "", 3.0]]).rows
    assert row.quantity == 3


def test_a_bad_check_digit_is_a_problem():
    (p,) = check([["A", "", "", "4006381333932"]]).problems
    assert (p.column, p.message) == ("Barcode", "4006381333932 is not a valid barcode: its "
                                                "check digit is wrong.")


def test_a_barcode_the_validator_rejects_gives_its_reason():
    (p,) = check([["A", "", "", "12345"]]).problems
    assert p.message == "12345 is not 13 digits long."


def test_barcodes_are_read_from_number_cells_and_without_spaces():
    rows = check([["A", "", "", 4006381333931], ["B", "", "", "4006 3813 3393 1"]]).rows
    assert [r.barcode for r in rows] == ["4006381333931", "4006381333931"]


def test_by_default_a_retail_barcode_must_have_the_right_check_digit():
    result = check_rows(["sku", "barcode"], [["A", "4006381333931"], ["B", "036000291452"],
                                             ["C", "4006381333932"], ["D", "INT-0042"]],
                        currency="GBP", categories=())
    assert [(p.row, p.column) for p in result.problems] == [(4, "barcode")]
    assert "check digit 2, expected 1" in result.problems[0].message


def test_without_a_validator_barcodes_are_taken_as_they_are():
    (row,) = check([["A", "", "", "123"]], barcode_check=None).rows
    assert row.barcode == "123"


@pytest.mark.parametrize("text", ["12.5.0", "abc", "-1", "12.505", "$4", "1,2345"])
def test_bad_price_text_is_a_problem(text):
    (p,) = check([["A", "", "", "", text]]).problems
    assert p.column == "Price"


@pytest.mark.parametrize(("text", "minor"), [
    ("12.50", 1250), ("12", 1200), ("£12.50", 1250), ("12.50 GBP", 1250), ("gbp 3", 300),
    ("1,234.50", 123450), ("12,50", 1250), (".5", 50), (12.5, 1250), (Decimal("9.99"), 999),
])
def test_prices_are_read_as_people_write_them(text, minor):
    (row,) = check([["A", "", "", "", text]]).rows
    assert row.price == Money(minor, "GBP")


def test_price_messages_say_what_is_wrong():
    with pytest.raises(DomainError, match="more than 2 decimal places"):
        parse_price("1.234", "GBP")
    with pytest.raises(DomainError, match="is in EUR, but prices here are in GBP"):
        parse_price("EUR 3", "GBP")
    with pytest.raises(DomainError, match="negative"):
        parse_price("-£3", "GBP")
    assert parse_price("¥1200", "JPY") == Money(1200, "JPY")
    with pytest.raises(DomainError, match="more than 0 decimal places"):
        parse_price("12.5", "JPY")


def test_a_cost_column_is_read_like_a_price():
    (row,) = check([["A", "3.20"]], header=["sku", "cost"]).rows
    assert row.cost == Money(320, "GBP")


def test_a_duplicate_sku_is_a_problem_on_its_second_row():
    result = check([GOOD, ["TEE-S"], ["MUG-RED"], ["mug-red"]])
    assert [(p.row, p.message) for p in result.problems] == [
        (4, "MUG-RED is also on row 2; each SKU may appear once."),
        (5, "mug-red is also on row 2 (as MUG-RED); each SKU may appear once."),
    ]


def test_every_problem_is_reported_and_no_row_is_returned():
    result = check([
        ["", "", "Cupz", "1", "x", "-1"],
        GOOD,
    ])
    assert not result.ok
    assert result.rows == ()
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "SKU"), (2, "Category"), (2, "Barcode"), (2, "Price"), (2, "Quantity")]


def test_short_rows_are_read_as_blank_cells():
    (row,) = check([["A"]]).rows
    assert row == CatalogueRow(2, "A")


def test_cell_text_reads_spreadsheet_values_as_typed():
    assert cell_text(None) == ""
    assert cell_text(12.0) == "12"
    assert cell_text(12.5) == "12.5"
    assert cell_text(Decimal("1E+2")) == "100"
    assert cell_text("  x ") == "x"


# --- exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\rx",
                                  "=HYPERLINK(\"http://x\")"])
def test_a_cell_that_could_run_as_a_formula_is_made_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [12, -3, Decimal("-1.50"), 2.5, None, "-3", "+44", "-0.5",
                                   "Red mug", "a=b", "", "1-2"])
def test_numbers_and_ordinary_text_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_a_row_is_made_safe_cell_by_cell():
    assert safe_row(["MUG", "=2*3", 4]) == ["MUG", "'=2*3", 4]


@given(st.text())
def test_no_safe_text_cell_starts_a_formula_unless_it_is_a_plain_number(text):
    out = safe_cell(text)
    if out and out[0] in "=+-@\t\r":
        assert out == text
        Decimal(text)  # a number, harmless
