"""The stock ledger: every change is a movement, and the level moves with it in one
transaction; stock held for orders has its own ledger of holds, summed the same way."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Location,
    Product,
    StockHold,
    StockLevel,
    StockMovement,
    StockPushQueue,
    utcnow,
)
from app.domain.errors import DomainError
from app.domain.stock import MovementReason, apply_movement

HOLD = "hold"


def queue_push(session: Session, product_id: int) -> None:
    """The product's free stock changed: tell the channels listing it (at the next push)."""
    queued = session.get(StockPushQueue, product_id)
    if queued is None:
        session.add(StockPushQueue(product_id=product_id, queued_at=utcnow()))
    else:  # changed again: a push that read it before now must not take it off the queue
        queued.queued_at = utcnow()


def book_movement(session: Session, *, product_id: int, location_id: int, quantity: int,
                  reason: MovementReason, actor: str, reference: str = "",
                  note: str = "") -> StockMovement:
    """Add one movement and move the level by the same amount (inside the caller's UoW)."""
    product = session.get(Product, product_id)
    location = session.get(Location, location_id)
    if product is None or location is None:
        raise DomainError("That product or bin no longer exists; refresh and try again.")
    level = session.get(StockLevel, (product_id, location_id), with_for_update=True)
    if level is None:
        level = StockLevel(product_id=product_id, location_id=location_id, on_hand=0,
                           reserved=0)
        session.add(level)
    level.on_hand = apply_movement(level.on_hand, quantity,
                                   allow_negative=product.allow_negative_stock,
                                   sku=product.sku, location=location.code)
    movement = StockMovement(product_id=product_id, location_id=location_id,
                             quantity=quantity, reason=str(reason), reference=reference,
                             note=note, actor=actor, created_at=utcnow())
    session.add(movement)
    queue_push(session, product_id)
    return movement


def _levels_in_walk_order(session: Session, product_id: int) -> list[StockLevel]:
    return list(session.scalars(
        select(StockLevel).join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id == product_id)
        .order_by(Location.walk_sequence, Location.id)
    ))


def _held(session: Session, level: StockLevel, quantity: int, reason: str, reference: str,
          actor: str) -> None:
    """Move a level's reserved quantity and write the change in the ledger of holds."""
    level.reserved += quantity
    session.add(StockHold(product_id=level.product_id, location_id=level.location_id,
                          quantity=quantity, reason=reason, reference=reference[:120],
                          actor=actor, created_at=utcnow()))


def on_hand(session: Session, product_id: int) -> int:
    """What is on the shelves of a product, over every bin."""
    return sum(level.on_hand for level in _levels_in_walk_order(session, product_id))


def reserve(session: Session, product_id: int, quantity: int, *, reference: str = "",
            actor: str = "") -> int:
    """Promise up to `quantity` of the free stock to an order, from the bins first on the
    walk; returns how many could be held (less than asked: the order is short)."""
    left = quantity
    for level in _levels_in_walk_order(session, product_id):
        take = min(level.on_hand - level.reserved, left)
        if take > 0:
            _held(session, level, take, HOLD, reference, actor)
            left -= take
            if not left:
                break
    if left < quantity:
        queue_push(session, product_id)
    return quantity - left


def release_reservation(session: Session, product_id: int, quantity: int, *,
                        reference: str = "", actor: str = "", reason: str = "release") -> None:
    """Give back stock promised to an order, from the bins first on the walk."""
    if quantity:
        queue_push(session, product_id)
    left = quantity
    for level in _levels_in_walk_order(session, product_id):
        take = min(level.reserved, left)
        if take > 0:
            _held(session, level, -take, reason, reference, actor)
            left -= take
        if not left:
            break


def dispatch(session: Session, product_id: int, quantity: int, *, actor: str,
             reference: str, held: int) -> None:
    """Stock leaves in a parcel: book dispatch movements and consume what the line held."""
    left = quantity
    levels = _levels_in_walk_order(session, product_id)
    for level in levels:
        take = min(level.on_hand, left)
        if take <= 0:
            continue
        book_movement(session, product_id=product_id, location_id=level.location_id,
                      quantity=-take, reason=MovementReason.DISPATCH, actor=actor,
                      reference=reference)
        left -= take
        if not left:
            break
    if left:
        sku = session.get(Product, product_id).sku  # type: ignore[union-attr]
        raise DomainError(
            f"Only {quantity - left} of {quantity} × {sku} are on hand. Book the goods in "
            "(or count the bins) before marking the order shipped.")
    # The promise may sit in another bin than the one the stock came from.
    release_reservation(session, product_id, held, reference=reference, actor=actor,
                        reason="dispatch")


@dataclass(frozen=True)
class LedgerMismatch:
    product_id: int
    location_id: int
    level_on_hand: int  # (or the level's reserved quantity, when `what` is "reserved")
    ledger_sum: int
    what: str = "on hand"


def ledger_mismatches(session: Session) -> tuple[LedgerMismatch, ...]:
    """Stock levels that differ from the sum of their movements (should be none)."""
    sums = (select(StockMovement.product_id, StockMovement.location_id,
                   func.sum(StockMovement.quantity).label("total"))
            .group_by(StockMovement.product_id, StockMovement.location_id).subquery())
    rows = session.execute(
        select(StockLevel.product_id, StockLevel.location_id, StockLevel.on_hand,
               func.coalesce(sums.c.total, 0))
        .outerjoin(sums, (sums.c.product_id == StockLevel.product_id)
                   & (sums.c.location_id == StockLevel.location_id))
        .where(StockLevel.on_hand != func.coalesce(sums.c.total, 0))
    ).all()
    orphan = session.execute(
        select(sums.c.product_id, sums.c.location_id, sums.c.total)
        .outerjoin(StockLevel, (sums.c.product_id == StockLevel.product_id)
                   & (sums.c.location_id == StockLevel.location_id))
        .where(StockLevel.product_id.is_(None), sums.c.total != 0)
    ).all()
    holds = (select(StockHold.product_id, StockHold.location_id,
                    func.sum(StockHold.quantity).label("total"))
             .group_by(StockHold.product_id, StockHold.location_id).subquery())
    held = session.execute(
        select(StockLevel.product_id, StockLevel.location_id, StockLevel.reserved,
               func.coalesce(holds.c.total, 0))
        .outerjoin(holds, (holds.c.product_id == StockLevel.product_id)
                   & (holds.c.location_id == StockLevel.location_id))
        .where(StockLevel.reserved != func.coalesce(holds.c.total, 0))
    ).all()
    return tuple(LedgerMismatch(*r) for r in rows) + tuple(
        LedgerMismatch(p, loc, 0, t) for p, loc, t in orphan) + tuple(
        LedgerMismatch(*r, what="reserved") for r in held)
