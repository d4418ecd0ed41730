"""Recording and reading status changes: every transition leaves a line (who, when, from, to)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import StatusChange, utcnow


@dataclass(frozen=True)
class HistoryLine:
    changed_at: datetime
    from_status: str | None
    to_status: str
    actor: str
    note: str


def record(session: Session, entity: str, entity_id: int, from_status: str | None,
           to_status: str, actor: str, note: str = "") -> None:
    session.add(StatusChange(entity=entity, entity_id=entity_id, from_status=from_status,
                             to_status=to_status, actor=actor, note=note,
                             changed_at=utcnow()))


def history(session: Session, entity: str, entity_id: int) -> tuple[HistoryLine, ...]:
    rows = session.execute(
        select(StatusChange.changed_at, StatusChange.from_status, StatusChange.to_status,
               StatusChange.actor, StatusChange.note)
        .where(StatusChange.entity == entity, StatusChange.entity_id == entity_id)
        .order_by(StatusChange.changed_at, StatusChange.id)
    ).all()
    return tuple(HistoryLine(*r) for r in rows)
