"""Money as the channels write it in their reports, read into integer minor units.

'$1,234.50', '-£3.00', '(3.00)', 'US $12.00', 'EUR 12,50', '1.234,50 €' and plain '12.5' all
go through Decimal (never float) into the minor units of the order's currency.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.money import exponent

_EXPONENTS: dict[str, int] = {}


class MoneyError(ValueError):
    """A cell that should hold an amount of money does not."""


# What a channel may write before or after the number, and the currency it names.
# A bare '$' names no currency of its own (USD, AUD, CAD... all write it).
_MARKS = {
    "$": None, "US$": "USD", "AU$": "AUD", "A$": "AUD", "C$": "CAD", "CA$": "CAD",
    "NZ$": "NZD", "£": "GBP", "€": "EUR", "¥": "JPY", "kr": None, "zł": "PLN",
}
_DOLLARS = {"USD", "AUD", "CAD", "NZD", "HKD", "SGD", "MXN"}

_SHAPE = re.compile(
    r"""^(?P<open>\()?\s*(?P<sign>[-+−])?\s*
        (?P<pre>[A-Z]{1,3}\s?\$|[A-Z]{3}|[$£€¥])?\s*(?P<sign2>[-+−])?\s*
        (?P<num>[0-9][0-9.,'\u00a0\u202f ]*|[.,][0-9]+)\s*
        (?P<post>[A-Z]{3}|[$£€¥]|kr|zł)?\s*(?P<close>\))?$""",
    re.VERBOSE,
)
_GROUPED = re.compile(r"^[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*$")


def marked_currency(text: str) -> str | None:
    """The ISO code a money cell names by its symbol or code ('£3' is GBP, '$3' names none)."""
    match = _SHAPE.match(text.strip())
    if not match:
        return None
    return _named(match["pre"] or match["post"])


def _named(mark: str | None) -> str | None:
    if not mark:
        return None
    mark = mark.replace(" ", "")
    return _MARKS.get(mark, mark if mark.isalpha() and mark.isupper() else None)


def parse_money(text: str, currency: str) -> int:
    """Minor units of `currency` from the text of one cell; '' is zero.

    Raises MoneyError for text that is not an amount, or that names another currency.
    """
    exp = _EXPONENTS.get(currency)
    if exp is None:
        exp = _EXPONENTS[currency] = exponent(currency)
    s = text.strip()
    if not s:
        return 0
    fast = _plain(s, exp)
    if fast is not None:
        return fast
    match = _SHAPE.match(s)
    if not match or (match["open"] is None) != (match["close"] is None):
        raise MoneyError(f"{text!r} is not an amount of money")
    if match["pre"] and match["post"]:
        raise MoneyError(f"{text!r} is not an amount of money")
    mark = match["pre"] or match["post"]
    if mark:
        named = _named(mark)
        if named is None and mark == "$" and currency.upper() not in _DOLLARS:
            raise MoneyError(f"{text!r} is in dollars, not {currency.upper()}")
        if named is not None and named != currency.upper():
            raise MoneyError(f"{text!r} is in {named}, not {currency.upper()}")
    number = _normalise(match["num"], text)
    negative = bool(match["open"]) or (match["sign"] or match["sign2"] or "") in ("-", "−")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not an amount of money") from None
    scaled = (amount.scaleb(exp)).quantize(Decimal(1), ROUND_HALF_UP)
    return -int(scaled) if negative else int(scaled)


def _plain(s: str, exp: int) -> int | None:
    """'12.50' or '-3' read without Decimal; None for anything fancier."""
    whole, dot, frac = s.partition(".")
    if not (whole.isascii() and frac.isascii()) or (whole in ("", "-") and not frac):
        return None
    if len(frac) == exp:
        digits = whole + frac
    elif not dot:
        digits = whole + "0" * exp
    elif 0 < len(frac) < exp:
        digits = whole + frac.ljust(exp, "0")
    else:
        return None
    if digits[0] == "-":
        return -int(digits[1:]) if digits[1:].isdigit() else None
    return int(digits) if digits.isdigit() else None


def _normalise(num: str, text: str) -> str:
    """'1.234,50' -> '1234.50'; '1,234.50' -> '1234.50'; '12,50' -> '12.50'."""
    num = num.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    last_dot, last_comma = num.rfind("."), num.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
    elif last_comma >= 0:
        tail = num[last_comma + 1:]
        decimal_mark = "," if num.count(",") == 1 and len(tail) != 3 else ""
    elif last_dot >= 0:
        decimal_mark = "." if num.count(".") == 1 else ""
    else:
        decimal_mark = ""
    if decimal_mark:
        whole, _, frac = num.rpartition(decimal_mark)
    else:
        whole, frac = num, ""
    if not frac.isdigit() and frac:
        raise MoneyError(f"{text!r} is not an amount of money")
    if whole and not whole.isdigit():
        if not _GROUPED.match(whole) or (decimal_mark and decimal_mark in whole):
            raise MoneyError(f"{text!r} is not an amount of money")
        whole = whole.replace(".", "").replace(",", "")
    return f"{whole or '0'}.{frac or '0'}"
