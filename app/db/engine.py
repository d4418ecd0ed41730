"""Opening a database safely: check before touching, back up before migrating."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class DatabaseProblem(Exception):
    """A database that cannot be opened; the message names the file and what to do."""


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a SQLite database, reading only its header."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseProblem(
            f"{path} is not a Backroom database (it is not a SQLite file at all). "
            "Nothing was changed in it. Choose another file with File > Open database..., "
            "or start Backroom without --database-url to use your usual data."
        )


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with WAL, foreign keys and a busy timeout on SQLite; plain elsewhere."""
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": BUSY_TIMEOUT_MS / 1000})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_connect)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def backup_sqlite(source: Path, target: Path | None = None, *,
                  progress: Any = None, pages: int = 256) -> Path:
    """Copy a live SQLite file with SQLite's online backup API (safe while it is in use)."""
    if target is None:
        stamp = datetime.now(UTC).astimezone().strftime("%Y%m%d-%H%M%S")
        target = source.with_name(f"{source.stem}.backup-{stamp}{source.suffix or '.sqlite'}")
        n = 1
        while target.exists():
            n += 1
            target = source.with_name(f"{source.stem}.backup-{stamp}-{n}{source.suffix}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=pages, progress=progress)
    except BaseException:
        dst.close()
        target.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    dst.close()
    return target
