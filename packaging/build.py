"""Build Backroom's native package: `python packaging/build.py` from anywhere.

Runs PyInstaller on packaging/backroom.spec (into dist/ and build/ at the repository
root), then wraps the result for this OS: a .tar.gz on Linux, an Inno Setup installer on
Windows (when iscc is installed), a .dmg on macOS (via hdiutil).
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
DIST = ROOT / "dist"
BUILD = ROOT / "build"
ICONS = ROOT / "resources" / "icons"


def version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text("utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def fail(message: str) -> None:
    print(f"build: {message}", file=sys.stderr)
    raise SystemExit(1)


def run_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        fail("PyInstaller is not installed in this Python. Install it with:\n"
             f"    {sys.executable} -m pip install -e '.[build]'")
    if not (ICONS / "backroom.png").exists():
        subprocess.run([sys.executable, str(PACKAGING / "make_icon.py")], check=True)
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
           "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"),
           str(PACKAGING / "backroom.spec")]
    print("build:", " ".join(cmd), flush=True)
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        fail("PyInstaller failed; see its output above.")


def linux(ver: str) -> Path:
    """dist/Backroom-<ver>-linux-<arch>.tar.gz: the app folder, .desktop, icon, install.sh."""
    top = f"Backroom-{ver}-linux-{platform.machine()}"
    out = DIST / f"{top}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(DIST / "Backroom", arcname=f"{top}/Backroom")
        tar.add(PACKAGING / "backroom.desktop", arcname=f"{top}/backroom.desktop")
        tar.add(ICONS / "backroom.png", arcname=f"{top}/backroom.png")
        tar.add(PACKAGING / "linux-install.sh", arcname=f"{top}/install.sh")
    return out


def find_iscc() -> str | None:
    """ISCC.exe where Inno Setup 6 installs it (for everyone or for this user)."""
    for var in ("ProgramFiles(x86)", "ProgramFiles", "LOCALAPPDATA"):
        base = os.environ.get(var)
        if base:
            for exe in (Path(base) / "Inno Setup 6" / "ISCC.exe",
                        Path(base) / "Programs" / "Inno Setup 6" / "ISCC.exe"):
                if exe.is_file():
                    return str(exe)
    return None


def windows(ver: str) -> Path:
    """dist/Backroom-<ver>-windows-setup.exe when Inno Setup is installed, else dist/Backroom."""
    iscc = shutil.which("iscc") or find_iscc()
    if not iscc:
        print("build: Inno Setup (iscc) not found, so no installer was made. Install it from "
              "https://jrsoftware.org/isinfo.php (or `winget install JRSoftware.InnoSetup`) "
              "and run this again, or ship the folder dist\\Backroom as it is.")
        return DIST / "Backroom"
    cmd = [iscc, f"/DAppVersion={ver}", str(PACKAGING / "backroom.iss")]
    print("build:", " ".join(cmd), flush=True)
    if subprocess.run(cmd, cwd=PACKAGING).returncode != 0:
        fail("iscc failed; see its output above.")
    return DIST / f"Backroom-{ver}-windows-setup.exe"


def macos(ver: str) -> Path:
    """dist/Backroom-<ver>-macos.dmg with the app and a link to /Applications."""
    bundle = DIST / "Backroom.app"
    if not shutil.which("hdiutil"):
        print("build: hdiutil not found, so no .dmg was made; ship dist/Backroom.app zipped.")
        return bundle
    stage = BUILD / "dmg"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    subprocess.run(["ditto", str(bundle), str(stage / "Backroom.app")], check=True)
    (stage / "Applications").symlink_to("/Applications")
    out = DIST / f"Backroom-{ver}-macos-{platform.machine()}.dmg"
    cmd = ["hdiutil", "create", "-volname", f"Backroom {ver}", "-srcfolder", str(stage),
           "-ov", "-format", "UDZO", str(out)]
    print("build:", " ".join(cmd), flush=True)
    if subprocess.run(cmd).returncode != 0:
        fail("hdiutil failed; see its output above.")
    return out


def main() -> int:
    started = time.monotonic()
    ver = version()
    run_pyinstaller()
    if sys.platform == "win32":
        artefact = windows(ver)
    elif sys.platform == "darwin":
        artefact = macos(ver)
    else:
        artefact = linux(ver)
    print(f"build: Backroom {ver} built in {time.monotonic() - started:.0f} s")
    print(f"build: app folder  {DIST / 'Backroom'}")
    print(f"build: artefact    {artefact}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
