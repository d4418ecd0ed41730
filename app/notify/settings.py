"""Notification settings in the workshop's settings table: the owner's template edits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Setting
from app.notify.templates import KINDS, Template

TEMPLATE_KEY = "template:{kind}"


def read_setting(session: Session, key: str) -> dict[str, Any] | None:
    row = session.get(Setting, key)
    return None if row is None else dict(row.value)


def write_setting(session: Session, key: str, value: dict[str, Any]) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def remove_setting(session: Session, key: str) -> None:
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)


def template_overrides(session: Session) -> dict[str, Template]:
    """The owner's edited templates by kind (kinds left as built in are absent)."""
    keys = [TEMPLATE_KEY.format(kind=k) for k in KINDS]
    found: dict[str, Template] = {}
    for row in session.scalars(select(Setting).where(Setting.key.in_(keys))):
        value = row.value or {}
        kind = row.key.split(":", 1)[1]
        if isinstance(value.get("subject"), str) and isinstance(value.get("body"), str):
            found[kind] = Template(value["subject"], value["body"])
    return found


def store_template(session: Session, kind: str, template: Template | None) -> None:
    """Keep the owner's edit of a kind; None goes back to the built-in text."""
    key = TEMPLATE_KEY.format(kind=kind)
    if template is None or template == KINDS[kind].builtin:
        remove_setting(session, key)
    else:
        write_setting(session, key, {"subject": template.subject, "body": template.body})
