"""What the benchmark scripts share: the scale demo database, timing, memory, the table.

    python tests/bench/benchlib.py --scale 500   builds the demo database (if missing or stale)
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = Path(__file__).resolve().parent / ".data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median of `runs` warm runs: more (up to 20x) while they take under 0.2 s in all,
    only 3 when one takes over half a second."""
    t = time.perf_counter()
    result = fn()  # warm-up: statement cache, page cache
    if time.perf_counter() - t < 0.05:
        result = fn()
        result = fn()
    elif time.perf_counter() - t > 0.5:
        runs = min(runs, 3)
    times: list[float] = []
    spent = 0.0
    while len(times) < runs or (spent < 0.2 and len(times) < 20 * runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        spent += times[-1]
    return statistics.median(times), result


def rss_mb() -> tuple[float, float]:
    """(current VmRSS, peak ru_maxrss) of this process in MB."""
    current = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024
    return current, peak_mb


# --- the printed table -------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    target: str
    measured: str
    ratio: str
    ok: bool | None  # None: informational


@dataclass
class Table:
    figures: list[Figure] = field(default_factory=list)

    def add(self, name: str, target: str, measured: str, ratio: str = "",
            ok: bool | None = None) -> None:
        self.figures.append(Figure(name, target, measured, ratio, ok))

    def print(self, header: str) -> None:
        w0 = max(len(f.name) for f in self.figures)
        w1 = max(len(f.target) for f in self.figures)
        rule = "-" * (w0 + w1 + 36)
        print(f"\n{header}")
        print(f"{'figure':<{w0}}  {'target':<{w1}}  {'measured':>10}  {'ratio':>7}  result")
        print(rule)
        for f in self.figures:
            result = "" if f.ok is None else ("PASS" if f.ok else "FAIL")
            print(f"{f.name:<{w0}}  {f.target:<{w1}}  {f.measured:>10}  {f.ratio:>7}  {result}")
        print(rule)
        failed = [f.name for f in self.figures if f.ok is False]
        judged = sum(f.ok is not None for f in self.figures)
        print(f"{judged - len(failed)} of {judged} figures within target"
              + (f"; FAIL: {'; '.join(failed)}" if failed else ""))


# --- the demo database -------------------------------------------------------------------


def data_dir_from(arg: Path | None) -> Path:
    path = (arg or Path(os.environ.get("BACKROOM_DATA_DIR", DEFAULT_DATA))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    os.environ["BACKROOM_DATA_DIR"] = str(path)
    return path


def db_path(data_dir: Path, scale: int) -> Path:
    from app.config import demo_file_name

    return data_dir / demo_file_name(scale)


def _schema(path: Path) -> set[tuple[str, str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {(t, n, " ".join((s or "").split())) for t, n, s in con.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    finally:
        con.close()


def schema_drift(path: Path) -> set[tuple[str, str, str]]:
    """Tables and indexes that differ from a freshly migrated database (the migrations are
    edited in place before release, so an old benchmark file can be stale at the same head)."""
    from app.db.engine import make_engine
    from app.db.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.sqlite"
        url = f"sqlite:///{fresh}"
        engine = make_engine(url)
        try:
            upgrade(engine, url)
        finally:
            engine.dispose()
        want = _schema(fresh)
    return want ^ _schema(path)


def ensure_database(data_dir: Path, scale: int, rebuild: bool = False) -> float | None:
    """Reuse the demo file when its schema is current, else build it afresh in a child
    process (so the build's memory is not counted here); return the build time if built."""
    path = db_path(data_dir, scale)
    if path.exists() and path.stat().st_size and not rebuild:
        drift = schema_drift(path)
        if not drift:
            return None
        names = sorted({name for _, name, _ in drift})
        print(f"{path.name}: schema differs from the migrations ({', '.join(names)}); "
              "rebuilding")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"Building the x{scale} demo in {path} ...", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--scale", str(scale), "--data-dir",
                    str(data_dir)], check=True)
    return time.perf_counter() - started


def _build(data_dir: Path, scale: int) -> None:
    from app.bootstrap import open_backroom
    from app.config import load_config

    started = time.perf_counter()
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - last[0] > 10:
            last[0] = now
            print(f"  {now - started:6.1f} s  {stage} {done:,}/{total:,}", flush=True)

    backroom = open_backroom(load_config(demo=True, scale=scale), progress=progress)
    backroom.close()
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the --scale demo database.")
    parser.add_argument("--scale", type=int, default=500)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    data_dir = data_dir_from(args.data_dir)
    path = db_path(data_dir, args.scale)
    if path.exists() and path.stat().st_size:
        ensure_database(data_dir, args.scale, args.rebuild)  # rebuilds in a child if stale
    else:
        _build(data_dir, args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
