"""Barcode symbols as modules, and where they sit on a label in whole printer dots.

Code 128 (sets B and C, switching to C for runs of digits), EAN-13, UPC-A and EAN-8 are
encoded here, module for module, with python-barcode's pattern tables; QR codes come from
segno. The ZPL renderer uses the same layout, so its ^BY module width and position agree
with the raster image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import segno
from barcode.charsets import code128 as _c128
from barcode.charsets import ean as _ean

from app.domain.barcodes import NAMES, Symbology
from app.printing.errors import TemplateError
from app.printing.templates import BarcodeSpec, mm_to_dots, resolve_symbology

START_B, START_C, CODE_B, CODE_C, STOP = 104, 105, 100, 99, "1100011101011"
# Quiet zones in modules (left, right): ISO 15417 and GS1 figures.
QUIET = {Symbology.CODE128: (10, 10), Symbology.EAN13: (11, 7), Symbology.UPCA: (9, 9),
         Symbology.EAN8: (7, 7), Symbology.QR: (4, 4)}
TEXT_MM = (2.5, 4.0)  # height of the digits under a 1D barcode: a sixth of it, within these
TEXT_GAP_MM = 0.5


_DIGITS = re.compile("[0-9]+")


def _digit_run(text: str, start: int) -> int:
    run = _DIGITS.match(text, start)
    return run.end() - start if run else 0


def code128_values(text: str) -> list[int]:
    """Symbol values from start code to check character (no stop): set C for runs of digits.

    A run of 4+ digits at the start or end, or 6+ in the middle, goes in set C; an odd run
    leaves its first digit in set B.
    """
    values: list[int] = []
    in_c: bool | None = None  # None until the start code is chosen

    def use_c(c: bool) -> None:
        nonlocal in_c
        if in_c is None:
            values.append(START_C if c else START_B)
        elif in_c != c:
            values.append(CODE_C if c else CODE_B)
        in_c = c

    i, n = 0, len(text)
    while i < n:
        run = _digit_run(text, i)
        if (run >= 4 and (i == 0 or i + run == n or run >= 6)) or run == n == 2:
            if run % 2:
                use_c(False)
                values.append(ord(text[i]) - 32)
                i, run = i + 1, run - 1
            use_c(True)
            values.extend(int(text[j:j + 2]) for j in range(i, i + run, 2))
            i += run
        else:
            use_c(False)
            end = i + max(run, 1)
            values.extend(ord(c) - 32 for c in text[i:end])
            i = end
    check = values[0] + sum(k * v for k, v in enumerate(values[1:], 1))
    values.append(check % 103)
    return values


def code128_modules(values: list[int]) -> str:
    return "".join(_c128.CODES[v] for v in values) + STOP


_ZPL_B = {">": ">0", "^": "><", "~": ">="}  # invocation codes for characters ZPL would eat


def code128_zpl(values: list[int]) -> str:
    """^BC (mode N) field data for these values: start and switch codes spelled out, so the
    printer draws exactly the symbol the raster renderer draws."""
    out: list[str] = []
    in_c = values[0] == START_C
    out.append(">;" if in_c else ">:")
    for v in values[1:-1]:  # the printer adds the check character itself
        if v == CODE_C:
            out.append(">5")
            in_c = True
        elif v == CODE_B and in_c:
            out.append(">6")
            in_c = False
        elif in_c:
            out.append(f"{v:02d}")
        else:
            ch = chr(v + 32)
            out.append(_ZPL_B.get(ch, ch))
    return "".join(out)


def gtin_modules(digits: str, symbology: Symbology) -> str:
    """The 95 (EAN-13, UPC-A) or 67 (EAN-8) modules of a whole GTIN, check digit included."""
    if symbology is Symbology.UPCA:
        digits = "0" + digits
    if symbology is Symbology.EAN8:
        left = "".join(_ean.CODES["A"][int(d)] for d in digits[:4])
        right = "".join(_ean.CODES["C"][int(d)] for d in digits[4:])
    else:
        parity = _ean.LEFT_PATTERN[int(digits[0])]
        left = "".join(_ean.CODES[p][int(d)] for p, d in zip(parity, digits[1:7], strict=True))
        right = "".join(_ean.CODES["C"][int(d)] for d in digits[7:])
    return _ean.EDGE + left + _ean.MIDDLE + right + _ean.EDGE


@lru_cache(maxsize=1024)
def qr_matrix(text: str, error_correction: str) -> tuple[bytes, ...]:
    """The QR code's dark (1) and light (0) modules, row by row, without the quiet zone."""
    qr = segno.make_qr(text, error=error_correction.lower(), boost_error=False)
    return tuple(bytes(row) for row in qr.matrix)


@dataclass(frozen=True)
class PlacedBarcode:
    """A barcode placed on a label: everything in dots at the rendering dpi."""

    symbology: Symbology
    value: str
    module: int  # narrowest bar or QR module
    x: int  # left of the first bar / module (after the quiet zone)
    y: int  # top of the bars
    width: int  # of the bars (or the QR code) alone
    bar_height: int  # bars alone; the QR code's height for QR
    text_top: int  # where the digits under the bars start (y + bar_height + gap)
    text_height: int  # 0 without human-readable text
    code128: tuple[int, ...] = ()  # Code 128 symbol values, check included
    modules_count: int = 0  # 1D only
    error_correction: str = "M"  # QR only

    @property
    def modules(self) -> str:
        """'1' for a dark module and '0' for a light one, start to stop (1D only)."""
        if self.symbology is Symbology.CODE128:
            return code128_modules(list(self.code128))
        return gtin_modules(self.value, self.symbology)

    @property
    def qr(self) -> tuple[bytes, ...]:
        return qr_matrix(self.value, self.error_correction)


def _checked_kind(spec: BarcodeSpec, value: str) -> Symbology:
    """The symbology of a value that `check_data` has already accepted."""
    if spec.symbology != "auto":
        return Symbology(spec.symbology)
    if value.isdigit() and len(value) in (12, 13):
        return Symbology.EAN13 if len(value) == 13 else Symbology.UPCA
    return resolve_symbology(spec, value)  # EAN-8 or Code 128


@lru_cache(maxsize=64)
def _box(spec: BarcodeSpec, dpi: int) -> tuple[int, int, int, int, int]:
    return (mm_to_dots(spec.x_mm, dpi), mm_to_dots(spec.y_mm, dpi),
            mm_to_dots(spec.width_mm, dpi), mm_to_dots(spec.height_mm, dpi),
            max(1, mm_to_dots(spec.module_mm, dpi)))


def place_barcode(spec: BarcodeSpec, value: str, dpi: int,
                  checked: bool = False) -> PlacedBarcode:
    """Where and how big the barcode is drawn; TemplateError if it cannot fit its box.

    `checked` says the value has passed `check_data`, which saves checking it again.
    """
    kind = _checked_kind(spec, value) if checked else resolve_symbology(spec, value)
    bx, by, bw, bh, wanted = _box(spec, dpi)
    quiet_l, quiet_r = QUIET[kind]
    values: tuple[int, ...] = ()
    if kind is Symbology.QR:
        count = len(qr_matrix(value, spec.error_correction))
        module = min(wanted, min(bw, bh) // (count + quiet_l + quiet_r))
        if module < 1:
            raise TemplateError(
                f"The QR code for {spec.key!r} needs {count + 8} dots a side and its box is "
                f"{min(bw, bh)} dots: make the box bigger or the text shorter.", field=spec.key)
        side = count * module
        x = _aligned(bx, bw, side + (quiet_l + quiet_r) * module, spec.align) + quiet_l * module
        y = by + quiet_l * module
        return PlacedBarcode(kind, value, module, x, y, side, side, y + side, 0,
                             error_correction=spec.error_correction)
    if kind is Symbology.CODE128:
        values = tuple(code128_values(value))
        count = 11 * len(values) + len(STOP)
    else:
        count = 67 if kind is Symbology.EAN8 else 95
    module = min(wanted, bw // (count + quiet_l + quiet_r))
    if module < 1:
        need = (count + quiet_l + quiet_r) * 25.4 / dpi
        raise TemplateError(
            f"The {NAMES[kind]} barcode for {spec.key!r} ({value!r}) needs {need:.1f} mm even "
            f"with the narrowest bars, and its box is {spec.width_mm:g} mm wide: widen the "
            "box or shorten the value.", field=spec.key)
    width = count * module
    x = _aligned(bx, bw, width + (quiet_l + quiet_r) * module, spec.align) + quiet_l * module
    text_mm = min(max(spec.height_mm / 6, TEXT_MM[0]), TEXT_MM[1])
    text_height = mm_to_dots(text_mm, dpi) if spec.show_text else 0
    gap = mm_to_dots(TEXT_GAP_MM, dpi) if spec.show_text else 0
    if text_height and bh - text_height - gap < bh // 2:  # a short box: the text gives way
        text_height = max(0, bh // 3 - gap)
    bar_height = bh - text_height - gap
    if bar_height < 1:
        raise TemplateError(f"The barcode box for {spec.key!r} is too short to hold bars.",
                            field=spec.key)
    return PlacedBarcode(kind, value, module, x, by, width, bar_height, by + bar_height + gap,
                         text_height, values, count)


def _aligned(box_x: int, box_w: int, width: int, align: str) -> int:
    if align == "left":
        return box_x
    if align == "right":
        return box_x + box_w - width
    return box_x + (box_w - width) // 2
