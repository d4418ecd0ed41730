"""Every status with its table of allowed transitions; anything else is refused in words."""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import IllegalTransition


class OrderStatus(StrEnum):
    NEW = "new"
    ON_HOLD = "on_hold"
    PURCHASING = "purchasing"
    READY_TO_PICK = "ready_to_pick"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class TaskStatus(StrEnum):
    UNASSIGNED = "unassigned"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    IN_PRODUCTION = "in_production"
    PRODUCED = "produced"
    SHIPPED = "shipped"
    DONE = "done"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    OPEN = "open"
    PARKED = "parked"
    BOOKED = "booked"


class StockCheckStatus(StrEnum):
    COUNTING = "counting"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    CANCELLED = "cancelled"


class PickListStatus(StrEnum):
    OPEN = "open"
    PICKING = "picking"
    DONE = "done"
    CANCELLED = "cancelled"


class ShipmentStatus(StrEnum):
    DRAFT = "draft"
    LABELLED = "labelled"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PART_PAID = "part_paid"
    PAID = "paid"
    VOID = "void"


class SettlementStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    SETTLED = "settled"


class PrintJobStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    PRINTED = "printed"
    WAITING = "waiting"  # printer off or unreachable: retried with back-off
    MAY_HAVE_PRINTED = "may_have_printed"
    CANCELLED = "cancelled"


class SyncRunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    REFUSED = "refused"  # the channel refused the key: background sync waits for the owner


OS, TS, PS = OrderStatus, TaskStatus, PurchaseOrderStatus

ORDER_TRANSITIONS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    OS.NEW: (OS.PURCHASING, OS.READY_TO_PICK, OS.ON_HOLD, OS.CANCELLED),
    OS.ON_HOLD: (OS.NEW, OS.PURCHASING, OS.READY_TO_PICK, OS.CANCELLED),
    OS.PURCHASING: (OS.READY_TO_PICK, OS.SHIPPED, OS.ON_HOLD, OS.CANCELLED),
    OS.READY_TO_PICK: (OS.PICKING, OS.PACKED, OS.PURCHASING, OS.ON_HOLD, OS.CANCELLED),
    OS.PICKING: (OS.PACKED, OS.READY_TO_PICK, OS.ON_HOLD, OS.CANCELLED),
    OS.PACKED: (OS.SHIPPED, OS.READY_TO_PICK, OS.ON_HOLD, OS.CANCELLED),
    OS.SHIPPED: (OS.DELIVERED, OS.REFUNDED),
    OS.DELIVERED: (OS.REFUNDED,),
    OS.CANCELLED: (),
    OS.REFUNDED: (),
}

TASK_TRANSITIONS: dict[TaskStatus, tuple[TaskStatus, ...]] = {
    TS.UNASSIGNED: (TS.ASSIGNED, TS.CANCELLED),
    TS.ASSIGNED: (TS.ACCEPTED, TS.REJECTED, TS.CANCELLED),
    TS.ACCEPTED: (TS.IN_PRODUCTION, TS.REJECTED, TS.CANCELLED),
    TS.IN_PRODUCTION: (TS.PRODUCED, TS.CANCELLED),
    TS.PRODUCED: (TS.SHIPPED, TS.DONE, TS.CANCELLED),
    TS.SHIPPED: (TS.DONE,),
    TS.DONE: (),
    TS.REJECTED: (TS.UNASSIGNED, TS.ASSIGNED, TS.CANCELLED),
    TS.CANCELLED: (),
}

PURCHASE_ORDER_TRANSITIONS: dict[PurchaseOrderStatus, tuple[PurchaseOrderStatus, ...]] = {
    PS.DRAFT: (PS.SENT, PS.CANCELLED),
    PS.SENT: (PS.PARTLY_RECEIVED, PS.RECEIVED, PS.CANCELLED),
    PS.PARTLY_RECEIVED: (PS.RECEIVED, PS.CLOSED),
    PS.RECEIVED: (PS.CLOSED,),
    PS.CLOSED: (),
    PS.CANCELLED: (),
}

STOCK_CHECK_TRANSITIONS = {
    StockCheckStatus.COUNTING: (StockCheckStatus.AWAITING_APPROVAL, StockCheckStatus.CANCELLED),
    StockCheckStatus.AWAITING_APPROVAL: (
        StockCheckStatus.APPROVED, StockCheckStatus.COUNTING, StockCheckStatus.CANCELLED),
    StockCheckStatus.APPROVED: (),
    StockCheckStatus.CANCELLED: (),
}

INVOICE_TRANSITIONS = {
    InvoiceStatus.DRAFT: (InvoiceStatus.ISSUED, InvoiceStatus.VOID),
    InvoiceStatus.ISSUED: (InvoiceStatus.PART_PAID, InvoiceStatus.PAID, InvoiceStatus.VOID),
    InvoiceStatus.PART_PAID: (InvoiceStatus.PAID,),
    InvoiceStatus.PAID: (),
    InvoiceStatus.VOID: (),
}

PJ = PrintJobStatus
PRINT_JOB_TRANSITIONS: dict[PrintJobStatus, tuple[PrintJobStatus, ...]] = {
    PJ.QUEUED: (PJ.SENDING, PJ.WAITING, PJ.CANCELLED),  # waiting: its labels cannot be made
    PJ.SENDING: (PJ.PRINTED, PJ.WAITING, PJ.MAY_HAVE_PRINTED),
    PJ.WAITING: (PJ.SENDING, PJ.QUEUED, PJ.CANCELLED),
    PJ.MAY_HAVE_PRINTED: (PJ.QUEUED, PJ.CANCELLED),  # never sent again without a person
    PJ.PRINTED: (),
    PJ.CANCELLED: (),
}

# Which table governs which kind of thing, and the word people use for it.
_TABLES: dict[type[StrEnum], tuple[str, dict]] = {
    OrderStatus: ("order", ORDER_TRANSITIONS),
    TaskStatus: ("supplier task", TASK_TRANSITIONS),
    PurchaseOrderStatus: ("purchase order", PURCHASE_ORDER_TRANSITIONS),
    StockCheckStatus: ("stock check", STOCK_CHECK_TRANSITIONS),
    InvoiceStatus: ("invoice", INVOICE_TRANSITIONS),
    PrintJobStatus: ("print job", PRINT_JOB_TRANSITIONS),
}

# Orders whose stock is still promised to the customer (counted as reserved).
OPEN_ORDER_STATUSES = (OS.NEW, OS.ON_HOLD, OS.PURCHASING, OS.READY_TO_PICK, OS.PICKING, OS.PACKED)
# Tasks a supplier still has to work on.
OPEN_TASK_STATUSES = (TS.ASSIGNED, TS.ACCEPTED, TS.IN_PRODUCTION, TS.PRODUCED)


def label(status: StrEnum) -> str:
    """'ready_to_pick' -> 'Ready to pick'."""
    return str(status.value).replace("_", " ").capitalize()


def check_transition(current: StrEnum, wanted: StrEnum) -> None:
    """Raise IllegalTransition unless the status table allows current -> wanted."""
    what, table = _TABLES[type(current)]
    allowed = table[current]
    if wanted not in allowed:
        raise IllegalTransition(what, label(current).lower(), label(wanted).lower(),
                                tuple(label(s).lower() for s in allowed))
