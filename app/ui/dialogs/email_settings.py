"""Settings > E-mail: the mail server Backroom sends through, and a test send.

The password goes to the system keyring when saved; it is never shown again, and an empty
password field keeps the one already kept.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.services import notifications
from app.services.context import Backroom
from app.services.notifications import SmtpSettings
from app.ui.ops import JobContext, Ops
from app.ui.styles import BAD, GOOD, MUTED


class EmailSettingsDialog(QDialog):
    saved = Signal()

    def __init__(self, backroom: Callable[[], Backroom | None], ops: Ops,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self._ops = ops
        self.setWindowTitle("E-mail")
        self.setMinimumWidth(600)
        self.test_job = None

        self.host = QLineEdit(placeholderText="smtp.example.com")
        self.port = QSpinBox(minimum=1, maximum=65535, value=587)
        self.starttls = QCheckBox("Encrypt with STARTTLS", checked=True)
        self.starttls.setToolTip("Leave on unless the mail server is on your own network")
        self.username = QLineEdit(placeholderText="often your e-mail address")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.from_address = QLineEdit(placeholderText="workshop@example.com")
        self.owner_address = QLineEdit(placeholderText="the sender address")
        self.keyring_note = QLabel(wordWrap=True)
        self.keyring_note.setStyleSheet(MUTED)

        form = QFormLayout()
        form.addRow("Mail server", self.host)
        form.addRow("Port", self.port)
        form.addRow("", self.starttls)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        form.addRow("", self.keyring_note)
        form.addRow("Send from", self.from_address)
        form.addRow("Your notices go to", self.owner_address)

        self.test_to = QLineEdit(placeholderText="the address for your notices")
        self.test_button = QPushButton("Send test e-mail")
        self.test_button.clicked.connect(self.send_test)
        test_row = QHBoxLayout()
        test_row.addWidget(QLabel("Send a test to"))
        test_row.addWidget(self.test_to, 1)
        test_row.addWidget(self.test_button)

        self.result = QLabel(wordWrap=True)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(BAD)
        self.problem.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addLayout(test_row)
        layout.addWidget(self.result)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._load()
        self.username.editingFinished.connect(self._show_keyring_state)

    def _load(self) -> None:
        backroom = self._backroom()
        current = backroom.read(notifications.smtp_settings) if backroom else None
        if current is not None:
            self.host.setText(current.host)
            self.port.setValue(current.port)
            self.starttls.setChecked(current.starttls)
            self.username.setText(current.username)
            self.from_address.setText(current.from_address)
            self.owner_address.setText(current.owner_address)
        self._show_keyring_state()

    def _show_keyring_state(self) -> None:
        keep = ("The password is kept in this computer's keyring, never in the Backroom "
                "database.")
        try:
            stored = notifications.password_stored(self.username.text().strip())
        except DomainError as exc:
            self.keyring_note.setText(str(exc))
            self.keyring_note.setStyleSheet(BAD)
            self.password.setPlaceholderText("")
            return
        self.password.setPlaceholderText(
            "kept in the keyring — type only to change it" if stored else "")
        self.keyring_note.setText(keep)

    def settings(self) -> SmtpSettings:
        return SmtpSettings(host=self.host.text(), port=self.port.value(),
                            starttls=self.starttls.isChecked(),
                            username=self.username.text(),
                            from_address=self.from_address.text(),
                            owner_address=self.owner_address.text())

    def _say_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def save(self) -> bool:
        backroom = self._backroom()
        if backroom is None:
            return False
        try:
            backroom.act(notifications.save_smtp_settings, self.settings(),
                         self.password.text() or None)
        except DomainError as exc:
            self._say_problem(str(exc))
            return False
        self._say_problem("")
        self.password.clear()
        self.saved.emit()
        self.accept()
        return True

    def send_test(self) -> None:
        """Send with what the form says now (saved or not), off the GUI thread."""
        settings = self.settings()
        password = self.password.text() or None
        to = self.test_to.text().strip() or settings.owner_address.strip() \
            or settings.from_address.strip()

        def work(_ctx: JobContext) -> str:
            return notifications.send_test_email(settings, password, to)

        self.test_button.setEnabled(False)
        self.result.setStyleSheet(MUTED)
        self.result.setText(f"Sending a test to {to}…")
        self.test_job = self._ops.run("Sending a test e-mail", work,
                                      on_finished=self._tested, on_failed=self._test_failed)

    def _tested(self, said: str) -> None:
        self.test_button.setEnabled(True)
        self.result.setStyleSheet(GOOD)
        self.result.setText(said + " Check that it arrived.")

    def _test_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self.result.setStyleSheet(BAD)
        self.result.setText(message)
