"""Goods in: scans compared with the purchase order, bins suggested, movements booked through
the ledger, the order moved on; deliveries parked and resumed; unknown barcodes and extra
goods asked about before anything is booked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import Delivery, DeliveryLine, Product, PurchaseOrderLine
from app.domain.errors import DomainError
from app.domain.goods_in import ReceiptStatus, Scan
from app.services import catalogue, goods_in, purchasing, stock
from app.services.goods_in import ReceiptQuestions, UnknownBarcode
from app.services.purchasing import LineIn

from .test_reorder_service import add_supplier, supplies
from .workshop import add_location, add_product, book, levels, movements


@pytest.fixture
def shop(backroom, tmp_path):  # type: ignore[no-untyped-def]
    """A sent order for 10 mugs and 4 cups; mugs already live in A-02-1."""
    a1, a2 = add_location(backroom, "A-01-1", 10), add_location(backroom, "A-02-1", 20)
    oak = add_supplier(backroom, "Hollow Oak Ceramics")
    mug, cup = add_product(backroom, "MUG-1"), add_product(backroom, "CUP-1")
    supplies(backroom, oak, mug, code="HO-MUG")
    with backroom.sessions() as s:
        s.get_one(Product, mug).barcode = "5012345678900"
        s.commit()
    book(backroom, mug, a2, 3)
    po = backroom.act(purchasing.create_purchase_order, oak,
                      [LineIn(mug, 10, 325), LineIn(cup, 4, 180)])
    backroom.act(purchasing.send_purchase_order, po, tmp_path)
    return backroom, po, mug, cup, a1, a2


def received(backroom, po: int) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    return {ln.sku: (ln.ordered, ln.received)
            for ln in backroom.read(purchasing.detail, po).lines}


@pytest.mark.parametrize("text, expected", [
    ("MUG-1", ("MUG-1", 1)), ("  MUG-1  x 5 ", ("MUG-1", 5)), ("MUG-1*5", ("MUG-1", 5)),
    ("5 x MUG-1", ("MUG-1", 5)), ("MUG-1 -2", ("MUG-1", -2)), ("MUG-1 X3", ("MUG-1", 3)),
    ("5012345678900", ("5012345678900", 1)), ("BOX5", ("BOX5", 1)), ("TEE-X2", ("TEE-X2", 1)),
    ("5*MUG-1", ("MUG-1", 5)),
    # A barcode of digits and then its quantity: the longer number is the barcode.
    ("4006381333931 x 5", ("4006381333931", 5)), ("4006381333931*5", ("4006381333931", 5)),
    ("4006381333931 x5", ("4006381333931", 5)), ("5 x 4006381333931", ("4006381333931", 5)),
    ("12345 x 3", ("12345", 3)), ("12 x 34", ("34", 12)),
])
def test_a_scan_or_typed_line_reads_as_a_code_and_a_quantity(text, expected):
    assert goods_in.parse_scan(text) == expected


@pytest.mark.parametrize("text, said", [
    ("", "Scan a barcode"), ("MUG-1 x 0", "adds nothing"), ("MUG 1 2 3", "not a barcode or SKU"),
    ("MUG-1 x 1000000", "more than a delivery holds"),
])
def test_a_scan_that_cannot_be_read_says_why(text, said):
    with pytest.raises(DomainError, match=said):
        goods_in.parse_scan(text)


def test_a_scan_is_found_by_sku_barcode_or_supplier_code(shop):
    backroom, *_ = shop
    for code in ("MUG-1", "mug-1", "5012345678900", "HO-MUG"):
        assert backroom.read(goods_in.identify, code).sku == "MUG-1"


def test_an_unknown_barcode_says_so_and_once_linked_is_found(shop):
    backroom, _po, _mug, cup, *_ = shop
    with pytest.raises(UnknownBarcode, match=r"Nothing in Backroom has the barcode or SKU "
                                             r"“4006381333931”.*Link to product") as unknown:
        backroom.read(goods_in.identify, "4006381333931")
    assert unknown.value.code == "4006381333931"
    backroom.act(catalogue.link_barcode, cup, "4006381333931")  # what Link to product… does
    assert backroom.read(goods_in.identify, "4006381333931").sku == "CUP-1"


def test_a_made_to_order_product_is_not_booked_in(shop):
    backroom, *_ = shop
    add_product(backroom, "MTO-1", made_to_order=True)
    with pytest.raises(DomainError, match="MTO-1 is made to order"):
        backroom.read(goods_in.identify, "MTO-1")


def test_only_sent_or_partly_received_orders_can_take_goods(shop, backroom):
    _b, po, *_ = shop
    assert [o.number for o in backroom.read(goods_in.receivable_orders)] == ["PO-000001"]
    assert backroom.read(goods_in.receivable_orders)[0].to_come == 14
    draft = backroom.act(purchasing.create_purchase_order,
                         backroom.read(purchasing.detail, po).supplier_id)
    with pytest.raises(DomainError, match="PO-000002 is draft; goods come in only against "
                                          "sent or partly received orders"):
        backroom.read(goods_in.check_delivery, draft, [Scan("MUG-1")])


def test_the_delivery_is_compared_with_the_order_and_a_bin_suggested(shop):
    backroom, po, *_ = shop
    check = backroom.read(goods_in.check_delivery, po, [Scan("MUG-1", 4), Scan("MUG-1")])
    assert [(r.line.sku, r.line.received_now, r.line.status) for r in check.rows] == [
        ("MUG-1", 5, ReceiptStatus.SHORT), ("CUP-1", 0, ReceiptStatus.SHORT)]
    assert check.rows[0].line.note == "5 of MUG-1 received now: 5 of 10 on PO-000001 in, 5 " \
                                      "still to come."
    assert check.bins["MUG-1"].location == "A-02-1"
    assert check.bins["CUP-1"].location is None  # never stocked: the user chooses
    assert check.questions == () and check.supplier == "Hollow Oak Ceramics"


def test_a_part_then_the_rest_moves_the_order_to_partly_received_then_received(shop):
    backroom, po, mug, cup, a1, a2 = shop
    first = backroom.act(goods_in.book_delivery, None, po, [Scan("MUG-1", 6)],
                         {"MUG-1": "A-02-1"})
    assert first.po_status == "partly_received"
    assert first.summary == "Booked 6 units into stock against PO-000001, now partly " \
                            "received."
    assert received(backroom, po) == {"MUG-1": (10, 6), "CUP-1": (4, 0)}
    second = backroom.act(goods_in.book_delivery, None, po,
                          [Scan("MUG-1", 4), Scan("CUP-1", 4)],
                          {"MUG-1": "A-02-1", "CUP-1": "A-01-1"})
    assert second.po_status == "received"
    assert received(backroom, po) == {"MUG-1": (10, 10), "CUP-1": (4, 4)}
    assert levels(backroom, mug) == {a2: (13, 0)}
    assert levels(backroom, cup) == {a1: (4, 0)}
    assert [(q, r, ref) for _b, q, r, ref in movements(backroom, mug)] == [
        (3, "goods_in", ""), (6, "goods_in", "PO-000001"), (4, "goods_in", "PO-000001")]
    assert backroom.read(stock.ledger_mismatches) == ()
    detail = backroom.read(purchasing.detail, po)
    assert [(h.from_status, h.to_status) for h in detail.history][-2:] == [
        ("sent", "partly_received"), ("partly_received", "received")]
    assert [d.units for d in detail.deliveries] == [6, 8]
    assert detail.actions == ("close",)
    assert backroom.read(goods_in.receivable_orders) == ()


def test_more_than_ordered_is_asked_about_and_booked_only_if_wanted(shop):
    backroom, po, mug, *_ = shop
    scans, bins = [Scan("MUG-1", 13)], {"MUG-1": "A-02-1"}
    with pytest.raises(ReceiptQuestions) as asked:
        backroom.act(goods_in.book_delivery, None, po, scans, bins)
    assert [(q.sku, q.kind, q.quantity) for q in asked.value.questions] == [
        ("MUG-1", "extra", 3)]
    assert asked.value.questions[0].text == "You received 13 of MUG-1 but only 10 are on " \
                                            "order: book the 3 extra?"
    assert received(backroom, po)["MUG-1"] == (10, 0)  # nothing booked while asking
    assert len(movements(backroom, mug)) == 1

    declined = backroom.act(goods_in.book_delivery, None, po, scans, bins,
                            leave_out={"MUG-1"})
    assert declined.units == 10 and declined.left_out == ("MUG-1",)
    assert received(backroom, po)["MUG-1"] == (10, 10)


def test_extra_goods_booked_when_the_user_says_so(shop):
    backroom, po, mug, _cup, _a1, a2 = shop
    booked = backroom.act(goods_in.book_delivery, None, po,
                          [Scan("MUG-1", 13), Scan("CUP-1", 4)],
                          {"MUG-1": "A-02-1", "CUP-1": "A-01-1"}, book_extra={"MUG-1"})
    assert booked.po_status == "received" and booked.units == 17
    assert received(backroom, po)["MUG-1"] == (10, 13)
    assert levels(backroom, mug) == {a2: (16, 0)}
    assert backroom.read(stock.ledger_mismatches) == ()


def test_goods_on_no_order_are_asked_about_and_booked_without_an_order_line(shop):
    backroom, po, mug, *_ = shop
    jug = add_product(backroom, "JUG-1")
    scans, bins = [Scan("JUG-1", 2)], {"JUG-1": "A-01-1"}
    with pytest.raises(ReceiptQuestions, match="JUG-1 is not on any open purchase order"):
        backroom.act(goods_in.book_delivery, None, po, scans, bins)
    with pytest.raises(ReceiptQuestions):  # without an order, everything is unexpected
        backroom.act(goods_in.book_delivery, None, None, [Scan("MUG-1")], {"MUG-1": "A-01-1"})
    booked = backroom.act(goods_in.book_delivery, None, None, scans, bins,
                          book_unexpected={"JUG-1"})
    assert booked.po_number == "" and booked.po_status is None
    assert [(q, ref) for _b, q, _r, ref in movements(backroom, jug)] == [
        (2, f"Delivery {booked.delivery_id}")]
    with backroom.sessions() as s:
        line = s.scalars(select(DeliveryLine)
                         .where(DeliveryLine.delivery_id == booked.delivery_id)).one()
        assert line.purchase_order_line_id is None
    assert received(backroom, po)["MUG-1"] == (10, 0)
    assert mug


def test_a_parked_delivery_keeps_its_lines_and_is_booked_when_resumed(shop):
    backroom, po, mug, cup, a1, a2 = shop
    scans = [Scan("MUG-1", 4), Scan("CUP-1", 2), Scan("MUG-1", 1)]
    parked = backroom.act(goods_in.park_delivery, None, po, scans,
                          {"MUG-1": "A-02-1", "CUP-1": "A-01-1"})
    with backroom.sessions() as s:
        assert s.get_one(Delivery, parked).status == "parked"
        assert sorted((ln.product_id, ln.location_id, ln.quantity) for ln in s.scalars(
            select(DeliveryLine).where(DeliveryLine.delivery_id == parked))) == sorted(
            [(mug, a2, 5), (cup, a1, 2)])
    assert received(backroom, po) == {"MUG-1": (10, 0), "CUP-1": (4, 0)}  # nothing booked
    assert len(movements(backroom, mug)) == 1
    (shown,) = backroom.read(goods_in.parked_deliveries)
    assert (shown.id, shown.po_number, shown.units) == (parked, "PO-000001", 7)
    assert shown.text.startswith("PO-000001 — Hollow Oak Ceramics: 7 scanned by")

    resumed = backroom.read(goods_in.resume_delivery, parked)
    assert resumed.purchase_order_id == po
    assert resumed.scans == (Scan("MUG-1", 5), Scan("CUP-1", 2))
    assert resumed.bins == {"MUG-1": "A-02-1", "CUP-1": "A-01-1"}
    more = [*resumed.scans, Scan("CUP-1", 2)]
    again = backroom.act(goods_in.park_delivery, parked, po, more, resumed.bins)
    assert again == parked
    booked = backroom.act(goods_in.book_delivery, parked, po, more, resumed.bins)
    assert booked.delivery_id == parked and booked.units == 9
    assert received(backroom, po) == {"MUG-1": (10, 5), "CUP-1": (4, 4)}
    assert backroom.read(goods_in.parked_deliveries) == ()
    with backroom.sessions() as s:
        assert s.get_one(Delivery, parked).status == "booked"
        po_lines = {ln.product_id: ln.id for ln in s.scalars(select(PurchaseOrderLine))}
        assert sorted((ln.product_id, ln.purchase_order_line_id, ln.quantity)
                      for ln in s.scalars(select(DeliveryLine)
                                          .where(DeliveryLine.delivery_id == parked))) == sorted(
            [(mug, po_lines[mug], 5), (cup, po_lines[cup], 4)])
    with pytest.raises(DomainError, match="was booked already"):
        backroom.act(goods_in.book_delivery, parked, po, more, resumed.bins)
    with pytest.raises(DomainError, match="no longer parked"):
        backroom.read(goods_in.resume_delivery, parked)
    assert backroom.read(stock.ledger_mismatches) == ()


def test_parking_needs_a_bin_for_each_product_and_a_parked_delivery_can_be_discarded(shop):
    backroom, po, *_ = shop
    with pytest.raises(DomainError, match="Choose a bin for CUP-1"):
        backroom.act(goods_in.park_delivery, None, po, [Scan("CUP-1")], {})
    with pytest.raises(DomainError, match="There is no bin “Z-99” for CUP-1"):
        backroom.act(goods_in.park_delivery, None, po, [Scan("CUP-1")], {"CUP-1": "Z-99"})
    with pytest.raises(DomainError, match="Nothing has been scanned"):
        backroom.act(goods_in.park_delivery, None, po, [Scan("CUP-1"), Scan("CUP-1", -1)], {})
    parked = backroom.act(goods_in.park_delivery, None, po, [Scan("CUP-1")],
                          {"CUP-1": "A-01-1"})
    backroom.act(goods_in.discard_delivery, parked)
    assert backroom.read(goods_in.parked_deliveries) == ()


def test_booking_against_an_order_cancelled_meanwhile_is_refused(shop):
    backroom, po, *_ = shop
    parked = backroom.act(goods_in.park_delivery, None, po, [Scan("MUG-1")],
                          {"MUG-1": "A-02-1"})
    backroom.act(purchasing.cancel_purchase_order, po)
    with pytest.raises(DomainError, match="PO-000001 is cancelled"):
        backroom.act(goods_in.book_delivery, parked, po, [Scan("MUG-1")], {"MUG-1": "A-02-1"})
    with backroom.sessions() as s:
        assert s.get_one(Delivery, parked).status == "parked"


def test_nothing_scanned_books_nothing(shop):
    backroom, po, *_ = shop
    with pytest.raises(DomainError, match="Nothing to book"):
        backroom.act(goods_in.book_delivery, None, po, [], {})
