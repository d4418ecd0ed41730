"""Suppliers tab: who makes what, with open and overdue work at a glance; add, edit, pause
and delete suppliers; the selected supplier's detail, scorecard, open tasks and history."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.scorecard import WINDOWS
from app.services import suppliers
from app.services.history import HistoryLine
from app.services.suppliers import SupplierDetail
from app.ui import formatting
from app.ui.dialogs.supplier_editor import SupplierEditor
from app.ui.models.paged import Column
from app.ui.ops import JobContext
from app.ui.styles import RIGHT
from app.ui.tabs.base import ListTab

WARNING = QBrush(QColor("#b3261e"))
MUTED = "#6b6b6b"


def _capacity(r: suppliers.SupplierRow) -> str:
    return "No limit" if r.capacity is None else f"{r.capacity:,}"


def job_sheet_name(supplier: str, day: date) -> str:
    """'Kiln & Co.' on 24 Nov 2026 -> 'Kiln-Co-job-sheet-2026-11-24.xlsx'."""
    words = re.findall(r"\w+", supplier) or ["supplier"]
    return f"{'-'.join(words)}-job-sheet-{day.isoformat()}.xlsx"


def change_text(h: HistoryLine) -> str:
    """A supplier's history line in words: Added, Paused, Resumed, Edited."""
    if h.from_status is None:
        return "Added"
    if h.from_status == h.to_status:
        return "Edited"
    return {"paused": "Paused", "active": "Resumed"}.get(h.to_status,
                                                          formatting.status(h.to_status))


def _table(headers: list[str], stretch: int) -> QTableWidget:
    """A read-only table whose rows grow to show two-line and wrapped cells whole."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(True)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setStyleSheet("QTableWidget::item { padding: 3px 2px; }")
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    table.setProperty("stretch", stretch)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], warn: list[bool] | None = None) -> None:
    """Fill, then size rows and columns once: a header left resizing to contents re-measures
    every row on each setItem, which took 23 s to refill 500 tasks."""
    header = table.horizontalHeader()
    for c in range(table.columnCount()):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
    table.setUpdatesEnabled(False)
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            if warn and warn[r]:
                item.setForeground(WARNING)
            table.setItem(r, c, item)
    stretch = table.property("stretch")
    table.resizeColumnsToContents()
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    table.setUpdatesEnabled(True)


def _value() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SupplierPane(QWidget):
    """One supplier: contact, categories, vetting, scorecard, open tasks and history."""

    taskActivated = Signal(int)  # a task's id, when its row is double-clicked

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.detail: SupplierDetail | None = None
        self.stack = QStackedWidget(self)
        self.placeholder = QLabel("Select a supplier to see its open tasks, scorecard and "
                                  "history.", alignment=Qt.AlignmentFlag.AlignCenter,
                                  wordWrap=True)
        self.placeholder.setStyleSheet(f"color: {MUTED}; font-size: 14px; padding: 40px;")
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self._build())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    def _build(self) -> QWidget:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 0, 0, 0)

        head = QHBoxLayout()
        self.name = QLabel()
        self.name.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel()
        head.addWidget(self.name, 1)
        head.addWidget(self.state)
        layout.addLayout(head)

        info = QFormLayout()
        info.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        info.setContentsMargins(0, 0, 0, 4)
        self.email, self.phone, self.categories = _value(), _value(), _value()
        self.lead_time, self.capacity = _value(), _value()
        self.notes, self.references = _value(), _value()
        for label, widget in (("E-mail", self.email), ("Phone", self.phone),
                              ("Categories", self.categories), ("Lead time", self.lead_time),
                              ("Capacity", self.capacity), ("Notes", self.notes),
                              ("References", self.references)):
            info.addRow(label, widget)
        layout.addLayout(info)
        layout.addWidget(self._scorecard_box())

        self.tabs = QTabWidget(body)
        self.open_tasks = _table(["Task / order", "Product", "Due / status"], 1)
        self.open_tasks.setToolTip("Double-click a task to work on it")
        self.open_tasks.cellDoubleClicked.connect(self._task_double_clicked)
        self.history = _table(["When", "Change", "By", "Note"], 3)
        self.tabs.addTab(self.open_tasks, "Open tasks")
        self.tabs.addTab(self.history, "History")
        layout.addWidget(self.tabs, 1)
        return body

    def _scorecard_box(self) -> QGroupBox:
        box = QGroupBox("Scorecard")
        box.setMaximumWidth(480)  # numbers stay near their labels on a wide screen
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(0, 1)
        self.score_labels: dict[tuple[str, int], QLabel] = {}
        self.score_rows = (("done", "Tasks done"), ("on_time", "On time"),
                           ("lead", "Average lead time"), ("rejected", "Rejected"),
                           ("late", "Late"))
        for c, days in enumerate(WINDOWS, start=1):
            head = QLabel(f"<b>{days} days</b>", alignment=RIGHT)
            grid.addWidget(head, 0, c)
        for r, (key, text) in enumerate(self.score_rows, start=1):
            grid.addWidget(QLabel(text), r, 0)
            for c, days in enumerate(WINDOWS, start=1):
                label = QLabel(alignment=RIGHT)
                label.setMinimumWidth(80)
                grid.addWidget(label, r, c)
                self.score_labels[key, days] = label
        box.setToolTip("Over the last 30 and 90 days: tasks finished; the share finished by "
                       "their due date; days from task to finished; tasks turned down; "
                       "tasks finished late plus open tasks past due now.")
        return box

    def _task_double_clicked(self, row: int, _column: int) -> None:
        if self.detail is not None and 0 <= row < len(self.detail.open_tasks):
            self.taskActivated.emit(self.detail.open_tasks[row].id)

    def show_detail(self, d: SupplierDetail | None) -> None:
        self.detail = d
        if d is None:
            self.stack.setCurrentWidget(self.placeholder)
            return
        self.stack.setCurrentIndex(1)
        self.name.setText(d.name)
        colour = "#1b6e20" if d.active else "#8a5300"
        self.state.setText(f"<span style='color:{colour}; font-weight:bold'>"
                           f"{'Active' if d.active else 'Paused'}</span>")
        self.state.setToolTip("" if d.active else "Paused: gets no new work until resumed.")
        none = f"<span style='color:{MUTED}'>none</span>"
        self.email.setText(d.email or none)
        self.phone.setText(d.phone or none)
        self.categories.setText(", ".join(
            c.name + (f" (weight {c.weight})" if c.weight != 1 else "")
            for c in d.categories) or none)
        self.lead_time.setText(formatting.count(d.lead_time_days, "day"))
        self.capacity.setText(f"{d.open_count:,} open of {d.capacity:,}"
                              if d.capacity is not None
                              else f"{d.open_count:,} open, no limit")
        self.capacity.setStyleSheet(
            "color: #b3261e;" if d.capacity is not None and d.open_count >= d.capacity else "")
        self.notes.setText(d.notes or none)
        self.references.setText(d.references or none)
        for card in d.scorecards:
            values = {"done": f"{card.done:,}", "on_time": formatting.rate(card.on_time_rate),
                      "lead": formatting.days(card.average_lead_days),
                      "rejected": f"{card.rejected:,}", "late": f"{card.late:,}"}
            for key, text in values.items():
                label = self.score_labels[key, card.days]
                label.setText(text)
                warn = key == "late" and card.late > 0
                label.setStyleSheet("color: #b3261e;" if warn else "")

        _fill(self.open_tasks,
              [[f"{t.sku}\nOrder {t.order_number}", t.product,
                f"{formatting.day(t.due_date) or 'No due date'}\n{formatting.status(t.status)}"]
               for t in d.open_tasks],
              warn=[t.overdue for t in d.open_tasks])
        for r, t in enumerate(d.open_tasks):
            if t.overdue:
                self.open_tasks.item(r, 2).setToolTip("Overdue")
        shown = len(d.open_tasks)
        more = f" ({shown:,} of {d.open_count:,})" if shown < d.open_count else \
            f" ({d.open_count:,})"
        self.tabs.setTabText(0, "Open tasks" + more)
        lines = list(reversed(d.history))  # newest first
        _fill(self.history, [[formatting.when(h.changed_at), change_text(h), h.actor, h.note]
                             for h in lines])
        self.tabs.setTabText(1, f"History ({len(lines):,})")


class SuppliersTab(ListTab):
    title = "Suppliers"
    noun = ("supplier", "suppliers")
    source = suppliers
    default_sort = ("name", False)
    stretch_column = 1
    watches = ("suppliers", "tasks")
    search_hint = "Search supplier or category"
    columns = (
        Column("Name", lambda r: r.name, "name"),
        Column("Categories", lambda r: r.categories),
        Column("Open tasks", lambda r: f"{r.open_tasks:,}", "open", numeric=True),
        Column("Overdue", lambda r: f"{r.overdue_tasks:,}", "overdue", numeric=True,
               warn=lambda r: r.overdue_tasks > 0),
        Column("Lead time", lambda r: f"{r.lead_time_days} days", "lead_time", numeric=True),
        Column("Capacity", _capacity, numeric=True),
        Column("Status", lambda r: "Active" if r.active else "Paused"),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self._selected_id: int | None = None
        self._select_name: str | None = None
        self._reselecting = False
        self.editor: SupplierEditor | None = None
        super().__init__(*args, **kwargs)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pane = SupplierPane(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.layout().replaceWidget(self.stack, self.splitter)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([780, 470])
        self.pane.setMinimumWidth(400)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._reselect)
        self.table.doubleClicked.connect(self._edit_row)
        self.pane.taskActivated.connect(self.open_task)
        self._update_buttons()

    def update_title(self) -> None:
        """'Suppliers · 3 overdue · 1 needs a supplier': late and stuck work at a glance."""
        from app.services import supplier_tasks

        backroom = self.backroom()
        parts = [self.title]
        overdue = backroom.read(supplier_tasks.overdue_count)
        stuck = backroom.read(supplier_tasks.needs_supplier_count)
        if overdue:
            parts.append(f"{overdue:,} overdue")
        if stuck:
            parts.append(f"{stuck:,} need{'s' if stuck == 1 else ''} a supplier")
        self.titleChanged.emit(" · ".join(parts))

    def open_task(self, task_id: int) -> None:
        """The task's own window: its steps, messages and history."""
        from app.ui.dialogs.task_detail import TaskDialog

        dialog = TaskDialog(self.backroom, task_id, self)
        dialog.changesMade.connect(self.changesMade.emit)
        dialog.exec()

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.add_button = QPushButton("Add supplier")
        self.edit_button = QPushButton("Edit")
        self.pause_button = QPushButton("Pause")
        self.delete_button = QPushButton("Delete")
        self.add_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button.clicked.connect(self.edit_selected)
        self.pause_button.clicked.connect(self.toggle_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.add_button.setToolTip("Add a maker or vendor you pass work to")
        self.delete_button.setToolTip("Delete a supplier that never had work; pause one "
                                      "that did")
        self.pause_button.setMinimumWidth(90)
        self.export_button = QPushButton("Export job sheet…")
        self.import_button = QPushButton("Import job sheet…")
        self.export_button.setToolTip("Save this supplier's open tasks as an Excel sheet for a "
                                      "supplier who does not use Backroom")
        self.import_button.setToolTip("Read back a job sheet the supplier filled in: every "
                                      "row is checked, then all are applied or none")
        self.export_button.clicked.connect(self.export_job_sheet)
        self.import_button.clicked.connect(self.import_job_sheet)
        line = QFrame(frameShape=QFrame.Shape.VLine, frameShadow=QFrame.Shadow.Sunken)
        bar.addWidget(line)
        for button in (self.add_button, self.edit_button, self.pause_button,
                       self.delete_button):
            bar.addWidget(button)
        line = QFrame(frameShape=QFrame.Shape.VLine, frameShadow=QFrame.Shadow.Sunken)
        bar.addWidget(line)
        bar.addWidget(self.export_button)
        bar.addWidget(self.import_button)

    def _size_columns(self) -> None:
        """Snug columns, so the whole list fits beside the detail pane."""
        super()._size_columns()
        header = self.table.horizontalHeader()
        for i in range(len(self.columns)):
            if i != self.stretch_column:
                title = header.fontMetrics().horizontalAdvance(self.columns[i].header) + 28
                header.resizeSection(i, min(max(self.table.sizeHintForColumn(i) + 12, title),
                                            240))

    def empty_text(self) -> str:
        if not self.model.request.search:
            return "No suppliers yet. Add the makers you pass work to with Add supplier."
        return super().empty_text()

    # --- selection ----------------------------------------------------------------------

    def selected(self) -> suppliers.SupplierRow | None:
        rows = self.selected_rows()
        return rows[0] if rows else None

    def select_supplier(self, supplier_id: int) -> bool:
        for r in range(self.model.rowCount()):
            if self.model.row_at(r).id == supplier_id:
                self.table.selectRow(r)
                return True
        return False

    def _reselect(self) -> None:
        """After a reload, keep the same supplier selected (or the new one, or the first)."""
        wanted = None
        rows = [self.model.row_at(r) for r in range(self.model.rowCount())]
        if self._select_name is not None:
            key = " ".join(self._select_name.split()).casefold()
            wanted = next((r.id for r in rows if r.name.casefold() == key), None)
            self._select_name = None
        if wanted is None and any(r.id == self._selected_id for r in rows):
            wanted = self._selected_id
        if wanted is None and rows:
            wanted = rows[0].id
        self._reselecting = True
        try:
            if wanted is not None:
                self.select_supplier(wanted)
        finally:
            self._reselecting = False
        self._show_selected()

    def _selection_changed(self, *_args: object) -> None:
        if not self._reselecting:
            self._show_selected()

    def _show_selected(self) -> None:
        """Read the selected supplier's detail off the GUI thread (its scorecard adds up
        months of tasks: ~200 ms in a big shop), so moving down the list stays smooth."""
        row = self.selected()
        self._selected_id = row.id if row else None
        self._update_buttons()
        if row is None:
            self.pane.show_detail(None)
            return
        supplier_id = row.id

        def work(ctx: JobContext) -> SupplierDetail:
            return suppliers.supplier_detail(ctx.session, supplier_id)

        self.ops.run(f"Reading {row.name}", work, quiet=True,
                     on_finished=lambda d, i=supplier_id: self._detail_ready(i, d),
                     on_failed=lambda _m, i=supplier_id: self._detail_ready(i, None))

    def _detail_ready(self, supplier_id: int, detail: SupplierDetail | None) -> None:
        if supplier_id == self._selected_id:  # else another supplier was chosen meanwhile
            self.pane.show_detail(detail)

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.pause_button, self.delete_button,
                       self.export_button, self.import_button):
            button.setEnabled(row is not None)
        paused = row is not None and not row.active
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setToolTip("Give this supplier work again" if paused else
                                     "Stop giving this supplier new work (open tasks stay)")

    # --- actions ------------------------------------------------------------------------

    def open_editor(self, supplier_id: int | None) -> SupplierEditor | None:
        """Open the editor (window-modal); saving refreshes the list and selects the
        supplier."""
        try:
            self.editor = SupplierEditor(self.backroom, supplier_id, self)
        except DomainError as exc:  # deleted meanwhile, from another window
            QMessageBox.warning(self, "Supplier not found", str(exc))
            self.changesMade.emit(Changes(suppliers=True))
            return None
        self.editor.accepted.connect(self._saved)
        self.editor.open()
        return self.editor

    def edit_selected(self) -> SupplierEditor | None:
        row = self.selected()
        return None if row is None else self.open_editor(row.id)

    def _edit_row(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_editor(self.model.row_at(index.row()).id)

    def _saved(self) -> None:
        editor = self.sender()
        if isinstance(editor, SupplierEditor) and editor.changes is not None:
            self._select_name = editor.name.text()
            self._done(editor.changes)

    def toggle_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            changes = self.backroom().act(suppliers.set_active, row.id, not row.active)
        except DomainError as exc:
            QMessageBox.warning(self, "Supplier not changed", f"{exc}\n\nNothing was changed.")
            return
        self._done(changes)

    def delete_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        detail = self.pane.detail
        has_work = detail is not None and detail.id == row.id and detail.task_count > 0
        if not has_work:
            answer = QMessageBox.question(
                self, "Delete supplier",
                f"Delete {row.name}? Its contact, categories and notes are removed for good.")
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            changes = self.backroom().act(suppliers.delete_supplier, row.id)
        except DomainError as exc:
            QMessageBox.warning(self, "Supplier not deleted", f"{exc}\n\nNothing was changed.")
            return
        self._selected_id = None
        self._done(changes)

    def _done(self, changes: Changes) -> None:
        self.changesMade.emit(changes)

    # --- job sheets for suppliers without Backroom ----------------------------------------

    def export_job_sheet(self) -> None:
        """Save the selected supplier's open tasks as an XLSX job sheet where the user says."""
        row = self.selected()
        if row is None:
            return
        folder = self.backroom().config.exports_dir
        folder.mkdir(parents=True, exist_ok=True)
        default = folder / job_sheet_name(row.name, date.today())
        path, _filter = QFileDialog.getSaveFileName(
            self, f"Export job sheet for {row.name}", str(default),
            "Excel workbook (*.xlsx)")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            from app.services import job_sheet  # openpyxl loads when a sheet is made

            done = self.backroom().read(job_sheet.export_job_sheet, row.id, target)
        except DomainError as exc:
            QMessageBox.warning(self, "Job sheet not exported", str(exc))
            return
        tasks = formatting.count(done.rows, "open task")
        QMessageBox.information(
            self, "Job sheet exported",
            f"{tasks} of {done.supplier} saved to:\n{done.path}\n\nSend it to them; they fill "
            "in the yellow columns. Bring it back with Import job sheet….")

    def import_job_sheet(self) -> None:
        """Apply a job sheet the selected supplier filled in, or show every problem."""
        row = self.selected()
        if row is None:
            return
        folder = self.backroom().config.exports_dir
        path, _filter = QFileDialog.getOpenFileName(
            self, f"Import job sheet from {row.name}", str(folder),
            "Excel workbook (*.xlsx);;All files (*)")
        if not path:
            return
        try:
            from app.services import job_sheet  # openpyxl loads when a sheet is read

            done = self.backroom().act(job_sheet.import_job_sheet, row.id, Path(path))
        except DomainError as exc:
            QMessageBox.warning(self, "Job sheet not imported", str(exc))
            return
        same = f"; {formatting.count(done.unchanged, 'row')} with nothing new" \
            if done.unchanged else ""
        QMessageBox.information(
            self, "Job sheet imported",
            f"{formatting.count(done.applied, 'task')} of {row.name} updated from "
            f"{Path(path).name}{same}.")
        if done.applied:
            self.changesMade.emit(Changes(tasks=True, orders=True, suppliers=True))
