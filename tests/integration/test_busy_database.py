"""A database another program keeps busy: the action is refused in words, nothing half-done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

import app.db.engine
from app.bootstrap import open_backroom
from app.config import load_config
from app.db.migrate import HEAD_REVISION, head_revision
from app.db.models import Order
from app.domain.errors import DomainError
from app.domain.statuses import OrderStatus
from app.services import orders


def test_the_head_revision_constant_is_the_newest_migration():
    assert head_revision() == HEAD_REVISION


def test_a_write_while_another_program_holds_the_lock_is_refused_in_words(
        demo_copy, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(app.db.engine, "BUSY_TIMEOUT_MS", 200)
    path = Path(demo_copy.engine.url.database)
    backroom = open_backroom(load_config(f"sqlite:///{path}"))
    with backroom.sessions() as s:
        order_id, status = s.execute(select(Order.id, Order.status)
                                     .where(Order.status == "ready_to_pick")).first()
    other = sqlite3.connect(path, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DomainError, match="Another program kept the database busy"):
            backroom.act(orders.change_status, [order_id], OrderStatus.PICKING)
    finally:
        other.rollback()
        other.close()
    with backroom.sessions() as s:
        assert s.get(Order, order_id).status == status
    backroom.act(orders.change_status, [order_id], OrderStatus.PICKING)  # works once free
    backroom.close()
