"""Shared fixtures: an empty workshop, the demo workshop (built once) and private copies of it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import socket
import sqlite3
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from sqlalchemy import func, select

from app.bootstrap import open_backroom
from app.config import load_config
from app.db.engine import sqlite_path
from app.db.models import Order, Product, StatusChange, StockLevel, StockMovement
from app.services.context import Backroom


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict, so no test needs (or touches) the computer's real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no password for {username} in {service}")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keyring in place of the system one."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives.

    It can be stopped and started again on the same port, to play a server that is down.
    With `password` set it asks for AUTH (user `username`) without needing TLS.
    """

    host = "127.0.0.1"
    username = "shop@example.com"

    def __init__(self, password: str | None = None):
        self.port = _free_port()
        self.password = password
        self.received: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        ok = (auth_data.login.decode() == self.username
              and auth_data.password.decode() == self.password)
        return AuthResult(success=ok, handled=False)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        extra: dict[str, Any] = {}
        if self.password is not None:
            extra = {"authenticator": self._authenticate, "auth_required": True,
                     "auth_require_tls": False}
        self._controller = Controller(self, hostname=self.host, port=self.port, **extra)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def make_mail_server() -> Iterator[Callable[..., MailServer]]:
    """Makes loopback SMTP servers: `make_mail_server(password=None, start=True)`."""
    made: list[MailServer] = []

    def make(password: str | None = None, start: bool = True) -> MailServer:
        server = MailServer(password)
        made.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def mail_server(make_mail_server: Callable[..., MailServer]) -> MailServer:
    """A running loopback SMTP server with no password."""
    return make_mail_server()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder that load_config() picks up through BACKROOM_DATA_DIR."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("BACKROOM_DATA_DIR", str(folder))
    monkeypatch.delenv("BACKROOM_DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def backroom(data_dir: Path) -> Iterator[Backroom]:
    """A new, empty workshop database in the test's data folder."""
    opened = open_backroom(load_config())
    yield opened
    opened.close()


def _fingerprint(backroom: Backroom) -> tuple[object, ...]:
    """Enough of the demo's state to notice that a test wrote to it."""
    with backroom.sessions() as s:
        return (
            s.scalar(select(func.count(Order.id))),
            s.scalar(select(func.max(Order.updated_at))),
            s.scalar(select(func.count(Product.id))),
            s.scalar(select(func.max(Product.updated_at))),
            s.scalar(select(func.count(StatusChange.id))),
            s.scalar(select(func.count(StockMovement.id))),
            s.scalar(select(func.sum(StockLevel.on_hand))),
            s.scalar(select(func.sum(StockLevel.reserved))),
        )


@pytest.fixture(scope="session")
def demo_backroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backroom]:
    """The demo workshop, built once per run and shared: read it, never write to it.

    Tests that write take `demo_copy` instead; a write here fails the run at the end.
    """
    folder = tmp_path_factory.mktemp("demo")
    opened = open_backroom(load_config(demo=True, env={"BACKROOM_DATA_DIR": str(folder)}))
    before = _fingerprint(opened)
    yield opened
    after = _fingerprint(opened)
    opened.close()
    assert after == before, "a test wrote to the shared demo_backroom; use demo_copy instead"


@pytest.fixture
def demo_copy(demo_backroom: Backroom, data_dir: Path) -> Iterator[Backroom]:
    """A private copy of the demo workshop (as the test's usual database) to change freely."""
    source = sqlite_path(demo_backroom.config.database_url)
    assert source is not None
    target = data_dir / "backroom.sqlite"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    opened = open_backroom(load_config())
    yield opened
    opened.close()
