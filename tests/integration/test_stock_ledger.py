"""The stock ledger: every movement moves its level by the same amount, or nothing happens."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.stock import MovementReason
from app.services import stock

from .rawsql import raw
from .workshop import add_location, add_product, book, levels, movements

REASONS = st.sampled_from(list(MovementReason))


@pytest.fixture
def bins(backroom) -> list[int]:
    return [add_location(backroom, f"A-0{n}-1", n * 10) for n in range(1, 4)]


def test_a_movement_moves_the_level_and_is_kept_in_the_ledger(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 12)
    book(backroom, mug, bins[0], -5, MovementReason.DISPATCH)
    book(backroom, mug, bins[1], 2, MovementReason.RETURN)
    assert levels(backroom, mug) == {bins[0]: (7, 0), bins[1]: (2, 0)}
    assert [(b, q, r) for b, q, r, _ in movements(backroom, mug)] == [
        (bins[0], 12, "goods_in"), (bins[0], -5, "dispatch"), (bins[1], 2, "return")]
    assert backroom.read(stock.ledger_mismatches) == ()


def test_taking_more_than_is_on_hand_is_refused_and_books_nothing(backroom, bins):
    mug = add_product(backroom, "MUG-0001")
    book(backroom, mug, bins[0], 3)
    with pytest.raises(DomainError, match="MUG-0001 has 3 on hand in A-01-1"):
        book(backroom, mug, bins[0], -4, MovementReason.DAMAGE)
    with pytest.raises(DomainError, match="MUG-0001 has 0 on hand in A-02-1"):
        book(backroom, mug, bins[1], -1, MovementReason.ADJUSTMENT)
    assert levels(backroom, mug) == {bins[0]: (3, 0)}
    assert len(movements(backroom, mug)) == 1


def test_a_product_that_allows_negative_stock_may_go_below_zero(backroom, bins):
    print_on_demand = add_product(backroom, "ART-0001", allow_negative_stock=True)
    book(backroom, print_on_demand, bins[0], -2, MovementReason.DISPATCH)
    assert levels(backroom, print_on_demand) == {bins[0]: (-2, 0)}
    assert backroom.read(stock.ledger_mismatches) == ()


def test_a_zero_movement_is_refused(backroom, bins):
    mug = add_product(backroom)
    with pytest.raises(DomainError, match="zero"):
        book(backroom, mug, bins[0], 0)
    assert levels(backroom, mug) == {}


def test_a_movement_for_a_product_or_bin_that_is_gone_is_refused(backroom, bins):
    mug = add_product(backroom)
    with pytest.raises(DomainError, match="no longer exists"):
        book(backroom, 99999, bins[0], 1)
    with pytest.raises(DomainError, match="no longer exists"):
        book(backroom, mug, 99999, 1)


def test_ledger_mismatches_finds_a_level_that_disagrees_with_its_movements(backroom, bins):
    mug = add_product(backroom)
    other = add_product(backroom)
    book(backroom, mug, bins[0], 5)
    book(backroom, other, bins[1], 4)
    con = raw(backroom)
    with con:
        con.execute("UPDATE stock_levels SET on_hand = 6 WHERE product_id = ?", (mug,))
        con.execute("DELETE FROM stock_levels WHERE product_id = ?", (other,))
    con.close()
    found = {(m.product_id, m.location_id, m.level_on_hand, m.ledger_sum)
             for m in backroom.read(stock.ledger_mismatches)}
    assert found == {(mug, bins[0], 6, 5), (other, bins[1], 0, 4)}


def test_the_database_refuses_a_zero_movement_written_around_the_service(backroom, bins):
    mug = add_product(backroom)
    con = raw(backroom)
    with pytest.raises(sqlite3.IntegrityError), con:
        con.execute("INSERT INTO stock_movements (product_id, location_id, quantity, reason, "
                    "reference, note, actor, created_at) VALUES (?, ?, 0, 'count', '', '', "
                    "'x', '2026-01-01 00:00:00.000000')", (mug, bins[0]))
    con.close()


MOVES = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2),
                           st.integers(-30, 30).filter(bool), REASONS),
                 min_size=1, max_size=40)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES, allow_negative=st.booleans())
def test_levels_always_equal_the_sum_of_their_movements(backroom, bins, moves, allow_negative):
    products = [add_product(backroom, allow_negative_stock=allow_negative) for _ in range(3)]
    expected: dict[tuple[int, int], int] = {}
    for p, b, quantity, reason in moves:
        key = (products[p], bins[b])
        now = expected.get(key, 0)
        if now + quantity < 0 and not allow_negative:
            with pytest.raises(DomainError):
                book(backroom, *key, quantity, reason)
            continue
        book(backroom, *key, quantity, reason)
        expected[key] = now + quantity
    for product in products:
        held = {b: oh for b, (oh, _) in levels(backroom, product).items()}
        assert held == {b: q for (p, b), q in expected.items() if p == product}
        assert all(q >= 0 for q in held.values()) or allow_negative
    assert backroom.read(stock.ledger_mismatches) == ()


def test_many_movements_in_one_unit_of_work_keep_the_ledger(backroom, bins):
    mug = add_product(backroom)
    uow = backroom.uow()
    with uow:
        for n in range(1, 51):
            stock.book_movement(uow.session, product_id=mug, location_id=bins[n % 3],
                                quantity=n if n % 4 else -1, reason=MovementReason.COUNT,
                                actor=uow.actor)
        uow.commit()
    assert backroom.read(stock.ledger_mismatches) == ()
    assert sum(oh for oh, _ in levels(backroom, mug).values()) == sum(
        n if n % 4 else -1 for n in range(1, 51))


def test_a_unit_of_work_left_without_commit_books_nothing(backroom, bins):
    mug = add_product(backroom)
    uow = backroom.uow()
    with uow:
        stock.book_movement(uow.session, product_id=mug, location_id=bins[0], quantity=5,
                            reason=MovementReason.GOODS_IN, actor=uow.actor)
    assert levels(backroom, mug) == {}
    assert movements(backroom, mug) == []
