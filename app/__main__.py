"""Start Backroom: `backroom [--demo] [--scale N] [--database-url URL] [--screenshot DIR]`,
or import channel report files headless: `backroom import FILE... [--channel NAME]`, or the
catalogue's spreadsheets: `backroom export products|stock|movements FILE.xlsx|.csv` and
`backroom import-catalogue FILE`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__

if TYPE_CHECKING:
    from app.config import Config
    from app.services.context import Backroom
    from app.ui.main_window import MainWindow


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="backroom", description="The back office of a small e-commerce workshop.")
    p.add_argument("--demo", action="store_true",
                   help="open the demo workshop (its own file, created on first use)")
    p.add_argument("--scale", type=int, default=1, metavar="N",
                   help="with --demo: N times the demo (500 = 100,000 products, "
                        "1,000,000 orders) for benchmarks")
    p.add_argument("--database-url", metavar="URL",
                   help="any SQLAlchemy URL (default: BACKROOM_DATABASE_URL, else the "
                        "data folder's backroom.sqlite)")
    p.add_argument("--screenshot", metavar="DIR", type=Path,
                   help="render each tab to DIR/<n>-<tab>.png offscreen and quit")
    p.add_argument("--size", default="1280x800", metavar="WxH",
                   help="window size for --screenshot (default 1280x800)")
    p.add_argument("--version", action="version", version=f"Backroom {__version__}")
    args = p.parse_args(argv)
    if args.scale < 1:
        p.error("--scale must be 1 or more")
    try:
        args.size = tuple(int(x) for x in args.size.lower().split("x"))
        assert len(args.size) == 2
    except (ValueError, AssertionError):
        p.error("--size takes WIDTHxHEIGHT, e.g. 1920x1080")
    return args


def parse_import_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="backroom import",
        description="Import orders from channel report files (Shopify, Etsy, Amazon, eBay "
                    "exports; CSV, tab-separated or XLSX). Each file goes in whole or not "
                    "at all; importing a file twice changes nothing.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--channel", metavar="NAME",
                   help="the channel the orders belong to (default: the only channel of the "
                        "file's kind, made on first use)")
    p.add_argument("--preview", action="store_true",
                   help="read and report what would happen; write nothing")
    p.add_argument("--database-url", metavar="URL", help="as for backroom itself")
    p.add_argument("--demo", action="store_true", help="import into the demo workshop")
    return p.parse_args(argv)


def import_command(argv: Sequence[str]) -> int:
    """`backroom import`: prints what was created, updated, skipped and rejected (with row
    numbers); exits 1 when a file was rejected, 2 when nothing could be read."""
    args = parse_import_args(argv)

    def work(backroom: Backroom) -> int:
        from app.services import file_import

        report = file_import.import_order_files(backroom, args.files, args.channel,
                                                preview=args.preview)
        for one in report.files:
            print(one.summary())
            for text in one.changed:
                print(f"  updated {text}")
            for text in one.flagged:
                print(f"  flagged {text}")
            for text in one.problems:
                print(f"  {'rejected' if one.rejected else 'problem'}: {text}")
        if args.preview:
            print("Preview: nothing was written.")
        return 1 if report.rejected else 0

    return _headless("backroom import", args, work, refused=2)


def _headless(prog: str, args: argparse.Namespace, work: Callable[[Backroom], int], *,
              refused: int) -> int:
    """Run a command without the window: open the database (--database-url / --demo) as
    its owner, run `work`, close. A DomainError is printed and exits `refused`."""
    from app.config import load_config
    from app.domain.errors import DomainError

    backroom, _problem = _open(load_config(args.database_url, demo=args.demo),
                               show_progress=False)
    if backroom is None:
        return 2
    try:
        if not _as_owner(backroom, prog):
            return 2
        try:
            return work(backroom)
        except DomainError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return refused
    finally:
        backroom.close()


def _as_owner(backroom: Backroom, prog: str) -> bool:
    """Whoever can run a command can open the database file itself: the owner's rights."""
    from app.domain.errors import DomainError
    from app.services import users

    try:
        backroom.sign_in(backroom.read(users.the_owner))
    except DomainError:
        print(f"{prog}: this database has no owner yet; open it in Backroom once to set one "
              "up.", file=sys.stderr)
        return False
    return True


def check_ledger_command(argv: Sequence[str]) -> int:
    """`backroom check-ledger`: proves every stock level equals the sum of its movements
    (on hand) and of its holds (reserved); exits 1 and names each bin that does not."""
    p = argparse.ArgumentParser(
        prog="backroom check-ledger",
        description="Check that every stock level equals the sum of its ledger.")
    p.add_argument("--database-url", metavar="URL", help="as for backroom itself")
    p.add_argument("--demo", action="store_true", help="check the demo workshop")
    args = p.parse_args(argv)

    def work(backroom: Backroom) -> int:
        from app.services import stock_checks

        report = backroom.read(stock_checks.check_ledger)
        print(report)
        return 0 if report.ok else 1

    return _headless("backroom check-ledger", args, work, refused=2)


def parse_export_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="backroom export",
        description="Export the catalogue as XLSX or CSV (by the file's ending): products "
                    "(as the Inventory list shows them), stock by bin, or the stock "
                    "movements. Text that looks like a formula is written as text.")
    p.add_argument("kind", choices=("products", "stock", "movements"))
    p.add_argument("file", type=Path, metavar="FILE.xlsx|FILE.csv")
    p.add_argument("--search", default="", metavar="TEXT",
                   help="only products matching the search (SKU, title or barcode)")
    p.add_argument("--category", default="", metavar="CODE",
                   help="only products of this category (its code)")
    p.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                   help="movements: only those since this day")
    p.add_argument("--database-url", metavar="URL", help="as for backroom itself")
    p.add_argument("--demo", action="store_true", help="export from the demo workshop")
    return p.parse_args(argv)


def export_command(argv: Sequence[str]) -> int:
    """`backroom export`: prints how many rows went where; exits 1 when refused."""
    args = parse_export_args(argv)

    def work(backroom: Backroom) -> int:
        from app.services import spreadsheets
        from app.services.paging import PageRequest

        filters = (("category", args.category),) if args.category else ()
        req = PageRequest(search=args.search, filters=filters)
        if args.kind == "movements":
            done = backroom.read(spreadsheets.export_movements, args.file, since=args.since)
        else:
            done = backroom.read(spreadsheets.export, args.kind, args.file, req)
        print(done.summary())
        return 0

    return _headless("backroom export", args, work, refused=1)


def parse_import_catalogue_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="backroom import-catalogue",
        description="Create or update products by SKU from an XLSX or CSV file (columns SKU, "
                    "Title, Category, Barcode, Price, Cost, Currency, Quantity, Location), "
                    "and set stock on hand through adjustments in the ledger. Every row is "
                    "checked first; with any problem nothing is changed.")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--preview", action="store_true",
                   help="check the file and say what would happen; change nothing")
    p.add_argument("--new-categories", action="store_true",
                   help="add categories the file names that do not exist yet")
    p.add_argument("--currency", metavar="CODE",
                   help="the currency of prices in rows without one (default: the one most "
                        "products are priced in)")
    p.add_argument("--database-url", metavar="URL", help="as for backroom itself")
    p.add_argument("--demo", action="store_true", help="import into the demo workshop")
    return p.parse_args(argv)


def import_catalogue_command(argv: Sequence[str]) -> int:
    """`backroom import-catalogue`: prints what was created, updated and set, or every
    problem by row; exits 1 when the file was refused, 2 when it could not be read."""
    args = parse_import_catalogue_args(argv)

    def work(backroom: Backroom) -> int:
        from app.services import spreadsheets

        report = spreadsheets.import_catalogue(
            backroom.uow(), args.file, currency=args.currency,
            allow_new_categories=args.new_categories, preview=args.preview)
        for line in report.lines():
            print(line)
        if args.preview and not report.rejected:
            print("Preview: nothing was changed.")
        return 1 if report.rejected else 0

    return _headless("backroom import-catalogue", args, work, refused=2)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["import"]:
        return import_command(argv[1:])
    if argv[:1] == ["export"]:
        return export_command(argv[1:])
    if argv[:1] == ["check-ledger"]:
        return check_ledger_command(argv[1:])
    if argv[:1] == ["import-catalogue"]:
        return import_catalogue_command(argv[1:])
    args = parse_args(argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from app.config import load_config

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Backroom")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Backroom")
    from PySide6.QtGui import QIcon

    from app.config import resources_dir

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "backroom.png")))
    config = load_config(args.database_url, demo=args.demo, scale=args.scale)

    if args.screenshot:
        backroom, _problem = _open(config, show_progress=False)
        if backroom is None:
            return 2
        from app.services import users

        if backroom.read(users.needs_owner) or backroom.read(users.login_required):
            print("backroom: --screenshot needs a database that opens without signing in "
                  "(the demo, or one with log-in switched off).", file=sys.stderr)
            backroom.close()
            return 2
        backroom.sign_in(backroom.read(users.the_owner))
        from app.ui.main_window import MainWindow
        from app.ui.screenshot import save_tabs

        window = MainWindow(backroom)
        for path in save_tabs(window, args.screenshot, args.size):
            print(path)
        window.close()
        backroom.close()
        return 0

    window = launch(config)
    code = app.exec()
    if window.backroom is not None:
        window.backroom.close()
    return code


def launch(config: Config) -> MainWindow:
    """Show the window at once; the database layer loads and opens right after it paints."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ui.main_window import MainWindow

    # Start-up creates a great many objects that live as long as the app; collecting
    # garbage among them mid-way costs ~50 ms and frees nothing. Resumed once it is open.
    gc.disable()
    window = MainWindow(config=config)

    def open_database() -> None:
        backroom, problem = _open(config, show_progress=True)
        if backroom is None:
            gc.enable()
            QMessageBox.critical(window, "Backroom cannot open the database", problem)
            QApplication.exit(2)
            return
        from app.ui.dialogs.sign_in import who_is_working

        viewer = who_is_working(backroom, window)
        if viewer is None:  # closed the sign-in: nothing is opened
            gc.enable()
            backroom.close()
            QApplication.exit(0)
            return
        backroom.sign_in(viewer)
        window.attach(backroom)
        gc.freeze()  # what start-up made stays; later collections need not look at it
        gc.enable()
        window.start_background_checks()
        if backroom.backup_made:
            window.statusBar().showMessage(
                f"Updated the database; a copy from before is at {backroom.backup_made}", 15000)

    window.painted.connect(open_database)
    window.show()
    return window


def _open(config: Config, show_progress: bool) -> tuple[Backroom | None, str]:
    """Open (and if needed build or migrate) the database, or say why it cannot be."""
    from app.bootstrap import open_backroom
    from app.db.engine import DatabaseProblem

    try:
        return open_backroom(config, progress=_building_progress(show_progress)), ""
    except DatabaseProblem as exc:
        print(f"backroom: {exc}", file=sys.stderr)
        return None, str(exc)


def _building_progress(show: bool):  # type: ignore[no-untyped-def]
    """Report the demo's build on stderr (and in a dialog when there is a screen)."""
    dialog = None

    def report(stage: str, done: int, total: int) -> None:
        nonlocal dialog
        print(f"\rBuilding the demo workshop: {stage} {done:,}/{total:,}", end="",
              file=sys.stderr, flush=True)
        if done >= total and stage == "Orders":
            print(file=sys.stderr)
        if not show:
            return
        from PySide6.QtWidgets import QApplication, QProgressDialog

        if dialog is None:
            dialog = QProgressDialog("Building the demo workshop…", "", 0, total)
            dialog.setCancelButton(None)
            dialog.setMinimumDuration(500)
        dialog.setMaximum(total)
        dialog.setValue(done)
        QApplication.processEvents()

    return report


if __name__ == "__main__":
    raise SystemExit(main())
