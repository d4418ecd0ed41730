"""A parcel that left is told to its channel once: by API at the next sync, or in the
channel's own bulk-upload file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import OrderLine, Shipment
from app.domain.errors import DomainError
from app.domain.statuses import OrderStatus
from app.services import orders, shipments
from app.services.channels import ChannelSetup, save_channel

from .workshop import add_location, add_order, add_product, book


def test_shipping_an_order_records_its_parcel_and_the_file_tells_amazon_once(backroom,
                                                                             tmp_path):
    amazon = backroom.act(save_channel, None, ChannelSetup(
        name="Amazon UK", kind="amazon", api=False, currency="GBP"))
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, add_location(backroom, "A-01-1", 1), 5)
    order = add_order(backroom, amazon, OrderStatus.PACKED, [(mug, 2)], number="203-1234567")
    with backroom.sessions() as s:
        s.scalars(select(OrderLine)).one().external_id = "12345678901234"
        s.commit()
    backroom.act(orders.change_status, [order], OrderStatus.SHIPPED, carrier="Royal Mail",
                 tracking="RM123456785GB")
    with backroom.sessions() as s:
        parcel = s.scalars(select(Shipment)).one()
        assert (parcel.carrier, parcel.tracking_number, parcel.channel_confirmed_at) == (
            "Royal Mail", "RM123456785GB", None)
    assert backroom.read(shipments.unconfirmed_count, amazon) == 1

    out = tmp_path / "uploads"
    done = backroom.act(shipments.export_shipments, amazon, out)
    assert done.shipments == 1 and done.path.parent == out
    text = done.path.read_text("utf-8")
    header, row = text.splitlines()[:2]
    assert header.split("\t")[:3] == ["order-id", "order-item-id", "quantity"]
    assert row.startswith("203-1234567\t12345678901234\t")
    assert "RM123456785GB" in row
    assert backroom.read(shipments.unconfirmed_count, amazon) == 0
    with pytest.raises(DomainError, match="told of every shipment already"):
        backroom.act(shipments.export_shipments, amazon, out)
    assert len(list(out.iterdir())) == 1  # no half-written or empty second file


def test_an_unwritable_folder_is_named_and_nothing_is_marked_told(backroom, tmp_path):
    ebay = backroom.act(save_channel, None, ChannelSetup(
        name="eBay", kind="ebay", api=False, currency="GBP"))
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, add_location(backroom, "A-01-1", 1), 5)
    order = add_order(backroom, ebay, OrderStatus.PACKED, [(mug, 1)])
    with backroom.sessions() as s:
        s.scalars(select(OrderLine)).one().external_id = "110123456789-2345678901"
        s.commit()
    backroom.act(orders.change_status, [order], OrderStatus.SHIPPED, carrier="DPD",
                 tracking="15501234")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(DomainError, match="Could not write"):
        backroom.act(shipments.export_shipments, ebay, blocked)
    assert backroom.read(shipments.unconfirmed_count, ebay) == 1


def test_an_ebay_order_without_its_item_numbers_is_named_and_nothing_is_written(backroom,
                                                                               tmp_path):
    ebay = backroom.act(save_channel, None, ChannelSetup(
        name="eBay", kind="ebay", api=False, currency="GBP"))
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, add_location(backroom, "A-01-1", 1), 5)
    order = add_order(backroom, ebay, OrderStatus.PACKED, [(mug, 1)], number="04-12345-67890")
    backroom.act(orders.change_status, [order], OrderStatus.SHIPPED, carrier="DPD")
    with pytest.raises(DomainError, match="04-12345-67890"):
        backroom.act(shipments.export_shipments, ebay, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert backroom.read(shipments.unconfirmed_count, ebay) == 1
