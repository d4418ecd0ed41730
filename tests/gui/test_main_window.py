"""The main window on the demo workshop: tabs show what the database holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.db.models import Order, OrderSearchTerm, Product, StatusChange
from app.domain.statuses import OrderStatus
from app.services import orders as order_service
from app.ui.main_window import MainWindow
from app.ui.tabs.base import SEARCH_DELAY_MS


def _ids(tab) -> list[int]:  # type: ignore[no-untyped-def]
    return [tab.model.row_at(i).id for i in range(tab.model.rowCount())]


def _show(window: MainWindow, title: str):  # type: ignore[no-untyped-def]
    index = [p.title for p in window.tab_pages].index(title)
    window.tabs.setCurrentIndex(index)
    return window.tab_pages[index]


def test_five_tabs_in_order(window):
    assert [window.tabs.tabText(i).split(" · ")[0] for i in range(window.tabs.count())] == [
        "Inventory", "Orders", "Suppliers", "Picking", "Finance"]


def test_the_suppliers_tab_counts_overdue_tasks_in_its_label(window, gui_backroom, qtbot):
    from app.services import supplier_tasks

    overdue = gui_backroom.read(supplier_tasks.overdue_count)
    assert overdue > 0, "the demo has overdue supplier tasks"
    suppliers = [p.title for p in window.tab_pages].index("Suppliers")
    qtbot.waitUntil(lambda: window.tabs.tabText(suppliers) == f"Suppliers · {overdue} overdue",
                    timeout=3000)


def test_a_task_opens_from_the_supplier_pane(window, gui_backroom, qtbot, monkeypatch):
    from app.ui.dialogs.task_detail import TaskDialog

    opened = []
    monkeypatch.setattr(TaskDialog, "exec", lambda d: opened.append(d.task_id) or 0)
    tab = _show(window, "Suppliers")
    for row in range(tab.model.rowCount()):
        tab.table.selectRow(row)
        qtbot.waitUntil(lambda: tab.pane.detail is not None, timeout=3000)
        if tab.pane.detail.open_tasks:
            break
    first = tab.pane.detail.open_tasks[0]
    tab.pane.open_tasks.cellDoubleClicked.emit(0, 0)
    assert opened == [first.id]


def _status_says(qtbot, window, text: str) -> None:  # type: ignore[no-untyped-def]
    """The count follows the rows a moment later, once they are painted."""
    qtbot.waitUntil(lambda: window.count_label.text() == text, timeout=3000)


def test_inventory_shows_the_first_page_of_products_by_sku(window, gui_backroom, qtbot):
    tab = _show(window, "Inventory")
    with gui_backroom.sessions() as s:
        expected = list(s.scalars(select(Product.id).order_by(Product.sku).limit(200)))
    assert _ids(tab) == expected
    _status_says(qtbot, window, "200 products")


def test_ctrl_number_keys_switch_tabs(window, qtbot):
    window.activateWindow()
    for n in (2, 5, 3, 1, 4):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{n}"),
                       Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentIndex() == n - 1


def test_switching_tabs_loads_each_once_and_shows_its_count(window, qtbot):
    for title, text in (("Orders", "2,000 orders"), ("Suppliers", "6 suppliers"),
                        ("Picking", "orders ready to pick"), ("Finance", "3 channels")):
        tab = _show(window, title)
        assert tab.loaded
        assert window.count_label.text() in ("Counting…", "Adding up…") or text in \
            window.count_label.text()
        qtbot.waitUntil(lambda t=text: t in window.count_label.text(), timeout=3000)


def test_searching_orders_shows_exactly_the_matching_orders(window, gui_backroom, qtbot):
    tab = _show(window, "Orders")
    qtbot.keyClicks(tab.search, "smith")
    qtbot.wait(SEARCH_DELAY_MS + 50)
    with gui_backroom.sessions() as s:
        expected = set(s.scalars(
            select(OrderSearchTerm.order_id).where(OrderSearchTerm.term >= "smith",
                                                   OrderSearchTerm.term < "smiti")))
    assert expected, "the demo has customers called Smith"
    assert set(_ids(tab)) == expected
    _status_says(qtbot, window, f"{len(expected):,} orders match “smith”")
    for i in range(tab.model.rowCount()):
        assert "smith" in tab.model.row_at(i).customer.lower()


def test_a_search_with_no_match_says_so(window, qtbot):
    tab = _show(window, "Orders")
    tab.search.setText("zzznotacustomer")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.model.rowCount() == 0
    assert tab.stack.currentWidget() is tab.empty
    assert "No orders match" in tab.empty.text()


def test_clicking_a_header_sorts_in_the_database(window, gui_backroom, qtbot):
    tab = _show(window, "Orders")
    total_col = [c.header for c in tab.columns].index("Total")
    tab.table.horizontalHeader().setSortIndicator(total_col, Qt.SortOrder.DescendingOrder)
    with gui_backroom.sessions() as s:
        expected = list(s.scalars(select(Order.id).order_by(Order.total_minor.desc(),
                                                            Order.id.desc()).limit(200)))
    assert _ids(tab) == expected


def test_scrolling_fetches_the_next_page_in_order(window, gui_backroom):
    tab = _show(window, "Orders")
    assert tab.model.rowCount() == 200
    assert tab.model.canFetchMore()
    tab.model.fetchMore()
    with gui_backroom.sessions() as s:
        expected = list(s.scalars(select(Order.id).order_by(Order.placed_at.desc(),
                                                            Order.id.desc()).limit(400)))
    assert _ids(tab) == expected


def test_status_filter_shows_only_that_status(window, gui_backroom, qtbot):
    tab = _show(window, "Orders")
    tab.status.setCurrentIndex(tab.status.findData(str(OrderStatus.ON_HOLD)))
    with gui_backroom.sessions() as s:
        expected = set(s.scalars(select(Order.id).where(Order.status == "on_hold")))
    assert set(_ids(tab)) == expected
    _status_says(qtbot, window, f"{len(expected)} orders")


@pytest.mark.parametrize("title", ["Inventory", "Orders", "Suppliers", "Picking", "Finance"])
def test_each_table_model_is_a_well_behaved_qt_model(window, qtmodeltester, qtbot, title):
    tab = _show(window, title)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=5000)
    qtmodeltester.check(tab.model, force_py=True)


def test_finance_adds_up_the_month_in_the_background(window, gui_backroom, qtbot):
    from app.services import finance

    tab = _show(window, "Finance")
    assert tab.adding_up
    assert tab.stack.currentWidget() is tab.empty
    assert tab.empty.text().startswith("Adding up ")
    qtbot.waitUntil(lambda: not tab.adding_up and tab.model.rowCount() > 0, timeout=5000)
    month = tab.month.currentData()
    expected = gui_backroom.read(finance.month_by_channel, month.year, month.month)
    assert [tab.model.row_at(i) for i in range(tab.model.rowCount())] == list(expected)
    assert window.count_label.text() == f"{len(expected)} channels"
    assert tab.summary.text().startswith("Margin: ")
    margin_col = [c.header for c in tab.columns].index("Margin")
    tab.table.horizontalHeader().setSortIndicator(margin_col, Qt.SortOrder.DescendingOrder)
    margins = [tab.model.row_at(i).margin_minor for i in range(tab.model.rowCount())]
    assert margins == sorted(margins, reverse=True)
    assert not tab.adding_up  # sorting the month's rows asked nothing of the database


def test_choosing_another_month_adds_that_month_up(window, gui_backroom, qtbot):
    from app.services import finance

    tab = _show(window, "Finance")
    qtbot.waitUntil(lambda: not tab.adding_up, timeout=5000)
    tab.month.setCurrentIndex(1)
    month = tab.month.currentData()
    qtbot.waitUntil(lambda: not tab.adding_up, timeout=5000)
    expected = gui_backroom.read(finance.month_by_channel, month.year, month.month)
    assert [tab.model.row_at(i) for i in range(tab.model.rowCount())] == list(expected)


def test_moving_selected_orders_records_who_and_refreshes_picking(window, gui_backroom, qtbot):
    picking = _show(window, "Picking")
    before = picking.model.total
    tab = _show(window, "Orders")
    tab.status.setCurrentIndex(tab.status.findData(str(OrderStatus.READY_TO_PICK)))
    tab.table.selectRow(0)
    order = tab.model.row_at(0)
    tab.move_selected(OrderStatus.PICKING)
    with gui_backroom.sessions() as s:
        assert s.get(Order, order.id).status == "picking"
        change = s.scalars(select(StatusChange).where(StatusChange.entity == "order",
                                                      StatusChange.entity_id == order.id)
                           .order_by(StatusChange.id.desc())).first()
    assert (change.from_status, change.to_status, change.actor) == (
        "ready_to_pick", "picking", gui_backroom.actor)
    assert order.id not in _ids(tab)  # the filtered list reloaded
    picking = _show(window, "Picking")
    assert picking.model.total == before - 1


def test_an_illegal_move_is_explained_and_changes_nothing(window, gui_backroom, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    tab = _show(window, "Orders")
    tab.status.setCurrentIndex(tab.status.findData(str(OrderStatus.DELIVERED)))
    tab.table.selectRow(0)
    order = tab.model.row_at(0)
    tab.move_selected(OrderStatus.PICKING)
    assert warnings and order.number in warnings[0] and "cannot become picking" in warnings[0]
    with gui_backroom.sessions() as s:
        assert s.get(Order, order.id).status == "delivered"


def test_order_dialog_shows_lines_history_and_moves_the_order(window, gui_backroom, qtbot):
    from app.ui.dialogs.order_detail import OrderDialog

    with gui_backroom.sessions() as s:
        order = s.scalars(select(Order).where(Order.status == "packed")).first()
        n_lines = len(order.lines)
    dialog = OrderDialog(lambda: window.backroom, order.id, window)
    qtbot.addWidget(dialog)
    assert dialog.lines.rowCount() == n_lines
    assert dialog.history.rowCount() >= 4  # new -> ready to pick -> picking -> packed
    assert set(dialog.move_buttons) == {"shipped", "ready_to_pick", "on_hold", "cancelled"}
    dialog.move_buttons["on_hold"].click()
    assert gui_backroom.read(order_service.detail, order.id).row.status == "on_hold"
    assert "on_hold" not in dialog.move_buttons  # the dialog shows the new state
    assert dialog.history.item(dialog.history.rowCount() - 1, 1).text() == "Packed → On hold"


def test_window_remembers_its_size_and_last_tab(qtbot, gui_backroom):
    first = MainWindow(gui_backroom)
    qtbot.addWidget(first)
    first.show()
    first.resize(1100, 700)
    first.tabs.setCurrentIndex(3)
    first.close()
    second = MainWindow(gui_backroom)
    qtbot.addWidget(second)
    assert second.tabs.currentIndex() == 3
    assert (second.width(), second.height()) == (1100, 700)


def test_opening_a_file_that_is_not_a_database_keeps_the_current_one(
        window, tmp_path: Path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    notes = tmp_path / "notes.sqlite"
    notes.write_text("shopping list: tape, boxes\n")
    title = window.windowTitle()
    assert window.open_database(notes) is False
    assert str(notes) in warnings[0] and "not a Backroom database" in warnings[0]
    assert notes.read_text() == "shopping list: tape, boxes\n"
    assert window.windowTitle() == title


@pytest.fixture
def answers_first_run(monkeypatch):  # type: ignore[no-untyped-def]
    """A new database asks who its owner is; answer as a one-person shop would."""
    from app.ui.dialogs import sign_in

    def set_up(dialog):  # type: ignore[no-untyped-def]
        dialog.username.setText("ada")
        dialog.ask.setChecked(False)
        dialog.set_up()
        return dialog.result()

    monkeypatch.setattr(sign_in.FirstRunDialog, "exec", set_up)


def test_opening_a_new_database_file_shows_it_empty(window, tmp_path: Path,
                                                    answers_first_run):
    fresh = tmp_path / "shop.sqlite"
    assert window.open_database(fresh)
    assert window.windowTitle() == "Backroom — shop.sqlite"
    tab = window.current_tab()
    assert tab.model.rowCount() == 0
    assert tab.empty.text() == f"No {tab.noun[1]} yet."


def test_back_up_now_copies_the_database_in_the_background(window, qtbot):
    progress = []
    job = window.back_up()
    job.progress.connect(lambda d, t: progress.append((d, t)))
    assert window.cancel_button.isVisible()
    with qtbot.waitSignal(job.finished, timeout=10000) as blocker:
        pass
    backup: Path = blocker.args[0]
    assert backup.parent == window.backroom.config.backups_dir
    assert backup.read_bytes()[:16] == b"SQLite format 3\x00"
    assert progress and progress[-1][0] == progress[-1][1]
    assert "Backed up to" in window.statusBar().currentMessage()
    assert not window.cancel_button.isVisible()


def test_open_database_accepts_a_new_file_name_for_an_empty_workshop(
        window, tmp_path: Path, monkeypatch, answers_first_run):
    from PySide6.QtWidgets import QFileDialog

    new_file = tmp_path / "second-shop.sqlite"
    monkeypatch.setattr(QFileDialog, "exec", lambda self: (
        self.fileMode() == QFileDialog.FileMode.AnyFile))
    monkeypatch.setattr(QFileDialog, "selectedFiles", lambda self: [str(new_file)])
    window.choose_database()
    assert new_file.exists()
    assert window.windowTitle() == "Backroom — second-shop.sqlite"
    assert window.current_tab().model.rowCount() == 0


def test_finance_search_keeps_the_matching_channels(window, qtbot):
    tab = _show(window, "Finance")
    qtbot.waitUntil(lambda: not tab.adding_up and tab.model.rowCount() == 3, timeout=5000)
    tab.search.setText("etsy")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert [tab.model.row_at(i).channel for i in range(tab.model.rowCount())] == ["Etsy shop"]
    tab.search.setText("gbp")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert [tab.model.row_at(i).currency for i in range(tab.model.rowCount())] == ["GBP"]
    tab.search.setText("amazon")
    qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.stack.currentWidget() is tab.empty
    assert tab.empty.text() == "No channels match “amazon”."


def test_closing_the_sign_in_of_another_database_keeps_the_current_one(
        window, tmp_path: Path, monkeypatch):
    from app.bootstrap import open_backroom
    from app.config import load_config
    from app.services import users
    from app.ui.dialogs import sign_in

    other = tmp_path / "locked-shop.sqlite"
    backroom = open_backroom(load_config(f"sqlite:///{other}"))
    users.create_owner(backroom.uow(), "ada", "Ada", "engine-123", "engine-123")
    backroom.close()
    monkeypatch.setattr(sign_in.SignInDialog, "exec", lambda _d: 0)
    title = window.windowTitle()
    assert window.open_database(other) is False
    assert window.windowTitle() == title
    assert window.current_tab().model.rowCount() > 0


def test_users_menu_is_for_the_owner_only(qtbot, gui_backroom):
    from app.domain.access import Role, Viewer
    from app.services import users

    gui_backroom.sign_in(gui_backroom.read(users.the_owner))
    owner_window = MainWindow(gui_backroom)
    qtbot.addWidget(owner_window)
    assert owner_window.users_action.isEnabled()
    gui_backroom.sign_in(Viewer(None, "pat", "Pat", Role.STAFF))
    staff_window = MainWindow(gui_backroom)
    qtbot.addWidget(staff_window)
    assert not staff_window.users_action.isEnabled()
    assert staff_window.users_action.toolTip() == "Only the owner manages users"
    finance = [p.title for p in staff_window.tab_pages].index("Finance")
    assert not staff_window.tabs.isTabVisible(finance)  # staff see no finance
    assert not staff_window.view_actions[finance].isEnabled()
    assert owner_window.tabs.isTabVisible(finance)
    for action in (staff_window.task_settings_action, *staff_window.settings_only_actions):
        assert not action.isEnabled()
        assert action.toolTip() == "Only the owner changes settings"
    assert [a.text() for a in staff_window.settings_only_actions] == [
        "&E-mail…", "Message &templates…"]
    assert all(a.isEnabled() for a in owner_window.settings_only_actions)


def test_overdue_tasks_are_announced_once_and_the_window_hears_of_it(window, gui_backroom):
    from app.db.models import Notification

    with gui_backroom.sessions() as s:
        before = s.query(Notification).filter(Notification.kind == "task_overdue").count()
    heard = []
    window.changed.connect(heard.append)
    first = window.check_overdue()
    with gui_backroom.sessions() as s:
        after = s.query(Notification).filter(Notification.kind == "task_overdue").count()
    assert after > before, "the demo has overdue tasks nobody was told about"
    assert heard and heard[-1] == first
    window.check_overdue()  # an hour later: nothing new to tell
    with gui_backroom.sessions() as s:
        assert s.query(Notification).filter(Notification.kind == "task_overdue").count() == after


def test_background_checks_run_hourly(window, qtbot, monkeypatch):
    calls = []
    monkeypatch.setattr(window, "check_overdue", lambda: calls.append(1))
    window.start_background_checks()
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=2000)
    assert window.overdue_timer.isActive()
    assert window.overdue_timer.interval() == 60 * 60 * 1000
    window.overdue_timer.stop()


def test_marking_an_order_shipped_asks_for_the_parcel_and_records_it(qtbot, window,
                                                                     monkeypatch):
    from sqlalchemy import select

    from app.db.models import Order, Shipment
    from app.domain.statuses import OrderStatus

    tab = window.page_at(1)
    window.tabs.setCurrentIndex(1)
    tab.status.setCurrentIndex(tab.status.findData("packed"))
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    tab.table.selectRow(0)
    order_id = tab.selected_rows()[0].id
    monkeypatch.setattr(tab, "ask_parcel", lambda n: None)  # cancelled: nothing happens
    tab.move_selected(OrderStatus.SHIPPED)
    with window.backroom.sessions() as s:
        assert s.get_one(Order, order_id).status == "packed"
    monkeypatch.setattr(tab, "ask_parcel", lambda n: ("Royal Mail", "RM123456785GB"))
    tab.move_selected(OrderStatus.SHIPPED)
    with window.backroom.sessions() as s:
        assert s.get_one(Order, order_id).status == "shipped"
        parcel = s.scalars(select(Shipment).where(Shipment.order_id == order_id)).one()
        assert (parcel.carrier, parcel.tracking_number) == ("Royal Mail", "RM123456785GB")


def test_the_file_menu_imports_orders_and_exports_shipments(qtbot, window, monkeypatch):
    from app.ui.dialogs.export_shipments import ExportShipmentsDialog
    from app.ui.dialogs.import_orders import ImportOrdersDialog

    opened = []
    monkeypatch.setattr(ImportOrdersDialog, "exec", lambda self: opened.append(type(self)))
    monkeypatch.setattr(ExportShipmentsDialog, "exec", lambda self: opened.append(type(self)))
    assert window.import_action.isEnabled() and window.export_shipments_action.isEnabled()
    window.import_action.trigger()
    window.export_shipments_action.trigger()
    assert opened == [ImportOrdersDialog, ExportShipmentsDialog]


def test_the_stock_room_menu_opens_each_window(qtbot, window):
    from PySide6.QtWidgets import QDialog

    opened = []
    for name in ("bins", "checks", "purchase_orders", "goods_in", "reorder"):
        dialog = window.show_stock_room(name)
        assert isinstance(dialog, QDialog) and dialog.isVisible()
        opened.append(type(dialog).__name__)
        dialog.close()
    window.ops.wait_all()
    assert opened == ["LocationsDialog", "StockChecksDialog", "PurchaseOrdersDialog",
                      "GoodsInDialog", "ReorderDialog"]
    assert all(a.isEnabled() for a in window.stock_actions)


def test_the_inventory_tab_shows_a_products_history(qtbot, window):
    tab = window.page_at(0)
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    assert not tab.stock_button.isEnabled()
    tab.table.selectRow(0)
    assert tab.stock_button.isEnabled() and tab.history_action.isEnabled()
    dialog = tab.show_history()
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_variants_can_be_shown_under_their_parent(qtbot, window, gui_backroom):
    from sqlalchemy import select

    from app.db.models import Product

    with gui_backroom.sessions() as s:
        parent, *rest = s.scalars(select(Product).where(Product.made_to_order.is_(False))
                                  .order_by(Product.id)).all()
        variant = rest[-1]  # sorts last by SKU
        variant.parent_id = parent.id
        s.commit()
        parent_id, variant_id = parent.id, variant.id
    tab = window.page_at(0)
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    tab.group.setChecked(True)
    ids = [tab.model.row_at(i).id for i in range(3)]
    assert ids[ids.index(parent_id) + 1] == variant_id
    title = tab.model.index(ids.index(variant_id), 2).data()
    assert title.startswith("    ↳ ")
    tab.group.setChecked(False)
    assert tab.model.request.sort == "sku"
