"""Inventory > Import…: a catalogue file checked first, then applied all or nothing in the
background; a file with problems lists each by row and changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select

from app.db.models import Product, StockMovement
from app.services import stock
from app.ui.dialogs.catalogue_import import CatalogueImportDialog
from app.ui.ops import Ops


def _dialog(qtbot, backroom) -> CatalogueImportDialog:  # type: ignore[no-untyped-def]
    dialog = CatalogueImportDialog(lambda: backroom, Ops(lambda: backroom))
    qtbot.addWidget(dialog)
    return dialog


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _counts(backroom) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return (s.scalar(select(func.count(Product.id))),
                s.scalar(select(func.count(StockMovement.id))))


def _finished(qtbot, dialog) -> str:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.job is None and dialog.report is not None, timeout=10_000)
    return dialog.result.toPlainText()


def test_check_then_import_creates_products_and_sets_stock(qtbot, gui_backroom, tmp_path):
    path = _csv(tmp_path / "new.csv", [
        ["SKU", "Title", "Category", "Price", "Quantity", "Location"],
        ["MUG-9001", "Mug nine thousand", "Mugs", "14.00", "6", "A-01-1"],
        ["MUG-0001", "", "", "", "", ""]])
    dialog = _dialog(qtbot, gui_backroom)
    assert not dialog.import_button.isEnabled()
    dialog.set_path(path)
    before = _counts(gui_backroom)
    dialog.check_button.click()
    shown = _finished(qtbot, dialog)
    assert "1 would be created, 0 updated, 1 unchanged, 1 stock level set" in shown
    assert "Preview: nothing was changed" in shown
    assert _counts(gui_backroom) == before
    dialog.report = None
    with qtbot.waitSignal(dialog.changesMade, timeout=10_000) as emitted:
        dialog.import_button.click()
    assert emitted.args[0].touches("products") and emitted.args[0].touches("stock")
    assert "1 created" in _finished(qtbot, dialog)
    assert _counts(gui_backroom) == (before[0] + 1, before[1] + 1)
    assert gui_backroom.read(stock.ledger_mismatches) == ()


def test_a_file_with_problems_is_explained_by_row_and_changes_nothing(qtbot, gui_backroom,
                                                                      tmp_path):
    path = _csv(tmp_path / "bad.csv", [
        ["SKU", "Title", "Category", "Barcode", "Quantity"],
        ["", "No SKU", "Mugs", "", ""],
        ["MUG-9002", "Mug", "Cupz", "", ""],
        ["MUG-0001", "", "", "5012345678901", ""],
        ["MUG-0002", "", "", "", "-1"]])
    dialog = _dialog(qtbot, gui_backroom)
    dialog.set_path(path)
    before = _counts(gui_backroom)
    dialog.import_button.click()
    shown = _finished(qtbot, dialog)
    assert "bad.csv: refused, nothing imported (4 problems)" in shown
    for words in ("Row 2, SKU: The SKU is missing.", "Row 3, Category: 'Cupz' is not a",
                  "Row 4, Barcode: EAN-13 5012345678901 has check digit 1",
                  "Row 5, Quantity: -1 is negative"):
        assert words in shown
    assert "Nothing was changed" in shown
    assert _counts(gui_backroom) == before


def test_a_file_that_cannot_be_read_says_why(qtbot, gui_backroom, tmp_path):
    odd = _csv(tmp_path / "people.csv", [["Name"], ["Ann"]])
    dialog = _dialog(qtbot, gui_backroom)
    dialog.set_path(odd)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=10_000)
    assert "Nothing was imported." in dialog.result.toPlainText()
    assert "people.csv has no SKU column" in dialog.result.toPlainText()
