"""The channels the workshop sells on: set up in Settings > Channels, with their secrets in
the system keyring, and how their last sync went.

A channel is an API channel (Shopify, WooCommerce: a driver from app.channels.registry
fetches its orders and takes stock and shipments) or a file channel (Etsy, Amazon, eBay,
or any channel whose report files are imported by hand or from a watch folder).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.channels.base import Capability, ChannelDriver, DriverStatus
from app.channels.http import HttpOptions
from app.channels.registry import KINDS, build_driver, channel_kind
from app.db.models import Channel, Order, SyncRun
from app.db.settings import get_setting, put_setting
from app.domain.access import Can
from app.domain.changes import Changes
from app.domain.errors import DomainError
from app.domain.statuses import SyncRunStatus
from app.secrets import forget_secret, keep_secret, read_secret
from app.services.access import requires
from app.services.uow import UnitOfWork

KEYRING_SERVICE = "Backroom channel"
DATABASE_ID = "database_id"
# Channels read from report files, by the name their files' formats give (FileFormat.channel).
FILE_KINDS = {"shopify": "Shopify (report files)", "etsy": "Etsy", "amazon": "Amazon",
              "ebay": "eBay", "manual": "Other (report files)"}
NAME_MAX = 120
MIN_INTERVAL, MAX_INTERVAL = 5, 24 * 60


def kind_title(kind: str, api: bool) -> str:
    if kind in KINDS and (api or kind not in FILE_KINDS):
        return KINDS[kind].title + ("" if api else " (not connected)")
    return FILE_KINDS.get(kind, kind.capitalize())


@dataclass(frozen=True)
class LastRun:
    status: str  # SyncRunStatus value
    started_at: datetime
    ended_at: datetime | None
    fetched: int
    created: int
    updated: int
    pushed: int
    failed: int
    error: str | None
    source: str


@dataclass(frozen=True)
class ChannelView:
    id: int
    name: str
    kind: str
    title: str
    api: bool  # fetched through its API; else report files
    currency: str
    active: bool
    interval_minutes: int
    stock_buffer: int
    max_shown: int | None
    percent_shown: int | None
    watch_folder: str
    orders: int
    last: LastRun | None
    saved_at: datetime | None = None  # when its setup (and keys) were last saved

    @property
    def light(self) -> DriverStatus:
        """The status light: how the last exchange went."""
        if self.last is None:
            return DriverStatus.NEVER
        return {str(SyncRunStatus.RUNNING): DriverStatus.WORKING,
                str(SyncRunStatus.SUCCEEDED): DriverStatus.OK,
                str(SyncRunStatus.PARTIAL): DriverStatus.WARNING,
                str(SyncRunStatus.REFUSED): DriverStatus.REFUSED}.get(
            self.last.status, DriverStatus.FAILED)

    @property
    def waits_for_owner(self) -> bool:
        """The channel refused the key and nobody has changed it since: asking again every
        few minutes would only be refused again (and may get the key locked)."""
        if self.last is None or self.last.status != str(SyncRunStatus.REFUSED):
            return False
        ended = self.last.ended_at or self.last.started_at
        return self.saved_at is None or self.saved_at <= ended

    def next_sync(self) -> datetime | None:
        """When the background sync fetches again (API channels that are switched on and
        not waiting for a new key)."""
        if not (self.api and self.active) or self.waits_for_owner:
            return None
        if self.last is None:
            return None  # at once
        return (self.last.ended_at or self.last.started_at) + timedelta(
            minutes=self.interval_minutes)


def _last_runs(session: Session, channel_ids: list[int]) -> dict[int, LastRun]:
    latest = (select(SyncRun.channel_id, func.max(SyncRun.id).label("id"))
              .where(SyncRun.channel_id.in_(channel_ids), SyncRun.preview.is_(False))
              .group_by(SyncRun.channel_id).subquery())
    rows = session.execute(select(SyncRun).join(latest, latest.c.id == SyncRun.id)).scalars()
    return {r.channel_id: LastRun(r.status, r.started_at, r.ended_at, r.fetched, r.created,
                                  r.updated, r.pushed, r.failed, r.error, r.source)
            for r in rows}


def _view(channel: Channel, orders: int, last: LastRun | None) -> ChannelView:
    s = channel.settings or {}
    api = bool(s.get("api"))
    return ChannelView(channel.id, channel.name, channel.kind, kind_title(channel.kind, api),
                       api, channel.currency, channel.active, channel.sync_interval_minutes,
                       channel.stock_buffer, _int(s.get("max_shown")),
                       _int(s.get("percent_shown")), str(s.get("watch_folder") or ""),
                       orders, last, _moment(s.get("saved_at")))


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


@requires(Can.SEE_ORDERS)
def channel_list(session: Session, with_counts: bool = True) -> tuple[ChannelView, ...]:
    """Every channel by name, with its last sync and (unless `with_counts` is off: the
    background scheduler's quick look) its order count."""
    channels = list(session.scalars(select(Channel).order_by(func.lower(Channel.name))))
    ids = [c.id for c in channels]
    counts = dict(session.execute(select(Order.channel_id, func.count(Order.id))
                                  .where(Order.channel_id.in_(ids))
                                  .group_by(Order.channel_id)).all()) if ids and with_counts \
        else {}
    last = _last_runs(session, ids) if ids else {}
    return tuple(_view(c, counts.get(c.id, 0), last.get(c.id)) for c in channels)


@dataclass(frozen=True)
class ChannelForm:
    """What Settings > Channels shows for one channel: every setting, and for each secret
    only whether one is kept (never its value)."""

    view: ChannelView
    settings: dict[str, str]
    secrets_kept: frozenset[str]


def _database_id(session: Session) -> str:
    """This database's own id, so two workshops' files never share a keyring entry."""
    found = get_setting(session, DATABASE_ID)
    if found:
        return str(found)
    made = uuid.uuid4().hex
    put_setting(session, DATABASE_ID, made)
    return made


def _secret_name(database_id: str, channel_id: int, key: str) -> str:
    return f"{database_id}/channel-{channel_id}/{key}"


def _what(channel: str, label: str) -> str:
    return f"{label.lower()} of channel {channel}"


@requires(Can.CHANGE_SETTINGS)
def channel_form(session: Session, channel_id: int) -> ChannelForm:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise DomainError("That channel no longer exists; refresh the list.")
    view = next(v for v in channel_list(session) if v.id == channel_id)
    settings = {k: str(v) for k, v in (channel.settings or {}).items()
                if k not in ("stock_cursor", "stock_retry") and v is not None}
    kept = set()
    db_id = get_setting(session, DATABASE_ID)
    if view.api and db_id and channel.kind in KINDS:
        for field in KINDS[channel.kind].credentials:
            name = _secret_name(db_id, channel.id, field.key)
            if read_secret(KEYRING_SERVICE, name, _what(channel.name, field.label)):
                kept.add(field.key)
    return ChannelForm(view, settings, frozenset(kept))


def _problems(name: str, kind: str, api: bool, currency: str, interval: int, buffer: int,
              max_shown: int | None, percent: int | None) -> list[str]:
    problems = []
    if not name.strip():
        problems.append("Give the channel a name (e.g. “Etsy shop”).")
    elif len(name.strip()) > NAME_MAX:
        problems.append(f"The name is too long (at most {NAME_MAX} characters).")
    if api and kind not in KINDS:
        problems.append(f"Backroom cannot talk to {kind} by API; import its report files.")
    if not api and kind not in FILE_KINDS and kind not in KINDS:
        problems.append(f"{kind!r} is not a channel Backroom knows.")
    if len(currency.strip()) != 3 or not currency.strip().isalpha():
        problems.append("The currency is a three-letter code such as GBP, EUR or USD.")
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        problems.append(f"Sync every {MIN_INTERVAL} to {MAX_INTERVAL:,} minutes.")
    if buffer < 0:
        problems.append("The stock buffer cannot be negative.")
    if max_shown is not None and max_shown < 0:
        problems.append("The most shown cannot be negative.")
    if percent is not None and not 0 <= percent <= 100:
        problems.append("The share shown is a percentage from 0 to 100.")
    return problems


@dataclass(frozen=True)
class ChannelSetup:
    """Everything the channel form sends back; empty secrets keep the ones already kept."""

    name: str
    kind: str
    api: bool
    currency: str
    interval_minutes: int = 15
    stock_buffer: int = 0
    max_shown: int | None = None
    percent_shown: int | None = None
    watch_folder: str = ""
    active: bool = True
    settings: Mapping[str, str] | None = None  # the kind's own fields (shop domain...)
    secrets: Mapping[str, str] | None = None  # the kind's credential fields


@requires(Can.CHANGE_SETTINGS)
def save_channel(uow: UnitOfWork, channel_id: int | None, setup: ChannelSetup) -> int:
    """Add or change a channel; every problem is listed at once and nothing is saved."""
    name = " ".join(setup.name.split())
    problems = _problems(name, setup.kind, setup.api, setup.currency, setup.interval_minutes,
                         setup.stock_buffer, setup.max_shown, setup.percent_shown)
    own = {k: (v or "").strip() for k, v in (setup.settings or {}).items()}
    secrets = {k: v.strip() for k, v in (setup.secrets or {}).items() if v and v.strip()}
    with uow:
        s = uow.session
        channel = None
        if channel_id is not None:
            channel = s.get(Channel, channel_id)
            if channel is None:
                raise DomainError("That channel no longer exists; refresh the list.")
        clash = s.scalar(select(Channel.id).where(func.lower(Channel.name) == name.lower(),
                                                  Channel.id != (channel_id or -1)))
        if clash is not None:
            problems.append(f"There is already a channel called {name}.")
        db_id = _database_id(s)
        if setup.api and setup.kind in KINDS:
            kind = channel_kind(setup.kind)
            kept = {}
            if channel is not None:
                for field in kind.credentials:
                    value = read_secret(KEYRING_SERVICE,
                                        _secret_name(db_id, channel.id, field.key),
                                        _what(name, field.label))
                    if value:
                        kept[field.key] = value
            problems += kind.problems({**kept, **secrets}, own)
        if problems:
            raise DomainError("The channel was not saved:\n" + "\n".join(
                f"• {p}" for p in problems))
        if channel is None:
            channel = Channel(name=name, kind=setup.kind, currency=setup.currency.upper())
            s.add(channel)
        old = dict(channel.settings or {})
        settings = {k: v for k, v in old.items() if k in ("stock_cursor", "stock_retry")}
        settings.update(own)
        settings.update(api=setup.api, watch_folder=setup.watch_folder.strip(),
                        max_shown=setup.max_shown, percent_shown=setup.percent_shown,
                        saved_at=datetime.now(UTC).isoformat())
        channel.name, channel.kind = name, setup.kind
        channel.currency = setup.currency.strip().upper()
        channel.sync_interval_minutes = setup.interval_minutes
        channel.stock_buffer, channel.active = setup.stock_buffer, setup.active
        channel.settings = settings
        s.flush()
        # The keyring is written last: a refused save leaves the secrets as they were.
        for key, value in secrets.items():
            keep_secret(KEYRING_SERVICE, _secret_name(db_id, channel.id, key), value,
                        _what(name, key.replace("_", " ")))
        uow.changed(orders=True)
        uow.commit()
        return channel.id


@requires(Can.CHANGE_SETTINGS)
def set_channel_active(uow: UnitOfWork, channel_id: int, active: bool) -> Changes:
    """Switch a channel off (nothing more is fetched or pushed; its orders stay) or on."""
    with uow:
        channel = uow.session.get(Channel, channel_id)
        if channel is None:
            raise DomainError("That channel no longer exists; refresh the list.")
        channel.active = active
        uow.changed(orders=True)
        uow.commit()
    return uow.changes


@requires(Can.CHANGE_SETTINGS)
def remove_channel(uow: UnitOfWork, channel_id: int) -> Changes:
    """Delete a channel that has no orders (one with orders is switched off instead), and
    forget its secrets."""
    with uow:
        s = uow.session
        channel = s.get(Channel, channel_id)
        if channel is None:
            raise DomainError("That channel no longer exists; refresh the list.")
        n = s.scalar(select(func.count(Order.id)).where(Order.channel_id == channel_id)) or 0
        if n:
            raise DomainError(f"{channel.name} has {n:,} order{'s' if n != 1 else ''}; switch "
                              "it off instead (its orders stay, nothing more is fetched).")
        db_id = get_setting(s, DATABASE_ID)
        if db_id and channel.kind in KINDS:
            for field in KINDS[channel.kind].credentials:
                forget_secret(KEYRING_SERVICE, _secret_name(db_id, channel.id, field.key),
                              _what(channel.name, field.label))
        for run in s.scalars(select(SyncRun).where(SyncRun.channel_id == channel_id)):
            s.delete(run)
        s.delete(channel)
        uow.changed(orders=True)
        uow.commit()
    return uow.changes


def driver_for(session: Session, channel_id: int, *, options: HttpOptions | None = None
               ) -> ChannelDriver:
    """The API driver of a channel, with its secrets from the keyring (for the sync worker)."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise DomainError("That channel no longer exists.")
    settings = {k: str(v) for k, v in (channel.settings or {}).items() if v is not None}
    if not (channel.settings or {}).get("api") or channel.kind not in KINDS:
        raise DomainError(f"{channel.name} is read from report files, not through an API: "
                          "use File > Import orders… or its watch folder.")
    kind = KINDS[channel.kind]
    db_id = _database_id(session)
    secrets = {}
    for field in kind.credentials:
        value = read_secret(KEYRING_SERVICE, _secret_name(db_id, channel.id, field.key),
                            _what(channel.name, field.label))
        if value:
            secrets[field.key] = value
    missing = kind.problems(secrets, settings)
    if missing:
        raise DomainError(f"{channel.name} is not fully set up: " + " ".join(missing)
                          + " Fill it in under Settings > Channels.")
    return build_driver(channel.kind, secrets, settings, options=options)


def can(session: Session, channel_id: int, what: Capability) -> bool:
    channel = session.get(Channel, channel_id)
    if channel is None or not (channel.settings or {}).get("api") or channel.kind not in KINDS:
        return False
    return what in KINDS[channel.kind].capabilities
