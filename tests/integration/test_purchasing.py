"""Purchase orders: drafted by hand, numbered in turn, sent as a PDF, a spreadsheet and an
e-mail in the outbox, closed or cancelled; every change in the history."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.db.models import OutboxEmail, PurchaseOrder, PurchaseOrderLine
from app.domain.access import Role, Viewer
from app.domain.errors import DomainError, IllegalTransition
from app.services import purchasing
from app.services.paging import PageRequest
from app.services.purchasing import LineIn

from .test_reorder_service import add_supplier, supplies
from .workshop import add_product

TODAY = date(2026, 11, 24)


@pytest.fixture
def shop(backroom):  # type: ignore[no-untyped-def]
    oak = add_supplier(backroom, "Hollow Oak Ceramics", lead_time_days=10,
                       email="orders@hollowoak.example")
    mug, cup = add_product(backroom, "MUG-1"), add_product(backroom, "CUP-1")
    supplies(backroom, oak, mug, cost=325, code="HO-MUG", pack=6)
    supplies(backroom, oak, cup, cost=180, code="HO-CUP")
    return backroom, oak, mug, cup


def status_of(backroom, po_id: int) -> str:  # type: ignore[no-untyped-def]
    return backroom.read(purchasing.detail, po_id).row.status


def test_a_draft_by_hand_is_numbered_next_and_its_lines_can_change(shop):
    backroom, oak, mug, cup = shop
    first = backroom.act(purchasing.create_purchase_order, oak)
    second = backroom.act(purchasing.create_purchase_order, oak, [LineIn(mug, 12, 325)],
                          "Glaze: white")
    d1, d2 = (backroom.read(purchasing.detail, i) for i in (first, second))
    assert (d1.row.number, d2.row.number) == ("PO-000001", "PO-000002")
    assert d2.row.status == "draft" and d2.notes == "Glaze: white"
    assert [(ln.sku, ln.supplier_code, ln.ordered, ln.unit_cost_minor, ln.pack_size)
            for ln in d2.lines] == [("MUG-1", "HO-MUG", 12, 325, 6)]
    assert d2.actions == ("edit", "send", "cancel")
    assert d2.history[0].to_status == "draft" and d2.history[0].note == "Made by hand"

    backroom.act(purchasing.save_draft, first, [LineIn(cup, 40, 180), LineIn(mug, 6, 300)],
                 "", TODAY)
    d1 = backroom.read(purchasing.detail, first)
    assert [(ln.sku, ln.ordered) for ln in d1.lines] == [("CUP-1", 40), ("MUG-1", 6)]
    assert d1.row.total_minor == 40 * 180 + 6 * 300 and d1.row.expected_on == TODAY
    backroom.act(purchasing.save_draft, first, [LineIn(mug, 7, 300)])
    assert [(ln.sku, ln.ordered) for ln in backroom.read(purchasing.detail, first).lines] == [
        ("MUG-1", 7)]


def test_bad_lines_are_refused_with_every_problem_named(shop):
    backroom, oak, mug, _cup = shop
    made = add_product(backroom, "MTO-1", made_to_order=True)
    po = backroom.act(purchasing.create_purchase_order, oak)
    with pytest.raises(DomainError) as refused:
        backroom.act(purchasing.save_draft, po, [LineIn(mug, 0), LineIn(mug, 2, -1),
                                                  LineIn(made, 1)])
    text = str(refused.value)
    assert "MUG-1: order between 1 and 1,000,000 (not 0)" in text
    assert "MUG-1 is on the order twice" in text
    assert "MUG-1: a price cannot be negative" in text
    assert "MTO-1 is made to order" in text
    assert backroom.read(purchasing.detail, po).lines == ()


def test_a_product_is_found_for_a_line_by_sku_barcode_or_supplier_code(shop):
    backroom, oak, mug, _cup = shop
    from app.db.models import Product

    with backroom.sessions() as s:
        s.get_one(Product, mug).barcode = "5012345678900"
        s.commit()
    for code in ("MUG-1", "mug-1", "5012345678900", "HO-MUG"):
        found = backroom.read(purchasing.find_line_product, oak, code)
        assert (found.sku, found.unit_cost_minor, found.currency, found.pack_size) == (
            "MUG-1", 325, "GBP", 6)
    with pytest.raises(DomainError, match="No product has the SKU, barcode or supplier code"):
        backroom.read(purchasing.find_line_product, oak, "NOPE")


def test_sending_saves_a_pdf_and_a_spreadsheet_and_queues_the_email(shop, tmp_path):
    backroom, oak, mug, cup = shop
    po = backroom.act(purchasing.create_purchase_order, oak,
                      [LineIn(mug, 12, 325), LineIn(cup, 40, 180)])
    sent = backroom.act(purchasing.send_purchase_order, po, tmp_path, today=TODAY)
    folder = tmp_path / "purchase-orders"
    assert (sent.pdf, sent.xlsx) == (folder / "PO-000001.pdf", folder / "PO-000001.xlsx")
    assert sent.pdf.read_bytes().startswith(b"%PDF")
    sheet = load_workbook(sent.xlsx).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=8, max_row=9)]
    assert [(r[1], r[2], r[4], float(r[5]), float(r[6])) for r in rows] == [
        ("MUG-1", "HO-MUG", 12, 3.25, 39.0), ("CUP-1", "HO-CUP", 40, 1.8, 72.0)]
    assert sent.emailed_to == "orders@hollowoak.example"
    with backroom.sessions() as s:
        email = s.scalars(select(OutboxEmail)).one()
    assert email.to_address == "orders@hollowoak.example"
    assert email.subject == "Purchase order PO-000001"
    assert "12 × MUG-1 [HO-MUG] Test product MUG-1 at £3.25" in email.body
    assert "Total: £111.00" in email.body
    assert "PO-000001.pdf" in email.body and "PO-000001.xlsx" in email.body
    d = backroom.read(purchasing.detail, po)
    assert d.row.status == "sent" and d.row.sent_at is not None
    assert d.row.expected_on == TODAY + timedelta(days=10)  # the supplier's lead time
    assert d.actions == ("receive", "cancel")
    assert d.history[-1].note.startswith("E-mailed to orders@hollowoak.example")
    with pytest.raises(IllegalTransition):
        backroom.act(purchasing.send_purchase_order, po, tmp_path)


def test_a_long_order_runs_onto_more_pdf_pages(shop, tmp_path):
    backroom, oak, *_ = shop
    lines = [LineIn(add_product(backroom, f"BULK-{n:03d}"), n + 1, 99) for n in range(90)]
    po = backroom.act(purchasing.create_purchase_order, oak, lines)
    sent = backroom.act(purchasing.send_purchase_order, po, tmp_path, today=TODAY)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", sent.pdf.read_bytes())) == 3


def test_a_supplier_without_an_address_is_not_emailed_unless_sent_another_way(shop, tmp_path):
    backroom, _oak, mug, _cup = shop
    quiet = add_supplier(backroom, "Quiet Makers", email="not-an-address")
    po = backroom.act(purchasing.create_purchase_order, quiet, [LineIn(mug, 1)])
    with pytest.raises(DomainError, match="Quiet Makers has the e-mail address “not-an-address"
                                          "”, which cannot be used"):
        backroom.act(purchasing.send_purchase_order, po, tmp_path)
    assert status_of(backroom, po) == "draft"
    assert not (tmp_path / "purchase-orders").exists() or not any(
        (tmp_path / "purchase-orders").iterdir())
    sent = backroom.act(purchasing.send_purchase_order, po, tmp_path, email=False)
    assert sent.emailed_to is None and status_of(backroom, po) == "sent"
    with backroom.sessions() as s:
        assert s.scalars(select(OutboxEmail)).all() == []


def test_an_empty_order_is_not_sent(shop, tmp_path):
    backroom, oak, *_ = shop
    po = backroom.act(purchasing.create_purchase_order, oak)
    with pytest.raises(DomainError, match="has no lines"):
        backroom.act(purchasing.send_purchase_order, po, tmp_path)


def test_cancelling_a_sent_order_tells_the_supplier(shop, tmp_path):
    backroom, oak, mug, _cup = shop
    po = backroom.act(purchasing.create_purchase_order, oak, [LineIn(mug, 6, 325)])
    backroom.act(purchasing.send_purchase_order, po, tmp_path)
    backroom.act(purchasing.cancel_purchase_order, po, "Ordered twice")
    assert status_of(backroom, po) == "cancelled"
    with backroom.sessions() as s:
        subjects = list(s.scalars(select(OutboxEmail.subject).order_by(OutboxEmail.id)))
    assert subjects == ["Purchase order PO-000001", "Cancelled: purchase order PO-000001"]
    with pytest.raises(IllegalTransition, match="cancelled cannot become closed"):
        backroom.act(purchasing.close_purchase_order, po)


def test_a_partly_received_order_can_be_closed_and_no_longer_counts_as_on_order(shop):
    backroom, oak, mug, _cup = shop
    po = backroom.act(purchasing.create_purchase_order, oak, [LineIn(mug, 10, 325)])
    with backroom.sessions() as s:
        s.get_one(PurchaseOrder, po).status = "partly_received"
        s.scalars(select(PurchaseOrderLine)).one().quantity_received = 4
        s.commit()
    with pytest.raises(IllegalTransition, match="partly received cannot become cancelled"):
        backroom.act(purchasing.cancel_purchase_order, po)
    backroom.act(purchasing.close_purchase_order, po)
    d = backroom.read(purchasing.detail, po)
    assert d.row.status == "closed" and d.actions == ()
    assert d.history[-1].note == "Closed with 6 units not delivered"


def test_the_list_filters_by_status_and_finds_by_number_or_supplier(shop, tmp_path):
    backroom, oak, mug, _cup = shop
    kiln = add_supplier(backroom, "Kiln & Co")
    a = backroom.act(purchasing.create_purchase_order, oak, [LineIn(mug, 2, 100)])
    b = backroom.act(purchasing.create_purchase_order, kiln, [LineIn(mug, 3, 100)])
    c = backroom.act(purchasing.create_purchase_order, kiln)
    backroom.act(purchasing.send_purchase_order, a, tmp_path)
    backroom.act(purchasing.cancel_purchase_order, c)

    def numbers(**kw) -> list[str]:  # type: ignore[no-untyped-def]
        page = backroom.read(purchasing.list_page, PageRequest(**kw))
        return [r.number for r in page.rows]

    assert numbers() == ["PO-000003", "PO-000002", "PO-000001"]
    assert numbers(filters=(("status", "open"),)) == ["PO-000002", "PO-000001"]
    assert numbers(filters=(("status", "sent"),)) == ["PO-000001"]
    assert numbers(search="kiln") == ["PO-000003", "PO-000002"]
    assert numbers(search="000001") == ["PO-000001"]
    assert numbers(sort="total", descending=True)[0] == "PO-000002"
    assert backroom.read(purchasing.count, PageRequest(filters=(("status", "open"),))) == 2
    row = backroom.read(purchasing.list_page, PageRequest()).rows[1]
    assert (row.supplier, row.lines, row.ordered, row.received, row.total_minor) == (
        "Kiln & Co", 1, 3, 0, 300)
    assert b


def test_staff_manage_purchase_orders_and_a_supplier_may_not(shop, tmp_path):
    backroom, oak, mug, _cup = shop
    backroom.sign_in(Viewer(None, "sam", "Sam", Role.STAFF))
    po = backroom.act(purchasing.create_purchase_order, oak, [LineIn(mug, 1)])
    backroom.sign_in(Viewer(None, "kiln", "Kiln", Role.SUPPLIER, supplier_id=oak))
    with pytest.raises(DomainError, match="signed in as a supplier"):
        backroom.read(purchasing.detail, po)
    with pytest.raises(DomainError, match="signed in as a supplier"):
        backroom.act(purchasing.send_purchase_order, po, Path(tmp_path))


def test_the_supplier_receives_the_pdf_and_the_spreadsheet_attached(shop, tmp_path,
                                                                   mail_server):
    from app.notify.smtp import SmtpSettings
    from app.services import notifications

    backroom, oak, mug, _cup = shop
    backroom.act(notifications.save_smtp_settings, SmtpSettings(
        mail_server.host, mail_server.port, False, "", "workshop@example.com", ""), None)
    po = backroom.act(purchasing.create_purchase_order, oak, [LineIn(mug, 12, 325)])
    sent = backroom.act(purchasing.send_purchase_order, po, tmp_path, today=TODAY)
    report = notifications.deliver_outbox(backroom.sessions)
    assert report.sent == 1, report
    (message,) = mail_server.received
    files = {part.get_filename(): part.get_content_type()
             for part in message.iter_attachments()}
    assert files == {"PO-000001.pdf": "application/pdf",
                     "PO-000001.xlsx": "application/vnd.openxmlformats-officedocument."
                                       "spreadsheetml.sheet"}
    attached = next(p for p in message.iter_attachments() if p.get_filename().endswith("pdf"))
    assert attached.get_content() == sent.pdf.read_bytes()


def test_an_attachment_that_has_gone_keeps_the_email_waiting_and_says_why(shop, tmp_path,
                                                                         mail_server):
    from app.db.models import OutboxEmail
    from app.notify.smtp import SmtpSettings
    from app.services import notifications

    backroom, oak, mug, _cup = shop
    backroom.act(notifications.save_smtp_settings, SmtpSettings(
        mail_server.host, mail_server.port, False, "", "workshop@example.com", ""), None)
    po = backroom.act(purchasing.create_purchase_order, oak, [LineIn(mug, 12, 325)])
    sent = backroom.act(purchasing.send_purchase_order, po, tmp_path, today=TODAY)
    sent.pdf.unlink()
    report = notifications.deliver_outbox(backroom.sessions)
    assert report.sent == 0 and mail_server.received == []
    with backroom.sessions() as s:
        email = s.scalars(select(OutboxEmail)).one()
    assert email.status == "failed" and "PO-000001.pdf" in email.error
