"""File > Export shipments…: the upload file that tells a report-file channel (Amazon, eBay,
Etsy…) which orders left and how, for the seller to upload on the channel's site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.domain.errors import DomainError
from app.services import channels, shipments
from app.services.context import Backroom


class ExportShipmentsDialog(QDialog):
    """`changesMade(Changes)` after a file was written."""

    changesMade = Signal(object)

    def __init__(self, backroom: Callable[[], Backroom], folder: Path,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._backroom = backroom
        self.written: Path | None = None
        self.setWindowTitle("Export shipments for a channel")
        self.channel = QComboBox()
        b = backroom()
        for view in b.read(channels.channel_list):
            if view.api:
                continue  # told by the sync itself
            waiting = b.read(shipments.unconfirmed_count, view.id)
            self.channel.addItem(f"{view.name} — {waiting:,} shipment"
                                 f"{'s' if waiting != 1 else ''} to tell", view.id)
        self.folder = QLineEdit(str(folder))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("Channel", self.channel)
        form.addRow("Save in", row)
        form.addRow(QLabel("Upload the file on the channel's site (Amazon: Orders > Upload "
                           "order files; eBay: Seller Hub > Reports > Uploads). The "
                           "shipments in it count as told.", wordWrap=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(self.channel.count() > 0)
        if not self.channel.count():
            form.addRow(QLabel("No channel is read from report files: API channels are "
                               "told of shipments at each sync."))
        form.addRow(buttons)

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Save the upload file in",
                                                  self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def export(self) -> bool:
        try:
            done = self._backroom().act(shipments.export_shipments,
                                        self.channel.currentData(), Path(self.folder.text()))
        except DomainError as exc:
            QMessageBox.warning(self, "Nothing was exported", str(exc))
            return False
        self.written = done.path
        QMessageBox.information(self, "Shipments exported",
                                f"{done.shipments:,} shipment{'s' if done.shipments != 1 else ''}"
                                f" written to\n{done.path}")
        from app.domain.changes import Changes

        self.changesMade.emit(Changes(orders=True))
        self.accept()
        return True
