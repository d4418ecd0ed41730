"""What a role may do is refused by the services themselves, not only hidden in the window."""

from __future__ import annotations

import pytest

from app.domain.access import Role, Viewer
from app.domain.errors import DomainError
from app.services import finance, notifications, settings, suppliers, users

STAFF = Viewer(90, "pat", "Pat", Role.STAFF)
SUPPLIER = Viewer(91, "kiln", "Kiln & Co.", Role.SUPPLIER, supplier_id=1)


def _form(backroom, supplier_id: int) -> suppliers.SupplierForm:  # type: ignore[no-untyped-def]
    return backroom.read(suppliers.supplier_form, supplier_id)


def test_staff_see_no_finance(demo_copy):
    demo_copy.sign_in(STAFF)
    with pytest.raises(DomainError, match="Pat is signed in as staff and may not see finance"):
        demo_copy.read(finance.month_by_channel, 2026, 11)
    with pytest.raises(DomainError, match="may not see finance"):
        demo_copy.read(finance.months_with_orders)


def test_staff_manage_suppliers_but_change_no_settings(demo_copy):
    demo_copy.sign_in(STAFF)
    demo_copy.act(suppliers.set_active, 1, False)  # allowed: staff run the suppliers
    with pytest.raises(DomainError, match="may not change settings"):
        demo_copy.act(settings.save_task_settings, "SKU-{seq}", False)
    with pytest.raises(DomainError, match="may not change settings"):
        demo_copy.act(notifications.save_template, "task_done", "Done", "{task_sku} done")
    assert demo_copy.read(settings.task_settings).pattern != "SKU-{seq}"


def test_a_supplier_changes_no_supplier_and_sees_no_finance(demo_copy):
    form = _form(demo_copy, 2)  # read as the workshop (no one signed in)
    demo_copy.sign_in(SUPPLIER)
    with pytest.raises(DomainError, match="signed in as a supplier and may not manage"):
        demo_copy.act(suppliers.save_supplier, 2, form)
    with pytest.raises(DomainError, match="may not manage suppliers"):
        demo_copy.act(suppliers.delete_supplier, 2)
    with pytest.raises(DomainError, match="may not see finance"):
        demo_copy.read(finance.month_by_channel, 2026, 11)


def test_the_owner_may_do_all_of_it(demo_copy):
    demo_copy.sign_in(demo_copy.read(users.the_owner))
    assert demo_copy.read(finance.month_by_channel, 2026, 11)
    demo_copy.act(settings.save_task_settings, "SKU-{category}-{seq}", False)
    assert demo_copy.read(settings.task_settings).pattern == "SKU-{category}-{seq}"
