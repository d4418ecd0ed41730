"""One stock pool, told to every channel: which listings need their quantity sent.

Every stock change stamps its product in `stock_push_queue` (services.stock.queue_push):
one row per product, holding when its free stock last changed. Each channel keeps its
own place in that list (a cursor in its settings) and a list of products to try again,
so channels are told independently and a channel that was down catches up on its own.
A new channel is first told every listing it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from app.channels.base import StockUpdate
from app.db.models import Channel, Listing, StockLevel, StockPushQueue, utcnow
from app.domain.stock import shown_on_channel

BATCH = 500
CURSOR, RETRY = "stock_cursor", "stock_retry"


@dataclass(frozen=True)
class PushBatch:
    """The quantities one channel is to be told, and where its cursor goes once told."""

    channel_id: int
    updates: tuple[StockUpdate, ...]
    product_of: dict[str, int]  # channel SKU -> our product, to retry a refused one
    cursor: tuple[str, int] | None  # (queued_at ISO, product id) of the last row read


def channel_caps(channel: Channel) -> tuple[int | None, int | None]:
    """The channel's own cap: at most N shown, or a share of the free stock (in settings)."""
    settings = channel.settings or {}
    cap, percent = settings.get("max_shown"), settings.get("percent_shown")
    return (int(cap) if cap not in (None, "") else None,
            int(percent) if percent not in (None, "") else None)


def _seed(session: Session, channel_id: int) -> None:
    """A channel told nothing yet: stamp every product it lists, so all are sent."""
    missing = (select(Listing.product_id)
               .where(Listing.channel_id == channel_id, Listing.push_stock.is_(True),
                      Listing.product_id.not_in(select(StockPushQueue.product_id)))
               .distinct())
    now = utcnow()
    rows = [{"product_id": p, "queued_at": now} for p in session.scalars(missing)]
    if rows:
        session.execute(insert(StockPushQueue), rows)


def pending_push(session: Session, channel_id: int, limit: int = BATCH) -> PushBatch | None:
    """The next batch of stock to tell one channel, or None when it is up to date.

    Call inside a unit of work: a new channel's first call stamps its listings.
    """
    channel = session.get(Channel, channel_id)
    if channel is None or not channel.active:
        return None
    settings = channel.settings or {}
    cursor = settings.get(CURSOR)
    if cursor is None:
        _seed(session, channel_id)
    retry = [int(p) for p in settings.get(RETRY, [])]
    base = (select(Listing.product_id, Listing.channel_sku, Listing.external_id,
                   Listing.max_shown, StockPushQueue.queued_at)
            .join(StockPushQueue, StockPushQueue.product_id == Listing.product_id)
            .where(Listing.channel_id == channel_id, Listing.push_stock.is_(True)))
    after = base
    if cursor is not None:
        at, pid = datetime.fromisoformat(cursor[0]), int(cursor[1])
        after = base.where(or_(StockPushQueue.queued_at > at,
                               and_(StockPushQueue.queued_at == at,
                                    StockPushQueue.product_id > pid)))
    rows = list(session.execute(after.order_by(StockPushQueue.queued_at,
                                               StockPushQueue.product_id).limit(limit)))
    new_cursor = ((rows[-1][4].isoformat(), rows[-1][0]) if rows
                  else (tuple(cursor) if cursor else None))
    if retry:
        seen = {r[0] for r in rows}
        rows += [r for r in session.execute(base.where(Listing.product_id.in_(retry)))
                 if r[0] not in seen]
    if not rows:
        return None
    products = sorted({r[0] for r in rows})
    stock = {pid: (on, res) for pid, on, res in session.execute(
        select(StockLevel.product_id, func.sum(StockLevel.on_hand),
               func.sum(StockLevel.reserved))
        .where(StockLevel.product_id.in_(products)).group_by(StockLevel.product_id))}
    cap, percent = channel_caps(channel)
    updates, product_of = [], {}
    for pid, sku, external, listing_cap, _at in rows:
        on_hand, reserved = stock.get(pid, (0, 0))
        caps = [c for c in (cap, listing_cap) if c is not None]
        shown = shown_on_channel(int(on_hand or 0), int(reserved or 0),
                                 buffer=channel.stock_buffer, percent=percent,
                                 max_shown=min(caps) if caps else None)
        updates.append(StockUpdate(sku, shown, external or ""))
        product_of[sku] = pid
    return PushBatch(channel_id, tuple(updates), product_of, new_cursor)  # type: ignore[arg-type]


def pushed(session: Session, batch: PushBatch, refused: list[tuple[str, str]]) -> None:
    """The channel took the batch, but for the SKUs it `refused` (sku, why): move its
    cursor on and keep the refused ones to try again."""
    channel = session.get_one(Channel, batch.channel_id)
    retry = sorted({batch.product_of[sku] for sku, _why in refused if sku in batch.product_of})
    settings = dict(channel.settings or {})
    settings[CURSOR] = list(batch.cursor) if batch.cursor else settings.get(CURSOR)
    settings[RETRY] = retry
    channel.settings = settings
