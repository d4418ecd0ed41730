"""Report files in: each file all or nothing, every problem named by row, the same file
twice changes nothing, and watch folders sort what they took from what they refused."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.models import Channel, Order, SyncRun, SyncRunItem
from app.domain.errors import DomainError
from app.services import file_import
from app.services.channels import ChannelSetup, save_channel

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "files"


def _orders(backroom) -> int:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        return s.scalar(select(func.count(Order.id)))


def test_a_shopify_export_makes_its_channel_and_its_orders_once(backroom):
    report = file_import.import_order_files(
        backroom, [FILES / "shopify_orders_export.csv"])
    (one,) = report.files
    assert not one.rejected and one.created >= 2
    assert one.channel == "Shopify" and one.format == "Shopify orders export"
    with backroom.sessions() as s:
        channel = s.scalars(select(Channel)).one()
        assert (channel.kind, channel.settings.get("api")) == ("shopify", False)
        run = s.scalars(select(SyncRun)).one()
        assert (run.status, run.created, run.source) == (
            "succeeded", one.created, "shopify_orders_export.csv")
        names = set(s.scalars(select(Order.customer_name)))
    assert "Zoë Øster" in names and "José Müller" in names
    before = _orders(backroom)
    again = file_import.import_order_files(backroom, [FILES / "shopify_orders_export.csv"])
    assert (again.files[0].created, again.files[0].updated) == (0, 0)
    assert again.files[0].unchanged == one.created
    assert _orders(backroom) == before


def test_a_file_with_a_broken_row_is_refused_whole_and_the_row_named(backroom, tmp_path):
    text = (FILES / "shopify_orders_export.csv").read_text("utf-8")
    broken = tmp_path / "orders_export.csv"
    broken.write_text(text.replace("2024-03-06 09:00:41 +0100", "2024-13-45 09:00", 1),
                      encoding="utf-8")
    backroom.act(save_channel, None, ChannelSetup(name="Shop files", kind="shopify",
                                                  api=False, currency="USD"))
    report = file_import.import_order_files(backroom, [broken])
    (one,) = report.files
    assert one.rejected and report.rejected
    assert any(p.startswith("row ") and "Created at" in p for p in one.problems)
    assert _orders(backroom) == 0  # not even the good orders of that file
    with backroom.sessions() as s:
        run = s.scalars(select(SyncRun)).one()
        assert run.status == "failed" and "nothing was imported" in run.error
        assert s.scalar(select(func.count(SyncRunItem.id))) == len(one.problems)


def test_a_file_in_no_known_format_is_refused_in_words(backroom, tmp_path):
    odd = tmp_path / "contacts.csv"
    odd.write_text("First name,Last name,Phone\nAnn,Lee,123\n", encoding="utf-8")
    with pytest.raises(DomainError, match=r"contacts\.csv"):
        file_import.import_order_files(backroom, [odd])
    assert _orders(backroom) == 0


def test_a_preview_reads_and_counts_but_writes_nothing(backroom):
    report = file_import.import_order_files(backroom, [FILES / "amazon_order_report.txt"],
                                            preview=True)
    assert report.files[0].created > 0 and report.files[0].preview
    assert "would be created" in report.files[0].summary()
    with backroom.sessions() as s:
        assert s.scalar(select(func.count(Channel.id))) == 0
        assert s.scalar(select(func.count(SyncRun.id))) == 0
    assert _orders(backroom) == 0


def test_etsy_orders_and_items_files_are_read_together(backroom):
    report = file_import.import_order_files(backroom, [
        FILES / "EtsySoldOrders2024-11.csv", FILES / "EtsySoldOrderItems2024-11.csv"])
    (one,) = report.files
    assert not one.rejected and one.created > 0 and one.channel == "Etsy"


def test_a_watch_folder_moves_what_it_took_and_what_it_refused(backroom, tmp_path):
    folder = tmp_path / "ebay-drop"
    folder.mkdir()
    backroom.act(save_channel, None, ChannelSetup(name="eBay UK", kind="ebay", api=False,
                                                  currency="GBP", watch_folder=str(folder)))
    shutil.copy(FILES / "ebay_uk_orders_report.csv", folder / "report.csv")
    (folder / "notes.csv").write_text("hello,world\n1,2\n", encoding="utf-8")
    old = time.time() - 60
    for p in folder.iterdir():
        os.utime(p, (old, old))
    report = file_import.import_watch_folders(backroom)
    assert sorted(f.rejected for f in report.files) == [False, True]
    assert (folder / "imported" / "report.csv").exists()
    assert (folder / "rejected" / "notes.csv").exists()
    why = (folder / "rejected" / "notes.csv.why.txt").read_text("utf-8")
    assert "nothing of it was written" in why
    assert list(p.name for p in folder.iterdir() if p.is_file()) == []
    assert _orders(backroom) > 0
