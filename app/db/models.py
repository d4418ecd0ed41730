"""The whole schema, named after the glossary in DESIGN.md.

Money is integer minor units beside an ISO currency code; times are UTC.
Stock movements are the ledger; stock levels are the snapshot kept equal to their sums.
"""



from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC, so every layer agrees on what a time is."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("times must be timezone-aware before they are stored")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


Minor = BigInteger  # money in minor units (pence, cents)


def money(nullable: bool = False) -> Mapped[int]:
    return mapped_column(Minor, nullable=nullable, default=0)


def currency() -> Mapped[str]:
    return mapped_column(String(3))


def created() -> Mapped[datetime]:
    return mapped_column(default=utcnow)


# --- people -------------------------------------------------------------------------------


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # owner, staff, supplier
    password_hash: Mapped[str | None] = mapped_column(String(300))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created()


class Setting(Base):
    """A workshop-wide setting (task SKU pattern, auto-purchasing rule...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- catalogue ----------------------------------------------------------------------------


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # How a supplier is chosen for this category: round_robin, least_open, weighted.
    assignment_strategy: Mapped[str] = mapped_column(String(20), default="round_robin")


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    barcode: Mapped[str | None] = mapped_column(String(40), index=True)
    cost_minor: Mapped[int] = money()
    cost_currency: Mapped[str] = mapped_column(String(3), default="GBP")
    # The product's own selling price (a listing may override it on its channel).
    price_minor: Mapped[int] = mapped_column(Minor, default=0, server_default="0")
    price_currency: Mapped[str] = mapped_column(String(3), default="GBP", server_default="GBP")
    weight_g: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    made_to_order: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lower-cased title for case-insensitive prefix search through an index.
    title_key: Mapped[str] = mapped_column(String(300), index=True)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category: Mapped["Category | None"] = relationship()


class ProductPhoto(Base):
    __tablename__ = "product_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"),
                                            index=True)
    path: Mapped[str] = mapped_column(String(500))  # relative to the data folder
    position: Mapped[int] = mapped_column(Integer, default=0)


class Location(Base):
    """A bin in the stock room, e.g. A-03-2, with its place on the picking walk."""

    __tablename__ = "locations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    walk_sequence: Mapped[int] = mapped_column(Integer, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_counted_at: Mapped[datetime | None] = mapped_column()


class StockLevel(Base):
    """Snapshot per product and bin; kept equal to the sum of its movements."""

    __tablename__ = "stock_levels"
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True,
                                             index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (CheckConstraint("reserved >= 0", name="reserved_not_negative"),)


class StockMovement(Base):
    """One signed change of quantity at a bin: the ledger."""

    __tablename__ = "stock_movements"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = created()
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        Index("ix_stock_movements_product_time", "product_id", "created_at"),
        Index("ix_stock_movements_location", "location_id"),
    )


# --- channels -----------------------------------------------------------------------------


class Channel(Base):
    __tablename__ = "channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # shopify, etsy, amazon, ebay, woocommerce...
    currency: Mapped[str] = currency()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sync_interval_minutes: Mapped[int] = mapped_column(Integer, default=15)
    stock_buffer: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # never credentials
    sync_cursor: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created()


class Listing(Base):
    """A product on a channel."""

    __tablename__ = "listings"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    channel_sku: Mapped[str] = mapped_column(String(120))
    external_id: Mapped[str | None] = mapped_column(String(120))
    title_override: Mapped[str | None] = mapped_column(String(300))
    price_minor: Mapped[int] = money()
    currency: Mapped[str] = currency()
    push_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    max_shown: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("channel_id", "channel_sku"),)


class SyncRun(Base):
    """One exchange with a channel: what came in, what went out, what failed."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    status: Mapped[str] = mapped_column(String(20))
    preview: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = created()
    ended_at: Mapped[datetime | None] = mapped_column()
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300), default="", server_default="")  # file/API
    __table_args__ = (Index("ix_sync_runs_channel_started", "channel_id", "started_at"),)


class StockHold(Base):
    """One change of the stock held for orders at a bin: held (+), given back or shipped
    (-). A level's reserved quantity is the sum of its holds, as on hand is of movements."""

    __tablename__ = "stock_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # hold, release, dispatch
    reference: Mapped[str] = mapped_column(String(120), default="")
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = created()
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        Index("ix_stock_holds_product_location", "product_id", "location_id"),
    )


class StockPushQueue(Base):
    """A product whose available stock the channels have not been told yet."""

    __tablename__ = "stock_push_queue"
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"),
                                            primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncRunItem(Base):
    """A failing (or notable) item of a sync run, with the raw payload to inspect."""

    __tablename__ = "sync_run_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    sync_run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"),
                                             index=True)
    item_ref: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))  # created, updated, skipped, failed
    message: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(Text)


# --- orders -------------------------------------------------------------------------------


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed alone (SQLite appends the rowid) so sorting by channel then id needs no sort.
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(60), index=True)
    placed_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_key: Mapped[str] = mapped_column(String(200), index=True)  # lower-cased name
    customer_email: Mapped[str] = mapped_column(String(254), default="")
    customer_phone: Mapped[str] = mapped_column(String(60), default="")
    ship_name: Mapped[str] = mapped_column(String(200), default="")
    ship_address1: Mapped[str] = mapped_column(String(200), default="")
    ship_address2: Mapped[str] = mapped_column(String(200), default="")
    ship_city: Mapped[str] = mapped_column(String(120), default="")
    ship_region: Mapped[str] = mapped_column(String(120), default="")
    ship_postcode: Mapped[str] = mapped_column(String(30), default="")
    ship_country: Mapped[str] = mapped_column(String(2), default="")
    shipping_service: Mapped[str] = mapped_column(String(120), default="")
    currency: Mapped[str] = currency()
    subtotal_minor: Mapped[int] = money()
    shipping_minor: Mapped[int] = money()
    tax_minor: Mapped[int] = money()
    total_minor: Mapped[int] = mapped_column(Minor, index=True, default=0)
    fees_minor: Mapped[int] = money()  # what the channel keeps
    items_count: Mapped[int] = mapped_column(Integer, index=True, default=0)
    flagged: Mapped[str | None] = mapped_column(String(200))  # e.g. unknown SKU, short
    # What the channel last said of the order (a digest): a re-import that says the same
    # changes nothing.
    source_hash: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order",
                                                  cascade="all, delete-orphan")
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id"),
        Index("ix_orders_status_placed", "status", "placed_at"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    sku: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = money()
    unit_cost_minor: Mapped[int] = money()  # cost of goods at sale, in the order currency
    personalisation: Mapped[str] = mapped_column(Text, default="")
    needs_making: Mapped[bool] = mapped_column(Boolean, default=False)
    reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # held stock
    # The channel's own id for the line (Amazon's order-item-id): shipment files need it.
    external_id: Mapped[str] = mapped_column(String(120), default="", server_default="")

    order: Mapped["Order"] = relationship(back_populates="lines")
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class OrderSearchTerm(Base):
    """Words of an order (number, customer, e-mail, SKUs) for indexed prefix search."""

    __tablename__ = "order_search_terms"
    term: Mapped[str] = mapped_column(String(120), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    # The words are stored once, in word order, as their own index: no rowid table beside.
    __table_args__ = {"sqlite_with_rowid": False}


class StatusChange(Base):
    """Every status change of anything: who, when, from, to."""

    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))  # order, supplier_task, purchase_order...
    entity_id: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = created()
    __table_args__ = (Index("ix_status_changes_entity", "entity", "entity_id", "changed_at"),)


# --- suppliers ----------------------------------------------------------------------------


class Supplier(Base):
    __tablename__ = "suppliers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int | None] = mapped_column(Integer)  # max open tasks
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    notes: Mapped[str] = mapped_column(Text, default="")
    references: Mapped[str] = mapped_column(Text, default="")  # samples, testimonials
    created_at: Mapped[datetime] = created()


class SupplierCategory(Base):
    """A category a supplier serves, with its weight for weighted assignment."""

    __tablename__ = "supplier_categories"
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"),
                                             primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True,
                                             index=True)
    weight: Mapped[int] = mapped_column(Integer, default=1)


class CategoryRotation(Base):
    """Whose turn is next in a category's round-robin; survives restarts."""

    __tablename__ = "category_rotations"
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    last_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    turns: Mapped[int] = mapped_column(Integer, default=0)


class SupplierProduct(Base):
    """What a supplier calls a product we buy from them, and how it comes packed."""

    __tablename__ = "supplier_products"
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True,
                                            index=True)
    supplier_code: Mapped[str] = mapped_column(String(120), default="")
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    minimum_order: Mapped[int] = mapped_column(Integer, default=1)
    unit_cost_minor: Mapped[int] = money()
    currency: Mapped[str] = mapped_column(String(3), default="GBP")


class SupplierTask(Base):
    """One piece of an order assigned to one supplier."""

    __tablename__ = "supplier_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(80), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[str] = mapped_column(String(20))
    unassigned_reason: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date)
    production_started_at: Mapped[datetime | None] = mapped_column()
    production_ended_at: Mapped[datetime | None] = mapped_column()
    carrier: Mapped[str] = mapped_column(String(80), default="")
    tracking_number: Mapped[str] = mapped_column(String(120), default="")
    ships_direct: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_minor: Mapped[int] = money()
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    rejected_by: Mapped[list[Any]] = mapped_column(JSON, default=list)  # supplier ids
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    __table_args__ = (
        Index("ix_supplier_tasks_supplier_status", "supplier_id", "status", "due_date"),
    )


class TaskMessage(Base):
    """A note between the owner and a supplier on a task."""

    __tablename__ = "task_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("supplier_tasks.id", ondelete="CASCADE"),
                                         index=True)
    author: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created()


# --- buying and counting ------------------------------------------------------------------


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = currency()
    ordered_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    expected_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created()


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity_ordered: Mapped[int] = mapped_column(Integer)
    quantity_received: Mapped[int] = mapped_column(Integer, default=0)
    unit_cost_minor: Mapped[int] = money()


class Delivery(Base):
    """Goods arriving against a purchase order; may be parked half-booked."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"),
                                                          index=True)
    status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = created()


class DeliveryLine(Base):
    __tablename__ = "delivery_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"),
                                             index=True)
    purchase_order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    quantity: Mapped[int] = mapped_column(Integer)


class StockCheck(Base):
    __tablename__ = "stock_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    blind: Mapped[bool] = mapped_column(Boolean, default=True)
    actor: Mapped[str] = mapped_column(String(80))
    # What it covers: {"locations": [ids]} or {"products": [ids]} (and how it was chosen).
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    started_at: Mapped[datetime] = created()
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_by: Mapped[str | None] = mapped_column(String(80))


class StockCheckLine(Base):
    __tablename__ = "stock_check_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    stock_check_id: Mapped[int] = mapped_column(
        ForeignKey("stock_checks.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    expected_at_start: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int | None] = mapped_column(Integer)
    counted_at: Mapped[datetime | None] = mapped_column()
    approved: Mapped[bool | None] = mapped_column(Boolean)  # None: not decided yet


# --- picking and shipping -----------------------------------------------------------------


class PickList(Base):
    __tablename__ = "pick_lists"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = created()


class PickListLine(Base):
    __tablename__ = "pick_list_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    pick_list_id: Mapped[int] = mapped_column(ForeignKey("pick_lists.id", ondelete="CASCADE"),
                                              index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    walk_sequence: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    picked: Mapped[int] = mapped_column(Integer, default=0)


class Shipment(Base):
    """A parcel: carrier, service, tracking number, label, weight."""

    __tablename__ = "shipments"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    carrier: Mapped[str] = mapped_column(String(80), default="")
    service: Mapped[str] = mapped_column(String(120), default="")
    tracking_number: Mapped[str] = mapped_column(String(120), default="", index=True)
    label_path: Mapped[str | None] = mapped_column(String(500))
    weight_g: Mapped[int | None] = mapped_column(Integer)
    cost_minor: Mapped[int] = money()
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    shipped_at: Mapped[datetime | None] = mapped_column()
    channel_confirmed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created()


# --- money --------------------------------------------------------------------------------


class Partner(Base):
    """A business we share revenue with (co-seller, maker, fulfilment vendor)."""

    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(254), default="")
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Agreement(Base):
    """Versioned terms with a partner; shares are in basis points (1% = 100)."""

    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    version: Mapped[int] = mapped_column(Integer)
    revenue_share_bp: Mapped[int] = mapped_column(Integer, default=0)
    commission_bp: Mapped[int] = mapped_column(Integer, default=0)
    fixed_fee_minor: Mapped[int] = money()
    currency: Mapped[str] = currency()
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    __table_args__ = (UniqueConstraint("partner_id", "version"),)


class Settlement(Base):
    """What is owed between us and a partner for a period."""

    __tablename__ = "settlements"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = currency()
    amount_minor: Mapped[int] = money()  # positive: we owe them
    created_at: Mapped[datetime] = created()


class Invoice(Base):
    """Numbered and immutable once issued."""

    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # sales, purchase, settlement
    status: Mapped[str] = mapped_column(String(20), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"))
    bill_to: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = currency()
    net_minor: Mapped[int] = money()
    tax_minor: Mapped[int] = money()
    total_minor: Mapped[int] = money()
    issued_at: Mapped[datetime | None] = mapped_column()
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created()


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_minor: Mapped[int] = money()
    tax_rate_bp: Mapped[int] = mapped_column(Integer, default=0)


class Payment(Base):
    """Money received or paid, against an invoice or on account."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))  # in, out
    amount_minor: Mapped[int] = money()
    currency: Mapped[str] = currency()
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(40), default="")
    reference: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = created()


# --- the outside world --------------------------------------------------------------------


class PrintJob(Base):
    """One request to print labels: queued, retried, never silently lost."""

    __tablename__ = "print_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    printer: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    copies: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Notification(Base):
    """An in-app notice: a task done, stock low, a sync that failed."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    for_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entity: Mapped[str | None] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created()
    read_at: Mapped[datetime | None] = mapped_column()
    __table_args__ = (Index("ix_notifications_unread", "for_user_id", "read_at"),)


class OutboxEmail(Base):
    """An e-mail waiting to go out, sent by a background worker when online."""

    __tablename__ = "outbox_emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)  # domain.outbox.OutboxStatus
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created()
    sent_at: Mapped[datetime | None] = mapped_column()
    # When a failed message is tried again (or a claim to send it runs out); None: at once.
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    # Files sent with it (full paths, read when it is sent): a purchase order's PDF...
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")


__all__ = [name for name, obj in list(globals().items())
           if isinstance(obj, type) and issubclass(obj, Base) and obj is not Base]
