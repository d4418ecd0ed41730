"""Back up now: a consistent copy of the open database into the backups folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.db.engine import backup_sqlite, sqlite_path
from app.domain.errors import DomainError


class BackupCancelled(Exception):
    pass


def back_up_now(database_url: str, backups_dir: Path,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> Path:
    """Copy page by page, reporting progress; a cancelled backup leaves no partial file."""
    source = sqlite_path(database_url)
    if source is None:
        raise DomainError("Back up now copies SQLite files; back up a server database with "
                          "its own tools (for PostgreSQL, pg_dump).")
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups_dir / f"{source.stem}-{stamp}.sqlite"
    n = 1
    while target.exists():  # two backups in the same second each keep their own file
        n += 1
        target = backups_dir / f"{source.stem}-{stamp}-{n}.sqlite"

    def on_pages(_status: int, remaining: int, total: int) -> None:
        if cancelled and cancelled():
            raise BackupCancelled
        if progress:
            progress(total - remaining, total)

    try:
        return backup_sqlite(source, target, progress=on_pages)
    except BackupCancelled:
        raise DomainError("Backup cancelled; no partial copy was kept.") from None
