"""Finance tab: a month's sales, fees, costs and margin, by channel and currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Channel, Order, OrderLine
from app.domain.access import Can
from app.domain.statuses import OrderStatus
from app.services.access import requires

# Orders that did not end in a sale; everything else counts as sold when placed.
NOT_SOLD = (str(OrderStatus.CANCELLED), str(OrderStatus.REFUNDED))


@dataclass(frozen=True)
class FinanceRow:
    channel: str
    currency: str
    orders: int
    sales_minor: int  # order totals less tax: what we earned before fees and costs
    fees_minor: int
    costs_minor: int

    @property
    def margin_minor(self) -> int:
        return self.sales_minor - self.fees_minor - self.costs_minor


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month in local time, as UTC instants (so a sale at 00:30 lands in its own month)."""
    local = datetime.now().astimezone().tzinfo
    start = datetime(year, month, 1, tzinfo=local)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=local)
    return start.astimezone(UTC), end.astimezone(UTC)


@requires(Can.SEE_FINANCE)
def months_with_orders(session: Session) -> tuple[date, ...]:
    """First days of the months from the first order to now, newest first."""
    first = session.scalar(select(func.min(Order.placed_at)))
    today = date.today()
    if first is None:
        return (today.replace(day=1),)
    first_local = first.astimezone().date()
    months, y, m = [], today.year, today.month
    while (y, m) >= (first_local.year, first_local.month):
        months.append(date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return tuple(months)


@requires(Can.SEE_FINANCE)
def month_by_channel(session: Session, year: int, month: int) -> tuple[FinanceRow, ...]:
    start, end = month_bounds(year, month)
    sold = (Order.placed_at >= start, Order.placed_at < end, Order.status.not_in(NOT_SOLD))
    costs = dict(
        ((cid, cur), int(total or 0)) for cid, cur, total in session.execute(
            select(Order.channel_id, Order.currency,
                   func.sum(OrderLine.quantity * OrderLine.unit_cost_minor))
            .join(OrderLine, OrderLine.order_id == Order.id).where(*sold)
            .group_by(Order.channel_id, Order.currency)))
    rows = session.execute(
        select(Order.channel_id, Channel.name, Order.currency, func.count(Order.id),
               func.sum(Order.total_minor - Order.tax_minor), func.sum(Order.fees_minor))
        .join(Channel, Channel.id == Order.channel_id).where(*sold)
        .group_by(Order.channel_id, Channel.name, Order.currency)
        .order_by(Channel.name, Order.currency)).all()
    return tuple(FinanceRow(name, cur, int(n), int(sales or 0), int(fees or 0),
                            costs.get((cid, cur), 0))
                 for cid, name, cur, n, sales, fees in rows)


SORT_KEYS = {"channel": "channel", "orders": "orders", "sales": "sales_minor",
             "fees": "fees_minor", "costs": "costs_minor", "margin": "margin_minor"}


def sort_rows(rows: tuple[FinanceRow, ...], key: str, descending: bool
              ) -> tuple[FinanceRow, ...]:
    """A month's rows in the order asked (a handful of rows: no need to ask the database)."""
    attr = SORT_KEYS[key or "channel"]
    return tuple(sorted(rows, key=lambda r: (getattr(r, attr), r.channel, r.currency),
                        reverse=descending))
