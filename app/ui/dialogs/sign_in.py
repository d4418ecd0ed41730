"""Who is working: the first-run owner set-up, and signing in when log-in is on."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import Viewer
from app.domain.errors import DomainError
from app.services import users
from app.services.context import Backroom


def _problem_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setStyleSheet("color: #b3261e;")
    label.hide()
    return label


class SignInDialog(QDialog):
    """User name and password; a wrong pair says so and lets you try again."""

    def __init__(self, backroom: Backroom, parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.viewer: Viewer | None = None
        self.setWindowTitle("Sign in to Backroom")
        self.username = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.problem = _problem_label()
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)

    def sign_in(self) -> None:
        try:
            self.viewer = self._backroom.read(users.log_in, self.username.text(),
                                              self.password.text())
        except DomainError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()


class FirstRunDialog(QDialog):
    """The owner's account, made once; a one-person shop may skip the password."""

    def __init__(self, backroom: Backroom, parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.viewer: Viewer | None = None
        self.setWindowTitle("Welcome to Backroom")
        intro = QLabel("Set up the owner of this workshop: the person who sees the money, "
                       "manages suppliers and can add other users later.", wordWrap=True)
        self.username = QLineEdit(backroom.actor)
        self.display_name = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.ask = QCheckBox("Ask for this password when Backroom starts", checked=True)
        self.ask.toggled.connect(self._ask_toggled)
        self.problem = _problem_label()
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Your name", self.display_name)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Set up")
        buttons.accepted.connect(self.set_up)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.ask)
        layout.addWidget(QLabel("Working alone on this computer? Untick it and Backroom "
                                "opens without asking.", wordWrap=True))
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def _ask_toggled(self, on: bool) -> None:
        for box in (self.password, self.again):
            box.setEnabled(on)

    def set_up(self) -> None:
        ask = self.ask.isChecked()
        try:
            self.viewer = users.create_owner(
                self._backroom.uow(), self.username.text(), self.display_name.text(),
                self.password.text() if ask else "", self.again.text() if ask else "",
                ask_password=ask)
        except DomainError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.accept()


def who_is_working(backroom: Backroom, parent: QWidget | None = None) -> Viewer | None:
    """Set up the owner, ask for a sign-in, or take the owner when log-in is off.

    None when the person closed the dialog instead.
    """
    state = backroom.read(users.opening)
    if state.needs_owner:
        dialog: FirstRunDialog | SignInDialog = FirstRunDialog(backroom, parent)
    elif state.login_required or state.owner is None:
        dialog = SignInDialog(backroom, parent)
    else:
        return state.owner
    return dialog.viewer if dialog.exec() else None
