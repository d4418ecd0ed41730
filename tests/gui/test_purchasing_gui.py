"""Purchasing windows on a copy of the demo: the goods-in scan box, the Reorder view and the
Purchase orders window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import delete, select

from app.db.models import Product, PurchaseOrder, Supplier, SupplierProduct
from app.domain.reorder import ReorderStatus
from app.services import goods_in, purchasing, stock
from app.services.purchasing import LineIn
from app.ui.dialogs.goods_in import GoodsInDialog
from app.ui.dialogs.purchase_orders import PurchaseOrdersDialog
from app.ui.dialogs.reorder import ReorderDialog
from app.ui.ops import Ops


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch):  # type: ignore[no-untyped-def]
    """A question left open would wait forever offscreen: closing drops unbooked scans."""
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)


@pytest.fixture
def sent_order(gui_backroom, tmp_path):  # type: ignore[no-untyped-def]
    """A sent purchase order for 5 and 3 of two stocked demo products."""
    with gui_backroom.sessions() as s:
        supplier = s.scalars(select(Supplier).order_by(Supplier.id)).first()
        products = list(s.scalars(select(Product).where(Product.made_to_order.is_(False),
                                                        Product.barcode.is_not(None))
                                  .order_by(Product.id).limit(2)))
    po = gui_backroom.act(purchasing.create_purchase_order, supplier.id,
                          [LineIn(products[0].id, 5, 300), LineIn(products[1].id, 3, 200)])
    gui_backroom.act(purchasing.send_purchase_order, po, tmp_path)
    return po, products


def _dialog(qtbot, backroom, po: int | None) -> GoodsInDialog:  # type: ignore[no-untyped-def]
    dialog = GoodsInDialog(lambda: backroom, po)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _scan(qtbot, dialog: GoodsInDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    dialog.scan_box.clear()
    qtbot.keyClicks(dialog.scan_box, text)
    qtbot.keyClick(dialog.scan_box, "\r")


def test_scanning_a_barcode_adds_it_to_its_order_line(qtbot, gui_backroom, sent_order):
    po, (mug, other) = sent_order
    dialog = _dialog(qtbot, gui_backroom, po)
    assert dialog.purchase_order_id == po
    assert dialog.table.rowCount() == 2
    _scan(qtbot, dialog, mug.barcode)
    _scan(qtbot, dialog, mug.barcode)
    _scan(qtbot, dialog, f"{other.sku} x 3")
    assert dialog.scan_box.text() == ""  # ready for the next item
    assert dialog.message.text() == f"Added 3 × {other.sku} — {other.title}"
    rows = {dialog.table.item(r, 0).text(): (dialog.table.item(r, 5).text(),
                                             dialog.table.item(r, 7).text())
            for r in range(dialog.table.rowCount())}
    assert rows == {mug.sku: ("2", "Short"), other.sku: ("3", "Complete")}
    bin_box = dialog.table.cellWidget(0, 8)
    assert bin_box.currentText()  # the bin it usually lives in
    assert "5 units scanned" in dialog.summary.text()
    dialog.undo_button.click()
    assert dialog.table.item(1, 5).text() == "0"


def test_an_unknown_barcode_is_said_in_words_and_can_be_linked(qtbot, gui_backroom,
                                                               sent_order, monkeypatch):
    po, (_mug, other) = sent_order
    dialog = _dialog(qtbot, gui_backroom, po)
    _scan(qtbot, dialog, "4006381333931 x 3")  # a barcode of digits, then how many came
    assert "Nothing in Backroom has the barcode or SKU “4006381333931”" in dialog.message.text()
    assert dialog.link_button.isVisible()
    assert dialog.scans == []
    dialog.ask_sku = lambda code: other.sku  # type: ignore[method-assign]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *a, **k: (
        asked.append(text), QMessageBox.StandardButton.No)[1])
    dialog.link_button.click()  # it has a barcode already: not replaced without asking
    assert asked == [f"{other.sku} has the barcode {other.barcode}. Replace it with "
                     "4006381333931?"] and dialog.link_button.isVisible()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.changesMade):
        dialog.link_button.click()
    assert not dialog.link_button.isVisible()
    assert (dialog.scans[-1].sku, dialog.scans[-1].quantity) == (other.sku, 3)  # as scanned
    assert gui_backroom.read(goods_in.identify, "4006381333931").sku == other.sku


def test_receiving_more_than_ordered_asks_before_booking(qtbot, gui_backroom, sent_order):
    po, (mug, _other) = sent_order
    dialog = _dialog(qtbot, gui_backroom, po)
    _scan(qtbot, dialog, f"{mug.sku} x 7")
    assert dialog.table.item(0, 7).text() == "Over — asks"
    assert dialog.table.item(0, 9).text() == (f"You received 7 of {mug.sku} but only 5 are on "
                                              "order: book the 2 extra?")
    asked = []
    dialog.ask = lambda q: asked.append(q.text) or False  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.changesMade):
        dialog.book_button.click()
    assert asked == [f"You received 7 of {mug.sku} but only 5 are on order: book the 2 extra?"]
    assert dialog.booked is not None and dialog.booked.units == 5
    assert "Not booked: " + mug.sku in dialog.message.text()
    assert dialog.scans == [] and dialog.table.rowCount() == 1  # ready for the next
    detail = gui_backroom.read(purchasing.detail, po)
    assert detail.row.status == "partly_received"
    assert gui_backroom.read(stock.ledger_mismatches) == ()


def test_a_delivery_is_parked_and_resumed(qtbot, gui_backroom, sent_order):
    po, (mug, _other) = sent_order
    dialog = _dialog(qtbot, gui_backroom, po)
    _scan(qtbot, dialog, f"{mug.sku} x 2")
    dialog.park_button.click()
    assert dialog.message.text().startswith("Parked delivery")
    assert dialog.scans == [] and dialog.resume_button.isEnabled()
    (parked,) = gui_backroom.read(goods_in.parked_deliveries)
    dialog.resume(parked.id)
    assert [(s.sku, s.quantity) for s in dialog.scans] == [(mug.sku, 2)]
    assert not dialog.order.isEnabled()
    dialog.ask = lambda q: True  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.changesMade):
        dialog.book_button.click()
    assert gui_backroom.read(goods_in.parked_deliveries) == ()


def test_a_parked_delivery_can_be_discarded(qtbot, gui_backroom, sent_order):
    po, (mug, _other) = sent_order
    dialog = _dialog(qtbot, gui_backroom, po)
    _scan(qtbot, dialog, f"{mug.sku} x 2")
    assert not dialog.discard_button.isVisible()  # only for a parked delivery
    dialog.park_button.click()
    (parked,) = gui_backroom.read(goods_in.parked_deliveries)
    dialog.resume(parked.id)
    assert dialog.discard_button.isVisible()
    dialog._ask_yes = lambda title, text: True  # type: ignore[method-assign]
    dialog.discard_button.click()
    assert dialog.message.text() == (f"Discarded parked delivery {parked.id}; nothing of it "
                                     "was booked.")
    assert gui_backroom.read(goods_in.parked_deliveries) == ()
    assert dialog.scans == [] and dialog.order.isEnabled()


@pytest.fixture
def supplied(gui_backroom):  # type: ignore[no-untyped-def]
    """Give every stocked demo product a supplier."""
    with gui_backroom.sessions() as s:
        s.execute(delete(SupplierProduct))  # (in place of the demo's own terms)
        supplier_ids = list(s.scalars(select(Supplier.id)))
        for i, pid in enumerate(s.scalars(select(Product.id).where(
                Product.made_to_order.is_(False)))):
            s.add(SupplierProduct(supplier_id=supplier_ids[i % len(supplier_ids)],
                                  product_id=pid, unit_cost_minor=250, currency="GBP"))
        s.commit()
    return gui_backroom


def test_the_reorder_view_shows_each_number_and_makes_drafts(qtbot, supplied):
    backroom = supplied
    ops = Ops(lambda: backroom)
    dialog = ReorderDialog(lambda: backroom, ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
    everything = len(dialog.result.rows)
    dialog.filter.setCurrentIndex(3)  # All
    assert dialog.model.rowCount() == everything
    dialog.filter.setCurrentIndex(2)  # Low data
    assert all(r.suggestion.status is ReorderStatus.LOW_DATA for r in dialog.model.rows)
    dialog.filter.setCurrentIndex(3)
    dialog.table.selectRow(0)
    first = dialog.model.rows[0]
    assert dialog.working.toPlainText() == "\n\n".join(first.suggestion.lines)
    assert first.suggestion.sku in dialog.working_title.text()
    assert dialog.model.data(dialog.model.index(0, 4)) == f"{first.units_sold:,}"
    assert int(dialog.model.data(dialog.model.index(0, 4), 7)) & 0x2  # right-aligned

    # Over the demo's 90 days, with a year of safety stock, some products need ordering.
    dialog.window_days.setValue(90)
    dialog.safety_days.setValue(365)
    dialog.minimum_sales.setValue(2)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.recalculate_button.click()
    dialog.filter.setCurrentIndex(0)  # Order now
    assert dialog.model.rowCount() > 0
    dialog.select_all_to_order()
    assert dialog.draft_button.isEnabled()
    said = []
    dialog.inform = lambda title, text: said.append(text)  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.changesMade), qtbot.waitSignal(dialog.loaded,
                                                                timeout=10_000):
        dialog.draft_button.click()
    assert said and said[0].startswith("Made PO-000001 to ")
    assert dialog.made is not None and dialog.made.drafts
    with backroom.sessions() as s:
        assert {p.status for p in s.scalars(select(PurchaseOrder))} == {"draft"}
    ops.wait_all()


def test_the_purchase_orders_window_edits_sends_and_cancels(qtbot, supplied, tmp_path):
    backroom = supplied
    dialog = PurchaseOrdersDialog(lambda: backroom, tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 0
    supplier = backroom.read(purchasing.supplier_choices)[0]
    dialog.choose_supplier = lambda choices: supplier.id  # type: ignore[method-assign]
    with backroom.sessions() as s:
        sku = s.scalars(select(Product.sku).join(
            SupplierProduct, SupplierProduct.product_id == Product.id)
            .where(SupplierProduct.supplier_id == supplier.id)).first()
    po = dialog.new_order()
    assert dialog.detail is not None and dialog.detail.row.id == po
    assert dialog.buttons["send"].isVisible() and dialog.edit_row.isVisible()
    dialog.add_code.setText(sku)
    dialog.add_quantity.setValue(12)
    dialog.add_button.click()
    assert dialog.line_table.item(0, 0).text() == sku
    assert dialog.line_table.item(0, 6).text() == "2.50"
    assert dialog.line_table.item(0, 7).text() == "£30.00"
    dialog.line_table.item(0, 3).setText("10")
    assert dialog.line_table.item(0, 7).text() == "£25.00" and dialog.dirty
    dialog.confirm = lambda title, text: True  # type: ignore[method-assign]
    told = []
    dialog.inform = lambda title, text: told.append(text)  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.changesMade):
        dialog.buttons["send"].click()  # saves the draft first
    assert told and "PO-000001.pdf" in told[0]
    assert (Path(tmp_path) / "purchase-orders" / "PO-000001.xlsx").exists()
    assert dialog.detail.row.status == "sent"
    assert [ln.ordered for ln in dialog.detail.lines] == [10]
    assert dialog.buttons["receive"].isVisible() and not dialog.buttons["send"].isVisible()
    assert dialog.model.row_at(0).number == "PO-000001"
    assert dialog.model.data(dialog.model.index(0, 5)) == "£25.00"

    dialog.ask_reason = lambda d: "Ordered twice"  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.changesMade):
        dialog.buttons["cancel"].click()
    assert backroom.read(purchasing.detail, po).row.status == "cancelled"
    assert dialog.model.rowCount() == 0  # the list shows open orders
    dialog.status.setCurrentIndex(1)  # All
    assert dialog.model.rowCount() == 1
