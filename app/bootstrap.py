"""Composition root: open (and if asked, fill) the database, and hand back a Backroom."""

from __future__ import annotations

import getpass
from collections.abc import Callable

from sqlalchemy import func, select

from app.config import Config
from app.db.engine import make_engine, make_session_factory
from app.db.migrate import upgrade
from app.db.models import Product
from app.services.context import Backroom


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some services, containers)
        return "owner"


def open_backroom(config: Config,
                  progress: Callable[[str, int, int], None] | None = None) -> Backroom:
    """Check, back up and migrate the database; seed the demo workshop when it is empty."""
    engine = make_engine(config.database_url)
    try:
        backup = upgrade(engine, config.database_url)
        backroom = Backroom(config=config, engine=engine, sessions=make_session_factory(engine),
                            actor=current_actor(), backup_made=backup)
        if config.demo:
            with backroom.sessions() as s:
                empty = not s.scalar(select(func.count(Product.id)))
            if empty:
                from app.services.demo import build_demo

                build_demo(backroom, scale=config.scale, progress=progress)
    except BaseException:
        engine.dispose()
        raise
    for folder in (config.photos_dir, config.exports_dir, config.backups_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return backroom
