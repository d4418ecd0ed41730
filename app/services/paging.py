"""Pages of rows read by keyset through SQL: sorting and filtering stay in the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Select
from sqlalchemy.sql import ColumnElement

Row = TypeVar("Row")

PAGE_SIZE = 200
# Rows are read by position, so SQLAlchemy need not re-key a cached statement's result
# columns to each new statement's column objects (the ORM skips that step the same way).
_BY_POSITION = {"_result_disable_adapt_to_context": True}


@dataclass(frozen=True)
class PageRequest:
    search: str = ""
    sort: str = ""
    descending: bool = False
    after: tuple[Any, ...] | None = None  # keyset of the last row already shown
    limit: int = PAGE_SIZE
    filters: tuple[tuple[str, Any], ...] = ()

    def filter(self, name: str, default: Any = None) -> Any:
        return dict(self.filters).get(name, default)


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: tuple[Row, ...]
    after: tuple[Any, ...] | None  # pass back to get the next page; None at the end
    total: int | None = None


@dataclass(frozen=True)
class SortKey:
    """A column people may sort by; nulls are not allowed in sort columns."""

    column: ColumnElement[Any]


@dataclass(frozen=True)
class Listing:
    """A sortable list: its sort keys, the default one, and the unique tie-breaker."""

    sort_keys: dict[str, ColumnElement[Any]]
    default_sort: str
    default_descending: bool
    tiebreak: ColumnElement[Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def resolve(self, req: PageRequest) -> tuple[ColumnElement[Any], bool]:
        if req.sort and req.sort not in self.sort_keys:
            raise ValueError(f"cannot sort by {req.sort!r}")
        key = req.sort or self.default_sort
        desc = req.descending if req.sort else self.default_descending
        return self.sort_keys[key], desc


def _table_column(expr: Any) -> Column[Any] | None:
    """The table column behind an expression, if it is one (then it need not be read twice)."""
    expr = getattr(expr, "expression", expr)  # an ORM attribute's column
    base = expr._deannotate() if hasattr(expr, "_deannotate") else expr
    return base if isinstance(base, Column) else None


def keyset_page(session: Any, stmt: Select[Any], listing: Listing, req: PageRequest,
                make_row: Callable[[Any], Row]) -> Page[Row]:
    """Apply sort, keyset position and limit to `stmt`; rows are `stmt`'s columns, then keys.

    The sort key and tie-breaker are added as the last columns unless already selected.
    A later page is read in two index seeks rather than one `col > v OR (col = v AND id > t)`,
    which SQLite can only answer by walking the index from the start: first the rest of the
    rows sharing the last value (`col = v AND id > t`), then, if the page is not full yet,
    the rows after it (`col > v`). A computed sort key (a sum, a first bin) cannot come from an
    index, so the page's ids are sorted out first and only their rows are read in full.
    Rows come back through Core: no ORM bookkeeping per row.
    """
    col, desc = listing.resolve(req)
    tie = listing.tiebreak
    selected = [_table_column(c) for c in stmt.selected_columns]
    keys = []
    for expr, label in ((col, "_sort"), (tie, "_tie")):
        column = _table_column(expr)
        at = next((i for i, c in enumerate(selected) if c is column), None)
        if column is not None and at is not None:
            keys.append(at)
        else:
            keys.append(len(selected))
            selected.append(None)
            stmt = stmt.add_columns(expr.label(label))
    sort_at, tie_at = keys
    order = (col.desc(), tie.desc()) if desc else (col.asc(), tie.asc())
    computed = _table_column(col) is None
    conn = session.connection()

    def rows(where: list[Any], limit: int) -> list[Any]:
        page = stmt.where(*where)
        if computed:
            ids = page.with_only_columns(tie).order_by(*order).limit(limit)
            page = stmt.where(tie.in_(ids))
        return list(conn.execute(page.order_by(*order).limit(limit),
                                 execution_options=_BY_POSITION).all())

    want = req.limit + 1
    if req.after is None:
        result = rows([], want)
    else:
        value, last_id = req.after
        result = rows([col == value, tie < last_id if desc else tie > last_id], want)
        if len(result) < want:
            result.extend(rows([col < value if desc else col > value], want - len(result)))
    more = len(result) > req.limit
    result = result[: req.limit]
    page_rows = tuple(make_row(r) for r in result)
    after = (result[-1][sort_at], result[-1][tie_at]) if more and result else None
    return Page(rows=page_rows, after=after)
