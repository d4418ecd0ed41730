"""Suppliers tab: who makes what, and how much work each has open or late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Category, Supplier, SupplierCategory, SupplierTask
from app.domain.statuses import OPEN_TASK_STATUSES
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.search import query_terms

_OPEN = tuple(str(s) for s in OPEN_TASK_STATUSES)


@dataclass(frozen=True)
class SupplierRow:
    id: int
    name: str
    categories: str
    open_tasks: int
    overdue_tasks: int
    active: bool
    lead_time_days: int
    capacity: int | None


def _tasks(*extra):  # type: ignore[no-untyped-def]
    return (select(func.count()).select_from(SupplierTask)
            .where(SupplierTask.supplier_id == Supplier.id, SupplierTask.status.in_(_OPEN),
                   *extra).scalar_subquery())


OPEN_TASKS = _tasks()


def _overdue(today: date):  # type: ignore[no-untyped-def]
    return _tasks(SupplierTask.due_date < today)


LISTING = Listing(
    sort_keys={"name": func.lower(Supplier.name), "open": OPEN_TASKS,
               "lead_time": Supplier.lead_time_days},
    default_sort="name",
    default_descending=False,
    tiebreak=Supplier.id,
)


def _where(req: PageRequest):  # type: ignore[no-untyped-def]
    conds = []
    for term in query_terms(req.search):
        like = "%" + term.replace("%", "").replace("_", "") + "%"
        conds.append(func.lower(Supplier.name).like(like)
                     | Supplier.id.in_(select(SupplierCategory.supplier_id)
                                       .join(Category)
                                       .where(func.lower(Category.name).like(like))))
    return conds


def list_page(session: Session, req: PageRequest, today: date | None = None
              ) -> Page[SupplierRow]:
    today = today or date.today()
    overdue = _overdue(today)
    stmt = select(Supplier.id, Supplier.name, OPEN_TASKS, overdue, Supplier.active,
                  Supplier.lead_time_days, Supplier.capacity).where(*_where(req))
    listing = Listing({**LISTING.sort_keys, "overdue": overdue}, LISTING.default_sort,
                      LISTING.default_descending, LISTING.tiebreak)
    page = keyset_page(session, stmt, listing, req, lambda r: r)
    ids = [r[0] for r in page.rows]
    cats: dict[int, list[str]] = {i: [] for i in ids}
    for sid, name in session.execute(
            select(SupplierCategory.supplier_id, Category.name).join(Category)
            .where(SupplierCategory.supplier_id.in_(ids)).order_by(Category.name)):
        cats[sid].append(name)
    rows = tuple(SupplierRow(r[0], r[1], ", ".join(cats[r[0]]), int(r[2]), int(r[3]),
                             bool(r[4]), int(r[5]), r[6]) for r in page.rows)
    return Page(rows=rows, after=page.after)


def count(session: Session, req: PageRequest) -> int:
    return int(session.scalar(select(func.count(Supplier.id)).where(*_where(req))) or 0)
