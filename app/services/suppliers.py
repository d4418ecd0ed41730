"""Suppliers tab: who makes what, how much work each has open or late; adding, changing,
pausing and deleting a supplier; one supplier's detail with its scorecard."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import Date, String, and_, case, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import (
    Category,
    CategoryRotation,
    Invoice,
    Order,
    OrderLine,
    Partner,
    PurchaseOrder,
    Supplier,
    SupplierCategory,
    SupplierProduct,
    SupplierTask,
    User,
)
from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.scorecard import WINDOWS, Scorecard, WindowCounts, score, window_start
from app.domain.statuses import OPEN_TASK_STATUSES, TaskStatus
from app.services import history
from app.services.access import requires
from app.services.history import HistoryLine
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.search import query_terms
from app.services.uow import UnitOfWork

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


@requires(Can.MANAGE_SUPPLIERS)
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


@requires(Can.MANAGE_SUPPLIERS)
def count(session: Session, req: PageRequest) -> int:
    return int(session.scalar(select(func.count(Supplier.id)).where(*_where(req))) or 0)


# --- one supplier: editing, pausing, deleting, and the detail pane ------------------------

NAME_MAX, EMAIL_MAX, PHONE_MAX = 200, 254, 60
LEAD_TIME_MAX = 365
OPEN_TASKS_SHOWN = 500  # the detail pane lists at most this many open tasks
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class SupplierForm:
    """What the supplier editor sends: categories are (category id, weight) pairs."""

    name: str
    email: str = ""
    phone: str = ""
    categories: tuple[tuple[int, int], ...] = ()
    capacity: int | None = None  # most open tasks at once; None = no limit
    lead_time_days: int = 7
    notes: str = ""
    references: str = ""  # samples, testimonials: the vetting done before trusting them


@dataclass(frozen=True)
class CategoryOption:
    id: int
    name: str


@dataclass(frozen=True)
class ServedCategory:
    id: int
    name: str
    weight: int


@dataclass(frozen=True)
class OpenTask:
    id: int
    sku: str
    order_number: str
    product: str
    status: str
    due_date: date | None
    overdue: bool


@dataclass(frozen=True)
class SupplierDetail:
    id: int
    name: str
    email: str
    phone: str
    active: bool
    capacity: int | None
    lead_time_days: int
    notes: str
    references: str
    created_at: datetime
    categories: tuple[ServedCategory, ...]
    open_tasks: tuple[OpenTask, ...]  # by due date, at most OPEN_TASKS_SHOWN
    open_count: int
    task_count: int  # every task ever given, open or closed
    history: tuple[HistoryLine, ...]
    scorecards: tuple[Scorecard, ...]  # one per scorecard.WINDOWS, shortest first


@requires(Can.MANAGE_SUPPLIERS)
def category_options(session: Session) -> tuple[CategoryOption, ...]:
    """Every category a supplier can serve, by name, for the editor's list."""
    return tuple(CategoryOption(i, n) for i, n in session.execute(
        select(Category.id, Category.name).order_by(func.lower(Category.name), Category.id)))


@requires(Can.MANAGE_SUPPLIERS)
def supplier_form(session: Session, supplier_id: int) -> SupplierForm:
    """A supplier as the editor shows it."""
    s = _get(session, supplier_id)
    links = tuple((c, w) for c, w in session.execute(
        select(SupplierCategory.category_id, SupplierCategory.weight)
        .where(SupplierCategory.supplier_id == supplier_id)
        .order_by(SupplierCategory.category_id)))
    return SupplierForm(s.name, s.email, s.phone, links, s.capacity, s.lead_time_days,
                        s.notes, s.references)


def _get(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise DomainError("That supplier no longer exists; refresh the list.")
    return supplier


def _clean(form: SupplierForm) -> SupplierForm:
    return replace(form, name=" ".join(form.name.split()), email=form.email.strip(),
                   phone=form.phone.strip(), notes=form.notes.strip(),
                   references=form.references.strip())


def _problems(session: Session, supplier_id: int | None, form: SupplierForm) -> list[str]:
    """Everything wrong with the form, in words; empty when it can be saved."""
    problems = []
    if not form.name:
        problems.append("Give the supplier a name.")
    elif len(form.name) > NAME_MAX:
        problems.append(f"The name is too long ({len(form.name)} characters; at most "
                        f"{NAME_MAX}).")
    else:
        key = form.name.casefold()
        for other_id, other in session.execute(select(Supplier.id, Supplier.name)):
            if other_id != supplier_id and other.casefold() == key:
                problems.append(f"Another supplier is already called “{other}”; "
                                "choose a different name.")
                break
    if form.email and (len(form.email) > EMAIL_MAX or not _EMAIL.match(form.email)):
        problems.append(f"“{form.email}” is not an e-mail address (like "
                        "orders@maker.example); correct it or leave it empty.")
    if len(form.phone) > PHONE_MAX:
        problems.append(f"The phone number is too long (at most {PHONE_MAX} characters).")
    if form.capacity is not None and form.capacity < 1:
        problems.append(f"Capacity must be 1 or more open tasks, or empty for no limit; "
                        f"it is {form.capacity}.")
    if not 0 <= form.lead_time_days <= LEAD_TIME_MAX:
        problems.append(f"Lead time must be between 0 and {LEAD_TIME_MAX} days; it is "
                        f"{form.lead_time_days}.")
    if not form.categories:
        problems.append("Choose at least one category: a supplier with no category is "
                        "never given work.")
    ids = [c for c, _w in form.categories]
    names = dict(session.execute(select(Category.id, Category.name)
                                 .where(Category.id.in_(ids))).all()) if ids else {}
    seen: set[int] = set()
    for category_id, weight in form.categories:
        name = names.get(category_id)
        if name is None:
            problems.append("One of the chosen categories no longer exists; close the editor "
                            "and open it again.")
        elif category_id in seen:
            problems.append(f"{name} is chosen twice.")
        elif weight < 1:
            problems.append(f"The weight for {name} must be 1 or more; it is {weight}.")
        seen.add(category_id)
    return problems


def _edit_note(before: SupplierForm, after: SupplierForm, names: dict[int, str]) -> str:
    """What an edit changed, for the history: 'Changed capacity (40 → 50), notes'."""
    def cap(v: int | None) -> str:
        return "no limit" if v is None else str(v)

    def cats(form: SupplierForm) -> str:
        return ", ".join(sorted(f"{names.get(c, '?')}" + (f" ×{w}" if w > 1 else "")
                                for c, w in form.categories))

    parts = []
    if before.name != after.name:
        parts.append(f"name ({before.name} → {after.name})")
    for label, field in (("e-mail", "email"), ("phone", "phone")):
        if getattr(before, field) != getattr(after, field):
            parts.append(label)
    if cats(before) != cats(after):
        parts.append(f"categories ({cats(before)} → {cats(after)})")
    if before.capacity != after.capacity:
        parts.append(f"capacity ({cap(before.capacity)} → {cap(after.capacity)})")
    if before.lead_time_days != after.lead_time_days:
        parts.append(f"lead time ({before.lead_time_days} → {after.lead_time_days} days)")
    for label, field in (("notes", "notes"), ("references", "references")):
        if getattr(before, field) != getattr(after, field):
            parts.append(label)
    return "Changed " + ", ".join(parts) if parts else ""


def _state(active: bool) -> str:
    return "active" if active else "paused"


@requires(Can.MANAGE_SUPPLIERS)
def save_supplier(uow: UnitOfWork, supplier_id: int | None, form: SupplierForm) -> Changes:
    """Add a supplier (supplier_id None) or change one; every problem is named at once."""
    form = _clean(form)
    with uow:
        s = uow.session
        supplier = None if supplier_id is None else _get(s, supplier_id)
        problems = _problems(s, supplier_id, form)
        if problems:
            raise DomainError("The supplier was not saved:\n" +
                              "\n".join(f"• {p}" for p in problems))
        before = None if supplier_id is None else supplier_form(s, supplier_id)
        if supplier is None:
            supplier = Supplier(active=True)
            s.add(supplier)
        supplier.name, supplier.email, supplier.phone = form.name, form.email, form.phone
        supplier.capacity, supplier.lead_time_days = form.capacity, form.lead_time_days
        supplier.notes, supplier.references = form.notes, form.references
        try:
            s.flush()
        except IntegrityError as exc:
            raise DomainError(f"The supplier was not saved:\n• Another supplier is already "
                              f"called “{form.name}”.") from exc
        weights = dict(form.categories)
        links = {link.category_id: link for link in s.scalars(
            select(SupplierCategory).where(SupplierCategory.supplier_id == supplier.id))}
        for category_id, link in links.items():
            if category_id not in weights:
                s.delete(link)
        for category_id, weight in weights.items():
            if category_id in links:
                links[category_id].weight = weight
            else:
                s.add(SupplierCategory(supplier_id=supplier.id, category_id=category_id,
                                       weight=weight))
        if before is None:
            history.record(s, "supplier", supplier.id, None, _state(True), uow.actor,
                           "Added")
        else:
            names = dict(s.execute(select(Category.id, Category.name)).all())
            note = _edit_note(before, form, names)
            if note:
                state = _state(supplier.active)
                history.record(s, "supplier", supplier.id, state, state, uow.actor, note)
        uow.changed(suppliers=True)
        uow.commit()
    return uow.changes


@requires(Can.MANAGE_SUPPLIERS)
def set_active(uow: UnitOfWork, supplier_id: int, active: bool, note: str = "") -> Changes:
    """Pause a supplier (no new work goes to it) or resume it; recorded in its history."""
    with uow:
        s = uow.session
        supplier = _get(s, supplier_id)
        if supplier.active == active:
            raise DomainError(f"{supplier.name} is already {_state(active)}.")
        history.record(s, "supplier", supplier.id, _state(supplier.active), _state(active),
                       uow.actor, note)
        supplier.active = active
        uow.changed(suppliers=True)
        uow.commit()
    return uow.changes


def _count_of(session: Session, column, supplier_id: int) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).where(column == supplier_id)) or 0)


@requires(Can.MANAGE_SUPPLIERS)
def delete_supplier(uow: UnitOfWork, supplier_id: int) -> Changes:
    """Delete a supplier that never had work; one with tasks is paused instead, so its
    history survives."""
    with uow:
        s = uow.session
        supplier = _get(s, supplier_id)
        held = [(n, one, many) for n, one, many in (
            (_count_of(s, SupplierTask.supplier_id, supplier_id), "task", "tasks"),
            (_count_of(s, PurchaseOrder.supplier_id, supplier_id), "purchase order",
             "purchase orders"),
            (_count_of(s, Invoice.supplier_id, supplier_id), "invoice", "invoices"),
            (_count_of(s, Partner.supplier_id, supplier_id), "partner record",
             "partner records"),
            (_count_of(s, User.supplier_id, supplier_id), "login", "logins"),
        ) if n]
        if held:
            what = [f"{n:,} {one if n == 1 else many}" for n, one, many in held]
            listed = what[0] if len(what) == 1 else ", ".join(what[:-1]) + " and " + what[-1]
            raise DomainError(f"{supplier.name} has {listed}; pause the supplier instead "
                              "(paused suppliers get no new work).")
        s.execute(update(CategoryRotation).where(CategoryRotation.last_supplier_id
                                                 == supplier_id)
                  .values(last_supplier_id=None))
        s.execute(delete(SupplierProduct).where(SupplierProduct.supplier_id == supplier_id))
        s.execute(delete(SupplierCategory).where(SupplierCategory.supplier_id == supplier_id))
        s.delete(supplier)
        uow.changed(suppliers=True)
        uow.commit()
    return uow.changes


# --- the scorecard, counted in SQL --------------------------------------------------------


def _days_between(session: Session, start, end):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def _day_of(session: Session, moment):  # type: ignore[no-untyped-def]
    """The (UTC) calendar day of a stored time, comparable with a Date column."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(moment)
    return cast(moment, Date)


def _since(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _rejected_by(session: Session, supplier_id: int):  # type: ignore[no-untyped-def]
    """Tasks whose rejected_by list (a JSON list of supplier ids) holds this supplier."""
    if session.get_bind().dialect.name == "sqlite":
        ids = func.json_each(SupplierTask.rejected_by).table_valued("value")
        # Most tasks were never turned down: a text test skips them before JSON is parsed.
        return and_(cast(SupplierTask.rejected_by, String) != "[]",
                    select(ids.c.value).where(ids.c.value == supplier_id).exists())
    return cast(SupplierTask.rejected_by, JSONB).contains([supplier_id])


@requires(Can.MANAGE_SUPPLIERS)
def scorecards(session: Session, supplier_id: int, today: date | None = None
               ) -> tuple[Scorecard, ...]:
    """Tasks done, on-time rate, lead time, rejections and lateness per window in WINDOWS."""
    today = today or date.today()
    t = SupplierTask
    finished = func.coalesce(t.production_ended_at, t.updated_at)
    lead = _days_between(session, t.created_at, finished)
    on_time = _day_of(session, finished) <= t.due_date
    starts = {days: _since(window_start(today, days)) for days in WINDOWS}

    def counted(cond):  # type: ignore[no-untyped-def]
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    done_cols = []
    for days in WINDOWS:
        inside = finished >= starts[days]
        done_cols += [counted(inside), counted(inside & t.due_date.is_not(None)),
                      counted(inside & t.due_date.is_not(None) & on_time),
                      func.coalesce(func.sum(case((inside, lead), else_=0.0)), 0.0)]
    done = session.execute(
        select(*done_cols).where(t.supplier_id == supplier_id, t.status == str(TaskStatus.DONE),
                                 finished >= min(starts.values()))).one()
    rejected = session.execute(
        select(*(counted(t.updated_at >= starts[days]) for days in WINDOWS))
        .where(t.updated_at >= min(starts.values()), _rejected_by(session, supplier_id))
    ).one()
    overdue = int(session.scalar(
        select(func.count()).where(t.supplier_id == supplier_id, t.status.in_(_OPEN),
                                   t.due_date < today)) or 0)
    cards = []
    for i, days in enumerate(WINDOWS):
        n, with_due, in_time, lead_total = done[4 * i: 4 * i + 4]
        cards.append(score(WindowCounts(days, int(n), int(with_due), int(in_time),
                                        float(lead_total), int(rejected[i]), overdue)))
    return tuple(cards)


@requires(Can.MANAGE_SUPPLIERS)
def supplier_detail(session: Session, supplier_id: int, today: date | None = None
                    ) -> SupplierDetail:
    """All the detail pane shows for one supplier."""
    today = today or date.today()
    s = _get(session, supplier_id)
    served = tuple(ServedCategory(i, n, w) for i, n, w in session.execute(
        select(Category.id, Category.name, SupplierCategory.weight).join(Category)
        .where(SupplierCategory.supplier_id == supplier_id)
        .order_by(func.lower(Category.name))))
    t = SupplierTask
    is_open = (t.supplier_id == supplier_id, t.status.in_(_OPEN))
    open_tasks = tuple(
        OpenTask(i, sku, number, title, status, due, due is not None and due < today)
        for i, sku, number, title, status, due in session.execute(
            select(t.id, t.sku, Order.number, OrderLine.title, t.status, t.due_date)
            .join(Order, Order.id == t.order_id).join(OrderLine, OrderLine.id == t.order_line_id)
            .where(*is_open)
            .order_by(t.due_date.is_(None), t.due_date, t.sku).limit(OPEN_TASKS_SHOWN)))
    open_count = int(session.scalar(select(func.count()).where(*is_open)) or 0)
    task_count = _count_of(session, t.supplier_id, supplier_id)
    return SupplierDetail(
        s.id, s.name, s.email, s.phone, s.active, s.capacity, s.lead_time_days, s.notes,
        s.references, s.created_at, served, open_tasks, open_count, task_count,
        history.history(session, "supplier", supplier_id),
        scorecards(session, supplier_id, today))
