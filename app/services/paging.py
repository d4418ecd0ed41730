"""Pages of rows read by keyset through SQL: sorting and filtering stay in the database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.sql import ColumnElement

Row = TypeVar("Row")

PAGE_SIZE = 200


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


def keyset_page(session: Any, stmt: Select[Any], listing: Listing, req: PageRequest,
                make_row: Callable[[Any], Row]) -> Page[Row]:
    """Apply sort, keyset position and limit to `stmt`, whose last two columns are the keys."""
    col, desc = listing.resolve(req)
    tie = listing.tiebreak
    if req.after is not None:
        value, last_id = req.after
        if desc:
            stmt = stmt.where(or_(col < value, and_(col == value, tie < last_id)))
        else:
            stmt = stmt.where(or_(col > value, and_(col == value, tie > last_id)))
    order = (col.desc(), tie.desc()) if desc else (col.asc(), tie.asc())
    stmt = stmt.add_columns(col.label("_sort"), tie.label("_tie"))
    stmt = stmt.order_by(*order).limit(req.limit + 1)
    result: Sequence[Any] = session.execute(stmt).all()
    more = len(result) > req.limit
    result = result[: req.limit]
    rows = tuple(make_row(r) for r in result)
    after = (result[-1]._sort, result[-1]._tie) if more and result else None
    return Page(rows=rows, after=after)
