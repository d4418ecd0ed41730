"""Render each tab of the main window to a PNG, offscreen (for the README and for review)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from app.ui.main_window import MainWindow


def save_tabs(window: MainWindow, folder: Path, size: tuple[int, int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(*size)
    window.show()
    saved = []
    for i, page in enumerate(window.tab_pages):
        window.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        page.ensure_loaded()
        deadline = time.monotonic() + 60
        while window.ops.running and time.monotonic() < deadline:  # e.g. Finance adding up
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QApplication.processEvents()
        path = folder / f"{i + 1}-{page.title.lower()}.png"
        window.grab().save(str(path))
        saved.append(path)
    return saved
