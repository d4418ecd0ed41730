"""Export job sheet… and Import job sheet… in the Suppliers tab, driven through the buttons
with the file dialogs and message boxes stood in for."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from app.db.models import SupplierTask
from app.domain.changes import Changes
from app.services.job_sheet import FIRST_ROW
from app.ui.tabs.suppliers import SuppliersTab, job_sheet_name


def _show(window) -> SuppliersTab:  # type: ignore[no-untyped-def]
    index = [p.title for p in window.tab_pages].index("Suppliers")
    window.tabs.setCurrentIndex(index)
    tab = window.tab_pages[index]
    assert tab.loaded
    return tab


@pytest.fixture
def boxes(monkeypatch) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    said: dict[str, list[str]] = {"information": [], "warning": []}
    for kind in said:
        monkeypatch.setattr(QMessageBox, kind, lambda *a, k=kind: said[k].append(a[2]))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail(f"asked: {a[2]}"))
    return said


def test_the_default_name_says_whose_sheet_and_when():
    assert job_sheet_name("Kiln & Co.", date(2026, 11, 24)) == \
        "Kiln-Co-job-sheet-2026-11-24.xlsx"


def test_the_job_sheet_buttons_need_a_supplier_selected(window):
    tab = _show(window)
    assert tab.export_button.isEnabled() and tab.import_button.isEnabled()
    tab.table.clearSelection()
    assert not tab.export_button.isEnabled() and not tab.import_button.isEnabled()


def test_export_then_import_a_filled_job_sheet_through_the_buttons(
        window, gui_backroom, qtbot, tmp_path, monkeypatch, boxes):
    tab = _show(window)
    supplier = tab.selected()
    asked: list[str] = []
    target = tmp_path / "for-the-supplier"  # no suffix typed: .xlsx is added

    def save_as(parent, caption, default, filters):  # type: ignore[no-untyped-def]
        asked.append(default)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    tab.export_button.click()
    exports = gui_backroom.config.exports_dir
    assert asked == [str(exports / job_sheet_name(supplier.name, date.today()))]
    sheet_path = target.with_name("for-the-supplier.xlsx")
    assert sheet_path.exists()
    (said,) = boxes["information"]
    assert f"{supplier.open_tasks} open tasks of {supplier.name} saved to:\n{sheet_path}" in said

    book = openpyxl.load_workbook(sheet_path)
    sheet = book["Tasks"]
    rows = {sheet.cell(r, 1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    assigned = [sku for sku, r in rows.items() if sheet.cell(r, 7).value == "Assigned"]
    sku = assigned[0]
    sheet[f"H{rows[sku]}"] = "Accepted"
    book.save(sheet_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a: (str(sheet_path), "Excel workbook (*.xlsx)"))
    with qtbot.waitSignal(tab.changesMade) as emitted:
        tab.import_button.click()
    assert emitted.args == [Changes(tasks=True, orders=True, suppliers=True)]
    assert boxes["information"][-1] == (
        f"1 task of {supplier.name} updated from for-the-supplier.xlsx; "
        f"{supplier.open_tasks - 1} rows with nothing new.")
    with gui_backroom.sessions() as s:
        assert s.scalar(select(SupplierTask.status).where(SupplierTask.sku == sku)) == \
            "accepted"
    assert boxes["warning"] == []


def test_a_job_sheet_with_problems_is_refused_with_every_row_named(
        window, gui_backroom, qtbot, tmp_path, monkeypatch, boxes):
    tab = _show(window)
    path = tmp_path / "sheet.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(path), ""))
    tab.export_button.click()
    book = openpyxl.load_workbook(path)
    sheet = book["Tasks"]
    sheet[f"H{FIRST_ROW}"] = "Later"
    sheet[f"A{FIRST_ROW + 1}"] = "SKU-NOBODY"
    book.save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(path), ""))
    emitted: list[object] = []
    tab.changesMade.connect(emitted.append)
    tab.import_button.click()
    (warning,) = boxes["warning"]
    assert warning.startswith("sheet.xlsx was not imported; nothing was changed:\n")
    assert f"Row {FIRST_ROW}: “Later” is not a status" in warning
    assert f"Row {FIRST_ROW + 1}: There is no task SKU-NOBODY in Backroom." in warning
    assert emitted == []


def test_cancelling_the_file_dialogs_does_nothing(window, monkeypatch, boxes):
    tab = _show(window)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: ("", ""))
    tab.export_button.click()
    tab.import_button.click()
    assert boxes == {"information": [], "warning": []}


def test_a_file_that_is_not_a_job_sheet_is_refused_by_name(window, tmp_path, monkeypatch,
                                                           boxes):
    tab = _show(window)
    path = Path(tmp_path / "photo.xlsx")
    path.write_bytes(b"\x89PNG not a workbook")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (str(path), ""))
    tab.import_button.click()
    (warning,) = boxes["warning"]
    assert warning.startswith("“photo.xlsx” is not an Excel workbook (.xlsx)")
