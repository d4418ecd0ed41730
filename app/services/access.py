"""Who is asking: the signed-in viewer rides on each session, and services check it.

A session with no viewer is Backroom's own work or a script's (tests, the command line)
and acts as the owner; the window always signs someone in first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.domain.access import Can, Viewer

F = TypeVar("F", bound=Callable[..., Any])

VIEWER = "viewer"


def with_viewer(session: Session, viewer: Viewer | None) -> Session:
    if viewer is not None:
        session.info[VIEWER] = viewer
    return session


def viewer_of(session: Session) -> Viewer | None:
    return session.info.get(VIEWER)


def require(session: Session, what: Can) -> None:
    """Refuse, in words, what the signed-in person may not do."""
    viewer = viewer_of(session)
    if viewer is not None:
        viewer.require(what)


def requires(what: Can) -> Callable[[F], F]:
    """Mark a service as needing `what`: checked before it runs, against the viewer of its
    session (reads), unit of work (actions) or Backroom (long jobs such as a sync)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def checked(first: Any, *args: Any, **kwargs: Any) -> Any:
            # A read gets a Session; an action its UnitOfWork; a long job the Backroom.
            viewer = viewer_of(first) if isinstance(first, Session) else first.viewer
            if viewer is not None:
                viewer.require(what)
            return fn(first, *args, **kwargs)

        checked.requires = what  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return wrap
