"""Users (owner only): who may sign in, as what, and whether Backroom asks at all."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import Role
from app.domain.errors import DomainError
from app.services import users
from app.services.context import Backroom

ROLE_WORDS = {Role.OWNER: "Owner", Role.STAFF: "Staff", Role.SUPPLIER: "Supplier"}


class NewUserDialog(QDialog):
    """A staff member or a supplier's login; problems are listed before anything is saved."""

    def __init__(self, backroom: Backroom, parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Add a user")
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.role = QComboBox()
        for role in (Role.STAFF, Role.SUPPLIER, Role.OWNER):
            self.role.addItem(ROLE_WORDS[role], role)
        self.supplier = QComboBox()
        for choice in backroom.read(users.supplier_choices, backroom.viewer):
            self.supplier.addItem(choice.name, choice.id)
        self.role.currentIndexChanged.connect(self._role_changed)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.hide()
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Name", self.display_name)
        form.addRow("Role", self.role)
        form.addRow("Supplier", self.supplier)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Staff run orders, stock, suppliers and picking but see no "
                                "finance and cannot manage users. A supplier signs in to "
                                "“My tasks”: only its own tasks, with the ship-to address "
                                "and nothing else of the shop.", wordWrap=True))
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._role_changed()

    def chosen_role(self) -> Role:
        return Role(self.role.currentData())  # Qt hands the enum back as a plain str

    def _role_changed(self) -> None:
        self.supplier.setEnabled(self.chosen_role() is Role.SUPPLIER)

    def save(self) -> None:
        role = self.chosen_role()
        try:
            self._backroom.act(
                users.add_user, self._backroom.viewer, username=self.username.text(),
                display_name=self.display_name.text(), role=role,
                password=self.password.text(), again=self.again.text(),
                supplier_id=self.supplier.currentData() if role is Role.SUPPLIER else None)
        except DomainError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.accept()


class UsersDialog(QDialog):
    changed = Signal()

    def __init__(self, backroom: Backroom, parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.setWindowTitle("Users")
        self.setMinimumSize(680, 420)
        self.ask = QCheckBox("Ask for a user name and password when Backroom starts")
        self.ask.setChecked(backroom.read(users.login_required))
        self.ask.toggled.connect(self._ask_toggled)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["User name", "Name", "Role", "Supplier", "Status"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton("Add user…")
        self.add_button.clicked.connect(self.add_user)
        self.password_button = QPushButton("Set password…")
        self.password_button.clicked.connect(self.set_password)
        self.active_button = QPushButton("Switch off")
        self.active_button.clicked.connect(self.toggle_active)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.password_button, self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.ask)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.reload()

    def reload(self) -> None:
        self.rows = self._backroom.read(users.user_list, self._backroom.viewer)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            values = [row.username, row.display_name, ROLE_WORDS[row.role], row.supplier,
                      "Active" if row.active else "Switched off"]
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._selection_changed()

    def selected(self) -> users.UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        row = self.selected()
        self.password_button.setEnabled(row is not None)
        self.active_button.setEnabled(row is not None
                                      and row.id != self._backroom.viewer.user_id)
        self.active_button.setText("Switch on" if row and not row.active else "Switch off")

    def _warn(self, exc: DomainError) -> None:
        QMessageBox.warning(self, "Not changed", str(exc))

    def _ask_toggled(self, on: bool) -> None:
        try:
            self._backroom.act(users.set_login_required, self._backroom.viewer, on)
        except DomainError as exc:
            self.ask.blockSignals(True)
            self.ask.setChecked(not on)
            self.ask.blockSignals(False)
            self._warn(exc)

    def add_user(self) -> None:
        if NewUserDialog(self._backroom, self).exec():
            self.reload()
            self.changed.emit()

    def set_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = PasswordDialog(row.display_name, self)
        if not dialog.exec():
            return
        try:
            self._backroom.act(users.set_password, self._backroom.viewer, row.id,
                               dialog.password.text(), dialog.again.text())
        except DomainError as exc:
            self._warn(exc)
            return
        self.reload()

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            self._backroom.act(users.set_active, self._backroom.viewer, row.id, not row.active)
        except DomainError as exc:
            self._warn(exc)
            return
        self.reload()


class PasswordDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"New password for {name}")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(360)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
