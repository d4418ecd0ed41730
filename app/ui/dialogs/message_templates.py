"""Settings > Message templates: the owner's wording of each notice, with a live preview.

Every keystroke is checked: an unknown placeholder or a stray brace is named at once, the
preview shows the message filled with sample values, and Save stays off until it is right.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.services import notifications
from app.services.context import Backroom
from app.services.notifications import TemplateView
from app.ui.styles import BAD, GOOD, MUTED

AUDIENCE = {"supplier": "Sent to the supplier the task is assigned to.",
            "owner": "Sent to you (in the notification list, and by e-mail once it is set up)."}


class TemplatesDialog(QDialog):
    def __init__(self, backroom: Callable[[], Backroom | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Message templates")
        self.resize(900, 620)
        self.view: TemplateView | None = None

        self.kind = QComboBox()
        for name, title in notifications.template_kinds():
            self.kind.addItem(title, name)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.audience = QLabel()
        self.audience.setStyleSheet(MUTED)

        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)
        self.placeholders = QListWidget()
        self.placeholders.setWordWrap(True)
        self.placeholders.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.placeholders.setToolTip("Double-click to put a placeholder where the cursor is")
        self.placeholders.itemDoubleClicked.connect(self._insert)
        self._last_editor: QWidget = self.body
        self.subject.textEdited.connect(lambda _t: self._edited(self.subject))
        self.body.textChanged.connect(lambda: self._edited(self.body))

        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(BAD)
        self.preview = QPlainTextEdit(readOnly=True)

        edit = QWidget()
        edit_form = QFormLayout(edit)
        edit_form.setContentsMargins(0, 0, 0, 0)
        edit_form.addRow("Subject", self.subject)
        edit_form.addRow("Body", self.body)
        side = QGroupBox("Placeholders")
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.placeholders)
        top = QSplitter()
        top.addWidget(edit)
        top.addWidget(side)
        top.setSizes([580, 300])
        shown = QGroupBox("Preview with sample values")
        shown_layout = QVBoxLayout(shown)
        shown_layout.addWidget(self.preview)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(shown)
        split.setSizes([360, 200])

        self.restore_button = QPushButton("Restore built-in text")
        self.restore_button.clicked.connect(self.restore_builtin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.close)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)

        head = QHBoxLayout()
        head.addWidget(QLabel("Message"))
        head.addWidget(self.kind)
        head.addWidget(self.audience, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._shown_index = 0
        self._load(self.kind.currentData())

    # --- loading ------------------------------------------------------------------------

    @property
    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def _load(self, kind: str) -> None:
        backroom = self._backroom()
        if backroom is None:
            return
        self.view = backroom.read(notifications.template_view, kind)
        self.audience.setText(AUDIENCE.get(self.view.audience, "") + (
            " You have changed its wording." if self.view.edited else ""))
        self.placeholders.clear()
        for name, meaning in self.view.placeholders:
            item = QListWidgetItem(f"{{{name}}} — {meaning}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.placeholders.addItem(item)
        self._set_text(self.view.subject, self.view.body)

    def _set_text(self, subject: str, body: str) -> None:
        self.subject.blockSignals(True)
        self.body.blockSignals(True)
        self.subject.setText(subject)
        self.body.setPlainText(body)
        self.subject.blockSignals(False)
        self.body.blockSignals(False)
        self.check()

    @property
    def dirty(self) -> bool:
        return self.view is not None and (self.subject.text(), self.body.toPlainText()) != (
            self.view.subject, self.view.body)

    def _kind_chosen(self, index: int) -> None:
        if index == self._shown_index:
            return
        if self.dirty:
            previous = self.kind.itemText(self._shown_index)
            answer = QMessageBox.question(
                self, "Unsaved changes", f"Save your changes to “{previous}” first?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self._save_kind(
                        str(self.kind.itemData(self._shown_index)))):
                self.kind.blockSignals(True)
                self.kind.setCurrentIndex(self._shown_index)
                self.kind.blockSignals(False)
                return
        self._shown_index = index
        self._load(self.current_kind)

    # --- editing ------------------------------------------------------------------------

    def _edited(self, editor: QWidget) -> None:
        self._last_editor = editor
        self.check()

    def _insert(self, item: QListWidgetItem) -> None:
        text = "{" + str(item.data(Qt.ItemDataRole.UserRole)) + "}"
        if self._last_editor is self.subject:
            self.subject.insert(text)
            self.subject.setFocus()
        else:
            self.body.insertPlainText(text)
            self.body.setFocus()

    def check(self) -> tuple[str, ...]:
        """Validate what is typed and refresh the preview; returns the problems."""
        result = notifications.check_template(self.current_kind, self.subject.text(),
                                              self.body.toPlainText())
        self.problem.setStyleSheet(BAD)
        if result.problems:
            self.problem.setText("\n".join(result.problems))
            self.preview.setPlainText("")
            self.preview.setPlaceholderText("The preview shows once the problems above "
                                            "are fixed.")
        else:
            self.problem.setText("")
            self.preview.setPlainText(f"Subject: {result.subject}\n\n{result.body}")
        self.save_button.setEnabled(not result.problems and self.dirty)
        builtin = self.view and (self.subject.text(), self.body.toPlainText()) == (
            self.view.builtin_subject, self.view.builtin_body)
        self.restore_button.setEnabled(not builtin)
        return result.problems

    def restore_builtin(self) -> None:
        if self.view is not None:
            self.subject.setText(self.view.builtin_subject)
            self.body.setPlainText(self.view.builtin_body)
            self.check()

    # --- saving -------------------------------------------------------------------------

    def _save_kind(self, kind: str) -> bool:
        backroom = self._backroom()
        if backroom is None:
            return False
        try:
            backroom.act(notifications.save_template, kind, self.subject.text(),
                         self.body.toPlainText())
        except DomainError as exc:
            self.problem.setText(str(exc))
            return False
        return True

    def save(self) -> bool:
        """Keep the wording shown; refused (and said why) if it would not work."""
        if not self._save_kind(self.current_kind):
            return False
        self._load(self.current_kind)
        self.problem.setStyleSheet(GOOD)
        self.problem.setText("Saved. New notices use this wording.")
        return True
