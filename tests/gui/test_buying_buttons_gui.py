"""Buying buttons no other GUI test drove: Reorder's Save settings and Make draft purchase
orders, a draft's Add line and Remove line, goods in's Undo last scan and Link to product….
Each is clicked as a person would, on a copy of the demo; the window and the database are read."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QMessageBox
from sqlalchemy import select

from app.db.models import Product, PurchaseOrder, SupplierProduct
from app.domain.access import Role, Viewer
from app.domain.reorder import ReorderSettings, ReorderStatus
from app.services import goods_in, locations, purchasing, reorder
from app.services.purchasing import LineIn
from app.ui.dialogs.goods_in import GoodsInDialog
from app.ui.dialogs.purchase_orders import PurchaseOrdersDialog
from app.ui.dialogs.reorder import ReorderDialog
from app.ui.ops import Ops

SPARE_EAN = "4006381333931"  # a valid EAN-13 that no demo product has
BAD_EAN = "4006381333932"  # its check digit is wrong: no barcode at all
BUYING = ReorderSettings(90, 365, 14, 2)  # over the demo's sales: some products to order


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch):  # type: ignore[no-untyped-def]
    """Offscreen, a box left open waits forever: each is answered and what it said kept."""
    said: list[tuple[str, str]] = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda _p, title, text, *a, **k: said.append(
            (title, text)) or QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    return said


def _shown(qtbot, dialog):  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _click_row(qtbot, view: QAbstractItemView, row: int, add: bool = False) -> None:
    index = view.model().index(row, 0)
    view.scrollTo(index)
    modifier = Qt.KeyboardModifier.ControlModifier if add else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier,
                     view.visualRect(index).center())


@pytest.fixture
def open_reorder(qtbot, gui_backroom):  # type: ignore[no-untyped-def]
    """Opens a Reorder window and waits for its list; its background jobs end with the test."""
    ops = Ops(lambda: gui_backroom)

    def open_it() -> ReorderDialog:
        dialog = _shown(qtbot, ReorderDialog(lambda: gui_backroom, ops))
        qtbot.waitUntil(lambda: dialog.result is not None and dialog.job is None,
                        timeout=10_000)
        return dialog

    yield open_it
    ops.wait_all()


def test_save_settings_keeps_them_and_recalculates(qtbot, gui_backroom, open_reorder):
    dialog = open_reorder()
    assert dialog.summary.text().startswith("0 to order now")  # the demo's defaults
    dialog.window_days.setValue(90)
    dialog.safety_days.setValue(365)
    dialog.minimum_sales.setValue(2)
    with qtbot.waitSignal(dialog.changesMade) as changed, \
            qtbot.waitSignal(dialog.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert changed.args[0].stock
    assert gui_backroom.read(reorder.reorder_settings) == BUYING
    assert dialog.result.settings == BUYING
    to_order = dialog.result.count(ReorderStatus.ORDER_NOW)
    assert to_order > 0 and dialog.summary.text().startswith(f"{to_order:,} to order now")
    assert open_reorder().settings() == BUYING  # opened again, it starts from them


def test_save_settings_refused_to_staff(qtbot, gui_backroom, open_reorder, no_modal_boxes):
    gui_backroom.sign_in(Viewer(None, "pat", "Pat", Role.STAFF))
    dialog = open_reorder()
    dialog.window_days.setValue(90)
    with qtbot.assertNotEmitted(dialog.changesMade):
        dialog.save_button.click()
    assert no_modal_boxes == [("Settings not saved", "Pat is signed in as staff and may not "
                               "change settings. Ask the owner if you need to.")]
    assert dialog.job is None  # nothing worked out again either
    assert gui_backroom.read(reorder.reorder_settings) == ReorderSettings()


def test_make_drafts_one_per_supplier(qtbot, gui_backroom, open_reorder, no_modal_boxes):
    gui_backroom.act(reorder.save_reorder_settings, BUYING)
    dialog = open_reorder()
    dialog.filter.setCurrentIndex(3)  # All
    rows = dialog.model.rows
    order_now = [i for i, r in enumerate(rows) if r.suggestion.status is ReorderStatus.ORDER_NOW]
    first = rows[order_now[0]].suggestion.supplier_id
    same = [i for i in order_now if rows[i].suggestion.supplier_id == first][:2]
    other = next(i for i in order_now if rows[i].suggestion.supplier_id != first)
    ok = next(i for i, r in enumerate(rows) if r.suggestion.status is ReorderStatus.OK)
    _click_row(qtbot, dialog.table, ok)
    assert not dialog.draft_button.isEnabled()  # nothing chosen needs ordering
    for i in (*same, other):
        _click_row(qtbot, dialog.table, i, add=True)
    chosen = [rows[i].suggestion for i in (*same, other)]
    with qtbot.waitSignal(dialog.changesMade), qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.draft_button.click()
    title, text = no_modal_boxes[-1]
    assert title == "Draft purchase orders" and text.startswith("Made PO-00000")
    assert f"\n{rows[ok].suggestion.sku}: enough in stock and on order now.\n" in text
    assert text.endswith("Review and send them in Purchase orders.")
    with gui_backroom.sessions() as s:
        drafts = [gui_backroom.read(purchasing.detail, po)
                  for po in s.scalars(select(PurchaseOrder.id))]
    assert {d.supplier_id for d in drafts} == {first, rows[other].suggestion.supplier_id}
    assert all(d.row.status == "draft" and f"{d.row.number} to {d.row.supplier} (" in text
               for d in drafts)
    assert {ln.sku: (ln.ordered, ln.unit_cost_minor) for d in drafts for ln in d.lines} == {
        s.sku: (s.order_qty, s.unit_cost.minor) for s in chosen}
    now = {r.suggestion.sku: r.suggestion for r in dialog.result.rows}
    assert all(now[s.sku].status is ReorderStatus.OK and now[s.sku].on_order == s.order_qty
               for s in chosen)  # on order now, so never suggested twice


def test_make_drafts_already_ordered_meanwhile(qtbot, gui_backroom, open_reorder,
                                               no_modal_boxes):
    gui_backroom.act(reorder.save_reorder_settings, BUYING)
    dialog = open_reorder()  # shows the "Order now" rows
    _click_row(qtbot, dialog.table, 0)
    wanted = dialog.model.rows[0].suggestion
    gui_backroom.act(reorder.make_draft_purchase_orders, [wanted.product_id])  # meanwhile
    with qtbot.assertNotEmitted(dialog.changesMade), \
            qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.draft_button.click()
    assert no_modal_boxes[-1] == ("Draft purchase orders", "No draft purchase order was made."
                                  f"\n{wanted.sku}: enough in stock and on order now.")
    assert dialog.made is not None and dialog.made.drafts == ()
    with gui_backroom.sessions() as s:
        assert len(s.scalars(select(PurchaseOrder)).all()) == 1  # only the other one's


@pytest.fixture
def draft(gui_backroom):  # type: ignore[no-untyped-def]
    """A draft to the first supplier for 2, 3 and 1 of three of its products; and a fourth."""
    supplier = gui_backroom.read(purchasing.supplier_choices)[0].id
    with gui_backroom.sessions() as s:
        mine = list(s.scalars(select(Product).join(
            SupplierProduct, SupplierProduct.product_id == Product.id)
            .where(SupplierProduct.supplier_id == supplier).order_by(Product.id).limit(4)))
    po = gui_backroom.act(purchasing.create_purchase_order, supplier, [
        LineIn(p.id, n, 100 * n) for p, n in zip(mine, (2, 3, 1), strict=False)])
    return po, mine


def _saved(backroom, po: int) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(ln.sku, ln.ordered) for ln in backroom.read(purchasing.detail, po).lines]


def test_add_line_merges_or_appends_and_names_unknown_codes(qtbot, gui_backroom, draft,
                                                            tmp_path):
    po, (a, b, c, d) = draft
    dialog = _shown(qtbot, PurchaseOrdersDialog(lambda: gui_backroom, tmp_path))
    assert dialog.detail.row.id == po and dialog.add_button.isVisible()
    qtbot.keyClicks(dialog.add_code, "NO-SUCH-THING")
    dialog.add_button.click()
    assert dialog.problem.text() == ("No product has the SKU, barcode or supplier code "
                                     "“NO-SUCH-THING”.")
    assert dialog.line_table.rowCount() == 3 and not dialog.dirty
    dialog.add_code.setText(a.sku.lower())  # any case finds it; it adds to its line
    dialog.add_quantity.setValue(4)
    qtbot.keyClick(dialog.add_code, Qt.Key.Key_Return)
    assert dialog.line_table.rowCount() == 3 and dialog.line_table.item(0, 3).text() == "6"
    assert dialog.add_code.text() == "" and dialog.add_quantity.value() == 1 and dialog.dirty
    qtbot.keyClicks(dialog.add_code, d.barcode)  # by barcode: a line of its own
    dialog.add_button.click()
    assert [dialog.line_table.item(r, 0).text() for r in range(4)] == [p.sku for p in draft[1]]
    assert _saved(gui_backroom, po) == [(a.sku, 2), (b.sku, 3), (c.sku, 1)]  # not saved yet
    with qtbot.waitSignal(dialog.changesMade):
        dialog.buttons["edit"].click()
    assert _saved(gui_backroom, po) == [(a.sku, 6), (b.sku, 3), (c.sku, 1), (d.sku, 1)]


def test_remove_line_drops_the_chosen_lines(qtbot, gui_backroom, draft, tmp_path):
    po, (_a, b, _c, _d) = draft
    dialog = _shown(qtbot, PurchaseOrdersDialog(lambda: gui_backroom, tmp_path))
    dialog.remove_button.click()  # nothing chosen: nothing goes
    assert dialog.line_table.rowCount() == 3 and not dialog.dirty
    _click_row(qtbot, dialog.line_table, 0)
    _click_row(qtbot, dialog.line_table, 2, add=True)
    dialog.remove_button.click()
    assert dialog.line_table.rowCount() == 1 and dialog.line_table.item(0, 0).text() == b.sku
    assert dialog.dirty and len(_saved(gui_backroom, po)) == 3
    with qtbot.waitSignal(dialog.changesMade):
        dialog.buttons["edit"].click()
    assert _saved(gui_backroom, po) == [(b.sku, 3)]
    assert gui_backroom.read(purchasing.detail, po).row.total_minor == 3 * 300


def _goods_in(qtbot, backroom, draft, tmp_path) -> GoodsInDialog:  # type: ignore[no-untyped-def]
    backroom.act(purchasing.send_purchase_order, draft[0], tmp_path)
    return _shown(qtbot, GoodsInDialog(lambda: backroom, draft[0]))


def _scan(qtbot, dialog: GoodsInDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    dialog.scan_box.clear()
    qtbot.keyClicks(dialog.scan_box, text)
    qtbot.keyClick(dialog.scan_box, Qt.Key.Key_Return)


def _on_hand(backroom, *products: Product) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return tuple(backroom.read(locations.product_stock, p.id).on_hand for p in products)


def test_undo_scan_takes_back_the_last_scan(qtbot, gui_backroom, draft, tmp_path):
    po, (a, b, c, _d) = draft
    dialog = _goods_in(qtbot, gui_backroom, draft, tmp_path)
    assert not dialog.undo_button.isEnabled()
    before = _on_hand(gui_backroom, a, b)
    _scan(qtbot, dialog, f"{a.sku} x 2")
    _scan(qtbot, dialog, f"{b.sku} x 3")
    assert dialog.table.item(1, 5).text() == "3"
    dialog.undo_button.click()
    assert dialog.message.text() == f"Took back the last scan: 3 × {b.sku}."
    assert dialog.table.item(1, 5).text() == "0" and dialog.table.item(1, 7).text() == "Short"
    assert dialog.summary.text().startswith("2 units scanned")
    with qtbot.waitSignal(dialog.changesMade):
        dialog.book_button.click()
    assert _on_hand(gui_backroom, a, b) == (before[0] + 2, before[1])
    received = {ln.sku: ln.received for ln in gui_backroom.read(purchasing.detail, po).lines}
    assert received == {a.sku: 2, b.sku: 0, c.sku: 0}
    dialog.undo_button.click()  # nothing left to take back: it stays as it is
    assert not dialog.undo_button.isEnabled() and dialog.scans == []


def test_link_unknown_refuses_mistakes_then_links(qtbot, gui_backroom, draft, tmp_path,
                                                  monkeypatch):
    a = draft[1][0]
    dialog = _goods_in(qtbot, gui_backroom, draft, tmp_path)
    emitted = []
    dialog.changesMade.connect(emitted.append)
    _scan(qtbot, dialog, BAD_EAN)
    dialog.ask_sku = lambda code: a.sku  # type: ignore[method-assign]
    dialog.link_button.click()
    assert dialog.message.text().startswith("The barcode was not linked: ")
    dialog.quantity.setValue(2)
    _scan(qtbot, dialog, SPARE_EAN)
    assert dialog.link_button.isVisible() and dialog.scans == []
    dialog.ask_sku = lambda code: ""  # type: ignore[method-assign]  # Cancel
    dialog.link_button.click()
    dialog.ask_sku = lambda code: "NOPE-1"  # type: ignore[method-assign]
    dialog.link_button.click()
    assert dialog.message.text() == "No product has the SKU 'NOPE-1'."
    assert dialog.link_button.isVisible() and emitted == [] and dialog.scans == []
    for code in (SPARE_EAN, BAD_EAN):  # neither was linked
        with pytest.raises(goods_in.UnknownBarcode):
            gui_backroom.read(goods_in.identify, code)
    dialog.ask_sku = lambda code: a.sku.lower()  # type: ignore[method-assign]
    dialog.link_button.click()  # No to replacing its barcode: nothing linked
    assert dialog.link_button.isVisible() and emitted == []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.link_button.click()
    assert emitted and emitted[0].products
    assert not dialog.link_button.isVisible() and dialog.unknown_code is None
    assert [(s.sku, s.quantity) for s in dialog.scans] == [(a.sku, 2)]
    assert dialog.message.text() == f"Added 2 × {a.sku} — {a.title}"
    assert gui_backroom.read(goods_in.identify, SPARE_EAN).product_id == a.id
