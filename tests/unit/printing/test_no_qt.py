"""Services import app.printing, and services must not pull in Qt: only system.py may."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PRINTING = Path(__file__).resolve().parents[3] / "app" / "printing"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def test_only_system_py_imports_qt_and_nothing_imports_system_py():
    for path in sorted(PRINTING.glob("*.py")):
        found = _imports(path)
        if path.name != "system.py":
            assert not any(name.startswith("PySide6") for name in found), path.name
        assert "app.printing.system" not in found, path.name


def test_rendering_and_sending_load_no_qt_at_all():
    modules = [p.stem for p in PRINTING.glob("*.py") if p.stem not in ("system", "__init__")]
    code = ("import sys\n" + "".join(f"import app.printing.{m}\n" for m in modules)
            + "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PRINTING.parents[1],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
