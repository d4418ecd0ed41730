"""Job sheets for suppliers without Backroom: a supplier's open tasks as an XLSX file they fill
in (new status, carrier, tracking number, note), and the filled sheet read back.

An import checks every row before it changes anything, and then applies all rows in one unit
of work through the same steps as the task dialog (history, e-mails, the order moving on),
or none of them: each problem is named with its row number.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Order, OrderLine, Supplier, SupplierTask, TaskMessage, utcnow
from app.domain.access import Can
from app.domain.errors import DomainError
from app.domain.job_sheet import STATUS_WORDS, status_from_word, steps
from app.domain.statuses import OPEN_TASK_STATUSES, TaskStatus, label
from app.services import supplier_tasks as st
from app.services.access import requires
from app.services.uow import UnitOfWork

T = TaskStatus
TASKS, ABOUT = "Tasks", "About"
HEADERS = ("Task SKU", "Order", "Product", "Personalisation", "Quantity", "Due date",
           "Current status", "New status", "Carrier", "Tracking number", "Note")
WIDTHS = (26, 14, 40, 32, 10, 13, 16, 16, 20, 24, 40)
HEADER_ROW, FIRST_ROW = 4, 5
SKU, NEW, CARRIER, TRACKING, NOTE = 1, 8, 9, 10, 11  # column numbers
FILLED_IN = (NEW, CARRIER, TRACKING, NOTE)  # the supplier's columns
MAX_ROWS = 10_000
FORMULA_START = ("=", "+", "-", "@")
SUPPLIER_ID_LABEL, SUPPLIER_LABEL = "Supplier id", "Supplier"
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
_INPUT_FILL = PatternFill("solid", fgColor="FFF8D6")
_TOP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class JobSheetExport:
    path: Path
    rows: int
    supplier: str


@dataclass(frozen=True)
class JobSheetImport:
    applied: int  # rows that changed a task
    unchanged: int  # rows with nothing new


def _supplier(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise DomainError("That supplier no longer exists; refresh the list.")
    return supplier


def _possessive(name: str) -> str:
    return f"{name}'s"


# --- export -------------------------------------------------------------------------------


def _text(cell: Any, value: str) -> None:
    """Put text in a cell as text: nothing that looks like a formula becomes one."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.number_format = "@"
        cell.quotePrefix = True


@requires(Can.MANAGE_SUPPLIERS)
def export_job_sheet(session: Session, supplier_id: int, path: Path | str) -> JobSheetExport:
    """Write the supplier's open tasks to an XLSX job sheet at path (whole or not at all)."""
    path = Path(path)
    supplier = _supplier(session, supplier_id)
    rows = session.execute(
        select(SupplierTask.sku, Order.number, OrderLine.title, OrderLine.personalisation,
               OrderLine.quantity, SupplierTask.due_date, SupplierTask.status)
        .join(Order, Order.id == SupplierTask.order_id)
        .join(OrderLine, OrderLine.id == SupplierTask.order_line_id)
        .where(SupplierTask.supplier_id == supplier_id,
               SupplierTask.status.in_([str(s) for s in OPEN_TASK_STATUSES]))
        .order_by(SupplierTask.due_date, SupplierTask.sku)).all()
    if not rows:
        raise DomainError(f"{supplier.name} has no open tasks, so there is nothing to put on "
                          "a job sheet.")
    now = datetime.now().replace(microsecond=0)

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = TASKS
    _text(sheet.cell(1, 1), f"Job sheet for {supplier.name}")
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    _text(sheet.cell(2, 1), f"{len(rows)} open task{'' if len(rows) == 1 else 's'}, exported "
                            f"{now.day} {now:%b %Y %H:%M}")
    _text(sheet.cell(3, 1), "Fill in the yellow columns: New status (pick from the list), "
                            "the carrier and tracking number of shipped work, and a note "
                            "(say why when you reject a task). Leave the other columns and "
                            "the About sheet as they are.")
    sheet.cell(3, 1).font = Font(italic=True, color="555555")
    for c, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(HEADER_ROW, c, title)
        cell.font = _BOLD
        cell.fill = _INPUT_FILL if c in FILLED_IN else _HEAD_FILL
        sheet.column_dimensions[get_column_letter(c)].width = width
    for r, (sku, number, title, personalisation, qty, due, status) in enumerate(
            rows, start=FIRST_ROW):
        for c, value in ((1, sku), (2, number), (3, title), (4, personalisation or ""),
                         (7, label(TaskStatus(status)))):
            _text(sheet.cell(r, c), value)
        sheet.cell(r, 5, qty)
        if due is not None:
            sheet.cell(r, 6, due).number_format = "d mmm yyyy"
        for c in range(1, len(HEADERS) + 1):
            sheet.cell(r, c).alignment = _TOP
        for c in FILLED_IN:
            sheet.cell(r, c).number_format = "@"  # typed tracking numbers keep their zeros
            sheet.cell(r, c).fill = _INPUT_FILL
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 1)
    last = FIRST_ROW + len(rows) - 1
    choices = DataValidation(type="list", formula1='"' + ",".join(STATUS_WORDS) + '"',
                             allow_blank=True, showErrorMessage=True,
                             errorTitle="New status",
                             error="Pick a status from the list, or leave it empty.")
    letter = get_column_letter(NEW)
    choices.add(f"{letter}{FIRST_ROW}:{letter}{last}")
    sheet.add_data_validation(choices)

    about = book.create_sheet(ABOUT)
    _text(about.cell(1, 1), "Backroom job sheet")
    about.cell(1, 1).font = Font(bold=True, size=14)
    _text(about.cell(2, 1), "Backroom reads this sheet to know whose job sheet it is; please "
                            "leave it as it is.")
    _text(about.cell(4, 1), SUPPLIER_ID_LABEL)
    about.cell(4, 2, supplier.id)
    _text(about.cell(5, 1), SUPPLIER_LABEL)
    _text(about.cell(5, 2), supplier.name)
    _text(about.cell(6, 1), "Exported at")
    about.cell(6, 2, now).number_format = "yyyy-mm-dd hh:mm"
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 36

    if not path.parent.is_dir():
        raise DomainError(f"The folder {path.parent} does not exist; choose another place for "
                          "the job sheet.")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise DomainError(f"The job sheet could not be written to {path}: "
                          f"{exc.strerror or exc}. Choose another place or name.") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return JobSheetExport(path, len(rows), supplier.name)


# --- import -------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int  # the spreadsheet's row number, as the supplier sees it
    sku: str
    word: str
    carrier: str
    tracking: str
    note: str
    problems: list[str]


def _cell_text(cell: Any, what: str, problems: list[str]) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        problems.append(f"the {what} is a formula ({value}); type the value itself.")
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    return " ".join(str(value).split()) if what != "note" else str(value).strip()


def _open(path: Path) -> Any:
    name = f"“{path.name}”"
    try:
        return load_workbook(path, data_only=False)
    except FileNotFoundError as exc:
        raise DomainError(f"{name} is not there any more; nothing was changed.") from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError,
            OSError, EOFError) as exc:
        raise DomainError(f"{name} is not an Excel workbook (.xlsx) that Backroom can read; "
                          "it may be another kind of file or damaged. Nothing was "
                          "changed.") from exc


def _read(path: Path) -> tuple[int | None, str, list[_Row]]:
    """The sheet's supplier id (as written), its supplier name and its rows."""
    name = f"“{path.name}”"
    book = _open(path)
    if TASKS not in book.sheetnames:
        raise DomainError(f"{name} has no “{TASKS}” sheet, so it is not a Backroom job sheet. "
                          "Nothing was changed.")
    if ABOUT not in book.sheetnames:
        raise DomainError(f"{name} has no “{ABOUT}” sheet, so Backroom cannot tell whose job "
                          "sheet it is. Nothing was changed.")
    about = book[ABOUT]
    labels = {str(about.cell(r, 1).value or "").strip(): about.cell(r, 2).value
              for r in range(1, 21)}
    sheet = book[TASKS]
    for c, title in enumerate(HEADERS, start=1):
        found = " ".join(str(sheet.cell(HEADER_ROW, c).value or "").split())
        if found.casefold() != title.casefold():
            letter = get_column_letter(c)
            raise DomainError(
                f"The columns of {name} have been moved or renamed: column {letter} should "
                f"be “{title}”, not “{found or 'empty'}”. Backroom reads them by place; put "
                "them back or export a new job sheet. Nothing was changed.")
    if sheet.max_row > FIRST_ROW + MAX_ROWS:
        raise DomainError(f"{name} has more than {MAX_ROWS:,} rows; it is not a job sheet "
                          "Backroom made. Nothing was changed.")
    rows = []
    for r in range(FIRST_ROW, sheet.max_row + 1):
        problems: list[str] = []
        sku, word, carrier, tracking = (
            _cell_text(sheet.cell(r, c), what, problems)
            for c, what in ((SKU, "task SKU"), (NEW, "new status"), (CARRIER, "carrier"),
                            (TRACKING, "tracking number")))
        note = _cell_text(sheet.cell(r, NOTE), "note", problems)
        if not (sku or word or carrier or tracking or note or problems):
            continue
        rows.append(_Row(r, sku, word, carrier, tracking, note, problems))
    return _whole(labels.get(SUPPLIER_ID_LABEL)), str(labels.get(SUPPLIER_LABEL) or ""), rows


def _whole(value: object) -> int | None:
    """The supplier id as written in the About sheet (3, 3.0 or "3"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


@dataclass
class _Plan:
    task: SupplierTask
    row: _Row
    steps: tuple[TaskStatus, ...]
    reshipping: bool  # a shipped task's carrier or tracking number changes
    new_note: bool  # a note this sheet has not brought in before


@requires(Can.MANAGE_SUPPLIERS)
def import_job_sheet(uow: UnitOfWork, supplier_id: int, path: Path | str) -> JobSheetImport:
    """Apply a filled-in job sheet of this supplier: every row, or (any problem) none."""
    path = Path(path)
    sheet_supplier, sheet_name, rows = _read(path)
    source = f"from job sheet {path.name}"
    with uow:
        s = uow.session
        st._lock(s)  # a rejected task goes to the next supplier in turn
        supplier = _supplier(s, supplier_id)
        if sheet_supplier is None:
            raise DomainError(f"“{path.name}” does not say whose job sheet it is (its "
                              f"{ABOUT} sheet was changed); export a new one. Nothing was "
                              "changed.")
        if sheet_supplier != supplier.id:
            owner = s.get(Supplier, sheet_supplier)
            who = owner.name if owner else (sheet_name or "another supplier")
            raise DomainError(f"This job sheet is {_possessive(who)}, not "
                              f"{_possessive(supplier.name)}; nothing was changed.")
        skus = sorted({r.sku for r in rows if r.sku})
        tasks: dict[str, SupplierTask] = {}
        for chunk in st._chunks(skus):
            tasks.update((t.sku, t) for t in s.scalars(
                select(SupplierTask).where(SupplierTask.sku.in_(chunk))))
        names = dict(s.execute(select(Supplier.id, Supplier.name)).all())
        author = f"{supplier.name} (job sheet)"
        noted: set[tuple[int, str]] = set()  # a sheet imported again adds no note twice
        for chunk in st._chunks([t.id for t in tasks.values()]):
            noted.update((i, b) for i, b in s.execute(
                select(TaskMessage.task_id, TaskMessage.body)
                .where(TaskMessage.task_id.in_(chunk), TaskMessage.author == author)))
        plans, problems, unchanged = _plan(rows, tasks, supplier, names, noted)
        if problems:
            raise DomainError(f"{path.name} was not imported; nothing was changed:\n"
                              + "\n".join(problems))
        for plan in plans:
            _apply(s, plan, uow.actor, source, author)
        if plans:
            uow.changed(tasks=True, suppliers=True, orders=True)
        uow.commit()
    return JobSheetImport(len(plans), unchanged)


def _plan(rows: list[_Row], tasks: dict[str, SupplierTask], supplier: Supplier,
          names: dict[int, str], noted: set[tuple[int, str]]
          ) -> tuple[list[_Plan], list[str], int]:
    """What each row would do, every problem as a "Row 7: ..." line, and the rows with
    nothing new."""
    plans: list[_Plan] = []
    problems: list[str] = []
    unchanged = 0
    seen: dict[str, int] = {}
    mine = _possessive(supplier.name)
    for row in rows:
        found = list(row.problems)
        task = tasks.get(row.sku)
        wanted = status_from_word(row.word) if row.word else None
        if row.word and wanted is None:
            found.append(f"“{row.word}” is not a status the job sheet knows; use one of: "
                         f"{', '.join(STATUS_WORDS)}.")
        if not row.sku:
            found.append("there is no task SKU.")
        elif row.sku in seen:
            found.append(f"task {row.sku} is also on row {seen[row.sku]}.")
        elif task is None:
            found.append(f"there is no task {row.sku} in Backroom.")
        elif (task.supplier_id != supplier.id and wanted == T.REJECTED
              and supplier.id in (task.rejected_by or [])):
            unchanged += 1  # turned down already (this sheet was imported before)
            seen[row.sku] = row.number
            continue
        elif task.supplier_id != supplier.id:
            if task.supplier_id is None:
                found.append(f"task {row.sku} is no longer {mine}; it is waiting for a "
                             "supplier.")
            else:
                whose = _possessive(names.get(task.supplier_id, "another supplier"))
                found.append(f"task {row.sku} is {whose}, not {mine}.")
        if row.sku:
            seen.setdefault(row.sku, row.number)
        carrier, tracking = row.carrier, row.tracking
        found += st._shipping_problems(carrier, tracking, need_carrier=False)
        if len(row.note) > st.MESSAGE_MAX:
            found.append(f"the note is too long (at most {st.MESSAGE_MAX:,} characters).")
        if wanted == T.REJECTED and not row.note:
            found.append("say why the task is turned down in the Note column.")
        path: tuple[TaskStatus, ...] = ()
        if task is not None and not found:
            current = TaskStatus(task.status)
            target = wanted or current
            if (carrier or tracking) and target not in (T.SHIPPED, T.DONE):
                found.append("a carrier or tracking number is only for shipped work; set New "
                             "status to Shipped (or Done), or leave them empty.")
            else:
                try:
                    path = steps(current, target, via_shipped=bool(carrier or tracking))
                except DomainError as exc:
                    found.append(f"task {row.sku}: {_lower_first(str(exc))}")
                if T.SHIPPED in path and not carrier:
                    found.append("say which carrier or logistics platform took the parcel.")
        if found:
            problems += [f"Row {row.number}: {_upper_first(p)}" for p in found]
            continue
        assert task is not None
        reshipping = (bool(carrier or tracking) and T.SHIPPED not in path
                      and ((carrier or task.carrier) != task.carrier
                           or (tracking or task.tracking_number) != task.tracking_number))
        new_note = bool(row.note) and (task.id, row.note) not in noted
        if not path and not reshipping and not new_note:
            unchanged += 1
            continue
        plans.append(_Plan(task, row, path, reshipping, new_note))
    return plans, problems, unchanged


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _apply(s: Session, plan: _Plan, actor: str, source: str, author: str) -> None:
    """One row's steps, each the task dialog's own, noted as coming from the job sheet."""
    task, row = plan.task, plan.row
    for step in plan.steps:
        if step == T.ACCEPTED:
            st._step(s, task, step, actor, source)
        elif step == T.IN_PRODUCTION:
            st._step(s, task, step, actor, source, production_started_at=utcnow())
        elif step == T.PRODUCED:
            st._step(s, task, step, actor, source, production_ended_at=utcnow())
        elif step == T.SHIPPED:
            st._ship(s, task, actor, row.carrier, row.tracking, False, source)
        elif step == T.DONE:
            st._complete(s, task, actor, source)
        elif step == T.REJECTED:
            st._reject(s, task, actor, " ".join(row.note.split()), source)
    if plan.reshipping:
        st._change_shipping(s, task, actor, row.carrier or task.carrier,
                            row.tracking or task.tracking_number, source)
    if plan.new_note and T.REJECTED not in plan.steps:
        s.add(TaskMessage(task_id=task.id, author=author, body=row.note, created_at=utcnow()))
