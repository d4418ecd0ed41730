"""Task SKUs made from a pattern setting such as `SKU-{category}-{yyMMdd}-{seq}`.

A pattern is checked when it is saved, so that every SKU it makes fits the column, uses
only safe characters and has a counter or random part; the database's unique constraint
plus a retry (see `collision_retry`) does the rest.
"""

from __future__ import annotations

import difflib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.domain.errors import DomainError

DEFAULT_PATTERN = "SKU-{category}-{yyMMdd}-{seq}"
TEMPLATE_PATTERN = "SKU{rand:8}"  # the original template's form: SKU and eight random digits

SKU_MAX = 80  # the length of supplier_tasks.sku

# What each token becomes, for the pattern dialog's cheat sheet.
TOKENS = {
    "{category}": "category code, upper-case letters and digits, e.g. TSHIRTS",
    "{supplier}": "supplier short code, e.g. KILNCO",
    "{order}": "order number without '#', e.g. 1042",
    "{yyMMdd}": "date the task was made, e.g. 250314",
    "{yyyyMMdd}": "date with the full year, e.g. 20250314",
    "{yy}": "year, two digits",
    "{yyyy}": "year, four digits",
    "{MM}": "month, two digits",
    "{dd}": "day of the month, two digits",
    "{seq}": "counter for this pattern, four digits at least: 0001",
    "{seq:N}": "counter padded to N digits",
    "{rand:N}": "N random digits",
}

# Longest text a value token can give; longer values are cut so SKUs stay within SKU_MAX.
CATEGORY_MAX, SUPPLIER_MAX, ORDER_MAX = 16, 8, 20
SEQ_PADDING = 4
SEQ_PLAUSIBLE_DIGITS = 7  # ten million tasks under one pattern
_FIXED_WIDTH = {"category": CATEGORY_MAX, "supplier": SUPPLIER_MAX, "order": ORDER_MAX,
                "yyMMdd": 6, "yyyyMMdd": 8, "yy": 2, "yyyy": 4, "MM": 2, "dd": 2}
_DATED = {"yyMMdd", "yyyyMMdd", "dd"}  # tokens that make a new SKU space every day
_SCOPED = _DATED | {"order"}  # ... or for every order
_EMPTY_VALUE = "NONE"  # what {supplier} and friends give when there is no value yet

_LITERAL_OK = re.compile(r"[A-Za-z0-9_./-]")
_ORDER_DROP = re.compile(r"[^A-Za-z0-9_./-]")
_COUNTED = re.compile(r"(seq|rand):(\d{1,3})")
_RAND_MIN, _RAND_ANYWHERE = 4, 6  # digits for a day's / an order's tasks, and for all time


@dataclass(frozen=True)
class _Token:
    name: str  # category, supplier, ..., seq, rand
    digits: int = 0  # seq padding or rand length


def _parse(pattern: str) -> tuple[list[str | _Token], list[str]]:
    """The pattern as literal text and tokens, plus its problems in words."""
    parts: list[str | _Token] = []
    problems: list[str] = []
    unknown: list[str] = []
    bad_chars: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "{":
            close, reopen = pattern.find("}", i + 1), pattern.find("{", i + 1)
            if close == -1 or -1 < reopen < close:
                problems.append(f"The '{{' at character {i + 1} is never closed with '}}'.")
                i += 1
                continue
            token = _token(pattern[i + 1:close])
            if token is None:
                unknown.append(pattern[i:close + 1])
            elif isinstance(token, str):
                problems.append(token)
            else:
                parts.append(token)
            i = close + 1
        elif ch == "}":
            problems.append(f"The '}}' at character {i + 1} has no '{{' before it.")
            i += 1
        else:
            if not _LITERAL_OK.fullmatch(ch) and ch not in bad_chars:
                bad_chars.append(ch)
            parts.append(ch)
            i += 1
    if unknown:
        problems.insert(0, _unknown_message(unknown))
    if bad_chars:
        shown = _and([_show_char(c) for c in bad_chars])
        problems.append(f"{shown[0].upper()}{shown[1:]} cannot be part of a SKU: "
                        "use letters A-Z, digits, '-', '_', '.' or '/'.")
    return parts, problems


def _token(body: str) -> _Token | str | None:
    """A token, a problem with a known token (str), or None for an unknown one."""
    if body in _FIXED_WIDTH:
        return _Token(body)
    if body == "seq":
        return _Token("seq", SEQ_PADDING)
    if body == "rand":
        return "{rand} needs a number of digits, e.g. {rand:6}."
    counted = _COUNTED.fullmatch(body)
    if counted is None:
        return None
    return _Token(counted[1], int(counted[2]))


def _unknown_message(unknown: list[str]) -> str:
    lowered = {t.lower(): t for t in TOKENS}
    named = []
    for text in unknown:
        guess = lowered.get(text.lower()) or next(
            iter(difflib.get_close_matches(text, list(TOKENS), n=1, cutoff=0.6)), None)
        named.append(f"{text} (did you mean {guess}?)" if guess else text)
    verb = "is not a token" if len(named) == 1 else "are not tokens"
    return f"{_and(named)} {verb}. Use: {', '.join(TOKENS)}."


def _show_char(ch: str) -> str:
    return "a space" if ch == " " else f"'{ch}'"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _longest(parts: list[str | _Token]) -> int:
    """The SKU's length when every value is as long as it plausibly gets."""
    total = 0
    for part in parts:
        if isinstance(part, str):
            total += len(part)
        elif part.name == "seq":
            total += max(part.digits, SEQ_PLAUSIBLE_DIGITS)
        elif part.name == "rand":
            total += part.digits
        else:
            total += _FIXED_WIDTH[part.name]
    return total


def _uniqueness_problem(names: set[str], rand_digits: int) -> str | None:
    """Why the pattern could not keep giving different SKUs, if it could not."""
    if "seq" in names:
        return None
    if "rand" not in names:
        of = " of a day" if names & _DATED else ""
        return f"This pattern would give every task{of} the same SKU: add {{seq}} or {{rand:6}}."
    if rand_digits < _RAND_MIN:
        return (f"Only {rand_digits} random digit{'' if rand_digits == 1 else 's'}: "
                "collisions would be likely. Use {rand:6} or more, or add {seq}.")
    if rand_digits < _RAND_ANYWHERE and not names & _SCOPED:
        return (f"{rand_digits} random digits allow only {10 ** rand_digits:,} different SKUs "
                "in all, and they would soon run out: use {rand:8}, or add {seq} or a date "
                "such as {yyMMdd}.")
    return None


def validate(pattern: str) -> tuple[str, ...]:
    """What is wrong with a SKU pattern, one sentence per problem; empty when it is fine."""
    if not pattern.strip():
        return (f"The SKU pattern is empty. Try {DEFAULT_PATTERN} or {TEMPLATE_PATTERN}.",)
    parts, problems = _parse(pattern)
    tokens = [p for p in parts if isinstance(p, _Token)]
    names = {t.name for t in tokens}
    rand_digits = sum(t.digits for t in tokens if t.name == "rand")
    # A mistyped {seq...} or {rand...} has had its own message already.
    if not re.search(r"\{(seq|rand)\b", pattern) or names & {"seq", "rand"}:
        unique = _uniqueness_problem(names, rand_digits)
        if unique:
            problems.append(unique)
    longest = _longest(parts)
    if longest > SKU_MAX:
        problems.append(f"With long values this pattern makes SKUs of up to {longest} "
                        f"characters, more than the {SKU_MAX} a SKU can hold: shorten it.")
    return tuple(problems)


def _checked(pattern: str) -> list[str | _Token]:
    problems = validate(pattern)
    if problems:
        raise DomainError(f"The SKU pattern {pattern!r} cannot be used. " + " ".join(problems))
    return _parse(pattern)[0]


def short_code(text: str, size: int) -> str:
    """'T-Shirts & Tops' -> 'TSHIRTSTOPS': upper-case A-Z and digits, at most size long."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.upper() if c.isalnum())[:size]


def order_code(number: str) -> str:
    """'#1042' -> '1042': the order number with only the characters a SKU may hold."""
    plain = unicodedata.normalize("NFKD", number).encode("ascii", "ignore").decode()
    return _ORDER_DROP.sub("", plain)[:ORDER_MAX]


def random_digits(n: int) -> str:
    """n digits from the system's secure source, for {rand:N}."""
    return "".join(secrets.choice("0123456789") for _ in range(n))


def render(pattern: str, *, category: str, supplier: str, order: str, on: date, seq: int,
           rand: Callable[[int], str]) -> str:
    """The SKU the pattern makes for these values; DomainError if the pattern is invalid.

    `category` and `supplier` are cut down with `short_code`, `order` with `order_code`;
    `seq` is the pattern's counter and `rand(n)` must give n digits.
    """
    if seq < 0:
        raise ValueError(f"the SKU counter cannot be negative ({seq})")
    values = {
        "category": short_code(category, CATEGORY_MAX) or _EMPTY_VALUE,
        "supplier": short_code(supplier, SUPPLIER_MAX) or _EMPTY_VALUE,
        "order": order_code(order) or _EMPTY_VALUE,
        "yyMMdd": f"{on.year % 100:02d}{on.month:02d}{on.day:02d}",
        "yyyyMMdd": f"{on.year:04d}{on.month:02d}{on.day:02d}",
        "yy": f"{on.year % 100:02d}", "yyyy": f"{on.year:04d}",
        "MM": f"{on.month:02d}", "dd": f"{on.day:02d}",
    }
    out = []
    for part in _checked(pattern):
        if isinstance(part, str):
            out.append(part)
        elif part.name == "seq":
            out.append(f"{seq:0{part.digits}d}")
        elif part.name == "rand":
            digits = rand(part.digits)
            if len(digits) != part.digits or not digits.isascii() or not digits.isdigit():
                raise ValueError(f"rand({part.digits}) gave {digits!r}, not {part.digits} digits")
            out.append(digits)
        else:
            out.append(values[part.name])
    sku = "".join(out)
    if len(sku) > SKU_MAX:
        raise DomainError(f"The SKU {sku} is {len(sku)} characters long; at most {SKU_MAX} "
                          "fit. Shorten the SKU pattern in Settings.")
    return sku


def _example_digits(n: int) -> str:
    return ("4827391056" * (n // 10 + 1))[:n]


def preview(pattern: str, *, on: date, category: str = "MUGS", supplier: str = "KILNCO",
            order: str = "#1042", seq: int = 1) -> str:
    """An example SKU for the pattern dialog; DomainError if the pattern is invalid."""
    return render(pattern, category=category, supplier=supplier, order=order, on=on, seq=seq,
                  rand=_example_digits)


def collision_retry(pattern: str) -> Literal["seq", "rand"]:
    """What to change when a SKU is already taken: the next counter, or new random digits."""
    names = {p.name for p in _checked(pattern) if isinstance(p, _Token)}
    return "seq" if "seq" in names else "rand"
