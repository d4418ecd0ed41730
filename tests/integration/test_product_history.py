"""A product's history: its movements newest first with the on-hand after each, page by page,
and its stock over time for the chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.stock import MovementReason
from app.services import product_history
from app.services.paging import PageRequest

from .rawsql import raw
from .workshop import add_location, add_product, book

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
STEPS = [(0, 12, MovementReason.GOODS_IN), (0, -5, MovementReason.DISPATCH),
         (1, 2, MovementReason.RETURN), (0, -3, MovementReason.TRANSFER),
         (1, 3, MovementReason.TRANSFER), (1, -1, MovementReason.DAMAGE),
         (0, 4, MovementReason.COUNT)]


@pytest.fixture
def mug(backroom):  # type: ignore[no-untyped-def]
    """A mug with seven movements in two bins, one a day from T0 (oldest first)."""
    bins = [add_location(backroom, "A-01-1", 10), add_location(backroom, "B-02-3", 20)]
    mug = add_product(backroom, "MUG-0001")
    for at, qty, reason in STEPS:
        book(backroom, mug, bins[at], qty, reason)
    con = raw(backroom)
    with con:
        ids = [r[0] for r in con.execute(
            "SELECT id FROM stock_movements WHERE product_id = ? ORDER BY id", (mug,))]
        for n, mid in enumerate(ids):
            stamp = (T0 + timedelta(days=n)).replace(tzinfo=None)
            con.execute("UPDATE stock_movements SET created_at = ? WHERE id = ?",
                        (stamp.isoformat(" ", "microseconds"), mid))
    con.close()
    return mug, bins


def _all_pages(backroom, req: PageRequest) -> list[product_history.MovementRow]:  # type: ignore[no-untyped-def]
    rows = []
    while True:
        page = backroom.read(product_history.list_page, req)
        rows += page.rows
        if page.after is None:
            return rows
        req = PageRequest(limit=req.limit, filters=req.filters, after=page.after)


def test_history_lists_movements_newest_first_with_the_running_on_hand(backroom, mug):
    product, _bins = mug
    rows = _all_pages(backroom, PageRequest(limit=3, filters=(("product_id", product),)))
    assert [(r.quantity, r.reason, r.location, r.on_hand) for r in rows] == [
        (4, "count", "A-01-1", 12), (-1, "damage", "B-02-3", 8), (3, "transfer", "B-02-3", 9),
        (-3, "transfer", "A-01-1", 6), (2, "return", "B-02-3", 9), (-5, "dispatch", "A-01-1", 7),
        (12, "goods_in", "A-01-1", 12)]
    assert [r.created_at for r in rows] == [T0 + timedelta(days=n) for n in range(6, -1, -1)]
    assert rows[0].actor and backroom.read(product_history.count, PageRequest(
        filters=(("product_id", product),))) == 7


def test_history_of_one_bin_runs_that_bins_on_hand(backroom, mug):
    product, bins = mug
    rows = _all_pages(backroom, PageRequest(limit=2, filters=(
        ("location_id", bins[1]), ("product_id", product))))
    assert [(r.quantity, r.on_hand) for r in rows] == [(-1, 4), (3, 5), (2, 2)]


def test_movements_booked_at_the_same_moment_page_by_id(backroom, mug):
    product, _bins = mug
    con = raw(backroom)
    with con:
        con.execute("UPDATE stock_movements SET created_at = '2026-11-05 00:00:00.000000'")
    con.close()
    rows = _all_pages(backroom, PageRequest(limit=2, filters=(("product_id", product),)))
    assert [r.quantity for r in rows] == [q for _, q, _ in reversed(STEPS)]
    assert rows[-1].on_hand == 12


def test_stock_over_time_steps_through_every_movement(backroom, mug):
    product, _ = mug
    now = T0 + timedelta(days=30)
    curve = backroom.read(product_history.stock_over_time, product, now=now)
    assert curve.per == "movement" and curve.movements == 7
    assert curve.points[0] == (T0 - timedelta(seconds=1), 0)
    assert curve.points[1:] == (*((T0 + timedelta(days=n), q) for n, q in enumerate(
        [12, 7, 9, 6, 9, 8, 12])), (now, 12))
    assert (curve.lowest, curve.highest) == (0, 12)


def test_stock_over_time_sums_per_day_when_there_are_many(backroom, mug):
    product, bins = mug
    con = raw(backroom)
    with con:  # two movements on each day: 0+1 on day 0, 2+3 on day 1, ...
        for mid, n in con.execute("SELECT id, id - (SELECT min(id) FROM stock_movements) "
                                  "FROM stock_movements").fetchall():
            stamp = T0 + timedelta(days=n // 2, hours=n % 2)
            con.execute("UPDATE stock_movements SET created_at = ? WHERE id = ?",
                        (stamp.replace(tzinfo=None).isoformat(" ", "microseconds"), mid))
    con.close()
    now = T0 + timedelta(days=10)
    curve = backroom.read(product_history.stock_over_time, product, max_points=5, now=now)
    day = T0.replace(hour=0)
    assert curve.per == "day"
    assert curve.points[1:] == ((day, 7), (day + timedelta(days=1), 6),
                                (day + timedelta(days=2), 8), (day + timedelta(days=3), 12),
                                (now, 12))
    one_bin = backroom.read(product_history.stock_over_time, product, bins[1], now=now)
    assert [q for _, q in one_bin.points] == [0, 2, 5, 4, 4]


def test_stock_over_time_of_a_product_never_moved_is_flat(backroom, mug):
    other = add_product(backroom)
    now = T0 + timedelta(days=1)
    curve = backroom.read(product_history.stock_over_time, other, now=now)
    assert curve.points == ((now, 0),) and curve.movements == 0
    recent = backroom.read(product_history.stock_over_time, other, since=T0, now=now)
    assert recent.points == ((T0, 0), (now, 0))
