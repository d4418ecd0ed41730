"""Label templates: a size in mm, text fields and at most one barcode, stored as JSON.

Positions and sizes are in millimetres so that one template prints the same on a 203 dpi
and a 300 dpi printer; `dpi` is the resolution it was designed (and is previewed) at.
Check a template with `check_template` when it is saved and the data with `check_data`
before rendering: both raise TemplateError naming the field, before anything is sent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

from app.config import resources_dir
from app.domain import barcodes
from app.domain.barcodes import BarcodeError, Symbology
from app.printing.errors import TemplateError

DPIS = (203, 300)
ALIGNS = ("left", "center", "right")
FITS = ("shrink", "wrap")
UNITS = ("pt", "dots")
SYMBOLOGIES = ("code128", "ean13", "ean8", "upca", "qr", "auto")
QR_LEVELS = ("L", "M", "Q", "H")
LARGEST_MM = 1000.0  # longer than any label or endless strip we print
LINE_HEIGHT = 1.17  # a line of DejaVu Sans is 1.164 em from ascender to descender
_SLACK_MM = 0.01  # JSON round trips of 0.1 mm steps

Align = Literal["left", "center", "right"]
Fit = Literal["shrink", "wrap"]


def mm_to_dots(mm: float, dpi: int) -> int:
    """Whole printer dots for a length: 50 mm at 203 dpi is 400 dots (399.6, rounded)."""
    return math.floor(mm * dpi / 25.4 + 0.5)


@dataclass(frozen=True)
class TextField:
    """Text from `data[key]` (after `prefix`) inside a box; too long, it shrinks then wraps.

    With fit="shrink" the text first gets smaller on one line, down to `min_size`, and only
    then wraps; with fit="wrap" it wraps first and shrinks only when `max_lines` are not
    enough. Whatever still does not fit ends in an ellipsis: nothing leaves the box.
    """

    key: str
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    size: float = 10.0
    min_size: float = 6.0
    unit: Literal["pt", "dots"] = "pt"
    max_lines: int = 1
    fit: Fit = "shrink"
    align: Align = "left"
    bold: bool = False
    prefix: str = ""
    optional: bool = False  # missing or empty data leaves the box blank instead of failing

    def size_dots(self, size: float, dpi: int, template_dpi: int) -> int:
        """A font size (em height) in dots at `dpi`; 'dots' sizes are at the template's dpi."""
        if self.unit == "pt":
            return max(1, math.floor(size * dpi / 72 + 0.5))
        return max(1, math.floor(size * dpi / template_dpi + 0.5))


@dataclass(frozen=True)
class BarcodeSpec:
    """The label's barcode: `data[key]` drawn in a box, bars `module_mm` wide at most.

    symbology "auto" takes EAN-13 / UPC-A / EAN-8 when the value is one (check digit and
    all), else Code 128. The narrowest bar (or QR module) is a whole number of dots, made
    narrower when the value would not fit the box; `height_mm` includes the digits under
    the bars when `show_text` is on.
    """

    key: str
    symbology: Literal["code128", "ean13", "ean8", "upca", "qr", "auto"]
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    module_mm: float = 0.33
    show_text: bool = True
    align: Align = "center"
    error_correction: Literal["L", "M", "Q", "H"] = "M"  # QR only


@dataclass(frozen=True)
class LabelTemplate:
    name: str
    width_mm: float
    height_mm: float
    dpi: int = 203
    fields: tuple[TextField, ...] = ()
    barcode: BarcodeSpec | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.fields, tuple):  # a list, from code that built one
            object.__setattr__(self, "fields", tuple(self.fields))

    @property
    def keys(self) -> tuple[str, ...]:
        """The data keys the template reads, in order, without repeats."""
        keys = [f.key for f in self.fields] + ([self.barcode.key] if self.barcode else [])
        return tuple(dict.fromkeys(keys))

    def size_dots(self, dpi: int | None = None) -> tuple[int, int]:
        dpi = dpi or self.dpi
        return mm_to_dots(self.width_mm, dpi), mm_to_dots(self.height_mm, dpi)


# --- checking -------------------------------------------------------------------------------


def _box_problems(what: str, x: float, y: float, w: float, h: float,
                  t: LabelTemplate) -> list[str]:
    if w <= 0 or h <= 0:
        return [f"{what} has no area ({w:g} x {h:g} mm)."]
    if x < -_SLACK_MM or y < -_SLACK_MM:
        return [f"{what} starts outside the label, at ({x:g}, {y:g}) mm."]
    out = []
    if x + w > t.width_mm + _SLACK_MM:
        out.append(f"{what} reaches {x + w:g} mm across; the label is only {t.width_mm:g} mm "
                   "wide.")
    if y + h > t.height_mm + _SLACK_MM:
        out.append(f"{what} reaches {y + h:g} mm down; the label is only {t.height_mm:g} mm "
                   "tall.")
    return out


def _field_problems(f: TextField, t: LabelTemplate) -> list[str]:
    what = f"The field {f.key!r}" if f.key else "A field"
    if not f.key.strip():
        return ["A field has no data key: say which value it shows (e.g. 'sku')."]
    out = _box_problems(what, f.x_mm, f.y_mm, f.width_mm, f.height_mm, t)
    if f.unit not in UNITS:
        out.append(f"{what} has font size unit {f.unit!r}; use 'pt' or 'dots'.")
        return out
    if f.fit not in FITS:
        out.append(f"{what} has fit {f.fit!r}; use 'shrink' or 'wrap'.")
    if f.align not in ALIGNS:
        out.append(f"{what} has alignment {f.align!r}; use 'left', 'center' or 'right'.")
    if not 0 < f.min_size <= f.size:
        out.append(f"{what} has font size {f.size:g} {f.unit} and smallest size "
                   f"{f.min_size:g} {f.unit}: the smallest must be above 0 and at most the size.")
    elif f.height_mm > 0:
        smallest = f.size_dots(f.min_size, t.dpi, t.dpi) * LINE_HEIGHT * 25.4 / t.dpi
        if smallest > f.height_mm + _SLACK_MM:
            out.append(f"{what} is {f.height_mm:g} mm tall, too short for one line even at its "
                       f"smallest size {f.min_size:g} {f.unit} ({smallest:.1f} mm).")
    if f.max_lines < 1:
        out.append(f"{what} must allow at least one line (max_lines is {f.max_lines}).")
    return out


def _barcode_problems(b: BarcodeSpec, t: LabelTemplate) -> list[str]:
    what = f"The barcode ({b.key!r})"
    if not b.key.strip():
        return ["The barcode has no data key: say which value it encodes (e.g. 'sku')."]
    out = _box_problems(what, b.x_mm, b.y_mm, b.width_mm, b.height_mm, t)
    if b.symbology not in SYMBOLOGIES:
        out.append(f"{what} has symbology {b.symbology!r}; use one of "
                   f"{', '.join(SYMBOLOGIES)}.")
    if b.module_mm <= 0:
        out.append(f"{what} has bars {b.module_mm:g} mm wide; they must be wider than 0.")
    if b.align not in ALIGNS:
        out.append(f"{what} has alignment {b.align!r}; use 'left', 'center' or 'right'.")
    if b.error_correction not in QR_LEVELS:
        out.append(f"{what} has QR error correction {b.error_correction!r}; use L, M, Q or H.")
    return out


def template_problems(t: LabelTemplate) -> tuple[str, ...]:
    """What is wrong with a template, one sentence each; empty when it is fine."""
    out: list[str] = []
    if not t.name.strip():
        out.append("The template has no name.")
    if t.dpi not in DPIS:
        out.append(f"The template is set to {t.dpi} dpi; label printers print at 203 or 300.")
    if not (0 < t.width_mm <= LARGEST_MM and 0 < t.height_mm <= LARGEST_MM):
        out.append(f"A {t.width_mm:g} x {t.height_mm:g} mm label is not a size we can print.")
        return tuple(out)
    for f in t.fields:
        out += _field_problems(f, t)
    if t.barcode is not None:
        out += _barcode_problems(t.barcode, t)
    return tuple(out)


def _first_key(t: LabelTemplate, problems: tuple[str, ...]) -> str | None:
    for key in t.keys:
        if f"{key!r}" in problems[0]:
            return key
    return None


def check_template(t: LabelTemplate) -> LabelTemplate:
    """The template if it can make labels, else TemplateError listing every problem."""
    problems = template_problems(t)
    if problems:
        raise TemplateError(f"The template {t.name!r} cannot be used. " + " ".join(problems),
                            field=_first_key(t, problems))
    return t


def resolve_symbology(spec: BarcodeSpec, value: str) -> Symbology:
    """The symbology the barcode is drawn in for this value (checking the value on the way)."""
    if spec.symbology == "auto":
        return barcodes.detect_kind(value)
    kind = Symbology(spec.symbology)
    if kind is Symbology.QR:
        barcodes.validate_qr(value, spec.error_correction)
    else:
        barcodes.validate(kind, value)
    return kind


def check_data(t: LabelTemplate, data: Mapping[str, str]) -> dict[str, str]:
    """The text of every field (prefix added; '' for an empty optional one) and the barcode
    value under its key; TemplateError naming the field when a value is missing or the
    barcode cannot encode it. Whether the barcode fits its box is checked when rendering."""
    values: dict[str, str] = {}
    for f in t.fields:
        raw = data.get(f.key)
        if raw is None or (str(raw) == "" and not f.optional):
            if f.optional:
                values.setdefault(f.key, "")
                continue
            have = ", ".join(sorted(data)) or "nothing"
            raise TemplateError(
                f"The template {t.name!r} shows {f.key!r}, but the label's data has "
                f"{'an empty' if raw is not None else 'no'} {f.key!r} (it has: {have}).",
                field=f.key)
        values[f.key] = str(raw)
    if t.barcode is not None:
        key = t.barcode.key
        raw = data.get(key)
        if raw is None or str(raw) == "":
            raise TemplateError(
                f"The template {t.name!r} encodes {key!r} in its barcode, but the label's data "
                f"has {'an empty' if raw is not None else 'no'} {key!r}.", field=key)
        try:
            resolve_symbology(t.barcode, str(raw))
        except BarcodeError as e:
            raise TemplateError(f"The barcode value {key!r} cannot be printed: {e}",
                                field=key) from e
        values[key] = str(raw)
    return values


def field_text(f: TextField, values: Mapping[str, str]) -> str:
    """What a field shows: its prefix and value, or nothing when the value is empty."""
    value = values.get(f.key, "")
    return f"{f.prefix}{value}" if value else ""


# --- JSON ----------------------------------------------------------------------------------


_KINDS: dict[str, Any] = {"float": float, "int": int, "str": str, "bool": bool, "Align": str,
                          "Fit": str, "Literal": str}


def _from_dict(cls: type, raw: Mapping[str, Any], where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise TemplateError(f"{where} should be a JSON object, not {type(raw).__name__}.")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise TemplateError(f"{where} has unknown setting(s) {', '.join(unknown)}; "
                            f"known: {', '.join(known)}.")
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name not in raw:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise TemplateError(f"{where} lacks {name!r}.")
            continue
        value = raw[name]
        kind = str(spec.type).split("[")[0]
        wanted = _KINDS.get(kind)
        kind = "text" if wanted is str else kind
        if wanted is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if (wanted is not None and not isinstance(value, wanted)) or (
                wanted in (int, float) and isinstance(value, bool)):
            raise TemplateError(f"{where}: {name!r} should be {kind}, not {value!r}.")
        values[name] = value
    return cls(**values)


def template_from_dict(raw: Mapping[str, Any]) -> LabelTemplate:
    """A template from its JSON form; TemplateError (in words) when it is malformed."""
    if not isinstance(raw, Mapping):
        raise TemplateError("A label template should be a JSON object.")
    name = raw.get("name", "?")
    head = {k: v for k, v in raw.items() if k not in ("fields", "barcode")}
    t = _from_dict(LabelTemplate, head, f"Template {name!r}")
    raw_fields = raw.get("fields", [])
    if not isinstance(raw_fields, list):
        raise TemplateError(f"Template {name!r}: 'fields' should be a list.")
    text_fields = tuple(
        _from_dict(TextField, f, f"Template {name!r}, field {i + 1}"
                   + (f" ({f.get('key')!r})" if isinstance(f, Mapping) else ""))
        for i, f in enumerate(raw_fields))
    code = raw.get("barcode")
    barcode = None if code is None else _from_dict(BarcodeSpec, code,
                                                   f"Template {name!r}, barcode")
    return replace(t, fields=text_fields, barcode=barcode)


def template_to_dict(t: LabelTemplate) -> dict[str, Any]:
    out = asdict(t)
    out["fields"] = [asdict(f) for f in t.fields]
    if t.barcode is None:
        del out["barcode"]
    return out


def load_template(path: Path) -> LabelTemplate:
    """Read and check a template file."""
    try:
        raw = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise TemplateError(f"The label template {Path(path).name} cannot be read: {e}") from e
    return check_template(template_from_dict(raw))


def save_template(t: LabelTemplate, path: Path) -> None:
    """Check and write a template as indented JSON."""
    check_template(t)
    Path(path).write_text(json.dumps(template_to_dict(t), indent=2, ensure_ascii=False) + "\n",
                          "utf-8")


def builtin_dir() -> Path:
    return resources_dir() / "labels"


def builtin_templates() -> dict[str, LabelTemplate]:
    """The templates that come with Backroom, by file name without '.json'."""
    return {path.stem: load_template(path) for path in sorted(builtin_dir().glob("*.json"))}


def builtin(name: str) -> LabelTemplate:
    """One built-in template by file name, e.g. 'product-50x25'."""
    path = builtin_dir() / f"{name}.json"
    if not path.exists():
        have = ", ".join(p.stem for p in sorted(builtin_dir().glob("*.json")))
        raise TemplateError(f"There is no built-in label template {name!r}; there are: {have}.")
    return load_template(path)



# --- sample data, for previews and test labels ----------------------------------------------


SAMPLES = {
    "sku": "SKU-MUGS-250304-0001", "title": "Hand-thrown stoneware mug, speckled glaze",
    "price": "£12.50", "barcode": "4006381333931", "attributes": "Colour: blue · 350 ml",
    "location": "A-03-2", "location_name": "Mugs, top shelf", "name": "Zoë Øster",
    "task_sku": "SKU-KILNCO-250304-0001",
    "order_number": "#1042", "due_date": "14 Mar 2025", "supplier": "Kiln & Co",
    "product": "Stoneware mug, speckled glaze, 350 ml",
    "personalisation": "Happy birthday, Grandma Zoë! Love from all of us.",
    "address": "1 High Street\nIslington\nLondon N1 1AA", "country": "United Kingdom",
    "carrier": "Royal Mail", "service": "Tracked 48", "tracking": "JD014600006281230456",
    "sender": "Backroom Workshop, 2 Pottery Lane, Stoke ST1 1AA", "weight": "0.8 kg",
}
_SAMPLE_CODES = {"ean13": "4006381333931", "upca": "036000291452", "ean8": "96385074"}


def sample_data(t: LabelTemplate) -> dict[str, str]:
    """Plausible data for every key the template reads: for the editor's preview and for
    'Print test label'."""
    data = {key: SAMPLES.get(key, key.replace("_", " ").capitalize()) for key in t.keys}
    if t.barcode is not None:
        code = _SAMPLE_CODES.get(t.barcode.symbology)
        if code is not None:
            data[t.barcode.key] = code
        elif t.barcode.key not in SAMPLES:
            data[t.barcode.key] = "SAMPLE-0001"
    return data
