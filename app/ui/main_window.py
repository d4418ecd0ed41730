"""The main window: five tabs over one workshop database, menus, and a status bar.

The window paints before the database layer is even imported: it is built as a shell
(tabs, menus, "Opening…"), shown, and the open database is attached right after the
first paint. So Backroom appears as fast as a bare Qt window does.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from app import __version__
from app.config import Config, database_name
from app.domain.changes import EVERYTHING, Changes
from app.ui.ops import Job, JobContext, Ops
from app.ui.widgets.notifier import Notifier

if TYPE_CHECKING:
    from app.services.context import Backroom
    from app.ui.print_sender import PrintSender
    from app.ui.supplier_window import SupplierWindow
    from app.ui.sync_scheduler import SyncScheduler
    from app.ui.tabs.base import ListTab

TAB_TITLES = ("Inventory", "Orders", "Suppliers", "Picking", "Finance")
OVERDUE_CHECK_MS = 60 * 60 * 1000


_TAB_CLASSES = (("app.ui.tabs.inventory", "InventoryTab"), ("app.ui.tabs.orders", "OrdersTab"),
                ("app.ui.tabs.suppliers", "SuppliersTab"), ("app.ui.tabs.picking", "PickingTab"),
                ("app.ui.tabs.finance", "FinanceTab"))


def tab_type(i: int) -> type[ListTab]:
    """The class of tab i, importing only its own module (start-up builds one tab)."""
    module, name = _TAB_CLASSES[i]
    return getattr(importlib.import_module(module), name)


class MainWindow(QMainWindow):
    """Holds the open Backroom (never a Session) and tells tabs what changed."""

    changed = Signal(object)  # Changes: one app-wide signal, each tab reloads what it shows
    painted = Signal()  # once, right after the first paint

    def __init__(self, backroom: Backroom | None = None, *, config: Config | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        if backroom is None and config is None:
            raise ValueError("MainWindow needs an open Backroom or the Config to open")
        self.config: Config = backroom.config if backroom is not None else config  # type: ignore[union-attr,assignment]
        self.backroom: Backroom | None = None
        self.ops = Ops(lambda: self.backroom, self)  # type: ignore[arg-type,return-value]
        self.settings = QSettings(str(self.config.data_dir / "window.ini"),
                                  QSettings.Format.IniFormat)
        self.setMinimumSize(960, 600)
        self._painted = False
        self.supplier_window: SupplierWindow | None = None  # when a supplier signs in
        self.sync_scheduler: SyncScheduler | None = None  # made once a database is open
        self.print_sender: PrintSender | None = None  # likewise

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self._pages: list[ListTab | None] = [None] * len(TAB_TITLES)  # built when needed
        for title in TAB_TITLES:
            waiting = QLabel(f"Opening {database_name(self.config.database_url)}…",
                             alignment=Qt.AlignmentFlag.AlignCenter)
            waiting.setStyleSheet("color: #6b6b6b; font-size: 14px;")
            self.tabs.addTab(waiting, title)
        self.setCentralWidget(self.tabs)
        self.changed.connect(self._apply_changes)

        self._build_status_bar()
        self._build_menus()
        self.ops.started.connect(self._job_started)
        self.ops.ended.connect(self._job_ended)
        self._update_title()

        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        last = int(self.settings.value("window/tab", 0))
        self.tabs.setCurrentIndex(last if 0 <= last < len(TAB_TITLES) else 0)
        self.tabs.currentChanged.connect(self._tab_shown)
        if backroom is not None:
            self.attach(backroom)

    # --- building -----------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.count_label = QLabel()
        bar.addWidget(self.count_label, 1)
        self.job_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.ops.cancel_all)
        for w in (self.job_label, self.progress, self.cancel_button):
            w.hide()
            bar.addPermanentWidget(w)
        self.database_label = QLabel()
        self.database_label.setStyleSheet("color: #6b6b6b; padding: 0 6px;")
        bar.addPermanentWidget(self.database_label)
        self.notifier = Notifier(self)  # the unread count; the e-mail sender
        bar.addPermanentWidget(self.notifier.button)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(file_menu, "&Open database…", self.choose_database,
                                        QKeySequence.StandardKey.Open)
        self.backup_action = self._action(file_menu, "&Back up now", self.back_up,
                                          "Ctrl+Shift+B")
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, "&Import orders…", self.import_orders,
                                          "Ctrl+I")
        self.export_shipments_action = self._action(file_menu, "&Export shipments…",
                                                    self.export_shipments)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        view = self.menuBar().addMenu("&View")
        self.view_actions = [
            self._action(view, title, lambda _c=False, i=i: self.tabs.setCurrentIndex(i),
                         f"Ctrl+{i + 1}") for i, title in enumerate(TAB_TITLES)]
        view.addSeparator()
        self.refresh_action = self._action(view, "&Refresh",
                                           lambda: self.changed.emit(EVERYTHING),
                                           QKeySequence.StandardKey.Refresh)
        self.sync_log_action = self._action(view, "S&ync log…", self.show_sync_log)
        self.print_queue_action = self._action(
            view, "&Print queue…", lambda _c=False: self.show_printing("show_queue"))

        stock = self.menuBar().addMenu("S&tock room")
        self.stock_actions = [
            self._action(stock, title, lambda _c=False, n=name: self.show_stock_room(n))
            for title, name in (("&Bins…", "bins"), ("Stock &checks…", "checks"),
                                ("&Purchase orders…", "purchase_orders"),
                                ("&Goods in…", "goods_in"), ("&Reorder…", "reorder"))]

        settings_menu = self.menuBar().addMenu("&Settings")
        self.users_action = self._action(settings_menu, "&Users…", self.manage_users)
        self.task_settings_action = self._action(settings_menu, "&Supplier tasks…",
                                                 self.task_settings)
        self.channels_action = self._action(settings_menu, "&Channels…", self.show_channels)
        self.printers_action = self._action(
            settings_menu, "&Printers…", lambda _c=False: self.show_printing("show_printers"))
        self.label_templates_action = self._action(
            settings_menu, "&Label templates…",
            lambda _c=False: self.show_printing("show_templates"))
        settings_menu.addSeparator()
        notify_actions = self.notifier.fill_settings_menu(settings_menu)
        self.settings_only_actions = [a for a in notify_actions if "Outbox" not in a.text()]

        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = self._action(help_menu, "&About Backroom", self.about)
        self._database_actions = (self.open_action, self.backup_action, self.refresh_action,
                                  self.sync_log_action, self.about_action, self.import_action,
                                  self.export_shipments_action, self.print_queue_action,
                                  self.printers_action, self.label_templates_action,
                                  *self.stock_actions, *notify_actions)
        for action in self._database_actions:
            action.setEnabled(False)

    def _action(self, menu, text, slot, shortcut=None) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def attach(self, backroom: Backroom) -> None:
        """Put the open database behind the tabs (the first time, or after Open database).

        Only the tab in view is built now; the others follow once its first page shows.
        A supplier gets a window of its own instead (see hand_to_supplier).
        """
        if backroom.viewer is not None and backroom.viewer.is_supplier:
            self.hand_to_supplier(backroom)
            return
        old, self.backroom = self.backroom, backroom
        if self.sync_scheduler is None:
            from app.ui.sync_scheduler import SyncScheduler

            self.sync_scheduler = SyncScheduler(self)
        self.sync_scheduler.attach()
        if self.print_sender is None:
            from app.ui.print_sender import PrintSender

            self.print_sender = PrintSender(self)
        self.print_sender.attach()
        self.config = backroom.config
        if old is not None:
            old.close()
            for page in self._built():
                page.loaded = False
        for action in self._database_actions:
            action.setEnabled(True)
        self._apply_role()
        self._update_title()
        if self._painted:
            self._tab_shown(self.tabs.currentIndex())
        QTimer.singleShot(0, self._after_first_page)

    def hand_to_supplier(self, backroom: Backroom) -> None:
        """A supplier signed in: show "My tasks" in a window of its own and put the shop's
        window away, closing any database it had open."""
        from app.ui.supplier_window import SupplierWindow

        self.notifier.stop()
        if self.sync_scheduler is not None:
            self.sync_scheduler.stop()
        if self.print_sender is not None:
            self.print_sender.stop()
        self.ops.wait_all()
        if self.backroom is not None:
            self.backroom.close()
            self.backroom = None
        self.supplier_window = SupplierWindow(backroom)
        self.supplier_window.show()
        self.hide()

    def _after_first_page(self) -> None:
        if self.backroom is not None:
            self.notifier.attach()  # the unread count and the mail sender
            _ = self.tab_pages  # build the rest
            self._update_tab_titles()  # counts follow the first page

    @property
    def tab_pages(self) -> list[ListTab]:
        """Every tab, built if it was not yet."""
        return [self.page_at(i) for i in range(len(TAB_TITLES))]

    def _built(self) -> list[ListTab]:
        return [p for p in self._pages if p is not None]

    def page_at(self, i: int) -> ListTab:
        page = self._pages[i]
        if page is None:
            page = tab_type(i)(lambda: self.backroom, self.ops, self.tabs)  # type: ignore[arg-type,return-value]
            page.countChanged.connect(self._show_count)
            page.titleChanged.connect(lambda text, i=i: self.tabs.setTabText(i, text))
            page.changesMade.connect(self.changed.emit)
            page.rowActivated.connect(lambda row, p=page: self._open_row(p, row))
            current = self.tabs.currentIndex()
            self.tabs.blockSignals(True)
            placeholder = self.tabs.widget(i)
            self.tabs.removeTab(i)
            self.tabs.insertTab(i, page, page.title)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            placeholder.deleteLater()
            self._pages[i] = page
            self._apply_role()
        return page

    def _update_tab_titles(self) -> None:
        if self.backroom is not None:
            for page in self._built():
                page.update_title()

    def _apply_role(self) -> None:
        """Offer only what the signed-in person may do (the services refuse the rest)."""
        from app.domain.access import Can

        viewer = self.backroom.viewer if self.backroom is not None else None
        finance = TAB_TITLES.index("Finance")
        sees_finance = viewer is None or viewer.can(Can.SEE_FINANCE)
        self.tabs.setTabVisible(finance, sees_finance)
        self.view_actions[finance].setEnabled(sees_finance)
        if not sees_finance and self.tabs.currentIndex() == finance:
            self.tabs.setCurrentIndex(0)
        self.users_action.setEnabled(viewer is not None and viewer.can(Can.MANAGE_USERS))
        self.users_action.setToolTip("" if self.users_action.isEnabled()
                                     else "Only the owner manages users")
        changes_settings = viewer is not None and viewer.can(Can.CHANGE_SETTINGS)
        for action in (self.task_settings_action, self.channels_action, self.printers_action,
                       self.label_templates_action, *self.settings_only_actions):
            action.setEnabled(changes_settings)
            action.setToolTip("" if changes_settings else "Only the owner changes settings")

    def start_background_checks(self) -> None:
        """Hourly, and once now: tell the owner about tasks that have become overdue and
        products whose free stock fell below their minimum level."""
        if self.backroom is None:  # nothing open, or a supplier's window took over
            return
        self.overdue_timer = QTimer(self, interval=OVERDUE_CHECK_MS)
        self.overdue_timer.timeout.connect(self.check_overdue)
        self.overdue_timer.timeout.connect(self.check_low_stock)
        self.overdue_timer.start()
        QTimer.singleShot(0, self.check_overdue)
        QTimer.singleShot(0, self.check_low_stock)
        if self.sync_scheduler is not None:
            self.sync_scheduler.start()  # API channels sync in the background
        if self.print_sender is not None:
            self.print_sender.start()  # the print queue is sent in the background

    def check_low_stock(self) -> Job | None:
        """Low-stock notices, worked out in the background (a second or two at 100,000
        products); each product is told once until it recovers."""
        from app.services.reorder import check_low_stock

        if self.backroom is None:
            return None

        def work(ctx: JobContext) -> object:
            return check_low_stock(ctx.backroom.uow())

        return self.ops.run("Checking stock levels", work, writes=True, quiet=True,
                            on_finished=lambda result: self._low_stock_checked(result),
                            on_failed=lambda message: None)

    def _low_stock_checked(self, result: object) -> None:
        if getattr(result, "told", 0):
            self.notifier.refresh_count()

    def check_overdue(self) -> Changes | None:
        """A quick write (each late task is told once), so it runs as any action does."""
        from app.domain.errors import DomainError
        from app.services.supplier_tasks import announce_overdue_tasks

        if self.backroom is None:
            return None
        try:
            changes = self.backroom.act(announce_overdue_tasks)
        except DomainError as exc:  # e.g. another program holds the database: next hour
            self.statusBar().showMessage(f"Could not check for overdue tasks: {exc}", 15000)
            return None
        self.changed.emit(changes)
        return changes

    def import_orders(self) -> None:
        """File > Import orders…: channel report files in, in the background."""
        from app.ui.dialogs.import_orders import ImportOrdersDialog

        if self.backroom is None:
            return
        dialog = ImportOrdersDialog(lambda: self.backroom, self.ops, self)  # type: ignore[arg-type,return-value]
        dialog.changesMade.connect(self.changed.emit)
        dialog.exec()

    def export_shipments(self) -> None:
        """File > Export shipments…: the upload file for a channel read from report files."""
        from app.ui.dialogs.export_shipments import ExportShipmentsDialog

        if self.backroom is None:
            return
        dialog = ExportShipmentsDialog(lambda: self.backroom, self.config.exports_dir, self)  # type: ignore[arg-type,return-value]
        dialog.changesMade.connect(self.changed.emit)
        dialog.exec()

    def show_channels(self) -> None:
        if self.sync_scheduler is not None:
            self.sync_scheduler.show_channels()

    def show_sync_log(self) -> None:
        if self.sync_scheduler is not None:
            self.sync_scheduler.show_log()

    def show_stock_room(self, which: str) -> QWidget | None:
        """Stock room > Bins, Stock checks, Purchase orders, Goods in, Reorder: each window
        tells the tabs what it changed."""
        if self.backroom is None:
            return None
        backroom = lambda: self.backroom  # noqa: E731
        data_dir = self.config.data_dir
        if which == "bins":
            from app.ui.dialogs.locations import LocationsDialog

            dialog: QWidget = LocationsDialog(backroom, self)  # type: ignore[arg-type]
        elif which == "checks":
            from app.ui.dialogs.stock_check import StockChecksDialog

            dialog = StockChecksDialog(backroom, self)  # type: ignore[arg-type]
        elif which == "purchase_orders":
            from app.ui.dialogs.purchase_orders import PurchaseOrdersDialog

            dialog = PurchaseOrdersDialog(backroom, self.config.exports_dir, self,  # type: ignore[arg-type]
                                          data_dir=data_dir)
            dialog.changesMade.connect(lambda _c: self.send_outbox_soon())
        elif which == "goods_in":
            from app.ui.dialogs.goods_in import GoodsInDialog

            dialog = GoodsInDialog(backroom, data_dir=data_dir, parent=self)  # type: ignore[arg-type]
        else:
            from app.ui.dialogs.reorder import ReorderDialog

            dialog = ReorderDialog(backroom, self.ops, self)  # type: ignore[arg-type]
        dialog.changesMade.connect(self.changed.emit)  # type: ignore[attr-defined]
        if self.print_sender is not None:
            dialog.changesMade.connect(lambda _c: self.print_sender.send_soon())  # type: ignore[attr-defined,union-attr]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_printing(self, dialog: str) -> None:
        """The print queue, printers and label templates (the print sender owns them)."""
        if self.print_sender is not None:
            getattr(self.print_sender, dialog)()

    def task_settings(self) -> None:
        from app.ui.dialogs.task_settings import TaskSettingsDialog

        dialog = TaskSettingsDialog(lambda: self.backroom, self)  # type: ignore[arg-type,return-value]
        if dialog.exec():
            self.changed.emit(Changes(tasks=True, suppliers=True))

    def manage_users(self) -> None:
        from app.ui.dialogs.users import UsersDialog

        if self.backroom is not None and self.backroom.viewer is not None:
            UsersDialog(self.backroom, self).exec()

    # --- showing ------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        self.painted.emit()
        if self.backroom is not None and not self.current_tab().loaded:
            self._tab_shown(self.tabs.currentIndex())

    def current_tab(self) -> ListTab:
        return self.page_at(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        if index < 0:
            return
        self.settings.setValue("window/tab", index)
        if self.backroom is None:
            return
        page = self.page_at(index)
        page.ensure_loaded()
        page.announce()

    def _show_count(self, text: str) -> None:
        if self.backroom is not None and self.sender() is self.current_tab():
            self.count_label.setText(text)

    def _apply_changes(self, changes: Changes) -> None:
        for page in self._built():
            page.apply_changes(changes, visible=page is self.current_tab())
            if changes.touches(*page.watches):
                page.update_title()
        if changes.touches("tasks"):  # a task notice may have been added or queued
            self.notifier.refresh_count()
            self.send_outbox_soon()

    def send_outbox_soon(self) -> Job | None:
        """Send queued e-mail now, in the background (call after queueing a message)."""
        return self.notifier.send_soon()

    def _open_row(self, page: ListTab, row: object) -> None:
        from app.ui.dialogs.order_detail import OrderDialog
        from app.ui.tabs.orders import OrdersTab
        from app.ui.tabs.picking import PickingTab

        if isinstance(page, (OrdersTab, PickingTab)):
            dialog = OrderDialog(lambda: self.backroom, row.id, self)  # type: ignore[attr-defined,arg-type,return-value]
            dialog.changesMade.connect(self.changed.emit)
            dialog.exec()

    def _update_title(self) -> None:
        name = database_name(self.config.database_url)
        self.setWindowTitle(f"Backroom — {name}")
        self.database_label.setText(name)
        self.database_label.setToolTip(self._current_name())

    def _current_name(self) -> str:
        if self.backroom is not None:
            from app.db.engine import sqlite_path

            path = sqlite_path(self.config.database_url)
            return str(path) if path else self.backroom.database_label
        return database_name(self.config.database_url)

    # --- menu actions -------------------------------------------------------------------

    def choose_database(self) -> None:
        """Pick a Backroom file, or type a new name to start an empty workshop there."""
        dialog = QFileDialog(self, "Open a Backroom database (or type a new file name)",
                             str(self.config.data_dir))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters(["Backroom databases (*.sqlite *.db)", "All files (*)"])
        dialog.setDefaultSuffix("sqlite")
        if dialog.exec() and dialog.selectedFiles():
            self.open_database(Path(dialog.selectedFiles()[0]))

    def open_database(self, path: Path) -> bool:
        """Switch to another database file; on any problem keep the current one open."""
        from app.bootstrap import open_backroom
        from app.db.engine import DatabaseProblem
        from app.ui.dialogs import sign_in

        config = replace(self.config, database_url=f"sqlite:///{path}", demo=False)
        try:
            backroom = open_backroom(config)
        except DatabaseProblem as exc:
            QMessageBox.warning(self, "Cannot open that database",
                                f"{exc}\n\nYou are still working in {self._current_name()}.")
            return False
        viewer = sign_in.who_is_working(backroom, self)
        if viewer is None:  # the sign-in (or owner set-up) was closed: stay where we were
            backroom.close()
            return False
        backroom.sign_in(viewer)
        self.ops.wait_all()
        self.attach(backroom)
        if self.backroom is None:  # a supplier signed in: its own window took over
            return True
        self.changed.emit(EVERYTHING)
        if backroom.backup_made:
            self.statusBar().showMessage(
                f"Updated the database; a copy from before is at {backroom.backup_made}", 15000)
        return True

    def back_up(self) -> Job | None:
        from app.db.engine import sqlite_path
        from app.services.backup import back_up_now

        config = self.config
        if sqlite_path(config.database_url) is None:
            QMessageBox.information(self, "Back up", "Back up now copies SQLite files; back "
                                    "up a server database with its own tools (pg_dump).")
            return None

        def work(ctx: JobContext) -> Path:
            return back_up_now(config.database_url, config.backups_dir,
                               progress=ctx.progress, cancelled=lambda: ctx.cancelled)

        return self.ops.run("Backing up", work, on_finished=self._backed_up,
                            on_failed=self._job_failed)

    def _backed_up(self, path: Path) -> None:
        self.statusBar().showMessage(f"Backed up to {path}", 15000)

    def _job_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)

    def about(self) -> None:
        from app.db.migrate import current_revision

        revision = current_revision(self.backroom.engine) if self.backroom else None
        QMessageBox.about(
            self, "About Backroom",
            f"<h3>Backroom {__version__}</h3>"
            "<p>The back office of a small workshop: orders, stock, suppliers, picking and "
            "finance, offline.</p>"
            f"<p><b>Database:</b> {self._current_name()}<br>"
            f"<b>Schema:</b> {revision or 'none'}<br>"
            f"<b>Data folder:</b> {self.config.data_dir}<br>"
            f"<b>Backups:</b> {self.config.backups_dir}</p>")

    # --- background work ----------------------------------------------------------------

    def _job_started(self, job: Job) -> None:
        self.job_label.setText(job.label + "…")
        self.progress.setRange(0, 0)
        job.progress.connect(self._job_progress)
        for w in (self.job_label, self.progress, self.cancel_button):
            w.show()

    def _job_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _job_ended(self, _job: Job) -> None:
        if not self.ops.running:
            for w in (self.job_label, self.progress, self.cancel_button):
                w.hide()

    # --- closing ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/tab", self.tabs.currentIndex())
        self.settings.sync()
        self.notifier.stop()
        if self.sync_scheduler is not None:
            self.sync_scheduler.stop()
        if self.print_sender is not None:
            self.print_sender.stop()
        self.ops.wait_all()
        super().closeEvent(event)
