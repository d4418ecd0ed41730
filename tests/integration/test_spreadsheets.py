"""Catalogue spreadsheets: exports of what the Inventory list shows (no cell can run as a
formula), and imports checked whole and applied all or nothing, setting stock through the
ledger."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.db.models import Category, Location, Product, StockLevel, StockMovement
from app.domain.errors import DomainError
from app.services import catalogue, inventory, spreadsheets, stock
from app.services.catalogue import ProductForm
from app.services.paging import PageRequest

from .workshop import add_location, add_product, book, levels, movements


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book_ = Workbook()
    for row in rows:
        book_.active.append(row)
    book_.save(path)
    return path


def state(backroom) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    """What an import could change: products, their update times, the ledger and levels."""
    with backroom.sessions() as s:
        return (
            s.execute(select(Product.sku, Product.title, Product.category_id, Product.barcode,
                             Product.price_minor, Product.price_currency, Product.cost_minor,
                             Product.updated_at).order_by(Product.id)).all(),
            s.scalar(select(func.count(StockMovement.id))),
            s.execute(select(StockLevel.product_id, StockLevel.location_id,
                             StockLevel.on_hand).order_by(StockLevel.product_id,
                                                          StockLevel.location_id)).all(),
        )


@pytest.fixture
def shop(backroom):  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        s.add_all([Category(code="MUGS", name="Mugs"), Category(code="TEES", name="T-shirts")])
        s.commit()
    bins = [add_location(backroom, code, seq) for code, seq in (("A-01", 1), ("B-01", 2))]
    return bins


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("kind", ["products", "stock"])
def test_an_export_imported_back_changes_nothing(demo_copy, tmp_path, kind, suffix):
    before = state(demo_copy)
    path = tmp_path / f"{kind}{suffix}"
    done = demo_copy.read(spreadsheets.export, kind, path)
    assert done.rows >= 200 and path.is_file()
    report = spreadsheets.import_catalogue(demo_copy.uow(), path)
    assert not report.rejected, report.problems
    assert (report.created, report.updated, report.stock_changes) == (0, 0, 0)
    assert report.unchanged == 200
    assert state(demo_copy) == before
    assert demo_copy.read(stock.ledger_mismatches) == ()


def test_a_file_with_problems_changes_nothing_and_names_every_one_by_row(backroom, shop,
                                                                          tmp_path):
    add_product(backroom, "MUG-1")
    add_product(backroom, "MUG-2")
    before = state(backroom)
    path = write_csv(tmp_path / "catalogue.csv", [
        ["SKU", "Title", "Category", "Barcode", "Price", "Quantity", "Location"],
        ["MUG-1", "Red mug", "Mugs", "4006381333931", "12.50", "4", "A-01"],  # fine
        ["", "No SKU", "Mugs", "", "", "", ""],
        ["NEW-1", "New", "Cupz", "", "", "", ""],
        ["NEW-2", "New", "Mugs", "5012345678901", "", "", ""],
        ["MUG-2", "", "", "", "", "-3", "A-01"],
        ["NEW-3", "", "Mugs", "", "", "", ""],
        ["NEW-4", "Thing", "Mugs", "", "", "2", "Z-99"],
        ["NEW-5", "Thing", "Mugs", "", "", "5", ""],
        ["NEW-6", "Thing", "Mugs", "4006381333931", "1.2.3", "", ""],
        ["mug-1", "Again", "", "", "", "", "A-01"],
        ["NEW-7", "T" * 301, "Mugs", "", "", "", ""],
    ])
    report = spreadsheets.import_catalogue(backroom.uow(), path)
    assert report.rejected and "refused, nothing imported (11 problems)" in report.summary()
    assert [p.split(":")[0] for p in report.problems] == [
        "Row 3, SKU", "Row 4, Category", "Row 5, Barcode", "Row 6, Quantity", "Row 7, Title",
        "Row 8, Location", "Row 9, Quantity", "Row 10, Barcode", "Row 10, Price",
        "Row 11, SKU", "Row 12, Title"]
    text = "\n".join(report.problems)
    for words in ("The SKU is missing", "'Cupz' is not a category (known: Mugs, T-shirts)",
                  "check digit 1, expected 0", "-3 is negative",
                  "NEW-3 is a new product, so it needs a title",
                  "'Z-99' is not a bin (known: A-01, B-01)",
                  "NEW-5 is in no bin yet, so say where its 5 are",
                  "4006381333931 is also the barcode of MUG-1 on row 2",
                  "mug-1 in A-01 is also on row 2"):
        assert words in text
    assert state(backroom) == before
    assert report.changes.products is False


def test_an_import_creates_and_updates_by_sku_and_sets_stock_through_the_ledger(
        backroom, shop, tmp_path):
    a01, b01 = shop
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, a01, 10)
    book(backroom, mug, b01, 4)
    path = write_xlsx(tmp_path / "catalogue.xlsx", [
        ["Stock count, 24 Nov"],  # a title row before the header is fine
        ["SKU", "Title", "Category", "Price", "Cost", "Quantity", "Bin", "Notes"],
        ["MUG-1", "Red mug", "mugs", 12.5, "4.20", 6, "B-01", "counted"],
        ["TEE-S", "Logo tee, S", "T-shirts", "£15", None, 7, "A-01", None],
        ["TEE-S", None, None, None, None, 2, "b-01", None],
    ])
    preview = spreadsheets.import_catalogue(backroom.uow(), path, preview=True)
    assert (preview.created, preview.updated, preview.stock_changes) == (1, 1, 3)
    assert "1 would be created" in preview.summary()
    assert levels(backroom, mug) == {a01: (10, 0), b01: (4, 0)}

    report = spreadsheets.import_catalogue(backroom.uow(), path)
    assert not report.rejected, report.problems
    assert (report.rows, report.created, report.updated, report.stock_changes) == (3, 1, 1, 3)
    assert report.ignored_columns == ("Notes",)
    assert report.changes.products and report.changes.stock
    with backroom.sessions() as s:
        p = s.get(Product, mug)
        assert (p.title, p.title_key, p.price_minor, p.cost_minor) == ("Red mug", "red mug",
                                                                      1250, 420)
        tee = s.scalars(select(Product).where(Product.sku == "TEE-S")).one()
        assert (tee.title, tee.price_minor, tee.category.name) == ("Logo tee, S", 1500,
                                                                   "T-shirts")
    assert levels(backroom, mug) == {a01: (10, 0), b01: (6, 0)}
    assert levels(backroom, tee.id) == {a01: (7, 0), b01: (2, 0)}
    assert movements(backroom, mug)[-1] == (b01, 2, "adjustment", "Import catalogue.xlsx")
    assert backroom.read(stock.ledger_mismatches) == ()
    # the same file again: nothing left to do
    again = spreadsheets.import_catalogue(backroom.uow(), path)
    assert (again.created, again.updated, again.unchanged, again.stock_changes) == (0, 0, 2, 0)


def test_a_total_quantity_goes_into_the_first_bin_or_comes_out_in_walk_order(
        backroom, shop, tmp_path):
    a01, b01 = shop
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, a01, 3)
    book(backroom, mug, b01, 5)
    spreadsheets.import_catalogue(backroom.uow(), write_csv(tmp_path / "down.csv", [
        ["sku", "quantity"], ["MUG-1", "2"]]))
    assert levels(backroom, mug) == {a01: (0, 0), b01: (2, 0)}
    spreadsheets.import_catalogue(backroom.uow(), write_csv(tmp_path / "up.csv", [
        ["sku", "quantity"], ["MUG-1", "9"]]))
    assert levels(backroom, mug) == {a01: (7, 0), b01: (2, 0)}
    assert backroom.read(stock.ledger_mismatches) == ()


def test_new_categories_are_made_only_when_asked(backroom, shop, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["SKU", "Title", "Category"],
                                          ["CUP-1", "Cup", "Cups & saucers"]])
    assert spreadsheets.import_catalogue(backroom.uow(), path).rejected
    report = spreadsheets.import_catalogue(backroom.uow(), path, allow_new_categories=True)
    assert report.new_categories == ("Cups & saucers",)
    with backroom.sessions() as s:
        category = s.scalars(select(Category).where(Category.name == "Cups & saucers")).one()
        assert category.code == "CUPS-SAUCERS"


def test_prices_are_read_in_each_rows_currency(backroom, shop, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["SKU", "Title", "Price", "Currency"],
                                          ["A", "A", "12.50", ""], ["B", "B", "1,250", "JPY"],
                                          ["C", "C", "3", "EURO"]])
    report = spreadsheets.import_catalogue(backroom.uow(), path)
    assert report.problems == ("Row 4, Currency: 'EURO' is not a currency code (like GBP).",)
    write_csv(path, [["SKU", "Title", "Price", "Currency"], ["A", "A", "12.50", ""],
                     ["B", "B", "1,250", "JPY"]])
    spreadsheets.import_catalogue(backroom.uow(), path)
    with backroom.sessions() as s:
        assert s.execute(select(Product.sku, Product.price_minor, Product.price_currency)
                         .order_by(Product.sku)).all() == [("A", 1250, "GBP"),
                                                           ("B", 1250, "JPY")]


def test_text_that_looks_like_a_formula_is_exported_as_text_and_reads_back(
        backroom, shop, tmp_path):
    catalogue.save_product(backroom.uow(), None, ProductForm(
        "=1+2", '=HYPERLINK("http://evil.example","click")', price="5"))
    catalogue.save_product(backroom.uow(), None, ProductForm("@SUM", "+44 mug"))
    catalogue.save_product(backroom.uow(), None, ProductForm("-3", "-3.50"))
    before = state(backroom)
    xlsx = backroom.read(spreadsheets.export_products, tmp_path / "p.xlsx").path
    sheet = load_workbook(xlsx).active
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row[:2]}
    for text in ("=1+2", '=HYPERLINK("http://evil.example","click")', "@SUM", "+44 mug",
                 "-3", "-3.50"):
        assert cells[text].data_type == "s", text
        assert cells[text].quotePrefix, text
    with xlsx.open("rb") as f:
        assert b"<f>" not in _sheet_xml(f)
    csv_path = backroom.read(spreadsheets.export_products, tmp_path / "p.csv").path
    rows = list(csv.reader(csv_path.open(encoding="utf-8-sig")))
    assert ["'=1+2", "'=HYPERLINK(\"http://evil.example\",\"click\")"] in [r[:2] for r in rows]
    assert ["'@SUM", "'+44 mug"] in [r[:2] for r in rows]
    assert ["-3", "-3.50"] in [r[:2] for r in rows]  # plain numbers stay as they are
    for path in (xlsx, csv_path):
        report = spreadsheets.import_catalogue(backroom.uow(), path)
        assert (report.created, report.updated, report.unchanged) == (0, 0, 3), report.lines()
    assert state(backroom) == before


def _sheet_xml(f) -> bytes:  # type: ignore[no-untyped-def]
    import zipfile

    with zipfile.ZipFile(f) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_an_export_holds_what_the_list_shows(demo_copy, tmp_path):
    req = PageRequest(search="mug", sort="title", descending=True,
                      filters=(("category", "mugs"),))
    page = demo_copy.read(inventory.list_page, replace(req, limit=10_000))
    shown = [r.sku for r in page.rows]
    done = demo_copy.read(spreadsheets.export_products, tmp_path / "mugs.xlsx", req)
    sheet = load_workbook(done.path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == spreadsheets.PRODUCT_HEADERS
    assert [r[0] for r in rows[1:]] == shown and done.rows == len(shown) > 0
    assert {r[2] for r in rows[1:]} == {"Mugs"}


def test_stock_and_movements_exports_follow_the_ledger(backroom, shop, tmp_path):
    a01, b01 = shop
    mug = add_product(backroom, "MUG-1")
    add_product(backroom, "MUG-2")
    book(backroom, mug, b01, 5)
    book(backroom, mug, a01, 2)
    done = backroom.read(spreadsheets.export_stock, tmp_path / "s.csv")
    rows = list(csv.reader(done.path.open(encoding="utf-8-sig")))
    assert rows == [list(spreadsheets.STOCK_HEADERS),
                    ["MUG-1", "Test product MUG-1", "", "A-01", "2", "0", "2"],
                    ["MUG-1", "Test product MUG-1", "", "B-01", "5", "0", "5"],
                    ["MUG-2", "Test product MUG-2", "", "", "0", "0", "0"]]
    moves = backroom.read(spreadsheets.export_movements, tmp_path / "m.xlsx")
    assert moves.rows == 2
    sheet = load_workbook(moves.path, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == spreadsheets.MOVEMENT_HEADERS
    assert [(r[1], r[3], r[4], r[5]) for r in values[1:]] == [("MUG-1", "B-01", 5, "goods in"),
                                                               ("MUG-1", "A-01", 2, "goods in")]
    only = backroom.read(spreadsheets.export_movements, tmp_path / "none.csv",
                         product_ids=[mug + 1])
    assert only.rows == 0


def test_files_that_cannot_be_imported_or_written_are_refused_in_words(backroom, tmp_path):
    odd = write_csv(tmp_path / "people.csv", [["Name", "Phone"], ["Ann", "1"]])
    with pytest.raises(DomainError, match=r"people\.csv has no SKU column"):
        spreadsheets.import_catalogue(backroom.uow(), odd)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(DomainError, match=r"old Excel \.xls workbook"):
        spreadsheets.import_catalogue(backroom.uow(), old)
    with pytest.raises(DomainError, match="is not there"):
        spreadsheets.import_catalogue(backroom.uow(), tmp_path / "missing.csv")
    with pytest.raises(DomainError, match=r"export to an Excel workbook \(.xlsx\) or a CSV"):
        backroom.read(spreadsheets.export_products, tmp_path / "p.ods")


def test_a_cancelled_export_leaves_no_file(demo_copy, tmp_path):
    target = tmp_path / "out" / "p.xlsx"
    with pytest.raises(DomainError, match="cancelled; no file was written"):
        demo_copy.read(spreadsheets.export_stock, target, PageRequest(),
                       cancelled=lambda: True)
    assert list(target.parent.iterdir()) == []


def test_an_import_of_many_rows_uses_one_unit_of_work(backroom, shop, tmp_path):
    rows: list[list[object]] = [["SKU", "Title", "Category", "Price", "Quantity", "Location"]]
    rows += [[f"BULK-{i:05d}", f"Bulk mug {i}", "Mugs", "3.50", i % 7, "A-01"]
             for i in range(3000)]
    path = write_csv(tmp_path / "bulk.csv", rows)
    seen = []
    report = spreadsheets.import_catalogue(backroom.uow(), path,
                                           progress=lambda d, t: seen.append((d, t)))
    assert (report.created, report.stock_changes) == (3000, 3000 - 3000 // 7 - 1)
    assert seen and seen[-1][0] >= 3000
    with backroom.sessions() as s:
        assert s.scalar(select(func.count(Product.id))) == 3000
        assert s.scalar(select(func.sum(StockLevel.on_hand))) == sum(i % 7 for i in
                                                                      range(3000))
        assert s.scalar(select(func.count(Location.id))) == 2
    assert backroom.read(stock.ledger_mismatches) == ()
    assert backroom.read(catalogue.find_by_code, "BULK-00042").title == "Bulk mug 42"
