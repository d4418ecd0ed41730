"""Loopback stand-ins for a port-9100 printer: one that records, one that hangs, a Zebra that
answers ~HS, and a port where nothing listens."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import pytest


class LoopbackPrinter:
    """A TCP server on 127.0.0.1 that handles each connection with `behaviour(conn)`."""

    host = "127.0.0.1"

    def __init__(self, behaviour: Callable[[socket.socket, LoopbackPrinter], None],
                 receive_buffer: int | None = None):
        self.behaviour = behaviour
        self.received: list[bytes] = []  # one entry per connection, once it ends
        self.connections = 0
        self._sock = socket.socket()
        if receive_buffer:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self._sock.bind((self.host, 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _serve(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._open.append(conn)
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the test is over and the socket closed
            self.behaviour(conn, self)

    def record(self, data: bytes) -> None:
        with self._done:
            self.received.append(data)
            self._done.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        with self._done:
            self._done.wait_for(lambda: len(self.received) >= count, timeout)
        return self.received

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._open:
            conn.close()
        self._thread.join(2)


def read_all(conn: socket.socket, printer: LoopbackPrinter) -> None:
    """Take everything until the sender is done, as a printer's raw port does."""
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    printer.record(b"".join(chunks))
    conn.close()


def hang(conn: socket.socket, printer: LoopbackPrinter) -> None:
    """Take the connection and then neither read nor answer (until the test ends)."""
    printer._stop.wait(30)


def zebra(status: bytes) -> Callable[[socket.socket, LoopbackPrinter], None]:
    """Answers ~HS with `status`, then takes the label like `read_all`."""

    def behaviour(conn: socket.socket, printer: LoopbackPrinter) -> None:
        first = conn.recv(3)
        if first == b"~HS":
            conn.sendall(status)
        rest = []
        while chunk := conn.recv(65536):
            rest.append(chunk)
        printer.record(first + b"".join(rest))
        conn.close()

    return behaviour


def host_status(paper_out: int = 0, paused: int = 0, head_up: int = 0) -> bytes:
    """A ~HS answer as a ZPL printer sends it: three <STX>...<ETX><CR><LF> strings."""
    one = f"030,{paper_out},{paused},1245,000,0,0,0,000,0,0,0"
    two = f"001,0,{head_up},0,1,2,6,0,00000000,1,000"
    return b"".join(b"\x02" + s.encode() + b"\x03\r\n" for s in (one, two, "1234,0"))


@pytest.fixture
def make_printer() -> Iterator[Callable[..., LoopbackPrinter]]:
    made: list[LoopbackPrinter] = []

    def make(behaviour=read_all, **kw) -> LoopbackPrinter:  # type: ignore[no-untyped-def]
        printer = LoopbackPrinter(behaviour, **kw)
        made.append(printer)
        return printer

    yield make
    for printer in made:
        printer.stop()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
