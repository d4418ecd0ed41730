"""Which channel report a file is, from its header: encodings, delimiters, junk, XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from app.channels.files import FileFormat, NotAnOrderFile, detect, read_orders
from app.channels.files.table import cell_text

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "channels" / "files"


@pytest.mark.parametrize(("name", "fmt"), [
    ("shopify_orders_export.csv", FileFormat.SHOPIFY_ORDERS),
    ("shopify_orders_export_bom_crlf.csv", FileFormat.SHOPIFY_ORDERS),
    ("shopify_orders_export_excel_cp1252.csv", FileFormat.SHOPIFY_ORDERS),
    ("EtsySoldOrders2024-11.csv", FileFormat.ETSY_SOLD_ORDERS),
    ("EtsySoldOrderItems2024-11.csv", FileFormat.ETSY_SOLD_ORDER_ITEMS),
    ("amazon_order_report.txt", FileFormat.AMAZON_ORDER_REPORT),
    ("amazon_all_orders.txt", FileFormat.AMAZON_ALL_ORDERS),
    ("ebay_orders_report.csv", FileFormat.EBAY_ORDERS),
    ("ebay_uk_orders_report.csv", FileFormat.EBAY_ORDERS),
])
def test_each_channels_report_is_told_from_its_header(name, fmt):
    assert detect(FIXTURES / name) is fmt
    assert detect((FIXTURES / name).read_bytes()) is fmt


def test_formats_name_their_channel():
    assert [f.channel for f in FileFormat] == [
        "shopify", "etsy", "etsy", "amazon", "amazon", "ebay"]


def test_a_file_in_no_known_format_is_refused_with_what_to_do():
    data = b"Date,Description,Amount\n2024-03-01,Coffee,3.50\n"
    with pytest.raises(NotAnOrderFile) as refused:
        detect(data, name="x.csv")
    assert str(refused.value) == (
        "x.csv is not a file Backroom knows: it looked for the headers of Shopify, Etsy, "
        "Amazon or eBay order exports. Export the orders report from your channel and try "
        "again.")
    with pytest.raises(NotAnOrderFile, match=r"^bank\.csv is not a file Backroom knows"):
        read_orders(data, name="bank.csv")


def test_an_empty_file_and_an_old_xls_are_refused_by_name():
    with pytest.raises(NotAnOrderFile, match=r"^empty\.csv is empty"):
        detect(b"  \n", name="empty.csv")
    with pytest.raises(NotAnOrderFile, match=r"^old\.xls is an old Excel \.xls workbook"):
        detect(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="old.xls")


def test_a_path_gives_its_own_name_to_the_message(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    with pytest.raises(NotAnOrderFile, match=r"^notes\.txt is not a file Backroom knows"):
        detect(path)


def test_a_tab_separated_shopify_export_and_a_semicolon_one_are_sniffed():
    rows = list(csv.reader(io.StringIO(
        (FIXTURES / "shopify_orders_export.csv").read_text("utf-8"), newline="")))
    for delimiter in ("\t", ";"):
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter).writerows(rows)
        result = read_orders(out.getvalue().encode("utf-8"))
        assert (result.format, len(result.orders), result.problems) == (
            FileFormat.SHOPIFY_ORDERS, 3, ())


def test_an_amazon_report_saved_as_excel_unicode_text_is_read():
    text = (FIXTURES / "amazon_order_report.txt").read_text("utf-8")
    for encoded in (text.encode("utf-16"), text.encode("utf-16-le")):
        result = read_orders(encoded)
        assert result.format is FileFormat.AMAZON_ORDER_REPORT
        assert result.orders[0].customer_name == "Zoë Øster"


def test_the_header_is_found_below_ebays_blank_lines_and_rows_keep_their_numbers():
    result = read_orders(FIXTURES / "ebay_orders_report.csv")
    assert result.format is FileFormat.EBAY_ORDERS
    broken = (FIXTURES / "ebay_orders_report.csv").read_text("utf-8").replace(
        "Mar-06-24,Mar-06-24", "Mar-06-24,Smarch-06-24", 1)
    problems = read_orders(broken.encode()).problems
    assert [(p.row, p.field, p.message) for p in problems] == [
        (5, "Paid On Date", "'Smarch-06-24' is not a date")]  # commas, header, padding, 1001


def xlsx_of(path: Path, blank_rows_before: int = 0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(blank_rows_before):
        sheet.append([])
    for row in csv.reader(io.StringIO(path.read_text("utf-8"), newline="")):
        sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: str) -> object:
    """What Excel makes of a cell: numbers become numbers, empty cells stay empty."""
    if not value:
        return None
    try:
        return int(value) if value.isdigit() and not value.startswith("0") else float(value)
    except ValueError:
        return value


def test_an_xlsx_export_reads_like_the_csv_it_came_from():
    source = FIXTURES / "shopify_orders_export.csv"
    from_csv = read_orders(source)
    from_xlsx = read_orders(xlsx_of(source, blank_rows_before=2), name="orders.xlsx")
    assert from_xlsx.format is FileFormat.SHOPIFY_ORDERS
    assert from_xlsx.problems == ()
    assert [o.lines for o in from_xlsx.orders] == [o.lines for o in from_csv.orders]
    assert [o.total_minor for o in from_xlsx.orders] == [o.total_minor for o in from_csv.orders]
    assert [o.external_id for o in from_xlsx.orders] == ["5512345678901", "5512345678902",
                                                         "5512345678903"]
    assert from_xlsx.orders[0].raw.startswith("#1001,zoe@example.com,paid")


def test_an_xlsx_problem_is_named_by_the_sheets_row_number():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_of(FIXTURES / "shopify_orders_export.csv",
                                                     blank_rows_before=1)))
    sheet = book.active
    header = [c.value for c in sheet[2]]
    sheet.cell(row=5, column=header.index("Created at") + 1, value="someday")
    out = io.BytesIO()
    book.save(out)
    problems = read_orders(out.getvalue()).problems
    assert [(p.row, p.field) for p in problems] == [(5, "Created at")]


def test_a_workbook_that_is_no_order_report_is_refused():
    book = openpyxl.Workbook()
    book.active.append(["Date", "Amount"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(NotAnOrderFile, match=r"^stock\.xlsx is not a file Backroom knows"):
        detect(out.getvalue(), name="stock.xlsx")
    with pytest.raises(NotAnOrderFile, match="could not be opened as an Excel workbook"):
        detect(b"PK\x03\x04 not really a zip", name="broken.xlsx")


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (12, "12"), (12.0, "12"), (12.5, "12.5"), (0.1, "0.1"), (1e-05, "0.00001"),
    (True, "TRUE"), ("x", "x"),
])
def test_spreadsheet_cells_become_the_text_a_csv_would_hold(value, text):
    assert cell_text(value) == text
