"""The unit of work: one user action, one transaction, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.domain.access import Viewer
from app.domain.changes import Changes
from app.domain.errors import DomainError


class UnitOfWork:
    """`with uow: ...; uow.commit()`; leaving the block without commit rolls back."""

    def __init__(self, sessions: Callable[[], Session], actor: str,
                 viewer: Viewer | None = None):
        self._sessions = sessions
        self.actor = actor
        self.viewer = viewer  # who is asking; None for Backroom's own work and scripts
        self.session: Session
        self.changes = Changes()

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.changes = Changes()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.session.rollback()
        self.session.close()
        if isinstance(exc, OperationalError) and "locked" in str(exc):
            raise DomainError(
                "Another program kept the database busy, so nothing was changed. Try again "
                "in a moment; if it keeps happening, close the other program (or the other "
                "Backroom window) using this database.") from exc

    def commit(self) -> None:
        self.session.commit()

    def changed(self, **flags: bool) -> None:
        self.changes = self.changes | Changes(**flags)
