"""Shipment upload files in each channel's own format, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.channels.base import ShipmentNotice
from app.channels.files import (
    ShipmentExportError,
    render_amazon_confirmation,
    render_ebay_tracking,
    render_plain_tracking,
    render_shipments,
    spreadsheet_safe,
)

SHIPPED = datetime(2024, 3, 7, 23, 30, tzinfo=UTC)


def notice(**changes) -> ShipmentNotice:
    fields = dict(order_external_id="114-0149180-7966659", order_number="114-0149180-7966659",
                  carrier="Royal Mail", tracking_number="AB123456789GB", shipped_at=SHIPPED)
    fields.update(changes)
    return ShipmentNotice(**fields)


def table(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_amazon_confirmation_is_the_shipping_confirmation_flat_file():
    text = render_amazon_confirmation([
        notice(line_external_ids=("59686379847882", "59686379847883")),
        notice(order_external_id="114-2222222-3333333", carrier="Hermes Parcelnet Ltd",
               tracking_number="H0012"),
    ])
    rows = table(text, "\t")
    assert rows[0] == ["order-id", "order-item-id", "quantity", "ship-date", "carrier-code",
                       "carrier-name", "tracking-number", "ship-method"]
    assert rows[1] == ["114-0149180-7966659", "59686379847882", "", "2024-03-07T23:30:00+00:00",
                       "Royal Mail", "", "AB123456789GB", ""]
    assert rows[2][1] == "59686379847883"
    assert rows[3] == ["114-2222222-3333333", "", "", "2024-03-07T23:30:00+00:00", "Other",
                       "Hermes Parcelnet Ltd", "H0012", ""]  # whole order, carrier by name
    assert text.endswith("\r\n")


def test_ebay_tracking_has_a_status_row_per_order_line():
    text = render_ebay_tracking([
        notice(order_external_id="12-33333-44444", order_number="12-33333-44444",
               carrier="USPS", tracking_number="9400111899223",
               line_external_ids=("285000000001-3000000001",)),
        notice(order_external_id="12-11111-22222", carrier="UPS", tracking_number="1Z999"),
    ], order_lines={"12-11111-22222": ["285123456789-2345678901", "285123456790-0"]})
    rows = table(text)
    assert rows[0] == ["Action(SiteID=US|Country=US|Currency=USD|Version=1193)", "ItemID",
                       "TransactionID", "ShippingStatus", "ShippingCarrierUsed",
                       "ShipmentTrackingNumber"]
    assert rows[1:] == [
        ["Status", "285000000001", "3000000001", "1", "USPS", "9400111899223"],
        ["Status", "285123456789", "2345678901", "1", "UPS", "1Z999"],
        ["Status", "285123456790", "0", "1", "UPS", "1Z999"],
    ]


def test_ebay_tracking_for_the_uk_site_says_so_in_its_action_header():
    text = render_ebay_tracking([notice(line_external_ids=("1-2",))], site="UK")
    assert text.startswith("Action(SiteID=UK|Country=GB|Currency=GBP|Version=1193),ItemID")
    with pytest.raises(ShipmentExportError, match="eBay site 'XX'"):
        render_ebay_tracking([], site="XX")


def test_ebay_tracking_refuses_orders_whose_lines_it_cannot_name():
    with pytest.raises(ShipmentExportError, match=r"these orders have none: #7, #8 \(oops\)"):
        render_ebay_tracking([notice(order_number="#7"),
                              notice(order_number="#8", line_external_ids=("oops",))])


def test_shopify_and_etsy_get_a_plain_tracking_csv():
    name, text = render_shipments("etsy", [notice(order_number="3215549876",
                                                  order_external_id="3215549876",
                                                  tracking_url="https://t.example/AB1")],
                                  shop_tz=ZoneInfo("Europe/Berlin"))
    assert name == "etsy-tracking.csv"
    assert table(text) == [
        ["Order Number", "Order ID", "Carrier", "Tracking Number", "Tracking URL",
         "Shipped Date", "Line IDs"],
        ["3215549876", "3215549876", "Royal Mail", "AB123456789GB", "https://t.example/AB1",
         "2024-03-08", ""],  # shipped just before midnight UTC: the 8th in Berlin
    ]
    assert render_shipments("amazon", [])[0] == "amazon-shipping-confirmation.txt"
    assert render_shipments("eBay", [])[0] == "ebay-tracking-upload.csv"


@pytest.mark.parametrize(("text", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1 555", "'+1 555"),
    ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Royal Mail", "Royal Mail"),
    ("", ""),
])
def test_cells_a_spreadsheet_would_run_are_written_as_text(text, safe):
    assert spreadsheet_safe(text) == safe


def test_every_writer_guards_every_cell():
    evil = notice(carrier="=cmd|' /C calc'!A0", tracking_number="@1",
                  order_number="+44", line_external_ids=("-1-2",))
    for text, delimiter in ((render_amazon_confirmation([evil]), "\t"),
                            (render_plain_tracking([evil]), ",")):
        cells = [cell for row in table(text, delimiter)[1:] for cell in row]
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells)
    rows = table(render_ebay_tracking([notice(carrier="=x", line_external_ids=("1-2",))]))
    assert rows[1][4] == "'=x"
