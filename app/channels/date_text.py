"""Dates as the channels write them in their reports, read into timezone-aware UTC datetimes.

A date with an offset keeps it; one without is the shop's local time (`shop_tz`), which the
caller passes (a zoneinfo.ZoneInfo, or UTC by default). Every reader also accepts ISO 8601,
so a file that went through a spreadsheet and came back with ISO dates still reads.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache


class DateError(ValueError):
    """A cell that should hold a date does not."""


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Zone abbreviations eBay and Amazon print after a time; anything else is refused.
_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 60, "IST": 60, "CET": 60, "CEST": 120, "EET": 120,
    "EEST": 180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420,
    "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
    "AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480, "NZST": 720,
    "NZDT": 780, "JST": 540,
}
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?$")
_SLASHED = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\s*([AaPp][Mm]))?)?\s*([A-Z]{2,5}|[+-]\d{2}:?\d{2})?$")
_MONTH_NAMED = re.compile(
    r"^(?:([A-Za-z]{3})[- ](\d{1,2})|(\d{1,2})[- ]([A-Za-z]{3}))[-, ]+(\d{2}|\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([A-Z]{2,5}|[+-]\d{2}:?\d{2})?$")


@lru_cache(maxsize=64)
def _offset(minutes: int) -> timezone:
    return UTC if minutes == 0 else timezone(timedelta(minutes=minutes))


def _zone(text: str | None, shop_tz: tzinfo) -> tzinfo:
    if not text:
        return shop_tz
    if text in _ABBREVIATIONS:
        return _offset(_ABBREVIATIONS[text])
    if text[0] in "+-" and text[1:].replace(":", "").isdigit():
        digits = text[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        return _offset(-minutes if text[0] == "-" else minutes)
    raise ValueError(text)


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _build(year: int, month: int, day: int, hour: int, minute: int, second: int,
           zone: tzinfo) -> datetime:
    moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    return moment if zone is UTC else moment.astimezone(UTC)


def _fail(text: str) -> DateError:
    return DateError(f"{text!r} is not a date")


def parse_iso(text: str, shop_tz: tzinfo = UTC) -> datetime:
    """'2024-03-05T14:22:10-08:00', '2024-03-05 14:22:10 -0500', '2024-03-05Z', '2024-03-05'."""
    s = text.strip()
    if len(s) == 25 and s[10] == " " and s[19] == " " and s[20] in "+-":  # Shopify's own
        try:
            sign = -1 if s[20] == "-" else 1
            zone = _offset(sign * (int(s[21:23]) * 60 + int(s[23:25])))
            return _build(int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]),
                          int(s[14:16]), int(s[17:19]), zone)
        except ValueError:
            raise _fail(text) from None
    match = _ISO.match(s)
    if not match:
        raise _fail(text)
    y, mo, d, h, mi, sec, zone_text = match.groups()
    try:
        return _build(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0),
                      _zone(zone_text, shop_tz))
    except ValueError:
        raise _fail(text) from None


def parse_month_first(text: str, shop_tz: tzinfo = UTC) -> datetime:
    """Etsy's '11/03/24' or '03/11/2024' (month first, maybe a time); ISO as well."""
    s = text.strip()
    match = _SLASHED.match(s)
    if not match:
        return parse_iso(s, shop_tz) if s[:4].isdigit() else _raise(text)
    mo, d, y, h, mi, sec, half, zone_text = match.groups()
    try:
        hour = int(h or 0)
        if half:
            if not 1 <= hour <= 12:
                raise ValueError(text)
            hour = hour % 12 + (12 if half.lower() == "pm" else 0)
        return _build(_year(y), int(mo), int(d), hour, int(mi or 0), int(sec or 0),
                      _zone(zone_text, shop_tz))
    except ValueError:
        raise _fail(text) from None


def parse_month_named(text: str, shop_tz: tzinfo = UTC) -> datetime:
    """eBay's 'Mar-05-24', 'Mar-05-24 14:02:11 PDT', '05-Mar-24', 'Mar 05, 2024'; ISO as well."""
    s = text.strip()
    match = _MONTH_NAMED.match(s)
    if not match:
        if s[:4].isdigit():
            return parse_iso(s, shop_tz)
        if "/" in s:
            return parse_month_first(s, shop_tz)
        raise _fail(text)
    mon1, d1, d2, mon2, y, h, mi, sec, zone_text = match.groups()
    month = _MONTHS.get((mon1 or mon2).lower())
    try:
        if month is None:
            raise ValueError(text)
        return _build(_year(y), month, int(d1 or d2), int(h or 0), int(mi or 0),
                      int(sec or 0), _zone(zone_text, shop_tz))
    except ValueError:
        raise _fail(text) from None


def _raise(text: str) -> datetime:
    raise _fail(text)

