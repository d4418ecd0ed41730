"""Shipment files for channels that are told by upload, not by API: render only, no I/O.

Amazon: the Shipping Confirmation flat file (tab-separated: order-id, order-item-id,
quantity, ship-date, carrier-code, carrier-name, tracking-number, ship-method), uploaded
at Orders > Upload order related files. eBay: the File Exchange 'Status' upload that Seller
Hub Reports > Uploads accepts (Action(SiteID=..), ItemID, TransactionID, ShippingStatus,
ShippingCarrierUsed, ShipmentTrackingNumber), one row per order line. Every cell that
starts with = + - @ (or a tab or carriage return) is prefixed with an apostrophe so a
spreadsheet shows it instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, tzinfo

from app.channels.base import ShipmentNotice

# Amazon's carrier-code values for the carriers a small workshop ships with; any other
# carrier goes as 'Other' with its name in carrier-name.
_AMAZON_CARRIERS = {
    "usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL", "dhl express": "DHL",
    "royal mail": "Royal Mail", "parcelforce": "Parcelforce", "dpd": "DPD",
    "evri": "Evri", "hermes": "Hermes", "yodel": "Yodel", "deutsche post": "Deutsche Post",
    "gls": "GLS", "canada post": "Canada Post", "australia post": "Australia Post",
    "la poste": "La Poste", "colissimo": "Colissimo", "postnl": "PostNL",
    "poste italiane": "Poste Italiane", "correos": "Correos", "ontrac": "OnTrac",
}
# File Exchange's Action header per eBay site: (SiteID, Country, Currency).
EBAY_SITES = {
    "US": ("US", "US", "USD"), "UK": ("UK", "GB", "GBP"), "AU": ("Australia", "AU", "AUD"),
    "CA": ("Canada", "CA", "CAD"), "DE": ("Germany", "DE", "EUR"),
    "FR": ("France", "FR", "EUR"), "IT": ("Italy", "IT", "EUR"), "ES": ("Spain", "ES", "EUR"),
}
AMAZON_COLUMNS = ("order-id", "order-item-id", "quantity", "ship-date", "carrier-code",
                  "carrier-name", "tracking-number", "ship-method")
PLAIN_COLUMNS = ("Order Number", "Order ID", "Carrier", "Tracking Number", "Tracking URL",
                 "Shipped Date", "Line IDs")


class ShipmentExportError(ValueError):
    """A notice cannot be written in the channel's format; the message says which."""


def spreadsheet_safe(text: str) -> str:
    """'=HYPERLINK(...)' -> \"'=HYPERLINK(...)\": shown as text, never run as a formula."""
    return "'" + text if text and text[0] in "=+-@\t\r" else text


def _render(rows: Iterable[Sequence[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def amazon_carrier(carrier: str) -> tuple[str, str]:
    """(carrier-code, carrier-name): a known carrier by its code, any other as 'Other'."""
    code = _AMAZON_CARRIERS.get(" ".join(carrier.split()).casefold())
    return (code, "") if code else ("Other", carrier.strip())


def render_amazon_confirmation(notices: Iterable[ShipmentNotice]) -> str:
    """Amazon's Shipping Confirmation flat file; a notice without line ids confirms the
    whole order (order-item-id and quantity left empty, as Amazon allows)."""
    rows: list[Sequence[str]] = [AMAZON_COLUMNS]
    for notice in notices:
        code, name = amazon_carrier(notice.carrier)
        shipped = notice.shipped_at.astimezone(UTC).isoformat(timespec="seconds")
        for item_id in notice.line_external_ids or ("",):
            rows.append((notice.order_external_id, item_id, "", shipped, code, name,
                         notice.tracking_number, ""))
    return _render(rows, "\t")


def render_ebay_tracking(notices: Iterable[ShipmentNotice], *, site: str = "US",
                         order_lines: Mapping[str, Sequence[str]] | None = None) -> str:
    """eBay's tracking upload (File Exchange 'Status' rows), one per order line.

    Lines are named by eBay's OrderLineItemID, '<ItemID>-<TransactionID>' (what the eBay
    report reader puts in ChannelOrderLine.external_id). A notice for the whole order takes
    its lines from `order_lines[order_external_id]`.
    """
    if site not in EBAY_SITES:
        raise ShipmentExportError(f"eBay site {site!r} is not one of {', '.join(EBAY_SITES)}")
    site_id, country, currency = EBAY_SITES[site]
    rows: list[Sequence[str]] = [(
        f"Action(SiteID={site_id}|Country={country}|Currency={currency}|Version=1193)",
        "ItemID", "TransactionID", "ShippingStatus", "ShippingCarrierUsed",
        "ShipmentTrackingNumber")]
    unknown: list[str] = []
    for notice in notices:
        lines = notice.line_external_ids or tuple((order_lines or {}).get(
            notice.order_external_id, ()))
        if not lines:
            unknown.append(notice.order_number or notice.order_external_id)
            continue
        for line in lines:
            item_id, dash, transaction_id = line.partition("-")
            if not (dash and item_id and transaction_id):
                unknown.append(f"{notice.order_number or notice.order_external_id} ({line})")
                continue
            rows.append(("Status", item_id, transaction_id, "1", notice.carrier.strip(),
                         notice.tracking_number))
    if unknown:
        raise ShipmentExportError(
            "eBay needs the item number and transaction of every line shipped; these orders "
            f"have none: {', '.join(unknown)}. Read them from an eBay orders report first.")
    return _render(rows, ",")


def render_plain_tracking(notices: Iterable[ShipmentNotice], *, shop_tz: tzinfo = UTC) -> str:
    """A plain tracking CSV for Shopify and Etsy, which have no tracking-upload file of their
    own (Shopify takes tracking in the order page or through an app or the API; Etsy only
    per order or through its API). For the seller's records or an import app."""
    rows: list[Sequence[str]] = [PLAIN_COLUMNS]
    for n in notices:
        rows.append((n.order_number, n.order_external_id, n.carrier, n.tracking_number,
                     n.tracking_url, n.shipped_at.astimezone(shop_tz).date().isoformat(),
                     " ".join(n.line_external_ids)))
    return _render(rows, ",")


def render_shipments(channel: str, notices: Iterable[ShipmentNotice], *, site: str = "US",
                     order_lines: Mapping[str, Sequence[str]] | None = None,
                     shop_tz: tzinfo = UTC) -> tuple[str, str]:
    """(suggested file name, text) of the upload file for a channel kind."""
    kind = channel.casefold()
    if kind == "amazon":
        return "amazon-shipping-confirmation.txt", render_amazon_confirmation(notices)
    if kind == "ebay":
        return "ebay-tracking-upload.csv", render_ebay_tracking(
            notices, site=site, order_lines=order_lines)
    return f"{kind}-tracking.csv", render_plain_tracking(notices, shop_tz=shop_tz)
