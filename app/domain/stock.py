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
