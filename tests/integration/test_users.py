"""Accounts: the first-run owner, signing in, log-in switched off, adding users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import Setting, User
from app.domain.access import Role
from app.domain.errors import DomainError
from app.services import users


def _owner(backroom, *, ask=True):  # type: ignore[no-untyped-def]
    password = "engine-123" if ask else ""
    return users.create_owner(backroom.uow(), "ada", "Ada Lovelace", password, password,
                              ask_password=ask)


def test_first_run_needs_an_owner_and_then_does_not(backroom):
    assert backroom.read(users.needs_owner)
    viewer = _owner(backroom)
    assert (viewer.username, viewer.role) == ("ada", Role.OWNER)
    assert not backroom.read(users.needs_owner)
    assert backroom.read(users.login_required)


def test_the_password_is_stored_only_as_a_hash(backroom):
    _owner(backroom)
    with backroom.sessions() as s:
        stored = s.scalar(select(User.password_hash))
        settings = [str(v) for v in s.scalars(select(Setting.value))]
    assert stored.startswith("scrypt$") and "engine-123" not in stored
    assert not any("engine-123" in v for v in settings)


def test_a_second_owner_cannot_be_made_by_the_first_run(backroom):
    _owner(backroom)
    with pytest.raises(DomainError, match="already has an owner"):
        _owner(backroom)


def test_bad_first_run_input_creates_nothing(backroom):
    with pytest.raises(DomainError) as caught:
        users.create_owner(backroom.uow(), "", "", "short", "other", ask_password=True)
    assert "Give the user a name" in str(caught.value)
    assert "at least 8 characters" in str(caught.value)
    assert backroom.read(users.needs_owner)


def test_signing_in_takes_the_right_password_whatever_the_case_of_the_name(backroom):
    _owner(backroom)
    assert backroom.read(users.log_in, "ADA", "engine-123").username == "ada"
    for name, password in (("ada", "wrong-pass"), ("nobody", "engine-123")):
        with pytest.raises(DomainError, match="do not match"):
            backroom.read(users.log_in, name, password)


def test_a_one_person_shop_opens_as_its_owner_without_a_password(backroom):
    _owner(backroom, ask=False)
    assert not backroom.read(users.login_required)
    assert backroom.read(users.the_owner).username == "ada"
    with backroom.sessions() as s:
        assert s.scalar(select(User.password_hash)) is None


def test_log_in_cannot_be_switched_on_without_a_password(backroom):
    viewer = _owner(backroom, ask=False)
    with pytest.raises(DomainError, match="Give yourself a password first"):
        backroom.act(users.set_login_required, viewer, True)
    backroom.act(users.set_password, viewer, viewer.user_id, "engine-123", "engine-123")
    backroom.act(users.set_login_required, viewer, True)
    assert backroom.read(users.login_required)


def test_the_owner_adds_staff_and_supplier_users(demo_copy):
    owner = demo_copy.read(users.the_owner)
    demo_copy.act(users.add_user, owner, username="packer", display_name="Pat",
                  role=Role.STAFF, password="bench-1234", again="bench-1234")
    demo_copy.act(users.add_user, owner, username="mugshot", display_name="Mugshot",
                  role=Role.SUPPLIER, supplier_id=2, password="clay-1234", again="clay-1234")
    rows = {r.username: r for r in demo_copy.read(users.user_list, owner)}
    assert rows["mugshot"].supplier != ""
    assert rows["threadworks"].supplier == "Threadworks Manchester"  # the demo's own
    assert rows["packer"].role is Role.STAFF
    assert demo_copy.read(users.log_in, "packer", "bench-1234").role is Role.STAFF


def test_the_demos_supplier_account_signs_in_as_its_supplier(demo_copy):
    maker = demo_copy.read(users.log_in, "threadworks", "threadworks-demo")
    assert (maker.role, maker.display_name) == (Role.SUPPLIER, "Threadworks Manchester")
    assert maker.is_supplier and maker.supplier_id is not None


def test_a_duplicate_name_and_a_weak_password_are_both_reported(demo_copy):
    owner = demo_copy.read(users.the_owner)
    with pytest.raises(DomainError) as caught:
        demo_copy.act(users.add_user, owner, username="OWNER", display_name="",
                      role=Role.STAFF, password="x", again="x")
    assert "already a user called OWNER" in str(caught.value)
    assert "at least 8 characters" in str(caught.value)


def test_only_the_owner_manages_users(demo_copy):
    owner = demo_copy.read(users.the_owner)
    demo_copy.act(users.add_user, owner, username="packer", display_name="Pat",
                  role=Role.STAFF, password="bench-1234", again="bench-1234")
    packer = demo_copy.read(users.log_in, "packer", "bench-1234")
    with pytest.raises(DomainError, match="may not manage users"):
        demo_copy.act(users.add_user, packer, username="x", display_name="x",
                      role=Role.STAFF, password="bench-1234", again="bench-1234")
    with pytest.raises(DomainError, match="may not manage users"):
        demo_copy.read(users.user_list, packer)


def test_a_switched_off_account_cannot_sign_in(demo_copy):
    owner = demo_copy.read(users.the_owner)
    demo_copy.act(users.add_user, owner, username="temp", display_name="Temp",
                  role=Role.STAFF, password="summer-26", again="summer-26")
    temp = demo_copy.read(users.log_in, "temp", "summer-26")
    demo_copy.act(users.set_active, owner, temp.user_id, False)
    with pytest.raises(DomainError, match="switched off"):
        demo_copy.read(users.log_in, "temp", "summer-26")
    with pytest.raises(DomainError, match="your own account"):
        demo_copy.act(users.set_active, owner, owner.user_id, False)
