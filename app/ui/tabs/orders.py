"""Orders tab: one queue of orders from every channel, filtered, searched and moved on."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QMenu, QMessageBox, QPushButton

from app.domain.errors import DomainError
from app.domain.statuses import OrderStatus, label
from app.services import orders
from app.ui import formatting
from app.ui.models.paged import Column
from app.ui.tabs.base import ListTab


class OrdersTab(ListTab):
    title = "Orders"
    noun = ("order", "orders")
    source = orders
    default_sort = ("placed", True)
    stretch_column = 3
    watches = ("orders",)
    search_hint = "Search order number, customer, e-mail or SKU"
    columns = (
        Column("Order", lambda r: r.number, "number"),
        Column("Channel", lambda r: r.channel, "channel"),
        Column("Placed", lambda r: formatting.when(r.placed_at), "placed"),
        Column("Customer", lambda r: r.customer, "customer"),
        Column("Items", lambda r: f"{r.items:,}", "items", numeric=True),
        Column("Total", lambda r: formatting.money(r.total_minor, r.currency), "total",
               numeric=True),
        Column("Status", lambda r: formatting.status(r.status), "status",
               warn=lambda r: r.status == OrderStatus.ON_HOLD or bool(r.flagged),
               tooltip=lambda r: r.flagged or formatting.status(r.status)),
    )

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.status = QComboBox()
        self.status.setMinimumWidth(150)
        self.status.addItem("All statuses", "")
        for s in OrderStatus:
            self.status.addItem(label(s), str(s))
        self.status.currentIndexChanged.connect(
            lambda _i: self.model.set_filter("status", self.status.currentData()))
        bar.addWidget(self.status)

        self.move = QPushButton("Move selected to")
        self.move.setMinimumWidth(190)
        menu = QMenu(self.move)
        for s in OrderStatus:
            if s is not OrderStatus.NEW:
                menu.addAction(label(s), lambda s=s: self.move_selected(s))
        self.move.setMenu(menu)
        self.move.setEnabled(False)
        bar.addWidget(self.move)
        self.print_button = QPushButton("Print parcel label")
        self.print_button.setToolTip("Print the parcel label of each selected order")
        self.print_button.clicked.connect(self.print_parcel_labels)
        self.print_button.setEnabled(False)
        bar.addWidget(self.print_button)
        self.model.modelReset.connect(self._selection_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

    def _selection_changed(self, *_args: object) -> None:
        n = len(self.table.selectionModel().selectedRows())
        self.move.setEnabled(n > 0)
        self.move.setText(f"Move {n:,} selected to" if n > 1 else "Move selected to")
        self.print_button.setEnabled(n > 0)
        self.print_button.setText(f"Print {n:,} parcel labels" if n > 1
                                  else "Print parcel label")

    def print_parcel_labels(self) -> int | None:
        """Queue the selected orders' parcel labels on this computer's parcel printer."""
        from app.ui.printing_actions import print_parcel_labels, sender_of

        rows = self.selected_rows()
        return print_parcel_labels(self, self.backroom, sender_of(self), [r.id for r in rows])

    def ask_parcel(self, count: int) -> tuple[str, str] | None:
        """Carrier and tracking number of the parcel(s), told to the channel; None: cancel."""
        from app.ui.dialogs.parcel import ask_parcel

        return ask_parcel(self, count)

    def move_selected(self, to: OrderStatus) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        parcel = ("", "")
        if to is OrderStatus.SHIPPED:
            asked = self.ask_parcel(len(rows))
            if asked is None:
                return
            parcel = asked
        try:
            changes = self.backroom().act(orders.change_status, [r.id for r in rows], to,
                                          carrier=parcel[0], tracking=parcel[1])
        except DomainError as exc:
            QMessageBox.warning(self, "Status not changed", f"{exc}\n\nNo order was changed.")
            return
        self.changesMade.emit(changes)
