"""One call for a task service: tell the right person about a task, in-app and by e-mail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.notify.inapp import notify
from app.notify.outbox import address_problem, queue_email
from app.notify.settings import template_overrides
from app.notify.smtp import load_smtp_settings
from app.notify.templates import Audience, kind_of, render


@dataclass(frozen=True)
class Announced:
    """What was added: the in-app notification and the queued e-mail (ids, or None)."""

    notification_id: int | None
    email_id: int | None
    email_to: str | None


def announce(session: Session, kind: str, values: Mapping[str, object], *,
             email_to: str | None = None, for_user_id: int | None = None,
             entity: str | None = "supplier_task", entity_id: int | None = None) -> Announced:
    """Render the kind's template (the owner's edit, if any) and tell its audience.

    In the caller's transaction, so nothing is told if the action rolls back.
    - Owner kinds (task_done, task_rejected, task_overdue): a notification in the window's
      list, and an e-mail to `email_to`, else to the owner's address in the e-mail settings.
    - Supplier kinds (task_assigned): an e-mail to `email_to` (the supplier's address), and a
      notification for `for_user_id` if the supplier has a user. With no usable address
      the owner gets a notification saying the supplier was not e-mailed.
    `values` fill the placeholders (see templates.PLACEHOLDERS); dates may be dates.
    """
    k = kind_of(kind)
    message = render(kind, values, template_overrides(session))
    note_id = email_id = None
    to = (email_to or "").strip()
    if k.audience is Audience.OWNER:
        note = notify(session, kind=kind, title=message.subject, body=message.body,
                      for_user_id=for_user_id, entity=entity, entity_id=entity_id)
        session.flush()
        note_id = note.id
        if not to:
            smtp = load_smtp_settings(session)
            to = smtp.notices_to if smtp else ""
    elif for_user_id is not None:
        note = notify(session, kind=kind, title=message.subject, body=message.body,
                      for_user_id=for_user_id, entity=entity, entity_id=entity_id)
        session.flush()
        note_id = note.id
    if to and address_problem(to) is None:
        email = queue_email(session, to=to, subject=message.subject, body=message.body)
        session.flush()
        email_id = email.id
    elif k.audience is Audience.SUPPLIER:
        who = str(values.get("supplier") or "The supplier")
        why = address_problem(to) if to else "they have no e-mail address in Backroom."
        warning = notify(
            session, kind="email_missing",
            title=f"{who} was not e-mailed about task {values.get('task_sku', '')}".strip(),
            body=f"“{message.subject}” was not sent: {why} Tell them another way, or add "
                 "their address and reassign.",
            entity=entity, entity_id=entity_id)
        session.flush()
        note_id = note_id or warning.id
    return Announced(note_id, email_id, to if email_id else None)
