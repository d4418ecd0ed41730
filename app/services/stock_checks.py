"""Stock checks: count chosen bins or products (or the bins longest uncounted), by scan or by
typing, blind if wished; the owner sees the differences with their value and approves them,
and approved differences are booked as count movements.

A line's snapshot is the bin's level when the check starts; what it should hold when counted
is that plus the ledger's movements there since (read from the ledger, never stored), so a
sale during the count is not taken for a loss. The rules are in app/domain/stock_check.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Location,
    Product,
    StockCheck,
    StockCheckLine,
    StockLevel,
    StockMovement,
    utcnow,
)
from app.db.settings import get_setting, put_setting
from app.domain import stock_check as rules
from app.domain.access import Can
from app.domain.barcodes import same_code
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.statuses import StockCheckStatus, check_transition
from app.domain.stock_check import BinToCount, CountLine, Uncounted, VarianceLine
from app.services import history, stock
from app.services.access import requires
from app.services.locations import BinOption, bin_options
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.uow import UnitOfWork

S = StockCheckStatus
OPEN = (str(S.COUNTING), str(S.AWAITING_APPROVAL))
ROLLING_KEY = "stock_check_rolling_bins"
ROLLING_DEFAULT = 5
ROLLING_MAX = 1_000
SCAN_MAX = 10_000  # units one scan (or a typed count) may add at once
KINDS = {"bins": "Bins", "products": "Products", "rolling": "Rolling count"}


class UnknownCode(DomainError):
    """A scanned code that is no product's barcode or SKU; the UI offers to link it."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(
            f"No product has the barcode or SKU “{code}”. Check the label, or link this "
            "barcode to the product it is on (Link to a product…) and it counts.")


# --- the list of checks --------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    id: int
    number: str
    status: str
    kind: str  # bins, products or rolling
    blind: bool
    covers: str  # "5 bins", "3 products"
    lines: int
    counted: int
    started_at: datetime
    actor: str
    approved_at: datetime | None
    approved_by: str | None


LINES = (select(func.count()).select_from(StockCheckLine)
         .where(StockCheckLine.stock_check_id == StockCheck.id).scalar_subquery())
COUNTED = (select(func.count()).select_from(StockCheckLine)
           .where(StockCheckLine.stock_check_id == StockCheck.id,
                  StockCheckLine.counted.is_not(None)).scalar_subquery())
LISTING = Listing(
    sort_keys={"started": StockCheck.started_at, "number": StockCheck.number,
               "status": StockCheck.status},
    default_sort="started",
    default_descending=True,
    tiebreak=StockCheck.id,
)


def _covers(scope: dict[str, Any]) -> str:
    if scope.get("products") is not None:
        n = len(scope["products"])
        return f"{n:,} product{'s' if n != 1 else ''}"
    n = len(scope.get("locations") or ())
    return f"{n:,} bin{'s' if n != 1 else ''}"


def _list_where(req: PageRequest) -> list[Any]:
    showing = req.filter("status")
    if showing == "open":
        return [StockCheck.status.in_(OPEN)]
    if showing:
        return [StockCheck.status == showing]
    return []


@requires(Can.SEE_INVENTORY)
def list_page(session: Session, req: PageRequest) -> Page[CheckRow]:
    """Stock checks, newest first; filter ("status", "open") for those not finished."""
    stmt = (select(StockCheck.id, StockCheck.number, StockCheck.status, StockCheck.scope,
                   StockCheck.blind, LINES, COUNTED, StockCheck.started_at, StockCheck.actor,
                   StockCheck.approved_at, StockCheck.approved_by)
            .where(*_list_where(req)))

    def row(r: Any) -> CheckRow:
        scope = r[3] or {}
        return CheckRow(r[0], r[1], r[2], scope.get("kind", "bins"), bool(r[4]), _covers(scope),
                        int(r[5]), int(r[6]), r[7], r[8], r[9], r[10])

    return keyset_page(session, stmt, LISTING, req, row)


@requires(Can.SEE_INVENTORY)
def count(session: Session, req: PageRequest) -> int:
    return int(session.scalar(select(func.count()).select_from(StockCheck)
                              .where(*_list_where(req))) or 0)


# --- the rolling schedule ------------------------------------------------------------------


@requires(Can.SEE_INVENTORY)
def rolling_bins(session: Session) -> int:
    """How many bins a rolling count takes (the setting)."""
    value = get_setting(session, ROLLING_KEY, ROLLING_DEFAULT)
    return value if isinstance(value, int) and 1 <= value <= ROLLING_MAX else ROLLING_DEFAULT


@requires(Can.CHANGE_SETTINGS)
def save_rolling_bins(uow: UnitOfWork, how_many: int) -> Changes:
    if not 1 <= how_many <= ROLLING_MAX:
        raise DomainError(f"A rolling count takes 1 to {ROLLING_MAX:,} bins, not {how_many}.")
    with uow:
        put_setting(uow.session, ROLLING_KEY, how_many)
        uow.commit()
    return uow.changes


@dataclass(frozen=True)
class BinDue:
    id: int
    code: str
    last_counted_at: datetime | None


def _open_checks(session: Session) -> list[StockCheck]:
    return list(session.scalars(select(StockCheck).where(StockCheck.status.in_(OPEN))))


@requires(Can.SEE_INVENTORY)
def bins_due(session: Session, how_many: int | None = None) -> tuple[BinDue, ...]:
    """The rolling count's bins: the least recently counted (never counted first), in walk
    order, leaving out bins an unfinished check is counting already."""
    how_many = rolling_bins(session) if how_many is None else how_many
    busy = {lid for c in _open_checks(session) for lid in (c.scope or {}).get("locations") or ()}
    bins = [BinToCount(code, seq, counted, True, lid) for lid, code, seq, counted in
            session.execute(select(Location.id, Location.code, Location.walk_sequence,
                                   Location.last_counted_at)
                            .where(Location.active.is_(True)))
            if lid not in busy]
    return tuple(BinDue(b.location_id, b.location, b.last_counted_at)  # type: ignore[arg-type]
                 for b in rules.bins_due(bins, how_many))


# --- starting a check ----------------------------------------------------------------------


def _next_number(session: Session) -> str:
    top = session.scalar(select(func.max(StockCheck.id))) or 0
    number = f"SC-{top + 1:05d}"
    while session.scalar(select(StockCheck.id).where(StockCheck.number == number)):
        top += 1
        number = f"SC-{top + 1:05d}"
    return number


def _codes(session: Session, location_ids: Iterable[int]) -> dict[int, str]:
    ids = list(location_ids)
    return dict(session.execute(select(Location.id, Location.code)
                                .where(Location.id.in_(ids))).all()) if ids else {}


def _skus(session: Session, product_ids: Iterable[int]) -> dict[int, str]:
    ids = list(product_ids)
    return dict(session.execute(select(Product.id, Product.sku)
                                .where(Product.id.in_(ids))).all()) if ids else {}


def _refuse_overlap(session: Session, kind: str, ids: Sequence[int],
                    pairs: Iterable[tuple[int, int]], skip: int | None = None) -> None:
    """Two unfinished checks counting the same product in the same bin would book its
    difference twice: refuse the second."""
    chosen = set(ids)
    field = "products" if kind == "products" else "locations"
    for other in _open_checks(session):
        if other.id == skip:
            continue
        theirs = set((other.scope or {}).get(field) or ())
        both = chosen & theirs
        if both:
            names = (_skus if field == "products" else _codes)(session, both)
            shown = ", ".join(sorted(names.values())[:5])
            raise DomainError(f"{shown} {'is' if len(both) == 1 else 'are'} already being "
                              f"counted in stock check {other.number}; finish or cancel it "
                              "first.")
    pairs = set(pairs)
    if not pairs:
        return
    products = sorted({p for p, _ in pairs})
    taken = None
    for start in range(0, len(products), 500):
        taken = next((r for r in session.execute(
            select(StockCheck.number, StockCheckLine.product_id, StockCheckLine.location_id)
            .join(StockCheck, StockCheck.id == StockCheckLine.stock_check_id)
            .where(StockCheck.status.in_(OPEN), StockCheck.id != (skip or 0),
                   StockCheckLine.product_id.in_(products[start:start + 500])))
            if (r[1], r[2]) in pairs), None)
        if taken is not None:
            break
    if taken is not None:
        sku = _skus(session, [taken[1]])[taken[1]]
        code = _codes(session, [taken[2]])[taken[2]]
        raise DomainError(f"{sku} in {code} is already being counted in stock check "
                          f"{taken[0]}; finish or cancel it first.")


@requires(Can.SEE_INVENTORY)
def start_check(uow: UnitOfWork, kind: str, ids: Sequence[int] = (), *, blind: bool = True,
                how_many: int | None = None) -> int:
    """Start counting: kind "bins" (location ids), "products" (product ids) or "rolling"
    (the `how_many` bins due, by default the setting). Each product in each bin becomes a
    line holding the bin's level now; returns the new check's id."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of stock check {kind!r}")
    with uow:
        s = uow.session
        if kind == "rolling":
            ids = [b.id for b in bins_due(s, how_many)]
            if not ids:
                raise DomainError("No bins are due: every active bin is in a check already, "
                                  "or there are none.")
        ids = list(dict.fromkeys(ids))
        if not ids:
            raise DomainError("Choose at least one " +
                              ("product" if kind == "products" else "bin") + " to count.")
        if kind == "products":
            known = _skus(s, ids)
            missing = [i for i in ids if i not in known]
        else:
            known = dict(s.execute(select(Location.id, Location.code).where(
                Location.id.in_(ids), Location.active.is_(True))).all())
            missing = [i for i in ids if i not in known]
        if missing:
            raise DomainError("Some of the chosen " + ("products" if kind == "products"
                                                       else "bins") +
                              " no longer exist or are retired; refresh and choose again.")
        check = StockCheck(number=_next_number(s), status=str(S.COUNTING), blind=blind,
                           actor=uow.actor, started_at=utcnow(), scope={})
        s.add(check)
        s.flush()  # now this transaction writes: no movement can slip in until it ends
        check.started_at = utcnow()
        at = (StockLevel.product_id.in_(ids) if kind == "products"
              else StockLevel.location_id.in_(ids))
        levels = s.execute(select(StockLevel.product_id, StockLevel.location_id,
                                  StockLevel.on_hand)
                           .join(Location, Location.id == StockLevel.location_id)
                           .where(at, Location.active.is_(True) | (StockLevel.on_hand != 0))
                           ).all()
        _refuse_overlap(s, kind, ids, [(p, loc) for p, loc, _ in levels], skip=check.id)
        scope_ids = sorted(ids)
        check.scope = ({"kind": kind, "products": scope_ids} if kind == "products"
                       else {"kind": kind, "locations": scope_ids})
        check.scope["uncounted"] = str(Uncounted.LEAVE_OUT)
        s.add_all(StockCheckLine(stock_check_id=check.id, product_id=p, location_id=loc,
                                 expected_at_start=on_hand) for p, loc, on_hand in levels)
        history.record(s, "stock_check", check.id, None, str(S.COUNTING), uow.actor,
                       f"{KINDS[kind]}: {_covers(check.scope)}" + (", blind" if blind else ""))
        started = check.id
        uow.changed(stock=True)
        uow.commit()
    return started


# --- counting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLine:
    line_id: int
    product_id: int
    sku: str
    title: str
    location_id: int
    location: str
    expected: int | None  # None in a blind check: the counter does not see it
    counted: int | None
    counted_at: datetime | None
    approved: bool | None


@dataclass(frozen=True)
class CountSheet:
    """A check as the counter sees it."""

    id: int
    number: str
    status: str
    kind: str
    blind: bool
    started_at: datetime
    actor: str
    uncounted: Uncounted
    bins: tuple[BinOption, ...]  # where counts may be recorded
    lines: tuple[SheetLine, ...]  # in walk order, then SKU

    @property
    def counted(self) -> int:
        return sum(1 for ln in self.lines if ln.counted is not None)


def _check(session: Session, check_id: int) -> StockCheck:
    check = session.get(StockCheck, check_id)
    if check is None:
        raise DomainError("That stock check no longer exists; refresh and try again.")
    return check


def _moved_since_start(session: Session, check: StockCheck, now: datetime,
                       line_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Per line: the ledger's movements at its product and bin from the check's start until
    the line was counted (until now if it was not)."""
    line = StockCheckLine
    until = func.coalesce(line.counted_at, now)
    conds = [line.stock_check_id == check.id]
    if line_ids is not None:
        conds.append(line.id.in_(list(line_ids)))
    return dict(session.execute(
        select(line.id, func.sum(StockMovement.quantity))
        .join(StockMovement, and_(StockMovement.product_id == line.product_id,
                                  StockMovement.location_id == line.location_id,
                                  StockMovement.created_at >= check.started_at,
                                  StockMovement.created_at < until))
        .where(*conds).group_by(line.id)).all())


def _sheet_rows(session: Session, check_id: int) -> list[Any]:
    line = StockCheckLine
    return list(session.execute(
        select(line.id, line.product_id, Product.sku, Product.title, line.location_id,
               Location.code, line.expected_at_start, line.counted, line.counted_at,
               line.approved, Product.cost_minor, Product.cost_currency)
        .join(Product, Product.id == line.product_id)
        .join(Location, Location.id == line.location_id)
        .where(line.stock_check_id == check_id)
        .order_by(Location.walk_sequence, Location.code, Product.sku)))


def _count_line(r: Any, moved: int) -> CountLine:
    return CountLine(sku=r[2], location=r[5], level_at_start=r[6],
                     unit_cost=Money(int(r[10] or 0), r[11] or "GBP"), counted=r[7],
                     moved_since_start=moved, product_id=r[1], location_id=r[4])


def _scope_bins(session: Session, check: StockCheck) -> tuple[BinOption, ...]:
    scope = check.scope or {}
    if scope.get("products") is not None:
        return bin_options(session)
    ids = scope.get("locations") or []
    return tuple(BinOption(*r) for r in session.execute(
        select(Location.id, Location.code, Location.name).where(Location.id.in_(ids))
        .order_by(Location.walk_sequence, Location.code)))


def _uncounted(check: StockCheck) -> Uncounted:
    try:
        return Uncounted((check.scope or {}).get("uncounted", Uncounted.LEAVE_OUT))
    except ValueError:
        return Uncounted.LEAVE_OUT


@requires(Can.SEE_INVENTORY)
def count_sheet(session: Session, check_id: int, now: datetime | None = None) -> CountSheet:
    """The lines to count; in a blind check the recorded quantities are left out."""
    check = _check(session, check_id)
    now = now or utcnow()
    moved = {} if check.blind else _moved_since_start(session, check, now)
    lines = []
    for r in _sheet_rows(session, check_id):
        shown = rules.shown_expected(_count_line(r, moved.get(r[0], 0)), blind=check.blind)
        lines.append(SheetLine(r[0], r[1], r[2], r[3], r[4], r[5], shown, r[7], r[8], r[9]))
    return CountSheet(check.id, check.number, check.status, (check.scope or {}).get(
        "kind", "bins"), check.blind, check.started_at, check.actor, _uncounted(check),
        _scope_bins(session, check), tuple(lines))


def _counting(check: StockCheck) -> None:
    if check.status != S.COUNTING:
        what = {S.AWAITING_APPROVAL: "is waiting for approval; choose Count again to change "
                                     "its counts",
                S.APPROVED: "is approved and closed", S.CANCELLED: "was cancelled"}
        raise DomainError(f"Stock check {check.number} {what[S(check.status)]}.")


def _find_product(session: Session, code: str) -> Product:
    code = code.strip()
    if not code:
        raise DomainError("Scan a barcode or type a SKU first.")
    for cond in (Product.barcode.in_(same_code(code)), Product.sku == code,
                 Product.sku == code.upper()):
        product = session.scalars(select(Product).where(cond).limit(1)).first()
        if product is not None:
            return product
    raise UnknownCode(code)


@dataclass(frozen=True)
class ScanResult:
    line_id: int
    sku: str
    title: str
    location: str
    counted: int
    new_line: bool  # the product was not expected in this bin: a line was added


def _line_for(session: Session, check: StockCheck, product: Product,
              location: Location) -> tuple[StockCheckLine, bool]:
    line = session.scalars(select(StockCheckLine).where(
        StockCheckLine.stock_check_id == check.id, StockCheckLine.product_id == product.id,
        StockCheckLine.location_id == location.id)).first()
    if line is not None:
        return line, False
    scope = check.scope or {}
    if scope.get("products") is not None:
        if product.id not in scope["products"]:
            raise DomainError(f"{product.sku} is not in stock check {check.number}, which "
                              "counts chosen products only.")
        if not location.active:
            raise DomainError(f"{location.code} is retired; count into another bin.")
    elif location.id not in (scope.get("locations") or ()):
        raise DomainError(f"{location.code} is not one of the bins in stock check "
                          f"{check.number}.")
    _refuse_overlap(session, "pairs", (), [(product.id, location.id)], skip=check.id)
    level_at_start = session.scalar(select(
        select(func.coalesce(func.sum(StockLevel.on_hand), 0))
        .where(StockLevel.product_id == product.id, StockLevel.location_id == location.id)
        .scalar_subquery()
        - select(func.coalesce(func.sum(StockMovement.quantity), 0))
        .where(StockMovement.product_id == product.id,
               StockMovement.location_id == location.id,
               StockMovement.created_at >= check.started_at).scalar_subquery()))
    line = StockCheckLine(stock_check_id=check.id, product_id=product.id,
                          location_id=location.id, expected_at_start=int(level_at_start or 0))
    session.add(line)
    session.flush()
    return line, True


def _record(session: Session, check: StockCheck, line: StockCheckLine, product: Product,
            location: Location, *, counted: int | None = None, scans: int = 0) -> int:
    if line.approved is not None:
        raise DomainError(f"{product.sku} in {location.code} is decided already; it cannot be "
                          "counted again in this check.")
    # What moved since the start is read from the ledger up to counted_at when it is needed.
    current = CountLine(product.sku, location.code, line.expected_at_start,
                        Money(product.cost_minor, product.cost_currency), line.counted)
    done = (rules.record_count(current, counted, moved_since_start=0) if counted is not None
            else rules.add_scans(current, scans, moved_since_start=0))
    line.counted = done.counted
    line.counted_at = utcnow()
    return int(done.counted or 0)


@requires(Can.SEE_INVENTORY)
def scan(uow: UnitOfWork, check_id: int, code: str, location_id: int,
         quantity: int = 1) -> ScanResult:
    """A scan (barcode or SKU) adds `quantity` (usually 1; -1 takes one back) to what has been
    counted of that product in that bin. An unknown code raises UnknownCode."""
    if not -SCAN_MAX <= quantity <= SCAN_MAX or quantity == 0:
        raise DomainError(f"A scan adds 1 to {SCAN_MAX:,} (or takes some back), not "
                          f"{quantity}.")
    with uow:
        s = uow.session
        check = _check(s, check_id)
        _counting(check)
        location = s.get(Location, location_id)
        if location is None:
            raise DomainError("That bin no longer exists; refresh and try again.")
        product = _find_product(s, code)
        line, new = _line_for(s, check, product, location)
        counted = _record(s, check, line, product, location, scans=quantity)
        result = ScanResult(line.id, product.sku, product.title, location.code, counted, new)
        uow.commit()
    return result


@requires(Can.SEE_INVENTORY)
def enter_count(uow: UnitOfWork, check_id: int, line_id: int, counted: int) -> Changes:
    """A typed count for a line: it replaces what was counted before."""
    if counted > SCAN_MAX * 100:
        raise DomainError(f"{counted:,} is more than one bin can hold; check the number.")
    with uow:
        s = uow.session
        check = _check(s, check_id)
        _counting(check)
        line = s.get(StockCheckLine, line_id)
        if line is None or line.stock_check_id != check.id:
            raise DomainError("That line is not in this check; refresh and try again.")
        product = s.get_one(Product, line.product_id)
        location = s.get_one(Location, line.location_id)
        _record(s, check, line, product, location, counted=counted)
        uow.commit()
    return uow.changes


def _move(session: Session, check: StockCheck, to: StockCheckStatus, actor: str,
          note: str = "") -> None:
    check_transition(S(check.status), to)
    history.record(session, "stock_check", check.id, check.status, str(to), actor, note)
    check.status = str(to)


@requires(Can.SEE_INVENTORY)
def finish_counting(uow: UnitOfWork, check_id: int) -> Changes:
    """Counting is done: the differences go to the owner for approval."""
    with uow:
        check = _check(uow.session, check_id)
        _move(uow.session, check, S.AWAITING_APPROVAL, uow.actor)
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


@requires(Can.SEE_INVENTORY)
def count_again(uow: UnitOfWork, check_id: int) -> Changes:
    """Back to counting (lines already decided stay as they are)."""
    with uow:
        check = _check(uow.session, check_id)
        _move(uow.session, check, S.COUNTING, uow.actor)
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


@requires(Can.SEE_INVENTORY)
def cancel_check(uow: UnitOfWork, check_id: int) -> Changes:
    """Drop the check; differences approved already stay booked."""
    with uow:
        check = _check(uow.session, check_id)
        _move(uow.session, check, S.CANCELLED, uow.actor)
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


# --- the variance list and approval ---------------------------------------------------------


@dataclass(frozen=True)
class VarianceRow:
    line_id: int
    title: str
    approved: bool | None  # None: not decided; False: left as recorded
    line: VarianceLine


@dataclass(frozen=True)
class CheckVariance:
    id: int
    number: str
    status: str
    blind: bool
    uncounted: Uncounted
    rows: tuple[VarianceRow, ...]  # by bin then SKU
    net_value: tuple[Money, ...]
    units_short: int
    units_over: int
    left_out: int

    @property
    def undecided(self) -> tuple[VarianceRow, ...]:
        return tuple(r for r in self.rows if r.approved is None)

    @property
    def undecided_value(self) -> tuple[Money, ...]:
        """The net value at cost of the lines still to decide, per currency: what approving
        all of them now books (lines approved already are booked)."""
        net: dict[str, int] = {}
        for r in self.undecided:
            net[r.line.value.currency] = net.get(r.line.value.currency, 0) + r.line.value.minor
        return tuple(Money(minor, cur) for cur, minor in sorted(net.items()))


def _variance_rows(session: Session, check: StockCheck, uncounted: Uncounted,
                   now: datetime) -> tuple[rules.VarianceList, dict[tuple[int, int], Any]]:
    moved = _moved_since_start(session, check, now)
    rows = _sheet_rows(session, check.id)
    lines = [_count_line(r, moved.get(r[0], 0)) for r in rows]
    return (rules.variance_list(lines, uncounted=uncounted),
            {(r[1], r[4]): r for r in rows})


@requires(Can.SEE_INVENTORY)
def variance(session: Session, check_id: int, uncounted: Uncounted | None = None,
             now: datetime | None = None) -> CheckVariance:
    """Each line's difference and its value at cost, with the totals. A blind check shows
    them only once counting is finished."""
    check = _check(session, check_id)
    if check.blind and check.status == S.COUNTING:
        raise DomainError(f"Stock check {check.number} is a blind count: its differences "
                          "show once counting is finished.")
    uncounted = _uncounted(check) if uncounted is None else Uncounted(uncounted)
    found, by_pair = _variance_rows(session, check, uncounted, now or utcnow())
    rows = []
    for v in found.lines:
        r = by_pair[(v.product_id, v.location_id)]
        rows.append(VarianceRow(r[0], r[3], r[9], v))
    return CheckVariance(check.id, check.number, check.status, check.blind, uncounted,
                         tuple(rows), found.net_value, found.units_short, found.units_over,
                         found.left_out)


def _decide(uow: UnitOfWork, check_id: int, line_ids: Sequence[int] | None, approve: bool,
            uncounted: Uncounted | None) -> Changes:
    with uow:
        s = uow.session
        check = _check(s, check_id)
        if check.status != S.AWAITING_APPROVAL:
            raise DomainError(f"Stock check {check.number} is {check.status.replace('_', ' ')}"
                              "; finish counting before approving it.")
        if uncounted is not None:
            check.scope = {**(check.scope or {}), "uncounted": str(Uncounted(uncounted))}
        now = utcnow()
        found, by_pair = _variance_rows(s, check, _uncounted(check), now)
        wanted = None if line_ids is None else set(line_ids)
        chosen = [v for v in found.lines
                  if by_pair[(v.product_id, v.location_id)][9] is None
                  and (wanted is None or by_pair[(v.product_id, v.location_id)][0] in wanted)]
        if not chosen and wanted is not None:
            raise DomainError("Nothing to decide: choose lines that are not approved yet.")
        lines = {ln.id: ln for ln in s.scalars(select(StockCheckLine).where(
            StockCheckLine.id.in_([by_pair[(v.product_id, v.location_id)][0]
                                   for v in chosen])))}
        for adj in rules.adjustments(chosen, reference=check.number) if approve else ():
            try:
                stock.book_movement(s, product_id=adj.product_id,  # type: ignore[arg-type]
                                    location_id=adj.location_id,  # type: ignore[arg-type]
                                    quantity=adj.quantity, reason=adj.reason,
                                    actor=uow.actor, reference=adj.reference, note=adj.note)
            except DomainError as exc:
                raise DomainError(
                    f"{adj.sku} in {adj.location} cannot be settled: more have left the bin "
                    "since it was counted than the count found, so the count cannot be "
                    "right. Count it again, or leave it as recorded.") from exc
        for v in chosen:
            line = lines[by_pair[(v.product_id, v.location_id)][0]]
            line.approved = approve
            if line.counted_at is None:
                line.counted_at = now  # what it was taken to hold is fixed from here on
        s.flush()
        undecided = s.scalar(select(func.count()).select_from(StockCheckLine).where(
            StockCheckLine.stock_check_id == check.id, StockCheckLine.approved.is_(None)))
        if not undecided:  # a check with no lines (its bins hold nothing) is approved too
            _move(s, check, S.APPROVED, uow.actor,
                  "" if found.lines else "Nothing recorded or found: counted as empty")
            check.approved_at, check.approved_by = now, uow.actor
            if (check.scope or {}).get("locations"):
                for location in s.scalars(select(Location).where(
                        Location.id.in_(check.scope["locations"]))):
                    location.last_counted_at = now
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


@requires(Can.CHANGE_SETTINGS)
def approve_lines(uow: UnitOfWork, check_id: int, line_ids: Sequence[int] | None = None,
                  uncounted: Uncounted | None = None) -> Changes:
    """The owner approves lines (all undecided ones when `line_ids` is None): each difference
    becomes a count movement. Once every line is decided the check is approved and its bins
    count as counted now; so is a check with no lines, whose bins were found empty."""
    return _decide(uow, check_id, line_ids, True, uncounted)


@requires(Can.CHANGE_SETTINGS)
def leave_as_recorded(uow: UnitOfWork, check_id: int, line_ids: Sequence[int] | None = None,
                      uncounted: Uncounted | None = None) -> Changes:
    """The owner turns lines' differences down: nothing is booked for them."""
    return _decide(uow, check_id, line_ids, False, uncounted)


# --- the ledger check ------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerProblem:
    sku: str
    location: str
    level: int
    ledger: int
    what: str = "on hand"  # or "reserved": the level's held stock against its holds


@dataclass(frozen=True)
class LedgerReport:
    """Stock levels compared with the sums of their movements."""

    levels: int
    movements: int
    problems: tuple[LedgerProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return (f"The stock ledger holds: all {self.levels:,} stock levels equal the sums "
                    f"of their {self.movements:,} movements, and what they hold for orders "
                    "the sum of its holds.")
        lines = [f"{len(self.problems):,} stock level(s) differ from their ledger:"]
        lines += [f"  {p.sku} in {p.location}: {p.what} {p.level:,}, the "
                  f"{'movements' if p.what == 'on hand' else 'holds'} add up to {p.ledger:,}"
                  for p in self.problems]
        return "\n".join(lines)


@requires(Can.SEE_INVENTORY)
def check_ledger(session: Session) -> LedgerReport:
    """Prove every stock level equals the sum of its movements (the ledger), or name each
    level that does not."""
    found = stock.ledger_mismatches(session)
    skus = _skus(session, {m.product_id for m in found})
    codes = _codes(session, {m.location_id for m in found})
    problems = tuple(sorted(
        (LedgerProblem(skus.get(m.product_id, f"product {m.product_id}"),
                       codes.get(m.location_id, f"bin {m.location_id}"),
                       int(m.level_on_hand), int(m.ledger_sum), m.what) for m in found),
        key=lambda p: (p.sku, p.location)))
    levels = int(session.scalar(select(func.count()).select_from(StockLevel)) or 0)
    movements = int(session.scalar(select(func.count()).select_from(StockMovement)) or 0)
    return LedgerReport(levels, movements, problems)

