"""Bins in the stock room: adding, changing and retiring them, their order on the picking walk,
where a product sits, and stock moved between bins or adjusted at one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import Location, Product, StockLevel
from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.stock import MovementReason
from app.services import stock
from app.services.access import requires
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.search import query_terms
from app.services.uow import UnitOfWork

CODE_MAX = 40
NAME_MAX = 120
NOTE_MAX = 500
REFERENCE_MAX = 120
WALK_STEP = 10
WALK_MAX = 1_000_000_000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
# What "Adjust stock…" may book, and which way each goes (None: either way).
ADJUST_REASONS: dict[MovementReason, int | None] = {
    MovementReason.ADJUSTMENT: None,
    MovementReason.DAMAGE: -1,
    MovementReason.RETURN: +1,
}


# --- the list of bins ----------------------------------------------------------------------


@dataclass(frozen=True)
class LocationRow:
    id: int
    code: str
    name: str
    walk_sequence: int
    active: bool
    last_counted_at: datetime | None
    products: int  # products with stock (on hand or reserved) here
    units: int  # units on hand here


PRODUCTS_HERE = (select(func.count()).select_from(StockLevel)
                 .where(StockLevel.location_id == Location.id,
                        or_(StockLevel.on_hand != 0, StockLevel.reserved != 0))
                 .scalar_subquery())
UNITS_HERE = (select(func.coalesce(func.sum(StockLevel.on_hand), 0))
              .where(StockLevel.location_id == Location.id).scalar_subquery())

LISTING = Listing(
    sort_keys={
        "walk": Location.walk_sequence,
        "code": Location.code,
        "name": Location.name,
        "last_counted": func.coalesce(Location.last_counted_at, ""),
        "products": PRODUCTS_HERE,
        "units": UNITS_HERE,
    },
    default_sort="walk",
    default_descending=False,
    tiebreak=Location.id,
)


def _where(req: PageRequest):  # type: ignore[no-untyped-def]
    conds = []
    if not req.filter("inactive", False):
        conds.append(Location.active.is_(True))
    for term in query_terms(req.search):
        like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds.append(or_(Location.code.ilike(like, escape="\\"),
                         Location.name.ilike(like, escape="\\")))
    return conds


@requires(Can.SEE_INVENTORY)
def list_page(session: Session, req: PageRequest) -> Page[LocationRow]:
    """Bins in walk order (or as sorted), active only unless filter ("inactive", True)."""
    stmt = (select(Location.id, Location.code, Location.name, Location.walk_sequence,
                   Location.active, Location.last_counted_at, PRODUCTS_HERE, UNITS_HERE)
            .where(*_where(req)))
    return keyset_page(session, stmt, LISTING, req, lambda r: LocationRow(
        r[0], r[1], r[2], r[3], bool(r[4]), r[5], int(r[6]), int(r[7])))


@requires(Can.SEE_INVENTORY)
def count(session: Session, req: PageRequest) -> int:
    return int(session.scalar(select(func.count()).select_from(Location)
                              .where(*_where(req))) or 0)


@dataclass(frozen=True)
class BinOption:
    id: int
    code: str
    name: str


@requires(Can.SEE_INVENTORY)
def bin_options(session: Session) -> tuple[BinOption, ...]:
    """Active bins in walk order, for choosing one."""
    return tuple(BinOption(*r) for r in session.execute(
        select(Location.id, Location.code, Location.name).where(Location.active.is_(True))
        .order_by(Location.walk_sequence, Location.code)))


# --- adding and changing a bin -------------------------------------------------------------


@dataclass(frozen=True)
class LocationForm:
    code: str
    name: str = ""
    walk_sequence: int | None = None  # None: at the end of the walk


@requires(Can.SEE_INVENTORY)
def location_form(session: Session, location_id: int) -> LocationForm:
    location = _get(session, location_id)
    return LocationForm(location.code, location.name, location.walk_sequence)


def _get(session: Session, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise DomainError("That bin no longer exists; refresh and try again.")
    return location


def _problems(session: Session, location_id: int | None, form: LocationForm) -> list[str]:
    problems = []
    if not form.code:
        problems.append("Give the bin a code, e.g. A-03-2.")
    elif len(form.code) > CODE_MAX:
        problems.append(f"A bin code has at most {CODE_MAX} characters.")
    elif not _CODE.match(form.code):
        problems.append("A bin code is letters, digits and - . / _ (no spaces), "
                        "starting with a letter or digit.")
    else:
        taken = session.scalar(select(Location.id).where(
            func.lower(Location.code) == form.code.lower(),
            Location.id != (location_id or 0)))
        if taken is not None:
            problems.append(f"There is already a bin {form.code}.")
    if len(form.name) > NAME_MAX:
        problems.append(f"A bin's name has at most {NAME_MAX} characters.")
    if form.walk_sequence is not None and not 0 <= form.walk_sequence <= WALK_MAX:
        problems.append(f"The walk position is a number from 0 to {WALK_MAX:,}.")
    return problems


def _end_of_walk(session: Session) -> int:
    top = session.scalar(select(func.max(Location.walk_sequence)))
    return (top or 0) + WALK_STEP


@requires(Can.CHANGE_SETTINGS)
def save_location(uow: UnitOfWork, location_id: int | None, form: LocationForm) -> int:
    """Add a bin (location_id None) or change one; every problem is named at once."""
    form = LocationForm(form.code.strip(), form.name.strip(), form.walk_sequence)
    with uow:
        s = uow.session
        location = None if location_id is None else _get(s, location_id)
        problems = _problems(s, location_id, form)
        if problems:
            raise DomainError("The bin was not saved:\n" + "\n".join(f"• {p}" for p in problems))
        walk_sequence = form.walk_sequence
        if walk_sequence is None:
            walk_sequence = location.walk_sequence if location is not None else _end_of_walk(s)
        if location is None:
            location = Location(active=True)
            s.add(location)
        location.code, location.name = form.code, form.name
        location.walk_sequence = walk_sequence
        try:
            s.flush()
        except IntegrityError as exc:
            raise DomainError(f"The bin was not saved:\n• There is already a bin "
                              f"{form.code}.") from exc
        saved = location.id
        uow.changed(stock=True)
        uow.commit()
    return saved


@requires(Can.CHANGE_SETTINGS)
def set_location_active(uow: UnitOfWork, location_id: int, active: bool) -> Changes:
    """Retire a bin (only once it is empty) or bring it back."""
    with uow:
        s = uow.session
        location = _get(s, location_id)
        if location.active == active:
            raise DomainError(f"{location.code} is already {'in use' if active else 'retired'}.")
        if not active:
            held = s.execute(select(func.count(), func.coalesce(func.sum(StockLevel.on_hand), 0),
                                    func.coalesce(func.sum(StockLevel.reserved), 0))
                             .where(StockLevel.location_id == location_id,
                                    or_(StockLevel.on_hand != 0,
                                        StockLevel.reserved != 0))).one()
            if held[0]:
                raise DomainError(
                    f"{location.code} still holds {held[1]:,} units of "
                    f"{held[0]:,} product{'s' if held[0] != 1 else ''}"
                    + (f" ({held[2]:,} promised to orders)" if held[2] else "")
                    + ". Move them to another bin (or count the bin) before retiring it.")
        location.active = active
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


# --- the walk ------------------------------------------------------------------------------


def _walk(session: Session) -> list[Location]:
    return list(session.scalars(select(Location)
                                .order_by(Location.walk_sequence, Location.code, Location.id)))


@requires(Can.CHANGE_SETTINGS)
def move_in_walk(uow: UnitOfWork, location_id: int, steps: int) -> Changes:
    """Move a bin earlier (steps < 0) or later on the walk; the others keep their order.

    Bins are renumbered in steps of 10 when there is no room between their neighbours.
    """
    with uow:
        s = uow.session
        walk = _walk(s)
        at = next((i for i, b in enumerate(walk) if b.id == location_id), None)
        if at is None:
            raise DomainError("That bin no longer exists; refresh and try again.")
        to = max(0, min(len(walk) - 1, at + steps))
        if to != at:
            walk.insert(to, walk.pop(at))
            low = walk[to - 1].walk_sequence if to > 0 else -1
            high = walk[to + 1].walk_sequence if to + 1 < len(walk) else None
            if high is None:
                walk[to].walk_sequence = max(low, 0) + WALK_STEP
            elif high - low > 1:
                walk[to].walk_sequence = (low + high) // 2
            else:
                _renumber(walk)
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


def _renumber(walk: list[Location]) -> None:
    for i, location in enumerate(walk, start=1):
        location.walk_sequence = i * WALK_STEP


@requires(Can.CHANGE_SETTINGS)
def renumber_walk(uow: UnitOfWork, ordered_ids: list[int] | None = None) -> Changes:
    """Number the walk 10, 20, 30… in its present order, or in the order given (bins left
    out of `ordered_ids` follow in their present order)."""
    with uow:
        walk = _walk(uow.session)
        if ordered_ids is not None:
            rank = {lid: i for i, lid in enumerate(ordered_ids)}
            walk.sort(key=lambda b: (0, rank[b.id]) if b.id in rank else (1, 0))
        _renumber(walk)
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


# --- where a product sits ------------------------------------------------------------------


@dataclass(frozen=True)
class BinStock:
    location_id: int
    code: str
    on_hand: int
    reserved: int
    active: bool

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class ProductStock:
    """A product with its stock in every bin it sits in, in walk order."""

    product_id: int
    sku: str
    title: str
    barcode: str | None
    allow_negative_stock: bool
    cost_minor: int
    cost_currency: str
    bins: tuple[BinStock, ...]

    @property
    def on_hand(self) -> int:
        return sum(b.on_hand for b in self.bins)

    @property
    def reserved(self) -> int:
        return sum(b.reserved for b in self.bins)


@requires(Can.SEE_INVENTORY)
def product_stock(session: Session, product_id: int) -> ProductStock:
    product = session.get(Product, product_id)
    if product is None:
        raise DomainError("That product no longer exists; refresh and try again.")
    bins = tuple(BinStock(*r) for r in session.execute(
        select(Location.id, Location.code, StockLevel.on_hand, StockLevel.reserved,
               Location.active)
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.product_id == product_id)
        .order_by(Location.walk_sequence, Location.code)))
    return ProductStock(product.id, product.sku, product.title, product.barcode,
                        product.allow_negative_stock, product.cost_minor, product.cost_currency,
                        bins)


@dataclass(frozen=True)
class BinContent:
    product_id: int
    sku: str
    title: str
    on_hand: int
    reserved: int


BIN_CONTENTS_MAX = 1_000


@requires(Can.SEE_INVENTORY)
def bin_contents(session: Session, location_id: int,
                 limit: int = BIN_CONTENTS_MAX) -> tuple[BinContent, ...]:
    """What a bin holds (products with stock on hand or promised there), by SKU."""
    return tuple(BinContent(*r) for r in session.execute(
        select(Product.id, Product.sku, Product.title, StockLevel.on_hand, StockLevel.reserved)
        .join(Product, Product.id == StockLevel.product_id)
        .where(StockLevel.location_id == location_id,
               or_(StockLevel.on_hand != 0, StockLevel.reserved != 0))
        .order_by(Product.sku).limit(limit)))


# --- moving and adjusting stock ------------------------------------------------------------


def _level(session: Session, product_id: int, location_id: int) -> StockLevel | None:
    return session.get(StockLevel, (product_id, location_id))


@requires(Can.SEE_INVENTORY)
def move_stock(uow: UnitOfWork, product_id: int, from_location_id: int, to_location_id: int,
               quantity: int, note: str = "") -> Changes:
    """Move stock between bins: a transfer out of one and into the other, both or neither.

    Stock promised to orders moves with it when the free stock left behind is not enough.
    """
    note = note.strip()[:NOTE_MAX]
    with uow:
        s = uow.session
        source, target = _get(s, from_location_id), _get(s, to_location_id)
        product = s.get(Product, product_id)
        if product is None:
            raise DomainError("That product no longer exists; refresh and try again.")
        if quantity <= 0:
            raise DomainError(f"Move at least one {product.sku}; {quantity} moves nothing.")
        if source.id == target.id:
            raise DomainError(f"{product.sku} is already in {source.code}; choose another bin "
                              "to move it to.")
        if not target.active:
            raise DomainError(f"{target.code} is retired; bring it back into use first, or "
                              "choose another bin.")
        level = _level(s, product_id, source.id)
        on_hand, reserved = (level.on_hand, level.reserved) if level is not None else (0, 0)
        if quantity > on_hand:
            raise DomainError(f"{source.code} holds {on_hand:,} × {product.sku}; "
                              f"{quantity:,} cannot be moved out of it.")
        reference = f"{source.code} → {target.code}"[:REFERENCE_MAX]
        stock.book_movement(s, product_id=product_id, location_id=source.id,
                            quantity=-quantity, reason=MovementReason.TRANSFER,
                            actor=uow.actor, reference=reference, note=note)
        stock.book_movement(s, product_id=product_id, location_id=target.id,
                            quantity=quantity, reason=MovementReason.TRANSFER,
                            actor=uow.actor, reference=reference, note=note)
        carry = min(reserved, max(0, quantity - max(0, on_hand - reserved)))
        if carry:
            s.flush()
            assert level is not None
            level.reserved -= carry
            moved_to = _level(s, product_id, target.id)
            assert moved_to is not None
            moved_to.reserved += carry
        uow.changed(stock=True)
        uow.commit()
    return uow.changes


@requires(Can.SEE_INVENTORY)
def adjust_stock(uow: UnitOfWork, product_id: int, location_id: int, quantity: int,
                 reason: MovementReason, note: str, reference: str = "") -> Changes:
    """Book an adjustment (either way), damage (out) or a return (in) at one bin, with why.

    For damage and returns `quantity` is how many; for an adjustment it is signed.
    Going below zero is refused unless the product allows negative stock.
    """
    reason = MovementReason(reason)
    if reason not in ADJUST_REASONS:
        raise DomainError(f"Stock is not adjusted as “{reason}” here; choose adjustment, "
                          "damage or return.")
    note, reference = note.strip(), reference.strip()
    if not note:
        raise DomainError("Say why the stock changes (a short note), so the ledger explains "
                          "itself later.")
    if len(note) > NOTE_MAX or len(reference) > REFERENCE_MAX:
        raise DomainError(f"The note has at most {NOTE_MAX} characters and the reference "
                          f"{REFERENCE_MAX}.")
    way = ADJUST_REASONS[reason]
    if way is not None:
        if quantity <= 0:
            raise DomainError(f"Give how many were {'damaged' if way < 0 else 'returned'}: "
                              "1 or more.")
        quantity *= way
    with uow:
        s = uow.session
        location = _get(s, location_id)
        if quantity > 0 and not location.active:
            raise DomainError(f"{location.code} is retired; put the stock in another bin.")
        stock.book_movement(s, product_id=product_id, location_id=location_id,
                            quantity=quantity, reason=reason, actor=uow.actor,
                            reference=reference, note=note)
        uow.changed(stock=True)
        uow.commit()
    return uow.changes
