"""Stock arithmetic: the ledger's reasons and what 'available' means."""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import DomainError


class MovementReason(StrEnum):
    GOODS_IN = "goods_in"
    DISPATCH = "dispatch"
    RETURN = "return"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    TRANSFER = "transfer"
    DAMAGE = "damage"


def available(on_hand: int, reserved: int) -> int:
    return on_hand - reserved


def apply_movement(on_hand: int, quantity: int, *, allow_negative: bool, sku: str,
                   location: str) -> int:
    """The new on-hand after a signed movement, refusing to go below zero unless allowed."""
    if quantity == 0:
        raise DomainError("A stock movement must change the quantity; this one is zero.")
    new = on_hand + quantity
    if new < 0 and not allow_negative:
        raise DomainError(
            f"{sku} has {on_hand} on hand in {location}; taking {-quantity} would leave {new}. "
            "Count the bin first, or allow negative stock for this product."
        )
    return new


def shown_on_channel(on_hand: int, reserved: int, *, buffer: int = 0,
                     max_shown: int | None = None, percent: int | None = None) -> int:
    """How many a channel may sell: available less the channel's safety buffer, then at
    most `percent` of that (rounded down) and at most `max_shown`; never below zero.

    One stock pool feeds every channel, so each is told the same free stock (less its own
    buffer) and an order on one is held before the next sync of the others.
    """
    shown = max(available(on_hand, reserved) - max(buffer, 0), 0)
    if percent is not None:
        shown = shown * max(min(percent, 100), 0) // 100
    if max_shown is not None:
        shown = min(shown, max(max_shown, 0))
    return shown
