"""Who may do what: roles, the things they may do, and the person using Backroom now."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import DomainError


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    SUPPLIER = "supplier"


class Can(StrEnum):
    """Things a role may do; services check them, the UI only hides what is refused."""

    SEE_ORDERS = "see orders"
    MOVE_ORDERS = "move orders"
    SEE_CUSTOMER_CONTACT = "see customers' e-mail and phone"
    SEE_INVENTORY = "see inventory"
    SEE_FINANCE = "see finance"
    MANAGE_SUPPLIERS = "manage suppliers"
    SEE_ALL_TASKS = "see every supplier's tasks"
    WORK_OWN_TASKS = "work on their own tasks"
    CHANGE_SETTINGS = "change settings"
    MANAGE_USERS = "manage users"


_STAFF = frozenset(Can) - {Can.SEE_FINANCE, Can.MANAGE_USERS, Can.CHANGE_SETTINGS}
PERMISSIONS: dict[Role, frozenset[Can]] = {
    Role.OWNER: frozenset(Can),
    Role.STAFF: _STAFF,
    # A supplier sees its own tasks (with the ship-to address they need) and nothing else.
    Role.SUPPLIER: frozenset({Can.WORK_OWN_TASKS}),
}


@dataclass(frozen=True)
class Viewer:
    """The person signed in (or the one owner of a shop that works without log-in)."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    supplier_id: int | None = None

    def can(self, what: Can) -> bool:
        return what in PERMISSIONS[self.role]

    def require(self, what: Can) -> None:
        if not self.can(what):
            raise DomainError(
                f"{self.display_name} is signed in as {_A[self.role]} and may not {what}. "
                "Ask the owner if you need to.")

    @property
    def is_supplier(self) -> bool:
        return self.role is Role.SUPPLIER


_A = {Role.OWNER: "the owner", Role.STAFF: "staff", Role.SUPPLIER: "a supplier"}


def check_new_user(username: str, role: Role, supplier_id: int | None) -> list[str]:
    """Problems with a new account's name and role, in words."""
    problems = []
    name = username.strip()
    if not name:
        problems.append("Give the user a name to sign in with.")
    elif len(name) > 80 or any(c.isspace() for c in name):
        problems.append("A user name has no spaces and at most 80 characters.")
    if role is Role.SUPPLIER and supplier_id is None:
        problems.append("A supplier user must belong to a supplier: choose which one.")
    if role is not Role.SUPPLIER and supplier_id is not None:
        problems.append("Only supplier users belong to a supplier.")
    return problems
