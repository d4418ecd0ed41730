"""Supplier tasks: orders sent to suppliers as one task per line that needs making, each given
to the supplier whose turn it is; a task's life from assigned to done; the task lists.

Everything that hands out a turn or a task SKU first takes the assignment lock (see `_lock`),
so two people (or a person and the channel import) assigning at once never give the same
turn or counter value twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import (
    Category,
    CategoryRotation,
    Order,
    OrderLine,
    OrderSearchTerm,
    Product,
    Setting,
    Shipment,
    StatusChange,
    Supplier,
    SupplierCategory,
    SupplierTask,
    TaskMessage,
    User,
    utcnow,
)
from app.db.settings import get_setting, put_setting
from app.domain import task_sku
from app.domain.access import Can
from app.domain.assignment import Candidate, Strategy, choose_supplier, strategy_from_setting
from app.domain.changes import Changes
from app.domain.dates import day_words
from app.domain.errors import DomainError
from app.domain.statuses import (
    OPEN_TASK_STATUSES,
    TASK_TRANSITIONS,
    OrderStatus,
    TaskStatus,
    check_transition,
)
from app.notify import announce, notify, queue_email
from app.notify.outbox import address_problem
from app.notify.settings import template_overrides
from app.notify.templates import render as render_message
from app.services import history
from app.services.access import requires, viewer_of
from app.services.history import HistoryLine
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.search import prefix_range, query_terms
from app.services.settings import SEQ_KEY, auto_purchasing
from app.services.settings import task_sku_pattern as _pattern
from app.services.uow import UnitOfWork

T, OS = TaskStatus, OrderStatus
TASK = "supplier_task"  # the history's word for a supplier task
ORDER = "order"
AUTO_DONE = "automatic: all supplier tasks done"
AUTO_PURCHASING = "automatic: new orders go to suppliers"
AUTO_REASSIGN = "automatic: passed on in turn"  # never the login of the one who passed
SKU_TRIES = 50  # clashing task SKUs remade before giving up
CARRIER_MAX, TRACKING_MAX, MESSAGE_MAX = 80, 120, 10_000
COST_MAX = 10**11
_CHUNK = 900  # ids per IN (...) list
_OPEN = tuple(str(s) for s in OPEN_TASK_STATUSES)
# A task that can still be cancelled: anything not shipped, done or cancelled already.
_CANCELLABLE = tuple(str(s) for s in TaskStatus if T.CANCELLED in TASK_TRANSITIONS[s])
_HOW = {Strategy.ROUND_ROBIN: "round robin", Strategy.LEAST_OPEN: "fewest open tasks",
        Strategy.WEIGHTED: "by weight"}
NO_CATEGORY = ("This item has no category, so no supplier can be matched to it. Give the "
               "product a category, or assign the task by hand.")

# Which button of the task dialog leads to each next status.
ACTIONS: dict[TaskStatus, str] = {
    T.ASSIGNED: "assign", T.ACCEPTED: "accept", T.IN_PRODUCTION: "start",
    T.PRODUCED: "finish", T.SHIPPED: "ship", T.DONE: "done", T.REJECTED: "reject",
    T.CANCELLED: "cancel",
}


def random_digits(n: int) -> str:
    """n random digits for {rand:N} (a seam for tests that force a clash)."""
    return task_sku.random_digits(n)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


# --- the assignment lock, suppliers' turns and task SKUs -----------------------------------


def _lock(session: Session) -> None:
    """Take the assignment lock before reading anything the choice depends on.

    The first statement is an UPDATE of the task SKU counter's row: on SQLite that takes the
    database's write lock at once (so every read after it is current and no other writer can
    come between); on a server database it locks that row, which every assignment touches.
    """
    stmt = (update(Setting).where(Setting.key == SEQ_KEY).values(key=Setting.key)
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(Setting(key=SEQ_KEY, value={"value": {}}))
    except IntegrityError:  # made by someone else just now
        pass
    session.execute(stmt)


@dataclass
class _Maker:
    """A supplier as assignment needs it."""

    id: int
    name: str
    email: str
    active: bool
    capacity: int | None
    lead_time_days: int
    user_id: int | None = None


class _Assigner:
    """Who serves the categories, how busy each supplier is and whose turn it is, loaded once
    under the assignment lock and kept up to date as this unit of work hands out tasks."""

    def __init__(self, session: Session, category_ids: Iterable[int | None]):
        self.session = session
        cats = sorted({c for c in category_ids if c is not None})
        self.categories: dict[int, tuple[str, str, Strategy]] = {}
        self.serving: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.makers: dict[int, _Maker] = {}
        self.open: dict[int, int] = defaultdict(int)
        self.given: dict[tuple[int, int], int] = defaultdict(int)
        self.rotation: dict[int, CategoryRotation] = {}
        if not cats:
            return
        for cid, code, name, strategy in session.execute(
                select(Category.id, Category.code, Category.name, Category.assignment_strategy)
                .where(Category.id.in_(cats))):
            self.categories[cid] = (code, name, strategy_from_setting(strategy))
        for sid, cid, weight in session.execute(
                select(SupplierCategory.supplier_id, SupplierCategory.category_id,
                       SupplierCategory.weight).where(SupplierCategory.category_id.in_(cats))
                .order_by(SupplierCategory.supplier_id)):
            self.serving[cid].append((sid, weight))
        self._load_makers({sid for links in self.serving.values() for sid, _w in links})
        weighted = [c for c, (_co, _n, s) in self.categories.items() if s is Strategy.WEIGHTED]
        if weighted:
            for sid, cid, n in session.execute(
                    select(SupplierTask.supplier_id, SupplierTask.category_id, func.count())
                    .where(SupplierTask.category_id.in_(weighted),
                           SupplierTask.supplier_id.is_not(None))
                    .group_by(SupplierTask.supplier_id, SupplierTask.category_id)):
                self.given[(sid, cid)] = int(n)
        for rot in session.scalars(select(CategoryRotation)
                                   .where(CategoryRotation.category_id.in_(cats))):
            self.rotation[rot.category_id] = rot

    def _load_makers(self, ids: set[int]) -> None:
        ids -= set(self.makers)
        if not ids:
            return
        listed = sorted(ids)
        for r in self.session.execute(
                select(Supplier.id, Supplier.name, Supplier.email, Supplier.active,
                       Supplier.capacity, Supplier.lead_time_days)
                .where(Supplier.id.in_(listed))):
            self.makers[r[0]] = _Maker(*r)
        for sid, n in self.session.execute(
                select(SupplierTask.supplier_id, func.count())
                .where(SupplierTask.supplier_id.in_(listed), SupplierTask.status.in_(_OPEN))
                .group_by(SupplierTask.supplier_id)):
            self.open[sid] = int(n)
        for uid, sid in self.session.execute(
                select(User.id, User.supplier_id)
                .where(User.supplier_id.in_(listed), User.active.is_(True))
                .order_by(User.id)):
            if self.makers[sid].user_id is None:
                self.makers[sid].user_id = uid

    def maker(self, supplier_id: int) -> _Maker | None:
        self._load_makers({supplier_id})
        return self.makers.get(supplier_id)

    def category_code(self, category_id: int | None) -> str:
        return self.categories[category_id][0] if category_id in self.categories else ""

    def category_name(self, category_id: int | None) -> str:
        return self.categories[category_id][1] if category_id in self.categories else ""

    def serves(self, supplier_id: int, category_id: int | None) -> bool:
        return any(sid == supplier_id for sid, _w in self.serving.get(category_id or 0, ()))

    def choose(self, category_id: int | None, exclude: Iterable[int] = ()
               ) -> tuple[_Maker | None, str]:
        """The supplier whose turn it is (counted as given the task), or None and why not."""
        if category_id is None or category_id not in self.categories:
            return None, NO_CATEGORY
        _code, name, strategy = self.categories[category_id]
        candidates = [
            Candidate(sid, self.makers[sid].name, self.makers[sid].active, self.open[sid],
                      self.makers[sid].capacity, weight, self.given[(sid, category_id)])
            for sid, weight in self.serving.get(category_id, ()) if sid in self.makers]
        rot = self.rotation.get(category_id)
        choice = choose_supplier(strategy, candidates,
                                 last_supplier_id=rot.last_supplier_id if rot else None,
                                 exclude=frozenset(exclude), category_name=name)
        if choice.supplier_id is None:
            return None, choice.reason
        if rot is None:
            rot = CategoryRotation(category_id=category_id, last_supplier_id=None, turns=0)
            self.session.add(rot)
            self.rotation[category_id] = rot
        rot.last_supplier_id = choice.next_rotation
        rot.turns = (rot.turns or 0) + 1
        self.took(choice.supplier_id, category_id)
        return self.makers[choice.supplier_id], ""

    def took(self, supplier_id: int, category_id: int | None) -> None:
        self.open[supplier_id] += 1
        if category_id is not None:
            self.given[(supplier_id, category_id)] += 1

    def how(self, category_id: int | None) -> str:
        return _HOW[self.categories[category_id][2]] if category_id in self.categories else ""


class _Skus:
    """Task SKUs from the pattern setting, its counter kept in the settings table (taken in
    the same transaction), and clashes with existing SKUs remade until they fit."""

    def __init__(self, session: Session):
        self.session = session
        self.pattern = _pattern(session)
        self.retry = task_sku.collision_retry(self.pattern)  # refuses an unusable pattern
        counters = get_setting(session, SEQ_KEY, {})
        self.counters = dict(counters) if isinstance(counters, dict) else {}
        self.seq = int(self.counters.get(self.pattern, 0))
        self.uses_seq = self.retry == "seq"

    def make(self, category: str, supplier: str, order: str, on: date) -> str:
        if self.uses_seq:
            self.seq += 1
        return task_sku.render(self.pattern, category=category, supplier=supplier, order=order,
                               on=on, seq=self.seq, rand=random_digits)

    def insert(self, rows: list[dict[str, Any]], args: list[tuple[str, str, str, date]]
               ) -> list[int]:
        """Insert the tasks and give back their ids; a SKU already taken (the unique
        constraint says so) is made again with the next counter or new random digits."""
        for _attempt in range(SKU_TRIES):
            try:
                with self.session.begin_nested():
                    self.session.execute(insert(SupplierTask.__table__), rows)
            except IntegrityError:
                clashes = self._clashes(rows)
                if not clashes:
                    raise
                for i in clashes:
                    rows[i]["sku"] = self.make(*args[i])
                continue
            # SKUs are unique, so they find the new rows' ids (one executemany, no RETURNING).
            ids: dict[str, int] = {}
            for chunk in _chunks([r["sku"] for r in rows]):  # type: ignore[arg-type]
                ids.update(self.session.execute(select(SupplierTask.sku, SupplierTask.id)
                                                .where(SupplierTask.sku.in_(chunk))).all())
            return [ids[r["sku"]] for r in rows]
        raise DomainError(
            f"No free task SKU was found after {SKU_TRIES} tries with the pattern "
            f"{self.pattern}; nothing was changed. Choose a pattern with more room in "
            "Settings (add {seq}, or more {rand} digits).")

    def _clashes(self, rows: list[dict[str, Any]]) -> list[int]:
        skus = [r["sku"] for r in rows]
        taken: set[str] = set()
        for chunk in _chunks(skus):  # type: ignore[arg-type]
            taken.update(self.session.scalars(select(SupplierTask.sku)
                                              .where(SupplierTask.sku.in_(chunk))))
        seen: set[str] = set()
        out = []
        for i, sku in enumerate(skus):
            if sku in taken or sku in seen:
                out.append(i)
            seen.add(sku)
        return out

    def save(self) -> None:
        if self.uses_seq:
            put_setting(self.session, SEQ_KEY, {**self.counters, self.pattern: self.seq})


# --- telling people -----------------------------------------------------------------------


class _Notices:
    """Messages about tasks, added in the action's own transaction (see app.notify)."""

    def __init__(self, session: Session):
        self.session = session
        self._overrides: dict[str, Any] | None = None

    def assigned(self, task_id: int, values: dict[str, object], maker: _Maker) -> str:
        """Tell the supplier about a new task: e-mail, and their in-app list if they have a
        login. Returns how they were told, for the history."""
        if self._overrides is None:
            self._overrides = template_overrides(self.session)
        message = render_message("task_assigned", values, self._overrides)
        if maker.user_id is not None:
            notify(self.session, kind="task_assigned", title=message.subject,
                   body=message.body, for_user_id=maker.user_id, entity=TASK,
                   entity_id=task_id)
        problem = address_problem(maker.email) if maker.email.strip() else None
        if maker.email.strip() and problem is None:
            queue_email(self.session, to=maker.email, subject=message.subject,
                        body=message.body)
            return f"e-mailed {maker.email.strip()}"
        why = problem or "they have no e-mail address in Backroom."
        notify(self.session, kind="email_missing",
               title=f"{maker.name} was not e-mailed about task {values['task_sku']}",
               body=f"“{message.subject}” was not sent: {why} Tell them another way, or add "
                    "their address and reassign.", entity=TASK, entity_id=task_id)
        return "not e-mailed (no usable address)"

    def owner(self, kind: str, task_id: int, values: dict[str, object]) -> str:
        told = announce(self.session, kind, values, entity=TASK, entity_id=task_id)
        return f"owner told (e-mail to {told.email_to})" if told.email_to else "owner told"


def _values(session: Session, task: SupplierTask, supplier: str | None = None,
            **extra: object) -> dict[str, object]:
    """The placeholders of a task's messages."""
    number, sku, title, qty, personalisation = session.execute(
        select(Order.number, OrderLine.sku, OrderLine.title, OrderLine.quantity,
               OrderLine.personalisation)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(OrderLine.id == task.order_line_id)).one()
    if supplier is None and task.supplier_id is not None:
        supplier = session.scalar(select(Supplier.name).where(Supplier.id == task.supplier_id))
    return {"task_sku": task.sku, "order_number": number, "product": title, "sku": sku,
            "quantity": qty, "personalisation": personalisation, "due_date": task.due_date,
            "supplier": supplier or "", **extra}


# --- sending orders to suppliers ----------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    id: int
    order_id: int
    category_id: int | None
    sku: str
    title: str
    quantity: int
    personalisation: str
    cost_minor: int
    cost_currency: str


def _due(placed: date, maker: _Maker) -> date:
    return placed + timedelta(days=maker.lead_time_days)


def send_to_purchasing(session: Session, order_ids: Sequence[int], actor: str, *,
                       note: str = "", only_new: bool = False) -> list[int]:
    """Move orders to Purchasing and decompose them: one supplier task per line that needs
    making, each given to the supplier whose turn it is (a line that already has a task
    that is not cancelled keeps it). The caller's unit of work commits.

    `only_new` (the automatic rule) skips orders that are not new or have nothing to make,
    where a person asking is refused in words. Returns the ids of the orders moved.
    """
    _lock(session)
    wanted = list(dict.fromkeys(order_ids))
    found: dict[int, Any] = {}
    for chunk in _chunks(wanted):
        for r in session.execute(select(Order.id, Order.number, Order.status, Order.placed_at,
                                        Order.currency).where(Order.id.in_(chunk))):
            found[r.id] = r
    if len(found) < len(wanted) and not only_new:
        raise DomainError("One of those orders no longer exists; refresh the list.")
    lines: dict[int, list[_Line]] = defaultdict(list)
    live: set[int] = set()
    for chunk in _chunks(list(found)):
        for r in session.execute(
                select(OrderLine.id, OrderLine.order_id,
                       func.coalesce(Product.category_id, OrderLine.category_id),
                       OrderLine.sku, OrderLine.title, OrderLine.quantity,
                       OrderLine.personalisation, OrderLine.unit_cost_minor, Product.id,
                       Product.cost_minor, Product.cost_currency)
                .outerjoin(Product, Product.id == OrderLine.product_id)
                .where(OrderLine.order_id.in_(chunk), OrderLine.needs_making.is_(True))
                .order_by(OrderLine.order_id, OrderLine.id)):
            order = found[r[1]]
            cost, currency = ((r[9] * r[5], r[10]) if r[8] is not None
                              else (r[7] * r[5], order.currency))
            lines[r[1]].append(_Line(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", cost,
                                     currency))
        live.update(session.scalars(select(SupplierTask.order_line_id).where(
            SupplierTask.order_id.in_(chunk), SupplierTask.status != str(T.CANCELLED))))
    moving = []
    for oid in wanted:
        order = found.get(oid)
        if order is None:
            continue
        if only_new:
            if order.status == str(OS.NEW) and lines.get(oid):
                moving.append(order)
            continue
        try:
            check_transition(OS(order.status), OS.PURCHASING)
        except DomainError as exc:
            raise DomainError(f"Order {order.number}: {exc}") from exc
        if not lines.get(oid):
            raise DomainError(f"Order {order.number} has nothing to make; move it to Ready to "
                              "pick.")
        moving.append(order)
    if not moving:
        return []

    todo = [(o, ln) for o in moving for ln in lines[o.id] if ln.id not in live]
    assigner = _Assigner(session, (ln.category_id for _o, ln in todo))
    skus = _Skus(session)
    notices = _Notices(session)
    today = date.today()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    args: list[tuple[str, str, str, date]] = []
    makers: list[_Maker | None] = []
    for order, ln in todo:
        maker, reason = assigner.choose(ln.category_id)
        makers.append(maker)
        arg = (assigner.category_code(ln.category_id), maker.name if maker else "",
               order.number, today)
        args.append(arg)
        rows.append({
            "sku": skus.make(*arg), "order_id": order.id, "order_line_id": ln.id,
            "category_id": ln.category_id, "supplier_id": maker.id if maker else None,
            "status": str(T.ASSIGNED if maker else T.UNASSIGNED),
            "unassigned_reason": None if maker else reason,
            "due_date": _due(_local_day(order.placed_at), maker) if maker else None,
            "production_started_at": None, "production_ended_at": None, "carrier": "",
            "tracking_number": "", "ships_direct": False, "cost_minor": ln.cost_minor,
            "currency": ln.cost_currency, "rejected_by": [], "created_at": now,
            "updated_at": now})
    ids = skus.insert(rows, args) if rows else []
    skus.save()

    changes: list[dict[str, Any]] = []
    for order in moving:
        changes.append(_change(ORDER, order.id, order.status, str(OS.PURCHASING), actor, note,
                               now))
    for task_id, row, maker, (order, ln) in zip(ids, rows, makers, todo, strict=True):
        if maker is None:
            changes.append(_change(TASK, task_id, None, row["status"], actor,
                                   f"Made from order {order.number}; needs a supplier: "
                                   f"{row['unassigned_reason']}", now))
            changes.append(_change(ORDER, order.id, str(OS.PURCHASING), str(OS.PURCHASING), actor,
                                   f"Task {row['sku']} needs a supplier: "
                                   f"{row['unassigned_reason']}", now))
            continue
        told = notices.assigned(task_id, {
            "task_sku": row["sku"], "order_number": order.number, "product": ln.title,
            "sku": ln.sku, "quantity": ln.quantity, "personalisation": ln.personalisation,
            "due_date": row["due_date"], "supplier": maker.name}, maker)
        changes.append(_change(
            TASK, task_id, None, row["status"], actor,
            f"Made from order {order.number}; assigned to {maker.name} "
            f"({assigner.how(ln.category_id)}); {told}", now))
        changes.append(_change(ORDER, order.id, str(OS.PURCHASING), str(OS.PURCHASING), actor,
                               f"Task {row['sku']} assigned to {maker.name}", now))
    # Core's executemany: one statement for all (the ORM's bulk insert splits rows whose
    # None values differ).
    session.execute(insert(StatusChange.__table__), changes)
    for chunk in _chunks([o.id for o in moving]):
        session.execute(update(Order).where(Order.id.in_(chunk))
                        .values(status=str(OS.PURCHASING), updated_at=now)
                        .execution_options(synchronize_session="fetch"))
    fresh = {o.id for o, _ln in todo}
    for order in moving:  # back from hold with its tasks already finished: on it goes
        if order.id not in fresh:
            _order_moves_on(session, order.id)
    if ids:  # job tickets, when the workshop prints them as tasks are made (never raises)
        from app.services.print_jobs import auto_print_task_tickets

        auto_print_task_tickets(session, ids)
    return [o.id for o in moving]


def _change(entity: str, entity_id: int, from_status: str | None, to_status: str, actor: str,
            note: str, when: datetime) -> dict[str, Any]:
    return {"entity": entity, "entity_id": entity_id, "from_status": from_status,
            "to_status": to_status, "actor": actor, "note": note, "changed_at": when}


_CHANGED = {"orders": True, "tasks": True, "suppliers": True}


@requires(Can.MOVE_ORDERS)
def send_to_suppliers(uow: UnitOfWork, order_ids: Sequence[int]) -> Changes:
    """Send orders to their suppliers: Purchasing, and one task per line that needs making.

    An order that cannot go to Purchasing, or has nothing to make, stops the whole batch.
    """
    with uow:
        send_to_purchasing(uow.session, order_ids, uow.actor)
        uow.changed(**_CHANGED)
        uow.commit()
    return uow.changes


def apply_auto_purchasing(uow: UnitOfWork, order_ids: Sequence[int]) -> Changes:
    """The owner's rule for new orders: when it is on, new orders with something to make go
    to their suppliers at once. Orders it does not apply to are left as they are."""
    with uow:
        if not auto_purchasing(uow.session) or not order_ids:
            return uow.changes
        moved = send_to_purchasing(uow.session, order_ids, AUTO_PURCHASING, only_new=True)
        if moved:
            uow.changed(**_CHANGED)
        uow.commit()
    return uow.changes


def cancel_order_tasks(session: Session, order_id: int, actor: str) -> int:
    """Cancel an order's tasks that are not shipped or done yet (the order was cancelled)."""
    tasks = list(session.scalars(select(SupplierTask).where(
        SupplierTask.order_id == order_id, SupplierTask.status.in_(_CANCELLABLE))
        .order_by(SupplierTask.id)))
    if not tasks:
        return 0
    number = session.scalar(select(Order.number).where(Order.id == order_id))
    for task in tasks:
        _move(session, task, T.CANCELLED, actor, f"Order {number} was cancelled")
    skus = ", ".join(t.sku for t in tasks)
    history.record(session, ORDER, order_id, str(OS.CANCELLED), str(OS.CANCELLED), actor,
                   f"Cancelled {len(tasks)} supplier task{'' if len(tasks) == 1 else 's'} "
                   f"with the order: {skus}")
    return len(tasks)


# --- one task's life ----------------------------------------------------------------------


def _get(session: Session, task_id: int) -> SupplierTask:
    task = session.get(SupplierTask, task_id, with_for_update=True)
    if task is None:
        raise DomainError("That supplier task no longer exists; refresh the list.")
    _may_work_on(session, task)
    return task


def _may_work_on(session: Session, task: SupplierTask) -> None:
    """A supplier works only on its own tasks; the workshop on all of them."""
    viewer = viewer_of(session)
    if viewer is None or viewer.can(Can.SEE_ALL_TASKS):
        return
    if viewer.can(Can.WORK_OWN_TASKS) and task.supplier_id == viewer.supplier_id:
        return
    raise DomainError(f"Task {task.sku} is not one of yours, so it was not shown or changed.")


def _own_tasks(session: Session) -> list[Any]:
    """Conditions that keep a supplier to its own tasks (none for the workshop)."""
    viewer = viewer_of(session)
    if viewer is None or viewer.can(Can.SEE_ALL_TASKS):
        return []
    viewer.require(Can.WORK_OWN_TASKS)
    return [SupplierTask.supplier_id == viewer.supplier_id]


def _check(task: SupplierTask, to: TaskStatus) -> None:
    try:
        check_transition(TaskStatus(task.status), to)
    except DomainError as exc:
        raise DomainError(f"Task {task.sku}: {exc}") from exc


def _move(session: Session, task: SupplierTask, to: TaskStatus, actor: str,
          note: str = "") -> None:
    """A checked transition, recorded in the task's history."""
    current = TaskStatus(task.status)
    _check(task, to)
    task.status = str(to)
    task.updated_at = utcnow()
    history.record(session, TASK, task.id, str(current), str(to), actor, note)


def _order_note(session: Session, task: SupplierTask, actor: str, note: str) -> None:
    status = session.scalar(select(Order.status).where(Order.id == task.order_id))
    history.record(session, ORDER, task.order_id, status, str(status), actor, note)


def _supplier_name(session: Session, supplier_id: int | None) -> str:
    if supplier_id is None:
        return "nobody"
    return session.scalar(select(Supplier.name).where(Supplier.id == supplier_id)) or "?"


def _with_source(note: str, source: str) -> str:
    """A history note and where the change came from (e.g. "from job sheet kiln.xlsx")."""
    return "; ".join(p for p in (note, source) if p)


def _step(session: Session, task: SupplierTask, to: TaskStatus, actor: str, note: str = "",
          **fields: Any) -> None:
    """A plain step (accept, start, finish, cancel): check, move, set the fields, record."""
    _move(session, task, to, actor, note)
    for name, value in fields.items():
        setattr(task, name, value)
    _order_note(session, task, actor, f"Task {task.sku}: {_words(to)}")


def _act(uow: UnitOfWork, task_id: int, to: TaskStatus, note: str = "",
         **fields: Any) -> Changes:
    """The plain steps as a user action of their own."""
    with uow:
        s = uow.session
        _step(s, _get(s, task_id), to, uow.actor, note, **fields)
        uow.changed(tasks=True, suppliers=True)
        uow.commit()
    return uow.changes


def _words(status: TaskStatus) -> str:
    return {T.ACCEPTED: "accepted by the supplier", T.IN_PRODUCTION: "production started",
            T.PRODUCED: "produced", T.CANCELLED: "cancelled"}.get(status, str(status))


def accept_task(uow: UnitOfWork, task_id: int) -> Changes:
    """The supplier takes the task on."""
    return _act(uow, task_id, T.ACCEPTED)


def start_production(uow: UnitOfWork, task_id: int) -> Changes:
    return _act(uow, task_id, T.IN_PRODUCTION, production_started_at=utcnow())


def finish_production(uow: UnitOfWork, task_id: int) -> Changes:
    return _act(uow, task_id, T.PRODUCED, production_ended_at=utcnow())


@requires(Can.SEE_ALL_TASKS)
def cancel_task(uow: UnitOfWork, task_id: int, note: str = "") -> Changes:
    """The owner calls a task off; if the order's other tasks are finished, it moves on."""
    with uow:
        s = uow.session
        task = _get(s, task_id)
        _step(s, task, T.CANCELLED, uow.actor, note)
        _order_moves_on(s, task.order_id)
        uow.changed(tasks=True, suppliers=True, orders=True)
        uow.commit()
    return uow.changes


def _clean_line(text: str) -> str:
    return " ".join(text.split())


def ship_task(uow: UnitOfWork, task_id: int, carrier: str, tracking: str,
              ships_direct: bool) -> Changes:
    """The supplier sent the goods: to us, or (ships_direct) straight to the customer."""
    carrier, tracking = _clean_line(carrier), _clean_line(tracking)
    problems = _shipping_problems(carrier, tracking, need_carrier=True)
    if problems:
        raise DomainError("The task was not marked shipped:\n" + "\n".join(
            f"• {p}" for p in problems))
    with uow:
        s = uow.session
        _ship(s, _get(s, task_id), uow.actor, carrier, tracking, ships_direct)
        uow.changed(tasks=True, suppliers=True, orders=True)
        uow.commit()
    return uow.changes


def _ship(session: Session, task: SupplierTask, actor: str, carrier: str, tracking: str,
          ships_direct: bool, source: str = "") -> None:
    """Mark a task shipped (carrier and tracking already checked); a task shipped straight to
    the customer may move its order on."""
    where = "straight to the customer" if ships_direct else "to the workshop"
    tracked = f", tracking {tracking}" if tracking else ""
    _move(session, task, T.SHIPPED, actor,
          _with_source(f"Shipped {where} with {carrier}{tracked}", source))
    task.carrier, task.tracking_number, task.ships_direct = carrier, tracking, ships_direct
    _order_note(session, task, actor, f"Task {task.sku} shipped {where} with {carrier}"
                f"{tracked}")
    if ships_direct:
        _order_moves_on(session, task.order_id)


def complete_task(uow: UnitOfWork, task_id: int) -> Changes:
    """The task is done; the owner is told, and the order moves on once all its tasks are."""
    with uow:
        s = uow.session
        _complete(s, _get(s, task_id), uow.actor)
        uow.changed(tasks=True, suppliers=True, orders=True)
        uow.commit()
    return uow.changes


def _complete(session: Session, task: SupplierTask, actor: str, source: str = "") -> None:
    """Mark a task done, tell the owner, and move the order on once all its tasks are."""
    _check(task, T.DONE)
    if task.production_ended_at is None:
        task.production_ended_at = utcnow()
    told = _Notices(session).owner("task_done", task.id, _values(
        session, task, carrier=task.carrier, tracking=task.tracking_number))
    _move(session, task, T.DONE, actor, _with_source(told[:1].upper() + told[1:], source))
    _order_note(session, task, actor, f"Task {task.sku} done")
    _order_moves_on(session, task.order_id)


def _order_moves_on(session: Session, order_id: int) -> None:
    """When every task of a purchasing order is done (or shipped straight to the customer),
    the order moves on: to Shipped if every task shipped direct and nothing else is in it,
    else to Ready to pick."""
    from app.services.orders import move_order

    session.flush()
    order = session.get_one(Order, order_id)
    if order.status != str(OS.PURCHASING):
        return
    tasks = session.execute(select(SupplierTask.status, SupplierTask.ships_direct,
                                   SupplierTask.carrier, SupplierTask.tracking_number).where(
        SupplierTask.order_id == order_id, SupplierTask.status != str(T.CANCELLED))).all()
    finished = [st == str(T.DONE) or (st == str(T.SHIPPED) and direct)
                for st, direct, _c, _t in tasks]
    if not tasks or not all(finished):
        return
    stocked = session.scalar(select(func.count(OrderLine.id)).where(
        OrderLine.order_id == order_id, OrderLine.needs_making.is_(False))) or 0
    direct = all(d for _st, d, _c, _t in tasks) and not stocked
    to = OS.SHIPPED if direct else OS.READY_TO_PICK
    why = ("every supplier task shipped straight to the customer" if direct
           else "every supplier task is done")
    # The parcel the channel hears of: the makers' carrier and tracking (one parcel each).
    carriers = dict.fromkeys(c for _s, _d, c, _t in tasks if c)
    trackings = dict.fromkeys(t for _s, _d, _c, t in tasks if t)
    move_order(session, order, to, AUTO_DONE, why[0].upper() + why[1:],
               carrier=", ".join(carriers) if direct else "",
               tracking=" ".join(trackings) if direct else "")


def reject_task(uow: UnitOfWork, task_id: int, reason: str) -> Changes:
    """The supplier turns the task down: the owner is told why, and the task goes to the next
    supplier in turn (never back to one that turned it down) or waits for one."""
    reason = _clean_line(reason)
    if not reason:
        raise DomainError("Say why the task is turned down: the reason goes to the owner and "
                          "into the task's history.")
    with uow:
        s = uow.session
        _lock(s)
        _reject(s, _get(s, task_id), uow.actor, reason)
        uow.changed(tasks=True, suppliers=True)
        uow.commit()
    return uow.changes


def _reject(session: Session, task: SupplierTask, actor: str, reason: str,
            source: str = "") -> None:
    """Turn a task down (the assignment lock already taken, the reason cleaned and not
    empty): tell the owner, and give it to the next supplier in turn or leave it waiting."""
    who = _supplier_name(session, task.supplier_id)
    _move(session, task, T.REJECTED, actor,
          _with_source(f"Turned down by {who}: {reason}", source))
    if task.supplier_id is not None and task.supplier_id not in (task.rejected_by or []):
        task.rejected_by = [*(task.rejected_by or []), task.supplier_id]
    _Notices(session).owner("task_rejected", task.id, _values(session, task, who,
                                                               reason=reason))
    _order_note(session, task, actor, f"Task {task.sku} turned down by {who}: {reason}")
    _reassign(session, task, AUTO_REASSIGN)


def _reassign(session: Session, task: SupplierTask, actor: str) -> None:
    assigner = _Assigner(session, [task.category_id])
    maker, reason = assigner.choose(task.category_id, exclude=task.rejected_by or [])
    if maker is None:
        task.supplier_id, task.due_date, task.unassigned_reason = None, None, reason
        _move(session, task, T.UNASSIGNED, actor, f"Needs a supplier: {reason}")
        _order_note(session, task, actor, f"Task {task.sku} needs a supplier: {reason}")
        return
    _give(session, task, maker, actor, f"({assigner.how(task.category_id)})")


def _give(session: Session, task: SupplierTask, maker: _Maker, actor: str, how: str) -> None:
    """Assign the task to a supplier, due after their lead time, and tell them."""
    placed = session.scalar(select(Order.placed_at).where(Order.id == task.order_id))
    start = max(_local_day(placed), date.today()) if placed else date.today()
    task.supplier_id, task.unassigned_reason = maker.id, None
    task.due_date = _due(start, maker)
    told = _Notices(session).assigned(task.id, _values(session, task, maker.name), maker)
    _move(session, task, T.ASSIGNED, actor, f"Assigned to {maker.name} {how}; {told}")
    _order_note(session, task, actor, f"Task {task.sku} assigned to {maker.name}")


@requires(Can.SEE_ALL_TASKS)
def assign_task(uow: UnitOfWork, task_id: int, supplier_id: int | None) -> Changes:
    """Give a task that needs a supplier to one chosen by hand, or (None) to the supplier
    whose turn it is; refused in words if nobody can take it."""
    with uow:
        s = uow.session
        _lock(s)
        task = _get(s, task_id)
        _check(task, T.ASSIGNED)
        assigner = _Assigner(s, [task.category_id])
        if supplier_id is None:
            maker, reason = assigner.choose(task.category_id, exclude=task.rejected_by or [])
            if maker is None:
                raise DomainError(f"Task {task.sku} was not assigned. {reason}")
            how = f"({assigner.how(task.category_id)})"
        else:
            maker = assigner.maker(supplier_id)
            if maker is None:
                raise DomainError("That supplier no longer exists; refresh the list.")
            category = assigner.category_name(task.category_id) or "this item's category"
            if not maker.active:
                raise DomainError(f"{maker.name} is paused, so the task was not assigned. "
                                  "Resume them in the Suppliers tab first, or choose another "
                                  "supplier.")
            if task.category_id is not None and not assigner.serves(maker.id, task.category_id):
                raise DomainError(f"{maker.name} does not make {category}, so the task was not "
                                  "assigned. Give them that category in the Suppliers tab "
                                  "first, or choose another supplier.")
            assigner.took(maker.id, task.category_id)
            how = "by hand"
        _give(s, task, maker, uow.actor, how)
        uow.changed(tasks=True, suppliers=True)
        uow.commit()
    return uow.changes


def _shipping_problems(carrier: str, tracking: str, need_carrier: bool) -> list[str]:
    problems = []
    if need_carrier and not carrier:
        problems.append("Say which carrier or logistics platform took the parcel.")
    if len(carrier) > CARRIER_MAX:
        problems.append(f"The carrier's name is too long (at most {CARRIER_MAX} characters).")
    if len(tracking) > TRACKING_MAX:
        problems.append(f"The tracking number is too long (at most {TRACKING_MAX} "
                        "characters).")
    return problems


@requires(Can.SEE_ALL_TASKS)
def edit_task(uow: UnitOfWork, task_id: int, due_date: date | None, cost_minor: int,
              carrier: str, tracking: str) -> Changes:
    """Change a task's due date (its milestone), cost, carrier and tracking number."""
    carrier, tracking = _clean_line(carrier), _clean_line(tracking)
    problems = _shipping_problems(carrier, tracking, need_carrier=False)
    if isinstance(cost_minor, bool) or not isinstance(cost_minor, int) or cost_minor < 0:
        problems.append("The cost cannot be negative.")
    elif cost_minor > COST_MAX:
        problems.append("The cost is too large.")
    if problems:
        raise DomainError("The task was not saved:\n" + "\n".join(f"• {p}" for p in problems))
    with uow:
        s = uow.session
        task = _get(s, task_id)
        if task.status == str(T.CANCELLED):
            raise DomainError(f"Task {task.sku} is cancelled; it cannot be changed.")
        parts = []
        if task.due_date != due_date:
            parts.append(f"due date ({_day(task.due_date)} → {_day(due_date)})")
        if task.cost_minor != cost_minor:
            parts.append("cost")
        if task.carrier != carrier:
            parts.append(f"carrier ({task.carrier or 'none'} → {carrier or 'none'})")
        if task.tracking_number != tracking:
            parts.append("tracking number")
        if not parts:
            return uow.changes
        task.due_date, task.cost_minor = due_date, cost_minor
        task.carrier, task.tracking_number = carrier, tracking
        task.updated_at = utcnow()
        history.record(s, TASK, task.id, task.status, task.status, uow.actor,
                       "Changed " + ", ".join(parts))
        uow.changed(tasks=True, suppliers=True)
        uow.commit()
    return uow.changes


def change_task_shipping(uow: UnitOfWork, task_id: int, carrier: str, tracking: str
                         ) -> Changes:
    """Correct the carrier or tracking number of a task already shipped (the supplier's own
    fix for a mistyped number; the owner uses edit_task)."""
    carrier, tracking = _clean_line(carrier), _clean_line(tracking)
    problems = _shipping_problems(carrier, tracking, need_carrier=True)
    if problems:
        raise DomainError("The shipping details were not saved:\n" + "\n".join(
            f"• {p}" for p in problems))
    with uow:
        s = uow.session
        task = _get(s, task_id)
        if task.status not in (str(T.SHIPPED), str(T.DONE)):
            raise DomainError(f"Task {task.sku} has not been shipped yet: use Ship… to say "
                              "how it went.")
        before = _direct_parcel(s, task.order_id)
        if _change_shipping(s, task, uow.actor, carrier, tracking):
            _order_note(s, task, uow.actor, f"Task {task.sku}: shipping details corrected "
                        f"({carrier}, tracking {tracking or 'none'})")
            if task.ships_direct:
                _correct_parcel(s, task, uow.actor, before)
            uow.changed(tasks=True, suppliers=True, orders=True)
        uow.commit()
    return uow.changes


def _direct_parcel(session: Session, order_id: int) -> tuple[str, str]:
    """The carrier and tracking the order's parcel carries when its makers shipped it
    straight to the customer (as _order_moves_on records it)."""
    rows = session.execute(select(SupplierTask.carrier, SupplierTask.tracking_number).where(
        SupplierTask.order_id == order_id, SupplierTask.status != str(T.CANCELLED),
        SupplierTask.ships_direct.is_(True)).order_by(SupplierTask.id)).all()
    return (", ".join(dict.fromkeys(c for c, _t in rows if c)),
            " ".join(dict.fromkeys(t for _c, t in rows if t)))


def _correct_parcel(session: Session, task: SupplierTask, actor: str,
                    before: tuple[str, str]) -> None:
    """A maker fixed a direct shipment's tracking: the order's parcel follows, so the
    channel hears the right number; if it already heard the old one, the owner is told."""
    session.flush()
    shipment = session.scalars(select(Shipment).where(Shipment.order_id == task.order_id)
                               .order_by(Shipment.id.desc())).first()
    if shipment is None or (shipment.carrier, shipment.tracking_number) != before:
        return  # the workshop's own parcel, or one a person changed: left as it is
    shipment.carrier, shipment.tracking_number = (v[:n] for v, n in zip(
        _direct_parcel(session, task.order_id), (80, 120), strict=True))
    if shipment.channel_confirmed_at is not None:
        _order_note(session, task, actor, "The channel was already told the old tracking "
                    f"number; change it to {shipment.tracking_number} on the channel too.")


def _change_shipping(session: Session, task: SupplierTask, actor: str, carrier: str,
                     tracking: str, source: str = "") -> bool:
    """Set a shipped task's carrier and tracking number (checked already), recording what
    changed; False when both were already so."""
    parts = []
    if task.carrier != carrier:
        parts.append(f"carrier ({task.carrier or 'none'} → {carrier or 'none'})")
    if task.tracking_number != tracking:
        parts.append("tracking number")
    if not parts:
        return False
    task.carrier, task.tracking_number = carrier, tracking
    task.updated_at = utcnow()
    history.record(session, TASK, task.id, task.status, task.status, actor,
                   _with_source("Changed " + ", ".join(parts), source))
    return True


def _day(value: date | None) -> str:
    return "none" if value is None else day_words(value)


def add_task_message(uow: UnitOfWork, task_id: int, body: str) -> Changes:
    """A note on the task's thread between the owner and the supplier."""
    body = body.strip()
    if not body:
        raise DomainError("The note is empty; write something first.")
    if len(body) > MESSAGE_MAX:
        raise DomainError(f"The note is too long ({len(body):,} characters; at most "
                          f"{MESSAGE_MAX:,}).")
    with uow:
        s = uow.session
        task = _get(s, task_id)
        s.add(TaskMessage(task_id=task.id, author=uow.actor, body=body, created_at=utcnow()))
        uow.changed(tasks=True)
        uow.commit()
    return uow.changes


OVERDUE_NOTE = "Owner told the task is overdue"


def announce_overdue_tasks(uow: UnitOfWork, today: date | None = None) -> Changes:
    """Tell the owner once about each task that went past its due date (again if the date
    was moved and passed once more)."""
    today = today or date.today()
    with uow:
        s = uow.session
        late = list(s.scalars(select(SupplierTask).where(
            SupplierTask.status.in_(_OPEN), SupplierTask.due_date < today)
            .order_by(SupplierTask.due_date, SupplierTask.id)))
        told_since: dict[int, datetime] = {}
        for chunk in _chunks([t.id for t in late]):
            for tid, when in s.execute(
                    select(StatusChange.entity_id, func.max(StatusChange.changed_at))
                    .where(StatusChange.entity == TASK, StatusChange.entity_id.in_(chunk),
                           StatusChange.note.like(OVERDUE_NOTE + "%"))
                    .group_by(StatusChange.entity_id)):
                told_since[tid] = when
        notices = _Notices(s)
        for task in late:
            if task.due_date is None:
                continue
            due_start = datetime.combine(task.due_date, time(), UTC)
            told = told_since.get(task.id)
            if told is not None and told.replace(tzinfo=UTC) >= due_start:
                continue
            days_late = (today - task.due_date).days
            notices.owner("task_overdue", task.id, _values(s, task, days_late=days_late))
            history.record(s, TASK, task.id, task.status, task.status, uow.actor,
                           f"{OVERDUE_NOTE} ({days_late} day{'' if days_late == 1 else 's'} "
                           "late)")
            uow.changed(tasks=True)
        uow.commit()
    return uow.changes


# --- reading: the task list, one task, an order's tasks -----------------------------------


@dataclass(frozen=True)
class TaskRow:
    id: int
    sku: str
    order_id: int
    order_number: str
    product: str
    quantity: int
    category: str
    supplier: str | None  # None: needs a supplier
    status: str
    due_date: date | None
    overdue: bool
    unassigned_reason: str | None

    @property
    def needs_supplier(self) -> bool:
        return self.status == str(T.UNASSIGNED)


_NO_DUE = date(9999, 12, 31)
LISTING = Listing(
    sort_keys={
        "sku": SupplierTask.sku,
        "order": Order.number,
        "due": func.coalesce(SupplierTask.due_date, _NO_DUE),
        "status": SupplierTask.status,
        "supplier": func.coalesce(Supplier.name, ""),
        "created": SupplierTask.id,
    },
    default_sort="due",
    default_descending=False,
    tiebreak=SupplierTask.id,
)
OPEN_FILTER = "open"  # status filter: everything not done or cancelled

_COLUMNS = (SupplierTask.id, SupplierTask.sku, SupplierTask.order_id, Order.number,
            OrderLine.title, OrderLine.quantity, Category.name, Supplier.name,
            SupplierTask.status, SupplierTask.due_date, SupplierTask.unassigned_reason)


def _select(*columns: Any):  # type: ignore[no-untyped-def]
    return (select(*columns)
            .join(Order, Order.id == SupplierTask.order_id)
            .join(OrderLine, OrderLine.id == SupplierTask.order_line_id)
            .outerjoin(Supplier, Supplier.id == SupplierTask.supplier_id)
            .outerjoin(Category, Category.id == SupplierTask.category_id))


def _is_overdue(status: str, due: date | None, today: date) -> bool:
    return status in _OPEN and due is not None and due < today


def _row(today: date):  # type: ignore[no-untyped-def]
    def make(r: Any) -> TaskRow:
        return TaskRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7], r[8], r[9],
                       _is_overdue(r[8], r[9], today), r[10])
    return make


def _where(req: PageRequest, today: date, own: bool = False) -> list[Any]:
    """The list's filters and search; `own` (a supplier's list) searches only what the
    supplier sees of an order: task SKU, order number and product SKU, never the
    customer's e-mail or phone that the order's search words also hold."""
    conds: list[Any] = []
    status = req.filter("status")
    if status == OPEN_FILTER:
        conds.append(SupplierTask.status.not_in([str(T.DONE), str(T.CANCELLED)]))
    elif status:
        conds.append(SupplierTask.status == status)
    if req.filter("supplier_id"):
        conds.append(SupplierTask.supplier_id == req.filter("supplier_id"))
    if req.filter("category_id"):
        conds.append(SupplierTask.category_id == req.filter("category_id"))
    if req.filter("overdue"):
        conds += [SupplierTask.status.in_(_OPEN), SupplierTask.due_date < today]
    if req.filter("needs_supplier"):
        conds.append(SupplierTask.status == str(T.UNASSIGNED))
    for word in query_terms(req.search):
        sku = (prefix_range(SupplierTask.sku, word.upper()), prefix_range(SupplierTask.sku, word))
        if own:
            conds.append(or_(*sku, *(func.lower(column).startswith(word, autoescape=True)
                                     for column in (Order.number, OrderLine.sku)),
                             func.lower(Order.number).startswith("#" + word, autoescape=True)))
        else:
            conds.append(or_(*sku, SupplierTask.order_id.in_(
                select(OrderSearchTerm.order_id)
                .where(prefix_range(OrderSearchTerm.term, word)))))
    return conds


def task_list_page(session: Session, req: PageRequest, today: date | None = None
                   ) -> Page[TaskRow]:
    """A page of supplier tasks, filtered (status, supplier_id, category_id, overdue,
    needs_supplier) and searched by task SKU or order number/customer."""
    today = today or date.today()
    own = _own_tasks(session)
    stmt = _select(*_COLUMNS).where(*_where(req, today, bool(own)), *own)
    return keyset_page(session, stmt, LISTING, req, _row(today))


def task_count(session: Session, req: PageRequest, today: date | None = None) -> int:
    today = today or date.today()
    own = _own_tasks(session)
    return int(session.scalar(_select(func.count(SupplierTask.id))
                              .where(*_where(req, today, bool(own)), *own)) or 0)


@requires(Can.SEE_ALL_TASKS)
def overdue_count(session: Session, today: date | None = None) -> int:
    """Open tasks past their due date (for the tab's title)."""
    today = today or date.today()
    return int(session.scalar(select(func.count(SupplierTask.id)).where(
        SupplierTask.status.in_(_OPEN), SupplierTask.due_date < today)) or 0)


@requires(Can.SEE_ALL_TASKS)
def needs_supplier_count(session: Session) -> int:
    return int(session.scalar(select(func.count(SupplierTask.id)).where(
        SupplierTask.status == str(T.UNASSIGNED))) or 0)


@requires(Can.SEE_ORDERS)
def order_tasks(session: Session, order_id: int, today: date | None = None
                ) -> tuple[TaskRow, ...]:
    """An order's supplier tasks, in the order they were made."""
    today = today or date.today()
    make = _row(today)
    return tuple(make(r) for r in session.execute(
        _select(*_COLUMNS).where(SupplierTask.order_id == order_id)
        .order_by(SupplierTask.id)))


@dataclass(frozen=True)
class MessageView:
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class TaskDetail:
    id: int
    sku: str
    status: str
    order_id: int
    order_number: str
    order_status: str
    product_sku: str
    product: str
    quantity: int
    personalisation: str
    category: str
    supplier_id: int | None
    supplier: str | None
    supplier_email: str
    unassigned_reason: str | None
    due_date: date | None
    overdue: bool
    production_started_at: datetime | None
    production_ended_at: datetime | None
    carrier: str
    tracking_number: str
    ships_direct: bool
    ship_to: str  # only when the supplier ships straight to the customer
    cost_minor: int
    currency: str
    turned_down_by: tuple[str, ...]
    messages: tuple[MessageView, ...]
    history: tuple[HistoryLine, ...]
    allowed_next: tuple[str, ...]
    actions: tuple[str, ...]  # ACTIONS values, in the transition table's order
    workshop_view: bool = True  # False for the supplier: no due date, cost or reassigning

    @property
    def needs_supplier(self) -> bool:
        return self.status == str(T.UNASSIGNED)


WORKSHOP_ACTIONS = frozenset({"assign", "cancel"})


def allowed_actions(status: str, workshop: bool = True) -> tuple[str, ...]:
    """The next steps from a status; a supplier's own steps only, unless `workshop`."""
    return tuple(ACTIONS[s] for s in TASK_TRANSITIONS[TaskStatus(status)]
                 if s in ACTIONS and (workshop or ACTIONS[s] not in WORKSHOP_ACTIONS))


def task_detail(session: Session, task_id: int, today: date | None = None) -> TaskDetail:
    today = today or date.today()
    task = session.get(SupplierTask, task_id)
    if task is None:
        raise DomainError("That supplier task no longer exists; refresh the list.")
    _may_work_on(session, task)
    viewer = viewer_of(session)
    workshop = viewer is None or viewer.can(Can.SEE_ALL_TASKS)
    order = session.get_one(Order, task.order_id)
    line = session.get_one(OrderLine, task.order_line_id)
    supplier = session.get(Supplier, task.supplier_id) if task.supplier_id else None
    category = session.get(Category, task.category_id) if task.category_id else None
    rejected = [i for i in (task.rejected_by or []) if isinstance(i, int)]
    names = dict(session.execute(select(Supplier.id, Supplier.name)
                                 .where(Supplier.id.in_(rejected))).all()) if rejected else {}
    # The customer's address (never their e-mail or phone): a supplier may ship direct.
    ship_to = "\n".join(p for p in (
            order.ship_name, order.ship_address1, order.ship_address2,
            " ".join(x for x in (order.ship_city, order.ship_region) if x),
        order.ship_postcode, order.ship_country) if p)
    messages = tuple(MessageView(a, b, c) for a, b, c in session.execute(
        select(TaskMessage.author, TaskMessage.body, TaskMessage.created_at)
        .where(TaskMessage.task_id == task_id).order_by(TaskMessage.created_at,
                                                        TaskMessage.id)))
    lines = history.history(session, TASK, task_id)
    turned_down = tuple(names.get(i, "a deleted supplier") for i in rejected)
    if not workshop:  # a supplier sees the task from when it came to them, not who had it
        lines, messages = _since_given(lines, messages)
        turned_down = ()
    status = TaskStatus(task.status)
    return TaskDetail(
        task.id, task.sku, task.status, order.id, order.number, order.status, line.sku,
        line.title, line.quantity, line.personalisation, category.name if category else "",
        task.supplier_id, supplier.name if supplier else None,
        supplier.email if supplier else "", task.unassigned_reason, task.due_date,
        _is_overdue(task.status, task.due_date, today), task.production_started_at,
        task.production_ended_at, task.carrier, task.tracking_number, task.ships_direct,
        ship_to, task.cost_minor, task.currency,
        turned_down, messages, lines, tuple(str(s) for s in TASK_TRANSITIONS[status]),
        allowed_actions(task.status, workshop), workshop)


def _since_given(lines: tuple[HistoryLine, ...], messages: tuple[MessageView, ...]
                 ) -> tuple[tuple[HistoryLine, ...], tuple[MessageView, ...]]:
    """History and notes from the last time the task was given to a supplier: what an
    earlier supplier said or did is not the present one's to read."""
    given = [i for i, h in enumerate(lines)
             if h.to_status == str(T.ASSIGNED) and h.from_status != str(T.ASSIGNED)]
    if not given:
        return lines, messages
    first = lines[given[-1]]  # shown as a plain assignment: not passed on, nor by whom
    shown = (replace(first, from_status=None, actor=AUTO_REASSIGN)
             if first.from_status == str(T.REJECTED) else replace(first, from_status=None))
    return (shown, *lines[given[-1] + 1:]), tuple(m for m in messages
                                                   if m.created_at >= first.changed_at)


@dataclass(frozen=True)
class SupplierChoice:
    """A supplier the owner could give a task to by hand, and why it might not suit."""

    id: int
    name: str
    active: bool
    open_tasks: int
    capacity: int | None
    turned_down: bool

    @property
    def at_capacity(self) -> bool:
        return self.capacity is not None and self.open_tasks >= self.capacity


@requires(Can.SEE_ALL_TASKS)
def supplier_choices(session: Session, task_id: int) -> tuple[SupplierChoice, ...]:
    """The suppliers serving the task's category, by name, for the Assign dialog."""
    task = session.get(SupplierTask, task_id)
    if task is None:
        raise DomainError("That supplier task no longer exists; refresh the list.")
    open_tasks = (select(func.count(SupplierTask.id))
                  .where(SupplierTask.supplier_id == Supplier.id,
                         SupplierTask.status.in_(_OPEN)).scalar_subquery())
    turned = set(task.rejected_by or [])
    rows = session.execute(
        select(Supplier.id, Supplier.name, Supplier.active, open_tasks, Supplier.capacity)
        .join(SupplierCategory, SupplierCategory.supplier_id == Supplier.id)
        .where(SupplierCategory.category_id == task.category_id)
        .order_by(func.lower(Supplier.name), Supplier.id))
    return tuple(SupplierChoice(i, n, bool(a), int(o), c, i in turned)
                 for i, n, a, o, c in rows)
