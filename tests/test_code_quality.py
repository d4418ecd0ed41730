"""The code passes its linters: ruff's rules and the import-linter layer contracts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)


def test_ruff_finds_nothing_to_fix():
    result = _run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, f"ruff check . failed:\n{result.stdout}\n{result.stderr}"


def test_the_layer_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), f"import-linter is not installed beside {sys.executable}"
    result = _run(str(lint_imports), "--no-cache")
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}\n{result.stderr}"
    assert "0 broken" in result.stdout


def _qt_widget_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found += [f"{path.relative_to(ROOT)}:{node.lineno} imports {name}" for name in names
                  if name.startswith("PySide6.QtWidgets")]
    return found


def test_only_the_ui_imports_qt_widgets():
    """printing may draw with QtGui and reach printers, but widgets belong to app/ui alone."""
    offenders = [hit for path in sorted((ROOT / "app").rglob("*.py"))
                 if (ROOT / "app" / "ui") not in path.parents and path.name != "__main__.py"
                 for hit in _qt_widget_imports(path)]
    assert offenders == []
