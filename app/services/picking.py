"""Picking tab: orders ready to pick, oldest first, with the first bin on the walk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Channel, Location, Order, OrderLine, StockLevel
from app.domain.access import Can
from app.domain.statuses import OrderStatus
from app.services.access import requires
from app.services.orders import matching_ids, scanned_as_sku, search_conditions
from app.services.paging import Listing, Page, PageRequest, keyset_page


@dataclass(frozen=True)
class PickRow:
    id: int
    number: str
    channel: str
    placed_at: datetime
    customer: str
    items: int
    first_bin: str
    shipping_service: str
    flagged: str | None = None  # "Short: MUG-1 (2 wanted, 0 free)": the packer is warned


_FIRST_WALK = (select(func.min(Location.walk_sequence))
               .select_from(OrderLine)
               .join(StockLevel, StockLevel.product_id == OrderLine.product_id)
               .join(Location, Location.id == StockLevel.location_id)
               .where(OrderLine.order_id == Order.id, StockLevel.on_hand > 0)
               .correlate(Order).scalar_subquery())
# The first bin on the walk that holds one of the order's items (bins may share a place).
_FIRST_BIN = (select(Location.code)
              .select_from(OrderLine)
              .join(StockLevel, StockLevel.product_id == OrderLine.product_id)
              .join(Location, Location.id == StockLevel.location_id)
              .where(OrderLine.order_id == Order.id, StockLevel.on_hand > 0)
              .order_by(Location.walk_sequence, Location.id).limit(1)
              .correlate(Order).scalar_subquery())

LISTING = Listing(
    sort_keys={"placed": Order.placed_at, "number": Order.number,
               "customer": Order.customer_key, "items": Order.items_count,
               "bin": func.coalesce(_FIRST_WALK, 1 << 30),
               "service": Order.shipping_service},
    default_sort="placed",
    default_descending=False,
    tiebreak=Order.id,
)


def _where(req: PageRequest):  # type: ignore[no-untyped-def]
    return [Order.status == str(OrderStatus.READY_TO_PICK), *matching_ids(req.search)]


@requires(Can.SEE_ORDERS)
def list_page(session: Session, req: PageRequest) -> Page[PickRow]:
    req = scanned_as_sku(session, req)
    stmt = (select(Order.id, Order.number, Channel.name, Order.placed_at, Order.customer_name,
                   Order.items_count, func.coalesce(_FIRST_BIN, ""), Order.shipping_service,
                   Order.flagged)
            .join(Channel, Channel.id == Order.channel_id)
            .where(Order.status == str(OrderStatus.READY_TO_PICK),
                   *search_conditions(session, req.search)))
    return keyset_page(session, stmt, LISTING, req, lambda r: PickRow(*r[:9]))


@requires(Can.SEE_ORDERS)
def count(session: Session, req: PageRequest) -> int:
    req = scanned_as_sku(session, req)
    return int(session.scalar(select(func.count(Order.id)).where(*_where(req))) or 0)
