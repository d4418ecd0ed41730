"""Managing suppliers: adding and changing them (every problem named at once), pausing and
resuming with history, deleting only those that never had work, and the detail pane's
open tasks and scorecard against numbers worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import (
    Category,
    CategoryRotation,
    OrderLine,
    StatusChange,
    Supplier,
    SupplierCategory,
    SupplierTask,
)
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.statuses import OPEN_TASK_STATUSES, OrderStatus, TaskStatus
from app.services import suppliers
from app.services.suppliers import SupplierForm

from .workshop import add_channel, add_order, add_product

TODAY = date(2026, 3, 31)
T = TaskStatus


def at(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Shop:
    mugs: int
    shirts: int
    order: int
    line: int


@pytest.fixture
def shop(backroom) -> Shop:
    with backroom.sessions() as s:
        mugs = Category(code="mugs", name="Mugs")
        shirts = Category(code="t-shirts", name="T-shirts")
        s.add_all([mugs, shirts])
        s.commit()
        ids = mugs.id, shirts.id
    channel = add_channel(backroom)
    product = add_product(backroom, "MUG-CUSTOM", made_to_order=True)
    order = add_order(backroom, channel, OrderStatus.PURCHASING, [(product, 1)], number="#1001")
    with backroom.sessions() as s:
        line = s.scalars(select(OrderLine.id).where(OrderLine.order_id == order)).one()
    return Shop(*ids, order, line)


def form(shop: Shop, **changes) -> SupplierForm:  # type: ignore[no-untyped-def]
    base = SupplierForm(name="Kiln & Co.", email="orders@kiln.example", phone="+44 1782 555",
                        categories=((shop.mugs, 1),), capacity=40, lead_time_days=6,
                        notes="Stoke pottery.", references="Sample batch of 12 approved.")
    return replace(base, **changes)


def add(backroom, f: SupplierForm) -> int:  # type: ignore[no-untyped-def]
    backroom.act(suppliers.save_supplier, None, f)
    with backroom.sessions() as s:
        return s.scalar(select(func.max(Supplier.id)))


_sku = iter(range(1, 10_000))


def task(backroom, shop: Shop, supplier_id: int | None, status: T, *,  # type: ignore[no-untyped-def]
         created: datetime | None = None, ended: datetime | None = None,
         due: date | None = None, rejected_by: list[int] | None = None,
         updated: datetime | None = None) -> int:
    created = created or at("2026-03-01")
    with backroom.sessions() as s:
        t = SupplierTask(sku=f"SKU-TEST-{next(_sku):05d}", order_id=shop.order,
                         order_line_id=shop.line, category_id=shop.mugs,
                         supplier_id=supplier_id, status=str(status), due_date=due,
                         production_ended_at=ended, rejected_by=rejected_by or [],
                         created_at=created, updated_at=updated or ended or created)
        s.add(t)
        s.commit()
        return t.id


def supplier_history(backroom, supplier_id: int):  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return [(c.from_status, c.to_status, c.actor, c.note) for c in s.scalars(
            select(StatusChange).where(StatusChange.entity == "supplier",
                                       StatusChange.entity_id == supplier_id)
            .order_by(StatusChange.id))]


def count_suppliers(backroom) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalar(select(func.count(Supplier.id)))


# --- adding and changing ------------------------------------------------------------------


def test_adding_a_supplier_stores_every_field_and_its_categories(backroom, shop):
    f = form(shop, categories=((shop.mugs, 1), (shop.shirts, 3)))
    changes = backroom.act(suppliers.save_supplier, None, f)
    assert changes == Changes(suppliers=True)
    with backroom.sessions() as s:
        sup = s.scalars(select(Supplier)).one()
        assert (sup.name, sup.email, sup.phone, sup.capacity, sup.lead_time_days, sup.notes,
                sup.references, sup.active) == (
            "Kiln & Co.", "orders@kiln.example", "+44 1782 555", 40, 6, "Stoke pottery.",
            "Sample batch of 12 approved.", True)
        links = set(s.execute(select(SupplierCategory.category_id, SupplierCategory.weight)
                              .where(SupplierCategory.supplier_id == sup.id)).all())
    assert links == {(shop.mugs, 1), (shop.shirts, 3)}
    assert backroom.read(suppliers.supplier_form, sup.id) == replace(
        f, categories=tuple(sorted(f.categories)))


def test_adding_a_supplier_leaves_a_history_line(backroom, shop):
    sid = add(backroom, form(shop))
    assert supplier_history(backroom, sid) == [(None, "active", backroom.actor, "Added")]


def test_blanks_are_trimmed_and_empty_capacity_means_no_limit(backroom, shop):
    sid = add(backroom, form(shop, name="  Kiln   &  Co.  ", email=" ", capacity=None,
                             notes="  \n"))
    detail = backroom.read(suppliers.supplier_detail, sid, TODAY)
    assert (detail.name, detail.email, detail.capacity, detail.notes) == (
        "Kiln & Co.", "", None, "")


def test_editing_changes_fields_and_category_links_and_says_what_changed(backroom, shop):
    sid = add(backroom, form(shop))
    backroom.act(suppliers.save_supplier, sid,
                 form(shop, capacity=50, lead_time_days=8, notes="Now glazes too.",
                      categories=((shop.shirts, 2),)))
    assert backroom.read(suppliers.supplier_form, sid) == form(
        shop, capacity=50, lead_time_days=8, notes="Now glazes too.",
        categories=((shop.shirts, 2),))
    last = supplier_history(backroom, sid)[-1]
    assert last[:2] == ("active", "active")
    assert last[3] == ("Changed categories (Mugs → T-shirts ×2), capacity (40 → 50), "
                       "lead time (6 → 8 days), notes")


def test_saving_without_a_change_adds_no_history(backroom, shop):
    sid = add(backroom, form(shop))
    backroom.act(suppliers.save_supplier, sid, form(shop))
    assert len(supplier_history(backroom, sid)) == 1


def test_a_supplier_may_keep_its_own_name_in_other_letters(backroom, shop):
    sid = add(backroom, form(shop))
    backroom.act(suppliers.save_supplier, sid, form(shop, name="KILN & CO."))
    assert backroom.read(suppliers.supplier_detail, sid, TODAY).name == "KILN & CO."


def test_editing_a_supplier_that_is_gone_is_refused(backroom, shop):
    with pytest.raises(DomainError, match="no longer exists"):
        backroom.act(suppliers.save_supplier, 999, form(shop))


def _refused(backroom, supplier_id, f) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        backroom.act(suppliers.save_supplier, supplier_id, f)
    return str(caught.value)


@pytest.mark.parametrize(("changes", "says"), [
    ({"name": ""}, "Give the supplier a name."),
    ({"name": "   "}, "Give the supplier a name."),
    ({"name": "x" * 201}, "The name is too long (201 characters; at most 200)."),
    ({"email": "orders@kiln"}, "“orders@kiln” is not an e-mail address"),
    ({"email": "orders kiln@example.com"}, "is not an e-mail address"),
    ({"email": "orders.kiln.example"}, "is not an e-mail address"),
    ({"phone": "1" * 61}, "The phone number is too long"),
    ({"capacity": 0}, "Capacity must be 1 or more open tasks, or empty for no limit; it is 0."),
    ({"capacity": -3}, "Capacity must be 1 or more"),
    ({"lead_time_days": -1}, "Lead time must be between 0 and 365 days; it is -1."),
    ({"lead_time_days": 366}, "Lead time must be between 0 and 365 days; it is 366."),
    ({"categories": ()}, "Choose at least one category: a supplier with no category is never "
                         "given work."),
    ({"categories": ((987, 1),)}, "One of the chosen categories no longer exists"),
])
def test_each_bad_field_is_named_and_nothing_is_saved(backroom, shop, changes, says):
    message = _refused(backroom, None, form(shop, **changes))
    assert message.startswith("The supplier was not saved:\n• ")
    assert says in message
    assert count_suppliers(backroom) == 0


def test_a_weight_below_one_names_the_category(backroom, shop):
    message = _refused(backroom, None, form(shop, categories=((shop.mugs, 1), (shop.shirts, 0))))
    assert "The weight for T-shirts must be 1 or more; it is 0." in message
    assert count_suppliers(backroom) == 0


def test_a_category_chosen_twice_is_refused(backroom, shop):
    message = _refused(backroom, None, form(shop, categories=((shop.mugs, 1), (shop.mugs, 2))))
    assert "Mugs is chosen twice." in message


@pytest.mark.parametrize("name", ["kiln & co.", "KILN & CO.", " Kiln  & Co. "])
def test_a_name_taken_in_any_letters_is_refused(backroom, shop, name):
    add(backroom, form(shop))
    message = _refused(backroom, None, form(shop, name=name))
    assert "Another supplier is already called “Kiln & Co.”" in message
    assert count_suppliers(backroom) == 1


def test_accented_names_clash_whatever_their_case(backroom, shop):
    add(backroom, form(shop, name="Giclée House"))
    assert "already called “Giclée House”" in _refused(backroom, None,
                                                        form(shop, name="GICLÉE HOUSE"))


def test_renaming_to_another_suppliers_name_changes_nothing(backroom, shop):
    add(backroom, form(shop))
    other = add(backroom, form(shop, name="Mugshot"))
    _refused(backroom, other, form(shop, name="kiln & co.", capacity=99))
    assert backroom.read(suppliers.supplier_form, other) == form(shop, name="Mugshot")


def test_every_problem_is_named_in_one_message(backroom, shop):
    message = _refused(backroom, None, form(shop, name="", email="nope", capacity=0,
                                            lead_time_days=400, categories=()))
    lines = message.splitlines()
    assert lines[0] == "The supplier was not saved:"
    assert len(lines) == 6
    assert all(line.startswith("• ") for line in lines[1:])


# --- pausing and resuming -----------------------------------------------------------------


def test_pausing_and_resuming_are_recorded_with_who_and_why(backroom, shop):
    sid = add(backroom, form(shop))
    assert backroom.act(suppliers.set_active, sid, False, "Kiln broke") == \
        Changes(suppliers=True)
    assert not backroom.read(suppliers.supplier_detail, sid, TODAY).active
    backroom.act(suppliers.set_active, sid, True)
    assert backroom.read(suppliers.supplier_detail, sid, TODAY).active
    assert supplier_history(backroom, sid)[1:] == [
        ("active", "paused", backroom.actor, "Kiln broke"),
        ("paused", "active", backroom.actor, "")]
    lines = backroom.read(suppliers.supplier_detail, sid, TODAY).history
    assert [(h.from_status, h.to_status) for h in lines] == [
        (None, "active"), ("active", "paused"), ("paused", "active")]


def test_pausing_a_paused_supplier_is_refused(backroom, shop):
    sid = add(backroom, form(shop))
    backroom.act(suppliers.set_active, sid, False)
    with pytest.raises(DomainError, match=r"Kiln & Co\. is already paused\."):
        backroom.act(suppliers.set_active, sid, False)
    assert len(supplier_history(backroom, sid)) == 2


def test_the_list_shows_a_paused_supplier_as_paused(backroom, shop):
    from app.services.paging import PageRequest

    sid = add(backroom, form(shop))
    backroom.act(suppliers.set_active, sid, False)
    row = backroom.read(suppliers.list_page, PageRequest()).rows[0]
    assert (row.id, row.active) == (sid, False)


# --- deleting -----------------------------------------------------------------------------


def test_a_supplier_with_tasks_cannot_be_deleted(backroom, shop):
    sid = add(backroom, form(shop))
    for _ in range(11):
        task(backroom, shop, sid, T.DONE, ended=at("2026-03-05"))
    task(backroom, shop, sid, T.ASSIGNED)
    with pytest.raises(DomainError) as caught:
        backroom.act(suppliers.delete_supplier, sid)
    assert str(caught.value) == ("Kiln & Co. has 12 tasks; pause the supplier instead "
                                 "(paused suppliers get no new work).")
    assert count_suppliers(backroom) == 1
    assert backroom.read(suppliers.supplier_form, sid) == form(shop)


def test_closed_tasks_alone_also_keep_a_supplier(backroom, shop):
    sid = add(backroom, form(shop))
    task(backroom, shop, sid, T.CANCELLED)
    with pytest.raises(DomainError, match="has 1 task; pause the supplier instead"):
        backroom.act(suppliers.delete_supplier, sid)


def test_a_supplier_without_tasks_is_deleted_with_its_category_links(backroom, shop):
    sid = add(backroom, form(shop, categories=((shop.mugs, 1), (shop.shirts, 2))))
    keep = add(backroom, form(shop, name="Mugshot"))
    with backroom.sessions() as s:
        s.add(CategoryRotation(category_id=shop.mugs, last_supplier_id=sid, turns=3))
        s.commit()
    assert backroom.act(suppliers.delete_supplier, sid) == Changes(suppliers=True)
    with backroom.sessions() as s:
        assert s.scalars(select(Supplier.id)).all() == [keep]
        assert s.scalars(select(SupplierCategory.supplier_id)).all() == [keep]
        assert s.get_one(CategoryRotation, shop.mugs).last_supplier_id is None


def test_deleting_a_supplier_that_is_gone_is_refused(backroom, shop):
    with pytest.raises(DomainError, match="no longer exists"):
        backroom.act(suppliers.delete_supplier, 4242)


# --- the detail pane ----------------------------------------------------------------------


@pytest.fixture
def worked(backroom, shop):  # type: ignore[no-untyped-def]
    """Kiln & Co. with done, open, cancelled and rejected tasks around TODAY (31 Mar 2026)."""
    a = add(backroom, form(shop))
    b = add(backroom, form(shop, name="Mugshot"))
    ids = {}
    # done in both windows: 4.5 days, on time; 19 days, two days late
    ids["on_time"] = task(backroom, shop, a, T.DONE, created=at("2026-03-10"),
                          ended=at("2026-03-14", 12), due=date(2026, 3, 15))
    ids["late"] = task(backroom, shop, a, T.DONE, created=at("2026-03-01", 12),
                       ended=at("2026-03-20", 12), due=date(2026, 3, 18))
    # done in the 90-day window only: 3 days, finished on its due day; 1 day, no due date
    task(backroom, shop, a, T.DONE, created=at("2026-01-30"), ended=at("2026-02-02"),
         due=date(2026, 2, 2))
    task(backroom, shop, a, T.DONE, created=at("2026-01-05"), ended=at("2026-01-06"))
    # done before both windows (and late): not counted
    task(backroom, shop, a, T.DONE, created=at("2025-11-20"), ended=at("2025-12-01"),
         due=date(2025, 11, 25))
    # open: one past due, one not yet due, one with no due date
    ids["open_late"] = task(backroom, shop, a, T.IN_PRODUCTION, due=date(2026, 3, 30))
    ids["open_due"] = task(backroom, shop, a, T.ASSIGNED, due=date(2026, 4, 5))
    ids["open_undated"] = task(backroom, shop, a, T.ACCEPTED)
    # cancelled past due: neither done nor open
    task(backroom, shop, a, T.CANCELLED, due=date(2026, 3, 2))
    # turned down by Kiln (now with Mugshot) in March; by both in February; by Mugshot alone
    task(backroom, shop, b, T.ASSIGNED, rejected_by=[a], updated=at("2026-03-20"),
         due=date(2026, 4, 9))
    task(backroom, shop, None, T.UNASSIGNED, rejected_by=[b, a], updated=at("2026-02-15"))
    task(backroom, shop, None, T.UNASSIGNED, rejected_by=[b], updated=at("2026-03-25"))
    # rejected by Kiln long ago: outside both windows
    task(backroom, shop, None, T.CANCELLED, rejected_by=[a], updated=at("2025-10-01"))
    return a, b, ids


def test_the_scorecard_matches_the_numbers_worked_out_by_hand(backroom, worked):
    a, _b, _ids = worked
    d30, d90 = backroom.read(suppliers.supplier_detail, a, TODAY).scorecards
    assert (d30.days, d30.done, d30.rejected, d30.late) == (30, 2, 1, 2)
    assert d30.on_time_rate == pytest.approx(1 / 2)
    assert d30.average_lead_days == pytest.approx((4.5 + 19) / 2)
    assert (d90.days, d90.done, d90.rejected, d90.late) == (90, 4, 2, 2)
    assert d90.on_time_rate == pytest.approx(2 / 3)
    assert d90.average_lead_days == pytest.approx((4.5 + 19 + 3 + 1) / 4)


def test_a_supplier_who_did_nothing_has_an_empty_scorecard(backroom, worked):
    _a, b, _ids = worked
    cards = backroom.read(suppliers.supplier_detail, b, TODAY).scorecards
    for card in cards:
        assert (card.done, card.on_time_rate, card.average_lead_days, card.late) == (
            0, None, None, 0)
    # Mugshot turned one down on 25 March and one (with Kiln) on 15 February
    assert [card.rejected for card in cards] == [1, 2]


def test_the_detail_lists_open_tasks_by_due_date_with_overdue_flagged(backroom, worked, shop):
    a, _b, ids = worked
    d = backroom.read(suppliers.supplier_detail, a, TODAY)
    assert [t.id for t in d.open_tasks] == [ids["open_late"], ids["open_due"],
                                            ids["open_undated"]]
    assert [t.overdue for t in d.open_tasks] == [True, False, False]
    first = d.open_tasks[0]
    assert (first.order_number, first.product, first.status, first.due_date) == (
        "#1001", "Test product MUG-CUSTOM", "in_production", date(2026, 3, 30))
    assert first.sku.startswith("SKU-TEST-")
    assert d.open_count == 3
    assert d.task_count == 9


def test_the_detail_shows_contact_categories_and_vetting(backroom, shop):
    sid = add(backroom, form(shop, categories=((shop.shirts, 2), (shop.mugs, 1))))
    d = backroom.read(suppliers.supplier_detail, sid, TODAY)
    assert (d.name, d.email, d.phone, d.capacity, d.lead_time_days, d.active) == (
        "Kiln & Co.", "orders@kiln.example", "+44 1782 555", 40, 6, True)
    assert [(c.name, c.weight) for c in d.categories] == [("Mugs", 1), ("T-shirts", 2)]
    assert (d.notes, d.references) == ("Stoke pottery.", "Sample batch of 12 approved.")
    assert d.open_tasks == () and d.task_count == 0


def test_category_options_list_every_category_by_name(backroom, shop):
    assert [(o.id, o.name) for o in backroom.read(suppliers.category_options)] == [
        (shop.mugs, "Mugs"), (shop.shirts, "T-shirts")]


# --- on the demo workshop -----------------------------------------------------------------


def test_demo_supplier_detail_matches_the_file(demo_backroom, demo_sql):
    today = date.today()
    open_statuses = [str(s) for s in OPEN_TASK_STATUSES]
    marks = ",".join("?" * len(open_statuses))
    for sid, name, categories in demo_sql.execute(
            "SELECT s.id, s.name, count(sc.category_id) FROM suppliers s "
            "JOIN supplier_categories sc ON sc.supplier_id = s.id GROUP BY s.id"):
        d = demo_backroom.read(suppliers.supplier_detail, sid)
        assert d.name == name and len(d.categories) == categories
        expected = demo_sql.execute(
            f"SELECT t.sku, o.number, l.title, t.due_date FROM supplier_tasks t "
            f"JOIN orders o ON o.id = t.order_id JOIN order_lines l ON l.id = t.order_line_id "
            f"WHERE t.supplier_id = ? AND t.status IN ({marks}) "
            f"ORDER BY t.due_date, t.sku", (sid, *open_statuses)).fetchall()
        assert [(t.sku, t.order_number, t.product, t.due_date.isoformat())
                for t in d.open_tasks] == [tuple(r) for r in expected]
        assert [t.overdue for t in d.open_tasks] == [
            date.fromisoformat(r[3]) < today for r in expected]
        since = (today - timedelta(days=90)).isoformat()
        done_90 = demo_sql.execute(
            "SELECT count(*) FROM supplier_tasks WHERE supplier_id = ? AND status = 'done' "
            "AND coalesce(production_ended_at, updated_at) >= ?", (sid, since)).fetchone()[0]
        assert d.scorecards[1].done == done_90
        assert d.scorecards[0].done <= done_90
        assert d.task_count == demo_sql.execute(
            "SELECT count(*) FROM supplier_tasks WHERE supplier_id = ?", (sid,)).fetchone()[0]


def test_every_demo_supplier_has_work_so_none_can_be_deleted(demo_copy):
    with demo_copy.sessions() as s:
        kiln = s.scalars(select(Supplier.id).where(Supplier.name.like("Kiln%"))).one()
    with pytest.raises(DomainError, match=r"Kiln & Co\. Ceramics has \d+ tasks; pause"):
        demo_copy.act(suppliers.delete_supplier, kiln)
