"""What the UI holds instead of a Session: a way to read, and a way to act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Config
from app.domain.access import Viewer
from app.services.access import with_viewer
from app.services.uow import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Backroom:
    """One open workshop database and the person using it."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    actor: str  # who the history says did it: the signed-in user, or the OS login
    backup_made: Path | None = None  # the copy taken before migrating, if one was
    viewer: Viewer | None = None  # who is signed in (set once they are)

    def sign_in(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.actor = viewer.username

    def read(self, fn: Callable[Concatenate[Session, P], R], *args: P.args,
             **kwargs: P.kwargs) -> R:
        """Run a query function in a short read session; DTOs come back, never ORM objects."""
        with self.session() as session:
            return fn(session, *args, **kwargs)

    def act(self, fn: Callable[Concatenate[UnitOfWork, P], R], *args: P.args,
            **kwargs: P.kwargs) -> R:
        """Run one user action in its own unit of work."""
        return fn(self.uow(), *args, **kwargs)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session, self.actor, self.viewer)

    def session(self) -> Session:
        """A new session that knows who is asking (services check it; see access.py)."""
        return with_viewer(self.sessions(), self.viewer)

    @property
    def database_label(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


