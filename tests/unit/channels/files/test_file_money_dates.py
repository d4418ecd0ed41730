"""Money and dates as the channels write them in their reports: minor units, aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.channels.date_text import DateError, parse_iso, parse_month_first, parse_month_named
from app.channels.money_text import MoneyError, marked_currency, parse_money

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("12.50", "USD", 1250),
    ("12.5", "USD", 1250),
    ("12", "USD", 1200),
    (".5", "USD", 50),
    ("", "USD", 0),
    ("  7.00 ", "GBP", 700),
    ("$1,234.50", "USD", 123450),
    ("-$3.00", "USD", -300),
    ("$-3.00", "USD", -300),
    ("(3.00)", "USD", -300),
    ("£12.00", "GBP", 1200),
    ("US $12.00", "USD", 1200),
    ("AU $5.00", "AUD", 500),
    ("C $4.10", "CAD", 410),
    ("EUR 12,50", "EUR", 1250),
    ("1.234,50 €", "EUR", 123450),
    ("1 234,56", "EUR", 123456),
    ("1'234.50", "CHF", 123450),
    ("1,234", "USD", 123400),
    ("1234", "JPY", 1234),
    ("¥1,234", "JPY", 1234),
    ("1.234", "BHD", 1234),
    ("0.005", "USD", 1),  # half up, never float
    ("2.675", "USD", 268),
])
def test_money_text_is_read_into_minor_units(text, currency, minor):
    assert parse_money(text, currency) == minor


@pytest.mark.parametrize(("text", "currency"), [
    ("abc", "USD"), ("-", "USD"), ("1,2,3", "USD"), ("1.234.5", "USD"), ("12..5", "USD"),
    ("NaN", "USD"), ("1e5", "USD"), ("Infinity", "USD"), ("(3.00", "USD"), ("$$3", "USD"),
    ("£3.00", "USD"), ("$3.00", "EUR"), ("EUR 3,00", "GBP"), ("3.00 USD $", "USD"),
])
def test_text_that_is_not_money_in_that_currency_is_refused(text, currency):
    with pytest.raises(MoneyError):
        parse_money(text, currency)


def test_a_refusal_quotes_the_cell():
    with pytest.raises(MoneyError, match=r"^'12,3x' is not an amount of money$"):
        parse_money("12,3x", "USD")


@pytest.mark.parametrize(("text", "code"), [
    ("£12.00", "GBP"), ("US $1.00", "USD"), ("AU $1.00", "AUD"), ("EUR 1,00", "EUR"),
    ("1,00 €", "EUR"), ("$1.00", None), ("1.00", None), ("junk", None),
])
def test_the_currency_a_cell_names_is_read_from_its_symbol(text, code):
    assert marked_currency(text) == code


amounts = st.integers(min_value=-10**12, max_value=10**12)


@given(amounts)
def test_us_style_money_reads_back_exactly(minor):
    sign = "-" if minor < 0 else ""
    text = f"{sign}${Decimal(abs(minor)).scaleb(-2):,.2f}"
    assert parse_money(text, "USD") == minor


@given(amounts)
def test_european_style_money_reads_back_exactly(minor):
    body = f"{Decimal(abs(minor)).scaleb(-2):,.2f}".translate(str.maketrans(",.", ".,"))
    text = ("-" if minor < 0 else "") + body + " €"
    assert parse_money(text, "EUR") == minor


@given(amounts, st.sampled_from(["USD", "JPY", "BHD", "GBP"]))
def test_plain_decimals_read_back_exactly_in_each_currencys_exponent(minor, currency):
    exp = {"JPY": 0, "BHD": 3}.get(currency, 2)
    text = str(Decimal(minor).scaleb(-exp)) if exp else str(minor)
    assert parse_money(text, currency) == minor


@pytest.mark.parametrize(("parse", "text", "expected"), [
    (parse_iso, "2024-03-05 14:22:10 -0500", datetime(2024, 3, 5, 19, 22, 10, tzinfo=UTC)),
    (parse_iso, "2024-03-05T14:22:10-08:00", datetime(2024, 3, 5, 22, 22, 10, tzinfo=UTC)),
    (parse_iso, "2024-03-05T14:22:10Z", datetime(2024, 3, 5, 14, 22, 10, tzinfo=UTC)),
    (parse_iso, "2024-03-05T14:22:10.123+00:00", datetime(2024, 3, 5, 14, 22, 10, tzinfo=UTC)),
    (parse_iso, "2024-03-05 14:22", datetime(2024, 3, 5, 19, 22, tzinfo=UTC)),
    (parse_iso, "2024-07-05", datetime(2024, 7, 5, 4, 0, tzinfo=UTC)),  # summer time
    (parse_month_first, "11/03/24", datetime(2024, 11, 3, 4, 0, tzinfo=UTC)),
    (parse_month_first, "03/11/2024", datetime(2024, 3, 11, 4, 0, tzinfo=UTC)),
    (parse_month_first, "3/1/2024 2:05 PM", datetime(2024, 3, 1, 19, 5, tzinfo=UTC)),
    (parse_month_first, "2024-03-11 00:00:00", datetime(2024, 3, 11, 4, 0, tzinfo=UTC)),
    (parse_month_named, "Mar-05-24", datetime(2024, 3, 5, 5, 0, tzinfo=UTC)),
    (parse_month_named, "Mar-05-2024", datetime(2024, 3, 5, 5, 0, tzinfo=UTC)),
    (parse_month_named, "Sep-30-26 23:45:00 PDT", datetime(2026, 10, 1, 6, 45, tzinfo=UTC)),
    (parse_month_named, "05-Mar-24", datetime(2024, 3, 5, 5, 0, tzinfo=UTC)),
    (parse_month_named, "Mar 05, 2024", datetime(2024, 3, 5, 5, 0, tzinfo=UTC)),
])
def test_each_channels_dates_become_aware_utc(parse, text, expected):
    moment = parse(text, NEW_YORK)
    assert moment == expected
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(("parse", "text"), [
    (parse_iso, "2024-13-45"), (parse_iso, "2024-02-30"), (parse_iso, "05/03/2024x"),
    (parse_iso, "2024-03-05 14:22:10 -05xx"), (parse_iso, "2024-03-05 25:00"),
    (parse_month_first, "13/45/24"), (parse_month_first, "yesterday"),
    (parse_month_first, "3/1/2024 13:05 PM"), (parse_month_named, "Foo-05-24"),
    (parse_month_named, "Mar-32-24"), (parse_month_named, "Mar-05-24 10:00 XYZ"),
])
def test_text_that_is_not_a_date_is_refused_with_the_cell_quoted(parse, text):
    with pytest.raises(DateError, match=r"is not a date$"):
        parse(text, UTC)


def test_a_date_without_a_zone_is_the_shops_local_time():
    assert parse_month_first("07/04/24", ZoneInfo("Europe/London")) == datetime(
        2024, 7, 3, 23, 0, tzinfo=UTC)
    assert parse_month_first("07/04/24") == datetime(2024, 7, 4, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
       st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15))
def test_shopifys_created_at_reads_back_to_the_same_instant(moment, offset_minutes):
    zone = timezone(timedelta(minutes=offset_minutes))
    local = moment.replace(microsecond=0, tzinfo=zone)
    text = local.strftime("%Y-%m-%d %H:%M:%S %z")
    assert parse_iso(text) == local
