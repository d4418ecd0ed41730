"""Label printing speed: 1,000 product labels to ZPL, to 203 dpi 1-bit raster, and to a printer.

    python tests/bench/bench_labels.py [--labels 1000] [--runs 5]

Renders the built-in 50 x 25 mm product label for 1,000 different products (half with an
EAN-13, half with a Code 128 SKU, titles that sometimes need shrinking or wrapping): to ZPL
in one payload and one label at a time; to 1-bit images at 203 dpi, and to PNG; then sends
the ZPL to a loopback TCP 'printer' on 127.0.0.1, as one job and as 1,000 jobs, beside the
same bytes sent over a plain socket. Each figure is the median of warm runs; sending is
timed until the printer has received the last byte. Also, for information, the same labels
as Brother QL raster and on A4 sheets as PDF.
Not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from benchlib import Table, median_time, ms

from app.domain.barcodes import Symbology, with_check_digit
from app.printing.brother import render_ql
from app.printing.raster import render_image, render_png
from app.printing.sheet import layout_named, sheet_pdf
from app.printing.templates import builtin
from app.printing.transports import TcpTransport
from app.printing.zpl import render_zpl, render_zpl_labels

ZPL_TARGET_S = 0.050  # 1,000 labels
RASTER_TARGET = 200  # labels per second
SOCKET_RATIO = 2.0  # the transport may cost at most this much over a bare socket

TITLES = ["Stoneware mug", "Hand-thrown stoneware mug, speckled oatmeal glaze",
          "Personalised birch chopping board with engraved initials and a juice groove",
          "Tote bag", "Enamel pin — Zoë's kiln, limited edition, 25 mm"]


def products(n: int) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        sku = f"SKU-{['MUGS', 'BRD', 'TOTE'][i % 3]}-2503{i % 28 + 1:02d}-{i:04d}"
        ean = with_check_digit(f"50{i:010d}", Symbology.EAN13)
        out.append({"sku": sku, "title": f"{TITLES[i % len(TITLES)]} #{i}",
                    "price": f"£{i % 90 + 4}.{i % 100:02d}",
                    "barcode": ean if i % 2 else sku})
    return out


def _serve(server: socket.socket, received: Any, jobs: Any) -> None:
    """The sink's own process: read each connection to its end, count bytes and jobs."""
    while True:
        conn, _ = server.accept()
        got = 0
        with conn:
            while chunk := conn.recv(262144):
                got += len(chunk)
        with received.get_lock():
            received.value += got
            jobs.value += 1


class Sink:
    """A loopback 'printer' in a process of its own (so that it does not share our GIL),
    reading every connection to its end, one after another, as a printer's raw port does."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.server.getsockname()[1]
        self.received = multiprocessing.Value("q", 0)
        self.jobs = multiprocessing.Value("q", 0)
        self.process = multiprocessing.Process(
            target=_serve, args=(self.server, self.received, self.jobs), daemon=True)
        self.process.start()

    def timed(self, send: Callable[[], None], total_bytes: int, jobs: int) -> None:
        """Run `send` and wait until the sink has every byte of every job."""
        with self.received.get_lock():
            self.received.value = self.jobs.value = 0
        send()
        deadline = time.monotonic() + 60
        while self.received.value < total_bytes or self.jobs.value < jobs:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sink got {self.received.value} of {total_bytes} bytes")
            time.sleep(0.0001)

    def close(self) -> None:
        self.process.terminate()
        self.process.join()
        self.server.close()


def raw_send(port: int, payload: bytes) -> None:
    """The least a correct sender does: send, say it is done, and wait for the printer to
    close once it has read it all (as CUPS' socket backend does; TcpTransport too)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(4096):
            pass


def per_second(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    args = parser.parse_args(argv)
    n, runs = args.labels, args.runs
    template = builtin("product-50x25")
    records = products(n)
    table = Table()

    def add(name: str, target: str, seconds: float, ok: bool | None, ratio: str = "") -> None:
        table.add(f"{name}: {ms(seconds)}", target, per_second(n, seconds), ratio, ok)

    took, zpl = median_time(lambda: render_zpl_labels(template, records), runs)
    add(f"ZPL, {n:,} labels in one payload", f"<= {ms(ZPL_TARGET_S * n / 1000)}", took,
        took <= ZPL_TARGET_S * n / 1000)
    took, singles = median_time(lambda: [render_zpl(template, r) for r in records], runs)
    add(f"ZPL, {n:,} labels one call each", "(information)", took, None)

    took, _ = median_time(lambda: [render_image(template, r, 203) for r in records], runs)
    add(f"raster 203 dpi 1-bit, {n:,} labels", f">= {RASTER_TARGET}/s", took,
        n / took >= RASTER_TARGET)
    took, _ = median_time(lambda: [render_png(template, r, 203) for r in records], runs)
    add(f"PNG 203 dpi 1-bit, {n:,} labels", f">= {RASTER_TARGET}/s", took,
        n / took >= RASTER_TARGET)

    sink = Sink()
    try:
        transport = TcpTransport("127.0.0.1", sink.port, timeout=10)
        size = len(zpl)
        raw_one, _ = median_time(lambda: sink.timed(lambda: raw_send(sink.port, zpl), size, 1),
                                 runs)
        ours_one, _ = median_time(lambda: sink.timed(lambda: transport.send(zpl), size, 1), runs)
        table.add(f"raw socket, {n:,} labels as one job ({size / 1e6:.2f} MB): {ms(raw_one)}",
                  "reference", per_second(n, raw_one), "1.0x", None)
        table.add(f"TcpTransport, the same job: {ms(ours_one)}",
                  f"<= {SOCKET_RATIO:g}x raw socket", per_second(n, ours_one),
                  f"{ours_one / raw_one:.1f}x", ours_one <= SOCKET_RATIO * raw_one)

        total = sum(len(s) for s in singles)

        def raw_jobs() -> None:
            for payload in singles:
                raw_send(sink.port, payload)

        def our_jobs() -> None:
            for payload in singles:
                transport.send(payload)

        raw_many, _ = median_time(lambda: sink.timed(raw_jobs, total, n), runs)
        ours_many, _ = median_time(lambda: sink.timed(our_jobs, total, n), runs)
        table.add(f"raw socket, {n:,} jobs of one label: {ms(raw_many)}", "reference",
                  per_second(n, raw_many), "1.0x", None)
        table.add(f"TcpTransport, {n:,} jobs of one label: {ms(ours_many)}",
                  f"<= {SOCKET_RATIO:g}x raw socket", per_second(n, ours_many),
                  f"{ours_many / raw_many:.1f}x", ours_many <= SOCKET_RATIO * raw_many)
    finally:
        sink.close()

    few = records[:100]
    took, _ = median_time(lambda: render_ql([render_image(template, r, 300) for r in few]), 1)
    table.add(f"Brother QL raster (62 mm), 100 labels: {ms(took)}", "(information)",
              per_second(100, took), "", None)
    sheet = layout_named("Avery L7160")
    took, pdf = median_time(lambda: sheet_pdf(template, records[:210], sheet), 1)
    table.add(f"A4 sheets as PDF, 210 labels (10 pages, {len(pdf) / 1e3:.0f} kB): {ms(took)}",
              "(information)", per_second(210, took), "", None)

    table.print(f"Label printing, {n:,} product labels ({template.name}), median of >= {runs} "
                f"warm runs, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    started: Any = time.perf_counter()
    code = main()
    print(f"(bench took {time.perf_counter() - started:.1f} s)")
    sys.exit(code)
