"""Settings > Channels: a channel's settings in the database, its secrets only in the
keyring, every bad field named at once and nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.channels.shopify import ShopifyDriver
from app.db.models import Channel
from app.domain.errors import DomainError
from app.services import channels
from app.services.channels import ChannelSetup

TOKEN = "shpat_0123456789abcdef0123456789abcdef"
SHOP = ChannelSetup(name="Ana's Shopify", kind="shopify", api=True, currency="gbp",
                    interval_minutes=10, stock_buffer=2, percent_shown=80,
                    settings={"shop_domain": "ana-engraving.myshopify.com"},
                    secrets={"access_token": TOKEN})


def test_a_shopify_channel_keeps_its_token_in_the_keyring_only(backroom, memory_keyring):
    channel_id = backroom.act(channels.save_channel, None, SHOP)
    with backroom.sessions() as s:
        stored = s.get_one(Channel, channel_id)
        assert (stored.currency, stored.sync_interval_minutes, stored.stock_buffer) == (
            "GBP", 10, 2)
        assert TOKEN not in repr(stored.settings)
    assert TOKEN in memory_keyring.passwords.values()
    form = backroom.read(channels.channel_form, channel_id)
    assert form.secrets_kept == {"access_token"}
    assert TOKEN not in repr(form)
    (view,) = backroom.read(channels.channel_list)
    assert (view.title, view.api, view.percent_shown, view.light.value) == (
        "Shopify", True, 80, "never")
    with backroom.sessions() as s:
        driver = channels.driver_for(s, channel_id)
    assert isinstance(driver, ShopifyDriver)
    driver.close()


def test_saving_again_without_the_token_keeps_the_one_kept(backroom, memory_keyring):
    channel_id = backroom.act(channels.save_channel, None, SHOP)
    from dataclasses import replace

    backroom.act(channels.save_channel, channel_id, replace(SHOP, secrets={}, stock_buffer=5))
    assert backroom.read(channels.channel_form, channel_id).secrets_kept == {"access_token"}


def test_every_bad_field_is_named_and_nothing_is_saved(backroom, memory_keyring):
    bad = ChannelSetup(name=" ", kind="shopify", api=True, currency="pounds",
                       interval_minutes=1, stock_buffer=-1, percent_shown=120,
                       settings={"shop_domain": ""}, secrets={})
    with pytest.raises(DomainError) as caught:
        backroom.act(channels.save_channel, None, bad)
    text = str(caught.value)
    for words in ("Give the channel a name", "three-letter code", "Sync every 5",
                  "buffer cannot be negative", "percentage from 0 to 100",
                  "Enter the client ID and client secret", "Shop domain is needed"):
        assert words in text
    with backroom.sessions() as s:
        assert s.scalars(select(Channel)).all() == []
    assert memory_keyring.passwords == {}


def test_a_file_channel_has_no_driver_and_says_how_to_bring_its_orders_in(backroom):
    etsy = backroom.act(channels.save_channel, None, ChannelSetup(
        name="Etsy", kind="etsy", api=False, currency="GBP", watch_folder="/tmp/etsy"))
    with backroom.sessions() as s, pytest.raises(DomainError, match="report files"):
        channels.driver_for(s, etsy)


def test_a_channel_with_orders_is_switched_off_not_deleted(backroom, memory_keyring):
    from .workshop import add_order

    channel_id = backroom.act(channels.save_channel, None, SHOP)
    add_order(backroom, channel_id, "new", [])
    with pytest.raises(DomainError, match="switch it off instead"):
        backroom.act(channels.remove_channel, channel_id)
    empty = backroom.act(channels.save_channel, None, ChannelSetup(
        name="Old eBay", kind="ebay", api=False, currency="GBP"))
    backroom.act(channels.remove_channel, empty)
    assert [v.name for v in backroom.read(channels.channel_list)] == ["Ana's Shopify"]
