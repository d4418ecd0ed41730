"""Dialogs that list problems grow to show them whole."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget


def fit_height(dialog: QWidget) -> None:
    """Grow to show every line whole (wrapped labels need their height for the width);
    again once rows just added are shown, which Qt does on its next turn."""
    grow(dialog)
    QTimer.singleShot(0, lambda: grow(dialog))


def grow(dialog: QWidget) -> None:
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    needed = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() \
        else layout.totalSizeHint().height()
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


def show_result(dialog: QWidget, button: QWidget, label: QLabel, text: str,
                style: str) -> None:
    """A test (connection, label) came back: its button works again, its answer shows in
    the given colour, and the dialog grows to show it whole."""
    button.setEnabled(True)
    label.setStyleSheet(style)
    label.setText(text)
    fit_height(dialog)
