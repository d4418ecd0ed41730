"""Alembic migrations applied at start-up, with a backup of the file first.

Alembic itself is imported only when a database is behind: opening an up-to-date
database costs one read of its version row, which keeps start-up quick.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError

from app.db.engine import BUSY_TIMEOUT_MS, DatabaseProblem, backup_sqlite, sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration in migrations/versions; a test keeps the two equal.
HEAD_REVISION = "0007"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head() or ""


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}


def _sqlite_revision_readonly(path: Path) -> str | None:
    """Read the schema revision without writing a byte to the file."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:  # pragma: no cover - depends on the OS
        raise DatabaseProblem(f"{path} cannot be opened: {exc}.") from exc
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseProblem(
                    f"{path} is a SQLite database, but not a Backroom one (it has tables "
                    f"such as {sorted(tables)[0]!r} and no Backroom schema version). Nothing "
                    "was changed in it. Choose a Backroom database or a new file name."
                )
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc):
            raise DatabaseProblem(
                f"{path} is locked by another program. Close it (or the other Backroom "
                "window using it) and start again."
            ) from exc
        raise DatabaseProblem(
            f"{path} is damaged or not a database ({exc}). Nothing was changed in it. "
            "Restore it from a backup (files named *.backup-* beside it)."
        ) from exc
    finally:
        con.close()


def _check_revision(current: str | None, where: str) -> None:
    if current is not None and current != HEAD_REVISION and current not in known_revisions():
        raise DatabaseProblem(
            f"{where} was written by a newer Backroom (schema {current}). This Backroom "
            "cannot read it and has not changed it. Install the newer Backroom to open it."
        )


def upgrade(engine: Engine, url: str) -> Path | None:
    """Bring the database to the newest schema; return the backup made first, if any."""
    path = sqlite_path(url)
    backup: Path | None = None
    if path is not None:
        current = _sqlite_revision_readonly(path)
        _check_revision(current, str(path))
        if current == HEAD_REVISION:
            return None
        if current is not None:
            backup = backup_sqlite(path)
    from alembic import command

    try:
        with engine.begin() as conn:
            if path is None:
                current = _server_revision(conn)
                _check_revision(current, engine.url.render_as_string(hide_password=True))
                if current is None and inspect(conn).get_table_names():
                    raise DatabaseProblem(
                        "That database already has tables but no Backroom schema. "
                        "Point Backroom at an empty database.")
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        if "locked" in str(exc):
            raise DatabaseProblem(
                f"{path or 'The database'} stayed locked by another program for "
                f"{BUSY_TIMEOUT_MS / 1000:g} seconds. Close the other program and try again."
            ) from exc
        raise
    return backup


def _server_revision(conn) -> str | None:  # type: ignore[no-untyped-def]
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _server_revision(conn)
