"""Shared fixtures: an empty workshop, the demo workshop (built once) and private copies of it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import open_backroom
from app.config import load_config
from app.db.engine import sqlite_path
from app.db.models import Order, Product, StatusChange, StockLevel, StockMovement
from app.services.context import Backroom


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder that load_config() picks up through BACKROOM_DATA_DIR."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("BACKROOM_DATA_DIR", str(folder))
    monkeypatch.delenv("BACKROOM_DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def backroom(data_dir: Path) -> Iterator[Backroom]:
    """A new, empty workshop database in the test's data folder."""
    opened = open_backroom(load_config())
    yield opened
    opened.close()


def _fingerprint(backroom: Backroom) -> tuple[object, ...]:
    """Enough of the demo's state to notice that a test wrote to it."""
    with backroom.sessions() as s:
        return (
            s.scalar(select(func.count(Order.id))),
            s.scalar(select(func.max(Order.updated_at))),
            s.scalar(select(func.count(Product.id))),
            s.scalar(select(func.max(Product.updated_at))),
            s.scalar(select(func.count(StatusChange.id))),
            s.scalar(select(func.count(StockMovement.id))),
            s.scalar(select(func.sum(StockLevel.on_hand))),
            s.scalar(select(func.sum(StockLevel.reserved))),
        )


@pytest.fixture(scope="session")
def demo_backroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backroom]:
    """The demo workshop, built once per run and shared: read it, never write to it.

    Tests that write take `demo_copy` instead; a write here fails the run at the end.
    """
    folder = tmp_path_factory.mktemp("demo")
    opened = open_backroom(load_config(demo=True, env={"BACKROOM_DATA_DIR": str(folder)}))
    before = _fingerprint(opened)
    yield opened
    after = _fingerprint(opened)
    opened.close()
    assert after == before, "a test wrote to the shared demo_backroom; use demo_copy instead"


@pytest.fixture
def demo_copy(demo_backroom: Backroom, data_dir: Path) -> Iterator[Backroom]:
    """A private copy of the demo workshop (as the test's usual database) to change freely."""
    source = sqlite_path(demo_backroom.config.database_url)
    assert source is not None
    target = data_dir / "backroom.sqlite"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    opened = open_backroom(load_config())
    yield opened
    opened.close()
