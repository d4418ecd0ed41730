"""Orders in from a channel: created once, updated when the channel changes them, never
doubled, and the last one on the shelf promised to one order only."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.channels.base import Address, ChannelOrder, ChannelOrderLine, OrderState
from app.db.models import (
    Order,
    OrderLine,
    OrderSearchTerm,
    StatusChange,
    StockPushQueue,
)
from app.services import orders, stock
from app.services.channel_import import import_orders

from .workshop import add_channel, add_location, add_product, book, levels

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _order(n: int, *lines: tuple[str, int], state: OrderState = OrderState.OPEN,
           **kw) -> ChannelOrder:  # type: ignore[no-untyped-def]
    fields = dict(
        external_id=f"gid-{n}", number=f"#{n}", placed_at=T0 + timedelta(minutes=n),
        state=state, currency="GBP", customer_name="Zoë Øster",
        customer_email="zoe@example.com",
        shipping_address=Address("Zoë Øster", "1 Mill Lane", "", "Leeds", "", "LS1 1AA",
                                 "GB"),
        lines=tuple(ChannelOrderLine(sku, f"Item {sku}", q, 1250) for sku, q in lines),
        subtotal_minor=1250, total_minor=1250, raw=f"row of #{n}")
    fields.update(kw)
    return ChannelOrder(**fields)  # type: ignore[arg-type]


@pytest.fixture
def shelf(backroom):  # type: ignore[no-untyped-def]
    channel = add_channel(backroom, "Etsy")
    bin_a = add_location(backroom, "A-01-1", 10)
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, bin_a, 1)  # one left
    return backroom, channel, mug, bin_a


def _import(backroom, channel: int, batch):  # type: ignore[no-untyped-def]
    with backroom.uow() as uow:
        outcome = import_orders(uow.session, channel, batch, source="test.csv")
        uow.commit()
    return outcome


def _count(backroom, model) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_new_orders_are_created_with_lines_search_words_and_history(shelf):
    backroom, channel, mug, _ = shelf
    outcome = _import(backroom, channel, [_order(1, ("MUG-1", 1))])
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 0)
    with backroom.sessions() as s:
        order = s.scalars(select(Order)).one()
        assert (order.number, order.status, order.customer_name, order.ship_city) == (
            "#1", "new", "Zoë Øster", "Leeds")
        assert [(li.sku, li.product_id, li.reserved) for li in order.lines] == [
            ("MUG-1", mug, 1)]
        words = set(s.scalars(select(OrderSearchTerm.term)))
        assert {"zoë", "øster", "mug-1"} <= words
        change = s.scalars(select(StatusChange)).one()
        assert (change.to_status, change.note) == ("new", "Imported from test.csv")
        assert s.scalars(select(StockPushQueue.product_id)).all() == [mug]
    assert backroom.read(stock.ledger_mismatches) == ()


def test_importing_the_same_orders_twice_changes_nothing(shelf):
    backroom, channel, mug, _bin_a = shelf
    batch = [_order(1, ("MUG-1", 1)), _order(2, ("CUSTOM", 2))]
    _import(backroom, channel, batch)
    before = (_count(backroom, Order), _count(backroom, OrderLine),
              _count(backroom, StatusChange), levels(backroom, mug))
    again = _import(backroom, channel, batch + batch)  # and twice within one file
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert (_count(backroom, Order), _count(backroom, OrderLine),
            _count(backroom, StatusChange), levels(backroom, mug)) == before


def test_an_unknown_sku_is_imported_and_flagged_not_dropped(shelf):
    backroom, channel, *_ = shelf
    outcome = _import(backroom, channel, [_order(5, ("NOPE-9", 1))])
    assert outcome.created == 1
    assert outcome.flagged == ["#5: Unknown SKU NOPE-9"]
    with backroom.sessions() as s:
        assert s.scalar(select(Order.flagged)) == "Unknown SKU NOPE-9"


def test_two_orders_for_the_last_one_hold_one_and_flag_the_other_short(shelf):
    backroom, channel, mug, bin_a = shelf
    outcome = _import(backroom, channel, [_order(2, ("MUG-1", 1)), _order(1, ("MUG-1", 1))])
    assert levels(backroom, mug) == {bin_a: (1, 1)}
    with backroom.sessions() as s:
        rows = dict(s.execute(select(Order.number, Order.flagged)).all())
    assert rows == {"#1": None, "#2": "Short: MUG-1 (1 wanted, 0 free)"}  # first placed wins
    assert outcome.flagged == ["#2: Short: MUG-1 (1 wanted, 0 free)"]


def test_imports_running_at_once_never_promise_the_same_stock_twice(shelf):
    backroom, channel, mug, bin_a = shelf
    other = add_channel(backroom, "Shopify")
    results, errors = [], []

    def run(ch: int, n: int) -> None:
        try:
            results.append(_import(backroom, ch, [_order(n, ("MUG-1", 1))]))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ch, n))
               for ch, n in ((channel, 1), (other, 2), (channel, 3), (other, 4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert levels(backroom, mug) == {bin_a: (1, 1)}
    with backroom.sessions() as s:
        held = s.scalar(select(func.sum(OrderLine.reserved)))
        short = s.scalar(select(func.count(Order.id)).where(Order.flagged.like("Short%")))
    assert (held, short) == (1, 3)


def test_a_cancellation_on_the_channel_cancels_ours_and_gives_the_stock_back(shelf):
    backroom, channel, mug, bin_a = shelf
    first = _order(1, ("MUG-1", 1))
    _import(backroom, channel, [first])
    assert levels(backroom, mug) == {bin_a: (1, 1)}
    outcome = _import(backroom, channel, [replace(first, state=OrderState.CANCELLED)])
    assert (outcome.updated, outcome.updated_notes) == (1, ["#1: cancelled"])
    assert levels(backroom, mug) == {bin_a: (1, 0)}
    with backroom.sessions() as s:
        order = s.scalars(select(Order)).one()
        assert order.status == "cancelled"
        notes = list(s.scalars(select(StatusChange.note).order_by(StatusChange.id)))
    assert notes == ["Imported from test.csv", "Cancelled on Etsy",
                     "Changed on Etsy: cancelled"]


def test_an_address_edited_on_the_channel_follows_and_history_says_so(shelf):
    backroom, channel, *_ = shelf
    first = _order(1, ("MUG-1", 1))
    _import(backroom, channel, [first])
    moved = replace(first, shipping_address=replace(first.shipping_address, city="York"))
    outcome = _import(backroom, channel, [moved])
    assert outcome.updated_notes == ["#1: shipping address"]
    with backroom.sessions() as s:
        order_id = s.scalar(select(Order.id))
    detail = backroom.read(orders.detail, order_id)
    assert "York" in detail.ship_to and "Leeds" not in detail.ship_to
    assert detail.history[-1].note == "Changed on Etsy: shipping address"


def test_an_unpaid_order_waits_on_hold_and_goes_new_when_paid(shelf):
    backroom, channel, _mug, _bin_a = shelf
    pending = _order(1, ("MUG-1", 1), state=OrderState.PENDING)
    _import(backroom, channel, [pending])
    with backroom.sessions() as s:
        assert s.scalar(select(Order.status)) == "on_hold"
    _import(backroom, channel, [replace(pending, state=OrderState.OPEN)])
    with backroom.sessions() as s:
        assert s.scalar(select(Order.status)) == "new"


def test_an_order_that_cannot_be_taken_in_is_reported_with_its_raw_text(shelf):
    backroom, channel, *_ = shelf
    outcome = _import(backroom, channel, [_order(1, ("MUG-1", 0)), _order(2, ("MUG-1", 1))])
    assert outcome.created == 1
    (problem,) = outcome.problems
    assert (problem.ref, problem.payload) == ("#1", "row of #1")
    assert "quantity 0" in problem.message


def test_holding_giving_back_and_shipping_stock_are_all_in_the_ledger_of_holds(shelf):
    from app.db.models import StockHold, StockLevel
    from app.domain.statuses import OrderStatus

    backroom, channel, mug, bin_a = shelf
    first = _order(1, ("MUG-1", 1))
    _import(backroom, channel, [first])
    _import(backroom, channel, [replace(first, state=OrderState.CANCELLED)])

    def holds() -> list[tuple[int, str, str]]:
        with backroom.sessions() as s:
            return [(h.quantity, h.reason, h.reference) for h in s.scalars(
                select(StockHold).order_by(StockHold.id))]

    assert holds() == [(1, "hold", "order #1"), (-1, "release", "order #1")]
    _import(backroom, channel, [_order(2, ("MUG-1", 1))])
    with backroom.sessions() as s:
        second = s.scalar(select(Order.id).where(Order.number == "#2"))
    for step in (OrderStatus.READY_TO_PICK, OrderStatus.PACKED):
        backroom.act(orders.change_status, [second], step)
    backroom.act(orders.change_status, [second], OrderStatus.SHIPPED, carrier="DPD")
    assert holds()[-2:] == [(1, "hold", "order #2"), (-1, "dispatch", "order #2")]
    assert backroom.read(stock.ledger_mismatches) == ()
    with backroom.sessions() as s:  # a level that no longer matches its holds is found
        s.get_one(StockLevel, (mug, bin_a)).reserved = 3
        s.commit()
    (wrong,) = backroom.read(stock.ledger_mismatches)
    assert (wrong.what, wrong.level_on_hand, wrong.ledger_sum) == ("reserved", 3, 0)
