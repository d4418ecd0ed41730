"""Inventory > Import…: a catalogue spreadsheet in (XLSX or CSV), checked first, applied all
or nothing, in the background; every problem is listed by row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import spreadsheets
from app.services.context import Backroom
from app.services.spreadsheets import CatalogueImport
from app.ui.ops import Job, JobContext, Ops

FILTERS = "Spreadsheets (*.xlsx *.csv *.txt *.tsv);;All files (*)"


def report_text(report: CatalogueImport) -> str:
    """The report as a person reads it: what happened, then every problem by row."""
    out = report.lines()
    if report.preview and not report.rejected:
        out.append("\nPreview: nothing was changed. Press Import to apply it.")
    elif report.rejected:
        out.append("\nNothing was changed: correct the rows named above and import the file "
                   "again.")
    return "\n".join(out)


class CatalogueImportDialog(QDialog):
    """`changesMade(Changes)` once products or stock changed."""

    changesMade = Signal(object)

    def __init__(self, backroom: Callable[[], Backroom], ops: Ops,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self._ops = backroom, ops
        self.job: Job | None = None
        self.report: CatalogueImport | None = None
        self.setWindowTitle("Import products and stock")
        self.resize(820, 540)

        self.path = QLineEdit(placeholderText="An .xlsx or .csv file")
        self.path.textChanged.connect(lambda _t: self._enable())
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        self.new_categories = QCheckBox("Add categories the file names that do not exist yet")
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("", self.new_categories)
        hint = QLabel(
            "The first row names the columns: SKU (required), Title, Category, Barcode, "
            "Price, Cost, Currency, Quantity and Location (a bin's code). A product is "
            "created or updated by its SKU; an empty cell leaves that field as it is. "
            "Quantity sets the stock on hand (in the bin, with a Location) through "
            "adjustments in the stock ledger. Every row is checked first: one problem and "
            "nothing is changed. An export from the Inventory tab imports back as it is.",
            wordWrap=True)
        hint.setStyleSheet("color: #6b6b6b;")

        self.result = QPlainTextEdit(readOnly=True)
        self.result.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.result.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.result.setPlaceholderText("Choose the file, then Check or Import.")
        self.check_button = QPushButton("Check")
        self.check_button.setToolTip("Read and check the file, and say what an import would "
                                     "do; change nothing")
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.check_button.clicked.connect(lambda: self.start(preview=True))
        self.import_button.clicked.connect(lambda: self.start(preview=False))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.result, 1)
        layout.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)
        self._enable()

    def choose_file(self) -> None:
        folder = self._backroom().config.exports_dir
        name, _ = QFileDialog.getOpenFileName(self, "Choose a catalogue spreadsheet",
                                              str(folder), FILTERS)
        if name:
            self.set_path(Path(name))

    def set_path(self, path: Path) -> None:
        self.path.setText(str(path))
        self.result.clear()

    def _enable(self) -> None:
        idle = self.job is None
        for button in (self.check_button, self.import_button):
            button.setEnabled(idle and bool(self.path.text().strip()))

    def start(self, preview: bool) -> Job | None:
        text = self.path.text().strip()
        if not text or self.job is not None:
            return None
        path, allow = Path(text), self.new_categories.isChecked()

        def work(ctx: JobContext) -> CatalogueImport:
            return spreadsheets.import_catalogue(
                ctx.backroom.uow(), path, allow_new_categories=allow, preview=preview,
                progress=ctx.progress)

        self.result.setPlainText(f"Reading {path.name}…")
        self.job = self._ops.run(f"Checking {path.name}" if preview
                                 else f"Importing {path.name}", work,
                                 on_finished=self._done, on_failed=self._failed,
                                 writes=not preview)
        self.job.finished.connect(self._ended)
        self.job.failed.connect(self._ended)
        self._enable()
        return self.job

    def _ended(self, *_args: object) -> None:
        self.job = None
        self._enable()

    def _done(self, report: CatalogueImport) -> None:
        self.report = report
        self.result.setPlainText(report_text(report))
        if report.changes.touches("products", "stock"):
            self.changesMade.emit(report.changes)

    def _failed(self, message: str) -> None:
        self.result.setPlainText(f"Nothing was imported.\n\n{message}")
