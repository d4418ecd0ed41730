"""What each label says, read from the database: every record carries the keys its built-in
template reads, and passes that template's check as it comes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.db.models import (
    Listing,
    Location,
    Order,
    OrderLine,
    Product,
    Shipment,
    Supplier,
    SupplierTask,
)
from app.db.settings import put_setting
from app.domain.errors import DomainError
from app.domain.statuses import OrderStatus
from app.printing.templates import builtin, check_data
from app.services import label_data
from app.services.label_data import RETURN_ADDRESS_KEY

from .workshop import add_channel, add_location, add_order, add_product, book

PRODUCT, BIN = builtin("product-50x25"), builtin("bin-100x50")
TICKET, PARCEL = builtin("job-ticket-100x75"), builtin("parcel-100x150")


@pytest.fixture
def mug(backroom):  # type: ignore[no-untyped-def]
    """A mug in two bins (3 on the walk's later bin, 2 on an earlier one, none in the first),
    listed on two channels, with an EAN-13 and attributes."""
    shop, etsy = add_channel(backroom, "Shop"), add_channel(backroom, "Etsy", "EUR")
    first, a, b = (add_location(backroom, code, seq)
                   for code, seq in (("A-01-1", 1), ("B-02-1", 5), ("C-01-3", 9)))
    mug = add_product(backroom, "MUG-BLUE-350")
    book(backroom, mug, b, 3)
    book(backroom, mug, a, 2)
    book(backroom, mug, first, 1)
    book(backroom, mug, first, -1)  # once held some, now empty
    with backroom.sessions() as s:
        p = s.get_one(Product, mug)
        p.barcode, p.attributes = "4006381333931", {"colour": "blue", "volume_ml": 350}
        s.add_all([Listing(product_id=mug, channel_id=shop, channel_sku="MUG-BLUE-350",
                           price_minor=1250, currency="GBP"),
                   Listing(product_id=mug, channel_id=etsy, channel_sku="mug-blue",
                           price_minor=1490, currency="EUR")])
        s.commit()
    return backroom, mug, shop, etsy


def test_product_labels_say_sku_title_price_bin_and_barcode(mug):
    backroom, mug_id, _shop, etsy = mug
    records = backroom.read(label_data.product_labels, [mug_id], 1)
    assert records == [{"sku": "MUG-BLUE-350", "title": "Test product MUG-BLUE-350",
                        "price": "£12.50", "attributes": "Colour: blue · Volume ml: 350",
                        "location": "B-02-1", "barcode": "4006381333931"}]
    assert set(PRODUCT.keys) <= set(records[0])
    check_data(PRODUCT, records[0])
    on_etsy = backroom.read(label_data.product_labels, [mug_id], 1, channel_id=etsy)
    assert on_etsy[0]["price"] == "€14.90"


def test_one_product_label_per_item_on_hand_or_as_many_as_asked(mug):
    backroom, mug_id, *_ = mug
    assert len(backroom.read(label_data.product_labels, [mug_id])) == 5  # 3 + 2 on hand
    assert len(backroom.read(label_data.product_labels, [mug_id], 2)) == 2
    empty = add_product(backroom, "EMPTY-1")
    with pytest.raises(DomainError, match="has any stock on hand"):
        backroom.read(label_data.product_labels, [empty])
    with pytest.raises(DomainError, match="not a number of labels"):
        backroom.read(label_data.product_labels, [mug_id], 0)


def test_a_product_without_a_barcode_is_labelled_with_its_sku_in_code_128(backroom):
    plain = add_product(backroom, "CARD-A6")
    record = backroom.read(label_data.product_labels, [plain], 1)[0]
    assert record["barcode"] == "CARD-A6"
    assert record["price"] == "" and record["location"] == ""  # not listed, never stocked


def test_a_product_that_was_deleted_is_reported(mug):
    backroom, mug_id, *_ = mug
    with pytest.raises(DomainError, match="1 of the chosen products no longer exist"):
        backroom.read(label_data.product_labels, [mug_id, 99_999], 1)


def test_bin_labels_come_in_walk_order_with_their_names(backroom):
    late = add_location(backroom, "Z-09-9", 90)
    early = add_location(backroom, "A-01-1", 10)
    with backroom.sessions() as s:
        s.get_one(Location, early).name = "Mugs, top shelf"
        s.commit()
    records = backroom.read(label_data.bin_labels, [late, early])
    assert records == [{"location": "A-01-1", "location_name": "Mugs, top shelf"},
                       {"location": "Z-09-9", "location_name": ""}]
    for record in records:
        check_data(BIN, record)


def _task(backroom, quantity: int, due: date | None):  # type: ignore[no-untyped-def]
    channel = add_channel(backroom, f"Shop {quantity}")
    product = add_product(backroom, made_to_order=True)
    order_id = add_order(backroom, channel, OrderStatus.PURCHASING, [(product, quantity)],
                         number=f"#10{quantity}")
    with backroom.sessions() as s:
        supplier = Supplier(name=f"Kiln & Co {quantity}")
        s.add(supplier)
        s.flush()
        line = s.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        line.personalisation = "Happy birthday, Zoë!"
        task = SupplierTask(sku=f"KILN-250304-000{quantity}", order_id=order_id,
                            order_line_id=line.id, supplier_id=supplier.id, status="assigned",
                            due_date=due)
        s.add(task)
        s.commit()
        return task.id, line.title


def test_a_job_ticket_says_what_to_make_for_which_order_and_by_when(backroom):
    one, title = _task(backroom, 1, date(2025, 3, 14))
    two, title2 = _task(backroom, 2, None)
    records = backroom.read(label_data.task_tickets, [two, one])
    assert records[1] == {"task_sku": "KILN-250304-0001", "order_number": "#101",
                          "product": title, "product_sku": title.rsplit(" ", 1)[1],
                          "quantity": "1", "personalisation": "Happy birthday, Zoë!",
                          "due_date": "14 Mar 2025", "supplier": "Kiln & Co 1"}
    assert records[0]["product"] == f"2 × {title2}"  # the quantity is on the ticket
    assert records[0]["due_date"] == "not set"
    for record in records:
        check_data(TICKET, record)  # the QR code carries the task SKU


def test_a_parcel_label_has_the_address_and_the_shipments_tracking(backroom):
    channel = add_channel(backroom)
    order_id = add_order(backroom, channel, OrderStatus.PACKED, [], number="#2001",
                         customer="Zoë Øster")
    with backroom.sessions() as s:
        order = s.get_one(Order, order_id)
        order.ship_name, order.ship_address1 = "Zoë Øster", "1 High Street"
        order.ship_city, order.ship_postcode, order.ship_country = "London", "N1 1AA", "GB"
        order.shipping_service = "Tracked 48"
        put_setting(s, RETURN_ADDRESS_KEY, "Backroom Workshop, Stoke ST1 1AA")
        s.commit()
    without = backroom.read(label_data.parcel_label, order_id)
    assert (without["tracking"], without["carrier"], without["service"]) == (
        "#2001", "Tracked 48", "Tracked 48")  # before the parcel is booked
    with backroom.sessions() as s:
        s.add(Shipment(order_id=order_id, status="labelled", carrier="Royal Mail",
                       service="Tracked 48", tracking_number="JD014600006281230456",
                       weight_g=800))
        s.commit()
    record = backroom.read(label_data.parcel_label, order_id)
    assert record == {"name": "Zoë Øster", "address": "1 High Street\nLondon\nN1 1AA",
                      "country": "GB", "order_number": "#2001", "carrier": "Royal Mail",
                      "service": "Tracked 48", "tracking": "JD014600006281230456",
                      "weight": "0.8 kg", "sender": "Backroom Workshop, Stoke ST1 1AA"}
    check_data(PARCEL, record)
    with pytest.raises(DomainError, match="That order no longer exists"):
        backroom.read(label_data.parcel_label, 99_999)


def test_the_demo_workshops_labels_pass_their_built_in_templates(demo_backroom):
    with demo_backroom.sessions() as s:
        products = list(s.scalars(select(Product.id).where(Product.made_to_order.is_(False))
                                  .limit(20)))
        bins = list(s.scalars(select(Location.id).limit(20)))
        tasks = list(s.scalars(select(SupplierTask.id).limit(20)))
        shipped = s.scalar(select(Shipment.order_id).limit(1))
    for template, records in (
            (PRODUCT, demo_backroom.read(label_data.product_labels, products, 1)),
            (BIN, demo_backroom.read(label_data.bin_labels, bins)),
            (TICKET, demo_backroom.read(label_data.task_tickets, tasks))):
        assert records
        for record in records:
            assert set(template.keys) - set(record) == set()
            check_data(template, {k: v for k, v in record.items() if k != "price"} | {
                "price": record.get("price") or "£1.00"})
    if shipped is not None:
        assert set(PARCEL.keys) <= set(demo_backroom.read(label_data.parcel_label, shipped))
