"""Settings > Supplier tasks: the task SKU pattern (checked and previewed as you type), the
rule that sends new orders to suppliers at once, and how each category picks its supplier."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import task_sku
from app.domain.errors import DomainError
from app.services import settings
from app.services.context import Backroom
from app.ui.styles import BAD as RED
from app.ui.styles import GOOD as GREEN
from app.ui.styles import MUTED


class TaskSettingsDialog(QDialog):
    """`changesMade(Changes)` once the settings are saved."""

    changesMade = Signal(object)

    def __init__(self, backroom: Callable[[], Backroom], parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Supplier task settings")
        self.setMinimumSize(760, 700)
        current = backroom().read(settings.task_settings)
        self.saved = current

        self.pattern = QLineEdit(current.pattern)
        self.pattern.setAccessibleName("Task SKU pattern")
        self.pattern.textChanged.connect(self._check)
        self.preview = QLabel()
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QLabel(wordWrap=True)
        self.problems.setStyleSheet(RED)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tokens = QLabel(_token_table(), wordWrap=True)
        tokens.setStyleSheet(MUTED)
        sku = QGroupBox("Task SKU")
        sku_form = QFormLayout(sku)
        sku_form.addRow("Pattern", self.pattern)
        sku_form.addRow("Example", self.preview)
        sku_form.addRow("", self.problems)
        sku_form.addRow("Tokens", tokens)
        sku_form.addRow("", _muted(f"The original template's form is {task_sku.TEMPLATE_PATTERN}"
                                   " (SKU and eight random digits)."))

        self.auto = QCheckBox("Send new orders with something to make to their suppliers "
                              "as soon as they arrive")
        self.auto.setChecked(current.auto_purchasing)

        self.strategies = QTableWidget(len(current.categories), 2)
        self.strategies.setHorizontalHeaderLabels(["Category", "How its supplier is chosen"])
        self.strategies.verticalHeader().setVisible(False)
        self.strategies.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.strategies.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.strategies.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.strategy_boxes: dict[int, QComboBox] = {}
        for row, category in enumerate(current.categories):
            self.strategies.setItem(row, 0, QTableWidgetItem(category.name))
            box = QComboBox()
            for value, words in current.strategy_labels:
                box.addItem(words, value)
            box.setCurrentIndex(box.findData(category.strategy))
            box.setAccessibleName(f"Strategy for {category.name}")
            self.strategies.setCellWidget(row, 1, box)
            self.strategy_boxes[category.id] = box
        self.strategies.resizeColumnToContents(0)
        choosing = QGroupBox("Choosing suppliers")
        choosing_layout = QVBoxLayout(choosing)
        choosing_layout.addWidget(self.strategies)
        choosing_layout.addWidget(_muted(
            "Weights are set per supplier and category in the supplier's details. Paused "
            "suppliers and those at capacity are always skipped."))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(sku)
        layout.addWidget(self.auto)
        layout.addWidget(choosing, 1)
        layout.addWidget(buttons)
        self._check()

    def _check(self) -> None:
        """Preview the pattern as it is typed; Save stays off while it cannot be used."""
        shown = settings.task_sku_preview(self.pattern.text().strip())
        if shown.ok:
            self.preview.setText(f"<b>{shown.example}</b>")
            self.preview.setStyleSheet(GREEN)
            self.problems.setText("")
        else:
            self.preview.setText("—")
            self.preview.setStyleSheet(MUTED)
            self.problems.setText("\n".join(shown.problems))
        self.problems.setVisible(not shown.ok)
        self.save_button.setEnabled(shown.ok)

    def save(self) -> None:
        strategies = {cid: box.currentData() for cid, box in self.strategy_boxes.items()}
        try:
            changes = self._backroom().act(settings.save_task_settings,
                                           self.pattern.text(), self.auto.isChecked(),
                                           strategies)
        except DomainError as exc:
            QMessageBox.warning(self, "Settings not saved", str(exc))
            return
        self.changesMade.emit(changes)
        self.accept()


def _token_table() -> str:
    """The pattern's tokens and what each becomes, two to a row."""
    cells = [f"<td><code>{t}</code></td><td>{w}</td>" for t, w in task_sku.TOKENS.items()]
    rows = ["<tr>" + "<td width=16></td>".join(cells[i:i + 2]) + "</tr>"
            for i in range(0, len(cells), 2)]
    return "<table cellspacing=2>" + "".join(rows) + "</table>"


def _muted(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet(MUTED)
    return label
