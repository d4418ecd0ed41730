"""Labels as Brother QL raster instructions, through brother-ql-next.

QL printers print at 300 dpi on endless tape (e.g. "62": 62 mm wide) or die-cut labels
(e.g. "29x90"). The label image is turned to suit the tape when it only fits sideways,
then padded, or trimmed of blank margin, to the printable width in dots, so that
brother_ql never has to resample it (resampling would blur the bars).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from brother_ql.conversion import convert
from brother_ql.labels import FormFactor, Label, LabelsManager
from brother_ql.models import ModelsManager
from brother_ql.raster import BrotherQLRaster
from PIL import Image, ImageChops

from app.printing.errors import TemplateError

QL_DPI = 300
DEFAULT_MODEL, DEFAULT_LABEL = "QL-820NWB", "62"


@cache
def models() -> tuple[str, ...]:
    """Printer models brother_ql knows, e.g. 'QL-700', 'QL-820NWB'."""
    return tuple(ModelsManager().identifiers())


@cache
def labels() -> tuple[str, ...]:
    """Label identifiers: '62' (62 mm endless), '29x90' (die-cut), 'd24' (round)..."""
    return tuple(LabelsManager().identifiers())


def label_problem(model: str, label: str) -> str | None:
    """Why this model and label cannot go together, or None."""
    if model not in models():
        return f"{model!r} is not a Brother QL model we know; choose one of {', '.join(models())}."
    if label not in labels():
        return (f"{label!r} is not a Brother label size; choose one of {', '.join(labels())} "
                "('62' is 62 mm endless tape, '29x90' die-cut labels).")
    spec = LabelsManager()[label]
    if spec.restricted_to_models and model not in spec.restricted_to_models:
        return f"The {spec.name} label fits only {', '.join(spec.restricted_to_models)}."
    return None


def _blank(image: Image.Image) -> bool:
    return ImageChops.invert(image.convert("L")).getbbox() is None


def _fit_axis(image: Image.Image, target: int, axis: int, label: Label) -> Image.Image:
    """Pad with white, or trim blank margin, along one axis to exactly `target` dots."""
    size = image.size[axis]
    if size == target:
        return image
    width, height = image.size
    if size < target:
        new = (target, height) if axis == 0 else (width, target)
        out = Image.new("1", new, 1)
        out.paste(image, ((target - size) // 2, 0) if axis == 0 else (0, (target - size) // 2))
        return out
    cut = size - target
    keep = ((cut // 2, 0, cut // 2 + target, height) if axis == 0
            else (0, cut // 2, width, cut // 2 + target))
    trimmed = image.crop(keep)
    rest = image.copy()
    rest.paste(Image.new("1", trimmed.size, 1), keep[:2])
    if not _blank(rest):
        mm = cut / QL_DPI * 25.4
        raise TemplateError(
            f"The label is {mm:.1f} mm too {'wide' if axis == 0 else 'long'} for the printable "
            f"area of {label.name} labels, and something is printed in that margin: use a "
            "smaller template or wider labels.")
    return trimmed


def fit_to_label(image: Image.Image, label: str) -> Image.Image:
    """A 300 dpi label image shaped for the tape: turned if it only fits sideways, then
    exactly the printable width (and, die-cut, the printable length) in dots."""
    spec = LabelsManager()[label]
    width, length = spec.dots_printable
    image = image.convert("1") if image.mode != "1" else image
    if image.width > width >= image.height:
        image = image.rotate(90, expand=True)
    image = _fit_axis(image, width, 0, spec)
    if spec.form_factor in (FormFactor.DIE_CUT, FormFactor.ROUND_DIE_CUT):
        image = _fit_axis(image, length, 1, spec)
    return image


def render_ql(images: Sequence[Image.Image], model: str = DEFAULT_MODEL,
              label: str = DEFAULT_LABEL, cut: bool = True) -> bytes:
    """Raster instructions for one page per image (300 dpi images, see `fit_to_label`)."""
    problem = label_problem(model, label)
    if problem:
        raise TemplateError(problem)
    qlr = BrotherQLRaster(model)
    pages = [fit_to_label(image, label) for image in images]
    return bytes(convert(qlr, pages, label, cut=cut, compress=qlr.model.compression,
                         rotate=0, dither=False))
