"""Status tables: every allowed change passes, every other one is refused in words."""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise

import pytest

from app.domain.errors import DomainError, IllegalTransition
from app.domain.statuses import (
    INVOICE_TRANSITIONS,
    ORDER_TRANSITIONS,
    PURCHASE_ORDER_TRANSITIONS,
    STOCK_CHECK_TRANSITIONS,
    TASK_TRANSITIONS,
    InvoiceStatus,
    OrderStatus,
    PurchaseOrderStatus,
    StockCheckStatus,
    TaskStatus,
    check_transition,
    label,
)

TABLES: list[tuple[type[StrEnum], dict]] = [
    (OrderStatus, ORDER_TRANSITIONS),
    (TaskStatus, TASK_TRANSITIONS),
    (PurchaseOrderStatus, PURCHASE_ORDER_TRANSITIONS),
    (StockCheckStatus, STOCK_CHECK_TRANSITIONS),
    (InvoiceStatus, INVOICE_TRANSITIONS),
]

PAIRS = [pytest.param(current, wanted, current in table and wanted in table[current],
                      id=f"{enum.__name__}:{current.value}->{wanted.value}")
         for enum, table in TABLES for current in enum for wanted in enum]


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=[e.__name__ for e, _ in TABLES])
def test_every_status_has_a_row_and_leads_only_to_its_own_kind(enum, table):
    assert set(table) == set(enum)
    for current, allowed in table.items():
        assert all(isinstance(s, enum) for s in allowed)
        assert current not in allowed
        assert len(set(allowed)) == len(allowed)


@pytest.mark.parametrize(("current", "wanted", "allowed"), PAIRS)
def test_each_change_is_allowed_exactly_when_its_table_says_so(current, wanted, allowed):
    if allowed:
        check_transition(current, wanted)
        return
    with pytest.raises(IllegalTransition) as caught:
        check_transition(current, wanted)
    message = str(caught.value)
    assert label(current).lower() in message
    assert label(wanted).lower() in message
    assert (f" that is {label(current).lower()} cannot become {label(wanted).lower()}."
            in message)
    assert isinstance(caught.value, DomainError)


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=[e.__name__ for e, _ in TABLES])
def test_final_statuses_allow_nothing_and_say_they_are_final(enum, table):
    finals = [s for s in enum if not table[s]]
    assert finals, f"{enum.__name__} has no final status"
    for final in finals:
        for wanted in enum:
            with pytest.raises(IllegalTransition, match=r"nothing \(it is final\)"):
                check_transition(final, wanted)


def test_a_refusal_lists_where_the_status_can_go_instead():
    with pytest.raises(IllegalTransition) as caught:
        check_transition(OrderStatus.SHIPPED, OrderStatus.NEW)
    assert caught.value.allowed == ("delivered", "refunded")
    assert str(caught.value) == (
        "An order that is shipped cannot become new. "
        "From shipped it can go to: delivered, refunded."
    )


def test_the_refusal_names_the_kind_of_thing_in_plain_words():
    with pytest.raises(IllegalTransition, match=r"^A supplier task that is done"):
        check_transition(TaskStatus.DONE, TaskStatus.ASSIGNED)
    with pytest.raises(IllegalTransition, match=r"^An invoice that is paid"):
        check_transition(InvoiceStatus.PAID, InvoiceStatus.VOID)


def test_labels_read_as_words():
    assert label(OrderStatus.READY_TO_PICK) == "Ready to pick"
    assert label(TaskStatus.IN_PRODUCTION) == "In production"


def test_a_supplier_task_walks_its_life_cycle():
    path = [TaskStatus.UNASSIGNED, TaskStatus.ASSIGNED, TaskStatus.ACCEPTED,
            TaskStatus.IN_PRODUCTION, TaskStatus.PRODUCED, TaskStatus.SHIPPED, TaskStatus.DONE]
    for current, wanted in pairwise(path):
        check_transition(current, wanted)


@pytest.mark.parametrize("status", [TaskStatus.ASSIGNED, TaskStatus.ACCEPTED])
def test_a_rejected_task_goes_back_to_assignment(status):
    check_transition(status, TaskStatus.REJECTED)
    check_transition(TaskStatus.REJECTED, TaskStatus.ASSIGNED)
    check_transition(TaskStatus.REJECTED, TaskStatus.UNASSIGNED)


@pytest.mark.parametrize("status", [s for s in TaskStatus if s not in
                                    (TaskStatus.SHIPPED, TaskStatus.DONE, TaskStatus.CANCELLED)])
def test_a_task_not_yet_shipped_is_cancelled_with_its_order(status):
    check_transition(status, TaskStatus.CANCELLED)
