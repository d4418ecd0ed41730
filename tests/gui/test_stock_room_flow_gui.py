"""The stock room as the owner runs it, on a copy of the demo: deliveries in parts, orders
cancelled, sent twice or closed short, counts while sales ship, the rolling count, and reorder
numbers worked out by hand from the ledger. Several tests began as bugs found on the way
(now fixed)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from app.db import models as db
from app.domain.errors import DomainError
from app.domain.goods_in import Scan
from app.domain.money import format_money
from app.domain.reorder import ReorderSettings, ReorderStatus
from app.domain.statuses import OrderStatus
from app.domain.stock import MovementReason
from app.services import goods_in, orders, purchasing, reorder, stock, stock_checks
from app.services.purchasing import LineIn
from app.ui import formatting
from app.ui.dialogs.goods_in import GoodsInDialog
from app.ui.dialogs.locations import LocationEditor
from app.ui.dialogs.purchase_orders import PurchaseOrdersDialog
from app.ui.dialogs.reorder import ReorderDialog
from app.ui.dialogs.stock_check import COUNTED, DECISION, DIFFERENCE, VALUE, StartCheckDialog
from app.ui.dialogs.stock_check import StockCheckDialog as CheckDialog
from app.ui.ops import Ops

PEOPLE_TIME = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d$")  # 25 Sep 2026, 21:15


@pytest.fixture(autouse=True)
def said(monkeypatch):  # type: ignore[no-untyped-def]
    """Offscreen a box would wait forever: questions are answered Yes; all are kept."""
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: told.append(
        text) or QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: told.append(
        text) or QMessageBox.StandardButton.Ok)
    return told


@pytest.fixture
def sent_order(gui_backroom, tmp_path):  # type: ignore[no-untyped-def]
    """PO-000001 to Kiln & Co., sent: 5 of one product at £3.00 and 3 of another at £2.00."""
    with gui_backroom.sessions() as s:
        products = list(s.scalars(select(db.Product).join(db.SupplierProduct).where(
            db.SupplierProduct.supplier_id == 1, db.Product.barcode.is_not(None)).order_by(
            db.Product.id).limit(2)))
    po = gui_backroom.act(purchasing.create_purchase_order, 1,
                          [LineIn(products[0].id, 5, 300), LineIn(products[1].id, 3, 200)])
    gui_backroom.act(purchasing.send_purchase_order, po, tmp_path)
    return po, products


def _on_hand(backroom, pid: int, bin_id: int | None = None) -> int:  # type: ignore[no-untyped-def]
    level = db.StockLevel
    with backroom.sessions() as s:
        return int(s.scalar(select(func.coalesce(func.sum(level.on_hand), 0)).where(
            level.product_id == pid, *([level.location_id == bin_id] if bin_id else []))))


def _rows(table, key: int,  # type: ignore[no-untyped-def]
          *columns: int) -> dict[str, tuple[str, ...]]:
    """The table's rows by the text in column `key` (a SKU): the texts of `columns`."""
    return {table.item(r, key).text(): tuple(table.item(r, c).text() for c in columns)
            for r in range(table.rowCount())}


def _goods_in(qtbot, backroom, po: int | None,  # type: ignore[no-untyped-def]
             *scans: str) -> GoodsInDialog:
    qtbot.addWidget(dialog := GoodsInDialog(lambda: backroom, po))
    for text in scans:
        _scan(qtbot, dialog, text)
    return dialog


def _scan(qtbot, dialog, text: str) -> None:  # type: ignore[no-untyped-def]
    dialog.scan_box.setText(text)
    qtbot.keyClick(dialog.scan_box, Qt.Key.Key_Return)


def test_a_delivery_in_two_parts_the_second_parked_and_resumed_after_reopening(
        qtbot, window, gui_backroom, sent_order, said):
    po, (mug, bowl) = sent_order
    stock_now = lambda: [_on_hand(gui_backroom, p.id) for p in (mug, bowl)]  # noqa: E731
    before = stock_now()
    first = window.show_stock_room("goods_in")
    first.order.setCurrentIndex(first.order.findData(po))
    _scan(qtbot, first, f"{mug.sku} x 3")
    first.book_button.click()
    assert first.message.text().startswith("Booked 3 units into stock against PO-000001, now "
                                           "partly received.")
    for text in (f"{mug.sku} x 2", bowl.barcode, bowl.barcode, bowl.barcode):
        _scan(qtbot, first, text)
    first.close()  # the scans are not booked: parking them is offered (Yes)
    assert said[-1] == "The scans of this delivery are not booked. Park them to finish later?"
    (parked,) = gui_backroom.read(goods_in.parked_deliveries)
    assert (parked.po_number, parked.units) == ("PO-000001", 5)
    assert stock_now() == [before[0] + 3, before[1]]  # parking booked nothing

    second = window.show_stock_room("goods_in")  # opened again, later
    assert second.resume_button.text() == "Resume parked delivery (1)"
    second.resume_menu.actions()[0].trigger()
    assert second.purchase_order_id == po and not second.order.isEnabled()
    assert _rows(second.table, 0, 4, 5, 6, 7) == {mug.sku: ("3", "2", "0", "Complete"),
                                                  bowl.sku: ("0", "3", "0", "Complete")}
    second.book_button.click()
    assert second.message.text().startswith("Booked 5 units into stock against PO-000001, now "
                                            "received.")
    assert gui_backroom.read(goods_in.parked_deliveries) == ()
    assert stock_now() == [before[0] + 5, before[1] + 3]  # nothing booked twice
    detail = gui_backroom.read(purchasing.detail, po)
    assert detail.row.status == "received"
    assert [(ln.ordered, ln.received) for ln in detail.lines] == [(5, 5), (3, 3)]
    assert [d.units for d in detail.deliveries if d.status == "booked"] == [3, 5]
    assert gui_backroom.read(stock_checks.check_ledger).ok


@pytest.fixture
def cancelled_meanwhile(qtbot, gui_backroom, sent_order):  # type: ignore[no-untyped-def]
    """Two of the first product scanned against PO-000001, cancelled at another desk; Book."""
    po, (mug, _bowl) = sent_order
    before = _on_hand(gui_backroom, mug.id)
    dialog = _goods_in(qtbot, gui_backroom, po, f"{mug.sku} x 2")
    gui_backroom.act(purchasing.cancel_purchase_order, po, "Found cheaper")
    dialog.book_button.click()
    return po, mug, before, dialog


def test_goods_for_an_order_cancelled_meanwhile_are_kept_and_booked_without_it(
        gui_backroom, cancelled_meanwhile):
    po, mug, before, dialog = cancelled_meanwhile
    assert dialog.message.text().startswith("Not booked: PO-000001 is cancelled")
    assert [(s.sku, s.quantity) for s in dialog.scans] == [(mug.sku, 2)]  # nothing lost
    assert _on_hand(gui_backroom, mug.id) == before
    dialog.order.setCurrentIndex(dialog.order.count() - 1)  # No purchase order
    assert _rows(dialog.table, 0, 7) == {mug.sku: ("Unexpected — asks",)}
    dialog.book_button.click()  # asked; Yes
    assert dialog.message.text().startswith("Booked 2 units into stock.")
    assert _on_hand(gui_backroom, mug.id) == before + 2
    detail = gui_backroom.read(purchasing.detail, po)
    assert detail.row.status == "cancelled" and detail.row.received == 0


def test_goods_for_a_cancelled_order_are_told_what_to_do(cancelled_meanwhile):
    assert "No purchase order" in cancelled_meanwhile[3].message.text()


def test_a_parked_delivery_of_an_order_cancelled_since_keeps_its_scans(
        qtbot, gui_backroom, sent_order, monkeypatch):
    po, (mug, _bowl) = sent_order
    _goods_in(qtbot, gui_backroom, po, f"{mug.sku} x 2").park_button.click()
    gui_backroom.act(purchasing.cancel_purchase_order, po, "")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    later = _goods_in(qtbot, gui_backroom, None)  # opened after the order was cancelled
    later.resume_menu.actions()[0].trigger()  # "Discard the parked delivery?" No
    assert [(s.sku, s.quantity) for s in later.scans] == [(mug.sku, 2)]


def test_goods_for_a_cancelled_order_reload_the_order_list(cancelled_meanwhile):
    po, _mug, _before, dialog = cancelled_meanwhile
    assert dialog.order.findData(po) < 0
    assert dialog.purchase_order_id is None  # No purchase order, never another supplier's


def test_a_kept_delivery_moves_only_to_an_open_order_of_its_supplier(
        qtbot, gui_backroom, sent_order, monkeypatch, tmp_path, said):
    po, (mug, bowl) = sent_order
    theirs = gui_backroom.act(purchasing.create_purchase_order, 1, [LineIn(bowl.id, 4, 200)])
    other = gui_backroom.act(purchasing.create_purchase_order, 2, [LineIn(mug.id, 4, 325)])
    for sent in (theirs, other):
        gui_backroom.act(purchasing.send_purchase_order, sent, tmp_path)
    _goods_in(qtbot, gui_backroom, po, f"{mug.sku} x 2").park_button.click()
    gui_backroom.act(purchasing.cancel_purchase_order, po, "")
    (parked,) = gui_backroom.read(goods_in.parked_deliveries)
    with pytest.raises(DomainError, match="PO-000003 is an order to Mugshot"):
        gui_backroom.act(goods_in.move_parked_delivery, parked.id, other)
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: said.append(
        text) or QMessageBox.StandardButton.No)
    later = _goods_in(qtbot, gui_backroom, None)
    later.resume_menu.actions()[0].trigger()
    assert said[-1].startswith(f"PO-000001 is cancelled now, so delivery {parked.id} ")
    assert later.message.text().endswith("stays parked, against No purchase order. Book its "
                                         "scans as unexpected goods, or choose another open "
                                         "order of Kiln & Co. Ceramics.")
    assert [(p.po_number, p.units) for p in gui_backroom.read(goods_in.parked_deliveries)] == [
        ("", 2)]
    enabled = {later.order.itemData(i): later.order.model().item(i).isEnabled()
               for i in range(later.order.count())}
    assert (enabled[theirs], enabled[other], enabled[None]) == (True, False, True)
    later.order.setCurrentIndex(later.order.findData(theirs))
    assert later.message.text().startswith(f"Delivery {parked.id} is parked against PO-000002")
    assert gui_backroom.read(goods_in.parked_deliveries)[0].po_number == "PO-000002"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    later.book_button.click()  # the mugs are unexpected on it: asked, Yes
    assert later.message.text().startswith("Booked 2 units into stock against PO-000002")
    assert gui_backroom.read(goods_in.parked_deliveries) == ()


def test_an_order_received_in_full_gives_way_to_no_purchase_order(qtbot, gui_backroom,
                                                                  sent_order):
    po, (mug, bowl) = sent_order
    dialog = _goods_in(qtbot, gui_backroom, po, f"{mug.sku} x 5", f"{bowl.sku} x 3")
    dialog.book_button.click()
    assert dialog.message.text().startswith("Booked 8 units into stock against PO-000001, now "
                                            "received.")
    assert dialog.purchase_order_id is None  # not another supplier's order


def test_the_bin_suggestion_says_when_in_words(qtbot, gui_backroom, sent_order):
    po, (mug, _bowl) = sent_order
    with gui_backroom.sessions() as s:  # all broken: the bin it was last received into
        for level in s.scalars(select(db.StockLevel).where(
                db.StockLevel.product_id == mug.id, db.StockLevel.on_hand > 0)):
            stock.book_movement(s, product_id=mug.id, location_id=level.location_id,
                                quantity=-level.on_hand, reason=MovementReason.DAMAGE,
                                actor="owner")
        s.commit()
    reason = _goods_in(qtbot, gui_backroom, po).table.cellWidget(0, 8).toolTip()
    assert reason.startswith(f"None in stock; {mug.sku} was last received into ")
    assert not re.search(r"\d{4}-\d\d-\d\d", reason), reason


def _open(qtbot, backroom, check_id: int) -> CheckDialog:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog := CheckDialog(lambda: backroom, check_id))
    return dialog


def _count(qtbot, dialog, sku: str, counted: int) -> None:  # type: ignore[no-untyped-def]
    dialog.type_count(next(ln.line_id for ln in dialog.sheet.lines if ln.sku == sku), counted)
    qtbot.waitUntil(lambda: _rows(dialog.lines, 1, COUNTED)[sku] == (f"{counted:,}",))


def test_a_sale_shipped_during_a_blind_count_is_not_taken_for_a_loss(qtbot, gui_backroom):
    with gui_backroom.sessions() as s:  # a packed order of one stocked product, and its bin
        order = next(o for o in s.scalars(select(db.Order).where(db.Order.status == "packed"))
                     if len(o.lines) == 1 and not o.lines[0].needs_making)
        pid, quantity = order.lines[0].product_id, order.lines[0].quantity
        bin_id, code = s.execute(select(db.Location.id, db.Location.code).join(
            db.StockLevel).where(db.StockLevel.product_id == pid, db.StockLevel.on_hand > 0)
            .order_by(db.Location.walk_sequence, db.Location.id)).first()  # parcel's bin
        order_id, sku = order.id, s.get_one(db.Product, pid).sku
    qtbot.addWidget(start := StartCheckDialog(lambda: gui_backroom))
    start.by_bins.click()
    start.tick_bins([code])
    start.start_button.click()
    dialog = _open(qtbot, gui_backroom, start.check_id)
    at_start = _on_hand(gui_backroom, pid, bin_id)
    assert at_start > quantity
    gui_backroom.act(orders.change_status, [order_id], OrderStatus.SHIPPED)  # packing bench
    _count(qtbot, dialog, sku, at_start - quantity)  # what is on the shelf now
    dialog.finish_button.click()  # the other lines uncounted: asked, Yes
    table = dialog.variance_table
    left = f"{at_start - quantity:,}"
    assert _rows(table, 1, 3, 4, DIFFERENCE)[sku] == (left, left, "0")
    assert next(table.item(r, 0).toolTip() for r in range(table.rowCount())
                if table.item(r, 1).text() == sku) == (
        f"Counted {left}; expected {left} ({at_start} at the start of the check, {quantity} "
        "out since): no difference.")
    dialog.approve_all_button.click()
    assert dialog.sheet.status == "approved"
    assert _on_hand(gui_backroom, pid, bin_id) == at_start - quantity
    with gui_backroom.sessions() as s:
        assert not s.scalar(select(func.count()).select_from(db.StockMovement).where(
            db.StockMovement.reason == "count", db.StockMovement.product_id == pid))
    assert gui_backroom.read(stock_checks.check_ledger).ok


@pytest.fixture
def two_counted(qtbot, gui_backroom):  # type: ignore[no-untyped-def]
    """A bin counted openly: one product 2 short, another 1 over; counting finished."""
    with gui_backroom.sessions() as s:
        bin_id = s.scalar(select(db.StockLevel.location_id).where(db.StockLevel.on_hand > 3)
                          .group_by(db.StockLevel.location_id).having(func.count() >= 2)
                          .order_by(db.StockLevel.location_id))
        levels = list(s.scalars(select(db.StockLevel).where(
            db.StockLevel.location_id == bin_id, db.StockLevel.on_hand > 3).limit(2)))
        short, over = (s.get_one(db.Product, lv.product_id) for lv in levels)
        was = {lv.product_id: lv.on_hand for lv in levels}
    dialog = _open(qtbot, gui_backroom, gui_backroom.act(stock_checks.start_check, "bins",
                                                         [bin_id], blind=False))
    _count(qtbot, dialog, short.sku, was[short.id] - 2)
    _count(qtbot, dialog, over.sku, was[over.id] + 1)
    dialog.finish_button.click()
    return dialog, bin_id, short, over, was


def test_the_owner_approves_one_line_leaves_one_and_approves_the_rest(gui_backroom,
                                                                      two_counted):
    dialog, bin_id, short, over, was = two_counted
    assert _rows(dialog.variance_table, 1, DIFFERENCE, VALUE)[short.sku] == (
        "-2", format_money(-2 * short.cost_minor, short.cost_currency))
    dialog.select_lines([short.sku])
    dialog.approve_selected_button.click()
    assert _on_hand(gui_backroom, short.id, bin_id) == was[short.id] - 2
    assert dialog.sheet.status == "awaiting_approval"
    dialog.select_lines([over.sku])
    dialog.leave_button.click()
    assert _on_hand(gui_backroom, over.id, bin_id) == was[over.id]  # nothing booked for it
    decisions = _rows(dialog.variance_table, 1, DECISION)
    assert (decisions[short.sku], decisions[over.sku]) == (("Approved",), ("Left as recorded",))
    dialog.approve_all_button.click()  # the uncounted rest: left at what is recorded
    assert dialog.sheet.status == "approved"
    with gui_backroom.sessions() as s:
        assert s.execute(select(db.StockMovement.product_id, db.StockMovement.quantity).where(
            db.StockMovement.reason == "count")).all() == [(short.id, -2)]
    assert gui_backroom.read(stock_checks.check_ledger).ok


def test_approve_all_names_the_value_of_the_lines_still_to_decide(two_counted, said):
    dialog, _bin_id, short, over, _was = two_counted
    dialog.select_lines([short.sku])
    dialog.approve_selected_button.click()
    dialog.approve_all_button.click()
    assert f"(net {format_money(over.cost_minor, over.cost_currency)} at cost)" in said[-1]


def _rolling(qtbot, backroom, how_many: int) -> StartCheckDialog:  # type: ignore[no-untyped-def]
    qtbot.addWidget(start := StartCheckDialog(lambda: backroom))
    start.how_many.setValue(how_many)
    return start


def test_the_rolling_count_takes_the_bins_counted_longest_ago_then_puts_them_last(
        qtbot, gui_backroom):
    with gui_backroom.sessions() as s:
        oldest = list(s.scalars(select(db.Location.code).order_by(
            db.Location.last_counted_at, db.Location.walk_sequence, db.Location.code)))
    start = _rolling(qtbot, gui_backroom, 3)
    assert sorted(start.due.item(r, 0).text() for r in range(start.due.rowCount())) == sorted(
        oldest[:3])
    assert all(PEOPLE_TIME.match(start.due.item(r, 1).text()) for r in range(3))
    start.start_button.click()
    dialog = _open(qtbot, gui_backroom, start.check_id)
    dialog.finish_button.click()
    dialog.approve_all_button.click()  # nothing counted: left as recorded
    assert dialog.sheet.status == "approved"
    after = [b.code for b in gui_backroom.read(stock_checks.bins_due, 3)]
    assert sorted(after) == sorted(oldest[3:6])


def test_an_empty_bin_in_the_rolling_count_is_approved_as_empty(qtbot, gui_backroom, said):
    qtbot.addWidget(editor := LocationEditor(lambda: gui_backroom))
    editor.code.setText("Z-99-1")
    editor.save()
    start = _rolling(qtbot, gui_backroom, 1)
    assert start.due.item(0, 0).text() == "Z-99-1" and start.due.item(0, 1).text() == "Never"
    start.start_button.click()
    dialog = _open(qtbot, gui_backroom, start.check_id)
    dialog.finish_button.click()  # found it empty
    dialog.approve_all_button.click()
    assert dialog.sheet.status == "approved", said[-1]
    assert [b.code for b in gui_backroom.read(stock_checks.bins_due, 1)] != ["Z-99-1"]


def test_an_empty_check_says_what_approving_it_does(qtbot, gui_backroom, said):
    qtbot.addWidget(editor := LocationEditor(lambda: gui_backroom))
    editor.code.setText("Z-99-1")
    editor.save()
    start = _rolling(qtbot, gui_backroom, 1)
    start.start_button.click()
    dialog = _open(qtbot, gui_backroom, start.check_id)
    dialog.finish_button.click()
    assert dialog.totals.text() == ("No stock recorded in these bins: approve to mark them "
                                    "counted as empty.")
    dialog.approve_all_button.click()
    assert said[-1] == (f"Approve {dialog.sheet.number}? No stock is recorded in its bins and "
                        "none was found: they are marked counted as empty, and nothing is "
                        "booked.")
    assert dialog.totals.text() == "No stock recorded in these bins: they were counted as empty."


def test_reorder_numbers_match_the_ledger_worked_by_hand(qtbot, gui_backroom, tmp_path):
    gui_backroom.act(reorder.save_reorder_settings, ReorderSettings(90, 365, 14, 2))
    ops = Ops(lambda: gui_backroom)
    qtbot.addWidget(dialog := ReorderDialog(lambda: gui_backroom, ops))
    qtbot.waitUntil(lambda: dialog.result is not None and dialog.job is None, timeout=10_000)
    with gui_backroom.sessions() as s:  # products with one supplier, sold in packs
        offers = {o.product_id: o for o in s.scalars(select(db.SupplierProduct).where(
            db.SupplierProduct.pack_size > 1, db.SupplierProduct.product_id.in_(select(
                db.SupplierProduct.product_id).group_by(db.SupplierProduct.product_id)
                .having(func.count() == 1))))}
    row = next(r for r in dialog.result.rows if r.suggestion.status is ReorderStatus.ORDER_NOW
               and r.days_out_of_stock == 0 and r.suggestion.product_id in offers)
    pid, terms = row.suggestion.product_id, offers[row.suggestion.product_id]
    po = gui_backroom.act(purchasing.create_purchase_order, terms.supplier_id, [LineIn(pid, 1)])
    gui_backroom.act(purchasing.send_purchase_order, po, tmp_path)  # 1 already on order
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.recalculate_button.click()
    with gui_backroom.sessions() as s:
        moves = s.execute(select(db.StockMovement.quantity, db.StockMovement.reason).where(
            db.StockMovement.product_id == pid,
            db.StockMovement.created_at >= dialog.result.computed_at - timedelta(days=90))
            .order_by(db.StockMovement.created_at, db.StockMovement.id)).all()
        on_hand, reserved = s.execute(select(func.sum(db.StockLevel.on_hand), func.sum(
            db.StockLevel.reserved)).where(db.StockLevel.product_id == pid)).one()
        lead = s.get_one(db.Supplier, terms.supplier_id).lead_time_days
    level = on_hand - sum(q for q, _r in moves)
    for q, _r in moves:  # never out of stock in the window: all 90 days count
        level += q
        assert level > 0
    sold = sum(-q for q, r in moves if r == "dispatch")
    _ceil = lambda a, b: -(-a // b)  # noqa: E731
    minimum = _ceil(sold * (lead + 365), 90)
    needed = minimum + _ceil(sold * 14, 90) - (on_hand - reserved + 1)
    order = _ceil(max(needed, terms.minimum_order), terms.pack_size) * terms.pack_size
    assert order % terms.pack_size == 0 and order >= needed
    dialog.filter.setCurrentIndex(3)  # All
    dialog.search.setText(row.suggestion.sku)
    assert dialog.model.rowCount() == 1
    daily = (Decimal(sold) / 90).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert [dialog.model.data(dialog.model.index(0, c)) for c in range(4, 12)] == [
        f"{sold:,}", "90", f"{daily}", f"{minimum:,}", f"{on_hand - reserved:,}", "1",
        f"{order:,}", format_money(order * terms.unit_cost_minor, terms.currency)]
    dialog.table.selectRow(0)
    dialog.inform = lambda title, text: None  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.draft_button.click()
    (made,) = dialog.made.drafts
    assert [(ln.product_id, ln.ordered) for ln in gui_backroom.read(
        purchasing.detail, made.purchase_order_id).lines] == [(pid, order)]
    ops.wait_all()


@pytest.fixture
def sent_twice(qtbot, gui_backroom, tmp_path, sent_order):  # type: ignore[no-untyped-def]
    """A draft to Mugshot open in two Purchase orders windows; Send clicked in each."""
    _po, (mug, _bowl) = sent_order
    po = gui_backroom.act(purchasing.create_purchase_order, 2, [LineIn(mug.id, 4, 325)])
    here, there = (PurchaseOrdersDialog(lambda: gui_backroom, tmp_path) for _ in range(2))
    for dialog in (here, there):
        qtbot.addWidget(dialog)
        dialog.inform = lambda title, text: None  # type: ignore[method-assign]
        assert dialog.detail.row.id == po  # newest first
    here.buttons["send"].click()
    there.buttons["send"].click()  # the other window still shows it as a draft
    return po, mug, there


def test_a_po_sent_from_two_windows_is_mailed_once(gui_backroom, sent_twice):
    po, mug, there = sent_twice
    with gui_backroom.sessions() as s:
        (mail,) = s.scalars(select(db.OutboxEmail).where(
            db.OutboxEmail.subject == "Purchase order PO-000002"))
    assert gui_backroom.read(purchasing.detail, po).row.status == "sent"
    assert f"  4 × {mug.sku}" in mail.body and "at £3.25" in mail.body
    assert "Total: £13.00" in mail.body
    assert f"(purchase order PO-000002, {formatting.day(date.today())})" in mail.body
    assert there.problem.text()  # refused


def test_a_po_sent_twice_is_named_and_said_to_be_sent_already(sent_twice):
    _po, _mug, there = sent_twice
    assert "PO-000002" in there.problem.text() and "already" in there.problem.text()


def test_the_second_window_shows_the_po_sent_from_the_first(gui_backroom, sent_twice):
    po, _mug, there = sent_twice
    sent_on = gui_backroom.read(purchasing.detail, po).row.sent_at.astimezone().date()
    assert there.problem.text() == (f"PO-000002 was sent already on "
                                    f"{formatting.day(sent_on)}; nothing was sent again.")
    assert there.detail.row.status == "sent"  # read again: no Send button any more
    assert not there.buttons["send"].isVisibleTo(there)


def test_closing_a_partly_received_order_stops_expecting_the_rest(qtbot, gui_backroom,
                                                                   tmp_path, sent_order, said):
    po, (mug, bowl) = sent_order
    came = [Scan(mug.sku, 3)]
    where = gui_backroom.read(goods_in.check_delivery, po, came).bins[mug.sku].location
    gui_backroom.act(goods_in.book_delivery, None, po, came, {mug.sku: where})
    qtbot.addWidget(dialog := PurchaseOrdersDialog(lambda: gui_backroom, tmp_path))
    today = date.today()
    assert [dialog.model.data(dialog.model.index(0, c)) for c in range(9)] == [
        "PO-000001", "Kiln & Co. Ceramics", "Partly received", "2", "3 of 8", "£21.00",
        formatting.day(today), formatting.day(today), formatting.day(today + timedelta(6))]
    assert _rows(dialog.line_table, 0, 3, 4, 5, 6, 7)[mug.sku] == (
        "5", "3", "2", "£3.00", "£15.00")
    dialog.buttons["close"].click()
    assert said[-1] == "Close PO-000001? 5 units still to come will not be expected any more."
    assert dialog.detail.row.status == "closed" and dialog.detail.actions == ()
    assert "Partly received → Closed by" in dialog.history.text()
    assert "Closed with 5 units not delivered" in dialog.history.text()
    with gui_backroom.sessions() as s:
        on_order = dict(s.execute(reorder.on_order_query()).all())
    assert mug.id not in on_order and bowl.id not in on_order
    assert po not in [o.id for o in gui_backroom.read(goods_in.receivable_orders)]
