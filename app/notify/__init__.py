"""In-app notifications and the e-mail outbox (templates, SMTP sending with retries).

Task services call `announce` (or `notify` / `queue_email` directly) in their own unit of
work; the window's background sender runs `outbox.send_due`.
"""

from app.notify.inapp import notify
from app.notify.notices import Announced, announce
from app.notify.outbox import queue_email

__all__ = ["Announced", "announce", "notify", "queue_email"]
