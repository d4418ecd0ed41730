"""File > Import orders…: preview first, then import in the background; a refused file is
explained row by row and nothing of it is written."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.db.models import Order
from app.ui.dialogs.import_orders import ImportOrdersDialog
from app.ui.ops import Ops

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "files"


def _orders(backroom) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalar(select(func.count(Order.id)))


def _dialog(qtbot, backroom) -> ImportOrdersDialog:  # type: ignore[no-untyped-def]
    ops = Ops(lambda: backroom)
    dialog = ImportOrdersDialog(lambda: backroom, ops)
    qtbot.addWidget(dialog)
    return dialog


def test_preview_then_import_of_an_etsy_pair(qtbot, gui_backroom):
    dialog = _dialog(qtbot, gui_backroom)
    assert not dialog.import_button.isEnabled()  # nothing chosen yet
    dialog.set_paths([FILES / "EtsySoldOrders2024-11.csv", FILES / "EtsySoldOrderItems2024-11.csv"])
    before = _orders(gui_backroom)
    with qtbot.waitSignal(dialog.preview_button.clicked, timeout=1000):
        dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.job is None and dialog.report is not None, timeout=10_000)
    assert "would be created" in dialog.result.toPlainText()
    assert "Preview: nothing was written" in dialog.result.toPlainText()
    assert _orders(gui_backroom) == before
    with qtbot.waitSignal(dialog.changesMade, timeout=10_000) as emitted:
        dialog.import_button.click()
    assert emitted.args[0].touches("orders")
    assert _orders(gui_backroom) > before
    assert " created" in dialog.result.toPlainText()


def test_a_refused_file_is_explained_by_row(qtbot, gui_backroom, tmp_path):
    text = (FILES / "amazon_order_report.txt").read_text("utf-8")
    lines = text.splitlines()
    cells = lines[1].split("\t")
    cells[2] = "yesterday"  # purchase-date
    broken = tmp_path / "unshipped.txt"
    broken.write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]) + "\n", "utf-8")
    dialog = _dialog(qtbot, gui_backroom)
    dialog.set_paths([broken])
    before = _orders(gui_backroom)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.job is None and dialog.report is not None, timeout=10_000)
    shown = dialog.result.toPlainText()
    assert "rejected, nothing imported" in shown and "refused: row 2" in shown
    assert _orders(gui_backroom) == before


def test_shipments_for_a_file_channel_are_exported_for_upload(qtbot, gui_backroom, tmp_path,
                                                             monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.domain.statuses import OrderStatus
    from app.services import orders
    from app.services.channels import ChannelSetup, save_channel
    from app.ui.dialogs.export_shipments import ExportShipmentsDialog

    etsy = gui_backroom.act(save_channel, None, ChannelSetup(
        name="Etsy files", kind="etsy", api=False, currency="GBP"))
    with gui_backroom.sessions() as s:
        order = s.scalars(select(Order).where(Order.status == "packed")).first()
        order.channel_id = etsy
        s.commit()
    gui_backroom.act(orders.change_status, [order.id], OrderStatus.SHIPPED, carrier="Evri",
                     tracking="H00ABC123")
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    dialog = ExportShipmentsDialog(lambda: gui_backroom, tmp_path)
    qtbot.addWidget(dialog)
    dialog.channel.setCurrentIndex(dialog.channel.findData(etsy))
    assert "1 shipment to tell" in dialog.channel.currentText()
    assert dialog.export()
    assert dialog.written is not None and "H00ABC123" in dialog.written.read_text("utf-8")
