"""A port-9100 label printer on 127.0.0.1 that keeps everything each connection sends: the
stand-in for a Zebra on the network, for the print queue and for a CUPS socket:// queue."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class Recorder:
    def __init__(self, port: int = 0):
        self.received: list[bytes] = []
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(8)
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with contextlib.suppress(OSError), conn:
                conn.settimeout(10)
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
                self.received.append(b"".join(chunks))

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """What arrived once `count` connections have closed: a sender may call a job printed
        (or CUPS take it) a moment before this thread has read the last of it."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()
