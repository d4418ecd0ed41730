"""Inventory tab: products with their stock, read a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.db.models import Category, Location, Product, StockLevel
from app.domain.access import Can
from app.domain.barcodes import same_code
from app.services.access import requires
from app.services.paging import Listing, Page, PageRequest, keyset_page
from app.services.search import prefix_range, query_terms


@dataclass(frozen=True)
class ProductRow:
    id: int
    sku: str
    title: str
    category: str
    on_hand: int
    reserved: int
    available: int
    location: str  # first bin on the walk, '+n' when in more
    made_to_order: bool
    parent_id: int | None = None  # a variant's parent product (a t-shirt in sizes)
    active: bool = True  # switched off products show only with Show switched off


def _stock(col):  # type: ignore[no-untyped-def]
    return (select(func.coalesce(func.sum(col), 0))
            .where(StockLevel.product_id == Product.id).scalar_subquery())


ON_HAND = _stock(StockLevel.on_hand)
RESERVED = _stock(StockLevel.reserved)
FIRST_BIN = (select(Location.code).join(StockLevel, StockLevel.location_id == Location.id)
             .where(StockLevel.product_id == Product.id)
             .order_by(Location.walk_sequence, Location.id).limit(1).scalar_subquery())
BIN_COUNT = (select(func.count()).select_from(StockLevel)
             .where(StockLevel.product_id == Product.id).scalar_subquery())

LISTING = Listing(
    sort_keys={
        "sku": Product.sku,
        "title": Product.title_key,
        "category": func.coalesce(Category.name, ""),
        "on_hand": ON_HAND,
        "reserved": RESERVED,
        "available": ON_HAND - RESERVED,
        "location": func.coalesce(FIRST_BIN, ""),
        # Variants follow their parent product: a family's key is its parent's id, doubled,
        # and one more for the variants, so the parent leads even when it is the newest.
        "family": func.coalesce(Product.parent_id, Product.id) * 2
        + case((Product.parent_id.is_not(None), 1), else_=0),
    },
    default_sort="sku",
    default_descending=False,
    tiebreak=Product.id,
)


def _where(req: PageRequest):  # type: ignore[no-untyped-def]
    conds = [] if req.filter("inactive") else [Product.active.is_(True)]
    words = []
    for term in query_terms(req.search):
        like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        words.append(or_(prefix_range(Product.sku, term.upper()), prefix_range(Product.sku, term),
                         Product.barcode == term, Product.title_key.like(like, escape="\\")))
    raw = req.search.strip()
    if words:  # a scanned own barcode or a mixed-case SKU, exactly as typed, finds it too
        conds.append(or_(Product.barcode.in_(same_code(raw)), Product.sku == raw, and_(*words)))
    category = req.filter("category")
    if category:
        conds.append(Category.code == category)
    return conds


@requires(Can.SEE_INVENTORY)
def list_page(session: Session, req: PageRequest) -> Page[ProductRow]:
    stmt = (select(Product.id, Product.sku, Product.title, func.coalesce(Category.name, ""),
                   ON_HAND, RESERVED, FIRST_BIN, BIN_COUNT, Product.made_to_order,
                   Product.parent_id, Product.active)
            .outerjoin(Category, Category.id == Product.category_id)
            .where(*_where(req)))

    def row(r) -> ProductRow:  # type: ignore[no-untyped-def]
        bin_code = r[6] or ""
        if r[7] and r[7] > 1:
            bin_code = f"{bin_code} (+{r[7] - 1})"
        return ProductRow(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), int(r[4] - r[5]),
                          bin_code, bool(r[8]), r[9], bool(r[10]))

    return keyset_page(session, stmt, LISTING, req, row)


@requires(Can.SEE_INVENTORY)
def count(session: Session, req: PageRequest) -> int:
    stmt = (select(func.count()).select_from(Product)
            .outerjoin(Category, Category.id == Product.category_id).where(*_where(req)))
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True)
class CategoryOption:
    code: str
    name: str


@requires(Can.SEE_INVENTORY)
def categories(session: Session) -> tuple[CategoryOption, ...]:
    """The categories to filter by, in name order."""
    return tuple(CategoryOption(c, n) for c, n in session.execute(
        select(Category.code, Category.name).order_by(Category.name)))
