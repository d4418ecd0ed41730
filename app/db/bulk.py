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


def update_rows(conn: Connection, table: Table, set_columns: Sequence[str],
                key_columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE table SET set_columns WHERE key_columns, one executemany; each row gives the
    new values then the key, in that order (plain integers and text only)."""
    if not rows:
        return
    if conn.dialect.paramstyle != "qmark":
        from sqlalchemy import and_, bindparam, update

        n = len(set_columns)
        conn.execute(update(table).where(and_(*(
            table.c[k] == bindparam(f"k_{k}") for k in key_columns))).values(
            {c: bindparam(f"v_{c}") for c in set_columns}),
            [{**{f"v_{c}": r[i] for i, c in enumerate(set_columns)},
              **{f"k_{k}": r[n + i] for i, k in enumerate(key_columns)}} for r in rows])
        return
    sql = (f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in set_columns)} "
           f"WHERE {' AND '.join(f'{k} = ?' for k in key_columns)}")
    conn.exec_driver_sql(sql, [tuple(r) for r in rows])


def next_ids(conn: Connection, table: Table, n: int) -> list[int] | None:
    """n fresh primary keys for a writer that holds SQLite's write lock (None elsewhere:
    there, let the database hand them out)."""
    if conn.dialect.name != "sqlite":
        return None
    top = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar()
    return list(range(int(top or 0) + 1, int(top or 0) + 1 + n))
