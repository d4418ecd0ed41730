"""Back up now: a consistent, readable copy; a cancelled one leaves nothing behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.domain.errors import DomainError
from app.services.backup import back_up_now

TABLES = ("orders", "order_lines", "products", "stock_movements", "stock_levels",
          "status_changes", "supplier_tasks", "alembic_version")


def _rows(path: Path, table: str) -> list[tuple]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    finally:
        con.close()


def test_a_backup_is_a_readable_copy_with_the_same_rows(demo_backroom, tmp_path):
    source = Path(demo_backroom.engine.url.database)
    steps: list[tuple[int, int]] = []
    target = back_up_now(demo_backroom.config.database_url, tmp_path / "backups",
                         progress=lambda done, total: steps.append((done, total)))
    assert target.parent == tmp_path / "backups"
    assert target.name.startswith("demo-") and target.suffix == ".sqlite"
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    for table in TABLES:
        assert _rows(target, table) == _rows(source, table), table
    assert len(steps) > 1, "progress was reported only once"
    assert steps[-1][0] == steps[-1][1]
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)


def test_a_backup_sees_committed_work_still_in_the_write_ahead_log(demo_copy, tmp_path):
    with demo_copy.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE products SET title = 'Renamed mug' WHERE sku = 'MUG-0001'")
    target = back_up_now(demo_copy.config.database_url, tmp_path / "backups")
    con = sqlite3.connect(target)
    assert con.execute("SELECT title FROM products WHERE sku = 'MUG-0001'").fetchone() == (
        "Renamed mug",)
    con.close()


def test_cancelling_a_backup_midway_leaves_no_file(demo_backroom, tmp_path):
    backups = tmp_path / "backups"
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1  # let one batch of pages through, then stop

    with pytest.raises(DomainError, match="cancelled"):
        back_up_now(demo_backroom.config.database_url, backups, cancelled=cancelled)
    assert len(calls) == 2
    assert list(backups.iterdir()) == []


def test_a_server_database_is_not_backed_up_by_copying(tmp_path):
    with pytest.raises(DomainError, match="pg_dump"):
        back_up_now("postgresql://backroom:secret@localhost/backroom", tmp_path / "backups")
    assert not (tmp_path / "backups").exists()


def test_two_backups_in_the_same_second_keep_two_files(demo_backroom, tmp_path):
    first = back_up_now(demo_backroom.config.database_url, tmp_path / "backups")
    second = back_up_now(demo_backroom.config.database_url, tmp_path / "backups")
    assert first != second
    assert first.exists() and second.exists()
