"""People who use Backroom: the owner made on first run, staff and suppliers, signing in.

A shop run by one person may switch log-in off; Backroom then opens as the owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Supplier, User
from app.db.settings import get_setting, put_setting
from app.domain.access import Can, Role, Viewer, check_new_user
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.passwords import hash_password, password_problems, verify_password
from app.services.uow import UnitOfWork

LOGIN_REQUIRED = "login_required"
WRONG = "That user name and password do not match. Check both and try again."


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: Role
    supplier: str
    active: bool
    has_password: bool


def _viewer(user: User) -> Viewer:
    return Viewer(user.id, user.username, user.display_name, Role(user.role), user.supplier_id)


@dataclass(frozen=True)
class Opening:
    """What opening a database needs to know, read at once: set up, sign in, or go."""

    needs_owner: bool
    login_required: bool
    owner: Viewer | None


def _first_owner(session: Session) -> User | None:
    return session.scalars(select(User).where(User.role == str(Role.OWNER),
                                              User.active.is_(True))
                           .order_by(User.id)).first()


def opening(session: Session) -> Opening:
    owner = _first_owner(session)
    needs = owner is None and needs_owner(session)
    return Opening(needs, login_required(session), None if owner is None else _viewer(owner))


def needs_owner(session: Session) -> bool:
    """True on first run: nobody has been set up yet."""
    return not session.scalar(select(func.count(User.id)))


def login_required(session: Session) -> bool:
    return bool(get_setting(session, LOGIN_REQUIRED, True))


def the_owner(session: Session) -> Viewer:
    """Who is working when log-in is off: the (first) owner."""
    owner = _first_owner(session)
    if owner is None:
        raise DomainError("This workshop has no owner yet; set one up first.")
    return _viewer(owner)


def create_owner(uow: UnitOfWork, username: str, display_name: str, password: str,
                 again: str, *, ask_password: bool = True) -> Viewer:
    """First run: the owner's account; without a password only if log-in is switched off."""
    problems = check_new_user(username, Role.OWNER, None)
    if ask_password or password or again:
        problems += password_problems(password, again)
    with uow:
        s = uow.session
        if not needs_owner(s):
            raise DomainError("This workshop already has an owner; sign in as them.")
        if problems:
            raise DomainError("\n".join(problems))
        user = User(username=username.strip(), display_name=display_name.strip() or
                    username.strip(), role=str(Role.OWNER),
                    password_hash=hash_password(password) if password else None)
        s.add(user)
        put_setting(s, LOGIN_REQUIRED, ask_password)
        s.flush()
        viewer = _viewer(user)
        uow.commit()
    return viewer


def log_in(session: Session, username: str, password: str) -> Viewer:
    """The viewer for a user name and password; the same words for any mismatch."""
    user = session.scalars(select(User).where(
        func.lower(User.username) == username.strip().lower())).first()
    # Check a hash even for an unknown name, so timing does not tell which names exist.
    ok = verify_password(password, user.password_hash if user else _dummy_hash())
    if user is None or not ok:
        raise DomainError(WRONG)
    if not user.active:
        raise DomainError(f"{user.display_name}'s account is switched off. Ask the owner.")
    if user.role == Role.SUPPLIER and user.supplier_id is None:
        raise DomainError(f"{user.display_name}'s supplier account belongs to no supplier. "
                          "Ask the owner to set it up again.")
    return _viewer(user)


@cache
def _dummy_hash() -> str:
    """Made on the first sign-in, not at start-up: one scrypt costs ~30 ms."""
    return hash_password("not a real password")


def set_login_required(uow: UnitOfWork, viewer: Viewer, required: bool) -> Changes:
    viewer.require(Can.MANAGE_USERS)
    with uow:
        s = uow.session
        if required:
            owner = s.get(User, viewer.user_id) if viewer.user_id else None
            if owner is None or not owner.password_hash:
                raise DomainError("Give yourself a password first, or nobody could sign in.")
        put_setting(s, LOGIN_REQUIRED, required)
        uow.commit()
    return uow.changes


def add_user(uow: UnitOfWork, viewer: Viewer, *, username: str, display_name: str,
             role: Role, password: str, again: str, supplier_id: int | None = None
             ) -> Changes:
    viewer.require(Can.MANAGE_USERS)
    problems = check_new_user(username, role, supplier_id) + password_problems(password, again)
    with uow:
        s = uow.session
        taken = s.scalar(select(func.count(User.id)).where(
            func.lower(User.username) == username.strip().lower()))
        if taken:
            problems.append(f"There is already a user called {username.strip()}.")
        if supplier_id is not None and s.get(Supplier, supplier_id) is None:
            problems.append("That supplier no longer exists.")
        if problems:
            raise DomainError("\n".join(problems))
        s.add(User(username=username.strip(), display_name=display_name.strip() or
                   username.strip(), role=str(role), supplier_id=supplier_id,
                   password_hash=hash_password(password)))
        uow.changed(suppliers=True)
        uow.commit()
    return uow.changes


def set_password(uow: UnitOfWork, viewer: Viewer, user_id: int, password: str,
                 again: str) -> Changes:
    """People change their own password; the owner may set anyone's."""
    if viewer.user_id != user_id:
        viewer.require(Can.MANAGE_USERS)
    problems = password_problems(password, again)
    if problems:
        raise DomainError("\n".join(problems))
    with uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise DomainError("That user no longer exists.")
        user.password_hash = hash_password(password)
        uow.commit()
    return uow.changes


def set_active(uow: UnitOfWork, viewer: Viewer, user_id: int, active: bool) -> Changes:
    viewer.require(Can.MANAGE_USERS)
    if user_id == viewer.user_id and not active:
        raise DomainError("You cannot switch off your own account.")
    with uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise DomainError("That user no longer exists.")
        user.active = active
        uow.commit()
    return uow.changes


def user_list(session: Session, viewer: Viewer) -> tuple[UserRow, ...]:
    viewer.require(Can.MANAGE_USERS)
    rows = session.execute(
        select(User, Supplier.name).outerjoin(Supplier, Supplier.id == User.supplier_id)
        .order_by(func.lower(User.username))).all()
    return tuple(UserRow(u.id, u.username, u.display_name, Role(u.role), name or "",
                         u.active, bool(u.password_hash)) for u, name in rows)



@dataclass(frozen=True)
class SupplierChoice:
    id: int
    name: str


def supplier_choices(session: Session, viewer: Viewer) -> tuple[SupplierChoice, ...]:
    """Suppliers a supplier user may belong to."""
    viewer.require(Can.MANAGE_USERS)
    return tuple(SupplierChoice(i, n) for i, n in session.execute(
        select(Supplier.id, Supplier.name).order_by(func.lower(Supplier.name))))
