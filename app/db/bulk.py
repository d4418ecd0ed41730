"""Many rows into one table at the database driver's own speed.

SQLAlchemy's executemany builds and checks parameters row by row (about 4 µs a row, more
than SQLite takes to store it); for imports of a hundred thousand orders that is most of
the time. Here the INSERT is compiled once and the driver gets plain tuples, each value
passed through its column type's own bind processor (the same conversion SQLAlchemy would
make), so what is stored is identical. Databases whose drivers take named parameters go
through Core's executemany as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert

_POSITIONAL = {"qmark", "format", "numeric"}


def insert_rows(conn: Connection, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """INSERT every row (tuples of values for `columns`, in that order) in one executemany."""
    if not rows:
        return
    dialect = conn.dialect
    if dialect.paramstyle not in _POSITIONAL:
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = list(compiled.positiontup or ())
    at = {name: i for i, name in enumerate(columns)}
    if order != list(columns):
        rows = [tuple(row[at[name]] for name in order) for row in rows]
    converts = [(i, p) for i, name in enumerate(order)
                if (p := table.c[name].type._cached_bind_processor(dialect)) is not None]
    if converts:
        rows = [list(row) for row in rows]
        for i, process in converts:
            seen: dict[Any, Any] = {}  # the same time stamps many rows: convert each once
            for row in rows:
                value = row[i]
                try:
                    row[i] = seen[value]
                except KeyError:
                    row[i] = seen[value] = process(value)
                except TypeError:  # unhashable (JSON): convert as it comes
                    row[i] = process(value)
        rows = [tuple(row) for row in rows]
    conn.exec_driver_sql(str(compiled), rows)


def next_ids(conn: Connection, table: Table, n: int) -> list[int] | None:
    """n fresh primary keys for a writer that holds SQLite's write lock (None elsewhere:
    there, let the database hand them out)."""
    if conn.dialect.name != "sqlite":
        return None
    top = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar()
    return list(range(int(top or 0) + 1, int(top or 0) + 1 + n))
