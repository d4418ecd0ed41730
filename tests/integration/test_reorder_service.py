"""Reorder suggestions from the database: sales and stock-outs read from the ledger, what is on
order subtracted, the saved settings used, drafts made per supplier, low stock told once."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from app.db.models import (
    Notification,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierProduct,
)
from app.domain.access import Role, Viewer
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.reorder import (
    ReorderFacts,
    ReorderSettings,
    ReorderStatus,
    days_out_of_stock,
    suggest,
)
from app.domain.stock import MovementReason
from app.services import reorder, stock

from .workshop import add_location, add_product, book

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def add_supplier(backroom, name: str, lead_time_days: int = 7, email: str = "") -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        supplier = Supplier(name=name, lead_time_days=lead_time_days,
                            email=email or f"{name.split()[0].lower()}@example.com")
        s.add(supplier)
        s.commit()
        return supplier.id


def supplies(backroom, supplier_id: int, product_id: int, *, pack: int = 1, minimum: int = 1,  # type: ignore[no-untyped-def]
             cost: int = 250, currency: str = "GBP", code: str = "") -> None:
    with backroom.sessions() as s:
        s.add(SupplierProduct(supplier_id=supplier_id, product_id=product_id, pack_size=pack,
                              minimum_order=minimum, unit_cost_minor=cost, currency=currency,
                              supplier_code=code))
        s.commit()


def ledger(backroom, product_id: int, location_id: int,  # type: ignore[no-untyped-def]
           moves: list[tuple[datetime, int, MovementReason]], reference: str = "") -> None:
    """Movements at given times, with the level moved to match (as book_movement would)."""
    with backroom.sessions() as s:
        for i, (at, qty, reason) in enumerate(moves):
            s.add(StockMovement(product_id=product_id, location_id=location_id, quantity=qty,
                                reason=str(reason), actor="test", created_at=at,
                                reference=reference or f"order #{product_id}-{i}"))
        level = s.get(StockLevel, (product_id, location_id))
        if level is None:
            level = StockLevel(product_id=product_id, location_id=location_id, on_hand=0,
                               reserved=0)
            s.add(level)
        level.on_hand += sum(q for _, q, _ in moves)
        s.commit()


def made_long_ago(backroom, *product_ids: int) -> None:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        for pid in product_ids:
            s.get_one(Product, pid).created_at = NOW - timedelta(days=400)
        s.commit()


GI, DI = MovementReason.GOODS_IN, MovementReason.DISPATCH


@pytest.fixture
def shop(backroom):  # type: ignore[no-untyped-def]
    bin_a = add_location(backroom, "A-01-1", 10)
    maker = add_supplier(backroom, "Hollow Oak Ceramics", lead_time_days=7)
    return backroom, bin_a, maker


def row_of(result: reorder.ReorderList, sku: str) -> reorder.ReorderRow:
    return next(r for r in result.rows if r.suggestion.sku == sku)


def test_daily_sales_leave_out_the_days_out_of_stock(shop):
    backroom, bin_a, maker = shop
    mug = add_product(backroom, "MUG-0001")
    made_long_ago(backroom, mug)
    supplies(backroom, maker, mug, pack=6)
    start = NOW - 28 * DAY
    # 20 in before the window; 2 a day sold for 10 days; out of stock 9 days; 30 in.
    moves = [(start - 5 * DAY, 20, GI)]
    moves += [(start + i * DAY + timedelta(hours=1), -2, DI) for i in range(10)]
    moves += [(start + 18 * DAY + timedelta(hours=1), 30, GI)]
    moves += [(start + (18 + i) * DAY + timedelta(hours=2), -2, DI) for i in range(1, 10)]
    ledger(backroom, mug, bin_a, moves)
    row = row_of(backroom.read(reorder.suggestions, now=NOW), "MUG-0001")
    s = row.suggestion
    assert row.units_sold == 38
    assert row.days_out_of_stock == 9  # from the 10th sale (day 9, 01:00) to day 18, 01:00
    assert s.days_in_stock == 19
    assert s.daily_sales == Decimal("2.00")  # 38 / 19, not 38 / 28
    assert s.lines[0] == "Sold 38 in 19 sales in 19 days in stock (9 days out of stock not " \
                         "counted) = 2.00 a day."
    assert s.minimum_level == 28  # 2 a day x (7 lead + 7 safety)
    assert s.available == 12 and s.status is ReorderStatus.ORDER_NOW
    assert s.order_qty % 6 == 0 and s.order_qty >= s.needed
    assert s.supplier_name == "Hollow Oak Ceramics"
    assert s.unit_cost == Money(250, "GBP")


def test_a_product_out_of_stock_with_demand_is_not_mistaken_for_no_demand(shop):
    backroom, bin_a, _maker = shop
    steady, sold_out = add_product(backroom, "CUP-1"), add_product(backroom, "CUP-2")
    made_long_ago(backroom, steady, sold_out)
    start = NOW - 28 * DAY
    # Both sell 1 a day while they have stock; one ran out after 7 days and stayed out.
    ledger(backroom, steady, bin_a, [(start - DAY, 100, GI)]
           + [(start + i * DAY, -1, DI) for i in range(28)])
    ledger(backroom, sold_out, bin_a, [(start - DAY, 7, GI)]
           + [(start + i * DAY, -1, DI) for i in range(7)])
    result = backroom.read(reorder.suggestions, now=NOW)
    assert row_of(result, "CUP-1").suggestion.daily_sales == Decimal("1.00")
    out = row_of(result, "CUP-2")
    assert out.days_out_of_stock == 22 and out.suggestion.days_in_stock == 6
    assert out.suggestion.daily_sales == Decimal("1.17")  # 7 / 6, not 7 / 28


def test_one_big_sale_is_low_data_and_not_extrapolated(shop):
    backroom, bin_a, maker = shop
    rug = add_product(backroom, "RUG-1")
    made_long_ago(backroom, rug)
    supplies(backroom, maker, rug)
    ledger(backroom, rug, bin_a, [(NOW - 40 * DAY, 30, GI), (NOW - 3 * DAY, -25, DI)])
    s = row_of(backroom.read(reorder.suggestions, now=NOW), "RUG-1").suggestion
    assert s.low_data and s.status is ReorderStatus.LOW_DATA
    assert s.daily_sales is None and s.order_qty == 0
    assert "too little to forecast from" in s.lines[0]


def test_a_new_product_is_judged_over_the_days_since_it_was_added(shop):
    backroom, bin_a, _maker = shop
    new = add_product(backroom, "NEW-1")
    with backroom.sessions() as s:
        s.get_one(Product, new).created_at = NOW - timedelta(days=4, hours=12)
        s.commit()
    ledger(backroom, new, bin_a, [(NOW - timedelta(days=4, hours=11), 40, GI)]
           + [(NOW - timedelta(days=i), -2, DI) for i in range(4)])
    s = row_of(backroom.read(reorder.suggestions, now=NOW), "NEW-1").suggestion
    assert s.days_in_stock == 5  # 4.5 days since it was added; a part day counts
    assert s.daily_sales == Decimal("1.60")


def test_what_is_on_open_purchase_orders_counts_as_on_order(shop):
    backroom, bin_a, maker = shop
    mug = add_product(backroom, "MUG-1")
    made_long_ago(backroom, mug)
    ledger(backroom, mug, bin_a, [(NOW - 40 * DAY, 10, GI)])
    with backroom.sessions() as s:
        for n, (status, ordered, received) in enumerate((
                ("draft", 4, 0), ("sent", 10, 0), ("partly_received", 10, 7),
                ("received", 5, 5), ("closed", 9, 2), ("cancelled", 50, 0)), start=1):
            po = PurchaseOrder(number=f"PO-{n:06d}", supplier_id=maker, status=status,
                               currency="GBP")
            s.add(po)
            s.flush()
            s.add(PurchaseOrderLine(purchase_order_id=po.id, product_id=mug,
                                    quantity_ordered=ordered, quantity_received=received))
        s.commit()
    s = row_of(backroom.read(reorder.suggestions, now=NOW), "MUG-1").suggestion
    assert s.on_order == 4 + 10 + 3


def test_made_to_order_products_are_never_suggested(shop):
    backroom, *_ = shop
    add_product(backroom, "MTO-1", made_to_order=True)
    add_product(backroom, "STK-1")
    skus = {r.suggestion.sku for r in backroom.read(reorder.suggestions, now=NOW).rows}
    assert skus == {"STK-1"}


def test_the_saved_settings_are_used(shop):
    backroom, bin_a, _maker = shop
    mug = add_product(backroom, "MUG-1")
    made_long_ago(backroom, mug)
    ledger(backroom, mug, bin_a, [(NOW - 40 * DAY, 100, GI)]
           + [(NOW - i * DAY, -1, DI) for i in range(1, 11)])
    assert backroom.read(reorder.reorder_settings) == ReorderSettings()
    backroom.act(reorder.save_reorder_settings, ReorderSettings(10, 0, 7, 2))
    result = backroom.read(reorder.suggestions, now=NOW)
    assert result.settings == ReorderSettings(10, 0, 7, 2)
    s = row_of(result, "MUG-1").suggestion
    assert s.daily_sales == Decimal("1.00") and s.minimum_level == 7 and s.reorder_qty == 7


def test_staff_may_read_suggestions_but_not_change_the_settings(shop):
    backroom, *_ = shop
    backroom.sign_in(Viewer(None, "sam", "Sam", Role.STAFF))
    backroom.read(reorder.suggestions, now=NOW)
    with pytest.raises(DomainError, match="may not change settings"):
        backroom.act(reorder.save_reorder_settings, ReorderSettings())


def test_drafts_are_made_per_supplier_and_not_twice(shop):
    backroom, bin_a, oak = shop
    kiln = add_supplier(backroom, "Kiln & Co", lead_time_days=3)
    skus = {}
    for sku, supplier, pack in (("MUG-1", oak, 6), ("MUG-2", oak, 1), ("CUP-1", kiln, 12),
                                ("RUG-1", None, 1)):
        pid = skus[sku] = add_product(backroom, sku)
        made_long_ago(backroom, pid)
        if supplier:
            supplies(backroom, supplier, pid, pack=pack, cost=300)
        ledger(backroom, pid, bin_a, [(NOW - 40 * DAY, 30, GI)]
               + [(NOW - i * DAY, -1, DI) for i in range(1, 29)])
    result = backroom.read(reorder.suggestions, now=NOW)
    assert {r.suggestion.sku: r.suggestion.status for r in result.rows} == {
        "MUG-1": ReorderStatus.ORDER_NOW, "MUG-2": ReorderStatus.ORDER_NOW,
        "CUP-1": ReorderStatus.ORDER_NOW, "RUG-1": ReorderStatus.NO_SUPPLIER}
    wanted = {r.suggestion.sku: r.suggestion.order_qty for r in result.rows}

    made = backroom.act(reorder.make_draft_purchase_orders, skus.values(),
                        now=NOW)
    assert [(d.number, d.supplier, d.lines) for d in made.drafts] == [
        ("PO-000001", "Hollow Oak Ceramics", 2), ("PO-000002", "Kiln & Co", 1)]
    assert made.skipped == ("RUG-1: no supplier to order from.",)
    with backroom.sessions() as s:
        lines = {(po.number, s.get_one(Product, ln.product_id).sku, ln.quantity_ordered,
                  ln.unit_cost_minor, po.status, po.currency)
                 for po, ln in s.execute(select(PurchaseOrder, PurchaseOrderLine).join(
                     PurchaseOrderLine,
                     PurchaseOrderLine.purchase_order_id == PurchaseOrder.id))}
    assert lines == {
        ("PO-000001", "MUG-1", wanted["MUG-1"], 300, "draft", "GBP"),
        ("PO-000001", "MUG-2", wanted["MUG-2"], 300, "draft", "GBP"),
        ("PO-000002", "CUP-1", wanted["CUP-1"], 300, "draft", "GBP")}
    assert wanted["CUP-1"] % 12 == 0

    again = backroom.act(reorder.make_draft_purchase_orders, [skus["MUG-1"]], now=NOW)
    assert again.drafts == ()
    assert again.skipped == ("MUG-1: enough in stock and on order now.",)


def test_a_low_stock_alert_is_told_once_and_again_only_after_recovering(shop):
    backroom, bin_a, _oak = shop
    mug, cup = add_product(backroom, "MUG-1"), add_product(backroom, "CUP-1")
    made_long_ago(backroom, mug, cup)
    ledger(backroom, mug, bin_a, [(NOW - 40 * DAY, 30, GI)]
           + [(NOW - i * DAY, -1, DI) for i in range(1, 29)])  # 2 left, minimum 14
    ledger(backroom, cup, bin_a, [(NOW - 40 * DAY, 100, GI)]
           + [(NOW - i * DAY, -1, DI) for i in range(1, 29)])  # 72 left: fine

    def alerts() -> list[tuple[str, int | None]]:
        with backroom.sessions() as s:
            return [(n.title, n.entity_id) for n in s.scalars(
                select(Notification).where(Notification.kind == "low_stock")
                .order_by(Notification.id))]

    first = backroom.act(reorder.check_low_stock, NOW)
    assert (first.told, first.below) == (1, 1)
    assert alerts() == [("Low stock: MUG-1 has 2 available, below its minimum of 14", mug)]
    assert backroom.act(reorder.check_low_stock, NOW).told == 0  # told once
    book(backroom, mug, bin_a, 40)  # back above the minimum
    assert backroom.act(reorder.check_low_stock, NOW).below == 0
    book(backroom, mug, bin_a, -40, MovementReason.ADJUSTMENT)  # and below again
    assert backroom.act(reorder.check_low_stock, NOW).told == 1
    assert len(alerts()) == 2
    with backroom.sessions() as s:
        body = s.scalar(select(Notification.body).where(Notification.kind == "low_stock"))
    assert "Minimum level: 1.00 a day × 14 days" in body


def test_many_products_low_at_once_are_told_in_one_more_notice(shop):
    backroom, bin_a, _ = shop
    for n in range(reorder.ALERTS_ONE_BY_ONE + 5):
        pid = add_product(backroom, f"LOW-{n:03d}")
        made_long_ago(backroom, pid)
        ledger(backroom, pid, bin_a, [(NOW - 40 * DAY, 30, GI)]
               + [(NOW - i * DAY, -1, DI) for i in range(1, 29)])
    assert backroom.act(reorder.check_low_stock, NOW).told == reorder.ALERTS_ONE_BY_ONE + 5
    with backroom.sessions() as s:
        titles = list(s.scalars(select(Notification.title).order_by(Notification.id)))
    assert len(titles) == reorder.ALERTS_ONE_BY_ONE + 1
    assert titles[-1] == "Low stock: 5 more products are below their minimum level"


# --- against the demo workshop: the whole list equals the domain worked from raw movements --


def test_the_demo_suggestions_equal_the_domain_rules_applied_to_its_ledger(demo_copy):
    backroom = demo_copy
    with backroom.sessions() as s:  # give most stocked products a supplier, some in packs
        s.execute(delete(SupplierProduct))  # (in place of the demo's own terms)
        supplier_ids = list(s.scalars(select(Supplier.id).order_by(Supplier.id)))
        stocked = list(s.scalars(select(Product.id).where(Product.made_to_order.is_(False))
                                 .order_by(Product.id)))
        for i, pid in enumerate(stocked):
            if i % 7:
                s.add(SupplierProduct(supplier_id=supplier_ids[i % len(supplier_ids)],
                                      product_id=pid, pack_size=(1, 6, 12)[i % 3],
                                      minimum_order=(1, 10)[i % 2], unit_cost_minor=100 + i,
                                      currency="GBP"))
        s.commit()
        now = s.scalar(select(func.max(StockMovement.created_at))) + timedelta(hours=1)
        # The demo restocks as it sells; empty a quarter of the shelves for a week.
        for pid in stocked[::4]:
            first = s.scalars(select(StockMovement).where(StockMovement.product_id == pid)
                              .order_by(StockMovement.id).limit(1)).one()
            gone = now - timedelta(days=12)
            before = s.scalar(select(func.sum(StockMovement.quantity)).where(
                StockMovement.product_id == pid, StockMovement.created_at < gone))
            if before and before > 0:
                s.add_all([StockMovement(product_id=pid, location_id=first.location_id,
                                         quantity=q, reason=r, actor="test", created_at=t)
                           for q, r, t in ((-before, "damage", gone),
                                           (before, "goods_in", now - timedelta(days=5)))])
        s.commit()
    settings = ReorderSettings(window_days=30, safety_days=90, days_between_orders=10,
                               minimum_sales=2)
    result = backroom.read(reorder.suggestions, settings, now)

    # The same facts, worked out the slow way from every movement in Python.
    start = now - timedelta(days=30)
    with backroom.sessions() as s:
        products = {p.id: p for p in s.scalars(select(Product).where(
            Product.made_to_order.is_(False)))}
        moves: dict[int, list[StockMovement]] = defaultdict(list)
        for m in s.scalars(select(StockMovement).order_by(StockMovement.created_at,
                                                          StockMovement.id)):
            moves[m.product_id].append(m)
        levels = defaultdict(lambda: [0, 0])
        for lv in s.scalars(select(StockLevel)):
            levels[lv.product_id][0] += lv.on_hand
            levels[lv.product_id][1] += lv.reserved
        suppliers = {sp.id: sp for sp in s.scalars(select(Supplier))}
        terms = {t.product_id: t for t in s.scalars(select(SupplierProduct))}
        expected = {}
        stock_outs = 0
        for pid, p in products.items():
            before = [m for m in moves[pid] if m.created_at < start]
            inside = [m for m in moves[pid] if m.created_at >= start]
            level, history = sum(m.quantity for m in before), []
            running = level
            for m in inside:
                running += m.quantity
                history.append((m.created_at, running))
            out = days_out_of_stock(history, level_at_start=level, window_start=start,
                                    window_end=now)
            stock_outs += out > 0
            dispatched = [m for m in inside if m.reason == "dispatch"]
            t = terms.get(pid)
            extra = {} if t is None else {
                "supplier_id": t.supplier_id, "supplier_name": suppliers[t.supplier_id].name,
                "lead_time_days": suppliers[t.supplier_id].lead_time_days,
                "pack_size": t.pack_size, "minimum_order": t.minimum_order,
                "unit_cost": Money(t.unit_cost_minor, t.currency)}
            facts = ReorderFacts(
                sku=p.sku, units_sold=-sum(m.quantity for m in dispatched),
                days_out_of_stock=out, on_hand=levels[pid][0], reserved=levels[pid][1],
                sales=len(dispatched), product_id=pid, active=p.active, **extra)
            expected[p.sku] = suggest(facts, settings)
    got = {r.suggestion.sku: r.suggestion for r in result.rows}
    assert got == expected
    assert stock_outs > 0  # the demo has stock-outs in the window, so they were compared
    assert {s.status for s in got.values()} >= {ReorderStatus.ORDER_NOW, ReorderStatus.OK}
    assert backroom.read(stock.ledger_mismatches) == ()
