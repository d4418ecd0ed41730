"""Money: integer minor units with a currency, read and shown the way people write it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import Money, exponent, format_money, percent


@pytest.mark.parametrize(("minor", "currency", "shown"), [
    (123450, "GBP", "£1,234.50"),
    (123450, "EUR", "€1,234.50"),
    (123450, "USD", "$1,234.50"),
    (5, "GBP", "£0.05"),
    (0, "EUR", "€0.00"),
    (123456, "JPY", "¥123,456"),
    (1200, "CHF", "CHF 12.00"),
    (1200, "chf", "CHF 12.00"),
    (1234, "BHD", "BHD 1.234"),
    (100000000, "USD", "$1,000,000.00"),
])
def test_money_is_shown_with_symbol_grouping_and_the_currencys_decimals(minor, currency, shown):
    assert format_money(minor, currency) == shown


@pytest.mark.parametrize(("minor", "currency", "shown"), [
    (-300, "EUR", "-€3.00"),
    (-123450, "GBP", "-£1,234.50"),
    (-7, "USD", "-$0.07"),
    (-500, "JPY", "-¥500"),
    (-1200, "CHF", "-CHF 12.00"),
])
def test_negative_money_is_shown_with_the_sign_before_the_symbol(minor, currency, shown):
    assert format_money(minor, currency) == shown


def test_money_str_is_its_formatted_form():
    assert str(Money(250, "gbp")) == "£2.50"
    assert Money(250, "gbp").currency == "GBP"


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("1234.50", "GBP", 123450),
    ("1,234.50", "GBP", 123450),
    (" 12 ", "EUR", 1200),
    ("1.005", "GBP", 101),
    ("1.004", "GBP", 100),
    ("2.345", "USD", 235),
    ("0.125", "EUR", 13),
    ("-1.005", "GBP", -101),
    ("-0.125", "EUR", -13),
    ("1234.5", "JPY", 1235),
    ("1234.4", "JPY", 1234),
    ("1.2345", "BHD", 1235),
    (Decimal("19.995"), "USD", 2000),
])
def test_parse_rounds_half_up_to_whole_minor_units(text, currency, minor):
    assert Money.parse(text, currency) == Money(minor, currency)


def test_money_refuses_floats_and_bools_as_minor_units():
    with pytest.raises(TypeError):
        Money(12.5, "GBP")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(12.0, "GBP")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "GBP")


def test_parse_refuses_a_float():
    with pytest.raises(TypeError):
        Money.parse(0.1 + 0.2, "GBP")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["GB", "POUND", "12€", ""])
def test_money_refuses_what_is_not_a_currency_code(code):
    with pytest.raises(ValueError):
        Money(100, code)


def test_money_adds_and_subtracts_within_one_currency():
    assert Money(150, "GBP") + Money(250, "GBP") == Money(400, "GBP")
    assert Money(150, "GBP") - Money(250, "GBP") == Money(-100, "GBP")
    assert Money(150, "EUR") * 3 == Money(450, "EUR")


def test_adding_or_subtracting_different_currencies_raises():
    with pytest.raises(ValueError, match="EUR"):
        Money(100, "GBP") + Money(100, "EUR")
    with pytest.raises(ValueError, match="USD"):
        Money(100, "GBP") - Money(100, "USD")


def test_amount_is_an_exact_decimal():
    assert Money(123450, "GBP").amount == Decimal("1234.50")
    assert Money(1234, "JPY").amount == Decimal("1234")
    assert exponent("jpy") == 0


def test_percent_shows_one_decimal_and_a_dash_when_there_is_no_whole():
    assert percent(1, 8) == "12.5%"
    assert percent(0, 5) == "0.0%"
    assert percent(3, 0) == "–"


CURRENCIES = st.sampled_from(["GBP", "EUR", "USD", "JPY", "BHD", "CHF"])
MINOR = st.integers(min_value=-10**15, max_value=10**15)


@given(minor=MINOR, currency=CURRENCIES)
def test_parsing_an_amount_gives_back_the_same_money(minor, currency):
    money = Money(minor, currency)
    assert Money.parse(str(money.amount), currency) == money
    assert Money.parse(money.amount, currency) == money


@given(minor=MINOR, currency=CURRENCIES)
def test_parsing_what_is_shown_gives_back_the_same_money(minor, currency):
    shown = format_money(minor, currency)
    sign = "-" if shown.startswith("-") else ""
    digits = shown.lstrip("-").lstrip("£€$¥").removeprefix(f"{currency} ")
    assert Money.parse(sign + digits, currency) == Money(minor, currency)
