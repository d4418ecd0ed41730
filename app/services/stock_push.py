"""One stock pool, told to every channel: which listings need their quantity sent, and the
queue emptied only for what every channel took.

Stock changes queue their product (services.stock.queue_push); a push reads the queue in
batches, works out each listing's quantity, and the sync worker sends them off the GUI
thread. A product stays queued until every channel listing it has been told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.channels.base import StockUpdate
from app.db.models import Channel, Listing, StockLevel, StockPushQueue, utcnow
from app.domain.stock import shown_on_channel

BATCH = 500


@dataclass(frozen=True)
class PushBatch:
    """The quantities one channel is to be told, and the queue rows they answer."""

    channel_id: int
    updates: tuple[StockUpdate, ...]
    product_of: dict[str, int]  # channel SKU -> our product, to keep failures queued
    queued_before: datetime


def channel_caps(channel: Channel) -> tuple[int | None, int | None]:
    """The channel's own cap: at most N shown, or a share of the free stock (in settings)."""
    settings = channel.settings or {}
    cap = settings.get("max_shown")
    percent = settings.get("percent_shown")
    return (int(cap) if cap not in (None, "") else None,
            int(percent) if percent not in (None, "") else None)


def pending_push(session: Session, channel_id: int, limit: int = BATCH) -> PushBatch | None:
    """The next batch of stock to tell one channel, or None when it is up to date."""
    channel = session.get(Channel, channel_id)
    if channel is None or not channel.active:
        return None
    now = utcnow()
    rows = session.execute(
        select(Listing.product_id, Listing.channel_sku, Listing.external_id,
               Listing.max_shown)
        .join(StockPushQueue, StockPushQueue.product_id == Listing.product_id)
        .where(Listing.channel_id == channel_id, Listing.push_stock.is_(True))
        .order_by(StockPushQueue.queued_at, Listing.product_id).limit(limit)).all()
    if not rows:
        return None
    products = sorted({r[0] for r in rows})
    stock = dict((pid, (on, res)) for pid, on, res in session.execute(
        select(StockLevel.product_id, func.sum(StockLevel.on_hand),
               func.sum(StockLevel.reserved))
        .where(StockLevel.product_id.in_(products)).group_by(StockLevel.product_id)))
    cap, percent = channel_caps(channel)
    updates, product_of = [], {}
    for pid, sku, external, listing_cap in rows:
        on_hand, reserved = stock.get(pid, (0, 0))
        caps = [c for c in (cap, listing_cap) if c is not None]
        shown = shown_on_channel(int(on_hand or 0), int(reserved or 0),
                                 buffer=channel.stock_buffer, percent=percent,
                                 max_shown=min(caps) if caps else None)
        updates.append(StockUpdate(sku, shown, external or ""))
        product_of[sku] = pid
    return PushBatch(channel_id, tuple(updates), product_of, now)


def pushed(session: Session, batches: Iterable[PushBatch],
           failed: Iterable[tuple[int, str]] = ()) -> int:
    """Empty the queue of what the channels took (queued no later than they were read);
    products named in `failed` (channel id, channel SKU) stay for the next push."""
    keep = set()
    batches = list(batches)
    by_channel = {b.channel_id: b for b in batches}
    for channel_id, sku in failed:
        batch = by_channel.get(channel_id)
        if batch is not None and sku in batch.product_of:
            keep.add(batch.product_of[sku])
    done: dict[int, datetime] = {}
    for batch in batches:
        for pid in batch.product_of.values():
            if pid not in keep:
                done[pid] = min(done.get(pid, batch.queued_before), batch.queued_before)
    removed = 0
    for pid, before in done.items():
        removed += session.execute(delete(StockPushQueue).where(
            StockPushQueue.product_id == pid, StockPushQueue.queued_at <= before)).rowcount
    return removed


def unlisted_queue_cleared(session: Session) -> int:
    """Queued products no channel pushes stock for: nobody to tell, so they leave the queue."""
    listed = select(Listing.product_id).join(Channel, Channel.id == Listing.channel_id).where(
        Listing.push_stock.is_(True), Channel.active.is_(True))
    return session.execute(delete(StockPushQueue).where(
        StockPushQueue.product_id.not_in(listed))).rowcount
