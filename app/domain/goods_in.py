"""Goods in: a delivery's scans against the open purchase order lines, and what to book.

`compare_delivery` is a function of all the scans so far, so a parked delivery resumes by
comparing again. Scans of one SKU fill its open lines oldest first; anything beyond what is
on order lands on the newest line as extra, and is booked only when the user says so.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.statuses import PurchaseOrderStatus, check_transition


class ReceiptStatus(StrEnum):
    COMPLETE = "complete"  # everything ordered on the line has come
    SHORT = "short"  # some is still to come (maybe all of it)
    OVER = "over"  # more came than was ordered: ask before booking the extra
    UNEXPECTED = "unexpected"  # on no open purchase order: ask before booking any


@dataclass(frozen=True)
class OpenLine:
    """A line of an open purchase order as it stood before this delivery."""

    po_line_id: int
    po_number: str
    sku: str
    ordered: int
    received: int = 0
    ordered_at: datetime | None = None  # when its order was sent: the oldest fills first
    product_id: int | None = None

    @property
    def remaining(self) -> int:
        return max(0, self.ordered - self.received)


@dataclass(frozen=True)
class Scan:
    """One scan or typed quantity of a delivery; a negative one takes scans back."""

    sku: str
    quantity: int = 1


@dataclass(frozen=True)
class ReceiptLine:
    """One purchase order line (or unexpected SKU) in this delivery, and what to say about it."""

    sku: str
    po_line_id: int | None  # None: unexpected
    po_number: str
    ordered: int
    received_before: int
    expected: int  # still to come before this delivery
    received_now: int  # allocated to this line, extra included
    extra: int  # the part of received_now beyond what is on order
    status: ReceiptStatus
    note: str
    question: str | None  # to answer before booking: only for extra or unexpected goods
    product_id: int | None = None

    @property
    def still_to_come(self) -> int:
        return max(0, self.expected - self.received_now)


def totals_by_sku(scans: Iterable[Scan]) -> dict[str, int]:
    """What came of each SKU, scans and typed quantities added up, in first-scanned order."""
    totals: dict[str, int] = {}
    for s in scans:
        totals[s.sku] = totals.get(s.sku, 0) + s.quantity
    for sku, n in totals.items():
        if n < 0:
            raise DomainError(f"The scans of {sku} add up to {n}: take back only what was "
                              "scanned.")
    return totals


def _oldest_first(lines: Iterable[OpenLine]) -> list[OpenLine]:
    return sorted(lines, key=lambda ln: (ln.ordered_at is None, ln.ordered_at or datetime.min,
                                         ln.po_line_id))


def allocate(quantity: int, lines: Sequence[OpenLine]) -> tuple[tuple[OpenLine, int], ...]:
    """Share a received quantity of one SKU across its open lines, oldest first.

    Each line takes what it still needs; what is left after all of them goes on the newest
    line. Lines given nothing are left out.
    """
    if quantity < 0:
        raise ValueError("cannot allocate a negative quantity")
    if not lines:
        return ()
    ordered = _oldest_first(lines)
    shares = []
    left = quantity
    for line in ordered:
        take = min(left, line.remaining)
        shares.append(take)
        left -= take
    shares[-1] += left
    return tuple((line, n) for line, n in zip(ordered, shares, strict=True) if n)


def _note(line: OpenLine, now: int) -> tuple[ReceiptStatus, str]:
    total = line.received + now
    on = f"{line.ordered} on {line.po_number}"
    if total == line.ordered:
        return ReceiptStatus.COMPLETE, f"{now} of {line.sku} received now: all {on} are in."
    if total > line.ordered:
        return ReceiptStatus.OVER, f"{now} of {line.sku} received now: {total} of {on}."
    if now == 0:
        return ReceiptStatus.SHORT, (f"None of {line.sku} in this delivery yet: "
                                     f"{line.remaining} of {on} still to come.")
    return ReceiptStatus.SHORT, (f"{now} of {line.sku} received now: {total} of {on} in, "
                                 f"{line.ordered - total} still to come.")


def compare_delivery(open_lines: Iterable[OpenLine], scans: Iterable[Scan]
                     ) -> tuple[ReceiptLine, ...]:
    """Every open line with what came for it, then the unexpected SKUs.

    Lines that were already complete appear only when more of their SKU came.
    """
    received = totals_by_sku(scans)
    by_sku: dict[str, list[OpenLine]] = {}
    for line in open_lines:
        by_sku.setdefault(line.sku, []).append(line)

    out: list[ReceiptLine] = []
    for sku, lines in by_sku.items():
        came = received.get(sku, 0)
        on_order = sum(ln.remaining for ln in lines)
        given = {ln.po_line_id: n for ln, n in allocate(came, lines)}
        extra_total = max(0, came - on_order)
        newest = _oldest_first(lines)[-1].po_line_id
        for line in lines:
            now = given.get(line.po_line_id, 0)
            if now == 0 and line.remaining == 0:
                continue
            status, note = _note(line, now)
            extra = extra_total if line.po_line_id == newest else 0
            question = None
            if extra:
                only = f"only {on_order} are" if on_order else "none are"
                question = (f"You received {came} of {sku} but {only} on order: "
                            f"book the {extra} extra?")
            out.append(ReceiptLine(sku, line.po_line_id, line.po_number, line.ordered,
                                   line.received, line.remaining, now, extra, status, note,
                                   question, line.product_id))
    out.sort(key=lambda r: (r.po_number, r.po_line_id or 0))

    for sku, came in received.items():
        if came and sku not in by_sku:
            out.append(ReceiptLine(
                sku, None, "", 0, 0, 0, came, came, ReceiptStatus.UNEXPECTED,
                f"{came} of {sku} received: it is on no open purchase order.",
                f"{sku} is not on any open purchase order: book the {came} received "
                "into stock anyway?"))
    return tuple(out)


# --- booking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    """A goods-in movement to book, and the purchase order line it counts against."""

    sku: str
    quantity: int
    location: str
    po_line_id: int | None
    product_id: int | None = None


def bookings(lines: Iterable[ReceiptLine], *, bins: Mapping[str, str],
             book_extra: Collection[str] = (), book_unexpected: Collection[str] = ()
             ) -> tuple[Booking, ...]:
    """What to book once the questions are answered: SKUs in `book_extra` keep their extra,
    SKUs in `book_unexpected` are booked without an order line; the rest are left out.

    `bins` holds the chosen bin per SKU; every SKU booked needs one.
    """
    out = []
    for r in lines:
        if r.status is ReceiptStatus.UNEXPECTED:
            quantity = r.received_now if r.sku in book_unexpected else 0
        else:
            quantity = r.received_now - (0 if r.sku in book_extra else r.extra)
        if quantity <= 0:
            continue
        location = bins.get(r.sku)
        if not location:
            raise DomainError(f"Choose a bin for the {quantity} of {r.sku} before booking.")
        out.append(Booking(r.sku, quantity, location, r.po_line_id, r.product_id))
    return tuple(out)


def apply_bookings(lines: Iterable[OpenLine], booked: Iterable[Booking]
                   ) -> tuple[OpenLine, ...]:
    """The order lines with this delivery's bookings added to what they have received."""
    add: dict[int, int] = {}
    for b in booked:
        if b.po_line_id is not None:
            add[b.po_line_id] = add.get(b.po_line_id, 0) + b.quantity
    return tuple(replace(ln, received=ln.received + add[ln.po_line_id])
                 if ln.po_line_id in add else ln for ln in lines)


def po_status_after(current: PurchaseOrderStatus, lines: Iterable[OpenLine]
                    ) -> PurchaseOrderStatus:
    """A purchase order's status once its lines stand at `lines`: received when every line
    has come in full, partly received when anything has, else unchanged."""
    current = PurchaseOrderStatus(current)
    if current not in (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED):
        raise DomainError(f"A purchase order that is {current.value.replace('_', ' ')} "
                          "cannot receive goods; only sent or partly received ones can.")
    lines = list(lines)
    if lines and all(ln.received >= ln.ordered for ln in lines):
        wanted = PurchaseOrderStatus.RECEIVED
    elif any(ln.received > 0 for ln in lines):
        wanted = PurchaseOrderStatus.PARTLY_RECEIVED
    else:
        return current
    if wanted is not current:
        check_transition(current, wanted)
    return wanted


# --- which bin ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BinHistory:
    """What is known about one product in one bin."""

    location: str
    on_hand: int = 0
    times_received: int = 0
    last_received_at: datetime | None = None
    walk_sequence: int = 0


@dataclass(frozen=True)
class BinSuggestion:
    location: str | None  # None: no idea, the user chooses
    reason: str


def iso_day(moment: datetime) -> str:
    """A date as written for machines, '2026-08-21': the default, for callers who do not know
    the reader's time zone."""
    return f"{moment:%Y-%m-%d}"


def suggest_bin(sku: str, history: Iterable[BinHistory], *, default: str | None = None,
                day: Callable[[datetime], str] = iso_day) -> BinSuggestion:
    """Where the goods usually live: the bin holding most of it now, else where it was last
    received, else the goods-in default bin. `day` words the last receipt's date for the
    reader (in their time zone, which the domain does not know).

    Keeping a product in the bin it already fills saves splitting it across the walk.
    """
    bins = list(history)
    stocked = [b for b in bins if b.on_hand > 0]
    if stocked:
        best = min(stocked, key=lambda b: (-b.on_hand, _not_recent(b), -b.times_received,
                                           b.walk_sequence, b.location))
        return BinSuggestion(best.location, f"{best.on_hand} of {sku} are in {best.location} "
                                            "now.")
    received = [b for b in bins if b.last_received_at is not None]
    if received:
        best = min(received, key=lambda b: (_not_recent(b), -b.times_received,
                                            b.walk_sequence, b.location))
        return BinSuggestion(best.location, f"None in stock; {sku} was last received into "
                                            f"{best.location} on {day(best.last_received_at)}.")
    if default:
        return BinSuggestion(default, f"{sku} has no bin yet: the goods-in bin {default}.")
    return BinSuggestion(None, f"{sku} has no bin yet: choose one.")


def _not_recent(b: BinHistory) -> float:
    """Sorts the latest receipt first, never-received last."""
    return float("inf") if b.last_received_at is None else -b.last_received_at.timestamp()
