"""Picking tab: the orders waiting on the bench, oldest first, with the first bin to visit."""

from __future__ import annotations

from app.services import picking
from app.ui import formatting
from app.ui.models.paged import Column
from app.ui.tabs.base import ListTab


class PickingTab(ListTab):
    title = "Picking"
    noun = ("order ready to pick", "orders ready to pick")
    source = picking
    default_sort = ("placed", False)
    stretch_column = 3
    watches = ("orders", "stock")
    search_hint = "Search order number, customer or SKU, or scan"
    columns = (
        Column("Order", lambda r: r.number, "number", warn=lambda r: bool(r.flagged),
               tooltip=lambda r: r.flagged or "Double-click to open the order"),
        Column("Channel", lambda r: r.channel),
        Column("Placed", lambda r: formatting.when(r.placed_at), "placed"),
        Column("Customer", lambda r: r.customer, "customer"),
        Column("Items", lambda r: f"{r.items:,}", "items", numeric=True),
        Column("First bin", lambda r: r.first_bin or "–", "bin"),
        Column("Service", lambda r: r.shipping_service, "service"),
        Column("Waiting", lambda r: formatting.age(r.placed_at), "placed", numeric=True),
    )

    def empty_text(self) -> str:
        if self.model.request.search:
            return super().empty_text()
        return "Nothing to pick: no order is ready to pick."
