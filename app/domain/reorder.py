"""Reorder suggestions: how fast a product sells, when to buy more and how much, with the working.

The service gathers `ReorderFacts` per product (sales in the window, days out of stock, stock,
open purchase orders, the supplier's terms); `suggest` turns them into a `Suggestion` whose
`lines` say how each number was reached, and `draft_purchase_orders` groups what to buy by
supplier. Quantities are whole units, always rounded up; rates are exact until shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.money import Money

_CENT = Decimal("0.01")
_DAY = timedelta(days=1)


class ReorderStatus(StrEnum):
    ORDER_NOW = "order_now"  # below the minimum level (or owed to customers): buy order_qty
    OK = "ok"  # enough in stock and on order
    LOW_DATA = "low_data"  # too few sales to forecast from; nothing suggested
    NO_SUPPLIER = "no_supplier"  # would need ordering, but there is nobody to order from
    DISCONTINUED = "discontinued"  # not sold any more: never reordered


STATUS_LABELS = {
    ReorderStatus.ORDER_NOW: "Order now",
    ReorderStatus.OK: "OK",
    ReorderStatus.LOW_DATA: "Low data",
    ReorderStatus.NO_SUPPLIER: "No supplier",
    ReorderStatus.DISCONTINUED: "Discontinued",
}


@dataclass(frozen=True)
class ReorderSettings:
    """The workshop's reorder settings, one set for all products."""

    window_days: int = 28  # how far back sales are looked at
    safety_days: int = 7  # extra days of stock kept on top of the supplier's lead time
    days_between_orders: int = 14  # how long one order should last
    minimum_sales: int = 3  # fewer sales than this in the window is too little to forecast

    def __post_init__(self) -> None:
        if self.window_days < 1:
            raise DomainError("The sales window must be at least one day long.")
        if self.safety_days < 0:
            raise DomainError(f"Safety days cannot be negative ({self.safety_days}).")
        if self.days_between_orders < 0:
            raise DomainError(
                f"Days between orders cannot be negative ({self.days_between_orders}).")
        if self.minimum_sales < 1:
            raise DomainError("At least one sale is needed before a product's sales are "
                              "forecast; set the minimum sales to 1 or more.")


@dataclass(frozen=True)
class ReorderFacts:
    """What the database knows about one product for reordering."""

    sku: str
    units_sold: int  # in the window
    days_out_of_stock: int = 0  # whole days in the window with nothing on hand
    on_hand: int = 0
    reserved: int = 0  # promised to open orders
    on_order: int = 0  # still to come on open purchase orders
    sales: int | None = None  # separate sales (order lines) in the window; None: count units
    days_in_window: int | None = None  # None: the settings' window; fewer for a new product
    supplier_id: int | None = None
    supplier_name: str = ""
    lead_time_days: int = 7
    pack_size: int = 1
    minimum_order: int = 1
    unit_cost: Money | None = None  # the supplier's price per unit, for the draft order
    product_id: int | None = None
    active: bool = True

    def __post_init__(self) -> None:
        if self.units_sold < 0 or self.days_out_of_stock < 0 or self.on_order < 0:
            raise ValueError(f"{self.sku}: sales, days out of stock and on order are counts")
        if self.sales is not None and self.sales < 0:
            raise ValueError(f"{self.sku}: a number of sales cannot be negative")
        if self.pack_size < 1:
            raise DomainError(f"{self.sku} comes in packs of {self.pack_size}; "
                              "a pack size is 1 or more.")
        if self.minimum_order < 1:
            raise DomainError(f"{self.sku}'s minimum order is {self.minimum_order}; "
                              "it is 1 or more.")
        if self.lead_time_days < 0:
            raise DomainError(f"{self.sku}'s supplier lead time cannot be negative "
                              f"({self.lead_time_days} days).")

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class Suggestion:
    """What to do about one product, each number with the sentence that explains it."""

    sku: str
    status: ReorderStatus
    low_data: bool  # too few sales: daily_sales is None, nothing is extrapolated
    daily_sales: Decimal | None  # units a day, to 2 places, for showing; None when low data
    days_in_stock: int
    minimum_level: int  # below this, order
    reorder_qty: int  # what one order should last for, before what is in stock or on order
    available: int
    on_order: int
    needed: int  # to bring stock back up, before packs and minimum order
    order_qty: int  # what to put on the purchase order: 0 unless status is ORDER_NOW
    lines: tuple[str, ...]  # the working, one sentence each, in order
    supplier_id: int | None = None
    supplier_name: str = ""
    product_id: int | None = None
    unit_cost: Money | None = None

    @property
    def position(self) -> int:
        """Stock position: available now plus what is on its way."""
        return self.available + self.on_order

    @property
    def explanation(self) -> str:
        return "\n".join(self.lines)


def _units(n: int) -> str:
    return f"{n:,}".replace("-", "−")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _two_places(a: int, b: int) -> Decimal:
    return (Decimal(a) / Decimal(b)).quantize(_CENT, ROUND_HALF_UP)


def _rate_times(sold: int, days_in_stock: int, days: int) -> tuple[int, str]:
    """ceil(sold / days_in_stock x days) and the sentence end that shows it."""
    exact_num = sold * days
    whole = _ceil_div(exact_num, days_in_stock)
    if exact_num % days_in_stock == 0:
        return whole, f"= {_units(whole)}"
    return whole, f"= {_two_places(exact_num, days_in_stock)}, rounded up to {_units(whole)}"


def round_to_packs(needed: int, pack_size: int, minimum_order: int) -> int:
    """The smallest whole number of packs that covers `needed` and the minimum order."""
    if needed <= 0:
        return 0
    return _ceil_div(max(needed, minimum_order), pack_size) * pack_size


def below_minimum(available: int, minimum_level: int) -> bool:
    """True when a product should raise a low-stock alert."""
    return available < minimum_level


def suggest(facts: ReorderFacts, settings: ReorderSettings) -> Suggestion:
    """The reorder suggestion for one product; pure, so 100,000 of them take about a second."""
    f = facts
    window = settings.window_days if f.days_in_window is None else f.days_in_window
    if window < 0 or f.days_out_of_stock > window:
        raise ValueError(f"{f.sku}: {f.days_out_of_stock} days out of stock in a "
                         f"{window}-day window")
    days_in_stock = window - f.days_out_of_stock
    sale_count = f.units_sold if f.sales is None else f.sales
    low_data = sale_count < settings.minimum_sales or days_in_stock == 0
    lines: list[str] = []

    not_counted = (f" ({_days(f.days_out_of_stock)} out of stock not counted)"
                   if f.days_out_of_stock else "")
    sales_word = "" if f.sales is None else f" in {f.sales} sale{'' if f.sales == 1 else 's'}"
    if low_data:
        daily = None
        minimum_level = reorder_qty = 0
        if days_in_stock == 0 and sale_count >= settings.minimum_sales:
            lines.append(f"Out of stock all {_days(window)} of the window: no days in stock "
                         "to forecast from.")
        else:
            what = "sales" if f.sales is not None else "units"
            lines.append(
                f"Sold {_units(f.units_sold)}{sales_word} in {_days(days_in_stock)} in stock"
                f"{not_counted}: too little to forecast from "
                f"(at least {settings.minimum_sales} {what} are needed)."
            )
    else:
        daily = _two_places(f.units_sold, days_in_stock)
        lines.append(f"Sold {_units(f.units_sold)}{sales_word} in {_days(days_in_stock)} in "
                     f"stock{not_counted} = {daily} a day.")
        cover = f.lead_time_days + settings.safety_days
        minimum_level, shown = _rate_times(f.units_sold, days_in_stock, cover)
        lines.append(f"Minimum level: {daily} a day × {_days(cover)} ({_days(f.lead_time_days)}"
                     f" lead time + {settings.safety_days} safety) {shown}.")
        reorder_qty, shown = _rate_times(f.units_sold, days_in_stock,
                                         settings.days_between_orders)
        lines.append(f"Reorder quantity: {daily} a day × "
                     f"{_days(settings.days_between_orders)} between orders {shown}.")

    available = f.available
    position = available + f.on_order
    reserved = f" ({_units(f.on_hand)} on hand − {_units(f.reserved)} reserved)" \
        if f.reserved else ""
    lines.append(f"Stock position: {_units(available)} available{reserved} + "
                 f"{_units(f.on_order)} on order = {_units(position)}.")

    if position < minimum_level:
        needed = minimum_level + reorder_qty - position
        less = f"less {_units(position)}" if position >= 0 else f"plus {_units(-position)} owed"
        lines.append(f"{_units(position)} is below the minimum level of "
                     f"{_units(minimum_level)}: order up to {_units(minimum_level)} + "
                     f"{_units(reorder_qty)} = {_units(minimum_level + reorder_qty)}, "
                     f"{less} = {_units(needed)}.")
    elif low_data:
        needed = 0
        lines.append("No order suggested: order by hand if it is needed.")
    else:
        needed = 0
        lines.append(f"{_units(position)} is not below the minimum level of "
                     f"{_units(minimum_level)}: no order needed.")
    if low_data and needed:
        lines[-1] = (f"{_units(-position)} owed to open orders beyond what is in stock "
                     f"and on order: order those {_units(needed)} only.")

    order_qty = 0
    if not f.active:
        status = ReorderStatus.DISCONTINUED
        lines.append("Discontinued: never reordered.")
    elif needed == 0:
        status = ReorderStatus.LOW_DATA if low_data else ReorderStatus.OK
    elif f.supplier_id is None:
        status = ReorderStatus.NO_SUPPLIER
        lines.append(f"No supplier to order from: choose one for {f.sku} to order the "
                     f"{_units(needed)}.")
    else:
        status = ReorderStatus.ORDER_NOW
        order_qty = round_to_packs(needed, f.pack_size, f.minimum_order)
        if f.minimum_order > needed:
            source = f" from {f.supplier_name}" if f.supplier_name else ""
            lines.append(f"Raised to the minimum order of {_units(f.minimum_order)}{source}.")
        if f.pack_size > 1:
            packs = order_qty // f.pack_size
            lines.append(f"Rounded up to whole packs of {_units(f.pack_size)}: "
                         f"{_units(order_qty)} ({packs} pack{'' if packs == 1 else 's'}).")
        lines.append(f"Order {_units(order_qty)}.")

    return Suggestion(
        sku=f.sku, status=status, low_data=low_data, daily_sales=daily,
        days_in_stock=days_in_stock, minimum_level=minimum_level, reorder_qty=reorder_qty,
        available=available, on_order=f.on_order, needed=needed, order_qty=order_qty,
        lines=tuple(lines), supplier_id=f.supplier_id, supplier_name=f.supplier_name,
        product_id=f.product_id, unit_cost=f.unit_cost,
    )


def suggest_all(facts: Iterable[ReorderFacts], settings: ReorderSettings
                ) -> tuple[Suggestion, ...]:
    return tuple(suggest(f, settings) for f in facts)


# --- draft purchase orders -----------------------------------------------------------------


@dataclass(frozen=True)
class DraftLine:
    sku: str
    quantity: int
    product_id: int | None = None
    unit_cost: Money | None = None

    @property
    def total(self) -> Money | None:
        return None if self.unit_cost is None else self.unit_cost * self.quantity


@dataclass(frozen=True)
class DraftPurchaseOrder:
    """What to buy from one supplier; the owner reviews it before it is sent."""

    supplier_id: int
    supplier_name: str
    lines: tuple[DraftLine, ...]

    @property
    def total(self) -> Money | None:
        """The order's value, or None while any line has no price."""
        total: Money | None = None
        for line in self.lines:
            if line.total is None:
                return None
            total = line.total if total is None else total + line.total
        return total


def draft_purchase_orders(suggestions: Iterable[Suggestion]) -> tuple[DraftPurchaseOrder, ...]:
    """One draft per supplier from the suggestions to order now, by supplier name then SKU."""
    by_supplier: dict[int, list[Suggestion]] = {}
    for s in suggestions:
        if s.status is ReorderStatus.ORDER_NOW and s.order_qty > 0 and s.supplier_id is not None:
            by_supplier.setdefault(s.supplier_id, []).append(s)
    drafts = []
    for supplier_id, group in by_supplier.items():
        group.sort(key=lambda s: s.sku)
        currencies = sorted({s.unit_cost.currency for s in group if s.unit_cost is not None})
        if len(currencies) > 1:
            raise DomainError(
                f"{group[0].supplier_name or 'A supplier'}'s prices are in "
                f"{' and '.join(currencies)}; one purchase order has one currency. "
                "Set every product's price from this supplier in the same currency."
            )
        drafts.append(DraftPurchaseOrder(
            supplier_id, group[0].supplier_name,
            tuple(DraftLine(s.sku, s.order_qty, s.product_id, s.unit_cost) for s in group),
        ))
    drafts.sort(key=lambda d: (d.supplier_name.casefold(), d.supplier_id))
    return tuple(drafts)


# --- days out of stock ---------------------------------------------------------------------


def time_out_of_stock(movements: Iterable[tuple[datetime, int]], *, level_at_start: int,
                      window_start: datetime, window_end: datetime) -> timedelta:
    """How long on-hand stood at zero or below within [window_start, window_end).

    `movements` are (timestamp, on hand after it) in time order; `level_at_start` is the
    level at window_start before any movement stamped at or after it. Movements before the
    window are already in that level and are skipped, as are those at or after its end.
    """
    if window_end < window_start:
        raise ValueError("a window cannot end before it starts")
    level, since, total = level_at_start, window_start, timedelta(0)
    previous: datetime | None = None
    for at, after in movements:
        if previous is not None and at < previous:
            raise ValueError(f"movements are out of time order at {at.isoformat()}")
        previous = at
        if at < window_start:
            continue
        if at >= window_end:
            break
        if level <= 0:
            total += at - since
        level, since = after, at
    if level <= 0:
        total += window_end - since
    return total


def days_out_of_stock(movements: Iterable[tuple[datetime, int]], *, level_at_start: int,
                      window_start: datetime, window_end: datetime) -> int:
    """Whole days out of stock in the window, rounded down.

    A part day counts as in stock, so any time in stock leaves at least one day to divide
    sales by, and short gaps add up: four half days out of stock are two days.
    """
    return time_out_of_stock(movements, level_at_start=level_at_start,
                             window_start=window_start, window_end=window_end) // _DAY
