"""The raw SQLite file behind a Backroom, read and written without our code."""

from __future__ import annotations

import sqlite3

from app.db.engine import sqlite_path
from app.services.context import Backroom


def raw(backroom: Backroom) -> sqlite3.Connection:
    """A plain sqlite3 connection to the same file, for checking results by direct SQL."""
    path = sqlite_path(backroom.config.database_url)
    assert path is not None
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    return con
