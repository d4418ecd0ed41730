"""The demo workshop: a believable shop of known size, consistent with its own ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from app.domain.statuses import OrderStatus
from app.services import stock
from app.services.search import query_terms


def _count(sql, table: str) -> int:
    return sql.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_demo_has_a_catalogue_of_known_size(demo_sql):
    assert _count(demo_sql, "products") == 200
    assert _count(demo_sql, "categories") == 5
    per_category = {n for (n,) in demo_sql.execute(
        "SELECT count(*) FROM products GROUP BY category_id")}
    assert per_category == {40}
    assert _count(demo_sql, "locations") == 40
    assert _count(demo_sql, "suppliers") == 6
    assert _count(demo_sql, "channels") == 3


def test_the_demo_has_2000_orders_from_the_last_90_days(demo_sql):
    assert _count(demo_sql, "orders") == 2000
    first, last = demo_sql.execute("SELECT min(placed_at), max(placed_at) FROM orders").fetchone()
    now = datetime.now(UTC).replace(tzinfo=None)
    assert datetime.fromisoformat(first) >= now - timedelta(days=90, minutes=5)
    assert datetime.fromisoformat(last) <= now


def test_demo_orders_are_in_pounds_euros_and_dollars_only(demo_sql):
    currencies = {c for (c,) in demo_sql.execute("SELECT DISTINCT currency FROM orders")}
    assert currencies == {"GBP", "EUR", "USD"}


def test_every_order_status_appears_in_the_demo(demo_sql):
    statuses = {s for (s,) in demo_sql.execute("SELECT DISTINCT status FROM orders")}
    assert statuses == {str(s) for s in OrderStatus}


def test_the_demo_stock_levels_equal_its_ledger(demo_backroom):
    assert demo_backroom.read(stock.ledger_mismatches) == ()


def test_every_demo_order_can_be_found_by_its_number(demo_sql):
    found_by: dict[int, set[str]] = defaultdict(set)
    for order_id, term in demo_sql.execute("SELECT order_id, term FROM order_search_terms"):
        found_by[order_id].add(term)
    numbers = demo_sql.execute("SELECT id, number FROM orders").fetchall()
    missing = [number for order_id, number in numbers
               if not set(query_terms(number)) <= found_by[order_id]]
    assert missing == []


def test_every_demo_order_has_its_history_from_new(demo_sql):
    rows = demo_sql.execute(
        "SELECT o.id, o.status, min(c.id), max(c.id) FROM orders o "
        "JOIN status_changes c ON c.entity = 'order' AND c.entity_id = o.id GROUP BY o.id"
    ).fetchall()
    assert len(rows) == 2000
    first_and_last = {r[0]: (r[2], r[3]) for r in rows}
    changes = {r[0]: (r[1], r[2]) for r in demo_sql.execute(
        "SELECT id, from_status, to_status FROM status_changes")}
    for order_id, status, _, _ in rows:
        first, last = first_and_last[order_id]
        assert changes[first] == (None, "new")
        assert changes[last][1] == status


def test_demo_order_totals_add_up(demo_sql):
    bad = demo_sql.execute(
        "SELECT o.number FROM orders o JOIN (SELECT order_id, sum(quantity * unit_price_minor) "
        "AS lines, sum(quantity) AS items FROM order_lines GROUP BY order_id) l "
        "ON l.order_id = o.id WHERE o.subtotal_minor != l.lines OR o.items_count != l.items "
        "OR o.total_minor != o.subtotal_minor + o.shipping_minor").fetchall()
    assert bad == []
