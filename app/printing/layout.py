"""Fitting text into a box: shrink, wrap, and as a last resort cut with an ellipsis.

Shared by the ZPL and raster renderers, each with its own way of measuring, so that long
text never runs off a label whichever way it is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from app.printing.fonts import Metrics
from app.printing.templates import LabelTemplate, TextField, check_template, mm_to_dots

ELLIPSIS = "…"


@dataclass(frozen=True)
class FieldBox:
    """A text field placed on the label in the printer's dots."""

    field: TextField
    x: int
    y: int
    width: int
    height: int
    size: int
    min_size: int


@lru_cache(maxsize=64)
def field_boxes(template: LabelTemplate, dpi: int) -> tuple[FieldBox, ...]:
    """Where each text field goes at `dpi` (the template checked first)."""
    check_template(template)
    return tuple(
        FieldBox(f, mm_to_dots(f.x_mm, dpi), mm_to_dots(f.y_mm, dpi),
                 mm_to_dots(f.width_mm, dpi), mm_to_dots(f.height_mm, dpi),
                 f.size_dots(f.size, dpi, template.dpi),
                 f.size_dots(f.min_size, dpi, template.dpi))
        for f in template.fields)


@dataclass(frozen=True)
class FittedText:
    size: int  # font size (em) in dots
    lines: tuple[str, ...]
    line_height: int  # dots from one line's top to the next's
    truncated: bool = False


def _break_word(word: str, width: int, size: int, bold: bool, m: Metrics) -> list[str] | None:
    """A word too long for a line, cut into pieces that each fit; None if a character alone
    is wider than the line."""
    pieces = []
    while word:
        if m.width(word[0], size, bold) > width:
            return None
        lo, hi = 1, len(word)  # the longest prefix that fits (at least one character)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if m.width(word[:mid], size, bold) <= width:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(word[:lo])
        word = word[lo:]
    return pieces


def wrap(text: str, width: int, size: int, bold: bool, m: Metrics,
         limit: int | None = None) -> list[str] | None:
    """Greedy word wrap; hard line breaks are kept. Stops early past `limit` lines; None
    when some character is wider than the line by itself."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if m.width(candidate, size, bold) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            if m.width(word, size, bold) <= width:
                line = word
            else:
                pieces = _break_word(word, width, size, bold, m)
                if pieces is None:
                    return None
                *full, line = pieces
                lines += full
            if limit is not None and len(lines) > limit:
                return lines
        lines.append(line)
    return lines


def _one_line_each(text: str, width: int, size: int, bold: bool, m: Metrics) -> list[str] | None:
    lines = [" ".join(p.split()) for p in text.split("\n")]
    return lines if all(m.width(line, size, bold) <= width for line in lines) else None


def _ellipsize(line: str, width: int, size: int, bold: bool, m: Metrics) -> str:
    line = line.rstrip()
    while line and m.width(line + ELLIPSIS, size, bold) > width:
        line = line[:-1].rstrip()
    return line + ELLIPSIS if m.width(line + ELLIPSIS, size, bold) <= width else ""


Attempt = Callable[[int, int, bool], "list[str] | None"]  # (size, lines allowed, wrapping)


def _additive_attempt(text: str, width: int, bold: bool, m: Metrics) -> Attempt:
    """attempt(size, n, wrapping) for metrics whose widths add up: words are measured once."""
    em = m.em  # type: ignore[attr-defined]
    paragraphs = [[(w, em(w, bold)) for w in p.split()] for p in text.split("\n")]
    space = em(" ", bold)
    totals = [sum(e for _, e in p) + space * max(0, len(p) - 1) for p in paragraphs]

    def attempt(s: int, n: int, wrapping: bool) -> list[str] | None:
        limit = width / s
        if not wrapping:
            if len(paragraphs) > n or any(t > limit for t in totals):
                return None
            return [" ".join(w for w, _ in p) for p in paragraphs]
        lines: list[str] = []
        for p in paragraphs:
            line: list[str] = []
            used = 0.0
            for word, e in p:
                if e > limit:  # a word wider than the box: cut it the slow way
                    return wrap(text, width, s, bold, m, limit=n)
                if line and used + space + e <= limit:
                    line.append(word)
                    used += space + e
                    continue
                if line:
                    lines.append(" ".join(line))
                    if len(lines) >= n:
                        return None
                line, used = [word], e
            lines.append(" ".join(line))
            if len(lines) > n:
                return None
        return lines

    return attempt


def fit_text(text: str, *, width: int, height: int, size: int, min_size: int, max_lines: int,
             fit: str, bold: bool, metrics: Metrics) -> FittedText:
    """The largest size from `size` down to `min_size` at which the text fits the box.

    fit="shrink" tries one line (per hard line break) at every size before wrapping;
    fit="wrap" wraps at every size. Past `min_size` the text is wrapped at `min_size` and
    the last line that fits ends in an ellipsis.
    """
    m = metrics
    min_size = max(1, min(min_size, size))
    if m.additive and "\n" not in text and max_lines >= 1:  # one line, no measuring twice
        one = " ".join(text.split())
        em = m.em(one, bold)  # type: ignore[attr-defined]
        best = size if em * size <= width else int(width / em) if fit == "shrink" else 0
        if best >= min_size and m.line_height(best, bold) <= height:
            return FittedText(best, (one,), m.line_height(best, bold))

    def allowed(s: int) -> int:
        return min(max_lines, height // m.line_height(s, bold))

    def measured(s: int, n: int, wrapping: bool) -> list[str] | None:
        if wrapping:
            return wrap(text, width, s, bold, m, limit=n)
        return _one_line_each(text, width, s, bold, m)

    fast = _additive_attempt(text, width, bold, m) if m.additive else measured

    def attempt(s: int, wrapping: bool) -> list[str] | None:
        n = allowed(s)
        if n < 1:
            return None
        lines = fast(s, n, wrapping)
        return lines if lines is not None and len(lines) <= n else None

    for wrapping in ((False, True) if fit == "shrink" else (True,)):
        lines = attempt(size, wrapping)
        if lines is not None:
            return FittedText(size, tuple(lines), m.line_height(size, bold))
        if m.additive and not wrapping:  # one line each: the size follows from the width
            widest = max(m.em(" ".join(p.split()), bold)  # type: ignore[attr-defined]
                         for p in text.split("\n"))
            s = min(size - 1, int(width / widest)) if widest else size - 1
            while s >= min_size and (lines := attempt(s, False)) is None:
                s -= 1
            if s >= min_size and lines is not None:
                return FittedText(s, tuple(lines), m.line_height(s, bold))
            continue
        if attempt(min_size, wrapping) is None:
            continue
        lo, hi = min_size, size - 1  # the largest size that fits, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if attempt(mid, wrapping) is not None:
                lo = mid
            else:
                hi = mid - 1
        lines = attempt(lo, wrapping)
        assert lines is not None
        return FittedText(lo, tuple(lines), m.line_height(lo, bold))
    n = max(1, allowed(min_size))
    lines = wrap(text, width, min_size, bold, m, limit=n) or []
    kept = lines[:n]
    if len(lines) > n or not kept:
        last = (kept[-1] if kept else "") + " " + (lines[n] if len(lines) > n else "")
        kept[-1:] = [_ellipsize(last, width, min_size, bold, m)]
    return FittedText(min_size, tuple(kept), m.line_height(min_size, bold), truncated=True)
