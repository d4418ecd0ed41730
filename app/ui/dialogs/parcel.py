"""Asks how orders left: the carrier and (for one parcel) its tracking number, which the
channel is told so the customer can follow it."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget


class ParcelDialog(QDialog):
    def __init__(self, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Mark shipped")
        self.carrier = QLineEdit(placeholderText="Royal Mail, DPD, Evri, UPS…")
        self.tracking = QLineEdit(placeholderText="Leave empty if untracked")
        form = QFormLayout(self)
        if count > 1:
            form.addRow(QLabel(f"{count:,} orders leave with the same carrier; each gets its "
                               "own tracking number in its order if it has one.",
                               wordWrap=True))
        form.addRow("Carrier", self.carrier)
        if count == 1:
            form.addRow("Tracking number", self.tracking)
        form.addRow(QLabel("Their channels are told at the next sync (or in the upload file "
                           "for channels read from report files).", wordWrap=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Mark shipped")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str]:
        return self.carrier.text().strip(), self.tracking.text().strip()


def ask_parcel(parent: QWidget, count: int) -> tuple[str, str] | None:
    """Carrier and tracking number of the parcel(s), told to the channel; None: cancel."""
    dialog = ParcelDialog(count, parent)
    return dialog.values() if dialog.exec() else None
