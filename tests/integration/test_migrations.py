"""Opening a database: migrate with a backup first, and refuse what is not ours untouched."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import app.db.engine
import app.db.migrate
from app.bootstrap import open_backroom
from app.config import load_config
from app.db.engine import DatabaseProblem
from app.db.migrate import alembic_config, current_revision, head_revision, known_revisions
from app.db.models import Base


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _revision_in(path: Path) -> str | None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def _at_head(path: Path) -> None:
    open_backroom(load_config(_url(path))).close()


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_new_database_gets_every_table_of_the_schema(backroom):
    tables = set(inspect(backroom.engine).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert current_revision(backroom.engine) == head_revision()


def test_the_migrations_build_exactly_the_schema_the_models_describe(backroom):
    with backroom.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_the_migrations_form_one_line_from_0001_to_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [head_revision()]
    assert script.get_bases() == ["0001"]
    chain = [rev.revision for rev in script.walk_revisions()]
    assert set(chain) == known_revisions()
    assert chain[-1] == "0001"


def test_opening_a_database_at_head_again_changes_nothing(data_dir):
    path = data_dir / "backroom.sqlite"
    first = open_backroom(load_config())
    assert first.backup_made is None
    first.close()
    before = _snapshot(path)
    files_before = sorted(p.name for p in data_dir.iterdir())

    again = open_backroom(load_config())
    assert again.backup_made is None
    assert current_revision(again.engine) == head_revision()
    again.close()

    assert _snapshot(path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == files_before
    assert not list(data_dir.glob("*.backup-*"))


def test_an_old_database_is_backed_up_beside_itself_then_upgraded(data_dir):
    path = data_dir / "backroom.sqlite"
    command.upgrade(alembic_config(_url(path)), "0001")
    assert _revision_in(path) == "0001"
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO categories (id, code, name, assignment_strategy) "
                    "VALUES (1, 'mugs', 'Mugs', 'round_robin')")
    con.close()

    opened = open_backroom(load_config())
    try:
        assert current_revision(opened.engine) == head_revision() != "0001"
        assert set(inspect(opened.engine).get_table_names()) >= set(Base.metadata.tables)
        backups = list(data_dir.glob("backroom.backup-*"))
        assert backups == [opened.backup_made]
        assert _revision_in(backups[0]) == "0001"
        with sqlite3.connect(backups[0]) as copy:
            assert copy.execute("SELECT code FROM categories").fetchall() == [("mugs",)]
        copy.close()
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT code FROM categories").all() == [("mugs",)]
    finally:
        opened.close()


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(data_dir):
    path = data_dir / "notes.sqlite"
    path.write_text("Shopping list: tape, boxes, labels\n" * 20)
    before = _snapshot(path)
    with pytest.raises(DatabaseProblem) as caught:
        open_backroom(load_config(_url(path)))
    assert str(path) in str(caught.value)
    assert "not a SQLite file" in str(caught.value)
    assert _snapshot(path) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["notes.sqlite"]


def test_someone_elses_sqlite_database_is_refused_and_left_as_it_was(data_dir):
    path = data_dir / "accounts.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)")
        con.execute("INSERT INTO ledger (amount) VALUES (42)")
    con.close()
    before = _snapshot(path)
    with pytest.raises(DatabaseProblem) as caught:
        open_backroom(load_config(_url(path)))
    message = str(caught.value)
    assert str(path) in message
    assert "not a Backroom one" in message
    assert "'ledger'" in message
    assert _snapshot(path) == before
    assert not list(data_dir.glob("*.backup-*"))


def test_a_database_from_a_newer_backroom_is_refused_and_left_as_it_was(data_dir):
    path = data_dir / "backroom.sqlite"
    _at_head(path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    con.close()
    before = _snapshot(path)
    with pytest.raises(DatabaseProblem) as caught:
        open_backroom(load_config())
    message = str(caught.value)
    assert str(path) in message
    assert "written by a newer Backroom" in message
    assert "ffff_future" in message
    assert _snapshot(path) == before
    assert not list(data_dir.glob("*.backup-*"))


@pytest.fixture
def short_busy_timeout(monkeypatch):
    monkeypatch.setattr(app.db.engine, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(app.db.migrate, "BUSY_TIMEOUT_MS", 200)


def _hold_exclusive_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def _open_in_thread(url: str) -> BaseException | None:
    """Open with a deadline, so a busy timeout that is not honoured fails instead of hanging."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            open_backroom(load_config(url)).close()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert outcome, "opening a locked database hung"
    return outcome[0]


def test_a_locked_database_is_refused_in_words(data_dir, short_busy_timeout):
    path = data_dir / "backroom.sqlite"
    _at_head(path)
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    before = _snapshot(path)
    holder = _hold_exclusive_lock(path)
    try:
        problem = _open_in_thread(_url(path))
    finally:
        holder.rollback()
        holder.close()
    assert isinstance(problem, DatabaseProblem)
    assert f"{path} is locked by another program" in str(problem)
    assert "damaged" not in str(problem)
    assert _snapshot(path) == before


def test_a_database_locked_while_it_needs_migrating_is_refused_in_words(
        data_dir, short_busy_timeout):
    path = data_dir / "backroom.sqlite"
    command.upgrade(alembic_config(_url(path)), "0001")
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA journal_mode=WAL")
    con.close()
    holder = _hold_exclusive_lock(path)
    try:
        problem = _open_in_thread(_url(path))
    finally:
        holder.rollback()
        holder.close()
    assert isinstance(problem, DatabaseProblem)
    assert f"{path} stayed locked by another program" in str(problem)
    assert _revision_in(path) == "0001"

    reopened = open_backroom(load_config(_url(path)))
    try:
        assert current_revision(reopened.engine) == head_revision()
    finally:
        reopened.close()
