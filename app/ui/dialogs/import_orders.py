"""File > Import orders…: channel report files in, by hand, with a preview first if wanted.

The files are read and imported in the background (a 100,000-order export takes seconds);
the dialog then lists, per file, what was created, updated and flagged — or, for a file
that was refused, every problem by row, with nothing of that file written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.services import channels, file_import
from app.services.context import Backroom
from app.services.file_import import ImportReport
from app.ui.ops import Job, JobContext, Ops

FILTERS = ["Order reports (*.csv *.txt *.tsv *.xlsx)", "All files (*)"]
FROM_FILE = "Work it out from the file"


def report_text(report: ImportReport, preview: bool) -> str:
    """The report as a person reads it: a line per file, then what needs a look."""
    out = []
    for one in report.files:
        out.append(one.summary())
        out += [f"    updated {t}" for t in one.changed]
        out += [f"    flagged {t}" for t in one.flagged]
        out += [f"    {'problem' if not one.rejected else 'refused'}: {t}"
                for t in one.problems]
    if preview:
        out.append("\nPreview: nothing was written. Press Import to take the orders in.")
    elif report.rejected:
        out.append("\nA refused file changed nothing: correct the rows named above (or "
                   "download the report again) and import it again.")
    return "\n".join(out)


class ImportOrdersDialog(QDialog):
    """`changesMade(Changes)` once orders went in."""

    changesMade = Signal(object)

    def __init__(self, backroom: Callable[[], Backroom], ops: Ops,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self._ops = backroom, ops
        self.job: Job | None = None
        self.report: ImportReport | None = None
        self.setWindowTitle("Import orders from report files")
        self.resize(820, 560)

        self.files = QListWidget()
        self.files.setMinimumHeight(90)
        choose = QPushButton("Choose files…")
        choose.clicked.connect(self.choose_files)
        self.channel = QComboBox()
        self.channel.addItem(FROM_FILE, None)
        for view in backroom().read(channels.channel_list):
            self.channel.addItem(f"{view.name} ({view.title})", view.name)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.files, 1)
        row.addWidget(choose, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("Files", row)
        form.addRow("Channel", self.channel)
        hint = QLabel("Shopify orders exports, Etsy sold orders and order items files, "
                      "Amazon order reports and eBay orders reports, as CSV, tab-separated "
                      "text or XLSX. Each file goes in whole or not at all, and importing one "
                      "again changes nothing.", wordWrap=True)
        hint.setStyleSheet("color: #6b6b6b;")

        self.result = QPlainTextEdit(readOnly=True)
        self.result.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.result.setPlaceholderText("Choose the files, then Preview or Import.")
        self.preview_button = QPushButton("Preview")
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.preview_button.clicked.connect(lambda: self.start(preview=True))
        self.import_button.clicked.connect(lambda: self.start(preview=False))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.result, 1)
        layout.addWidget(buttons)
        self._enable()

    def paths(self) -> list[Path]:
        return [Path(self.files.item(i).text()) for i in range(self.files.count())]

    def set_paths(self, paths: list[Path]) -> None:
        self.files.clear()
        self.files.addItems([str(p) for p in paths])
        self.result.clear()
        self._enable()

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Choose order report files", "",
                                                ";;".join(FILTERS))
        if names:
            self.set_paths([Path(n) for n in names])

    def _enable(self) -> None:
        idle = self.job is None
        for button in (self.preview_button, self.import_button):
            button.setEnabled(idle and self.files.count() > 0)

    def start(self, preview: bool) -> Job | None:
        paths, channel = self.paths(), self.channel.currentData()
        if not paths or self.job is not None:
            return None

        def work(ctx: JobContext) -> ImportReport:
            return file_import.import_order_files(
                ctx.backroom, paths, channel, preview=preview,
                progress=lambda n: ctx.progress(n, 0))

        self.result.setPlainText("Reading the files…")
        self.job = self._ops.run("Previewing orders" if preview else "Importing orders", work,
                                 on_finished=lambda r: self._done(r, preview),
                                 on_failed=self._failed, writes=not preview)
        self.job.finished.connect(self._ended)
        self.job.failed.connect(self._ended)
        self._enable()
        return self.job

    def _ended(self, *_args: object) -> None:
        self.job = None
        self._enable()

    def _done(self, report: ImportReport, preview: bool) -> None:
        self.report = report
        self.result.setPlainText(report_text(report, preview))
        if not preview and report.changes != Changes():
            self.changesMade.emit(report.changes)

    def _failed(self, message: str) -> None:
        self.result.setPlainText(f"Nothing was imported.\n\n{message}")
