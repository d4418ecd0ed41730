"""Integration fixtures: direct SQL on the demo file, to check our queries against."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from app.services.context import Backroom

from .rawsql import raw


@pytest.fixture
def demo_sql(demo_backroom: Backroom) -> Iterator[sqlite3.Connection]:
    con = raw(demo_backroom)
    yield con
    con.close()
