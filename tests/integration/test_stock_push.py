"""One stock pool told to every channel: what each listing is sent, and the queue emptied
only for what the channels took."""

from __future__ import annotations

from app.db.models import Channel, Listing
from app.services import stock_push
from app.services.channel_import import import_orders

from .test_channel_import import _order
from .workshop import add_channel, add_location, add_product, book


def _listed(backroom, product: int, *channels: int) -> None:  # type: ignore[no-untyped-def]
    with backroom.sessions() as s:
        for ch in channels:
            s.add(Listing(product_id=product, channel_id=ch, channel_sku=f"MUG-1-{ch}",
                          external_id=f"inv-{ch}", price_minor=1250, currency="GBP"))
        s.commit()


def _batch(backroom, channel: int):  # type: ignore[no-untyped-def]
    with backroom.uow() as uow:
        batch = stock_push.pending_push(uow.session, channel)
        uow.commit()
    return batch


def _told(backroom, batch, refused=()):  # type: ignore[no-untyped-def]
    with backroom.uow() as uow:
        stock_push.pushed(uow.session, batch, list(refused))
        uow.commit()


def test_two_orders_for_the_last_one_leave_every_channel_showing_zero(backroom):
    shop, etsy, ebay = (add_channel(backroom, n) for n in ("Shopify", "Etsy", "eBay"))
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, add_location(backroom, "A-01-1", 1), 1)
    _listed(backroom, mug, shop, etsy, ebay)
    assert [u.available for u in _batch(backroom, etsy).updates] == [1]
    with backroom.uow() as uow:
        import_orders(uow.session, etsy, [_order(1, ("MUG-1-2", 1)), _order(2, ("MUG-1", 1))])
        uow.commit()
    for channel in (shop, etsy, ebay):
        (update,) = _batch(backroom, channel).updates
        assert (update.channel_sku, update.available, update.external_id) == (
            f"MUG-1-{channel}", 0, f"inv-{channel}")


def test_a_buffer_and_caps_keep_some_stock_back_from_a_channel(backroom):
    shop, etsy = add_channel(backroom, "Shopify"), add_channel(backroom, "Etsy")
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, add_location(backroom, "A-01-1", 1), 40)
    _listed(backroom, mug, shop, etsy)
    with backroom.sessions() as s:
        s.get_one(Channel, shop).stock_buffer = 5
        s.get_one(Channel, etsy).settings = {"percent_shown": 50, "max_shown": 12}
        s.commit()
    assert _batch(backroom, shop).updates[0].available == 35
    assert _batch(backroom, etsy).updates[0].available == 12


def test_each_channel_is_told_once_then_only_what_changed_and_what_it_refused(backroom):
    shop, etsy = add_channel(backroom, "Shopify"), add_channel(backroom, "Etsy")
    mug, tee = add_product(backroom, "MUG-1"), add_product(backroom, "TEE-1")
    bin_a = add_location(backroom, "A-01-1", 1)
    book(backroom, mug, bin_a, 3)
    _listed(backroom, mug, shop, etsy)
    with backroom.sessions() as s:
        s.add(Listing(product_id=tee, channel_id=shop, channel_sku="TEE-1", price_minor=1,
                      currency="GBP"))
        s.commit()
    first = _batch(backroom, shop)  # a new channel is told every listing, stock or none
    assert sorted((u.channel_sku, u.available) for u in first.updates) == [
        ("MUG-1-1", 3), ("TEE-1", 0)]
    _told(backroom, first, refused=[("TEE-1", "no such SKU on Shopify")])
    assert [u.channel_sku for u in _batch(backroom, shop).updates] == ["TEE-1"]  # again
    _told(backroom, _batch(backroom, shop))
    assert _batch(backroom, shop) is None  # up to date
    book(backroom, mug, bin_a, 2)
    (update,) = _batch(backroom, shop).updates
    assert (update.channel_sku, update.available) == ("MUG-1-1", 5)
    # Etsy keeps its own place: it has not been told anything yet
    assert [(u.channel_sku, u.available) for u in _batch(backroom, etsy).updates] == [
        ("MUG-1-2", 5)]
