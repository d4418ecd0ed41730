"""One stock pool told to every channel: what each listing is sent, and the queue emptied
only for what the channels took."""

from __future__ import annotations

from sqlalchemy import select

from app.db.models import Channel, Listing, StockPushQueue
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
    with backroom.sessions() as s:
        return stock_push.pending_push(s, channel)


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


def test_the_queue_keeps_what_a_channel_refused_and_what_changed_meanwhile(backroom):
    shop, etsy = add_channel(backroom, "Shopify"), add_channel(backroom, "Etsy")
    mug, tee = add_product(backroom, "MUG-1"), add_product(backroom, "TEE-1")
    bin_a = add_location(backroom, "A-01-1", 1)
    book(backroom, mug, bin_a, 3)
    book(backroom, tee, bin_a, 3)
    _listed(backroom, mug, shop, etsy)
    with backroom.sessions() as s:
        s.add(Listing(product_id=tee, channel_id=shop, channel_sku="TEE-1", price_minor=1,
                      currency="GBP"))
        s.commit()
    batches = [_batch(backroom, shop), _batch(backroom, etsy)]
    book(backroom, tee, bin_a, 1)  # stock moved after the push read it
    with backroom.uow() as uow:
        stock_push.pushed(uow.session, batches, failed=[(etsy, f"MUG-1-{etsy}")])
        uow.commit()
    with backroom.sessions() as s:
        left = set(s.scalars(select(StockPushQueue.product_id)))
    assert left == {mug, tee}  # mug: Etsy refused it; tee: changed since it was read


def test_products_no_channel_pushes_for_leave_the_queue(backroom):
    mug = add_product(backroom, "MUG-1")
    book(backroom, mug, add_location(backroom, "A-01-1", 1), 3)
    with backroom.uow() as uow:
        assert stock_push.unlisted_queue_cleared(uow.session) == 1
        uow.commit()
