"""Roles and what they may do; passwords hashed with scrypt."""

from __future__ import annotations

import pytest

from app.domain.access import Can, Role, Viewer, check_new_user
from app.domain.errors import DomainError
from app.domain.passwords import hash_password, password_problems, verify_password


def _viewer(role: Role, supplier_id: int | None = None) -> Viewer:
    return Viewer(1, "sam", "Sam", role, supplier_id)


def test_the_owner_may_do_everything():
    assert all(_viewer(Role.OWNER).can(c) for c in Can)


def test_staff_run_the_bench_but_not_the_books_or_the_users():
    staff = _viewer(Role.STAFF)
    assert staff.can(Can.MOVE_ORDERS) and staff.can(Can.SEE_ALL_TASKS)
    assert not staff.can(Can.SEE_FINANCE)
    assert not staff.can(Can.MANAGE_USERS)
    assert not staff.can(Can.CHANGE_SETTINGS)


def test_a_supplier_may_only_work_on_its_own_tasks():
    supplier = _viewer(Role.SUPPLIER, supplier_id=3)
    assert [c for c in Can if supplier.can(c)] == [Can.WORK_OWN_TASKS]
    with pytest.raises(DomainError, match="signed in as a supplier and may not see finance"):
        supplier.require(Can.SEE_FINANCE)


@pytest.mark.parametrize(("username", "role", "supplier_id", "problem"), [
    ("", Role.STAFF, None, "Give the user a name"),
    ("two words", Role.STAFF, None, "no spaces"),
    ("kiln", Role.SUPPLIER, None, "must belong to a supplier"),
    ("packer", Role.STAFF, 4, "Only supplier users belong to a supplier"),
])
def test_new_accounts_are_checked(username, role, supplier_id, problem):
    assert any(problem in p for p in check_new_user(username, role, supplier_id))


def test_a_good_new_account_has_no_problems():
    assert check_new_user("kiln", Role.SUPPLIER, 2) == []


def test_a_password_hash_verifies_only_the_same_password():
    stored = hash_password("glaze-and-fire")
    assert stored.startswith("scrypt$") and "glaze-and-fire" not in stored
    assert verify_password("glaze-and-fire", stored)
    assert not verify_password("glaze-and-firE", stored)
    assert hash_password("glaze-and-fire") != stored  # salted


@pytest.mark.parametrize("stored", [None, "", "md5$abc", "scrypt$x$y", "scrypt$1$2$3$!!$??"])
def test_a_missing_or_broken_hash_never_verifies(stored):
    assert not verify_password("anything", stored)


def test_password_rules_name_each_problem():
    assert password_problems("short", "short") == ["A password needs at least 8 characters."]
    assert password_problems("long enough", "long enougH") == [
        "The two passwords differ; type the same one twice."]
    assert password_problems("long enough", "long enough") == []
