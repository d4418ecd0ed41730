"""The catalogue: adding and changing a product (details, attributes, photos, barcode, prices,
suppliers, channel listings, variants), bulk edits of many, and finding one by a scanned code.

Every save checks the whole form first and names every problem at once; nothing is written
until all is right. Photos are checked with Pillow and copied into the data folder under a
name made from their content, so the same picture added twice is stored once.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.config import Config
from app.db.models import (
    Category,
    Channel,
    Listing,
    Product,
    ProductPhoto,
    Supplier,
    SupplierProduct,
    utcnow,
)
from app.domain.access import Can
from app.domain.barcodes import NAMES, detect_kind, same_code
from app.domain.catalogue_rows import SKU_MAX, TITLE_MAX, parse_price
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.money import exponent
from app.services import history, stock
from app.services.access import requires
from app.services.uow import UnitOfWork

PHOTOS = "photos"  # the folder under the data folder; ProductPhoto.path starts with it
THUMBS = "thumbs"
THUMB_SIZES = (48, 160)  # the list's and the editor's, made when a photo is added
PHOTOS_MAX = 20
ATTRIBUTE_KEY_MAX, ATTRIBUTE_VALUE_MAX = 60, 300
CODE_MAX = 120  # supplier codes, channel SKUs and external ids
WEIGHT_MAX_G = 1_000_000
COUNT_MAX = 1_000_000  # pack sizes, minimum orders, most shown
IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif",
                 "BMP": ".bmp", "TIFF": ".tif"}
_PHOTO_PATH = re.compile(rf"{PHOTOS}/[0-9a-f]{{16,64}}\.[a-z]{{3,4}}")
_CHUNK = 900  # ids per IN (...): below SQLite's bound-parameter limit


# --- what the editor sends and shows ------------------------------------------------------


@dataclass(frozen=True)
class SupplierLinkForm:
    """A supplier we buy the product from: their code for it, how it comes packed, its cost."""

    supplier_id: int
    supplier_code: str = ""
    pack_size: int = 1
    minimum_order: int = 1
    unit_cost: str = ""  # as typed, in `currency`; empty is 0
    currency: str = "GBP"


@dataclass(frozen=True)
class ListingForm:
    """The product on a channel; `price` empty means no override (the product's price)."""

    channel_id: int
    channel_sku: str
    external_id: str = ""
    title_override: str = ""
    price: str = ""  # in the channel's currency
    push_stock: bool = True
    max_shown: int | None = None
    id: int | None = None  # the listing's own id when it exists already


@dataclass(frozen=True)
class ProductForm:
    """A product as the editor shows and sends it: money as typed, the parent by its SKU."""

    sku: str
    title: str
    description: str = ""
    category_id: int | None = None
    parent_sku: str = ""  # empty: not a variant
    barcode: str = ""
    cost: str = ""
    cost_currency: str = "GBP"
    price: str = ""
    price_currency: str = "GBP"
    weight_g: int | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    photos: tuple[str, ...] = ()  # paths under the data folder, first is the main one
    suppliers: tuple[SupplierLinkForm, ...] = ()
    listings: tuple[ListingForm, ...] = ()
    made_to_order: bool = False
    allow_negative_stock: bool = False
    active: bool = True


@dataclass(frozen=True)
class Option:
    id: int
    name: str
    currency: str = ""  # a channel's


@dataclass(frozen=True)
class EditorOptions:
    categories: tuple[Option, ...]
    suppliers: tuple[Option, ...]
    channels: tuple[Option, ...]
    currencies: tuple[str, ...]
    default_currency: str


@dataclass(frozen=True)
class ProductSummary:
    id: int
    sku: str
    title: str
    category: str = ""
    barcode: str = ""
    parent_sku: str = ""
    active: bool = True


@dataclass(frozen=True)
class Family:
    """A product's variants group: the parent and every variant of it, by SKU."""

    parent: ProductSummary | None
    variants: tuple[ProductSummary, ...]


@dataclass(frozen=True)
class SavedProduct:
    id: int
    sku: str
    changes: Changes


@dataclass(frozen=True)
class BulkEdit:
    """What to change on every selected product; None / "" leaves that field as it is."""

    category_id: int | None = None
    price: str = ""  # set every price to this, in price_currency
    price_currency: str = ""
    price_percent: str = ""  # or change every price by this many percent: "10", "-5.5"
    supplier_id: int | None = None  # link this supplier (their code etc. can follow later)


# --- reading ------------------------------------------------------------------------------


def amount_text(minor: int, currency: str) -> str:
    """Minor units as a person types them: 1250 GBP -> '12.50'; 0 is empty."""
    if not minor:
        return ""
    places = exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


@requires(Can.SEE_INVENTORY)
def default_currency(session: Session) -> str:
    """The currency most products are priced in (GBP in a new workshop)."""
    row = session.execute(select(Product.price_currency, func.count())
                          .group_by(Product.price_currency)
                          .order_by(func.count().desc()).limit(1)).first()
    return row[0] if row else "GBP"


@requires(Can.SEE_INVENTORY)
def editor_options(session: Session) -> EditorOptions:
    """The choices the product editor offers: categories, suppliers, channels, currencies."""
    categories = tuple(Option(i, n) for i, n in session.execute(
        select(Category.id, Category.name).order_by(func.lower(Category.name))))
    suppliers = tuple(Option(i, n) for i, n in session.execute(
        select(Supplier.id, Supplier.name).order_by(func.lower(Supplier.name))))
    channels = tuple(Option(i, n, c) for i, n, c in session.execute(
        select(Channel.id, Channel.name, Channel.currency).order_by(func.lower(Channel.name))))
    used = set(session.scalars(select(Product.price_currency).distinct()))
    used |= {c.currency for c in channels} | {"GBP", "EUR", "USD"}
    default = default_currency(session)
    return EditorOptions(categories, suppliers, channels,
                         tuple(sorted(used, key=lambda c: (c != default, c))), default)


def _get(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise DomainError("That product no longer exists; refresh the list.")
    return product


@requires(Can.SEE_INVENTORY)
def product_form(session: Session, product_id: int) -> ProductForm:
    """A product as the editor shows it."""
    p = _get(session, product_id)
    parent = session.scalar(select(Product.sku).where(Product.id == p.parent_id)) \
        if p.parent_id else None
    photos = tuple(session.scalars(select(ProductPhoto.path)
                                   .where(ProductPhoto.product_id == product_id)
                                   .order_by(ProductPhoto.position, ProductPhoto.id)))
    suppliers = tuple(
        SupplierLinkForm(sp.supplier_id, sp.supplier_code, sp.pack_size, sp.minimum_order,
                         amount_text(sp.unit_cost_minor, sp.currency), sp.currency)
        for sp in session.scalars(
            select(SupplierProduct).join(Supplier, Supplier.id == SupplierProduct.supplier_id)
            .where(SupplierProduct.product_id == product_id)
            .order_by(func.lower(Supplier.name))))
    listings = tuple(
        ListingForm(li.channel_id, li.channel_sku, li.external_id or "",
                    li.title_override or "", amount_text(li.price_minor, li.currency),
                    li.push_stock, li.max_shown, li.id)
        for li in session.scalars(select(Listing).where(Listing.product_id == product_id)
                                  .order_by(Listing.channel_id, Listing.id)))
    attributes = tuple((str(k), "" if v is None else str(v))
                       for k, v in (p.attributes or {}).items())
    return ProductForm(
        sku=p.sku, title=p.title, description=p.description or "", category_id=p.category_id,
        parent_sku=parent or "", barcode=p.barcode or "",
        cost=amount_text(p.cost_minor, p.cost_currency), cost_currency=p.cost_currency,
        price=amount_text(p.price_minor, p.price_currency), price_currency=p.price_currency,
        weight_g=p.weight_g, attributes=attributes, photos=photos, suppliers=suppliers,
        listings=listings, made_to_order=p.made_to_order,
        allow_negative_stock=p.allow_negative_stock, active=p.active)


def _summaries(session: Session, *where: Any) -> list[ProductSummary]:
    parent = Product.__table__.alias("parent")
    rows = session.execute(
        select(Product.id, Product.sku, Product.title, func.coalesce(Category.name, ""),
               func.coalesce(Product.barcode, ""), func.coalesce(parent.c.sku, ""),
               Product.active)
        .outerjoin(Category, Category.id == Product.category_id)
        .outerjoin(parent, parent.c.id == Product.parent_id)
        .where(*where).order_by(Product.sku))
    return [ProductSummary(*r) for r in rows]


@requires(Can.SEE_INVENTORY)
def product_family(session: Session, product_id: int) -> Family:
    """The variants group a product belongs to (its parent and the parent's variants), or
    its own variants when it is a parent; empty when it stands alone."""
    p = _get(session, product_id)
    head = p.parent_id or p.id
    parent = _summaries(session, Product.id == head)
    variants = _summaries(session, Product.parent_id == head)
    if not variants:
        return Family(None, ())
    return Family(parent[0] if parent else None, tuple(variants))


@requires(Can.SEE_INVENTORY)
def product_by_sku(session: Session, sku: str) -> ProductSummary:
    """The product with this SKU (ignoring case), or a DomainError saying there is none."""
    wanted = sku.strip()
    found = _summaries(session, Product.sku == wanted) or _summaries(
        session, func.lower(Product.sku) == func.lower(wanted))
    if not found:
        raise DomainError(f"No product has the SKU {wanted!r}.")
    return found[0]


@requires(Can.SEE_INVENTORY)
def find_by_code(session: Session, code: str) -> ProductSummary:
    """The product a scanned code belongs to: its barcode, else its SKU (labels of products
    without a barcode carry the SKU). An unknown code is a DomainError that says so."""
    code = code.strip()
    if not code:
        raise DomainError("Scan or type a barcode first.")
    found = _summaries(session, Product.barcode.in_(same_code(code))) or _summaries(
        session, Product.sku == code)
    if found:
        return found[0]
    try:
        detect_kind(code)
    except DomainError as why:
        raise DomainError(f"No product has barcode {code}, and it cannot be one: {why}. "
                          "Scan it again.") from None
    raise DomainError(f"No product has barcode {code} — link it to a product?")


@requires(Can.SEE_INVENTORY)
def first_photos(session: Session, product_ids: Sequence[int]) -> dict[int, str]:
    """Each product's main photo (the first), for thumbnails in a list."""
    out: dict[int, str] = {}
    for chunk in _chunks(list(product_ids)):
        for pid, path in session.execute(
                select(ProductPhoto.product_id, ProductPhoto.path)
                .where(ProductPhoto.product_id.in_(chunk))
                .order_by(ProductPhoto.product_id, ProductPhoto.position.desc(),
                          ProductPhoto.id.desc())):
            out[pid] = path  # the last written per product is its first photo
    return out


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- photos (files in the data folder) ----------------------------------------------------


def photo_file(config: Config, path: str) -> Path:
    """Where a stored photo's file is."""
    return config.data_dir / path


def store_photo(config: Config, source: Path | str) -> str:
    """Check that the file is a picture (Pillow opens and verifies it), copy it into the
    photos folder named by its content, make its thumbnails, and return its stored path.
    A file that is not a picture is refused by its name."""
    from PIL import Image, UnidentifiedImageError

    source = Path(source)
    refused = (f"{source.name} is not a picture Backroom can read (JPEG, PNG, WebP, GIF, "
               "BMP or TIFF), so it was not added.")
    try:
        with Image.open(source) as image:
            kind = image.format or ""
            image.verify()
    except FileNotFoundError:
        raise DomainError(f"{source.name} is not there any more; choose it again.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise DomainError(refused) from None
    if kind not in IMAGE_FORMATS:
        raise DomainError(refused)
    digest = hashlib.sha256()
    with source.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    name = digest.hexdigest()[:32] + IMAGE_FORMATS[kind]
    target = config.photos_dir / name
    if not target.exists():
        config.photos_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(source, partial)
        partial.replace(target)
    stored = f"{PHOTOS}/{name}"
    for size in THUMB_SIZES:
        thumbnail(config, stored, size)
    return stored


def thumbnail(config: Config, path: str, size: int = THUMB_SIZES[0]) -> Path | None:
    """A PNG at most `size` pixels square of a stored photo, made once and kept under
    photos/thumbs; None when the photo's file is missing or unreadable."""
    from PIL import Image

    source = photo_file(config, path)
    target = config.photos_dir / THUMBS / f"{Path(path).stem}-{size}.png"
    if target.exists():
        return target
    try:
        with Image.open(source) as image:
            image.draft("RGB", (size * 2, size * 2))  # JPEGs decode at a fraction: fast
            image.thumbnail((size, size))
            picture = image.convert("RGBA")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            picture.save(partial, "PNG")
            partial.replace(target)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return target


# --- checking a form ----------------------------------------------------------------------


def _clean(form: ProductForm) -> ProductForm:
    def one_line(text: str) -> str:
        return " ".join(text.split())

    return replace(
        form, sku=form.sku.strip(), title=one_line(form.title),
        description=form.description.strip(), parent_sku=form.parent_sku.strip(),
        barcode=form.barcode.replace(" ", "").strip(), cost=form.cost.strip(),
        price=form.price.strip(), cost_currency=form.cost_currency.strip().upper(),
        price_currency=form.price_currency.strip().upper(),
        attributes=tuple((one_line(k), v.strip()) for k, v in form.attributes
                         if k.strip() or v.strip()),
        suppliers=tuple(replace(s, supplier_code=s.supplier_code.strip(),
                                unit_cost=s.unit_cost.strip(),
                                currency=s.currency.strip().upper()) for s in form.suppliers),
        listings=tuple(replace(li, channel_sku=li.channel_sku.strip(),
                               external_id=li.external_id.strip(),
                               title_override=one_line(li.title_override),
                               price=li.price.strip()) for li in form.listings))


def _money(text: str, currency: str, what: str, problems: list[str]) -> int:
    if not text:
        return 0
    if len(currency) != 3 or not currency.isalpha():
        problems.append(f"{what}: {currency!r} is not a currency code (like GBP).")
        return 0
    try:
        return parse_price(text, currency).minor
    except DomainError as why:
        problems.append(f"{what}: {why}")
        return 0


def barcode_problem(code: str) -> str | None:
    """Why a product barcode is wrong (EAN-13/UPC-A check digit, Code 128 characters)."""
    if not code:
        return None
    try:
        detect_kind(code)
    except DomainError as why:
        return str(why)
    return None


def barcode_kind(code: str) -> str:
    """'EAN-13', 'UPC-A', 'EAN-8' or 'Code 128': what a valid barcode will print as."""
    return NAMES[detect_kind(code)]


def _barcode_owner(session: Session, code: str, product_id: int | None) -> str | None:
    row = session.execute(select(Product.sku, Product.title).where(
        Product.barcode.in_(same_code(code)), Product.id != (product_id or 0))).first()
    return None if row is None else f"{row[0]} ({row[1]})"


@dataclass
class _Checked:
    """A form's values once checked: money in minor units, the parent's id."""

    parent_id: int | None = None
    cost: int = 0
    price: int = 0
    supplier_costs: tuple[int, ...] = ()
    listing_prices: tuple[int, ...] = ()
    channel_currency: dict[int, str] | None = None


def _problems(session: Session, product_id: int | None, form: ProductForm
              ) -> tuple[list[str], _Checked]:
    """Everything wrong with the form, in words; empty when it can be saved."""
    problems: list[str] = []
    out = _Checked()
    if not form.sku:
        problems.append("Give the product a SKU.")
    elif len(form.sku) > SKU_MAX:
        problems.append(f"The SKU is {len(form.sku)} characters long; at most {SKU_MAX} fit.")
    else:
        other = session.execute(select(Product.sku, Product.title).where(
            func.lower(Product.sku) == func.lower(form.sku),
            Product.id != (product_id or 0))).first()
        if other is not None:
            problems.append(f"The SKU {other[0]} is already used by “{other[1]}”; choose "
                            "another.")
    if not form.title:
        problems.append("Give the product a title.")
    elif len(form.title) > TITLE_MAX:
        problems.append(f"The title is {len(form.title)} characters long; at most "
                        f"{TITLE_MAX} fit.")
    if form.category_id is not None and session.get(Category, form.category_id) is None:
        problems.append("The chosen category no longer exists; choose another.")

    if form.parent_sku:
        parent = session.execute(select(Product.id, Product.sku, Product.parent_id).where(
            func.lower(Product.sku) == func.lower(form.parent_sku))).first()
        if parent is None:
            problems.append(f"Parent product: no product has the SKU {form.parent_sku!r}.")
        elif parent[0] == product_id or parent[1].lower() == form.sku.lower():
            problems.append("A product cannot be a variant of itself; leave Parent product "
                            "empty or give another SKU.")
        elif parent[2] is not None:
            grand = session.scalar(select(Product.sku).where(Product.id == parent[2]))
            problems.append(f"{parent[1]} is itself a variant of {grand}; make this one a "
                            f"variant of {grand} too.")
        else:
            out.parent_id = parent[0]
            if product_id is not None and session.scalar(
                    select(func.count()).where(Product.parent_id == product_id)):
                problems.append("This product has variants of its own, so it cannot become "
                                "a variant; leave Parent product empty.")

    why = barcode_problem(form.barcode)
    if why:
        problems.append(f"Barcode: {why}")
    elif form.barcode:
        owner = _barcode_owner(session, form.barcode, product_id)
        if owner:
            problems.append(f"Barcode {form.barcode} already belongs to {owner}.")

    out.cost = _money(form.cost, form.cost_currency, "Cost price", problems)
    out.price = _money(form.price, form.price_currency, "Selling price", problems)
    if form.weight_g is not None and not 0 <= form.weight_g <= WEIGHT_MAX_G:
        problems.append(f"The weight must be between 0 and {WEIGHT_MAX_G:,} g; it is "
                        f"{form.weight_g:,} g.")

    seen_keys: dict[str, str] = {}
    for key, value in form.attributes:
        if not key:
            problems.append(f"An attribute has a value (“{value[:40]}”) but no name.")
        elif key.casefold() in seen_keys:
            problems.append(f"The attribute “{key}” is there twice; keep one.")
        elif len(key) > ATTRIBUTE_KEY_MAX:
            problems.append(f"The attribute name “{key[:30]}…” is longer than "
                            f"{ATTRIBUTE_KEY_MAX} characters.")
        elif len(value) > ATTRIBUTE_VALUE_MAX:
            problems.append(f"The value of “{key}” is longer than {ATTRIBUTE_VALUE_MAX} "
                            "characters.")
        seen_keys.setdefault(key.casefold(), key)

    if len(form.photos) > PHOTOS_MAX:
        problems.append(f"A product has at most {PHOTOS_MAX} photos; remove "
                        f"{len(form.photos) - PHOTOS_MAX}.")
    if any(not _PHOTO_PATH.fullmatch(p) for p in form.photos):
        problems.append("A photo was not added through the editor; remove it and add the "
                        "file again.")
    if len(set(form.photos)) != len(form.photos):
        problems.append("The same photo is there twice; remove one.")

    supplier_names = dict(session.execute(select(Supplier.id, Supplier.name)).all())
    seen_suppliers: set[int] = set()
    costs = []
    for link in form.suppliers:
        name = supplier_names.get(link.supplier_id)
        if name is None:
            problems.append("One of the suppliers no longer exists; remove it from the list.")
            costs.append(0)
            continue
        if link.supplier_id in seen_suppliers:
            problems.append(f"{name} is in the suppliers list twice; keep one.")
        seen_suppliers.add(link.supplier_id)
        if len(link.supplier_code) > CODE_MAX:
            problems.append(f"{name}: their code is longer than {CODE_MAX} characters.")
        if not 1 <= link.pack_size <= COUNT_MAX:
            problems.append(f"{name}: the pack size must be 1 or more; it is "
                            f"{link.pack_size}.")
        if not 1 <= link.minimum_order <= COUNT_MAX:
            problems.append(f"{name}: the minimum order must be 1 or more; it is "
                            f"{link.minimum_order}.")
        costs.append(_money(link.unit_cost, link.currency, f"{name}'s unit cost", problems))
    out.supplier_costs = tuple(costs)

    channels = {i: (n, c) for i, n, c in session.execute(
        select(Channel.id, Channel.name, Channel.currency))}
    out.channel_currency = {i: c for i, (_n, c) in channels.items()}
    own_ids = [li.id for li in form.listings if li.id is not None]
    if own_ids and product_id is not None:
        known = set(session.scalars(select(Listing.id).where(
            Listing.product_id == product_id, Listing.id.in_(own_ids))))
        if set(own_ids) - known:
            problems.append("A listing was removed meanwhile; close the editor and open it "
                            "again.")
    seen_listings: set[tuple[int, str]] = set()
    prices = []
    for li in form.listings:
        channel = channels.get(li.channel_id)
        if channel is None:
            problems.append("One of the channels no longer exists; remove its listing.")
            prices.append(0)
            continue
        name, currency = channel
        if not li.channel_sku:
            problems.append(f"{name}: give the listing's channel SKU (often the same as "
                            "the product's SKU).")
        elif len(li.channel_sku) > CODE_MAX:
            problems.append(f"{name}: the channel SKU is longer than {CODE_MAX} characters.")
        elif (li.channel_id, li.channel_sku.casefold()) in seen_listings:
            problems.append(f"{name} lists {li.channel_sku} twice; keep one.")
        else:
            seen_listings.add((li.channel_id, li.channel_sku.casefold()))
            taken = session.execute(
                select(Product.sku).join(Listing, Listing.product_id == Product.id)
                .where(Listing.channel_id == li.channel_id,
                       Listing.channel_sku == li.channel_sku,
                       Listing.product_id != (product_id or 0))).first()
            if taken is not None:
                problems.append(f"{name} already lists {li.channel_sku} for product "
                                f"{taken[0]}; a channel SKU belongs to one product.")
        if len(li.external_id) > CODE_MAX:
            problems.append(f"{name}: the external id is longer than {CODE_MAX} characters.")
        if len(li.title_override) > TITLE_MAX:
            problems.append(f"{name}: the title override is longer than {TITLE_MAX} "
                            "characters.")
        if li.max_shown is not None and not 0 <= li.max_shown <= COUNT_MAX:
            problems.append(f"{name}: the most shown must be 0 or more, or no limit.")
        prices.append(_money(li.price, currency, f"{name}'s price", problems))
    out.listing_prices = tuple(prices)
    return problems, out


def _refuse(what: str, problems: list[str]) -> DomainError:
    return DomainError(f"{what}:\n" + "\n".join(f"• {p}" for p in problems))


# --- saving -------------------------------------------------------------------------------


_FIELDS = (("sku", "SKU"), ("title", "title"), ("description", "description"),
           ("category_id", "category"), ("parent_id", "parent product"),
           ("barcode", "barcode"), ("cost_minor", "cost"), ("cost_currency", "cost"),
           ("price_minor", "price"), ("price_currency", "price"), ("weight_g", "weight"),
           ("attributes", "attributes"), ("made_to_order", "made to order"),
           ("allow_negative_stock", "negative stock"), ("active", "active"))


def _snapshot(p: Product) -> dict[str, Any]:
    return {name: getattr(p, name) for name, _label in _FIELDS}


def _state(active: bool) -> str:
    return "active" if active else "inactive"


@requires(Can.SEE_INVENTORY)
def save_product(uow: UnitOfWork, product_id: int | None, form: ProductForm) -> SavedProduct:
    """Add a product (product_id None) or change one, with its photos, suppliers and
    listings; every problem is named at once and nothing is saved until all is right."""
    form = _clean(form)
    with uow:
        s = uow.session
        product = None if product_id is None else _get(s, product_id)
        problems, checked = _problems(s, product_id, form)
        if problems:
            raise _refuse("The product was not saved", problems)
        before = _snapshot(product) if product is not None else None
        if product is None:
            product = Product(created_at=utcnow())
            s.add(product)
        product.sku, product.title, product.title_key = form.sku, form.title, form.title.lower()
        product.description = form.description
        product.category_id, product.parent_id = form.category_id, checked.parent_id
        product.barcode = form.barcode or None
        product.cost_minor, product.cost_currency = checked.cost, form.cost_currency or "GBP"
        product.price_minor = checked.price
        product.price_currency = form.price_currency or "GBP"
        product.weight_g = form.weight_g
        product.attributes = dict(form.attributes)
        product.made_to_order = form.made_to_order
        product.allow_negative_stock = form.allow_negative_stock
        product.active = form.active
        product.updated_at = utcnow()
        try:
            s.flush()
        except IntegrityError:  # taken in the meantime (or a case the check cannot fold)
            raise _refuse("The product was not saved", [
                f"The SKU {form.sku} or barcode {form.barcode or '(none)'} is already used by "
                "another product; choose another."]) from None
        pid = product.id
        _save_photos(s, pid, form.photos)
        _save_suppliers(s, pid, form.suppliers, checked.supplier_costs)
        listed = _save_listings(s, pid, form.listings, checked)
        if listed:
            stock.queue_push(s, pid)  # the channels learn its stock (and a new listing's)
        if before is None:
            history.record(s, "product", pid, None, _state(form.active), uow.actor, "Added")
        else:
            after = _snapshot(product)
            changed = list(dict.fromkeys(label for name, label in _FIELDS
                                         if before[name] != after[name]))
            if listed:
                changed.append("listings")
            if changed:
                history.record(s, "product", pid, _state(before["active"]),
                               _state(form.active), uow.actor,
                               "Changed " + ", ".join(changed))
        uow.changed(products=True, stock=listed)
        uow.commit()
    return SavedProduct(pid, form.sku, uow.changes)


def _save_photos(s: Session, product_id: int, photos: tuple[str, ...]) -> None:
    current = {ph.path: ph for ph in s.scalars(
        select(ProductPhoto).where(ProductPhoto.product_id == product_id))}
    for path, photo in current.items():
        if path not in photos:
            s.delete(photo)
    for position, path in enumerate(photos):
        photo = current.get(path)
        if photo is None:
            s.add(ProductPhoto(product_id=product_id, path=path, position=position))
        else:
            photo.position = position


def _save_suppliers(s: Session, product_id: int, links: tuple[SupplierLinkForm, ...],
                    costs: tuple[int, ...]) -> None:
    current = {sp.supplier_id: sp for sp in s.scalars(
        select(SupplierProduct).where(SupplierProduct.product_id == product_id))}
    wanted = {link.supplier_id for link in links}
    for supplier_id, sp in current.items():
        if supplier_id not in wanted:
            s.delete(sp)
    for link, cost in zip(links, costs, strict=True):
        sp = current.get(link.supplier_id)
        if sp is None:
            sp = SupplierProduct(supplier_id=link.supplier_id, product_id=product_id)
            s.add(sp)
        sp.supplier_code, sp.pack_size = link.supplier_code, link.pack_size
        sp.minimum_order, sp.unit_cost_minor = link.minimum_order, cost
        sp.currency = link.currency or "GBP"


def _save_listings(s: Session, product_id: int, listings: tuple[ListingForm, ...],
                   checked: _Checked) -> bool:
    """Make the product's listings those of the form; True when any changed."""
    currencies = checked.channel_currency or {}
    current = {li.id: li for li in s.scalars(
        select(Listing).where(Listing.product_id == product_id))}
    kept = {li.id for li in listings if li.id is not None}
    changed = False
    for listing_id, li in current.items():
        if listing_id not in kept:
            s.delete(li)
            changed = True
    s.flush()  # a channel SKU given up here may be taken by a new listing below
    for form, price in zip(listings, checked.listing_prices, strict=True):
        li = current.get(form.id) if form.id is not None else None
        if li is None:
            li = Listing(product_id=product_id)
            s.add(li)
        values = {"channel_id": form.channel_id, "channel_sku": form.channel_sku,
                  "external_id": form.external_id or None,
                  "title_override": form.title_override or None, "price_minor": price,
                  "currency": currencies[form.channel_id], "push_stock": form.push_stock,
                  "max_shown": form.max_shown}
        for name, value in values.items():
            if getattr(li, name) != value:
                setattr(li, name, value)
                changed = True
    return changed


@requires(Can.SEE_INVENTORY)
def link_barcode(uow: UnitOfWork, product_id: int, code: str) -> Changes:
    """Give a product a scanned barcode (checked: check digit, not another product's)."""
    code = code.replace(" ", "").strip()
    with uow:
        s = uow.session
        product = _get(s, product_id)
        why = barcode_problem(code) if code else "Scan or type the barcode first."
        if why:
            raise DomainError(f"The barcode was not linked: {why}")
        owner = _barcode_owner(s, code, product_id)
        if owner:
            raise DomainError(f"The barcode was not linked: {code} already belongs to "
                              f"{owner}.")
        old = product.barcode
        product.barcode = code
        product.updated_at = utcnow()
        state = _state(product.active)
        history.record(s, "product", product.id, state, state, uow.actor,
                       f"Barcode {old} → {code}" if old else f"Barcode {code} linked")
        uow.changed(products=True)
        uow.commit()
    return uow.changes


# --- bulk edit ----------------------------------------------------------------------------


def _percent(text: str) -> Decimal:
    body = text.strip().replace("%", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(body)
    except InvalidOperation:
        raise DomainError(f"{text!r} is not a percentage; write it like 10 or -5.") from None
    if not value.is_finite() or value <= -100 or value > 1000:
        raise DomainError(f"A price can change by more than -100% and at most 1000%; "
                          f"{text} is outside.")
    return value


def changed_price(minor: int, percent: Decimal) -> int:
    """A price changed by a percentage, rounded half up to a whole minor unit."""
    return int((Decimal(minor) * (100 + percent) / 100).quantize(Decimal(1), ROUND_HALF_UP))


@requires(Can.SEE_INVENTORY)
def bulk_edit(uow: UnitOfWork, product_ids: Sequence[int], edit: BulkEdit) -> Changes:
    """Change the category, the price (set, or by a percentage) and/or add a supplier on
    every selected product at once; all of them or, on any problem, none."""
    ids = sorted(set(product_ids))
    problems = []
    if not ids:
        problems.append("Select the products to change first.")
    if edit.price and edit.price_percent:
        problems.append("Either set the price or change it by a percentage, not both.")
    if edit.category_id is None and not edit.price and not edit.price_percent \
            and edit.supplier_id is None:
        problems.append("Choose what to change: the category, the price or a supplier.")
    percent = None
    if edit.price_percent:
        try:
            percent = _percent(edit.price_percent)
        except DomainError as why:
            problems.append(str(why))
    with uow:
        s = uow.session
        currency = (edit.price_currency or default_currency(s)).strip().upper()
        price = _money(edit.price, currency, "Price", problems) if edit.price else None
        if edit.category_id is not None and s.get(Category, edit.category_id) is None:
            problems.append("The chosen category no longer exists.")
        supplier = s.get(Supplier, edit.supplier_id) if edit.supplier_id is not None else None
        if edit.supplier_id is not None and supplier is None:
            problems.append("The chosen supplier no longer exists.")
        if problems:
            raise _refuse("Nothing was changed", problems)
        now = utcnow()
        found = 0
        notes = []
        if edit.category_id is not None:
            notes.append("category")
        if price is not None or percent is not None:
            notes.append("price")
        if supplier is not None:
            notes.append(f"supplier {supplier.name}")
        for chunk in _chunks(ids):
            products = list(s.scalars(select(Product).where(Product.id.in_(chunk))))
            found += len(products)
            linked = set(s.scalars(select(SupplierProduct.product_id).where(
                SupplierProduct.supplier_id == edit.supplier_id,
                SupplierProduct.product_id.in_(chunk)))) if supplier is not None else set()
            for p in products:
                if edit.category_id is not None:
                    p.category_id = edit.category_id
                if price is not None:
                    p.price_minor = price
                    p.price_currency = currency
                elif percent is not None:
                    p.price_minor = changed_price(p.price_minor, percent)
                if supplier is not None and p.id not in linked:
                    s.add(SupplierProduct(supplier_id=supplier.id, product_id=p.id,
                                          currency=p.cost_currency,
                                          unit_cost_minor=p.cost_minor))
                p.updated_at = now
                state = _state(p.active)
                history.record(s, "product", p.id, state, state, uow.actor,
                               "Bulk edit: " + ", ".join(notes))
        if found < len(ids):
            raise DomainError(f"{len(ids) - found:,} of the selected products no longer "
                              "exist; refresh the list and try again. Nothing was changed.")
        uow.changed(products=True)
        uow.commit()
    return uow.changes
