"""The `backroom` command: screenshots of every tab, and clear refusals of bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage


def _run(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACKROOM_DATA_DIR": str(data)}
    env.pop("BACKROOM_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, text=True,
                          capture_output=True, timeout=120)


def test_screenshot_writes_one_png_per_tab_at_the_asked_size(tmp_path: Path):
    out = tmp_path / "shots"
    done = _run("--demo", "--screenshot", str(out), "--size", "1920x1080", data=tmp_path)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == ["1-inventory.png", "2-orders.png", "3-suppliers.png", "4-picking.png",
                     "5-finance.png"]
    image = QImage(str(out / "2-orders.png"))
    assert (image.width(), image.height()) == (1920, 1080)
    assert (tmp_path / "demo.sqlite").exists()


def test_a_file_that_is_not_a_database_is_refused_by_name_and_left_alone(tmp_path: Path):
    bogus = tmp_path / "orders.csv"
    bogus.write_text("Order,Total\n1001,12.50\n")
    done = _run("--database-url", f"sqlite:///{bogus}", "--screenshot", str(tmp_path / "s"),
                data=tmp_path)
    assert done.returncode == 2
    assert str(bogus) in done.stderr and "not a Backroom database" in done.stderr
    assert bogus.read_text() == "Order,Total\n1001,12.50\n"
    assert not (tmp_path / "s").exists()


def test_a_scale_below_one_is_refused_with_usage(tmp_path: Path):
    done = _run("--demo", "--scale", "0", data=tmp_path)
    assert done.returncode == 2
    assert "--scale must be 1 or more" in done.stderr


def test_screenshots_of_a_database_that_needs_signing_in_are_refused(tmp_path: Path):
    from app.bootstrap import open_backroom
    from app.config import load_config
    from app.services import users

    backroom = open_backroom(load_config(env={"BACKROOM_DATA_DIR": str(tmp_path)}))
    users.create_owner(backroom.uow(), "ada", "Ada", "engine-123", "engine-123")
    backroom.close()
    done = _run("--screenshot", str(tmp_path / "s"), data=tmp_path)
    assert done.returncode == 2
    assert "needs a database that opens without signing in" in done.stderr


def test_start_up_leaves_heavy_modules_unloaded(tmp_path: Path):
    """openpyxl and barcode load when a sheet or label is made, not when Backroom starts."""
    code = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.__main__ import launch
from app.config import load_config
app = QApplication([])
window = launch(load_config(demo=True))
def check():
    loaded = sorted(m for m in ("openpyxl", "barcode") if m in sys.modules)
    print("first page", window.current_tab().loaded, "loaded:", ",".join(loaded) or "none")
    app.quit()
window.painted.connect(lambda: QTimer.singleShot(0, check))
app.exec()
"""
    env = {**os.environ, "BACKROOM_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "first page True loaded: none" in done.stdout


FILES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "files"


def test_import_prints_what_it_did_and_a_second_run_changes_nothing(tmp_path: Path):
    first = _run("import", "--demo", str(FILES / "ebay_uk_orders_report.csv"), data=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "ebay_uk_orders_report.csv (eBay orders report) into eBay:" in first.stdout
    assert " created" in first.stdout
    again = _run("import", "--demo", str(FILES / "ebay_uk_orders_report.csv"), data=tmp_path)
    assert again.returncode == 0, again.stderr
    assert " 0 created, 0 updated" in again.stdout


def test_import_of_a_broken_file_exits_non_zero_naming_the_rows(tmp_path: Path):
    text = (FILES / "shopify_orders_export.csv").read_text("utf-8")
    broken = tmp_path / "export.csv"
    broken.write_text(text.replace("58.00", "58.0x", 1), encoding="utf-8")
    done = _run("import", "--demo", str(broken), data=tmp_path)
    assert done.returncode == 1
    assert "rejected, nothing imported" in done.stdout
    assert "rejected: row 2, Subtotal" in done.stdout


def test_import_of_a_file_in_no_known_format_says_so(tmp_path: Path):
    odd = tmp_path / "people.csv"
    odd.write_text("Name,Phone\nAnn,1\n", encoding="utf-8")
    done = _run("import", "--demo", str(odd), data=tmp_path)
    assert done.returncode == 2
    assert "people.csv" in done.stderr


def test_export_writes_the_catalogue_and_an_import_of_it_changes_nothing(tmp_path: Path):
    target = tmp_path / "mugs.xlsx"
    done = _run("export", "products", str(target), "--demo", "--category", "mugs",
                data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"40 products written to {target}" in done.stdout
    for kind in ("stock", "movements"):
        out = tmp_path / f"{kind}.csv"
        done = _run("export", kind, str(out), "--demo", data=tmp_path)
        assert done.returncode == 0, done.stderr
        assert out.read_text("utf-8-sig").startswith("SKU," if kind == "stock" else "When,")
    again = _run("import-catalogue", str(target), "--demo", data=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "mugs.xlsx: 40 rows, 0 created, 0 updated, 40 unchanged, 0 stock levels set" \
        in again.stdout


def test_export_to_a_file_type_it_cannot_write_is_refused(tmp_path: Path):
    done = _run("export", "stock", str(tmp_path / "stock.ods"), "--demo", data=tmp_path)
    assert done.returncode == 1
    assert "export to an Excel workbook (.xlsx) or a CSV file" in done.stderr
    assert not (tmp_path / "stock.ods").exists()


def test_import_catalogue_of_a_broken_file_lists_every_problem_and_exits_1(tmp_path: Path):
    broken = tmp_path / "catalogue.csv"
    broken.write_text("SKU,Title,Category,Barcode,Quantity\n"
                      ",No SKU,Mugs,,\n"
                      "NEW-1,New,Cupz,,\n"
                      "MUG-0001,,,5012345678901,\n"
                      "MUG-0002,,,,-2\n", encoding="utf-8")
    done = _run("import-catalogue", str(broken), "--demo", data=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "catalogue.csv: refused, nothing imported (4 problems)" in done.stdout
    for words in ("Row 2, SKU", "Row 3, Category", "Row 4, Barcode", "Row 5, Quantity"):
        assert words in done.stdout
    fine = tmp_path / "fine.csv"
    fine.write_text("SKU,Title,Quantity,Location\nMUG-7777,New mug,3,A-01-1\n", "utf-8")
    done = _run("import-catalogue", str(fine), "--demo", "--preview", data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 would be created" in done.stdout and "Preview: nothing was changed." in done.stdout
    done = _run("import-catalogue", str(fine), "--demo", data=tmp_path)
    assert done.returncode == 0 and "1 created" in done.stdout


def test_check_ledger_says_the_demo_adds_up_and_names_a_bin_that_does_not(tmp_path: Path):
    import sqlite3

    done = _run("check-ledger", "--demo", data=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    con = sqlite3.connect(tmp_path / "demo.sqlite")
    con.execute("UPDATE stock_levels SET on_hand = on_hand + 1 WHERE rowid = 1")
    con.commit()
    con.close()
    done = _run("check-ledger", "--demo", data=tmp_path)
    assert done.returncode == 1
    assert done.stdout.strip()
