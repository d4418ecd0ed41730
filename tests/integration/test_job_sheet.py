"""Job sheets for suppliers without Backroom: a supplier's open tasks out as XLSX, the filled
sheet back in, checked row by row and applied whole or not at all."""

# ruff: noqa: F811  (the shop fixture comes from test_supplier_tasks)

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from app.db.models import OrderLine, SupplierTask, TaskMessage
from app.domain.errors import DomainError
from app.services import job_sheet
from app.services.job_sheet import FIRST_ROW, export_job_sheet, import_job_sheet
from app.services.supplier_tasks import (
    accept_task,
    complete_task,
    finish_production,
    send_to_suppliers,
    start_production,
)

from .test_supplier_tasks import (  # noqa: F401
    history,
    order,
    shop,
    snapshot,
    status_of,
    task,
    tasks_of,
)

NEW, CARRIER, TRACKING, NOTE = "H", "I", "J", "K"


def _starts(text: str) -> str:
    return "^" + re.escape(text)


def _tee_tasks(backroom, shop, n: int) -> list[SupplierTask]:
    """n one-tee orders sent to suppliers: Threadworks' tasks (the only maker of tees)."""
    made = []
    for _ in range(n):
        o = order(backroom, shop, shop.tee)
        backroom.act(send_to_suppliers, [o])
        made += tasks_of(backroom, o)
    return made


def _export(backroom, supplier_id: int, tmp_path: Path, name: str = "sheet.xlsx") -> Path:
    path = tmp_path / name
    backroom.read(export_job_sheet, supplier_id, path)
    return path


def _rows(path: Path) -> dict[str, int]:
    """Task SKU -> its row number on the Tasks sheet."""
    sheet = openpyxl.load_workbook(path)["Tasks"]
    return {sheet.cell(r, 1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}


def _fill(path: Path, cells: dict[str, object], target: Path | None = None) -> Path:
    """Fill cells of the Tasks sheet ({"H5": "Accepted"}) as a supplier would, and save."""
    book = openpyxl.load_workbook(path)
    sheet = book["Tasks"]
    for ref, value in cells.items():
        sheet[ref] = value
    target = target or path
    book.save(target)
    return target


# --- export -------------------------------------------------------------------------------


def test_the_job_sheet_has_one_row_per_open_task_of_the_supplier(backroom, shop, tmp_path):
    assigned, accepted, making, produced, done = _tee_tasks(backroom, shop, 5)
    for t in (accepted, making, produced, done):
        backroom.act(accept_task, t.id)
    for t in (making, produced, done):
        backroom.act(start_production, t.id)
    for t in (produced, done):
        backroom.act(finish_production, t.id)
    backroom.act(complete_task, done.id)
    order(backroom, shop, shop.mug)  # not sent, and not Threadworks' anyway
    mug = tasks_of(backroom, _sent_mug(backroom, shop))[0]

    result = backroom.read(export_job_sheet, shop.thread, tmp_path / "thread.xlsx")
    assert (result.path, result.rows, result.supplier) == (tmp_path / "thread.xlsx", 4,
                                                          "Threadworks")
    book = openpyxl.load_workbook(result.path)
    assert book.sheetnames == ["Tasks", "About"]
    sheet = book["Tasks"]
    assert sheet["A1"].value == "Job sheet for Threadworks"
    assert str(date.today().year) in sheet["A2"].value
    assert [c.value for c in sheet[4]] == list(job_sheet.HEADERS)
    assert all(c.font.bold for c in sheet[4])
    assert sheet.freeze_panes == f"A{FIRST_ROW}"
    rows = {sheet.cell(r, 1).value: [c.value for c in sheet[r]]
            for r in range(FIRST_ROW, sheet.max_row + 1)}
    assert set(rows) == {assigned.sku, accepted.sku, making.sku, produced.sku}
    assert mug.sku not in rows and done.sku not in rows
    _sku, number, product, personalisation, qty, due, current, *filled = rows[making.sku]
    assert (product, personalisation, qty, current) == ("Personalised tee-c", "For Sam", 1,
                                                        "In production")
    assert number.startswith("#")
    assert due.date() == making.due_date
    assert filled == [None, None, None, None]
    due_cell = sheet.cell(FIRST_ROW, 6)
    assert due_cell.is_date and "yyyy" in due_cell.number_format
    assert all(sheet.column_dimensions[x].width > 8 for x in "ABCDEFGHIJK")
    (choices,) = sheet.data_validations.dataValidation
    assert choices.type == "list"
    assert choices.formula1 == '"Accepted,In production,Produced,Shipped,Done,Rejected"'
    assert str(choices.sqref) == f"H{FIRST_ROW}:H{FIRST_ROW + 3}"
    about = book["About"]
    assert (about["A4"].value, about["B4"].value) == ("Supplier id", shop.thread)
    assert (about["A5"].value, about["B5"].value) == ("Supplier", "Threadworks")


def _sent_mug(backroom, shop) -> int:
    o = order(backroom, shop, shop.mug)
    backroom.act(send_to_suppliers, [o])
    return o


def test_text_that_looks_like_a_formula_stays_text(backroom, shop, tmp_path):
    (t,) = _tee_tasks(backroom, shop, 1)
    with backroom.sessions() as s:
        line = s.get_one(OrderLine, t.order_line_id)
        line.title, line.personalisation = "+44 tee", '=HYPERLINK("http://x.example","hi")'
        s.commit()
    path = _export(backroom, shop.thread, tmp_path)
    sheet = openpyxl.load_workbook(path)["Tasks"]
    product, personalisation = sheet.cell(FIRST_ROW, 3), sheet.cell(FIRST_ROW, 4)
    assert personalisation.value == '=HYPERLINK("http://x.example","hi")'
    assert personalisation.data_type == "s"  # text, not a formula
    assert product.value == "+44 tee" and product.data_type == "s"


def test_a_supplier_with_no_open_tasks_gets_no_job_sheet(backroom, shop, tmp_path):
    with pytest.raises(DomainError, match=_starts("Kiln & Co. has no open tasks")):
        backroom.read(export_job_sheet, shop.kiln, tmp_path / "kiln.xlsx")
    assert not (tmp_path / "kiln.xlsx").exists()


def test_a_failed_export_leaves_no_half_written_file(backroom, shop, tmp_path, monkeypatch):
    _tee_tasks(backroom, shop, 1)
    out = tmp_path / "out"
    out.mkdir()

    def broken_save(book, filename):  # type: ignore[no-untyped-def]
        Path(filename).write_bytes(b"PK half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(DomainError, match="No space left on device"):
        backroom.read(export_job_sheet, shop.thread, out / "thread.xlsx")
    assert list(out.iterdir()) == []


# --- import -------------------------------------------------------------------------------


def test_a_filled_job_sheet_moves_the_tasks_on(backroom, shop, tmp_path):
    first, second, third, fourth = _tee_tasks(backroom, shop, 4)
    backroom.act(accept_task, third.id)
    backroom.act(start_production, third.id)
    backroom.act(finish_production, third.id)
    path = _export(backroom, shop.thread, tmp_path, "Threadworks-job-sheet.xlsx")
    row = _rows(path)
    _fill(path, {
        f"{NEW}{row[first.sku]}": "Accepted",
        f"{NEW}{row[second.sku]}": "in production",  # assigned -> accepted -> in production
        f"{NEW}{row[third.sku]}": "Shipped", f"{CARRIER}{row[third.sku]}": "DPD",
        f"{TRACKING}{row[third.sku]}": "0012345",
        f"{NOTE}{row[fourth.sku]}": "Thread arrives Monday",
    })

    result = backroom.act(import_job_sheet, shop.thread, path)
    assert result == job_sheet.JobSheetImport(applied=4, unchanged=0)
    assert task(backroom, first.id).status == "accepted"
    assert task(backroom, second.id).status == "in_production"
    assert task(backroom, second.id).production_started_at is not None
    shipped = task(backroom, third.id)
    assert (shipped.status, shipped.carrier, shipped.tracking_number, shipped.ships_direct) == (
        "shipped", "DPD", "0012345", False)
    assert task(backroom, fourth.id).status == "assigned"
    source = "from job sheet Threadworks-job-sheet.xlsx"
    assert history(backroom, "supplier_task", first.id)[-1] == ("assigned", "accepted", source)
    assert [h[1:] for h in history(backroom, "supplier_task", second.id)[-2:]] == [
        ("accepted", source), ("in_production", source)]
    assert history(backroom, "supplier_task", third.id)[-1] == (
        "produced", "shipped", f"Shipped to the workshop with DPD, tracking 0012345; {source}")
    assert history(backroom, "order", first.order_id)[-1][2] == (
        f"Task {first.sku}: accepted by the supplier")
    with backroom.sessions() as s:
        (message,) = s.scalars(select(TaskMessage).where(TaskMessage.task_id == fourth.id))
        assert (message.author, message.body) == ("Threadworks (job sheet)",
                                                  "Thread arrives Monday")


def test_done_on_the_sheet_finishes_the_task_and_the_order_moves_on(backroom, shop, tmp_path):
    (t,) = _tee_tasks(backroom, shop, 1)
    path = _export(backroom, shop.thread, tmp_path)
    _fill(path, {f"{NEW}{FIRST_ROW}": "Done"})
    assert backroom.act(import_job_sheet, shop.thread, path).applied == 1
    assert [h[1] for h in history(backroom, "supplier_task", t.id)[-4:]] == [
        "accepted", "in_production", "produced", "done"]  # produced -> done skips shipped
    assert status_of(backroom, t.order_id) == "ready_to_pick"


def test_importing_the_same_sheet_again_changes_nothing_more(backroom, shop, tmp_path):
    first, _second = _tee_tasks(backroom, shop, 2)
    path = _export(backroom, shop.thread, tmp_path)
    row = _rows(path)
    _fill(path, {f"{NEW}{row[first.sku]}": "Accepted"})
    assert backroom.act(import_job_sheet, shop.thread, path) == job_sheet.JobSheetImport(1, 1)
    before = snapshot(backroom)
    assert backroom.act(import_job_sheet, shop.thread, path) == job_sheet.JobSheetImport(0, 2)
    assert snapshot(backroom) == before


def test_a_rejected_task_goes_to_the_next_supplier_with_the_reason(backroom, shop, tmp_path):
    o = _sent_mug(backroom, shop)
    (t,) = tasks_of(backroom, o)
    assert t.supplier_id == shop.kiln
    path = _export(backroom, shop.kiln, tmp_path)
    _fill(path, {f"{NEW}{FIRST_ROW}": "Rejected", f"{NOTE}{FIRST_ROW}": "Kiln is down"})
    backroom.act(import_job_sheet, shop.kiln, path)
    after = task(backroom, t.id)
    assert (after.status, after.supplier_id, after.rejected_by) == (
        "assigned", shop.mugshot, [shop.kiln])
    assert ("assigned", "rejected",
            "Turned down by Kiln & Co.: Kiln is down; from job sheet sheet.xlsx") in history(
        backroom, "supplier_task", t.id)


def test_one_bad_row_among_good_ones_changes_nothing(backroom, shop, tmp_path):
    first, second, third = _tee_tasks(backroom, shop, 3)
    path = _export(backroom, shop.thread, tmp_path)
    row = _rows(path)
    _fill(path, {f"{NEW}{row[first.sku]}": "Accepted", f"{NEW}{row[second.sku]}": "Finished",
                 f"{NEW}{row[third.sku]}": "Produced"})
    before = snapshot(backroom)
    with pytest.raises(DomainError) as caught:
        backroom.act(import_job_sheet, shop.thread, path)
    assert str(caught.value) == (
        "sheet.xlsx was not imported; nothing was changed:\n"
        f"Row {row[second.sku]}: “Finished” is not a status the job sheet knows; use one of: "
        "Accepted, In production, Produced, Shipped, Done, Rejected.")
    assert snapshot(backroom) == before


def _problem(backroom, shop, tmp_path, fill) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Export Threadworks' two tasks, fill the sheet with fill(row of the first task, tasks),
    import it; the refusal's text and the row named (nothing may have changed)."""
    tasks = _tee_tasks(backroom, shop, 2)
    path = _export(backroom, shop.thread, tmp_path)
    r = _rows(path)[tasks[0].sku]
    _fill(path, fill(r, tasks))
    before = snapshot(backroom)
    with pytest.raises(DomainError) as caught:
        backroom.act(import_job_sheet, shop.thread, path)
    assert snapshot(backroom) == before
    return str(caught.value), r


@pytest.mark.parametrize(("fill", "expected", "offset"), [
    (lambda r, ts: {f"A{r}": "SKU-NOPE-1", f"{NEW}{r}": "Accepted"},
     "There is no task SKU-NOPE-1 in Backroom.", 0),
    (lambda r, ts: {f"{NEW}{r}": "Rejected"},
     "Say why the task is turned down in the Note column.", 0),
    (lambda r, ts: {f"{NEW}{r}": "Accepted", f"{TRACKING}{r}": "JD0001"},
     "A carrier or tracking number is only for shipped work; set New status to Shipped (or "
     "Done), or leave them empty.", 0),
    (lambda r, ts: {f"{NEW}{r}": "Shipped"},
     "Say which carrier or logistics platform took the parcel.", 0),
    (lambda r, ts: {f"{NEW}{r}": "Done!"},
     "“Done!” is not a status the job sheet knows; use one of: Accepted, In production, "
     "Produced, Shipped, Done, Rejected.", 0),
    (lambda r, ts: {f"A{r + 1}": ts[0].sku}, "is also on row", 1),
], ids=["unknown SKU", "rejected without a note", "tracking without shipped",
        "shipped without a carrier", "unknown status word", "the same task twice"])
def test_each_problem_is_named_with_its_row(backroom, shop, tmp_path, fill, expected, offset):
    message, r = _problem(backroom, shop, tmp_path, fill)
    assert message.startswith("sheet.xlsx was not imported; nothing was changed:\n")
    (problem,) = message.splitlines()[1:]
    assert problem.startswith(f"Row {r + offset}: ") and expected in problem, message


def test_going_back_in_a_tasks_life_is_refused(backroom, shop, tmp_path):
    def fill(r, ts):  # type: ignore[no-untyped-def]
        backroom.act(accept_task, ts[0].id)
        backroom.act(start_production, ts[0].id)
        return {f"{NEW}{r}": "Accepted"}

    message, r = _problem(backroom, shop, tmp_path, fill)
    assert f"Row {r}: Task " in message
    assert "is already in production; it cannot go back to accepted." in message


def test_a_task_of_another_supplier_on_the_sheet_is_refused(backroom, shop, tmp_path):
    mug = tasks_of(backroom, _sent_mug(backroom, shop))[0]  # Kiln's

    message, r = _problem(backroom, shop, tmp_path,
                          lambda r, ts: {f"A{r}": mug.sku, f"{NEW}{r}": "Accepted"})
    assert f"Row {r}: Task {mug.sku} is Kiln & Co.'s, not Threadworks's." in message


def test_every_problem_of_the_sheet_is_listed(backroom, shop, tmp_path):
    message, r = _problem(backroom, shop, tmp_path, lambda r, ts: {
        f"{NEW}{r}": "Rejected", f"{NEW}{r + 1}": "Later"})
    assert [p.split(":")[0] for p in message.splitlines()[1:]] == [f"Row {r}", f"Row {r + 1}"]


def test_another_suppliers_job_sheet_is_refused(backroom, shop, tmp_path):
    mug = tasks_of(backroom, _sent_mug(backroom, shop))[0]
    _tee_tasks(backroom, shop, 1)
    path = _export(backroom, mug.supplier_id, tmp_path)
    _fill(path, {f"{NEW}{FIRST_ROW}": "Accepted"})
    before = snapshot(backroom)
    with pytest.raises(DomainError) as caught:
        backroom.act(import_job_sheet, shop.thread, path)
    assert str(caught.value) == ("This job sheet is Kiln & Co.'s, not Threadworks's; nothing "
                                 "was changed.")
    assert snapshot(backroom) == before


def test_a_file_that_is_not_a_workbook_is_refused_by_name(backroom, shop, tmp_path):
    _tee_tasks(backroom, shop, 1)
    path = tmp_path / "tasks-from-kiln.xlsx"
    path.write_text("Task SKU,New status\nSKU-1,Done\n")
    not_excel = "“tasks-from-kiln.xlsx” is not an Excel workbook (.xlsx)"
    with pytest.raises(DomainError, match=_starts(not_excel)):
        backroom.act(import_job_sheet, shop.thread, path)
    damaged = _export(backroom, shop.thread, tmp_path, "damaged.xlsx")
    damaged.write_bytes(damaged.read_bytes()[:300])
    with pytest.raises(DomainError, match=_starts("“damaged.xlsx” is not an Excel workbook")):
        backroom.act(import_job_sheet, shop.thread, damaged)


def test_a_workbook_that_is_not_a_job_sheet_is_refused_by_name(backroom, shop, tmp_path):
    _tee_tasks(backroom, shop, 1)
    book = openpyxl.Workbook()
    book.save(tmp_path / "prices.xlsx")
    with pytest.raises(DomainError, match=_starts("“prices.xlsx” has no “Tasks” sheet")):
        backroom.act(import_job_sheet, shop.thread, tmp_path / "prices.xlsx")

    path = _export(backroom, shop.thread, tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["Tasks"]
    assert isinstance(sheet, Worksheet)
    sheet.move_range("H4:H6", cols=1)  # New status moved one column right
    book.save(path)
    with pytest.raises(DomainError, match=_starts(
            "The columns of “sheet.xlsx” have been moved or renamed: column H should be "
            "“New status”")):
        backroom.act(import_job_sheet, shop.thread, path)
