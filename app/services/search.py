"""Words for indexed prefix search: what an order can be found by."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import ColumnElement, and_

_SPLIT = re.compile(r"[\s,;:()\"'/\\#]+")
_PARTS = re.compile(r"[.@_+-]+")
MAX_TERM = 120


def terms(*texts: str | None) -> set[str]:
    """Lower-cased words of the texts; an e-mail or SKU stays whole and is split too."""
    out: set[str] = set()
    for text in texts:
        if text:
            out |= _text_terms(text)
    return out


@lru_cache(maxsize=65_536)
def _text_terms(text: str) -> frozenset[str]:
    """One text's words (SKUs and names repeat across a big import: each is split once)."""
    out: set[str] = set()
    for word in _SPLIT.split(text.lower()):
        word = word.strip(".-_")
        if not word:
            continue
        out.add(word[:MAX_TERM])
        for part in _PARTS.split(word):
            if part and part != word:
                out.add(part[:MAX_TERM])
    return frozenset(out)


def query_terms(text: str) -> list[str]:
    """The words a person typed into a search box, longest first (most selective)."""
    words = [w.strip(".-_") for w in _SPLIT.split(text.lower())]
    return sorted({w[:MAX_TERM] for w in words if w}, key=len, reverse=True)


def prefix_range(column: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """column starts with prefix, written as a range so an index can answer it."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def all_terms(rows: Iterable[tuple[int, set[str]]]) -> list[dict[str, object]]:
    return [{"order_id": oid, "term": t} for oid, ts in rows for t in ts]
