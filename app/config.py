"""Where Backroom keeps its data, and the settings that move it."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "Backroom"


def resources_dir() -> Path:
    """resources/ beside app/ in a checkout, or unpacked beside the frozen executable."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    demo: bool = False
    scale: int = 1

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"


def default_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    override = env.get("BACKROOM_DATA_DIR")
    if override:
        return Path(override).expanduser().resolve()
    return user_data_path(APP_NAME, appauthor=False)


def demo_file_name(scale: int) -> str:
    return "demo.sqlite" if scale <= 1 else f"demo-x{scale}.sqlite"


def load_config(database_url: str | None = None, *, demo: bool = False, scale: int = 1,
                env: Mapping[str, str] = os.environ) -> Config:
    """Settle the data folder and database: flag beats environment beats default."""
    if scale < 1:
        raise ValueError("--scale must be 1 or more")
    data_dir = default_data_dir(env)
    url = database_url or env.get("BACKROOM_DATABASE_URL")
    if not url:
        name = demo_file_name(scale) if demo or scale > 1 else "backroom.sqlite"
        url = f"sqlite:///{data_dir / name}"
    return Config(data_dir=data_dir, database_url=url, demo=demo or scale > 1, scale=scale)


def database_name(url: str) -> str:
    """A short name for the window title: the file name, or the server URL without password."""
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):]).name or "in-memory database"
    scheme, _, rest = url.partition("://")
    host = rest.rsplit("@", 1)[-1]
    return f"{scheme}://{host}" if rest else url
