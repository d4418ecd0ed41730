"""Notification settings in the workshop's settings table: the owner's template edits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Setting
from app.db.settings import get_setting, put_setting, remove_setting
from app.notify.templates import KINDS, Template

TEMPLATE_KEY = "template:{kind}"


def read_setting(session: Session, key: str) -> dict[str, Any] | None:
    value = get_setting(session, key)
    return dict(value) if isinstance(value, dict) else None


def write_setting(session: Session, key: str, value: dict[str, Any]) -> None:
    put_setting(session, key, value)


def template_overrides(session: Session) -> dict[str, Template]:
    """The owner's edited templates by kind (kinds left as built in are absent)."""
    keys = [TEMPLATE_KEY.format(kind=k) for k in KINDS]
    found: dict[str, Template] = {}
    for row in session.scalars(select(Setting).where(Setting.key.in_(keys))):
        value = (row.value or {}).get("value") or {}  # stored as app.db.settings does
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
