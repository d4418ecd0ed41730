"""In-app notifications: a row the window's notification list shows until it is read."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db.models import Notification

TITLE_MAX = 200


def notify(session: Session, *, kind: str, title: str, body: str = "",
           for_user_id: int | None = None, entity: str | None = None,
           entity_id: int | None = None) -> Notification:
    """Add a notification in the caller's transaction (it appears once that commits).

    `for_user_id` None means the workshop's own list, the one the main window shows.
    """
    title = " ".join(title.split())
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    row = Notification(kind=kind, title=title, body=body, for_user_id=for_user_id,
                       entity=entity, entity_id=entity_id)
    session.add(row)
    return row
