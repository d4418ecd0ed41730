"""Each way a search can run (rare word, common words, common words rare together) finds
exactly the orders whose words all match, in the order asked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import Order, OrderSearchTerm
from app.services import orders
from app.services.paging import PageRequest
from app.services.search import query_terms


def _expected(session, text: str) -> list[int]:  # type: ignore[no-untyped-def]
    ids = None
    for word in query_terms(text):
        upper = word[:-1] + chr(ord(word[-1]) + 1)
        found = set(session.scalars(select(OrderSearchTerm.order_id).where(
            OrderSearchTerm.term >= word, OrderSearchTerm.term < upper)))
        ids = found if ids is None else ids & found
    rows = session.execute(select(Order.id, Order.placed_at).where(Order.id.in_(ids or set())))
    return [i for i, _ in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)]


def _walk(backroom, text: str) -> list[int]:  # type: ignore[no-untyped-def]
    seen, req = [], PageRequest(search=text, limit=7)
    while True:
        page = backroom.read(orders.list_page, req)
        seen += [r.id for r in page.rows]
        if page.after is None:
            return seen
        req = PageRequest(search=text, limit=7, after=page.after)


@pytest.mark.parametrize("many", [5_000, 40, 3])
@pytest.mark.parametrize("text", ["smith", "mug smith", "smith mug", "mug", "tee smith",
                                  "oliver jones"])
def test_every_search_path_finds_the_same_orders(demo_backroom, monkeypatch, many, text):
    monkeypatch.setattr(orders, "MANY_MATCHES", many)
    with demo_backroom.sessions() as s:
        expected = _expected(s, text)
    assert expected, "the demo has orders for each of these searches"
    assert _walk(demo_backroom, text) == expected
    assert demo_backroom.read(orders.count, PageRequest(search=text)) == len(expected)
