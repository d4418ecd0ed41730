"""Where the data lives: flag beats environment beats the platform's default folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bootstrap import open_backroom
from app.config import default_data_dir, load_config
from app.db.engine import sqlite_path


def test_the_data_folder_defaults_to_the_platforms_user_data_folder():
    config = load_config(env={})
    assert config.data_dir.name == "Backroom"
    assert config.database_url == f"sqlite:///{config.data_dir / 'backroom.sqlite'}"
    assert not config.demo


def test_backroom_data_dir_moves_the_data_folder(tmp_path):
    config = load_config(env={"BACKROOM_DATA_DIR": str(tmp_path / "shop")})
    assert config.data_dir == (tmp_path / "shop").resolve()
    assert sqlite_path(config.database_url) == config.data_dir / "backroom.sqlite"
    assert config.backups_dir == config.data_dir / "backups"
    assert config.photos_dir == config.data_dir / "photos"
    assert config.exports_dir == config.data_dir / "exports"


def test_backroom_data_dir_expands_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_dir({"BACKROOM_DATA_DIR": "~/shop"}) == (tmp_path / "shop").resolve()


def test_the_environment_database_url_overrides_the_data_folder(tmp_path):
    env = {"BACKROOM_DATA_DIR": str(tmp_path), "BACKROOM_DATABASE_URL": "sqlite:////srv/x.db"}
    config = load_config(env=env)
    assert config.database_url == "sqlite:////srv/x.db"
    assert config.data_dir == tmp_path.resolve()


def test_the_database_url_argument_beats_the_environment(tmp_path):
    env = {"BACKROOM_DATA_DIR": str(tmp_path), "BACKROOM_DATABASE_URL": "sqlite:////srv/x.db"}
    config = load_config("sqlite:////srv/chosen.db", env=env)
    assert config.database_url == "sqlite:////srv/chosen.db"
    assert load_config("sqlite:////srv/chosen.db", env={}).database_url \
        == "sqlite:////srv/chosen.db"


def test_the_demo_uses_its_own_file(tmp_path):
    config = load_config(demo=True, env={"BACKROOM_DATA_DIR": str(tmp_path)})
    assert config.demo
    assert config.scale == 1
    assert sqlite_path(config.database_url) == tmp_path.resolve() / "demo.sqlite"


@pytest.mark.parametrize("scale", [2, 10, 500])
def test_a_scaled_demo_uses_a_file_named_after_its_scale(tmp_path, scale):
    config = load_config(scale=scale, env={"BACKROOM_DATA_DIR": str(tmp_path)})
    assert config.demo
    assert sqlite_path(config.database_url) == tmp_path.resolve() / f"demo-x{scale}.sqlite"


def test_a_scale_below_one_is_refused():
    with pytest.raises(ValueError, match="scale"):
        load_config(scale=0, env={})


def test_the_environment_is_read_when_no_mapping_is_given(data_dir: Path):
    assert load_config().data_dir == data_dir.resolve()


def test_opening_makes_the_data_folders(data_dir: Path):
    opened = open_backroom(load_config())
    try:
        for folder in ("backups", "photos", "exports"):
            assert (data_dir / folder).is_dir()
        assert (data_dir / "backroom.sqlite").is_file()
    finally:
        opened.close()
