"""Supplier tasks: orders sent to suppliers become one task per line that needs making, each
given fairly (and safely when two people assign at once) to a supplier who can take it, with
a unique task SKU; the task's life, its history and messages; the order moving on by itself."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.bootstrap import open_backroom
from app.config import load_config
from app.db.models import (
    Category,
    CategoryRotation,
    Notification,
    Order,
    OrderLine,
    OrderSearchTerm,
    OutboxEmail,
    Product,
    Setting,
    StatusChange,
    Supplier,
    SupplierCategory,
    SupplierTask,
    TaskMessage,
    User,
)
from app.domain import task_sku
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.statuses import OrderStatus, TaskStatus
from app.services import orders, settings, supplier_tasks, suppliers
from app.services.paging import PageRequest
from app.services.search import terms
from app.services.supplier_tasks import (
    accept_task,
    add_task_message,
    apply_auto_purchasing,
    assign_task,
    cancel_task,
    complete_task,
    edit_task,
    finish_production,
    reject_task,
    send_to_suppliers,
    ship_task,
    start_production,
)

from .workshop import add_channel

S, T = OrderStatus, TaskStatus
TODAY = date.today()
PLACED = datetime.now(UTC) - timedelta(days=2)


@dataclass
class Shop:
    channel: int
    mugs: int
    tees: int
    shoes: int  # nobody makes shoes
    kiln: int  # mugs, 6 days, e-mail
    mugshot: int  # mugs, 4 days, no e-mail
    thread: int  # t-shirts, 5 days
    mug: int  # made to order, in Mugs
    tee: int  # made to order, in T-shirts
    shoe: int  # made to order, in Shoes
    stocked: int  # a plain mug from the shelf


def _supplier(s, name: str, categories: list[int], *, lead: int, email: str = "",
              capacity: int | None = None, weight: int = 1) -> int:
    supplier = Supplier(name=name, email=email, lead_time_days=lead, capacity=capacity,
                        active=True)
    s.add(supplier)
    s.flush()
    for c in categories:
        s.add(SupplierCategory(supplier_id=supplier.id, category_id=c, weight=weight))
    return supplier.id


def _product(s, sku: str, category: int | None, *, made: bool = True, cost: int = 450) -> int:
    product = Product(sku=sku, title=f"Personalised {sku.lower()}", title_key=sku.lower(),
                      category_id=category, made_to_order=made, cost_minor=cost,
                      cost_currency="GBP")
    s.add(product)
    s.flush()
    return product.id


@pytest.fixture
def shop(backroom) -> Shop:
    channel = add_channel(backroom)
    with backroom.sessions() as s:
        cats = [Category(code=c, name=n) for c, n in
                (("mugs", "Mugs"), ("t-shirts", "T-shirts"), ("shoes", "Shoes"))]
        s.add_all(cats)
        s.flush()
        mugs, tees, shoes = (c.id for c in cats)
        kiln = _supplier(s, "Kiln & Co.", [mugs], lead=6, email="orders@kiln.example")
        mugshot = _supplier(s, "Mugshot", [mugs], lead=4)
        thread = _supplier(s, "Threadworks", [tees], lead=5, email="jobs@thread.example")
        shop = Shop(channel, mugs, tees, shoes, kiln, mugshot, thread,
                    _product(s, "MUG-C", mugs), _product(s, "TEE-C", tees),
                    _product(s, "SHO-C", shoes), _product(s, "MUG-S", mugs, made=False))
        s.commit()
    return shop


_numbers = iter(range(1001, 100_000))


def order(backroom, shop: Shop, *products: int | tuple[int, int], status: S = S.NEW,
          number: str | None = None, placed: datetime = PLACED,
          custom: tuple[str, int | None] | None = None) -> int:
    """An order with a line per product (or (product, quantity)); `custom` adds a line with
    no product: (title, category id)."""
    number = number or f"#{next(_numbers)}"
    with backroom.sessions() as s:
        o = Order(channel_id=shop.channel, external_id=number, number=number, placed_at=placed,
                  status=str(status), customer_name="Ann Lee", customer_key="ann lee",
                  currency="GBP", ship_name="Ann Lee", ship_address1="1 High St",
                  ship_city="York", ship_postcode="YO1 1AA", ship_country="GB")
        for item in products:
            pid, qty = item if isinstance(item, tuple) else (item, 1)
            p = s.get_one(Product, pid)
            o.lines.append(OrderLine(product_id=pid, sku=p.sku, title=p.title, quantity=qty,
                                     unit_cost_minor=300, personalisation="For Sam",
                                     needs_making=p.made_to_order))
        if custom:
            o.lines.append(OrderLine(product_id=None, category_id=custom[1], sku="CUSTOM",
                                     title=custom[0], quantity=1, unit_cost_minor=700,
                                     needs_making=True))
        s.add(o)
        s.flush()
        for term in terms(number, "Ann Lee"):
            s.add(OrderSearchTerm(term=term, order_id=o.id))
        s.commit()
        return o.id


def tasks_of(backroom, order_id: int) -> list[SupplierTask]:
    with backroom.sessions() as s:
        return list(s.scalars(select(SupplierTask).where(SupplierTask.order_id == order_id)
                              .order_by(SupplierTask.id)))


def task(backroom, task_id: int) -> SupplierTask:
    with backroom.sessions() as s:
        return s.get_one(SupplierTask, task_id)


def status_of(backroom, order_id: int) -> str:
    with backroom.sessions() as s:
        return s.get_one(Order, order_id).status


def history(backroom, entity: str, entity_id: int) -> list[tuple[str | None, str, str]]:
    with backroom.sessions() as s:
        return [(c.from_status, c.to_status, c.note) for c in s.scalars(
            select(StatusChange).where(StatusChange.entity == entity,
                                       StatusChange.entity_id == entity_id)
            .order_by(StatusChange.id))]


def count(backroom, model) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def snapshot(backroom) -> tuple[object, ...]:
    """Everything an action could touch, to show a refused one changed nothing."""
    with backroom.sessions() as s:
        return (
            [(t.id, t.sku, t.status, t.supplier_id, t.due_date, t.carrier, t.tracking_number,
              t.cost_minor, list(t.rejected_by)) for t in s.scalars(
                select(SupplierTask).order_by(SupplierTask.id))],
            [(o.id, o.status) for o in s.scalars(select(Order).order_by(Order.id))],
            count(backroom, StatusChange), count(backroom, OutboxEmail),
            count(backroom, Notification), count(backroom, TaskMessage),
            [(r.category_id, r.last_supplier_id, r.turns)
             for r in s.scalars(select(CategoryRotation))],
            [(x.key, x.value) for x in s.scalars(select(Setting).order_by(Setting.key))],
        )


def sent(backroom, shop: Shop, *products, **kw) -> SupplierTask:
    """A one-line order sent to suppliers; its task."""
    o = order(backroom, shop, *products, **kw)
    backroom.act(send_to_suppliers, [o])
    return tasks_of(backroom, o)[0]


# --- sending orders to suppliers -----------------------------------------------------------


def test_an_order_sent_to_suppliers_gets_one_task_per_line_that_needs_making(backroom, shop):
    o = order(backroom, shop, (shop.mug, 2), shop.tee, shop.stocked, number="#1042")
    changes = backroom.act(send_to_suppliers, [o])
    assert changes == Changes(orders=True, tasks=True, suppliers=True)
    assert status_of(backroom, o) == "purchasing"
    mug, tee = tasks_of(backroom, o)
    stamp = f"{TODAY:%y%m%d}"
    assert (mug.sku, tee.sku) == (f"SKU-MUGS-{stamp}-0001", f"SKU-TSHIRTS-{stamp}-0002")
    assert (mug.status, mug.supplier_id, mug.category_id) == ("assigned", shop.kiln, shop.mugs)
    assert (tee.status, tee.supplier_id) == ("assigned", shop.thread)
    placed_day = PLACED.astimezone().date()
    assert mug.due_date == placed_day + timedelta(days=6)  # Kiln's lead time
    assert tee.due_date == placed_day + timedelta(days=5)
    assert (mug.cost_minor, mug.currency) == (900, "GBP")  # 2 x the product's cost
    with backroom.sessions() as s:
        lines = {ln.id: ln for ln in s.scalars(select(OrderLine).where(OrderLine.order_id == o))}
    assert lines[mug.order_line_id].quantity == 2  # the quantity stays on the line
    assert history(backroom, "order", o) == [
        ("new", "purchasing", ""),
        ("purchasing", "purchasing", f"Task {mug.sku} assigned to Kiln & Co."),
        ("purchasing", "purchasing", f"Task {tee.sku} assigned to Threadworks"),
    ]
    assert history(backroom, "supplier_task", mug.id) == [
        (None, "assigned", "Made from order #1042; assigned to Kiln & Co. (round robin); "
                           "e-mailed orders@kiln.example")]


def test_a_custom_line_without_a_product_takes_the_lines_own_category(backroom, shop):
    o = order(backroom, shop, custom=("Hand-painted tee", shop.tees))
    backroom.act(send_to_suppliers, [o])
    (t,) = tasks_of(backroom, o)
    assert (t.category_id, t.supplier_id, t.cost_minor) == (shop.tees, shop.thread, 700)


def test_moving_an_order_to_purchasing_in_the_orders_tab_sends_it_to_suppliers(backroom, shop):
    o = order(backroom, shop, shop.mug, status=S.ON_HOLD)
    changes = backroom.act(orders.change_status, [o], S.PURCHASING, note="paid at last")
    assert changes.touches("tasks") and changes.touches("orders")
    assert [t.status for t in tasks_of(backroom, o)] == ["assigned"]
    assert history(backroom, "order", o)[0] == ("on_hold", "purchasing", "paid at last")


def test_an_order_back_from_hold_keeps_its_tasks_and_gets_no_second_set(backroom, shop):
    o = order(backroom, shop, shop.mug, shop.tee)
    backroom.act(send_to_suppliers, [o])
    backroom.act(orders.change_status, [o], S.ON_HOLD)
    backroom.act(orders.change_status, [o], S.PURCHASING)
    assert len(tasks_of(backroom, o)) == 2
    assert status_of(backroom, o) == "purchasing"


def test_an_order_with_nothing_to_make_is_refused_and_the_batch_changes_nothing(
        backroom, shop):
    good = order(backroom, shop, shop.mug)
    plain = order(backroom, shop, shop.stocked, number="#2042")
    before = snapshot(backroom)
    with pytest.raises(DomainError, match=r"^Order #2042 has nothing to make; move it to "
                                          r"Ready to pick\.$"):
        backroom.act(send_to_suppliers, [good, plain])
    assert snapshot(backroom) == before


def test_an_order_that_cannot_go_to_purchasing_is_refused_in_words(backroom, shop):
    shipped = order(backroom, shop, shop.mug, status=S.SHIPPED, number="#3001")
    before = snapshot(backroom)
    with pytest.raises(DomainError, match=r"^Order #3001: An order that is shipped cannot "
                                          r"become purchasing"):
        backroom.act(send_to_suppliers, [shipped])
    with pytest.raises(DomainError, match="no longer exists"):
        backroom.act(send_to_suppliers, [987654])
    assert snapshot(backroom) == before


def test_nobody_to_make_it_leaves_the_task_needing_a_supplier_with_the_reason(backroom, shop):
    o = order(backroom, shop, shop.shoe, number="#4001")
    backroom.act(send_to_suppliers, [o])
    (t,) = tasks_of(backroom, o)
    assert (t.status, t.supplier_id, t.due_date) == ("unassigned", None, None)
    assert t.unassigned_reason.startswith("No supplier serves Shoes.")
    assert status_of(backroom, o) == "purchasing"
    assert history(backroom, "order", o)[-1][2] == (
        f"Task {t.sku} needs a supplier: {t.unassigned_reason}")
    page = backroom.read(supplier_tasks.task_list_page,
                         PageRequest(filters=(("needs_supplier", True),)))
    assert [(r.sku, r.supplier, r.needs_supplier) for r in page.rows] == [(t.sku, None, True)]
    assert backroom.read(supplier_tasks.needs_supplier_count) == 1


def test_a_product_with_no_category_needs_a_supplier_and_says_why(backroom, shop):
    with backroom.sessions() as s:
        loose = _product(s, "ODD-1", None)
        s.commit()
    t = sent(backroom, shop, loose)
    assert t.status == "unassigned" and "has no category" in t.unassigned_reason
    assert "-NONE-" in t.sku


# --- choosing the supplier -----------------------------------------------------------------


def test_round_robin_takes_turns_across_orders_and_survives_reopening(backroom, shop):
    first = [sent(backroom, shop, shop.mug).supplier_id for _ in range(3)]
    assert first == [shop.kiln, shop.mugshot, shop.kiln]
    backroom.close()
    reopened = open_backroom(load_config())
    try:
        assert sent(reopened, shop, shop.mug).supplier_id == shop.mugshot
        with reopened.sessions() as s:
            rot = s.get_one(CategoryRotation, shop.mugs)
            assert (rot.last_supplier_id, rot.turns) == (shop.mugshot, 4)
    finally:
        reopened.close()


def test_one_order_of_many_lines_is_shared_in_turn(backroom, shop):
    o = order(backroom, shop, *[shop.mug] * 4)
    backroom.act(send_to_suppliers, [o])
    assert [t.supplier_id for t in tasks_of(backroom, o)] == [shop.kiln, shop.mugshot] * 2


def test_a_paused_supplier_is_skipped(backroom, shop):
    backroom.act(suppliers.set_active, shop.kiln, False)
    assert {sent(backroom, shop, shop.mug).supplier_id for _ in range(3)} == {shop.mugshot}


def test_a_supplier_at_capacity_is_skipped_until_a_task_is_done(backroom, shop):
    with backroom.sessions() as s:
        s.get_one(Supplier, shop.kiln).capacity = 1
        s.commit()
    firsts = [sent(backroom, shop, shop.mug) for _ in range(3)]
    assert [t.supplier_id for t in firsts] == [shop.kiln, shop.mugshot, shop.mugshot]
    backroom.act(cancel_task, firsts[0].id)  # Kiln has room again
    assert sent(backroom, shop, shop.mug).supplier_id == shop.kiln


def test_everyone_full_or_paused_is_named_in_the_reason(backroom, shop):
    backroom.act(suppliers.set_active, shop.kiln, False)
    with backroom.sessions() as s:
        s.get_one(Supplier, shop.mugshot).capacity = 0
        s.commit()
    t = sent(backroom, shop, shop.mug)
    assert t.status == "unassigned"
    assert t.unassigned_reason == ("No supplier of Mugs can take this task: Mugshot is at "
                                   "capacity (capacity 0) and Kiln & Co. is paused.")


def test_least_open_strategy_gives_the_task_to_the_least_busy_supplier(backroom, shop):
    for _ in range(2):  # Kiln, Mugshot: one each
        sent(backroom, shop, shop.mug)
    with backroom.sessions() as s:
        extra = _supplier(s, "Clay Barn", [shop.mugs], lead=3)
        s.commit()
    backroom.act(settings.set_category_strategy, shop.mugs, "least_open")
    assert [sent(backroom, shop, shop.mug).supplier_id for _ in range(3)] == [
        extra, shop.kiln, shop.mugshot]


def test_weighted_strategy_shares_tasks_by_weight(backroom, shop):
    with backroom.sessions() as s:
        s.get(SupplierCategory, (shop.kiln, shop.mugs)).weight = 3
        s.commit()
    backroom.act(settings.set_category_strategy, shop.mugs, "weighted")
    o = order(backroom, shop, *[shop.mug] * 8)
    backroom.act(send_to_suppliers, [o])
    given = [t.supplier_id for t in tasks_of(backroom, o)]
    assert given.count(shop.kiln) == 6 and given.count(shop.mugshot) == 2


def test_an_unknown_strategy_is_refused_and_each_category_keeps_its_own(backroom, shop):
    with pytest.raises(DomainError, match="is not a way of choosing suppliers"):
        backroom.act(settings.set_category_strategy, shop.mugs, "cheapest")
    backroom.act(settings.set_category_strategy, shop.tees, "least_open")
    shown = {c.name: c.strategy for c in backroom.read(settings.task_settings).categories}
    assert shown == {"Mugs": "round_robin", "Shoes": "round_robin", "T-shirts": "least_open"}


def test_two_people_assigning_at_once_never_hand_out_the_same_turn(backroom, shop):
    """Two programs on the same file, each with its own sessions, each sending 30 orders of
    one mug task: every turn and every counter value is handed out exactly once."""
    per_thread = 30
    sent(backroom, shop, shop.mug)  # the rotation and the counter exist already
    ids = [order(backroom, shop, shop.mug) for _ in range(2 * per_thread)]
    other = open_backroom(load_config())
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def work(room, mine: list[int]) -> None:
        try:
            start.wait()
            for order_id in mine:
                room.act(send_to_suppliers, [order_id])
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(room, ids[i::2]))
               for i, room in enumerate((backroom, other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    other.close()
    assert not failures, failures
    with backroom.sessions() as s:
        given = list(s.execute(select(SupplierTask.supplier_id, SupplierTask.sku)
                               .order_by(SupplierTask.id)))
        rot = s.get_one(CategoryRotation, shop.mugs)
    suppliers_in_order = [sid for sid, _ in given]
    assert len(given) == 2 * per_thread + 1
    # Each task took the turn after the previous one: the suppliers strictly alternate.
    assert all(a != b for a, b in itertools.pairwise(suppliers_in_order))
    assert abs(suppliers_in_order.count(shop.kiln) - suppliers_in_order.count(shop.mugshot)) <= 1
    assert rot.turns == 2 * per_thread + 1
    assert sorted(int(sku.rsplit("-", 1)[1]) for _, sku in given) == list(
        range(1, 2 * per_thread + 2))


# --- task SKUs and settings ----------------------------------------------------------------


def test_a_bad_sku_pattern_is_refused_with_every_problem_and_nothing_saved(backroom, shop):
    before = snapshot(backroom)
    with pytest.raises(DomainError) as caught:
        backroom.act(settings.save_task_settings, "SKU {categry}", True)
    text = str(caught.value)
    assert "• {categry} (did you mean {category}?) is not a token" in text
    assert "• A space cannot be part of a SKU" in text
    assert "add {seq} or {rand:6}" in text
    assert snapshot(backroom) == before
    assert backroom.read(settings.task_settings).pattern == task_sku.DEFAULT_PATTERN


def test_a_pattern_is_previewed_and_saved_with_the_auto_rule(backroom, shop):
    preview = settings.task_sku_preview("JOB-{category}-{seq:5}", on=date(2026, 3, 4))
    assert preview.ok and preview.example == "JOB-MUGS-00001"
    bad = settings.task_sku_preview("JOB-{category}")
    assert not bad.ok and bad.example == "" and "same SKU" in bad.problems[0]
    backroom.act(settings.save_task_settings, " JOB-{category}-{seq:5} ", True)
    saved = backroom.read(settings.task_settings)
    assert (saved.pattern, saved.auto_purchasing) == ("JOB-{category}-{seq:5}", True)
    assert sent(backroom, shop, shop.mug).sku == "JOB-MUGS-00001"
    assert sent(backroom, shop, shop.mug).sku == "JOB-MUGS-00002"


def test_the_templates_random_form_makes_unique_skus(backroom, shop):
    backroom.act(settings.save_task_settings, task_sku.TEMPLATE_PATTERN, False)
    o = order(backroom, shop, *[shop.mug] * 5)
    backroom.act(send_to_suppliers, [o])
    skus = [t.sku for t in tasks_of(backroom, o)]
    assert len(set(skus)) == 5
    assert all(len(s) == 11 and s.startswith("SKU") and s[3:].isdigit() for s in skus)


def test_a_sku_already_taken_is_skipped_for_the_next_counter_value(backroom, shop):
    first = sent(backroom, shop, shop.mug)
    stamp = f"{TODAY:%y%m%d}"
    clash = f"SKU-MUGS-{stamp}-0002"
    with backroom.sessions() as s:  # a task made by hand, or imported, with the next SKU
        s.add(SupplierTask(sku=clash, order_id=first.order_id,
                           order_line_id=first.order_line_id, status="cancelled"))
        s.commit()
    second = sent(backroom, shop, shop.mug)
    assert second.sku == f"SKU-MUGS-{stamp}-0003"
    assert sent(backroom, shop, shop.mug).sku == f"SKU-MUGS-{stamp}-0004"
    with backroom.sessions() as s:
        assert s.get_one(Setting, "task_sku_seq").value == {
            "value": {task_sku.DEFAULT_PATTERN: 4}}


def test_a_random_sku_that_clashes_is_drawn_again(backroom, shop, monkeypatch):
    backroom.act(settings.save_task_settings, "SKU{rand:8}", False)
    first = sent(backroom, shop, shop.mug)
    # The first draw clashes with the old task, the second pair with each other.
    draws = iter([first.sku[3:], "55555555", "55555555", "12345678"])
    monkeypatch.setattr(supplier_tasks, "random_digits", lambda n: next(draws))
    o = order(backroom, shop, shop.mug, shop.mug)
    backroom.act(send_to_suppliers, [o])
    assert sorted(t.sku for t in tasks_of(backroom, o)) == ["SKU12345678", "SKU55555555"]


def test_a_pattern_with_no_room_left_is_refused_and_nothing_changes(backroom, shop, monkeypatch):
    backroom.act(settings.save_task_settings, "SKU{rand:8}", False)
    first = sent(backroom, shop, shop.mug)
    monkeypatch.setattr(supplier_tasks, "random_digits", lambda n: first.sku[3:])
    o = order(backroom, shop, shop.mug)
    before = snapshot(backroom)
    with pytest.raises(DomainError, match="No free task SKU was found"):
        backroom.act(send_to_suppliers, [o])
    assert snapshot(backroom) == before


# --- the auto-purchasing rule ---------------------------------------------------------------


def test_the_auto_rule_does_nothing_while_it_is_off(backroom, shop):
    o = order(backroom, shop, shop.mug)
    assert backroom.act(apply_auto_purchasing, [o]) == Changes()
    assert status_of(backroom, o) == "new" and tasks_of(backroom, o) == []


def test_the_auto_rule_sends_new_orders_with_something_to_make(backroom, shop):
    backroom.act(settings.save_task_settings, task_sku.DEFAULT_PATTERN, True)
    custom = order(backroom, shop, shop.mug, shop.stocked)
    plain = order(backroom, shop, shop.stocked)
    held = order(backroom, shop, shop.mug, status=S.ON_HOLD)
    changes = backroom.act(apply_auto_purchasing, [custom, plain, held, 987654])
    assert changes.touches("tasks")
    assert [status_of(backroom, o) for o in (custom, plain, held)] == [
        "purchasing", "new", "on_hold"]
    assert len(tasks_of(backroom, custom)) == 1
    with backroom.sessions() as s:
        actor = s.scalars(select(StatusChange.actor).where(
            StatusChange.entity == "order", StatusChange.entity_id == custom)).first()
    assert actor == "automatic: new orders go to suppliers"


# --- a task's life --------------------------------------------------------------------------


def test_a_task_goes_from_assigned_to_done_with_times_and_history(backroom, shop):
    t = sent(backroom, shop, shop.mug, shop.tee)
    for action in (accept_task, start_production, finish_production):
        assert backroom.act(action, t.id).touches("tasks")
    produced = task(backroom, t.id)
    assert produced.status == "produced"
    assert produced.production_started_at <= produced.production_ended_at
    backroom.act(ship_task, t.id, " Royal  Mail ", "RM123GB", False)
    shipped = task(backroom, t.id)
    assert (shipped.carrier, shipped.tracking_number, shipped.ships_direct) == (
        "Royal Mail", "RM123GB", False)
    backroom.act(complete_task, t.id)
    assert [(f, to) for f, to, _n in history(backroom, "supplier_task", t.id)] == [
        (None, "assigned"), ("assigned", "accepted"), ("accepted", "in_production"),
        ("in_production", "produced"), ("produced", "shipped"), ("shipped", "done")]
    assert status_of(backroom, t.order_id) == "purchasing"  # the t-shirt is not done yet


@pytest.mark.parametrize(("action", "args"), [
    (start_production, ()), (finish_production, ()), (complete_task, ()),
    (ship_task, ("DPD", "1", False)),
])
def test_a_step_out_of_turn_is_refused_in_words_and_changes_nothing(backroom, shop, action,
                                                                     args):
    t = sent(backroom, shop, shop.mug)
    before = snapshot(backroom)
    with pytest.raises(DomainError, match=rf"^Task {t.sku}: A supplier task that is assigned "
                                          "cannot become"):
        backroom.act(action, t.id, *args)
    assert snapshot(backroom) == before


def test_a_finished_task_cannot_be_cancelled_or_turned_down(backroom, shop):
    t = sent(backroom, shop, shop.mug, shop.tee)
    for action in (accept_task, start_production, finish_production, complete_task):
        backroom.act(action, t.id)
    before = snapshot(backroom)
    with pytest.raises(DomainError, match="it is final"):
        backroom.act(cancel_task, t.id)
    with pytest.raises(DomainError, match="cannot become rejected"):
        backroom.act(reject_task, t.id, "too busy")
    with pytest.raises(DomainError, match="no longer exists"):
        backroom.act(accept_task, 987654)
    assert snapshot(backroom) == before


def test_shipping_needs_a_carrier(backroom, shop):
    t = sent(backroom, shop, shop.mug)
    for action in (accept_task, start_production, finish_production):
        backroom.act(action, t.id)
    before = snapshot(backroom)
    with pytest.raises(DomainError, match="Say which carrier"):
        backroom.act(ship_task, t.id, "  ", "RM1", False)
    assert snapshot(backroom) == before


def test_shipping_details_can_be_corrected_once_shipped_and_the_order_says_so(backroom, shop):
    t = sent(backroom, shop, shop.mug)
    before = snapshot(backroom)
    with pytest.raises(DomainError, match="has not been shipped yet"):
        backroom.act(supplier_tasks.change_task_shipping, t.id, "DPD", "1")
    assert snapshot(backroom) == before
    for action in (accept_task, start_production, finish_production):
        backroom.act(action, t.id)
    backroom.act(ship_task, t.id, "DPD", "15501234", False)
    with pytest.raises(DomainError, match="Say which carrier"):
        backroom.act(supplier_tasks.change_task_shipping, t.id, "", "15509999")
    changes = backroom.act(supplier_tasks.change_task_shipping, t.id, "DPD", " 15509999 ")
    assert changes.touches("tasks") and changes.touches("orders")
    assert task(backroom, t.id).tracking_number == "15509999"
    assert history(backroom, "supplier_task", t.id)[-1][2] == "Changed tracking number"
    assert "shipping details corrected" in history(backroom, "order", t.order_id)[-1][2]
    assert backroom.act(supplier_tasks.change_task_shipping, t.id, "DPD", "15509999") \
        == Changes()  # nothing new: nothing recorded


def _produce(backroom, task_id: int) -> None:
    for action in (accept_task, start_production, finish_production):
        backroom.act(action, task_id)


def test_the_order_moves_to_ready_to_pick_when_its_last_task_is_done(backroom, shop):
    o = order(backroom, shop, shop.mug, shop.tee, number="#5001")
    backroom.act(send_to_suppliers, [o])
    first, second = tasks_of(backroom, o)
    for t in (first, second):
        _produce(backroom, t.id)
    backroom.act(complete_task, first.id)
    assert status_of(backroom, o) == "purchasing"
    changes = backroom.act(complete_task, second.id)
    assert changes.touches("orders")
    assert status_of(backroom, o) == "ready_to_pick"
    last = history(backroom, "order", o)[-1]
    assert last == ("purchasing", "ready_to_pick", "Every supplier task is done")
    with backroom.sessions() as s:
        assert s.scalars(select(StatusChange.actor).where(
            StatusChange.entity == "order", StatusChange.entity_id == o)
            .order_by(StatusChange.id.desc())).first() == "automatic: all supplier tasks done"


def test_the_order_is_shipped_when_every_task_ships_straight_to_the_customer(backroom, shop):
    o = order(backroom, shop, shop.mug, shop.tee)
    backroom.act(send_to_suppliers, [o])
    first, second = tasks_of(backroom, o)
    for t in (first, second):
        _produce(backroom, t.id)
    backroom.act(ship_task, first.id, "DPD", "D1", True)
    assert status_of(backroom, o) == "purchasing"
    backroom.act(ship_task, second.id, "DPD", "D2", True)
    assert status_of(backroom, o) == "shipped"
    assert history(backroom, "order", o)[-1][:2] == ("purchasing", "shipped")
    detail = backroom.read(supplier_tasks.task_detail, second.id)
    assert detail.ship_to == "Ann Lee\n1 High St\nYork\nYO1 1AA\nGB"


def test_shipped_direct_with_shelf_items_still_goes_to_picking(backroom, shop):
    o = order(backroom, shop, shop.mug, shop.stocked)
    backroom.act(send_to_suppliers, [o])
    (t,) = tasks_of(backroom, o)
    _produce(backroom, t.id)
    backroom.act(ship_task, t.id, "DPD", "D1", True)
    assert status_of(backroom, o) == "ready_to_pick"


def test_an_order_on_hold_waits_even_when_its_tasks_are_done(backroom, shop):
    t = sent(backroom, shop, shop.mug)
    backroom.act(orders.change_status, [t.order_id], S.ON_HOLD)
    _produce(backroom, t.id)
    backroom.act(complete_task, t.id)
    assert status_of(backroom, t.order_id) == "on_hold"


def test_cancelling_an_order_cancels_its_open_tasks_but_not_finished_ones(backroom, shop):
    o = order(backroom, shop, shop.mug, shop.tee, shop.shoe, number="#6001")
    backroom.act(send_to_suppliers, [o])
    mug, tee, shoe = tasks_of(backroom, o)
    _produce(backroom, mug.id)
    backroom.act(ship_task, mug.id, "DPD", "D1", False)
    changes = backroom.act(orders.change_status, [o], S.CANCELLED)
    assert changes.touches("tasks")
    assert [t.status for t in tasks_of(backroom, o)] == ["shipped", "cancelled", "cancelled"]
    assert history(backroom, "supplier_task", tee.id)[-1] == (
        "assigned", "cancelled", "Order #6001 was cancelled")
    assert history(backroom, "supplier_task", shoe.id)[-1][:2] == ("unassigned", "cancelled")
    assert history(backroom, "order", o)[-1][2] == (
        f"Cancelled 2 supplier tasks with the order: {tee.sku}, {shoe.sku}")


# --- turning a task down, assigning by hand -------------------------------------------------


def test_a_rejected_task_goes_to_the_next_supplier_and_the_owner_is_told(backroom, shop):
    t = sent(backroom, shop, shop.mug)
    assert t.supplier_id == shop.kiln
    before = snapshot(backroom)
    with pytest.raises(DomainError, match="Say why"):
        backroom.act(reject_task, t.id, "   ")
    assert snapshot(backroom) == before
    backroom.act(reject_task, t.id, "Kiln is down")
    moved = task(backroom, t.id)
    assert (moved.status, moved.supplier_id, moved.rejected_by) == (
        "assigned", shop.mugshot, [shop.kiln])
    assert moved.due_date == max(PLACED.astimezone().date(), TODAY) + timedelta(days=4)
    steps = history(backroom, "supplier_task", t.id)
    assert steps[1] == ("assigned", "rejected", "Turned down by Kiln & Co.: Kiln is down")
    assert steps[2][:2] == ("rejected", "assigned")
    assert steps[2][2].startswith("Assigned to Mugshot (round robin); not e-mailed")
    with backroom.sessions() as s:
        kinds = [n.kind for n in s.scalars(select(Notification).order_by(Notification.id))]
    assert "task_rejected" in kinds
    assert "email_missing" in kinds  # Mugshot has no e-mail address: the owner hears of it


def test_a_task_everyone_turned_down_waits_for_a_supplier(backroom, shop):
    t = sent(backroom, shop, shop.mug)
    backroom.act(reject_task, t.id, "Too busy")
    backroom.act(reject_task, t.id, "No glaze")
    left = task(backroom, t.id)
    assert (left.status, left.supplier_id) == ("unassigned", None)
    assert left.unassigned_reason == "Both suppliers of Mugs turned this task down."
    assert sorted(left.rejected_by) == sorted([shop.kiln, shop.mugshot])
    before = snapshot(backroom)
    with pytest.raises(DomainError, match=rf"^Task {left.sku} was not assigned. Both"):
        backroom.act(assign_task, t.id, None)
    assert snapshot(backroom) == before
    backroom.act(assign_task, t.id, shop.kiln)  # the owner may still choose by hand
    again = task(backroom, t.id)
    assert (again.status, again.supplier_id) == ("assigned", shop.kiln)
    assert history(backroom, "supplier_task", t.id)[-1][2].startswith(
        "Assigned to Kiln & Co. by hand; e-mailed orders@kiln.example")


def test_assigning_by_hand_is_refused_for_a_paused_or_unsuitable_supplier(backroom, shop):
    with backroom.sessions() as s:
        s.get_one(Supplier, shop.kiln).capacity = 0
        s.get_one(Supplier, shop.mugshot).capacity = 0
        s.commit()
    t = sent(backroom, shop, shop.mug)
    assert t.status == "unassigned"
    backroom.act(suppliers.set_active, shop.kiln, False)
    before = snapshot(backroom)
    with pytest.raises(DomainError, match=r"^Kiln & Co\. is paused"):
        backroom.act(assign_task, t.id, shop.kiln)
    with pytest.raises(DomainError, match=r"^Threadworks does not make Mugs"):
        backroom.act(assign_task, t.id, shop.thread)
    with pytest.raises(DomainError, match="no longer exists"):
        backroom.act(assign_task, t.id, 987654)
    assert snapshot(backroom) == before
    with backroom.sessions() as s:
        s.get_one(Supplier, shop.mugshot).capacity = None
        s.commit()
    backroom.act(assign_task, t.id, None)
    assert task(backroom, t.id).supplier_id == shop.mugshot
    with pytest.raises(DomainError, match="cannot become assigned"):
        backroom.act(assign_task, t.id, shop.mugshot)


def test_a_supplier_holding_tasks_cannot_be_deleted_only_paused(backroom, shop):
    sent(backroom, shop, shop.mug)
    with pytest.raises(DomainError, match=r"Kiln & Co\. has 1 task; pause the supplier instead"):
        backroom.act(suppliers.delete_supplier, shop.kiln)
    backroom.act(suppliers.set_active, shop.kiln, False)
    assert sent(backroom, shop, shop.mug).supplier_id == shop.mugshot


# --- notifications ----------------------------------------------------------------------------


def test_the_supplier_is_e_mailed_a_new_task_and_the_owner_hears_it_is_done(backroom, shop):
    with backroom.sessions() as s:
        s.add(User(username="kiln", display_name="Kiln", role="supplier",
                   supplier_id=shop.kiln))
        s.commit()
    t = sent(backroom, shop, shop.mug, number="#7001")
    with backroom.sessions() as s:
        (mail,) = s.scalars(select(OutboxEmail))
        (note,) = s.scalars(select(Notification))
        kiln_user = s.scalar(select(User.id).where(User.username == "kiln"))
    assert mail.to_address == "orders@kiln.example"
    assert mail.subject.startswith(f"New task {t.sku}: 1 × Personalised mug-c, due ")
    assert "order #7001" in mail.body and "For Sam" in mail.body
    assert (note.kind, note.for_user_id, note.entity, note.entity_id) == (
        "task_assigned", kiln_user, "supplier_task", t.id)
    _produce(backroom, t.id)
    backroom.act(complete_task, t.id)
    with backroom.sessions() as s:
        done = s.scalars(select(Notification).where(Notification.kind == "task_done")).one()
    assert done.for_user_id is None and done.title == f"Kiln & Co. finished task {t.sku}"
    assert history(backroom, "supplier_task", t.id)[-1] == ("produced", "done", "Owner told")


def test_the_owner_is_told_once_about_each_overdue_task(backroom, shop):
    t = sent(backroom, shop, shop.mug, placed=datetime.now(UTC) - timedelta(days=30))
    assert backroom.read(supplier_tasks.overdue_count) == 1
    backroom.act(supplier_tasks.announce_overdue_tasks)
    backroom.act(supplier_tasks.announce_overdue_tasks)
    with backroom.sessions() as s:
        (late,) = s.scalars(select(Notification).where(Notification.kind == "task_overdue"))
    assert late.entity_id == t.id and t.sku in late.title
    assert history(backroom, "supplier_task", t.id)[-1][2] == (
        "Owner told the task is overdue (24 days late)")  # due 30 - 6 days ago


# --- editing, notes and reading ----------------------------------------------------------------


def test_editing_a_task_records_what_changed_and_refuses_bad_values(backroom, shop):
    t = sent(backroom, shop, shop.mug)
    before = snapshot(backroom)
    with pytest.raises(DomainError) as caught:
        backroom.act(edit_task, t.id, t.due_date, -5, "x" * 81, "")
    assert "cost cannot be negative" in str(caught.value)
    assert "carrier's name is too long" in str(caught.value)
    assert snapshot(backroom) == before
    assert backroom.act(edit_task, t.id, t.due_date, t.cost_minor, "", "") == Changes()
    new_due = t.due_date + timedelta(days=3)
    backroom.act(edit_task, t.id, new_due, 1250, "Evri", "H00A")
    edited = task(backroom, t.id)
    assert (edited.due_date, edited.cost_minor, edited.carrier, edited.tracking_number) == (
        new_due, 1250, "Evri", "H00A")
    note = history(backroom, "supplier_task", t.id)[-1]
    assert note[:2] == ("assigned", "assigned")
    assert note[2].startswith("Changed due date (") and "cost, carrier (none → Evri), " \
        "tracking number" in note[2]


def test_notes_between_owner_and_supplier_are_kept_with_their_time(backroom, shop):
    t = sent(backroom, shop, shop.mug)
    with pytest.raises(DomainError, match="empty"):
        backroom.act(add_task_message, t.id, "  \n ")
    backroom.act(add_task_message, t.id, "Gold rim, please")
    backroom.act(add_task_message, t.id, "Will do — Kiln")
    detail = backroom.read(supplier_tasks.task_detail, t.id)
    assert [(m.author, m.body) for m in detail.messages] == [
        (backroom.actor, "Gold rim, please"), (backroom.actor, "Will do — Kiln")]
    assert detail.messages[0].created_at.tzinfo is not None


def test_task_detail_shows_the_task_its_order_and_what_can_happen_next(backroom, shop):
    t = sent(backroom, shop, (shop.mug, 2), number="#8001")
    d = backroom.read(supplier_tasks.task_detail, t.id)
    assert (d.sku, d.order_number, d.product_sku, d.quantity, d.personalisation) == (
        t.sku, "#8001", "MUG-C", 2, "For Sam")
    assert (d.supplier, d.category, d.status, d.order_status) == (
        "Kiln & Co.", "Mugs", "assigned", "purchasing")
    assert d.actions == ("accept", "reject", "cancel")
    assert d.ship_to  # the customer's address, for a supplier shipping direct
    assert d.workshop_view
    assert [h.to_status for h in d.history] == ["assigned"]
    choices = backroom.read(supplier_tasks.supplier_choices, t.id)
    assert [(c.name, c.open_tasks) for c in choices] == [("Kiln & Co.", 1), ("Mugshot", 0)]


def test_the_task_list_filters_searches_and_flags_overdue_tasks(backroom, shop):
    old = datetime.now(UTC) - timedelta(days=30)
    late = sent(backroom, shop, shop.mug, placed=old, number="#9001")
    tee = sent(backroom, shop, shop.tee, number="#9002")
    nobody = sent(backroom, shop, shop.shoe, number="#9003")

    def skus(**filters) -> list[str]:  # type: ignore[no-untyped-def]
        search = filters.pop("search", "")
        req = PageRequest(search=search, filters=tuple(filters.items()))
        page = backroom.read(supplier_tasks.task_list_page, req)
        assert backroom.read(supplier_tasks.task_count, req) == len(page.rows)
        return [r.sku for r in page.rows]

    assert skus() == [late.sku, tee.sku, nobody.sku]  # by due date; none last
    assert skus(overdue=True) == [late.sku]
    assert skus(supplier_id=shop.thread) == [tee.sku]
    assert skus(category_id=shop.shoes) == [nobody.sku]
    assert skus(status="assigned") == [late.sku, tee.sku]
    assert skus(search="9002") == [tee.sku]
    assert skus(search=tee.sku.lower()) == [tee.sku]
    assert skus(search="sku-shoes") == [nobody.sku]
    rows = {r.sku: r for r in backroom.read(supplier_tasks.order_tasks, late.order_id)}
    assert rows[late.sku].overdue and rows[late.sku].supplier == "Kiln & Co."
    page = backroom.read(supplier_tasks.task_list_page, PageRequest(sort="supplier", limit=2))
    assert [r.supplier for r in page.rows] == [None, "Kiln & Co."]
    rest = backroom.read(supplier_tasks.task_list_page,
                         PageRequest(sort="supplier", limit=2, after=page.after))
    assert [r.supplier for r in rest.rows] == ["Threadworks"]


def test_every_new_demo_order_with_custom_work_goes_to_suppliers(demo_copy):
    with demo_copy.sessions() as s:
        new = list(s.scalars(select(Order.id).where(
            Order.status == "new",
            Order.id.in_(select(OrderLine.order_id).where(OrderLine.needs_making)))))
        made = s.scalar(select(func.count(OrderLine.id)).where(
            OrderLine.order_id.in_(new), OrderLine.needs_making)) or 0
        before = s.scalar(select(func.count(SupplierTask.id))) or 0
    assert len(new) > 5
    demo_copy.act(send_to_suppliers, new)
    with demo_copy.sessions() as s:
        assert (s.scalar(select(func.count(SupplierTask.id))) or 0) == before + made
        assert s.scalar(select(func.count(Order.id)).where(
            Order.id.in_(new), Order.status != "purchasing")) == 0


def test_job_tickets_print_by_themselves_when_the_workshop_asks(backroom, shop, tmp_path,
                                                                monkeypatch):
    from app.db.models import PrintJob
    from app.printing.printers import PrinterConfig, PrinterKind
    from app.services import print_jobs, printers

    monkeypatch.setenv("BACKROOM_DATA_DIR", str(backroom.config.data_dir))
    printers.save_printer(backroom, None, PrinterConfig(
        "Bench PDF", PrinterKind.PDF_FILE, str(tmp_path / "tickets.pdf"), 203))
    printers.set_printer_use(backroom, printers.Use.JOB_TICKETS, "Bench PDF")
    t = sent(backroom, shop, shop.mug)  # the rule is off: nothing printed
    with backroom.sessions() as s:
        assert s.scalars(select(PrintJob)).all() == []
    backroom.act(print_jobs.save_print_settings, print_jobs.PrintSettings(on_task_created=True))
    second = sent(backroom, shop, shop.tee, number="#9100")
    with backroom.sessions() as s:
        (job,) = s.scalars(select(PrintJob))
    assert (job.printer, job.status) == ("Bench PDF", "queued")
    assert [r["task_sku"] for r in job.data["records"]] == [second.sku] != [t.sku]
