"""Settings > Label templates: the built-in templates (read only: "Copy to edit") and the
workshop's own, edited with a live preview at the template's true resolution.

The preview is the label exactly as a raster printer gets it (`raster.render_image`, every
dot), enlarged by whole steps without smoothing so what is crisp on paper looks crisp here.
Every problem (a box off the label, text too small to fit, data Backroom's labels do not
have, a barcode that will not fit its box) is listed as it is typed; Save is refused while
any remains.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.printing import templates as tpl
from app.printing.raster import render_image
from app.printing.symbols import place_barcode
from app.printing.system import qimage
from app.printing.templates import BarcodeSpec, LabelTemplate, TextField
from app.services import printers
from app.services.context import Backroom
from app.services.printers import TemplateInfo
from app.ui.styles import AMBER, BAD, LEFT, MUTED, RIGHT

# What Backroom's labels carry (app.services.label_data): products, bins, job tickets, parcels.
KNOWN_KEYS = frozenset(tpl.SAMPLES) | {"product_sku", "quantity"}
PREVIEW_DELAY_MS = 120
BOX_COLOUR = QColor(11, 87, 208, 150)
ZOOMS = (("Fit", 0), ("1:1", 1), ("2x", 2), ("3x", 3), ("4x", 4))
MOST_DOTS = 20_000_000  # a preview bigger than this (a metre-long strip) is not drawn

# The fields table: header, TextField attribute, kind.
FIELD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Data key", "key", "text"), ("Prefix", "prefix", "text"), ("X mm", "x_mm", "mm"),
    ("Y mm", "y_mm", "mm"), ("Width mm", "width_mm", "mm"), ("Height mm", "height_mm", "mm"),
    ("Size", "size", "number"), ("Smallest", "min_size", "number"),
    ("Lines", "max_lines", "int"), ("Too long", "fit", "fit"), ("Align", "align", "align"),
    ("Bold", "bold", "check"), ("Optional", "optional", "check"),
)
COLUMN_TIPS = {
    "key": "Which value the field shows, e.g. sku, title, price, location",
    "prefix": "Text before the value, e.g. 'Order '",
    "size": "Font size (points, or dots for templates that say so)",
    "min_size": "The smallest the text may shrink to before it wraps or is cut short",
    "max_lines": "The most lines the text may wrap onto",
    "fit": "Too long: shrink first, then wrap — or wrap first, then shrink",
    "optional": "Missing data leaves the field blank instead of refusing the label",
}
FIT_WORDS = {"shrink": "Shrink, then wrap", "wrap": "Wrap, then shrink"}
SYMBOLOGY_WORDS = {"auto": "Automatic (EAN/UPC, else Code 128)", "code128": "Code 128",
                   "ean13": "EAN-13", "ean8": "EAN-8", "upca": "UPC-A", "qr": "QR code"}


def confirm_discard(parent: QWidget, name: str) -> bool:
    """Ask before edits are thrown away (tests stand in for this)."""
    return QMessageBox.question(
        parent, "Unsaved changes", f"Throw away your changes to {name or 'the template'}?"
    ) == QMessageBox.StandardButton.Yes


def _mm(value: float) -> str:
    return f"{value:g}"


def _spin(low: float, high: float, step: float = 0.5, decimals: int = 1,
          suffix: str = " mm") -> QDoubleSpinBox:
    spin = QDoubleSpinBox(minimum=low, maximum=high, decimals=decimals, singleStep=step,
                          suffix=suffix)
    spin.setAlignment(RIGHT)
    spin.setKeyboardTracking(True)
    return spin


@dataclass(frozen=True)
class Preview:
    """The label as the printer makes it, or why it cannot be made."""

    image: Image.Image | None
    problem: str = ""  # from the data shown
    blocking: bool = False  # the template's own sample data fails too


def key_problems(t: LabelTemplate) -> list[str]:
    """Data keys Backroom's labels never carry: such a label would be refused when printed."""
    known = ", ".join(sorted(KNOWN_KEYS))
    out = []
    for f in t.fields:
        if f.key.strip() and f.key not in KNOWN_KEYS:
            out.append(f"The field {f.key!r} shows data Backroom's labels do not have; use "
                       f"one of: {known}.")
    if t.barcode is not None and t.barcode.key.strip() and t.barcode.key not in KNOWN_KEYS:
        out.append(f"The barcode encodes {t.barcode.key!r}, which Backroom's labels do not "
                   "have.")
    return out


def render_preview(t: LabelTemplate, data: dict[str, str]) -> Preview:
    """Render with the data shown; a failure blocks saving only if the template's own
    sample data fails too."""
    try:
        return Preview(render_image(t, data))
    except DomainError as exc:
        problem = str(exc)
    try:
        sample = tpl.sample_data(t)
        values = tpl.check_data(t, sample)
        if t.barcode is not None:
            place_barcode(t.barcode, values[t.barcode.key], t.dpi, checked=True)
    except DomainError as exc:
        return Preview(None, str(exc), blocking=True)
    return Preview(None, problem)


class TemplateEditor(QWidget):
    """The template's settings, fields, barcode and sample data, with the live preview."""

    edited = Signal()  # the person changed something
    refreshed = Signal()  # the problems and the preview were brought up to date

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.read_only = False
        self._loading = False
        self.overrides: dict[str, str] = {}  # sample values the person typed
        self.preview = Preview(None)
        self.problems: list[str] = []
        self.template: LabelTemplate | None = None
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)

        self.name = QLineEdit(placeholderText="e.g. Mug label 60 x 30 mm")
        self.description = QLineEdit(placeholderText="What it is for")
        self.width_mm = _spin(1, tpl.LARGEST_MM)
        self.height_mm = _spin(1, tpl.LARGEST_MM)
        self.dpi = QComboBox()
        for dpi in tpl.DPIS:
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.dpi.setToolTip("The resolution it is designed and previewed at; it prints as "
                            "laid out (in mm) on either")
        size_row = QHBoxLayout()
        size_row.setContentsMargins(0, 0, 0, 0)
        size_row.addWidget(self.width_mm)
        size_row.addWidget(QLabel("x"))
        size_row.addWidget(self.height_mm)
        size_row.addSpacing(12)
        size_row.addWidget(self.dpi)
        size_row.addStretch(1)
        settings = QFormLayout()
        settings.addRow("Name", self.name)
        settings.addRow("Description", self.description)
        settings.addRow("Size", size_row)

        self.barcode_box = QGroupBox("Barcode")
        self.barcode_box.setCheckable(True)
        self.symbology = QComboBox()
        for value in tpl.SYMBOLOGIES:
            self.symbology.addItem(SYMBOLOGY_WORDS[value], value)
        self.barcode_key = QComboBox()
        self.barcode_key.setEditable(True)
        self.barcode_key.addItems(sorted(KNOWN_KEYS))
        self.bx, self.by = _spin(0, tpl.LARGEST_MM), _spin(0, tpl.LARGEST_MM)
        self.bw, self.bh = _spin(0, tpl.LARGEST_MM), _spin(0, tpl.LARGEST_MM)
        self.module = _spin(0.05, 5, 0.05, 2)
        self.module.setToolTip("The narrowest bar (or QR square) at most; narrower when the "
                               "value would not fit the box")
        self.show_text = QCheckBox("Digits under the bars")
        self.barcode_align = QComboBox()
        for a in tpl.ALIGNS:
            self.barcode_align.addItem(a.capitalize(), a)
        self.qr_level = QComboBox()
        for level in tpl.QR_LEVELS:
            self.qr_level.addItem(level, level)
        self.qr_level.setToolTip("QR error correction: L 7%, M 15%, Q 25%, H 30% may be lost")
        grid = QGridLayout(self.barcode_box)
        grid.addWidget(QLabel("Kind"), 0, 0)
        grid.addWidget(self.symbology, 0, 1, 1, 3)
        grid.addWidget(QLabel("Data key"), 1, 0)
        grid.addWidget(self.barcode_key, 1, 1, 1, 3)
        for r, (a, wa, b, wb) in enumerate((("X", self.bx, "Y", self.by),
                                            ("Width", self.bw, "Height", self.bh),
                                            ("Bars", self.module, "Align", self.barcode_align)),
                                           2):
            grid.addWidget(QLabel(a), r, 0)
            grid.addWidget(wa, r, 1)
            grid.addWidget(QLabel(b), r, 2)
            grid.addWidget(wb, r, 3)
        grid.addWidget(self.show_text, 5, 0, 1, 2)
        grid.addWidget(QLabel("QR level"), 5, 2)
        grid.addWidget(self.qr_level, 5, 3)

        left = QVBoxLayout()
        left.addLayout(settings)
        left.addWidget(self.barcode_box)
        left.addStretch(1)

        preview_box = QGroupBox("Preview")
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.image.setStyleSheet("background: #d9d9d9;")
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.image)
        self.scroll.setWidgetResizable(True)
        self.scroll.setMinimumSize(460, 300)
        self.zoom = QComboBox()
        for text, value in ZOOMS:
            self.zoom.addItem(text, value)
        self.zoom.setToolTip("Fit: whole steps when the label fits, smaller when it does not; "
                             "1:1 shows one printer dot as one screen pixel")
        self.zoom.currentIndexChanged.connect(lambda _i: self._show_image())
        self.show_boxes = QCheckBox("Show boxes", checked=True)
        self.show_boxes.setToolTip("Outline each field and the barcode (not printed)")
        self.show_boxes.toggled.connect(lambda _on: self._show_image())
        self.caption = QLabel()
        self.caption.setStyleSheet(MUTED)
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.caption, 1)
        caption_row.addWidget(self.zoom)
        caption_row.addWidget(self.show_boxes)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.scroll, 1)
        preview_layout.addLayout(caption_row)

        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addWidget(preview_box, 3)

        self.fields = QTableWidget(0, len(FIELD_COLUMNS))
        self.fields.setHorizontalHeaderLabels([c[0] for c in FIELD_COLUMNS])
        self.fields.verticalHeader().setVisible(False)
        self.fields.verticalHeader().setDefaultSectionSize(28)
        self.fields.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.fields.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for c, (_h, attr, kind) in enumerate(FIELD_COLUMNS):
            item = self.fields.horizontalHeaderItem(c)
            item.setTextAlignment(RIGHT if kind in ("mm", "number", "int") else LEFT)
            item.setToolTip(COLUMN_TIPS.get(attr, ""))
        header = self.fields.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.fields.itemChanged.connect(lambda _item: self.changed())
        self.add_field_button = QPushButton("Add field")
        self.add_field_button.clicked.connect(lambda: self.add_field())
        self.remove_field_button = QPushButton("Remove field")
        self.remove_field_button.clicked.connect(self.remove_field)
        field_buttons = QHBoxLayout()
        field_buttons.addWidget(self.add_field_button)
        field_buttons.addWidget(self.remove_field_button)
        field_buttons.addStretch(1)
        fields_page = QWidget()
        fields_layout = QVBoxLayout(fields_page)
        fields_layout.addWidget(self.fields, 1)
        fields_layout.addLayout(field_buttons)

        self.sample = QTableWidget(0, 2)
        self.sample.setHorizontalHeaderLabels(["Data key", "Shown in the preview"])
        self.sample.verticalHeader().setVisible(False)
        self.sample.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.sample.horizontalHeader().setStretchLastSection(True)
        self.sample.itemChanged.connect(self._sample_edited)
        self.reset_sample_button = QPushButton("Back to the sample")
        self.reset_sample_button.clicked.connect(self.reset_sample)
        sample_page = QWidget()
        sample_layout = QVBoxLayout(sample_page)
        sample_layout.addWidget(QLabel("Try the preview with your own text: long titles, "
                                       "other barcodes. Only the preview uses it.",
                                       wordWrap=True, styleSheet=MUTED))
        sample_layout.addWidget(self.sample, 1)
        sample_layout.addWidget(self.reset_sample_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.pages = QTabWidget()
        self.pages.addTab(fields_page, "Fields")
        self.pages.addTab(sample_page, "Sample data")

        self.problem_label = QLabel(wordWrap=True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_label.setStyleSheet(BAD)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top, 5)
        layout.addWidget(self.pages, 3)
        layout.addWidget(self.problem_label)

        for w in (self.name, self.description):
            w.textEdited.connect(lambda _t: self.changed())
        for spin in (self.width_mm, self.height_mm, self.bx, self.by, self.bw, self.bh,
                     self.module):
            spin.valueChanged.connect(lambda _v: self.changed())
        for combo in (self.dpi, self.symbology, self.barcode_align, self.qr_level):
            combo.currentIndexChanged.connect(lambda _i: self.changed())
        self.barcode_key.currentTextChanged.connect(lambda _t: self.changed())
        self.show_text.toggled.connect(lambda _on: self.changed())
        self.barcode_box.toggled.connect(lambda _on: self.changed())

    # --- loading ------------------------------------------------------------------------

    def load(self, t: LabelTemplate, read_only: bool) -> None:
        self._loading = True
        self.template = t
        self.overrides = {}
        self.name.setText(t.name)
        self.description.setText(t.description)
        self.description.setCursorPosition(0)
        self.name.setCursorPosition(0)
        self.width_mm.setValue(t.width_mm)
        self.height_mm.setValue(t.height_mm)
        self.dpi.setCurrentIndex(max(self.dpi.findData(t.dpi), 0))
        self.fields.setRowCount(0)
        for f in t.fields:
            self.add_field(f)
        b = t.barcode
        self.barcode_box.setChecked(b is not None)
        b = b or BarcodeSpec("barcode", "auto", 1, 1, max(t.width_mm - 2, 1),
                             max(min(t.height_mm - 2, 12), 1))
        self.symbology.setCurrentIndex(max(self.symbology.findData(b.symbology), 0))
        self.barcode_key.setCurrentText(b.key)
        for spin, value in ((self.bx, b.x_mm), (self.by, b.y_mm), (self.bw, b.width_mm),
                            (self.bh, b.height_mm), (self.module, b.module_mm)):
            spin.setValue(value)
        self.show_text.setChecked(b.show_text)
        self.barcode_align.setCurrentIndex(max(self.barcode_align.findData(b.align), 0))
        self.qr_level.setCurrentIndex(max(self.qr_level.findData(b.error_correction), 0))
        self._loading = False
        self.set_read_only(read_only)
        self.refresh_preview()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for w in (self.name, self.description, self.width_mm, self.height_mm, self.dpi,
                  self.barcode_box, self.add_field_button, self.remove_field_button):
            w.setEnabled(not read_only)
        self.fields.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers if read_only else
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed)
        for r in range(self.fields.rowCount()):
            for c, (_h, _a, kind) in enumerate(FIELD_COLUMNS):
                widget = self.fields.cellWidget(r, c)
                if widget is not None:
                    widget.setEnabled(not read_only)
                item = self.fields.item(r, c)
                if item is not None and kind == "check":
                    flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                    if read_only:
                        flags &= ~Qt.ItemFlag.ItemIsUserCheckable
                    item.setFlags(flags)

    def add_field(self, f: TextField | None = None) -> int:
        """A row for a field (a new one below the others when none is given)."""
        if f is None:
            y = max((x.y_mm + x.height_mm for x in self._fields_as_read()), default=1.0)
            width = max(self.width_mm.value() - 4, 1)
            f = TextField("title", 2, min(y + 0.5, max(self.height_mm.value() - 5, 0)),
                          width, 4.5, size=9, min_size=6)
        loading, self._loading = self._loading, True
        r = self.fields.rowCount()
        self.fields.insertRow(r)
        for c, (_h, attr, kind) in enumerate(FIELD_COLUMNS):
            value = getattr(f, attr)
            if kind in ("fit", "align"):
                combo = QComboBox()
                options = tpl.FITS if kind == "fit" else tpl.ALIGNS
                for option in options:
                    combo.addItem(FIT_WORDS.get(option, option.capitalize()), option)
                combo.setCurrentIndex(max(combo.findData(value), 0))
                combo.currentIndexChanged.connect(lambda _i: self.changed())
                self.fields.setCellWidget(r, c, combo)
                continue
            if kind == "check":
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            else:
                item = QTableWidgetItem(_mm(value) if kind in ("mm", "number") else str(value))
                item.setTextAlignment(RIGHT if kind in ("mm", "number", "int") else LEFT)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, f)  # keeps what the table does not show
            self.fields.setItem(r, c, item)
        self._loading = loading
        self.changed()
        return r

    def remove_field(self) -> None:
        rows = sorted({i.row() for i in self.fields.selectionModel().selectedRows()})
        for r in reversed(rows):
            self.fields.removeRow(r)
        if rows:
            self.changed()

    def set_field(self, row: int, attr: str, value: object) -> None:
        """Type a value into a field's cell, as the person would."""
        c = [a for _h, a, _k in FIELD_COLUMNS].index(attr)
        kind = FIELD_COLUMNS[c][2]
        widget = self.fields.cellWidget(row, c)
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif kind == "check":
            self.fields.item(row, c).setCheckState(
                Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
        else:
            self.fields.item(row, c).setText(str(value))

    # --- reading the form ---------------------------------------------------------------

    def _fields_as_read(self) -> list[TextField]:
        return [f for f in (self._read_row(r, []) for r in range(self.fields.rowCount())) if f]

    def _read_row(self, r: int, problems: list[str]) -> TextField | None:
        values: dict[str, Any] = {}
        base = self.fields.item(r, 0)
        kept = base.data(Qt.ItemDataRole.UserRole) if base is not None else None
        key = base.text().strip() if base is not None else ""
        what = f"Field {r + 1}" + (f" ({key!r})" if key else "")
        ok = True
        for c, (header, attr, kind) in enumerate(FIELD_COLUMNS):
            widget = self.fields.cellWidget(r, c)
            item = self.fields.item(r, c)
            if isinstance(widget, QComboBox):
                values[attr] = widget.currentData()
            elif kind == "check":
                values[attr] = item is not None and item.checkState() == Qt.CheckState.Checked
            else:
                text = item.text().strip() if item is not None else ""
                if kind == "text":
                    values[attr] = text if attr == "key" else (item.text() if item else "")
                    continue
                try:
                    number = float(text.replace(",", "."))
                    if not math.isfinite(number):
                        raise ValueError
                    if kind == "int":
                        if number != int(number):
                            raise ValueError
                        values[attr] = int(number)
                    else:
                        values[attr] = number
                except ValueError:
                    ok = False
                    problems.append(f"{what}: {text or 'nothing'!r} is not "
                                    f"{'a whole number' if kind == 'int' else 'a number'} "
                                    f"for {header}.")
        if not ok:
            return None
        base_field = kept if isinstance(kept, TextField) else TextField("", 0, 0, 1, 1)
        return replace(base_field, **values)

    def read(self) -> tuple[LabelTemplate | None, list[str]]:
        """The template the form describes, and what could not be read from it."""
        problems: list[str] = []
        fields = [self._read_row(r, problems) for r in range(self.fields.rowCount())]
        barcode = None
        if self.barcode_box.isChecked():
            barcode = BarcodeSpec(
                key=self.barcode_key.currentText().strip(),
                symbology=self.symbology.currentData(), x_mm=self.bx.value(),
                y_mm=self.by.value(), width_mm=self.bw.value(), height_mm=self.bh.value(),
                module_mm=self.module.value(), show_text=self.show_text.isChecked(),
                align=self.barcode_align.currentData(),
                error_correction=self.qr_level.currentData())
        if problems:
            return None, problems
        return LabelTemplate(
            name=self.name.text().strip(), width_mm=self.width_mm.value(),
            height_mm=self.height_mm.value(), dpi=int(self.dpi.currentData()),
            fields=tuple(f for f in fields if f is not None), barcode=barcode,
            description=self.description.text().strip()), []

    # --- the preview --------------------------------------------------------------------

    def changed(self) -> None:
        if self._loading:
            return
        self.edited.emit()
        self._timer.start()

    def _sample_edited(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() != 1:
            return
        key = self.sample.item(item.row(), 0).text()
        self.overrides[key] = item.text()
        self._timer.start()

    def reset_sample(self) -> None:
        self.overrides = {}
        self.refresh_preview()

    def sample_data(self, t: LabelTemplate) -> dict[str, str]:
        data = tpl.sample_data(t)
        return {k: self.overrides.get(k, v) for k, v in data.items()}

    def refresh_preview(self) -> None:
        """Read the form, list its problems and draw the label (now, not after the pause)."""
        self._timer.stop()
        t, problems = self.read()
        self.template = t
        self.preview = Preview(None)
        if t is not None:
            problems += list(tpl.template_problems(t)) + key_problems(t)
        if t is not None and not problems:
            width, height = t.size_dots()
            if width * height > MOST_DOTS:
                self.problems = []
                self.preview = Preview(None, "The label is too big to preview.")
                self._show_problems()
                self._show_image()
                self.refreshed.emit()
                return
            data = self.sample_data(t)
            self._fill_sample(data)
            self.preview = render_preview(t, data)
            if self.preview.blocking:
                problems.append(self.preview.problem)
        self.problems = problems
        self._mark_rows()
        self._show_problems()
        self._show_image()
        self.refreshed.emit()

    def _mark_rows(self) -> None:
        """The data key of each field a problem is about, in red."""
        loading, self._loading = self._loading, True
        for r in range(self.fields.rowCount()):
            item = self.fields.item(r, 0)
            if item is None:
                continue
            key = item.text().strip()
            bad = any(p.startswith(f"Field {r + 1}") or (key and f"field {key!r}" in p)
                      for p in self.problems)
            item.setForeground(QBrush(QColor("#b3261e") if bad else self.palette().text().color()))
        self._loading = loading

    def _fill_sample(self, data: dict[str, str]) -> None:
        loading, self._loading = self._loading, True
        self.sample.setRowCount(len(data))
        for r, (key, value) in enumerate(data.items()):
            key_item = QTableWidgetItem(key)
            key_item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.sample.setItem(r, 0, key_item)
            self.sample.setItem(r, 1, QTableWidgetItem(value))
        self._loading = loading

    def _show_problems(self) -> None:
        lines = [f"• {p}" for p in self.problems]
        style = BAD
        if not lines and self.preview.problem:
            lines = [f"With the sample data shown: {self.preview.problem}"]
            style = AMBER
        self.problem_label.setStyleSheet(style)
        self.problem_label.setText("\n".join(lines))
        self.problem_label.setVisible(bool(lines))

    @property
    def can_save(self) -> bool:
        return not self.read_only and self.template is not None and not self.problems

    def _scale(self, width: int, height: int) -> float:
        """Whole steps up when the label fits the view (crisp), else just small enough."""
        chosen = int(self.zoom.currentData() or 0)
        if chosen:
            return chosen
        room = self.scroll.viewport().size()
        fit = min((room.width() - 16) / width, (room.height() - 16) / height)
        return max(1, math.floor(fit)) if fit >= 1 else max(fit, 0.05)

    def _show_image(self) -> None:
        image = self.preview.image
        t = self.template
        if image is None or t is None:
            self.image.setPixmap(QPixmap())
            self.image.setText("No preview: fix the problems below." if self.problems
                               else "No preview with this sample data.")
            self.caption.setText("")
            return
        scale = self._scale(image.width, image.height)
        width, height = round(image.width * scale), round(image.height * scale)
        # Enlarged without smoothing, so dots stay dots; made smaller, dots are averaged
        # (dropping every other one would make thin bars and text vanish).
        how = Qt.TransformationMode.FastTransformation if scale >= 1 else \
            Qt.TransformationMode.SmoothTransformation
        pixmap = QPixmap.fromImage(qimage(image)).scaled(
            width, height, Qt.AspectRatioMode.IgnoreAspectRatio, how)
        if self.show_boxes.isChecked():
            self._draw_boxes(pixmap, t, width / t.width_mm)
        self.image.setText("")
        self.image.setPixmap(pixmap)
        shown = f"{scale:g}x" if scale >= 1 else f"{scale * 100:.0f}%"
        self.caption.setText(f"{image.width} x {image.height} dots at {t.dpi} dpi "
                             f"({t.width_mm:g} x {t.height_mm:g} mm), shown at {shown}")

    def _draw_boxes(self, pixmap: QPixmap, t: LabelTemplate, px_per_mm: float) -> None:
        painter = QPainter(pixmap)
        pen = QPen(BOX_COLOUR)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        boxes = [(f.x_mm, f.y_mm, f.width_mm, f.height_mm) for f in t.fields]
        if t.barcode is not None:
            b = t.barcode
            boxes.append((b.x_mm, b.y_mm, b.width_mm, b.height_mm))
        for x, y, w, h in boxes:
            painter.drawRect(QRectF(x * px_per_mm, y * px_per_mm, w * px_per_mm - 1,
                                    h * px_per_mm - 1))
        painter.end()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._show_image()


class LabelTemplatesDialog(QDialog):
    """The list of templates, and the editor for the one chosen."""

    def __init__(self, backroom: Callable[[], Backroom | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.infos: tuple[TemplateInfo, ...] = ()
        self.key: str | None = None  # the template being edited (None: new, not saved yet)
        self.builtin = False
        self.dirty = False
        self.setWindowTitle("Label templates")
        self.resize(1360, 860)

        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        self.list.setSpacing(3)
        self.list.currentRowChanged.connect(self._chosen)
        self.new_button = QPushButton("New")
        self.new_button.clicked.connect(self.new)
        self.copy_button = QPushButton("Copy to edit")
        self.copy_button.setToolTip("Make a template of your own from this one")
        self.copy_button.clicked.connect(self.copy)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete)
        list_buttons = QHBoxLayout()
        for b in (self.new_button, self.copy_button, self.delete_button):
            list_buttons.addWidget(b)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.list, 1)
        side_layout.addLayout(list_buttons)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.editor = TemplateEditor()
        self.editor.edited.connect(self._edited)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Undo changes")
        self.revert_button.clicked.connect(self.revert)
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet("color: #1e7a34;")
        edit_buttons = QHBoxLayout()
        edit_buttons.addWidget(self.saved_label, 1)
        edit_buttons.addWidget(self.revert_button)
        edit_buttons.addWidget(self.save_button)
        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.heading)
        main_layout.addWidget(self.editor, 1)
        main_layout.addLayout(edit_buttons)

        split = QSplitter()
        split.addWidget(side)
        split.addWidget(main)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 1080])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(close)
        self.editor.refreshed.connect(self._update_buttons)
        self.reload()

    # --- the list -----------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        self.infos = printers.template_list(backroom)
        self.list.blockSignals(True)
        self.list.clear()
        for info in self.infos:
            item = QListWidgetItem(f"{info.name}\n{info.width_mm:g} x {info.height_mm:g} mm · "
                                   f"{'built in' if info.builtin else 'yours'}")
            item.setToolTip(info.description)
            self.list.addItem(item)
        self.list.blockSignals(False)
        keys = [i.key for i in self.infos]
        target = select if select is not None else self.key
        row = keys.index(target) if target in keys else (0 if keys else -1)
        self.list.setCurrentRow(row)
        if row >= 0:
            self.open(keys[row])

    def info(self, key: str | None) -> TemplateInfo | None:
        return next((i for i in self.infos if i.key == key), None)

    def _chosen(self, row: int) -> None:
        if row < 0 or row >= len(self.infos) or self.infos[row].key == self.key:
            return  # (the row past the saved ones is the new template being edited)
        if self.dirty and not confirm_discard(self, self.editor.name.text()):
            self.list.blockSignals(True)
            keys = [i.key for i in self.infos]
            self.list.setCurrentRow(keys.index(self.key) if self.key in keys else -1)
            self.list.blockSignals(False)
            return
        self.open(self.infos[row].key)

    def open(self, key: str) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        try:
            template = printers.label_template(backroom, key)
        except DomainError as exc:
            QMessageBox.information(self, "Label templates", str(exc))
            return
        info = self.info(key)
        self.key, self.builtin = key, bool(info and info.builtin)
        while self.list.count() > len(self.infos):  # the new template was given up
            self.list.takeItem(self.list.count() - 1)
        self.editor.load(template, read_only=self.builtin)
        self.dirty = False
        self.saved_label.clear()
        self._update_buttons()

    def select(self, key: str) -> None:
        keys = [i.key for i in self.infos]
        if key in keys:
            self.list.setCurrentRow(keys.index(key))

    # --- editing ------------------------------------------------------------------------

    def _edited(self) -> None:
        self.dirty = True
        self.saved_label.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        editing_new = self.key is None
        self.copy_button.setEnabled(self.editor.template is not None or self.key is not None)
        self.delete_button.setEnabled(not self.builtin and not editing_new)
        self.save_button.setEnabled(self.editor.can_save and (self.dirty or editing_new))
        self.revert_button.setEnabled(self.dirty and not editing_new)
        name = self.editor.name.text() or "New template"
        if self.builtin:
            text = (f"<b>{name}</b> comes with Backroom and cannot be changed: "
                    "<b>Copy to edit</b> makes one of your own.")
        elif editing_new:
            text = f"<b>{name}</b> — new, not saved yet."
            if self.list.count() > len(self.infos):
                self.list.item(self.list.count() - 1).setText(f"{name}\nnew, not saved yet")
        else:
            text = f"<b>{name}</b> — yours" + (", changed (not saved)" if self.dirty else "")
        self.heading.setText(text)

    def _unique_name(self, base: str, copy: bool = True) -> str:
        """A name no template has yet: 'X (copy)', 'X (copy 2)'... or 'My label 2'."""
        taken = {printers.template_key(i.name) for i in self.infos} | {i.key for i in
                                                                       self.infos}
        names = [f"{base} (copy)", *(f"{base} (copy {n})" for n in range(2, 100))] if copy \
            else [base, *(f"{base} {n}" for n in range(2, 100))]
        return next((n for n in names if printers.template_key(n) not in taken), names[0])

    def _start_new(self, template: LabelTemplate) -> None:
        if self.dirty and not confirm_discard(self, self.editor.name.text()):
            return
        self.key, self.builtin = None, False
        self.list.blockSignals(True)
        while self.list.count() > len(self.infos):
            self.list.takeItem(self.list.count() - 1)
        self.list.addItem(QListWidgetItem())
        self.list.setCurrentRow(self.list.count() - 1)
        self.list.blockSignals(False)
        self.editor.load(template, read_only=False)
        self.dirty = True
        self.saved_label.clear()
        self._update_buttons()

    def new(self) -> None:
        base = LabelTemplate(self._unique_name("My label", copy=False), 50, 25,
                             fields=(TextField("sku", 2, 2, 46, 5, size=10, min_size=6,
                                               bold=True),
                                     TextField("title", 2, 8, 46, 8, size=8, min_size=5,
                                               max_lines=2, fit="wrap")))
        self._start_new(base)

    def copy(self) -> None:
        t, _problems = self.editor.read()
        if t is None:
            return
        self._start_new(replace(t, name=self._unique_name(t.name)))

    def revert(self) -> None:
        if self.key is not None:
            self.open(self.key)

    def save(self) -> str | None:
        """Save the template being edited; refused (and the problems shown) while it has any."""
        backroom = self._backroom()
        self.editor.refresh_preview()
        if backroom is None or self.builtin or self.editor.template is None:
            return None
        if self.editor.problems:
            self.editor.problem_label.setText(
                "Not saved: fix these first.\n" + self.editor.problem_label.text())
            self.save_button.setEnabled(False)
            return None
        try:
            key = printers.save_template(backroom, self.editor.template, self.key)
        except DomainError as exc:
            self.editor.problem_label.setStyleSheet(BAD)
            self.editor.problem_label.setText(f"Not saved: {exc}")
            self.editor.problem_label.show()
            return None
        self.dirty = False
        self.key = key
        self.reload(select=key)
        self.saved_label.setText("Saved.")
        return key

    def delete(self) -> bool:
        backroom = self._backroom()
        if backroom is None or self.key is None or self.builtin:
            return False
        name = self.editor.name.text()
        if QMessageBox.question(
                self, "Delete template", f"Delete {name}? What printed with it goes back to "
                "the built-in template.") != QMessageBox.StandardButton.Yes:
            return False
        try:
            printers.remove_template(backroom, self.key)
        except DomainError as exc:
            QMessageBox.information(self, "Not deleted", str(exc))
            return False
        self.key, self.dirty = None, False
        self.reload()
        return True

    def reject(self) -> None:
        if self.dirty and self.isVisible() and not confirm_discard(self,
                                                                   self.editor.name.text()):
            return
        self.dirty = False
        super().reject()
