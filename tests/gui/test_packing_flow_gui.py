"""The packer at the bench: pick from the sorted list, move the order on, print its parcel
label, mark it shipped, and the channel hears of it; stock counted once, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from app.channels.base import Address, ChannelOrder, ChannelOrderLine, OrderState
from app.db.models import Location, Order, OrderLine, PrintJob, Product, Shipment, StockLevel
from app.domain.statuses import OrderStatus
from app.domain.stock import MovementReason
from app.printing.printers import PrinterConfig, PrinterKind
from app.services import locations, orders, printers, shipments, stock
from app.services.channel_import import import_orders
from app.services.printers import Use
from app.ui import printing_actions
from app.ui.dialogs.order_detail import OrderDialog
from app.ui.dialogs.parcel import ParcelDialog

S = OrderStatus
SELECT_ROW = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows


def _show(window, title: str):
    index = [p.title for p in window.tab_pages].index(title)
    window.tabs.setCurrentIndex(index)
    return window.tab_pages[index]


def _rows(tab) -> list:
    return [tab.model.row_at(i) for i in range(tab.model.rowCount())]


def _search(tab, text: str) -> None:
    tab.search.setText(text)
    tab.search.returnPressed.emit()  # what a scanner's Enter does


def _lines(backroom, order_id: int) -> list[OrderLine]:
    with backroom.sessions() as s:
        return list(s.scalars(select(OrderLine).where(OrderLine.order_id == order_id)))


def _levels(backroom, pids) -> dict[int, tuple[int, int]]:
    """Each product's (on hand, promised) over all its bins."""
    q = select(func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved))
    with backroom.sessions() as s:
        return {p: tuple(s.execute(q.where(StockLevel.product_id == p)).one()) for p in pids}


def _status(backroom, order_id: int) -> str:
    with backroom.sessions() as s:
        return s.get_one(Order, order_id).status


def _shipments(backroom, order_id: int) -> list[tuple[str, str]]:
    with backroom.sessions() as s:
        return [tuple(r) for r in s.execute(select(Shipment.carrier, Shipment.tracking_number)
                                            .where(Shipment.order_id == order_id))]


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    texts: list[str] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a: texts.append(a[2]))
    return texts


@pytest.fixture
def parcel(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The Mark shipped dialog, answered DPD / TRK123; records each time it is asked."""
    asked: list[int] = []

    def fill(dialog: ParcelDialog) -> int:
        dialog.carrier.setText("DPD"), dialog.tracking.setText("TRK123")
        return asked.append(1) or 1
    monkeypatch.setattr(ParcelDialog, "exec", fill)
    return asked


def _open_from_picking(monkeypatch, tab, row: int, *moves: S):
    """Double-click a pick-list row; in its order dialog press Move to … for each move."""
    def run(dialog: OrderDialog) -> int:
        for to in moves:
            dialog.move_buttons[str(to)].click()
        return 0
    monkeypatch.setattr(OrderDialog, "exec", run)
    tab.table.doubleClicked.emit(tab.model.index(row, 0))


def _move(tab, to: S) -> None:
    tab.table.selectRow(0)
    tab.move_selected(to)


def _short_order(backroom) -> tuple[int, int]:
    """An order for a mug whose every unit is promised to older orders: flagged Short."""
    with backroom.sessions() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == "MUG-0025"))
        levels = s.scalars(select(StockLevel).where(StockLevel.product_id == pid)).all()
    for lv in levels:  # every unit left is promised to an older order
        backroom.act(locations.adjust_stock, pid, lv.location_id, lv.reserved - lv.on_hand,
                     MovementReason.ADJUSTMENT, "dropped a box")
    o = ChannelOrder("short-1", "#9001", datetime.now(UTC), OrderState.OPEN, "GBP", "Sam",
                     shipping_address=Address("Sam", "1 Mill Lane", "", "Leeds", "", "LS1", "GB"),
                     lines=(ChannelOrderLine("MUG-0025", "Mug", 1, 1250),))
    with backroom.uow() as uow:
        made = import_orders(uow.session, 1, [o], source="test")
        uow.commit()
    assert made.flagged == ["#9001: Short: MUG-0025 (1 wanted, 0 free)"]
    backroom.act(orders.change_status, made.created_ids, S.READY_TO_PICK)
    return made.created_ids[0], pid


def test_one_order_from_the_pick_list_to_shipped_label_and_channel_told(
        window, gui_backroom, qtbot, monkeypatch, tmp_path, parcel, said):
    picking = _show(window, "Picking")
    before = picking.model.total
    qtbot.waitUntil(lambda: window.count_label.text() == f"{before} orders ready to pick")
    bin_col = [c.header for c in picking.columns].index("First bin")
    picking.table.horizontalHeader().setSortIndicator(bin_col, Qt.SortOrder.AscendingOrder)
    with gui_backroom.sessions() as s:
        walk = dict(s.execute(select(Location.code, Location.walk_sequence)).all())
    bins = [walk[r.first_bin] for r in _rows(picking) if r.first_bin]
    assert bins == sorted(bins) and len(bins) > 10  # walk order, as promised
    row = _rows(picking)[0]
    lines = _lines(gui_backroom, row.id)
    assert row.items == sum(ln.quantity for ln in lines)
    pids = {ln.product_id for ln in lines if not ln.needs_making}
    stock_before = _levels(gui_backroom, pids)

    _open_from_picking(monkeypatch, picking, 0, S.PICKING, S.PACKED)
    assert _status(gui_backroom, row.id) == "packed"
    assert row.id not in [r.id for r in _rows(picking)]  # the list refreshed at once
    qtbot.waitUntil(lambda: window.count_label.text() == f"{before - 1} orders ready to pick")

    pdf = tmp_path / "parcel.pdf"
    printers.save_printer(gui_backroom, None,
                          PrinterConfig("Bench PDF", PrinterKind.PDF_FILE, str(pdf)))
    printers.set_printer_use(gui_backroom, Use.PARCEL_LABELS, "Bench PDF")
    monkeypatch.setattr(printing_actions, "ask", lambda dialog: dialog.choice())
    window.print_sender.start_now()
    tab = _show(window, "Orders")
    tab.status.setCurrentIndex(tab.status.findData(str(S.PACKED)))
    _search(tab, row.number)
    assert [r.id for r in _rows(tab)] == [row.id]
    tab.table.selectRow(0)
    job = tab.print_parcel_labels()
    assert job is not None and said == []
    with gui_backroom.sessions() as s:
        assert s.get_one(PrintJob, job).data["records"][0]["order_number"] == row.number
    qtbot.waitUntil(lambda: pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), timeout=5000)
    qtbot.waitUntil(lambda: window.print_sender.send_job is None, timeout=5000)

    _move(tab, S.SHIPPED)
    assert parcel == [1] and said == []
    assert _status(gui_backroom, row.id) == "shipped"
    assert _shipments(gui_backroom, row.id) == [("DPD", "TRK123")]
    out = {p: sum(ln.quantity for ln in lines if ln.product_id == p and not ln.needs_making)
           for p in pids}
    assert _levels(gui_backroom, pids) == {
        p: (stock_before[p][0] - out[p], stock_before[p][1] - out[p]) for p in pids}
    assert all(ln.reserved == 0 for ln in _lines(gui_backroom, row.id))
    assert gui_backroom.read(stock.ledger_mismatches) == ()
    with gui_backroom.sessions() as s:
        channel = s.get_one(Order, row.id).channel_id
        told = [n for _i, n in shipments.notices_to_send(s, channel, 10_000)
                if n.order_number == row.number]
    assert [(n.carrier, n.tracking_number) for n in told] == [("DPD", "TRK123")]
    assert _rows(tab) == []  # gone from the Packed list
    qtbot.waitUntil(lambda: window.count_label.text() == f"0 orders match “{row.number}”")
    assert tab.stack.currentWidget() is tab.empty


def test_a_multi_line_order_ships_each_line_once_and_never_twice(
        window, gui_backroom, qtbot, parcel, said):
    with gui_backroom.sessions() as s:
        order_id, number = s.execute(select(Order.id, Order.number).join(OrderLine).where(
            Order.status == "ready_to_pick", OrderLine.product_id.is_not(None))
            .group_by(Order.id)
            .having(func.count() >= 3, func.max(OrderLine.needs_making) == 0)).first()
    lines = _lines(gui_backroom, order_id)
    pids = {ln.product_id for ln in lines}
    before = _levels(gui_backroom, pids)
    tab = _show(window, "Orders")
    _search(tab, number)
    assert [r.items for r in _rows(tab)] == [sum(ln.quantity for ln in lines)]
    for to in (S.PICKING, S.PACKED, S.SHIPPED):
        _move(tab, to)
    assert said == [] and _status(gui_backroom, order_id) == "shipped"
    after = _levels(gui_backroom, pids)
    for ln in lines:
        assert after[ln.product_id] == (before[ln.product_id][0] - ln.quantity,
                                        before[ln.product_id][1] - ln.quantity)
    _move(tab, S.SHIPPED)  # pressed again by mistake
    assert len(said) == 1 and "cannot become shipped" in said[0]
    assert "No order was changed." in said[0]
    assert _levels(gui_backroom, pids) == after and len(_shipments(gui_backroom, order_id)) == 1
    assert gui_backroom.read(stock.ledger_mismatches) == ()


def test_backing_out_of_mark_shipped_or_a_refused_batch_changes_nothing(
        window, gui_backroom, qtbot, monkeypatch, parcel, said):
    tab = _show(window, "Orders")
    rows = _rows(tab)
    packed = next(i for i, r in enumerate(rows) if r.status == "packed")
    ready = next(i for i, r in enumerate(rows) if r.status == "ready_to_pick")
    for i in (packed, ready):
        tab.table.selectionModel().select(tab.model.index(i, 0), SELECT_ROW)
    assert tab.move.text() == "Move 2 selected to"
    tab.move_selected(S.SHIPPED)  # all or nothing: the ready one cannot ship yet
    assert len(said) == 1 and said[0].startswith(f"Order {rows[ready].number}: ")
    assert "From ready to pick it can go to: picking, packed" in said[0]
    assert said[0].endswith("No order was changed.")
    assert _status(gui_backroom, rows[packed].id) == "packed"
    assert _status(gui_backroom, rows[ready].id) == "ready_to_pick"
    assert _shipments(gui_backroom, rows[packed].id) == []

    monkeypatch.setattr(ParcelDialog, "exec", lambda d: 0)  # Cancel in Mark shipped
    _search(tab, rows[packed].number)
    _move(tab, S.SHIPPED)
    assert len(said) == 1 and _status(gui_backroom, rows[packed].id) == "packed"
    assert _shipments(gui_backroom, rows[packed].id) == []


def test_cancelling_half_way_gives_the_stock_back_and_putting_back_relists(
        window, gui_backroom, qtbot, monkeypatch, said):
    picking = _show(window, "Picking")
    total = picking.model.total
    first, second = _rows(picking)[:2]
    lines = [ln for ln in _lines(gui_backroom, first.id) if not ln.needs_making]
    pids = {ln.product_id for ln in lines}
    before = _levels(gui_backroom, pids)
    _open_from_picking(monkeypatch, picking, 0, S.PICKING, S.CANCELLED)
    assert said == [] and _status(gui_backroom, first.id) == "cancelled"
    after = _levels(gui_backroom, pids)
    for ln in lines:
        assert after[ln.product_id] == (before[ln.product_id][0],
                                        before[ln.product_id][1] - ln.reserved)
    assert _shipments(gui_backroom, first.id) == []
    assert first.id not in [r.id for r in _rows(picking)]
    row = [r.id for r in _rows(picking)].index(second.id)
    _open_from_picking(monkeypatch, picking, row, S.PICKING, S.READY_TO_PICK)
    assert second.id in [r.id for r in _rows(picking)]
    qtbot.waitUntil(lambda: picking.model.total == total - 1 and not picking.model.count_pending)
    assert gui_backroom.read(stock.ledger_mismatches) == ()


def test_searching_the_pick_list_by_scan_sku_or_a_wrong_code(window, gui_backroom, qtbot):
    picking = _show(window, "Picking")
    row = _rows(picking)[-1]
    _search(picking, row.number)  # the parcel label's barcode, scanned
    assert [r.id for r in _rows(picking)] == [row.id]
    sku = _lines(gui_backroom, row.id)[0].sku
    _search(picking, sku)
    found = {r.id for r in _rows(picking)}
    with gui_backroom.sessions() as s:
        assert found == set(s.scalars(select(Order.id).join(OrderLine).where(
            Order.status == "ready_to_pick", OrderLine.sku == sku)))
    _search(picking, "9999999999999")
    assert picking.stack.currentWidget() is picking.empty
    assert picking.empty.text() == "No orders ready to pick match “9999999999999”."


def test_shipping_from_the_order_dialog_asks_for_carrier_and_tracking(
        window, gui_backroom, qtbot, parcel, said):
    with gui_backroom.sessions() as s:
        order_id = s.scalars(select(Order.id).where(Order.status == "packed")).first()
    dialog = OrderDialog(lambda: window.backroom, order_id, window)
    qtbot.addWidget(dialog)
    dialog.move_buttons["shipped"].click()
    assert _status(gui_backroom, order_id) == "shipped"
    assert parcel == [1] and _shipments(gui_backroom, order_id) == [("DPD", "TRK123")]


def test_a_short_order_does_not_ship_with_stock_promised_to_others(
        window, gui_backroom, qtbot, parcel, said):
    order_id, pid = _short_order(gui_backroom)
    gui_backroom.act(orders.change_status, [order_id], S.PICKING)
    gui_backroom.act(orders.change_status, [order_id], S.PACKED)
    tab = _show(window, "Orders")
    _search(tab, "#9001")
    _move(tab, S.SHIPPED)
    on_hand, reserved = _levels(gui_backroom, [pid])[pid]
    assert on_hand >= reserved, f"{reserved} promised to older orders, {on_hand} on the shelf"


def test_the_pick_list_warns_of_a_short_order(window, gui_backroom, qtbot):
    order_id, _pid = _short_order(gui_backroom)
    picking = _show(window, "Picking")
    picking.refresh()
    _search(picking, "#9001")
    assert [r.id for r in _rows(picking)] == [order_id]  # it is offered for picking...
    m = picking.model
    tips = [m.data(m.index(0, c), Qt.ItemDataRole.ToolTipRole) for c in range(len(m.columns))]
    assert any("Short" in (t or "") for t in tips)  # ...but nothing says it cannot be filled


def test_scanning_an_item_barcode_at_the_bench_finds_its_order(window, gui_backroom, qtbot):
    picking = _show(window, "Picking")
    row = _rows(picking)[0]
    with gui_backroom.sessions() as s:
        barcode = s.scalar(select(Product.barcode).join(OrderLine).where(
            OrderLine.order_id == row.id, Product.barcode != ""))
    _search(picking, barcode)
    assert row.id in [r.id for r in _rows(picking)]


def test_the_status_bar_says_one_order_matches(window, qtbot):
    picking = _show(window, "Picking")
    number = _rows(picking)[0].number
    _search(picking, number)
    qtbot.waitUntil(lambda: "“" in window.count_label.text())
    assert window.count_label.text() == f"1 order ready to pick matches “{number}”"


def test_the_first_bin_holds_the_item_when_two_bins_share_a_walk_position(
        window, gui_backroom, qtbot):
    picking = _show(window, "Picking")
    row = next(r for r in _rows(picking) if r.first_bin > "A-01-1")
    with gui_backroom.sessions() as s:
        other, shown = (s.scalars(select(Location).where(Location.code == c)).one()
                        for c in ("A-01-1", row.first_bin))
        pids = {ln.product_id for ln in _lines(gui_backroom, row.id)}
        assert other.id < shown.id and not s.scalar(select(func.sum(StockLevel.on_hand)).where(
            StockLevel.location_id == other.id, StockLevel.product_id.in_(pids)))
    gui_backroom.act(locations.save_location, other.id,
                     locations.LocationForm(other.code, other.name, shown.walk_sequence))
    picking.refresh()
    assert {r.id: r.first_bin for r in _rows(picking)}[row.id] == shown.code
