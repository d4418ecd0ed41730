"""GUI fixtures: a demo database copied per test, a main window on it, and no stray threads."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _offscreen_bench_screen() -> str:
    """Offscreen Qt with a 1920x1080 screen (its default is 800x800, smaller than the window)."""
    config = Path(tempfile.gettempdir()) / "backroom-offscreen-screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "Bench", "x": 0, "y": 0, "width": 1920, "height": 1080,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    return f"offscreen:configfile={config}"


if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = _offscreen_bench_screen()

import pytest  # noqa: E402
from loopback import Recorder  # noqa: E402
from PySide6.QtCore import QThreadPool  # noqa: E402

from app.bootstrap import open_backroom  # noqa: E402
from app.config import load_config  # noqa: E402
from app.services.context import Backroom  # noqa: E402
from app.ui import ops  # noqa: E402


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workshop, built once; tests get a copy."""
    folder = tmp_path_factory.mktemp("demo-template")
    backroom = open_backroom(load_config(demo=True, env={"BACKROOM_DATA_DIR": str(folder)}))
    backroom.close()
    return folder / "demo.sqlite"


@pytest.fixture
def gui_backroom(demo_template: Path, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Backroom]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(demo_template, data / "demo.sqlite")
    monkeypatch.setenv("BACKROOM_DATA_DIR", str(data))
    monkeypatch.delenv("BACKROOM_DATABASE_URL", raising=False)
    backroom = open_backroom(load_config(demo=True))
    from app.services import users

    backroom.sign_in(backroom.read(users.the_owner))  # as Backroom does before the window
    yield backroom
    backroom.close()


@pytest.fixture
def window(qtbot, gui_backroom: Backroom):  # type: ignore[no-untyped-def]
    from app.ui.main_window import MainWindow

    win = MainWindow(gui_backroom)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.current_tab().loaded, timeout=5000)  # loads after painting
    yield win
    win.ops.wait_all()


@pytest.fixture(autouse=True)
def no_thread_left_running(qtbot) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Fail any test that leaves a worker thread running behind it."""
    yield
    qtbot.waitUntil(lambda: ops.live_threads() == 0, timeout=5000)
    assert ops.live_threads() == 0, "a test left a background job's thread running"
    assert QThreadPool.globalInstance().activeThreadCount() == 0


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A port-9100 label printer on loopback that keeps every job it is sent."""
    printer = Recorder()
    yield printer
    printer.stop()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: the printer is off."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
