"""The workshop's settings table: one JSON value per key, read and written in the caller's
transaction. Every layer that keeps a setting (services, notify) goes through here."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.db.models import Setting


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """A setting's value, or `default` when it was never saved."""
    row = session.get(Setting, key)
    if row is None or not isinstance(row.value, dict):
        return default
    return row.value.get("value", default)


def put_setting(session: Session, key: str, value: Any) -> None:
    """Save a setting (a new dict each time, so SQLAlchemy sees the JSON change)."""
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value={"value": value}))
    else:
        row.value = {"value": value}


def remove_setting(session: Session, key: str) -> None:
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)
