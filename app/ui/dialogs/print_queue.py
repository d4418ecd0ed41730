"""View > Print queue: every print job, newest first, what became of it and why one waits;
Retry now, Cancel and Reprint (on the same printer or another)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.services import print_jobs, printers
from app.services.context import Backroom
from app.services.print_jobs import PrintJobRow
from app.ui import formatting
from app.ui.styles import LEFT, RIGHT

if TYPE_CHECKING:
    from app.ui.print_sender import PrintSender

RED, AMBER, GREEN, GREY = "#b3261e", "#c77700", "#1e7a34", "#6b6b6b"
SHOWING = (("Everything", None),
           ("Not printed yet", ("queued", "sending", "waiting", "may_have_printed")),
           ("Printed", ("printed",)), ("Cancelled", ("cancelled",)))
COLUMNS = ("Queued", "Printer", "Template", "Labels", "What", "Status", "Tries",
           "Why it waits")
NUMERIC = frozenset({"Labels", "Tries"})
WIDEST = {"Queued": 150, "Printer": 160, "Template": 200, "What": 260, "Status": 240}
LIMIT = 500
RETRYABLE = ("waiting", "may_have_printed")
CANCELLABLE = ("queued", "waiting", "may_have_printed")
REPRINTABLE = ("printed", "may_have_printed", "cancelled")


def _clock(moment: datetime, now: datetime) -> str:
    local = moment.astimezone()
    if local.date() == now.astimezone().date():
        return f"{local:%H:%M:%S}"
    return formatting.when(moment)


def status_words(row: PrintJobRow, now: datetime | None = None) -> str:
    """The job's state as a person says it: 'Waiting: next try at 14:05:30'."""
    now = now or datetime.now(UTC)
    if row.status == "queued":
        return "Queued"
    if row.status == "sending":
        return "Printing…"
    if row.status == "printed":
        return f"Printed {_clock(row.updated_at, now)}"
    if row.status == "waiting":
        if row.next_attempt_at is None:
            return "Waiting: fix it, then Retry now"
        if row.next_attempt_at <= now:
            return "Waiting: trying again now"
        return f"Waiting: next try at {_clock(row.next_attempt_at, now)}"
    if row.status == "may_have_printed":
        return "May have printed: check it"
    return row.status_label


def status_colour(row: PrintJobRow) -> str | None:
    return {"waiting": RED, "may_have_printed": AMBER, "cancelled": GREY,
            "printed": GREEN}.get(row.status)


class PrintQueueDialog(QDialog):
    def __init__(self, backroom: Callable[[], Backroom | None], sender: PrintSender | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.sender_ = sender
        self.rows: tuple[PrintJobRow, ...] = ()
        self.template_names: dict[str, str] = {}
        self.setWindowTitle("Print queue")
        self.resize(1240, 560)

        self.showing = QComboBox()
        for text, statuses in SHOWING:
            self.showing.addItem(text, statuses)
        self.showing.currentIndexChanged.connect(lambda _i: self.reload())
        self.summary = QLabel(wordWrap=True)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(26)
        for i, title in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(i).setTextAlignment(
                RIGHT if title in NUMERIC else LEFT)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel("No print jobs here.")
        self.empty.setStyleSheet(f"color: {GREY};")
        self.detail = QLabel(wordWrap=True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(52)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.retry_button = QPushButton("Retry now")
        self.retry_button.setToolTip("Send the selected waiting jobs again at once")
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button = QPushButton("Cancel job")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.reprint_button = QPushButton("Reprint")
        self.reprint_button.setToolTip("Print the same labels again, as a new job")
        self.reprint_button.clicked.connect(lambda: self.reprint_selected())
        self.reprint_on = QComboBox()
        self.reprint_on.setMinimumWidth(200)
        self.reprint_on.setToolTip("The printer the reprint goes to")
        row = QHBoxLayout()
        for w in (self.retry_button, self.cancel_button):
            row.addWidget(w)
        row.addSpacing(16)
        row.addWidget(self.reprint_button)
        row.addWidget(QLabel("on"))
        row.addWidget(self.reprint_on)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        row.addWidget(close)

        head = QHBoxLayout()
        head.addWidget(QLabel("Show"))
        head.addWidget(self.showing)
        head.addSpacing(12)
        head.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.detail)
        layout.addLayout(row)
        if sender is not None:
            sender.changed.connect(self._reload_if_shown)
        self.reload()
        self._size_columns()

    # --- reading ------------------------------------------------------------------------

    def _reload_if_shown(self) -> None:
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        chosen = {r.id for r in self.selected_rows()}
        statuses = self.showing.currentData()
        self.rows = backroom.read(print_jobs.job_list, limit=LIMIT, statuses=statuses)
        try:
            self.template_names = {t.key: t.name for t in printers.template_list(backroom)}
            names = [p.name for p in printers.printer_list(backroom)]
        except DomainError as exc:
            names = []
            self.summary.setText(str(exc))
        self._fill_printers(names)
        now = datetime.now(UTC)
        self.table.setRowCount(len(self.rows))
        for r, job in enumerate(self.rows):
            self._fill(r, job, now)
        self.empty.setVisible(not self.rows)
        counts = backroom.read(print_jobs.queue_summary)
        parts = [f"{counts.get(s, 0):,} {w}" for s, w in (
            ("queued", "queued"), ("waiting", "waiting"),
            ("may_have_printed", "may have printed"), ("printed", "printed"))]
        self.summary.setText(", ".join(parts) + ". A printer that is off or out of labels "
                             "is tried again by itself; a job that may have printed waits "
                             "for you to check it.")
        self.table.clearSelection()
        for r, job in enumerate(self.rows):
            if job.id in chosen:
                self.table.selectRow(r)
        self._selection_changed()

    def _fill_printers(self, names: list[str]) -> None:
        current = self.reprint_on.currentData()
        self.reprint_on.blockSignals(True)
        self.reprint_on.clear()
        self.reprint_on.addItem("its own printer", None)
        for name in names:
            self.reprint_on.addItem(name, name)
        at = self.reprint_on.findData(current)
        self.reprint_on.setCurrentIndex(max(at, 0))
        self.reprint_on.blockSignals(False)

    def _fill(self, r: int, job: PrintJobRow, now: datetime) -> None:
        values = {
            "Queued": formatting.when(job.created_at),
            "Printer": job.printer,
            "Template": self.template_names.get(job.template, job.template),
            "Labels": f"{job.labels:,}",
            "What": job.summary,
            "Status": status_words(job, now),
            "Tries": f"{job.attempts:,}",
            "Why it waits": (job.error or "").replace("\n", " ")
            if job.status in ("waiting", "may_have_printed") else "",
        }
        colour = status_colour(job)
        for c, title in enumerate(COLUMNS):
            item = QTableWidgetItem(values[title])
            item.setTextAlignment(RIGHT if title in NUMERIC else LEFT)
            if title in ("Status", "Why it waits") and colour is not None:
                item.setForeground(QBrush(QColor(colour)))
            if title in ("What", "Why it waits", "Status"):
                item.setToolTip(values[title])
            self.table.setItem(r, c, item)

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        self.table.resizeColumnsToContents()
        for i, title in enumerate(COLUMNS[:-1]):
            width = max(header.sectionSize(i) + 12, 60)
            header.resizeSection(i, min(width, WIDEST.get(title, 120)))
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def selected_rows(self) -> list[PrintJobRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.rows[r] for r in rows if r < len(self.rows)]

    def select_job(self, job_id: int) -> None:
        for r, job in enumerate(self.rows):
            if job.id == job_id:
                self.table.selectRow(r)

    def _selection_changed(self) -> None:
        rows = self.selected_rows()
        statuses = {r.status for r in rows}
        self.retry_button.setEnabled(bool(statuses & set(RETRYABLE)))
        self.cancel_button.setEnabled(bool(statuses & set(CANCELLABLE)))
        self.reprint_button.setEnabled(len(rows) == 1 and rows[0].status in REPRINTABLE)
        self.reprint_on.setEnabled(self.reprint_button.isEnabled())
        self.detail.setText(self._detail(rows[0]) if len(rows) == 1 else "")

    def _detail(self, job: PrintJobRow) -> str:
        template = self.template_names.get(job.template, job.template)
        text = (f"<b>Job {job.id}</b>: {formatting.count(job.labels, 'label')} "
                f"({escape(template)}) on {escape(job.printer)} — "
                f"{escape(status_words(job))}; queued {formatting.when(job.created_at)}, "
                f"{formatting.count(job.attempts, 'try', 'tries')}.")
        if job.summary:
            text += f"<br>{escape(job.summary)}"
        if job.error and job.status in ("waiting", "may_have_printed"):
            colour = AMBER if job.status == "may_have_printed" else RED
            text += f"<br><span style='color:{colour}'>{escape(job.error)}</span>"
        if job.status == "may_have_printed":
            text += ("<br>Look at the printer: if the labels came out, Cancel the job; if "
                     "not, Reprint it (or Retry now).")
        return text

    # --- acting -------------------------------------------------------------------------

    def _act(self, title: str, fn: Callable[..., int], *args: object, **kw: object) -> int | None:
        backroom = self._backroom()
        if backroom is None:
            return None
        try:
            done = backroom.act(fn, *args, **kw)
        except DomainError as exc:
            QMessageBox.information(self, title, str(exc))
            self.reload()
            return None
        if self.sender_ is not None:
            self.sender_.queued()
        self.reload()
        return done

    def retry_selected(self) -> int | None:
        ids = [r.id for r in self.selected_rows() if r.status in RETRYABLE]
        if not ids:
            return None
        return self._act("Nothing to retry", print_jobs.retry_now, ids)

    def cancel_selected(self) -> int | None:
        ids = [r.id for r in self.selected_rows() if r.status in CANCELLABLE]
        if not ids:
            return None
        return self._act("Nothing to cancel", print_jobs.cancel_jobs, ids)

    def reprint_selected(self, printer: str | None = None) -> int | None:
        """A new job with the selected job's labels, on `printer` or the one chosen beside
        the button (its own printer when none is); the new job's id."""
        rows = self.selected_rows()
        backroom = self._backroom()
        if len(rows) != 1 or backroom is None:
            return None
        printer = printer or self.reprint_on.currentData()
        new_id = self._act("Not reprinted", print_jobs.reprint, rows[0].id, printer,
                           data_dir=backroom.config.data_dir)
        if new_id is not None:
            self.select_job(new_id)
        return new_id
