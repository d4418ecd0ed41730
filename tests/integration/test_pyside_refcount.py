"""PySide6 6.12.0 on Python 3.11 corrupts the refcounts of None and True in void calls.

After some 100-200 thousand such calls the interpreter frees None and aborts. pyproject.toml
pins PySide6 below 6.12; this runs the calls in a child process so a regression shows up as a
failed test instead of a crashed test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CALLS = 300_000

CHILD = textwrap.dedent(f"""
    import sys

    from PySide6.QtCore import QAbstractTableModel, QModelIndex
    from PySide6.QtWidgets import QApplication, QLabel

    class Rows(QAbstractTableModel):
        def __init__(self):
            super().__init__()
            self.n = 0

        def rowCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else self.n

        def columnCount(self, parent=QModelIndex()):
            return 1

        def data(self, index, role=0):
            return None

        def grow(self):
            self.beginInsertRows(QModelIndex(), self.n, self.n)
            self.n += 1
            self.endInsertRows()

    app = QApplication([])
    label = QLabel()
    rows = Rows()
    none_before = sys.getrefcount(None)
    for i in range({CALLS} // 4):
        label.setText("even" if i % 2 else "odd")   # void call
        label.setEnabled(bool(i % 2))                # void call taking True/False
        rows.grow()                                  # two void calls
    assert rows.rowCount() == {CALLS} // 4
    assert label.text() in ("even", "odd")
    print("survived", sys.getrefcount(None) - none_before, flush=True)
""")


def test_many_void_qt_calls_do_not_exhaust_none_or_true():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                            text=True, timeout=240, check=False)
    assert result.returncode == 0, (
        f"the child exited with {result.returncode}:\n{result.stdout}\n{result.stderr[-3000:]}")
    assert "survived" in result.stdout
