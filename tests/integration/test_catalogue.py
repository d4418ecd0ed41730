"""The catalogue: a product saved whole with its attributes, photos, barcode, prices,
suppliers and listings (every problem named at once, nothing saved until all is right),
variants, bulk edits, and finding or linking a scanned barcode."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.db.models import (
    Category,
    Listing,
    Product,
    ProductPhoto,
    StatusChange,
    StockPushQueue,
    Supplier,
    SupplierProduct,
)
from app.domain.errors import DomainError
from app.services import catalogue
from app.services.catalogue import BulkEdit, ListingForm, ProductForm, SupplierLinkForm

from .workshop import add_channel, add_product


@dataclass
class Shop:
    mugs: int
    shirts: int
    kiln: int
    loom: int
    etsy: int
    shop: int


@pytest.fixture
def shop(backroom) -> Shop:
    with backroom.sessions() as s:
        mugs, shirts = Category(code="MUGS", name="Mugs"), Category(code="TEES", name="T-shirts")
        kiln, loom = Supplier(name="Kiln & Co"), Supplier(name="Loom Ltd")
        s.add_all([mugs, shirts, kiln, loom])
        s.commit()
        ids = mugs.id, shirts.id, kiln.id, loom.id
    return Shop(*ids, add_channel(backroom, "Etsy", "USD"), add_channel(backroom, "Shop"))


def picture(path: Path, colour: str = "red", size: tuple[int, int] = (640, 480)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def mug(shop: Shop, **kw) -> ProductForm:  # type: ignore[no-untyped-def]
    form = ProductForm(
        sku="MUG-RED", title="Red mug", description="Stoneware, 350 ml.",
        category_id=shop.mugs, barcode="4006381333931", cost="4.20", price="12.50",
        weight_g=380, attributes=(("colour", "red"), ("size", "350 ml")),
        suppliers=(SupplierLinkForm(shop.kiln, "K-77", pack_size=6, minimum_order=12,
                                    unit_cost="3.90"),),
        listings=(ListingForm(shop.etsy, "MUG-RED", "1234567", "Red mug, handmade", "16.00",
                              push_stock=True, max_shown=10),))
    return replace(form, **kw)


def test_a_new_product_is_saved_whole(backroom, shop):
    saved = catalogue.save_product(backroom.uow(), None, mug(shop))
    assert saved.changes.products and saved.changes.stock  # a listing: the channel is told
    with backroom.sessions() as s:
        p = s.get(Product, saved.id)
        assert (p.sku, p.title, p.title_key, p.category_id) == ("MUG-RED", "Red mug",
                                                                 "red mug", shop.mugs)
        assert (p.cost_minor, p.price_minor, p.price_currency, p.weight_g) == (420, 1250,
                                                                                 "GBP", 380)
        assert p.attributes == {"colour": "red", "size": "350 ml"}
        link = s.get(SupplierProduct, (shop.kiln, p.id))
        assert (link.supplier_code, link.pack_size, link.minimum_order,
                link.unit_cost_minor) == ("K-77", 6, 12, 390)
        listing = s.scalars(select(Listing).where(Listing.product_id == p.id)).one()
        assert (listing.channel_sku, listing.external_id, listing.title_override,
                listing.price_minor, listing.currency, listing.max_shown) == (
            "MUG-RED", "1234567", "Red mug, handmade", 1600, "USD", 10)
        assert s.get(StockPushQueue, p.id) is not None
        assert s.scalars(select(StatusChange.note).where(
            StatusChange.entity == "product", StatusChange.entity_id == p.id)).all() == [
            "Added"]
    assert backroom.read(catalogue.product_form, saved.id) == catalogue._clean(
        replace(mug(shop), listings=(replace(mug(shop).listings[0], id=listing.id),)))


def test_a_form_with_problems_names_every_one_and_saves_nothing(backroom, shop):
    add_product(backroom, "MUG-BLUE")
    bad = mug(shop, sku="mug-blue", title=" ", barcode="4006381333932", price="12.5x",
              cost="-1", attributes=(("colour", "red"), ("Colour", "blue"), ("", "big")),
              suppliers=(SupplierLinkForm(shop.kiln, pack_size=0),
                         SupplierLinkForm(shop.kiln)),
              listings=(ListingForm(shop.etsy, ""),), parent_sku="NOPE",
              photos=("../../etc/passwd",))
    with pytest.raises(DomainError) as refused:
        catalogue.save_product(backroom.uow(), None, bad)
    text = str(refused.value)
    assert text.startswith("The product was not saved:")
    for words in ("The SKU MUG-BLUE is already used", "Give the product a title",
                  "Barcode: EAN-13 4006381333932 has check digit 2, expected 1",
                  "Selling price: '12.5x' is not a price", "Cost price: '-1' is negative",
                  "The attribute “Colour” is there twice", "has a value (“big”) but no name",
                  "Kiln & Co: the pack size must be 1 or more",
                  "Kiln & Co is in the suppliers list twice",
                  "Etsy: give the listing's channel SKU",
                  "Parent product: no product has the SKU 'NOPE'",
                  "A photo was not added through the editor"):
        assert words in text
    assert text.count("•") == 12
    with backroom.sessions() as s:
        assert s.scalar(select(func.count(Product.id))) == 1
        assert s.scalar(select(func.count(Listing.id))) == 0


def test_an_edit_changes_only_what_it_says_and_keeps_a_history_line(backroom, shop):
    saved = catalogue.save_product(backroom.uow(), None, mug(shop))
    form = backroom.read(catalogue.product_form, saved.id)
    edited = replace(form, price="14.00", suppliers=(), listings=(),
                     attributes=(("colour", "red"),))
    changes = catalogue.save_product(backroom.uow(), saved.id, edited).changes
    assert changes.products and changes.stock  # the listing went: the channel is told
    with backroom.sessions() as s:
        assert s.get(Product, saved.id).price_minor == 1400
        assert s.scalar(select(func.count(SupplierProduct.product_id))) == 0
        assert s.scalar(select(func.count(Listing.id))) == 0
        notes = s.scalars(select(StatusChange.note).where(
            StatusChange.entity_id == saved.id).order_by(StatusChange.id)).all()
    assert notes == ["Added", "Changed price, attributes, listings"]


def test_a_channel_sku_belongs_to_one_product(backroom, shop):
    catalogue.save_product(backroom.uow(), None, mug(shop))
    other = mug(shop, sku="MUG-BLUE", barcode="", listings=(ListingForm(shop.etsy,
                                                                         "MUG-RED"),))
    with pytest.raises(DomainError, match="Etsy already lists MUG-RED for product MUG-RED"):
        catalogue.save_product(backroom.uow(), None, other)


def test_variants_share_a_parent_and_are_shown_as_one_family(backroom, shop):
    tee = catalogue.save_product(backroom.uow(), None, ProductForm("TEE", "Logo tee",
                                                                   category_id=shop.shirts))
    sizes = [catalogue.save_product(backroom.uow(), None, ProductForm(
        f"TEE-{size}", f"Logo tee, {size}", parent_sku="tee",
        attributes=(("size", size),))).id for size in ("S", "M", "L")]
    family = backroom.read(catalogue.product_family, sizes[1])
    assert family.parent.sku == "TEE"
    assert [v.sku for v in family.variants] == ["TEE-L", "TEE-M", "TEE-S"]
    assert backroom.read(catalogue.product_family, tee.id) == family
    with pytest.raises(DomainError, match="TEE-S is itself a variant of TEE; make this one "
                                          "a variant of TEE too"):
        catalogue.save_product(backroom.uow(), None, ProductForm("TEE-S-X", "x",
                                                                 parent_sku="TEE-S"))
    form = backroom.read(catalogue.product_form, tee.id)
    add_product(backroom, "CAP")
    with pytest.raises(DomainError, match="has variants of its own"):
        catalogue.save_product(backroom.uow(), tee.id, replace(form, parent_sku="CAP"))
    with pytest.raises(DomainError, match="cannot be a variant of itself"):
        catalogue.save_product(backroom.uow(), tee.id, replace(form, parent_sku="TEE"))
    alone = add_product(backroom, "LONE")
    assert backroom.read(catalogue.product_family, alone) == catalogue.Family(None, ())


def test_a_file_that_is_not_a_picture_is_refused_by_its_name(backroom, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    fake = tmp_path / "holiday.jpg"
    fake.write_bytes(b"\xff\xd8\xff\xe0" + b"garbage" * 20)
    for path in (notes, fake):
        with pytest.raises(DomainError, match=f"{path.name} is not a picture"):
            catalogue.store_photo(backroom.config, path)
    assert not backroom.config.photos_dir.exists() or not any(
        backroom.config.photos_dir.glob("*.*"))


def test_a_photo_is_stored_once_by_its_content_with_thumbnails(backroom, shop, tmp_path):
    first = catalogue.store_photo(backroom.config, picture(tmp_path / "a.jpg"))
    again = catalogue.store_photo(backroom.config, picture(tmp_path / "copy.jpg"))
    other = catalogue.store_photo(backroom.config, picture(tmp_path / "b.png", "blue"))
    assert first == again and first.startswith("photos/") and first.endswith(".jpg")
    assert other.endswith(".png")
    assert catalogue.photo_file(backroom.config, first).is_file()
    thumb = catalogue.thumbnail(backroom.config, first, 48)
    with Image.open(thumb) as image:
        assert max(image.size) == 48
    saved = catalogue.save_product(backroom.uow(), None, mug(shop, photos=(other, first)))
    assert backroom.read(catalogue.product_form, saved.id).photos == (other, first)
    assert backroom.read(catalogue.first_photos, [saved.id]) == {saved.id: other}
    form = backroom.read(catalogue.product_form, saved.id)
    catalogue.save_product(backroom.uow(), saved.id, replace(form, photos=(first,)))
    assert backroom.read(catalogue.first_photos, [saved.id]) == {saved.id: first}
    with backroom.sessions() as s:
        assert s.scalar(select(func.count(ProductPhoto.id))) == 1
    assert catalogue.thumbnail(backroom.config, "photos/" + "0" * 32 + ".jpg") is None


def test_bulk_edit_changes_category_price_and_supplier_of_every_selected(backroom, shop):
    ids = [catalogue.save_product(backroom.uow(), None, ProductForm(
        f"MUG-{i}", f"Mug {i}", price=price, cost="2.00")).id
        for i, price in enumerate(("10.00", "12.99", "0.05"))]
    with backroom.sessions() as s:
        s.add(SupplierProduct(supplier_id=shop.loom, product_id=ids[0], supplier_code="L1"))
        s.commit()
    changes = catalogue.bulk_edit(backroom.uow(), ids, BulkEdit(
        category_id=shop.mugs, price_percent="+10", supplier_id=shop.loom))
    assert changes.products
    with backroom.sessions() as s:
        rows = s.execute(select(Product.category_id, Product.price_minor)
                         .where(Product.id.in_(ids)).order_by(Product.id)).all()
        assert rows == [(shop.mugs, 1100), (shop.mugs, 1429), (shop.mugs, 6)]
        links = dict(s.execute(select(SupplierProduct.product_id,
                                      SupplierProduct.supplier_code)).all())
        assert links == {ids[0]: "L1", ids[1]: "", ids[2]: ""}  # the code already there stays
    catalogue.bulk_edit(backroom.uow(), ids[:2], BulkEdit(price="9.99", price_currency="EUR"))
    with backroom.sessions() as s:
        assert s.execute(select(Product.price_minor, Product.price_currency)
                         .where(Product.id == ids[1])).one() == (999, "EUR")
    assert catalogue.changed_price(1299, Decimal("-5")) == 1234


def test_a_bulk_edit_with_problems_changes_nothing(backroom, shop):
    pid = add_product(backroom)
    with pytest.raises(DomainError, match="Choose what to change"):
        catalogue.bulk_edit(backroom.uow(), [pid], BulkEdit())
    with pytest.raises(DomainError) as refused:
        catalogue.bulk_edit(backroom.uow(), [pid], BulkEdit(price="1", price_percent="x"))
    assert "not both" in str(refused.value) and "'x' is not a percentage" in str(refused.value)
    with pytest.raises(DomainError, match="no longer exist"):
        catalogue.bulk_edit(backroom.uow(), [pid, 999_999], BulkEdit(category_id=shop.mugs))
    with backroom.sessions() as s:
        assert s.get(Product, pid).category_id is None


def test_a_scan_finds_the_product_by_barcode_or_sku(backroom, shop):
    saved = catalogue.save_product(backroom.uow(), None, mug(shop))
    assert backroom.read(catalogue.find_by_code, " 4006381333931 ").id == saved.id
    assert backroom.read(catalogue.find_by_code, "MUG-RED").sku == "MUG-RED"


def test_an_unknown_barcode_says_so_and_can_be_linked_to_a_product(backroom, shop):
    pid = add_product(backroom, "TEE-M")
    with pytest.raises(DomainError, match=r"No product has barcode 5012345678900 — link it "
                                          r"to a product\?"):
        backroom.read(catalogue.find_by_code, "5012345678900")
    with pytest.raises(DomainError, match="cannot be one: EAN-13 5012345678901 has check "
                                          "digit 1, expected 0"):
        backroom.read(catalogue.find_by_code, "5012345678901")
    with pytest.raises(DomainError, match="check digit"):
        catalogue.link_barcode(backroom.uow(), pid, "5012345678901")
    catalogue.link_barcode(backroom.uow(), pid, "5012345678900")
    assert backroom.read(catalogue.find_by_code, "5012345678900").sku == "TEE-M"
    other = add_product(backroom, "TEE-L")
    with pytest.raises(DomainError, match="already belongs to TEE-M"):
        catalogue.link_barcode(backroom.uow(), other, "5012345678900")
    assert backroom.read(catalogue.product_by_sku, "tee-l").id == other


def test_the_editor_offers_categories_suppliers_channels_and_currencies(backroom, shop):
    options = backroom.read(catalogue.editor_options)
    assert [c.name for c in options.categories] == ["Mugs", "T-shirts"]
    assert [s.name for s in options.suppliers] == ["Kiln & Co", "Loom Ltd"]
    assert [(c.name, c.currency) for c in options.channels] == [("Etsy", "USD"),
                                                                ("Shop", "GBP")]
    assert options.default_currency == "GBP" and options.currencies[0] == "GBP"
    assert {"EUR", "USD"} <= set(options.currencies)


def test_barcode_words_for_the_editor():
    assert catalogue.barcode_kind("4006381333931") == "EAN-13"
    assert catalogue.barcode_kind("036000291452") == "UPC-A"
    assert catalogue.barcode_kind("SHOP-0001") == "Code 128"
    assert catalogue.barcode_problem("") is None
    assert "expected 1" in catalogue.barcode_problem("4006381333932")
