"""Parcels that left, and telling their channel: by API at the next sync, or in the
channel's own bulk-upload file for channels read from report files.

Every order that becomes Shipped gets a shipment (carrier and tracking when known). A
shipment is 'confirmed' once its channel has been told; until then it waits, so a channel
that was down hears of it at the following sync and nothing is told twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.channels.base import ShipmentNotice
from app.channels.files.shipments import ShipmentExportError, render_shipments
from app.db.models import Channel, Order, OrderLine, Shipment
from app.domain.access import Can
from app.domain.errors import DomainError
from app.domain.statuses import ShipmentStatus
from app.services.access import requires
from app.services.uow import UnitOfWork

BATCH = 100


def record_shipment(session: Session, order: Order, carrier: str = "", tracking: str = "",
                    service: str = "") -> Shipment:
    """The order's parcel left (called as the order becomes Shipped)."""
    shipment = Shipment(order_id=order.id, status=str(ShipmentStatus.SHIPPED),
                        carrier=" ".join(carrier.split())[:80],
                        tracking_number=" ".join(tracking.split())[:120],
                        service=service or order.shipping_service,
                        currency=order.currency, shipped_at=datetime.now(UTC))
    session.add(shipment)
    return shipment


def _unconfirmed(channel_id: int):  # type: ignore[no-untyped-def]
    return (select(Shipment, Order)
            .join(Order, Order.id == Shipment.order_id)
            .where(Order.channel_id == channel_id, Shipment.channel_confirmed_at.is_(None),
                   Shipment.status == str(ShipmentStatus.SHIPPED)))


def _notice(session: Session, shipment: Shipment, order: Order) -> ShipmentNotice:
    lines = tuple(x for x in session.scalars(
        select(OrderLine.external_id).where(OrderLine.order_id == order.id)
        .order_by(OrderLine.id)) if x)
    return ShipmentNotice(order.external_id, order.number, shipment.carrier,
                          shipment.tracking_number,
                          shipment.shipped_at or shipment.created_at, "", lines)


def notices_to_send(session: Session, channel_id: int, limit: int = BATCH
                    ) -> list[tuple[int, ShipmentNotice]]:
    """Shipments the channel has not been told of, oldest first, as (shipment id, notice)."""
    rows = session.execute(_unconfirmed(channel_id).order_by(Shipment.id).limit(limit))
    return [(s.id, _notice(session, s, o)) for s, o in rows]


def confirmed(session: Session, shipment_ids: list[int]) -> None:
    if shipment_ids:
        session.execute(update(Shipment).where(Shipment.id.in_(shipment_ids))
                        .values(channel_confirmed_at=datetime.now(UTC))
                        .execution_options(synchronize_session=False))


@requires(Can.SEE_ORDERS)
def unconfirmed_count(session: Session, channel_id: int) -> int:
    """How many shipments the channel has not been told of yet."""
    return int(session.scalar(select(func.count()).select_from(
        _unconfirmed(channel_id).subquery())) or 0)


@dataclass(frozen=True)
class ShipmentExport:
    path: Path
    shipments: int


@requires(Can.MOVE_ORDERS)
def export_shipments(uow: UnitOfWork, channel_id: int, folder: Path) -> ShipmentExport:
    """Write the channel's bulk-upload file of shipments it has not been told of, into
    `folder`, and count them as told (the file is written before anything is marked)."""
    with uow:
        s = uow.session
        channel = s.get(Channel, channel_id)
        if channel is None:
            raise DomainError("That channel no longer exists; refresh the list.")
        rows = list(s.execute(_unconfirmed(channel_id).order_by(Shipment.id)))
        if not rows:
            raise DomainError(f"{channel.name} has been told of every shipment already.")
        notices = [_notice(s, sh, o) for sh, o in rows]
        try:
            name, text = render_shipments(channel.kind, notices)
        except ShipmentExportError as exc:
            raise DomainError(f"The upload file for {channel.name} was not written: {exc}") \
                from exc
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        path = Path(folder) / f"{Path(name).stem}-{stamp}{Path(name).suffix}"
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_text(text, encoding="utf-8", newline="")
            tmp.replace(path)
        except OSError as exc:
            raise DomainError(f"Could not write {path}: {exc.strerror or exc}. Choose a "
                              "folder you can write to.") from exc
        confirmed(s, [sh.id for sh, _o in rows])
        uow.changed(orders=True)
        uow.commit()
    return ShipmentExport(path, len(rows))
