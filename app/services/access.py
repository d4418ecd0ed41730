"""Who is asking: the signed-in viewer rides on each session, and services check it.

A session with no viewer is Backroom's own work or a script's (tests, the command line)
and acts as the owner; the window always signs someone in first.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.domain.access import Can, Viewer

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
