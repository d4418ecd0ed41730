"""This computer's printers and label templates, kept in the data folder, not the database.

Each bench PC has its own printers, so `printers.json` beside the database holds them and
which printer and template each use (product labels, bin labels...) prints with; templates
the workshop designs are JSON files under `labels/`. Both are written whole or not at all.
The services take the Backroom (for its data folder and who is signed in).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from app.db.models import PrintJob
from app.domain.access import Can
from app.domain.errors import DomainError
from app.domain.statuses import PrintJobStatus
from app.printing import templates as tpl
from app.printing.errors import TemplateError
from app.printing.printers import PrinterConfig, printer_problems
from app.services.access import requires
from app.services.context import Backroom

PRINTERS_FILE = "printers.json"
LABELS_DIR = "labels"
FORMAT = 1


class Use(StrEnum):
    """What a workstation prints; each use has its own printer and template."""

    PRODUCT_LABELS = "product labels"
    BIN_LABELS = "bin labels"
    JOB_TICKETS = "job tickets"
    PARCEL_LABELS = "parcel labels"


DEFAULT_TEMPLATES: dict[Use, str] = {
    Use.PRODUCT_LABELS: "product-50x25",
    Use.BIN_LABELS: "bin-100x50",
    Use.JOB_TICKETS: "job-ticket-100x75",
    Use.PARCEL_LABELS: "parcel-100x150",
}


@dataclass(frozen=True)
class PrinterUse:
    use: str
    printer: str  # '' while none is chosen
    template: str  # a template key (see TemplateInfo.key)


@dataclass(frozen=True)
class TemplateInfo:
    key: str  # the built-in's file name ('product-50x25') or the user template's file name
    name: str
    description: str
    builtin: bool
    width_mm: float
    height_mm: float


def no_such_printer(name: str) -> DomainError:
    return DomainError(f"There is no printer called {name} on this computer any more: choose "
                       "one in Settings > Printers.")


@dataclass(frozen=True)
class Workstation:
    """What printers.json says: this computer's printers and what each use prints with."""

    printers: tuple[PrinterConfig, ...] = ()
    uses: tuple[PrinterUse, ...] = ()

    def printer(self, name: str) -> PrinterConfig:
        for p in self.printers:
            if p.name == name:
                return p
        raise no_such_printer(name)

    def use(self, use: Use | str) -> PrinterUse:
        use = _use(use)
        for u in self.uses:
            if u.use == use:
                return u
        return PrinterUse(str(use), "", DEFAULT_TEMPLATES[use])


def _use(use: Use | str) -> Use:
    try:
        return Use(use)
    except ValueError:
        raise DomainError(f"{use!r} is not something Backroom prints; choose one of "
                          f"{', '.join(u.value for u in Use)}.") from None


# --- the file ------------------------------------------------------------------------------


_PRINTER_FIELDS = {f.name for f in fields(PrinterConfig)}


def _printer_from(raw: Any, path: Path) -> PrinterConfig:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise DomainError(f"{path} lists a printer that is not a JSON object with a name: "
                          "fix the file, or remove it and set the printers up again.")
    try:
        return PrinterConfig(**{k: v for k, v in raw.items() if k in _PRINTER_FIELDS})
    except TypeError as e:
        raise DomainError(f"{path}: the printer {raw['name']!r} cannot be read ({e}).") from e


def load_workstation(data_dir: Path) -> Workstation:
    """Read printers.json from the data folder (none yet: no printers)."""
    path = Path(data_dir) / PRINTERS_FILE
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Workstation()
    except (OSError, ValueError) as e:
        raise DomainError(f"This computer's printer settings ({path}) cannot be read: {e}. "
                          "Fix the file, or remove it and set the printers up again.") from e
    if not isinstance(raw, dict):
        raise DomainError(f"{path} should hold a JSON object; fix or remove it.")
    printers = tuple(_printer_from(p, path) for p in raw.get("printers") or [])
    uses = []
    for name, chosen in (raw.get("uses") or {}).items():
        if name in Use._value2member_map_ and isinstance(chosen, dict):
            uses.append(PrinterUse(name, str(chosen.get("printer") or ""),
                                   str(chosen.get("template") or DEFAULT_TEMPLATES[Use(name)])))
    return Workstation(printers, tuple(uses))


def write_atomically(path: Path, text: str) -> None:
    """Replace a file with `text` in one step: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _save(data_dir: Path, ws: Workstation) -> None:
    def printer(p: PrinterConfig) -> dict[str, Any]:
        out = asdict(p)
        out["kind"] = str(p.kind)
        return out

    doc = {"format": FORMAT, "printers": [printer(p) for p in ws.printers],
           "uses": {u.use: {"printer": u.printer, "template": u.template} for u in ws.uses}}
    path = Path(data_dir) / PRINTERS_FILE
    try:
        write_atomically(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    except OSError as e:
        raise DomainError(f"The printer settings could not be saved to {path}: "
                          f"{e.strerror or e}.") from e


# --- printers ------------------------------------------------------------------------------


@requires(Can.SEE_INVENTORY)
def printer_list(backroom: Backroom) -> tuple[PrinterConfig, ...]:
    """This computer's printers, in the order they were added."""
    return load_workstation(backroom.config.data_dir).printers


@requires(Can.SEE_INVENTORY)
def printer_uses(backroom: Backroom) -> tuple[PrinterUse, ...]:
    """Which printer and template each use prints with, every use listed."""
    ws = load_workstation(backroom.config.data_dir)
    return tuple(ws.use(u) for u in Use)


def _cleaned(p: PrinterConfig) -> PrinterConfig:
    return replace(p, name=" ".join(p.name.split()), address=p.address.strip(),
                   default_template=p.default_template.strip())


@requires(Can.CHANGE_SETTINGS)
def save_printer(backroom: Backroom, old_name: str | None,
                 printer: PrinterConfig) -> PrinterConfig:
    """Add a printer (old_name None) or change one; every problem is listed at once.

    A renamed printer keeps its uses and the jobs still waiting for it.
    """
    data_dir = backroom.config.data_dir
    ws = load_workstation(data_dir)
    printer = _cleaned(printer)
    problems = list(printer_problems(printer))
    if old_name is not None and old_name not in {p.name for p in ws.printers}:
        raise no_such_printer(old_name)
    if any(p.name.casefold() == printer.name.casefold() and p.name != old_name
           for p in ws.printers):
        problems.append(f"There is already a printer called {printer.name!r}; give this one "
                        "another name.")
    if printer.default_template and printer.default_template not in template_keys(data_dir):
        problems.append(f"There is no label template {printer.default_template!r}.")
    if problems:
        raise DomainError(f"The printer {printer.name or '(no name)'!r} was not saved. "
                          + " ".join(problems))
    if old_name is None:
        printers = (*ws.printers, printer)
    else:
        printers = tuple(printer if p.name == old_name else p for p in ws.printers)
    uses = ws.uses
    renamed = old_name is not None and old_name != printer.name
    if renamed:
        uses = tuple(replace(u, printer=printer.name) if u.printer == old_name else u
                     for u in uses)
    with backroom.uow() as uow:
        if renamed:  # the queue follows the printer to its new name
            uow.session.execute(
                update(PrintJob)
                .where(PrintJob.printer == old_name, PrintJob.status.in_(UNFINISHED))
                .values(printer=printer.name).execution_options(synchronize_session=False))
        if old_name is not None:  # its settings were put right: what waited on it goes now
            uow.session.execute(  # (not a job waiting for a person: it has no next try)
                update(PrintJob)
                .where(PrintJob.printer == printer.name,
                       PrintJob.status == str(PrintJobStatus.WAITING),
                       PrintJob.next_attempt_at.is_not(None))
                .values(status=str(PrintJobStatus.QUEUED), next_attempt_at=None, attempts=0)
                .execution_options(synchronize_session=False))
        _save(data_dir, Workstation(printers, uses))
        uow.commit()
    return printer


#: Jobs still to print (or to be looked at): they follow a renamed printer or template.
UNFINISHED = (str(PrintJobStatus.QUEUED), str(PrintJobStatus.WAITING),
              str(PrintJobStatus.MAY_HAVE_PRINTED))


@requires(Can.CHANGE_SETTINGS)
def remove_printer(backroom: Backroom, name: str) -> None:
    """Forget a printer; uses that printed with it have no printer until one is chosen."""
    data_dir = backroom.config.data_dir
    ws = load_workstation(data_dir)
    ws.printer(name)
    _save(data_dir, Workstation(
        tuple(p for p in ws.printers if p.name != name),
        tuple(replace(u, printer="") if u.printer == name else u for u in ws.uses)))


@requires(Can.CHANGE_SETTINGS)
def set_printer_use(backroom: Backroom, use: Use | str, printer_name: str,
                    template_key: str = "") -> PrinterUse:
    """Choose the printer ('' for none) and template ('' for the built-in) a use prints with."""
    data_dir = backroom.config.data_dir
    use = _use(use)
    ws = load_workstation(data_dir)
    if printer_name:
        ws.printer(printer_name)
    template_key = template_key or DEFAULT_TEMPLATES[use]
    find_template(data_dir, template_key)
    chosen = PrinterUse(str(use), printer_name, template_key)
    uses = {u.use: u for u in ws.uses} | {chosen.use: chosen}
    _save(data_dir, Workstation(ws.printers, tuple(uses[u] for u in Use if u in uses)))
    return chosen


def printer_for(data_dir: Path, use: Use | str) -> tuple[PrinterConfig, str]:
    """The printer and template key a use prints with here; DomainError saying what to set up."""
    ws = load_workstation(data_dir)
    chosen = ws.use(use)
    if not chosen.printer:
        raise DomainError(f"No printer is chosen for {chosen.use} on this computer: choose one "
                          "in Settings > Printers.")
    return ws.printer(chosen.printer), chosen.template


# --- templates -----------------------------------------------------------------------------


def _labels_dir(data_dir: Path) -> Path:
    return Path(data_dir) / LABELS_DIR


def template_key(name: str) -> str:
    """The file name a user template is saved under: 'Mug label 60x30' -> 'mug-label-60x30'."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:80]


def _builtin_keys() -> set[str]:
    return {p.stem for p in tpl.builtin_dir().glob("*.json")}


def _user_paths(data_dir: Path) -> dict[str, Path]:
    folder = _labels_dir(data_dir)
    return {p.stem: p for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def template_keys(data_dir: Path) -> set[str]:
    return _builtin_keys() | set(_user_paths(data_dir))


def find_template(data_dir: Path, key: str) -> tuple[str, tpl.LabelTemplate]:
    """A template by key (a built-in's or a user template's file name) or by its name."""
    if key in _builtin_keys():
        return key, tpl.builtin(key)
    users = _user_paths(data_dir)
    if key in users:
        return key, tpl.load_template(users[key])
    for k, t in _all_templates(data_dir):
        if t.name.casefold() == key.casefold():
            return k, t
    raise DomainError(f"There is no label template called {key!r} on this computer: choose "
                      "one in Settings > Printers.")


def _all_templates(data_dir: Path) -> list[tuple[str, tpl.LabelTemplate]]:
    out = list(tpl.builtin_templates().items())
    for key, path in _user_paths(data_dir).items():
        with contextlib.suppress(TemplateError):  # a broken file is left out, not fatal
            out.append((key, tpl.load_template(path)))
    return out


@requires(Can.SEE_INVENTORY)
def template_list(backroom: Backroom) -> tuple[TemplateInfo, ...]:
    """The built-in templates, then the workshop's own (a file that cannot be read is left
    out)."""
    builtins = _builtin_keys()
    return tuple(TemplateInfo(k, t.name, t.description, k in builtins, t.width_mm, t.height_mm)
                 for k, t in _all_templates(backroom.config.data_dir))


@requires(Can.SEE_INVENTORY)
def label_template(backroom: Backroom, key: str) -> tpl.LabelTemplate:
    """One template, for the editor and the preview."""
    return find_template(backroom.config.data_dir, key)[1]


@requires(Can.CHANGE_SETTINGS)
def save_template(backroom: Backroom, template: tpl.LabelTemplate,
                  old_key: str | None = None) -> str:
    """Save a template of the workshop's own under labels/; returns its key.

    Refused in words (naming the field) if it cannot make labels, or if its name is taken.
    """
    data_dir = backroom.config.data_dir
    template = replace(template, name=" ".join(template.name.split()))
    key = template_key(template.name)
    if not key:
        raise DomainError("Give the template a name with at least one letter or digit.")
    if key in _builtin_keys():
        raise DomainError(f"{template.name!r} is the name of a built-in template; give yours "
                          "another name.")
    users = _user_paths(data_dir)
    if old_key is not None and old_key not in users:
        raise DomainError(f"There is no template of yours called {old_key!r} to change.")
    if key in users and key != old_key:
        raise DomainError(f"There is already a template called {template.name!r}; give this "
                          "one another name.")
    tpl.check_template(template)
    text = json.dumps(tpl.template_to_dict(template), indent=2, ensure_ascii=False) + "\n"
    path = _labels_dir(data_dir) / f"{key}.json"
    try:
        write_atomically(path, text)
    except OSError as e:
        raise DomainError(f"The template could not be saved to {path}: {e.strerror or e}.") from e
    if old_key is not None and old_key != key:
        users[old_key].unlink(missing_ok=True)
        _retarget(data_dir, old_key, key)
        with backroom.uow() as uow:  # the jobs waiting on it print with it by its new name
            uow.session.execute(
                update(PrintJob).where(PrintJob.template == old_key,
                                       PrintJob.status.in_(UNFINISHED))
                .values(template=key).execution_options(synchronize_session=False))
            uow.commit()
    return key


def _retarget(data_dir: Path, old_key: str, new_key: str | None) -> None:
    """Uses and printers that printed with a renamed (or removed) template follow it."""
    ws = load_workstation(data_dir)
    uses = tuple(replace(u, template=new_key or DEFAULT_TEMPLATES[Use(u.use)])
                 if u.template == old_key else u for u in ws.uses)
    printers = tuple(replace(p, default_template=new_key or "")
                     if p.default_template == old_key else p for p in ws.printers)
    if uses != ws.uses or printers != ws.printers:
        _save(data_dir, Workstation(printers, uses))


@requires(Can.CHANGE_SETTINGS)
def remove_template(backroom: Backroom, key: str) -> None:
    """Delete a template of the workshop's own; uses that printed with it go back to the
    built-in one."""
    data_dir = backroom.config.data_dir
    if key in _builtin_keys():
        raise DomainError("The built-in templates cannot be removed.")
    path = _user_paths(data_dir).get(key)
    if path is None:
        raise DomainError(f"There is no template of yours called {key!r}.")
    with backroom.session() as session:
        waiting = session.scalar(select(func.count(PrintJob.id)).where(
            PrintJob.template == key, PrintJob.status.in_(UNFINISHED))) or 0
    if waiting:
        one = waiting == 1
        raise DomainError(f"{waiting:,} print job{'' if one else 's'} still wait"
                          f"{'s' if one else ''} to print with this template; print or cancel "
                          f"{'it' if one else 'them'} first (View > Print queue…), then "
                          "remove it.")
    path.unlink(missing_ok=True)
    _retarget(data_dir, key, None)
