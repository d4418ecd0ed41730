"""Money as integer minor units plus an ISO 4217 code; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Minor-unit exponents that differ from 2 (ISO 4217); the workshop's channels sell in these.
_EXPONENT = {"JPY": 0, "KRW": 0, "HUF": 2, "BHD": 3, "KWD": 3}
_SYMBOL = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥", "AUD": "A$", "CAD": "C$"}


def exponent(currency: str) -> int:
    return _EXPONENT.get(currency.upper(), 2)


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money takes whole minor units (an int), never a float")
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError(f"{self.currency!r} is not an ISO 4217 currency code")
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def parse(cls, text: str | Decimal, currency: str) -> Money:
        """Read '1234.50' (or a Decimal) into minor units, rounding half up."""
        if isinstance(text, float):
            raise TypeError("Money.parse takes text or a Decimal, never a float")
        amount = Decimal(str(text).replace(",", "").strip())
        scaled = (amount * (10 ** exponent(currency))).quantize(Decimal(1), ROUND_HALF_UP)
        return cls(int(scaled), currency)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __mul__(self, n: int) -> Money:
        return Money(self.minor * int(n), self.currency)

    def __str__(self) -> str:
        return format_money(self.minor, self.currency)


def format_money(minor: int, currency: str) -> str:
    """'£1,234.50', '-€3.00', 'CHF 12.00': how people read money on a screen."""
    exp = exponent(currency)
    amount = Decimal(abs(minor)).scaleb(-exp)
    body = f"{amount:,.{exp}f}"
    sign = "-" if minor < 0 else ""
    symbol = _SYMBOL.get(currency.upper())
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{currency.upper()} {body}"


def percent(part: int, whole: int) -> str:
    """A share as '12.5%', or an en dash when there is no whole to share."""
    if whole == 0:
        return "–"
    return f"{Decimal(part * 100) / Decimal(whole):.1f}%"
