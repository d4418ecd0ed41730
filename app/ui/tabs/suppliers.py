"""Suppliers tab: who makes what, with open and overdue work at a glance."""

from __future__ import annotations

from app.services import suppliers
from app.ui.models.paged import Column
from app.ui.tabs.base import ListTab


def _capacity(r: suppliers.SupplierRow) -> str:
    return "No limit" if r.capacity is None else f"{r.capacity:,}"


class SuppliersTab(ListTab):
    title = "Suppliers"
    noun = ("supplier", "suppliers")
    source = suppliers
    default_sort = ("name", False)
    stretch_column = 1
    watches = ("suppliers", "tasks")
    search_hint = "Search supplier or category"
    columns = (
        Column("Name", lambda r: r.name, "name"),
        Column("Categories", lambda r: r.categories),
        Column("Open tasks", lambda r: f"{r.open_tasks:,}", "open", numeric=True),
        Column("Overdue", lambda r: f"{r.overdue_tasks:,}", "overdue", numeric=True,
               warn=lambda r: r.overdue_tasks > 0),
        Column("Lead time", lambda r: f"{r.lead_time_days} days", "lead_time", numeric=True),
        Column("Capacity", _capacity, numeric=True),
        Column("Status", lambda r: "Active" if r.active else "Paused"),
    )
