"""Settings > Printers: this computer's printers, what each use prints with, and the
workshop's rules for printing by itself.

A printer is one of: a Zebra-language (ZPL) printer on the network or on USB, a Brother QL
on the network or USB, a printer this computer knows (CUPS or Windows; ZPL can go to it
raw), or a PDF file. The editor draws the settings of the chosen kind, lists every problem
at once on Save, and its "Print test label" sends a sample label straight to the printer
off the GUI thread and says in words what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.printing import brother, sheet
from app.printing.printers import (
    ADDRESS_MEANING,
    PrinterConfig,
    PrinterKind,
    printer_problems,
    render_for,
)
from app.printing.templates import DPIS, sample_data
from app.services import print_jobs, printers
from app.services.context import Backroom
from app.services.print_jobs import PrintSettings
from app.services.printers import DEFAULT_TEMPLATES, PrinterUse, TemplateInfo, Use
from app.ui.ops import Job, JobContext, Ops
from app.ui.styles import BAD, GOOD, LEFT, MUTED, RIGHT
from app.ui.widgets.fit import fit_height, show_result

if TYPE_CHECKING:
    from app.printing.system import SystemPrinter
    from app.ui.print_sender import PrintSender

K = PrinterKind
KIND_TITLES = {
    K.ZPL_TCP: "Zebra-language (ZPL) printer on the network",
    K.ZPL_DEVICE: "Zebra-language (ZPL) printer on USB",
    K.BROTHER_QL_TCP: "Brother QL on the network",
    K.BROTHER_QL_DEVICE: "Brother QL on USB",
    K.SYSTEM: "A printer this computer knows",
    K.PDF_FILE: "PDF file (no printer)",
}
SHORT_KINDS = {K.ZPL_TCP: "ZPL, network", K.ZPL_DEVICE: "ZPL, USB",
               K.BROTHER_QL_TCP: "Brother QL, network", K.BROTHER_QL_DEVICE: "Brother QL, USB",
               K.SYSTEM: "This computer's", K.PDF_FILE: "PDF file"}
ADDRESS_LABELS = {K.ZPL_TCP: "Address", K.BROTHER_QL_TCP: "Address",
                  K.ZPL_DEVICE: "Device file", K.BROTHER_QL_DEVICE: "Device file",
                  K.SYSTEM: "Printer", K.PDF_FILE: "File"}
PLACEHOLDERS = {K.ZPL_TCP: "192.168.1.50 or zebra.local:9100",
                K.BROTHER_QL_TCP: "192.168.1.51 or ql820.local:9100",
                K.ZPL_DEVICE: "/dev/usb/lp0", K.BROTHER_QL_DEVICE: "/dev/usb/lp1",
                K.PDF_FILE: "labels.pdf"}
NETWORK = (K.ZPL_TCP, K.BROTHER_QL_TCP)
DEVICES = (K.ZPL_DEVICE, K.BROTHER_QL_DEVICE)
BROTHERS = (K.BROTHER_QL_TCP, K.BROTHER_QL_DEVICE)
SHEETS = (K.SYSTEM, K.PDF_FILE)
USE_TITLES = {Use.PRODUCT_LABELS: "Product labels", Use.BIN_LABELS: "Bin labels",
              Use.JOB_TICKETS: "Job tickets", Use.PARCEL_LABELS: "Parcel labels"}
TESTING = "Printing a test label"


def _hint(text: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet(MUTED)
    return label


def where_words(p: PrinterConfig) -> str:
    """Where a printer is, for the list: '192.168.1.50:9100', 'QL-820NWB, 62 mm at /dev/..'."""
    where = p.address
    if p.kind in BROTHERS:
        where = f"{p.brother_model}, label {p.brother_label}, at {where}"
    if p.kind is K.SYSTEM and p.raw_zpl:
        where += " (raw ZPL)"
    if p.sheet_layout:
        where += f", sheets: {p.sheet_layout.split(' (')[0]}"
    return where


def sample_template_key(p: PrinterConfig, uses: tuple[PrinterUse, ...]) -> str:
    """What a test label for this printer looks like: its default template, else that of
    the first use printing on it, else the product label."""
    if p.default_template:
        return p.default_template
    for u in uses:
        if u.printer == p.name:
            return u.template
    return DEFAULT_TEMPLATES[Use.PRODUCT_LABELS]


def print_test_label(ops: Ops, backroom: Backroom, config: PrinterConfig,
                     on_finished: Callable[[str], None],
                     on_failed: Callable[[str], None]) -> Job | None:
    """Send a sample label straight to a printer (saved or not) off the GUI thread; the
    outcome arrives in words. None (after on_failed) when the settings cannot work."""
    from app.printing.system import register_system_transport

    problems = printer_problems(config)
    if problems:
        on_failed("Fix these first: " + " ".join(problems))
        return None
    try:
        key = sample_template_key(config, printers.printer_uses(backroom))
        template = printers.label_template(backroom, key)
    except DomainError as exc:
        on_failed(str(exc))
        return None
    register_system_transport()  # idempotent: the sender does it too when it starts

    def work(_ctx: JobContext) -> str:
        from app.printing.errors import PrinterError
        from app.printing.transports import transport_for

        try:
            transport = transport_for(config)
            transport.send(render_for(config, template, sample_data(template)))
        except PrinterError as exc:
            raise DomainError(str(exc)) from None
        if config.kind is K.PDF_FILE:
            return f"Wrote a test label ({template.name}) to {transport.where}."
        return (f"Sent a test label ({template.name}) to {transport.where}: it should be "
                "coming out now.")

    return ops.run(TESTING, work, on_finished=on_finished, on_failed=on_failed)


def discovered_printers() -> list[SystemPrinter]:
    from app.printing.system import list_system_printers

    return list_system_printers()


def suggestions() -> list[PrinterConfig]:
    from app.printing.system import suggested_printers

    return suggested_printers()


def problem_list(message: str, known: tuple[str, ...]) -> str:
    """'Not saved:' and one line per problem, from the service's message of them all."""
    rest = message.split(" was not saved. ", 1)[-1]
    lines = [p for p in known if p in rest]
    for p in lines:
        rest = rest.replace(p, "")
    lines += [rest.strip()] if rest.strip() else []
    return "Not saved:\n" + "\n".join(f"• {line}" for line in lines)


# --- the editor -----------------------------------------------------------------------------


class PrinterEditor(QDialog):
    """Add a printer (`printer` None) or change one. After Save, `saved` is what was saved."""

    def __init__(self, backroom: Callable[[], Backroom | None], ops: Ops,
                 printer: PrinterConfig | None = None, parent: QWidget | None = None, *,
                 start_from: PrinterConfig | None = None):
        super().__init__(parent)
        self._backroom, self._ops = backroom, ops
        self.old_name = printer.name if printer is not None else None
        self.saved: PrinterConfig | None = None
        self.test_job: Job | None = None
        shown = printer or start_from or PrinterConfig("", K.ZPL_TCP)
        self.setWindowTitle("Add printer" if printer is None else f"Edit printer — "
                            f"{printer.name}")
        self.setMinimumWidth(640)
        current = backroom()
        templates = printers.template_list(current) if current is not None else ()

        self.name = QLineEdit(shown.name, placeholderText="e.g. Bench Zebra")
        self.name.setMinimumWidth(480)
        self.kind = QComboBox()
        for kind, title in KIND_TITLES.items():
            self.kind.addItem(title, kind.value)
        self.kind.setCurrentIndex(self.kind.findData(PrinterKind(shown.kind).value))
        self.address = QLineEdit(shown.address if shown.kind is not K.SYSTEM else "")
        self.choose_file = QPushButton("Choose…")
        self.choose_file.clicked.connect(self.choose_pdf)
        self.system = QComboBox()
        self.system.setEditable(True)
        self.system.setMinimumWidth(320)
        self.system.currentIndexChanged.connect(self._system_chosen)
        self.look_again = QPushButton("Look again")
        self.look_again.setToolTip("Ask this computer again which printers it has")
        self.look_again.clicked.connect(lambda: self.find_system_printers(
            self.system.currentText()))
        self.found: list[SystemPrinter] = []
        address_row = QHBoxLayout()
        address_row.setContentsMargins(0, 0, 0, 0)
        for w in (self.address, self.system):
            address_row.addWidget(w, 1)
        for w in (self.choose_file, self.look_again):
            address_row.addWidget(w)
        self.address_help = _hint()
        self.address_box = QWidget()
        address_layout = QVBoxLayout(self.address_box)
        address_layout.setContentsMargins(0, 0, 0, 0)
        address_layout.setSpacing(2)
        address_layout.addLayout(address_row)
        address_layout.addWidget(self.address_help)

        self.model = QComboBox()
        self.model.addItems(brother.models())
        self.model.setCurrentText(shown.brother_model)
        self.label_size = QComboBox()
        self.label_size.addItems(brother.labels())
        self.label_size.setCurrentText(shown.brother_label)
        self.label_size.setToolTip("'62' is 62 mm endless tape; '29x90' die-cut labels")
        brother_row = QHBoxLayout()
        brother_row.setContentsMargins(0, 0, 0, 0)
        brother_row.addWidget(QLabel("Model"))
        brother_row.addWidget(self.model)
        brother_row.addSpacing(12)
        brother_row.addWidget(QLabel("Labels"))
        brother_row.addWidget(self.label_size)
        brother_row.addStretch(1)
        self.brother_box = QWidget()
        self.brother_box.setLayout(brother_row)

        self.raw_zpl = QCheckBox("Send ZPL to it untouched (a Zebra set up as a raw queue)",
                                 checked=shown.raw_zpl)
        self.raw_zpl.toggled.connect(self._kind_changed)
        self.sheet = QComboBox()
        self.sheet.addItem("One label per page", "")
        for name in sheet.LAYOUTS:
            self.sheet.addItem(name, name)
        self.sheet.setCurrentIndex(max(self.sheet.findData(
            next((n for n in sheet.LAYOUTS if shown.sheet_layout and n.startswith(
                shown.sheet_layout)), "")), 0))
        self.sheet.currentIndexChanged.connect(self._kind_changed)
        self.dpi = QComboBox()
        for dpi in DPIS:
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.dpi.setCurrentIndex(max(self.dpi.findData(shown.dpi), 0))
        self.dpi.setToolTip("The printer's resolution: 203 dpi (8 dots/mm) or 300 dpi "
                            "(12 dots/mm), as on its label or configuration print-out")
        self.template = QComboBox()
        self.template.addItem("None (each use chooses)", "")
        for t in templates:
            self.template.addItem(f"{t.name} ({t.width_mm:g} x {t.height_mm:g} mm)", t.key)
        self.template.setCurrentIndex(max(self.template.findData(shown.default_template), 0))
        self.template.setToolTip("What its test label shows (each use chooses its own "
                                 "template under What prints where)")
        self.check_status = QCheckBox("Ask the printer whether it is ready before sending "
                                      "(out of labels, head open, paused)",
                                      checked=shown.check_status)
        self.timeout = QDoubleSpinBox(minimum=0.5, maximum=120.0, decimals=1, singleStep=0.5,
                                      suffix=" s")
        self.timeout.setValue(shown.timeout_s)
        self.timeout.setAlignment(RIGHT)
        self.timeout.setFixedWidth(100)
        self.timeout.setToolTip("How long to wait for the printer before calling it off")

        self.test_button = QPushButton("Print test label")
        self.test_button.setToolTip("Send a sample label to the printer as this form "
                                    "describes it (nothing is saved)")
        self.test_button.clicked.connect(self.test_label)
        self.test_result = QLabel(wordWrap=True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)

        self.form = QFormLayout()
        self.form.addRow("Name", self.name)
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Address", self.address_box)
        self.form.addRow("Brother QL", self.brother_box)
        self.form.addRow("", self.raw_zpl)
        self.form.addRow("Sheets", self.sheet)
        self.form.addRow("Resolution", self.dpi)
        self.form.addRow("Default template", self.template)
        self.form.addRow("", self.check_status)
        self.form.addRow("Wait at most", self.timeout)

        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(BAD + " padding: 4px 0;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addLayout(self.form)
        layout.addLayout(test_row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.find_system_printers(shown.address if shown.kind is K.SYSTEM else "")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    # --- the kind's own settings --------------------------------------------------------

    def chosen_kind(self) -> PrinterKind:
        return PrinterKind(self.kind.currentData())

    def choose_kind(self, kind: PrinterKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))

    def _show_row(self, widget: QWidget, shown: bool) -> None:
        self.form.setRowVisible(widget, shown)

    def _kind_changed(self, *_args: object) -> None:
        kind = self.chosen_kind()
        system = kind is K.SYSTEM
        self.address.setVisible(not system)
        self.system.setVisible(system)
        self.look_again.setVisible(system)
        self.choose_file.setVisible(kind is K.PDF_FILE)
        self.address.setPlaceholderText(PLACEHOLDERS.get(kind, ""))
        label = self.form.labelForField(self.address_box)
        if isinstance(label, QLabel):
            label.setText(ADDRESS_LABELS[kind])
        meaning = ADDRESS_MEANING[kind]
        help_text = meaning[:1].upper() + meaning[1:] + "."
        if system and not self.found:
            help_text = ("This computer reports no printers: set one up in the system's "
                         "printer settings, then Look again (or type its queue name).")
        self.address_help.setText(help_text)
        self._show_row(self.brother_box, kind in BROTHERS)
        self._show_row(self.raw_zpl, system)
        self._show_row(self.sheet, kind in SHEETS and not (system and self.raw_zpl.isChecked()))
        self._show_row(self.check_status, kind in NETWORK + DEVICES and kind is not
                       K.BROTHER_QL_TCP)
        self._show_row(self.timeout, kind in NETWORK + DEVICES)
        fixed = kind in BROTHERS or (self.sheet.currentData() and kind in SHEETS and not (
            system and self.raw_zpl.isChecked()))
        self.dpi.setEnabled(not fixed)  # Brother QL and sheets of labels print at 300 dpi
        if fixed:
            self.dpi.setCurrentIndex(self.dpi.findData(brother.QL_DPI))
        self.test_result.clear()
        self._fit_height()

    def find_system_printers(self, keep: str = "") -> list[SystemPrinter]:
        """Fill the system printer list from what this computer reports (the default first)."""
        self.found = discovered_printers()
        self.system.blockSignals(True)
        self.system.clear()
        for p in self.found:
            text = p.name + ("  (default)" if p.is_default else "")
            self.system.addItem(text, p.name)
            self.system.setItemData(self.system.count() - 1,
                                    f"{p.description} — {p.make_and_model}".strip(" —"),
                                    Qt.ItemDataRole.ToolTipRole)
        if keep and self.system.findData(keep) < 0:
            self.system.addItem(f"{keep}  (not found on this computer)", keep)
        self.system.setCurrentIndex(max(self.system.findData(keep), 0) if keep else 0)
        if not self.found and not keep:
            self.system.setCurrentIndex(-1)
        self.system.blockSignals(False)
        return self.found

    def _system_chosen(self, index: int) -> None:
        """A discovered printer was picked: offer what suits it (raw ZPL for Zebras)."""
        name = self.system.itemData(index)
        for suggestion in suggestions():
            if suggestion.address == name:
                self.raw_zpl.setChecked(suggestion.raw_zpl)
                self.dpi.setCurrentIndex(max(self.dpi.findData(suggestion.dpi), 0))
                if not self.name.text().strip():
                    self.name.setText(suggestion.name)

    def choose_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write labels to this PDF file",
                                              self.address.text(), "PDF files (*.pdf)")
        if path:
            self.address.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    # --- what the form says -------------------------------------------------------------

    def system_name(self) -> str:
        data = self.system.currentData()
        text = self.system.currentText()
        if data is not None and text == self.system.itemText(self.system.currentIndex()):
            return str(data)
        return text.strip()

    def config(self) -> PrinterConfig:
        kind = self.chosen_kind()
        system = kind is K.SYSTEM
        return PrinterConfig(
            name=self.name.text(), kind=kind,
            address=self.system_name() if system else self.address.text().strip(),
            dpi=int(self.dpi.currentData()), default_template=str(self.template.currentData()),
            brother_model=self.model.currentText() if kind in BROTHERS
            else brother.DEFAULT_MODEL,
            brother_label=self.label_size.currentText() if kind in BROTHERS
            else brother.DEFAULT_LABEL,
            raw_zpl=system and self.raw_zpl.isChecked(),
            sheet_layout=str(self.sheet.currentData()) if kind in SHEETS and not (
                system and self.raw_zpl.isChecked()) else "",
            check_status=self.check_status.isChecked(), timeout_s=self.timeout.value())

    def save(self) -> bool:
        backroom = self._backroom()
        if backroom is None:
            return False
        config = self.config()
        try:
            self.saved = printers.save_printer(backroom, self.old_name, config)
        except DomainError as exc:
            self.error.setText(problem_list(str(exc), printer_problems(config)))
            self.error.show()
            self._fit_height()
            return False
        self.accept()
        return True

    def _fit_height(self) -> None:
        fit_height(self)

    # --- test label ---------------------------------------------------------------------

    def test_label(self) -> Job | None:
        backroom = self._backroom()
        if backroom is None:
            return None
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet(MUTED)
        self.test_result.setText("Sending a test label…")
        self.test_job = print_test_label(self._ops, backroom, self.config(), self._tested,
                                         self._tested_badly)
        return self.test_job

    def _tested(self, said: str) -> None:
        self.test_job = None
        show_result(self, self.test_button, self.test_result, said, GOOD)

    def _tested_badly(self, message: str) -> None:
        self.test_job = None
        show_result(self, self.test_button, self.test_result, message, BAD)


# --- the list, the uses and the rules ---------------------------------------------------------


COLUMNS = ("Name", "Kind", "Where", "Resolution", "Test label", "Prints")


class PrintersDialog(QDialog):
    def __init__(self, backroom: Callable[[], Backroom | None], ops: Ops,
                 sender: PrintSender | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self._ops, self._sender = backroom, ops, sender
        self.printers: tuple[PrinterConfig, ...] = ()
        self.uses: tuple[PrinterUse, ...] = ()
        self.templates: tuple[TemplateInfo, ...] = ()
        self.settings = PrintSettings()
        self.editor: PrinterEditor | None = None
        self.test_job: Job | None = None
        self.setWindowTitle("Printers")
        self.resize(1120, 760)

        printers_box = QGroupBox("Printers on this computer")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setDefaultAlignment(LEFT)
        self.table.horizontalHeaderItem(COLUMNS.index("Resolution")).setTextAlignment(RIGHT)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit())
        self.empty = _hint("No printers yet. Add a label printer on the network or USB, one "
                           "this computer already knows, or a PDF file to print later.")
        self.add_button = QPushButton("Add…")
        self.add_button.clicked.connect(lambda: self.add())
        self.found_button = QPushButton("Add one this computer knows")
        self.found_menu = QMenu(self.found_button)
        self.found_menu.aboutToShow.connect(self._fill_found_menu)
        self.found_button.setMenu(self.found_menu)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove)
        self.test_button = QPushButton("Print test label")
        self.test_button.clicked.connect(self.test_label)
        self.test_result = QLabel(wordWrap=True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        for b in (self.add_button, self.found_button, self.edit_button, self.remove_button):
            row.addWidget(b)
        row.addSpacing(16)
        row.addWidget(self.test_button)
        row.addWidget(self.test_result, 1)
        box = QVBoxLayout(printers_box)
        box.addWidget(self.table, 1)
        box.addWidget(self.empty)
        box.addLayout(row)

        uses_box = QGroupBox("What prints where")
        grid = QGridLayout(uses_box)
        grid.addWidget(_hint("Printer"), 0, 1)
        grid.addWidget(_hint("Template"), 0, 2)
        self.use_printer: dict[Use, QComboBox] = {}
        self.use_template: dict[Use, QComboBox] = {}
        for r, use in enumerate(Use, 1):
            grid.addWidget(QLabel(USE_TITLES[use]), r, 0)
            printer, template = QComboBox(), QComboBox()
            printer.setMinimumWidth(170)
            template.setMinimumWidth(230)
            printer.activated.connect(lambda _i, u=use: self.choose_use(u))
            template.activated.connect(lambda _i, u=use: self.choose_use(u))
            grid.addWidget(printer, r, 1)
            grid.addWidget(template, r, 2)
            self.use_printer[use], self.use_template[use] = printer, template
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(len(Use) + 1, 1)

        rules_box = QGroupBox("Printing by itself (the whole workshop)")
        self.on_goods_received = QCheckBox("Print product labels when goods are received")
        self.on_task_created = QCheckBox("Print a job ticket when a supplier task is created")
        self.return_address = QPlainTextEdit(placeholderText="Your business name and address, "
                                             "printed as the sender on parcel labels")
        self.return_address.setTabChangesFocus(True)
        self.return_address.setFixedHeight(64)
        self.rules_warning = QLabel(wordWrap=True)
        self.rules_warning.setStyleSheet(BAD)
        self.save_rules_button = QPushButton("Save")
        self.save_rules_button.clicked.connect(self.save_rules)
        self.rules_saved = _hint()
        for box_ in (self.on_goods_received, self.on_task_created):
            box_.toggled.connect(self._rules_edited)
        self.return_address.textChanged.connect(self._rules_edited)
        rules = QVBoxLayout(rules_box)
        rules.addWidget(self.on_goods_received)
        rules.addWidget(self.on_task_created)
        rules.addWidget(QLabel("Return address on parcel labels"))
        rules.addWidget(self.return_address)
        rules.addWidget(self.rules_warning)
        save_row = QHBoxLayout()
        save_row.addWidget(self.rules_saved, 1)
        save_row.addWidget(self.save_rules_button)
        rules.addLayout(save_row)
        rules.addStretch(1)

        lower = QHBoxLayout()
        lower.addWidget(uses_box, 1)
        lower.addWidget(rules_box, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(printers_box, 1)
        layout.addLayout(lower)
        layout.addWidget(close)
        self.reload()
        self._load_rules()

    # --- reading ------------------------------------------------------------------------

    def reload(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        chosen = self.selected()
        try:
            self.printers = printers.printer_list(backroom)
            self.uses = printers.printer_uses(backroom)
            self.templates = printers.template_list(backroom)
        except DomainError as exc:  # printers.json cannot be read: say so, show nothing
            self.printers, self.uses = (), ()
            self.empty.setText(str(exc))
            self.empty.setStyleSheet(BAD)
        names = {t.key: t.name for t in self.templates}
        self.table.setRowCount(len(self.printers))
        for r, p in enumerate(self.printers):
            prints = ", ".join(u.use for u in self.uses if u.printer == p.name)
            values = (p.name, SHORT_KINDS.get(p.kind, str(p.kind)), where_words(p),
                      f"{p.render_dpi} dpi", names.get(p.default_template, "—")
                      if p.default_template else "—", prints or "—")
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setTextAlignment(RIGHT if COLUMNS[c] == "Resolution" else LEFT)
                if COLUMNS[c] == "Where":
                    item.setToolTip(value)
                self.table.setItem(r, c, item)
        self.empty.setVisible(not self.printers)
        self._size_columns()
        at = [p.name for p in self.printers]
        if chosen is not None and chosen.name in at:
            self.table.selectRow(at.index(chosen.name))
        elif self.printers:
            self.table.selectRow(0)
        self._fill_uses()
        self._selection_changed()
        self._check_rules()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        self.table.resizeColumnsToContents()
        for i in range(len(COLUMNS) - 1):
            header.resizeSection(i, min(max(header.sectionSize(i) + 16, 90), 320))
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def _fill_uses(self) -> None:
        chosen = {u.use: u for u in self.uses}
        for use in Use:
            u = chosen.get(str(use), PrinterUse(str(use), "", DEFAULT_TEMPLATES[use]))
            printer, template = self.use_printer[use], self.use_template[use]
            printer.clear()
            printer.addItem("No printer", "")
            for p in self.printers:
                printer.addItem(p.name, p.name)
            printer.setCurrentIndex(max(printer.findData(u.printer), 0))
            template.clear()
            for t in self.templates:
                template.addItem(f"{t.name}{'' if t.builtin else ' (yours)'}", t.key)
            template.setCurrentIndex(max(template.findData(u.template), 0))

    def selected(self) -> PrinterConfig | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.printers):
            return None
        return self.printers[rows[0].row()]

    def select(self, name: str) -> None:
        at = [p.name for p in self.printers]
        if name in at:
            self.table.selectRow(at.index(name))

    def _selection_changed(self) -> None:
        has = self.selected() is not None
        for b in (self.edit_button, self.remove_button, self.test_button):
            b.setEnabled(has)

    def _changed(self) -> None:
        self.reload()
        if self._sender is not None:  # a printer new or changed may have jobs waiting
            self._sender.send_soon()
            self._sender.refresh()

    # --- printers -----------------------------------------------------------------------

    def add(self, start_from: PrinterConfig | None = None) -> PrinterConfig | None:
        return self._edit(None, start_from)

    def edit(self) -> PrinterConfig | None:
        chosen = self.selected()
        return self._edit(chosen) if chosen is not None else None

    def open_editor(self, printer: PrinterConfig | None = None,
                    start_from: PrinterConfig | None = None) -> PrinterEditor:
        self.editor = PrinterEditor(self._backroom, self._ops, printer, self,
                                    start_from=start_from)
        return self.editor

    def _edit(self, printer: PrinterConfig | None,
              start_from: PrinterConfig | None = None) -> PrinterConfig | None:
        editor = self.open_editor(printer, start_from)
        done = editor.exec()
        saved = editor.saved
        self.editor = None
        if done and saved is not None:
            self._changed()
            self.select(saved.name)
        return saved

    def _fill_found_menu(self) -> None:
        self.found_menu.clear()
        known = {p.address for p in self.printers if p.kind is K.SYSTEM}
        found = suggestions()
        for s in found:
            action = self.found_menu.addAction(
                s.name + ("  (added already)" if s.address in known else ""))
            action.triggered.connect(lambda _c=False, s=s: self.add(s))
        if not found:
            none = self.found_menu.addAction("This computer reports no printers")
            none.setEnabled(False)

    def remove(self) -> bool:
        backroom, chosen = self._backroom(), self.selected()
        if backroom is None or chosen is None:
            return False
        if QMessageBox.question(
                self, "Remove printer",
                f"Remove {chosen.name}? What printed on it gets no printer until you choose "
                "one; jobs still queued for it wait.") != QMessageBox.StandardButton.Yes:
            return False
        try:
            printers.remove_printer(backroom, chosen.name)
        except DomainError as exc:
            QMessageBox.information(self, f"{chosen.name} was not removed", str(exc))
            return False
        self._changed()
        return True

    def test_label(self) -> Job | None:
        backroom, chosen = self._backroom(), self.selected()
        if backroom is None or chosen is None:
            return None
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet(MUTED)
        self.test_result.setText(f"Sending a test label to {chosen.name}…")
        self.test_job = print_test_label(self._ops, backroom, chosen, self._tested,
                                         self._tested_badly)
        return self.test_job

    def _tested(self, said: str) -> None:
        self.test_job = None
        self.test_button.setEnabled(self.selected() is not None)
        self.test_result.setStyleSheet(GOOD)
        self.test_result.setText(said)

    def _tested_badly(self, message: str) -> None:
        self.test_job = None
        self.test_button.setEnabled(self.selected() is not None)
        self.test_result.setStyleSheet(BAD)
        self.test_result.setText(message)

    # --- what prints where --------------------------------------------------------------

    def choose_use(self, use: Use) -> PrinterUse | None:
        backroom = self._backroom()
        if backroom is None:
            return None
        printer = str(self.use_printer[use].currentData() or "")
        template = str(self.use_template[use].currentData() or "")
        try:
            chosen = printers.set_printer_use(backroom, use, printer, template)
        except DomainError as exc:
            QMessageBox.information(self, f"{USE_TITLES[use]} not changed", str(exc))
            chosen = None
        self._changed()
        return chosen

    # --- printing by itself -------------------------------------------------------------

    def _load_rules(self) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        self.settings = backroom.read(print_jobs.print_settings)
        for widget in (self.on_goods_received, self.on_task_created, self.return_address):
            widget.blockSignals(True)
        self.on_goods_received.setChecked(self.settings.on_goods_received)
        self.on_task_created.setChecked(self.settings.on_task_created)
        self.return_address.setPlainText(self.settings.return_address)
        for widget in (self.on_goods_received, self.on_task_created, self.return_address):
            widget.blockSignals(False)
        self.save_rules_button.setEnabled(False)
        self._check_rules()

    def rules(self) -> PrintSettings:
        return PrintSettings(self.on_goods_received.isChecked(), self.on_task_created.isChecked(),
                             self.return_address.toPlainText())

    def _rules_edited(self, *_args: object) -> None:
        self.save_rules_button.setEnabled(self.rules() != self.settings)
        self.rules_saved.clear()
        self._check_rules()

    def _check_rules(self) -> None:
        """Say when a rule is on but its use has no printer here: then nothing prints."""
        chosen = {u.use: u.printer for u in self.uses}
        missing = [what for on, use, what in (
            (self.on_goods_received.isChecked(), Use.PRODUCT_LABELS, "product labels"),
            (self.on_task_created.isChecked(), Use.JOB_TICKETS, "job tickets"))
            if on and not chosen.get(str(use))]
        self.rules_warning.setText(
            f"No printer is chosen here for {' or '.join(missing)}: choose one under What "
            "prints where, or they will not print on this computer." if missing else "")
        self.rules_warning.setVisible(bool(missing))

    def save_rules(self) -> PrintSettings | None:
        backroom = self._backroom()
        if backroom is None:
            return None
        try:
            self.settings = backroom.act(print_jobs.save_print_settings, self.rules())
        except DomainError as exc:
            QMessageBox.information(self, "Not saved", str(exc))
            return None
        self._load_rules()
        self.rules_saved.setText("Saved.")
        return self.settings

