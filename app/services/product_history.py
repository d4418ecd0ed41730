"""A product's stock ledger: its movements newest first with the on-hand after each, and its
stock over time for a chart.

Both read the ledger through the (product_id, created_at) index. A page of movements is
reached by keyset and carries the running on-hand in its position, so the 500th page costs
what the first does; the chart's points are summed per day in SQL once there are many.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from app.db.models import Location, StockLevel, StockMovement
from app.domain.access import Can
from app.services.access import requires
from app.services.paging import Page, PageRequest

MAX_POINTS = 2_000  # more movements than this are summed per day (or per month) for a chart


@dataclass(frozen=True)
class MovementRow:
    id: int
    created_at: datetime
    reason: str
    quantity: int
    location_id: int
    location: str
    reference: str
    note: str
    actor: str
    on_hand: int  # after this movement: in all bins, or in the bin filtered by


def _scope(req: PageRequest) -> list[Any]:
    product_id = req.filter("product_id")
    if product_id is None:
        raise ValueError("a product's history needs filter ('product_id', id)")
    conds = [StockMovement.product_id == product_id]
    location_id = req.filter("location_id")
    if location_id is not None:
        conds.append(StockMovement.location_id == location_id)
    return conds


def _on_hand_now(session: Session, req: PageRequest) -> int:
    """The maintained level (the ledger's sum, kept equal to it by every booking)."""
    conds = [StockLevel.product_id == req.filter("product_id")]
    location_id = req.filter("location_id")
    if location_id is not None:
        conds.append(StockLevel.location_id == location_id)
    return int(session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                              .where(*conds)) or 0)


_ROWS = (select(StockMovement.id, StockMovement.created_at, StockMovement.reason,
                StockMovement.quantity, StockMovement.location_id, Location.code,
                StockMovement.reference, StockMovement.note, StockMovement.actor)
         .join(Location, Location.id == StockMovement.location_id))
_NEWEST_FIRST = (StockMovement.created_at.desc(), StockMovement.id.desc())


@requires(Can.SEE_INVENTORY)
def list_page(session: Session, req: PageRequest) -> Page[MovementRow]:
    """A page of the product's movements, newest first, each with the on-hand after it.

    Filters: ("product_id", id) (required) and ("location_id", id) for one bin. The page's
    `after` is (created_at, id, on-hand before that movement).
    """
    conds = _scope(req)
    want = req.limit + 1
    if req.after is None:
        on_hand = _on_hand_now(session, req)
        rows = list(session.execute(_ROWS.where(*conds).order_by(*_NEWEST_FIRST).limit(want)))
    else:
        at, last_id, on_hand = req.after
        at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
        rows = list(session.execute(_ROWS.where(
            *conds, StockMovement.created_at == at, StockMovement.id < last_id)
            .order_by(*_NEWEST_FIRST).limit(want)))
        if len(rows) < want:
            rows += session.execute(_ROWS.where(*conds, StockMovement.created_at < at)
                                    .order_by(*_NEWEST_FIRST).limit(want - len(rows)))
    more = len(rows) > req.limit
    out = []
    for r in rows[:req.limit]:
        out.append(MovementRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], on_hand))
        on_hand -= r[3]
    last = out[-1] if out else None
    after = (last.created_at, last.id, on_hand) if more and last else None
    return Page(rows=tuple(out), after=after)


@requires(Can.SEE_INVENTORY)
def count(session: Session, req: PageRequest) -> int:
    return int(session.scalar(select(func.count()).select_from(StockMovement)
                              .where(*_scope(req))) or 0)


# --- stock over time -----------------------------------------------------------------------


@dataclass(frozen=True)
class StockCurve:
    """On-hand over time as steps: each point is the on-hand from that moment on."""

    points: tuple[tuple[datetime, int], ...]
    per: str  # "movement", "day" or "month": what one point sums
    movements: int

    @property
    def lowest(self) -> int:
        return min((q for _, q in self.points), default=0)

    @property
    def highest(self) -> int:
        return max((q for _, q in self.points), default=0)


def _day_start(text: Any) -> datetime:
    if isinstance(text, datetime):
        return text.replace(tzinfo=UTC)
    if isinstance(text, date):
        return datetime(text.year, text.month, text.day, tzinfo=UTC)
    text = str(text)
    if len(text) == 7:
        text += "-01"
    return datetime.fromisoformat(text[:10]).replace(tzinfo=UTC)


@requires(Can.SEE_INVENTORY)
def stock_over_time(session: Session, product_id: int, location_id: int | None = None,
                    since: datetime | None = None, max_points: int = MAX_POINTS,
                    now: datetime | None = None) -> StockCurve:
    """Points (time, on hand) from the first movement (or `since`) to now, in all bins or one.

    Up to `max_points` movements each make a point; beyond that they are summed per day,
    or per month when there are more days than that.
    """
    now = now or datetime.now(UTC)
    conds: list[Any] = [StockMovement.product_id == product_id]
    if location_id is not None:
        conds.append(StockMovement.location_id == location_id)
    req = PageRequest(filters=(("location_id", location_id), ("product_id", product_id)))
    current = _on_hand_now(session, req)
    if since is not None:
        conds.append(StockMovement.created_at >= since)
    n = int(session.scalar(select(func.count()).select_from(StockMovement).where(*conds)) or 0)
    moved = 0
    steps: list[tuple[datetime, int]] = []
    per = "movement"
    if n <= max_points:
        for at, quantity in session.execute(
                select(StockMovement.created_at, StockMovement.quantity).where(*conds)
                .order_by(StockMovement.created_at, StockMovement.id)):
            steps.append((at, quantity))
            moved += quantity
    else:
        stamp = cast(StockMovement.created_at, String)
        for unit, width in (("day", 10), ("month", 7)):
            bucket = func.substr(stamp, 1, width)
            sums = session.execute(select(bucket, func.sum(StockMovement.quantity))
                                   .where(*conds).group_by(bucket).order_by(bucket)).all()
            per = unit
            if len(sums) <= max_points:
                break
        for key, quantity in sums:
            steps.append((_day_start(key), int(quantity)))
            moved += int(quantity)
    on_hand = current - moved  # before the first step: 0 for a whole history
    points = []
    if steps:
        start = since if since is not None else steps[0][0] - timedelta(seconds=1)
        points.append((min(start, steps[0][0]), on_hand))
    elif since is not None and since < now:
        points.append((since, on_hand))  # nothing moved: flat from `since` to now
    for at, quantity in steps:
        on_hand += quantity
        if points and points[-1][0] == at:
            points[-1] = (at, on_hand)
        else:
            points.append((at, on_hand))
    if not points or points[-1][0] < now:
        points.append((now, current))
    return StockCurve(tuple(points), per, n)
