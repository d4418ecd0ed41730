"""Ways to get bytes to a printer: raw TCP (port 9100), a device file, a file, and a registry.

Every transport has `send(payload) -> None` and raises PrinterError in words, with a kind
the print queue can act on and `may_have_printed` set when bytes had left before it went
wrong. The system printer transport lives in `system.py` (it needs Qt) and is plugged in
with `register("system", factory)` by the GUI at start-up, so this module imports no Qt.
"""

from __future__ import annotations

import errno
import os
import re
import select
import socket
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.printing.errors import PrinterError, PrinterErrorKind
from app.printing.printers import PrinterConfig, PrinterKind, check_printer, render_for
from app.printing.templates import LabelTemplate

Kind = PrinterErrorKind
RAW_PORT = 9100
_CHECK_AGAIN = "check it is switched on and on the network"


class Transport(Protocol):
    where: str  # for messages: '192.168.1.50:9100', '/dev/usb/lp0', "the printer 'Zebra'"

    def send(self, payload: bytes) -> None: ...


# --- ZPL host status (~HS) ------------------------------------------------------------------


@dataclass(frozen=True)
class HostStatus:
    """The parts of a ZPL printer's ~HS answer that say whether it can print now."""

    paper_out: bool
    paused: bool
    head_open: bool
    ribbon_out: bool
    buffer_full: bool
    formats_waiting: int
    labels_remaining: int

    def problem(self) -> tuple[PrinterErrorKind, str] | None:
        if self.paper_out:
            return Kind.OUT_OF_PAPER, "is out of labels — load a new roll"
        if self.head_open:
            return Kind.NOT_READY, "has its print head open — close it"
        if self.ribbon_out:
            return Kind.NOT_READY, "is out of ribbon — load a new ribbon"
        if self.paused:
            return Kind.NOT_READY, "is paused — press its pause button to carry on"
        if self.buffer_full:
            return Kind.NOT_READY, "is still busy with earlier labels (its memory is full)"
        return None


_HS_STRING = re.compile(rb"\x02([^\x02\x03]*)\x03")


def parse_host_status(raw: bytes) -> HostStatus:
    """Read the three <STX>...<ETX> strings a ZPL printer sends for ~HS.

    String 1 is aaa,b,c,dddd,eee,f,...: b paper out, c paused, eee formats waiting,
    f buffer full. String 2 is mmm,n,o,p,q,r,s,t,uuuuuuuu,...: o head up, p ribbon out,
    uuuuuuuu labels remaining in the batch.
    """
    strings = [s.decode("ascii", "replace").split(",") for s in _HS_STRING.findall(raw)]
    if len(strings) < 2 or len(strings[0]) < 6 or len(strings[1]) < 9:
        raise ValueError(f"not a ZPL host status answer: {raw[:80]!r}")
    one, two = strings[0], strings[1]
    return HostStatus(paper_out=one[1].strip() == "1", paused=one[2].strip() == "1",
                      head_open=two[2].strip() == "1", ribbon_out=two[3].strip() == "1",
                      buffer_full=one[5].strip() == "1", formats_waiting=int(one[4] or 0),
                      labels_remaining=int(two[8] or 0))


# --- raw TCP ----------------------------------------------------------------------------------


def parse_address(address: str, default_port: int = RAW_PORT) -> tuple[str, int]:
    """'192.168.1.50' -> ('192.168.1.50', 9100); 'zebra:9101'; '[fe80::1]:9100'."""
    address = address.strip()
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?", address)
    if bracketed:
        return bracketed[1], int(bracketed[2] or default_port)
    host, colon, port = address.rpartition(":")
    if colon and port.isdigit() and ":" not in host:
        return host, int(port)
    return address, default_port


class TcpTransport:
    """Raw printing to TCP port 9100 (JetDirect / AppSocket), as Zebra and Brother printers
    and most print servers take it. With `query_status`, asks a ZPL printer ~HS first."""

    def __init__(self, host: str, port: int = RAW_PORT, timeout: float = 5.0,
                 query_status: bool = False):
        self.host, self.port, self.timeout, self.query_status = host, port, timeout, query_status
        self.where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"

    def _connect(self) -> socket.socket:
        seconds = f"{self.timeout:g} s"
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except socket.gaierror as e:
            raise PrinterError(f"There is no printer called {self.host!r} on the network "
                               f"({e.strerror}) — check its address in Settings > Printers.",
                               Kind.UNREACHABLE) from e
        except ConnectionRefusedError as e:
            raise PrinterError(f"The printer at {self.where} refused the connection — it is "
                               f"on, but not taking print jobs on port {self.port}: check "
                               "the port, or whether another computer is printing.",
                               Kind.REFUSED) from e
        except TimeoutError as e:
            raise PrinterError(f"The printer at {self.where} did not answer within {seconds} "
                               f"— {_CHECK_AGAIN}.", Kind.TIMEOUT) from e
        except OSError as e:
            if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN,
                           errno.EADDRNOTAVAIL):
                raise PrinterError(f"The printer at {self.where} cannot be reached "
                                   f"({e.strerror}) — {_CHECK_AGAIN}.",
                                   Kind.UNREACHABLE) from e
            raise PrinterError(f"Could not connect to the printer at {self.where}: "
                               f"{e.strerror or e}.", Kind.UNKNOWN) from e

    def status(self) -> HostStatus:
        """Ask a ZPL printer how it is (~HS), on a connection of its own."""
        with self._connect() as sock:
            return self._status(sock)

    def _status(self, sock: socket.socket) -> HostStatus:
        try:
            sock.sendall(b"~HS")
            raw = b""
            deadline = time.monotonic() + self.timeout
            while raw.count(b"\x03") < 3:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(1024)
                if not chunk:
                    break
                raw += chunk
        except TimeoutError as e:
            raise PrinterError(
                f"The printer at {self.where} took the connection but did not answer a status "
                f"request within {self.timeout:g} s — it may be out of labels, open or "
                "busy (or not a Zebra-language printer: then turn off its status check in "
                "Settings > Printers).", Kind.TIMEOUT) from e
        except OSError as e:
            raise PrinterError(f"The printer at {self.where} dropped the connection while "
                               f"asked for its status ({e.strerror or e}).", Kind.UNKNOWN) from e
        try:
            return parse_host_status(raw)
        except ValueError as e:
            raise PrinterError(f"The printer at {self.where} gave an answer to a status request "
                               "that is not ZPL — is it a Zebra-language printer? If not, turn "
                               "off its status check in Settings > Printers.",
                               Kind.SETUP) from e

    def send(self, payload: bytes) -> None:
        with self._connect() as sock:
            if self.query_status:
                problem = self._status(sock).problem()
                if problem:
                    raise PrinterError(f"The printer at {self.where} {problem[1]}.", problem[0])
            sock.settimeout(self.timeout)
            sent, total, view = 0, len(payload), memoryview(payload)
            try:
                while sent < total:
                    sent += sock.send(view[sent:sent + 65536])
                sock.shutdown(socket.SHUT_WR)
            except TimeoutError as e:
                raise PrinterError(
                    f"The printer at {self.where} stopped taking data after {sent:,} of "
                    f"{total:,} bytes and did not carry on within {self.timeout:g} s"
                    + (" — the label may have printed: look before printing it again."
                       if sent else f" — {_CHECK_AGAIN}."),
                    Kind.TIMEOUT, may_have_printed=sent > 0) from e
            except OSError as e:
                if sent >= total:
                    return  # every byte went; only the goodbye failed
                raise PrinterError(
                    f"The printer at {self.where} closed the connection after {sent:,} of "
                    f"{total:,} bytes ({e.strerror or e})"
                    + (" — the label may have printed: look before printing it again."
                       if sent else "."),
                    Kind.UNKNOWN if sent else Kind.REFUSED, may_have_printed=sent > 0) from e
            self._wait_for_eof(sock, total)

    def _wait_for_eof(self, sock: socket.socket, total: int) -> None:
        """Sent is not printed until the printer has read it all: it closes its side once it
        has (as CUPS' socket backend waits for). Bytes left in this computer's buffer when
        the time is up may or may not reach the paper."""
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                if not sock.recv(4096):  # its end of the data, or anything it says first
                    return
        except TimeoutError as e:
            raise PrinterError(
                f"The printer at {self.where} took the connection but had not read the "
                f"{total:,} bytes of the job within {self.timeout:g} s — it may be paused, "
                "out of labels or jammed. The label may still print: look before printing "
                "it again.", Kind.TIMEOUT, may_have_printed=True) from e
        except OSError:
            return  # it dropped the connection once it had the job: that is done too


# --- device files -----------------------------------------------------------------------------


_LPGETSTATUS = 0x060B  # Linux lp / usblp ioctl
_LP_PERRORP, _LP_POUTPA = 0x08, 0x20  # 'no error' and 'paper out' bits


def _port_status(fd: int) -> int | None:
    """The parallel-port style status byte of a Linux printer device, if it has one."""
    try:
        import fcntl
        import struct

        if not stat.S_ISCHR(os.fstat(fd).st_mode):
            return None
        return int(struct.unpack("i", fcntl.ioctl(fd, _LPGETSTATUS, b"\0" * 4))[0])
    except (ImportError, OSError):
        return None


class DeviceFileTransport:
    """A printer as a device file (/dev/usb/lp0 on Linux): open, write, close.

    The file is never created: a missing device means an unplugged printer. Writes are
    non-blocking with a timeout, so a printer that stops taking data cannot hang a worker.
    """

    def __init__(self, path: str | Path, timeout: float = 5.0, check_status: bool = True):
        self.path, self.timeout, self.check_status = Path(path), timeout, check_status
        self.where = str(self.path)

    def _open(self) -> int:
        flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        try:
            return os.open(self.path, flags)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            raise PrinterError(f"There is no printer at {self.path} — is it plugged in and "
                               "switched on?", Kind.UNREACHABLE) from e
        except PermissionError as e:
            raise PrinterError(f"Backroom may not write to {self.path} — on Linux, add your user"
                               " to the 'lp' group and log in again.", Kind.REFUSED) from e
        except OSError as e:
            if e.errno in (errno.ENODEV, errno.ENXIO):
                raise PrinterError(f"There is no printer at {self.path} — is it plugged in and "
                                   "switched on?", Kind.UNREACHABLE) from e
            raise PrinterError(f"Could not open {self.path}: {e.strerror or e}.",
                               Kind.UNKNOWN) from e

    def send(self, payload: bytes) -> None:
        fd = self._open()
        try:
            status = _port_status(fd) if self.check_status else None
            if status is not None and status & _LP_POUTPA:
                raise PrinterError(f"The printer at {self.path} is out of labels — load a new "
                                   "roll.", Kind.OUT_OF_PAPER)
            self._write(fd, payload)
        finally:
            os.close(fd)

    def _write(self, fd: int, payload: bytes) -> None:
        written, total, view = 0, len(payload), memoryview(payload)
        deadline = time.monotonic() + self.timeout
        while written < total:
            try:
                written += os.write(fd, view[written:written + 65536])
                deadline = time.monotonic() + self.timeout
                continue
            except BlockingIOError:
                pass
            except OSError as e:
                raise PrinterError(
                    f"Writing to the printer at {self.path} failed after {written:,} of "
                    f"{total:,} bytes ({e.strerror or e})"
                    + (" — the label may have printed: look before printing it again."
                       if written else " — is it switched on and loaded with labels?"),
                    Kind.UNKNOWN, may_have_printed=written > 0) from e
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise PrinterError(
                    f"The printer at {self.path} stopped taking data after {written:,} of "
                    f"{total:,} bytes for {self.timeout:g} s"
                    + (" — the label may have printed: look before printing it again."
                       if written else " — is it switched on, loaded and not paused?"),
                    Kind.TIMEOUT, may_have_printed=written > 0)


class FileTransport:
    """Writes the payload to a file (a PDF 'printer'), replacing it whole or not at all."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.where = str(self.path)

    def send(self, payload: bytes) -> None:
        partial = self.path.with_name(self.path.name + ".part")
        try:
            partial.write_bytes(payload)
            partial.replace(self.path)
        except OSError as e:
            partial.unlink(missing_ok=True)
            raise PrinterError(f"Could not write {self.path}: {e.strerror or e}.",
                               Kind.REFUSED if isinstance(e, PermissionError)
                               else Kind.UNREACHABLE) from e


# --- the registry ---------------------------------------------------------------------------


TransportFactory = Callable[[PrinterConfig], Transport]


def _tcp(p: PrinterConfig) -> Transport:
    host, port = parse_address(p.address)
    return TcpTransport(host, port, p.timeout_s,
                        query_status=p.check_status and p.kind is PrinterKind.ZPL_TCP)


def _device(p: PrinterConfig) -> Transport:
    return DeviceFileTransport(p.address, p.timeout_s, p.check_status)


_FACTORIES: dict[str, TransportFactory] = {
    PrinterKind.ZPL_TCP: _tcp, PrinterKind.BROTHER_QL_TCP: _tcp,
    PrinterKind.ZPL_DEVICE: _device, PrinterKind.BROTHER_QL_DEVICE: _device,
    PrinterKind.PDF_FILE: lambda p: FileTransport(p.address),
}


def register(kind: PrinterKind | str, factory: TransportFactory) -> None:
    """Use `factory(printer)` to reach printers of this kind (the GUI registers "system")."""
    _FACTORIES[PrinterKind(kind)] = factory


def registered() -> Mapping[str, TransportFactory]:
    return dict(_FACTORIES)


def transport_for(printer: PrinterConfig) -> Transport:
    """The transport for a printer's settings; PrinterError (setup) if there is none."""
    check_printer(printer)
    factory = _FACTORIES.get(printer.kind)
    if factory is None:
        raise PrinterError(f"This program cannot reach {printer.kind.value} printers such as "
                           f"{printer.name!r} (the desktop app sets that up when it starts).",
                           Kind.SETUP)
    return factory(printer)


def print_label(printer: PrinterConfig, template: LabelTemplate, data: Mapping[str, str],
                copies: int = 1) -> None:
    """Render and send at once, as the 'Print test label' button does; the print queue
    renders and sends in separate steps."""
    transport_for(printer).send(render_for(printer, template, data, copies))
