"""Add a supplier or change one: contact, categories with weights, capacity, lead time,
notes and references. Nothing is saved until every field is right; problems show here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.services import suppliers
from app.services.context import Backroom
from app.services.suppliers import SupplierForm

WEIGHT_MAX = 100
CAPACITY_MAX = 100_000


class SupplierEditor(QDialog):
    """`supplier_id` None adds a supplier; after Save, `changes` says what changed."""

    def __init__(self, backroom: Callable[[], Backroom], supplier_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom, self.supplier_id = backroom, supplier_id
        self.changes: Changes | None = None
        options = backroom().read(suppliers.category_options)
        current = (backroom().read(suppliers.supplier_form, supplier_id)
                   if supplier_id is not None else SupplierForm(name=""))
        self.setWindowTitle("Add supplier" if supplier_id is None
                            else f"Edit supplier — {current.name}")
        self.name = QLineEdit(current.name, maxLength=suppliers.NAME_MAX)
        self.name.setMinimumWidth(440)
        self.email = QLineEdit(current.email, maxLength=suppliers.EMAIL_MAX,
                               placeholderText="orders@maker.example")
        self.phone = QLineEdit(current.phone, maxLength=suppliers.PHONE_MAX)
        self.categories = self._category_table(options, dict(current.categories))
        self.capacity = QSpinBox(minimum=0, maximum=CAPACITY_MAX, suffix=" open tasks")
        self.capacity.setSpecialValueText("No limit")
        self.capacity.setValue(current.capacity or 0)
        self.capacity.setToolTip("The most open tasks this supplier takes at once; at the "
                                 "limit, new work goes to another supplier.")
        self.lead_time = QSpinBox(minimum=0, maximum=suppliers.LEAD_TIME_MAX, suffix=" days")
        self.lead_time.setValue(current.lead_time_days)
        self.lead_time.setToolTip("How long a task usually takes them; sets its due date.")
        self.notes = QPlainTextEdit(current.notes)
        self.references = QPlainTextEdit(
            current.references,
            placeholderText="Samples, testimonials, visits: what you checked before "
                            "trusting them with work")
        for box in (self.notes, self.references):
            box.setTabChangesFocus(True)
            box.setFixedHeight(64)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("E-mail", self.email)
        form.addRow("Phone", self.phone)
        form.addRow("Categories", self.categories)
        form.addRow("", _hint("Tick what they make. The weight sets their share of a "
                              "category's work when it is shared by weight."))
        form.addRow("Capacity", self.capacity)
        form.addRow("Lead time", self.lead_time)
        form.addRow("Notes", self.notes)
        form.addRow("References", self.references)

        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #b3261e; padding: 4px 0;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows for problems
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _category_table(self, options: tuple[suppliers.CategoryOption, ...],
                        chosen: dict[int, int]) -> QTableWidget:
        table = QTableWidget(len(options), 2)
        table.setHorizontalHeaderLabels(["Category", "Weight"])
        table.verticalHeader().setVisible(False)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 90)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        table.model().setHeaderData(1, Qt.Orientation.Horizontal,
                                    int(Qt.AlignmentFlag.AlignRight
                                        | Qt.AlignmentFlag.AlignVCenter),
                                    Qt.ItemDataRole.TextAlignmentRole)
        self.category_rows: dict[int, tuple[QTableWidgetItem, QSpinBox]] = {}
        for row, option in enumerate(options):
            item = QTableWidgetItem(option.name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if option.id in chosen
                               else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, option.id)
            weight = QSpinBox(minimum=1, maximum=WEIGHT_MAX)
            weight.setAlignment(Qt.AlignmentFlag.AlignRight)
            weight.setValue(max(1, chosen.get(option.id, 1)))
            weight.setEnabled(option.id in chosen)
            weight.setAccessibleName(f"Weight for {option.name}")
            table.setItem(row, 0, item)
            table.setCellWidget(row, 1, weight)
            self.category_rows[option.id] = (item, weight)
        table.itemChanged.connect(self._ticked)
        table.verticalHeader().setDefaultSectionSize(28)
        shown = min(max(len(options), 3), 6)
        table.setFixedHeight(header.sizeHint().height() + 28 * shown + 2 * table.frameWidth())
        return table

    def _ticked(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            _item, weight = self.category_rows[item.data(Qt.ItemDataRole.UserRole)]
            weight.setEnabled(item.checkState() == Qt.CheckState.Checked)

    def choose(self, category_id: int, weight: int | None = 1) -> None:
        """Tick a category with a weight, or untick it (weight None)."""
        item, spin = self.category_rows[category_id]
        item.setCheckState(Qt.CheckState.Unchecked if weight is None
                           else Qt.CheckState.Checked)
        if weight is not None:
            spin.setValue(weight)

    def form(self) -> SupplierForm:
        chosen = tuple((cid, spin.value()) for cid, (item, spin) in self.category_rows.items()
                       if item.checkState() == Qt.CheckState.Checked)
        return SupplierForm(
            name=self.name.text(), email=self.email.text(), phone=self.phone.text(),
            categories=chosen, capacity=self.capacity.value() or None,
            lead_time_days=self.lead_time.value(), notes=self.notes.toPlainText(),
            references=self.references.toPlainText())

    def save(self) -> None:
        try:
            self.changes = self._backroom().act(suppliers.save_supplier, self.supplier_id,
                                                self.form())
        except DomainError as exc:
            self.error.setText(str(exc))
            self.error.show()
            self._fit_height()
            return
        self.accept()


    def _fit_height(self) -> None:
        """Grow to show the problems whole (wrapped labels need their height for the width)."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() \
            else layout.totalSizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)


def _hint(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet("color: #6b6b6b;")
    return label
