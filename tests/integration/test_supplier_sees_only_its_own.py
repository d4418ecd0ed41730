"""A supplier signed in sees and changes only its own tasks: every query and service is
called as a supplier, and nothing of another supplier's (or of the shop's) comes back."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest
from sqlalchemy import func, select

from app.db.models import Supplier, SupplierTask, User
from app.domain.access import PERMISSIONS, Role, Viewer
from app.domain.errors import DomainError
from app.services import (
    backup,
    catalogue,
    channels,
    file_import,
    finance,
    goods_in,
    inventory,
    job_sheet,
    label_data,
    locations,
    notifications,
    orders,
    picking,
    print_jobs,
    printers,
    product_history,
    purchasing,
    reorder,
    settings,
    shipments,
    spreadsheets,
    stock_checks,
    supplier_tasks,
    suppliers,
    sync,
    users,
)
from app.services.paging import PageRequest

OFFERED = (orders, inventory, picking, finance, suppliers, job_sheet, settings, notifications,
           supplier_tasks, users, backup, channels, sync,
           shipments, file_import, printers, print_jobs, label_data,
           locations, product_history, stock_checks,
           catalogue, spreadsheets, purchasing, goods_in, reorder)
# What a supplier may do: its own tasks, nothing else.
OWN_TASKS = {"task_list_page", "task_count", "task_detail", "accept_task", "start_production",
             "finish_production", "ship_task", "complete_task", "reject_task",
             "add_task_message", "change_task_shipping"}
# Everyone reads their own notices; a supplier only those addressed to it.
OWN_NOTICES = {"notification_list", "unread_count", "mark_read", "mark_all_read"}
# Not offered to a person as such; each with why it needs no check of its own.
NOT_OFFERED = {
    "orders.matching_ids": "builds search conditions for the checked queries",
    "orders.search_conditions": "builds search conditions for the checked queries",
    "orders.move_order": "a step inside change_status and the task services",
    "finance.month_bounds": "date arithmetic",
    "finance.sort_rows": "sorts rows already read",
    "settings.task_sku_pattern": "read inside the task services",
    "settings.auto_purchasing": "read inside the task services",
    "settings.task_sku_preview": "renders a pattern it is given; reads nothing",
    "notifications.deliver_outbox": "Backroom's own background sender",
    "notifications.outbox_ready": "the sender's own check",
    "notifications.password_stored": "asks the OS keyring about a name it is given",
    "notifications.template_kinds": "a fixed list",
    "notifications.check_template": "checks text it is given; reads nothing",
    "notifications.send_test_email": "sends with settings it is given; reads nothing",
    "supplier_tasks.allowed_actions": "pure: the steps a status allows",
    "supplier_tasks.announce_overdue_tasks": "Backroom's own hourly check",
    "supplier_tasks.apply_auto_purchasing": "run by the channel import",
    "supplier_tasks.cancel_order_tasks": "a step inside change_status",
    "supplier_tasks.random_digits": "pure",
    "supplier_tasks.send_to_purchasing": "a step inside change_status",
    "backup.back_up_now": "copies the database file from the owner's File menu",
    "channels.kind_title": "pure: a kind's name",
    "channels.driver_for": "builds the driver inside the checked sync_channel",
    "channels.can": "asked inside the checked sync services",
    "shipments.record_shipment": "a step inside change_status",
    "file_import.watched_files": "lists a folder it is given",
    "shipments.notices_to_send": "read inside the checked sync_channel",
    "shipments.confirmed": "a step inside the checked sync_channel",
    "purchasing.allowed_actions": "pure: the steps a status allows",
    "purchasing.next_number": "a step inside the checked purchase order actions",
    "purchasing.add_draft": "a step inside create_purchase_order and "
                            "make_draft_purchase_orders",
    "purchasing.render_pdf": "renders a document it is given; reads nothing",
    "purchasing.write_xlsx": "writes a document it is given; reads nothing",
    "purchasing.email_text": "pure: words of a document it is given",
    "goods_in.parse_scan": "pure: reads the text it is given",
    "reorder.on_order_query": "builds a query for the checked reorder reads",
    "reorder.reorder_facts": "read inside the checked suggestions and actions",
    "reorder.check_low_stock": "Backroom's own hourly check",
    "catalogue.amount_text": "formats an amount it is given",
    "catalogue.barcode_problem": "pure: checks a code it is given",
    "catalogue.barcode_kind": "pure: names a code's symbology",
    "catalogue.changed_price": "pure arithmetic",
    "catalogue.photo_file": "a path under the data folder; reads nothing",
    "catalogue.store_photo": "checks and copies a picture file it is given; reads no data",
    "catalogue.thumbnail": "shrinks a stored picture file; reads no data",
    "spreadsheets.export": "picks the checked export_products, export_stock or "
                           "export_movements",
    "printers.no_such_printer": "builds an error message",
    "printers.load_workstation": "reads this computer's printers.json for the checked services "
                                "and the sender",
    "printers.write_atomically": "writes a file it is given",
    "printers.printer_for": "read inside the checked queue_for_use and automatic printing",
    "printers.template_key": "pure: a file name from a template's name",
    "printers.template_keys": "read inside the checked save_printer",
    "printers.find_template": "read inside the checked queue services and the sender",
    "label_data.product_records": "the step behind product_labels, for automatic printing",
    "label_data.task_records": "the step behind task_tickets, for automatic printing",
    "print_jobs.send_next": "Backroom's own background sender",
    "print_jobs.next_due": "the sender's own check",
    "print_jobs.recover_interrupted": "Backroom's own step at start-up",
    "print_jobs.auto_print_task_tickets": "a step inside task creation",
    "print_jobs.auto_print_received_labels": "a step inside booking goods in",
}
# users takes the viewer as an argument and checks it there (tested in test_users.py).
EXPLICIT_VIEWER = {"users"}


def _public(module: ModuleType) -> list[tuple[str, object]]:
    return [(n, f) for n, f in inspect.getmembers(module, inspect.isfunction)
            if not n.startswith("_") and f.__module__ == module.__name__]


def _name(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[1]


def test_every_service_says_who_may_use_it():
    unclassified = []
    for module in OFFERED:
        if _name(module) in EXPLICIT_VIEWER:
            continue
        for name, fn in _public(module):
            key = f"{_name(module)}.{name}"
            if hasattr(fn, "requires") or key in NOT_OFFERED:
                continue
            if module is supplier_tasks and name in OWN_TASKS:
                continue
            if module is notifications and name in OWN_NOTICES:
                continue
            unclassified.append(key)
    assert unclassified == [], "give these @requires(...) or say why they need none"


@pytest.fixture
def kiln(demo_copy):  # type: ignore[no-untyped-def]
    """Signed in as the supplier that has assigned tasks waiting, with another's to hand."""
    with demo_copy.sessions() as s:
        mine = s.scalars(select(SupplierTask).where(SupplierTask.status == "assigned")).first()
        theirs = s.scalars(select(SupplierTask).where(
            SupplierTask.supplier_id != mine.supplier_id,
            SupplierTask.status == "assigned")).first()
        name = s.get(Supplier, mine.supplier_id).name
        s.add_all([User(id=900, username="maker", display_name=name, role="supplier",
                        supplier_id=mine.supplier_id),
                   User(id=901, username="other", display_name="Other", role="supplier",
                        supplier_id=theirs.supplier_id)])
        s.commit()
    viewer = Viewer(900, "maker", name, Role.SUPPLIER, supplier_id=mine.supplier_id)
    demo_copy.sign_in(viewer)
    return demo_copy, mine, theirs, name


def test_every_checked_service_refuses_a_supplier(kiln):
    backroom, *_ = kiln
    allowed = PERMISSIONS[Role.SUPPLIER]
    refused = []
    for module in OFFERED:
        for name, fn in _public(module):
            what = getattr(fn, "requires", None)
            if what is None or what in allowed:
                continue
            first = next(iter(inspect.signature(fn).parameters))
            with pytest.raises(DomainError, match="signed in as a supplier and may not"):
                if first == "uow":
                    fn(backroom.uow())
                else:
                    backroom.read(fn)
            refused.append(f"{_name(module)}.{name}")
    assert len(refused) > 40  # every list, detail, setting and action of the shop


def test_the_task_list_holds_only_the_suppliers_own_tasks(kiln):
    backroom, mine, _theirs, name = kiln
    rows, req = [], PageRequest(limit=50)
    while True:
        page = backroom.read(supplier_tasks.task_list_page, req)
        rows += page.rows
        if page.after is None:
            break
        req = PageRequest(limit=50, after=page.after)
    with backroom.sessions() as s:
        own = s.scalar(select(func.count(SupplierTask.id))
                       .where(SupplierTask.supplier_id == mine.supplier_id))
    assert rows and {r.supplier for r in rows} == {name}
    assert len(rows) == own == backroom.read(supplier_tasks.task_count, PageRequest())
    # asking for another supplier's tasks by filter changes nothing
    other = PageRequest(filters=(("supplier_id", mine.supplier_id + 1),))
    assert {r.supplier for r in backroom.read(supplier_tasks.task_list_page, other).rows} <= {
        name}


def test_another_suppliers_task_is_neither_shown_nor_changed(kiln):
    backroom, mine, theirs, _ = kiln
    with pytest.raises(DomainError, match="not one of yours"):
        backroom.read(supplier_tasks.task_detail, theirs.id)
    for act, args in ((supplier_tasks.accept_task, ()),
                      (supplier_tasks.reject_task, ("Too busy",)),
                      (supplier_tasks.add_task_message, ("Hello",))):
        with pytest.raises(DomainError, match="not one of yours"):
            backroom.act(act, theirs.id, *args)
    with backroom.sessions() as s:
        assert s.get(SupplierTask, theirs.id).status == "assigned"
    detail = backroom.read(supplier_tasks.task_detail, mine.id)
    assert detail.sku == mine.sku
    backroom.act(supplier_tasks.accept_task, mine.id)  # its own task: accepted
    with backroom.sessions() as s:
        assert s.get(SupplierTask, mine.id).status == "accepted"


def test_a_supplier_is_refused_the_users_list(kiln):
    backroom, *_ = kiln
    with pytest.raises(DomainError, match="may not manage users"):
        backroom.read(users.user_list, backroom.viewer)


def test_a_supplier_reads_only_its_own_notices(kiln):
    backroom, *_ = kiln
    with backroom.sessions() as s:
        from app.db.models import Notification

        s.add_all([Notification(kind="task_assigned", title="For kiln", for_user_id=900),
                   Notification(kind="task_assigned", title="For another", for_user_id=901),
                   Notification(kind="task_done", title="For the shop")])
        s.commit()
        shop_unread = s.scalar(select(func.count(Notification.id)).where(
            Notification.for_user_id.is_(None), Notification.read_at.is_(None)))
    assert [n.title for n in backroom.read(notifications.notification_list)] == ["For kiln"]
    assert backroom.read(notifications.unread_count) == 1
    every_id = list(range(1, 100_000))
    backroom.act(notifications.mark_read, every_id)  # only its own is marked
    backroom.act(notifications.mark_all_read)
    with backroom.sessions() as s:
        assert s.scalar(select(func.count(Notification.id)).where(
            Notification.for_user_id.is_(None), Notification.read_at.is_(None))) == shop_unread
        assert s.scalar(select(Notification.read_at).where(
            Notification.title == "For another")) is None


def test_a_supplier_sees_its_task_from_when_it_was_given_and_only_its_own_steps(kiln):
    backroom, mine, *_ = kiln
    detail = backroom.read(supplier_tasks.task_detail, mine.id)
    assert not detail.workshop_view
    assert "assign" not in detail.actions and "cancel" not in detail.actions
    assert set(detail.actions) == {"accept", "reject"}
    assert detail.turned_down_by == ()
    assert detail.history[0].to_status == "assigned"
    assert detail.ship_to  # the address a supplier needs to ship direct
    with backroom.sessions() as s:
        from app.db.models import Order

        order = s.get(Order, mine.order_id)
        assert order.customer_email not in detail.ship_to
