"""The label font (DejaVu Sans, shipped in resources/fonts) and two ways to measure text.

`RasterMetrics` measures what Pillow will draw, ink and all, so raster text is known to fit.
`AdvanceMetrics` sums cached per-character advances: fast enough for 1,000 ZPL labels in
50 ms, and on the safe side for the printer's own font 0, which is narrower (condensed).
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

from PIL import ImageFont

from app.config import resources_dir

_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_SYSTEM_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"),
                Path("/usr/share/fonts/dejavu"), Path("/Library/Fonts"),
                Path("C:/Windows/Fonts"))
_REFERENCE_SIZE = 1000  # advances are measured once at this size and scaled


@cache
def font_path(bold: bool = False) -> Path:
    """The shipped DejaVu Sans file, or the system's copy when running from a bare checkout."""
    name = _FILES[bold]
    for folder in (resources_dir() / "fonts", *_SYSTEM_DIRS):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"The label font {name} is missing from {resources_dir() / 'fonts'}"
                            " — reinstall Backroom.")


@lru_cache(maxsize=256)
def truetype(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at `size` pixels (em), loaded once per size."""
    return ImageFont.truetype(str(font_path(bold)), size)


_NOTDEF = "\U0010fffd"  # a private-use code point: the font draws its 'missing' box


def missing_glyphs(text: str, bold: bool = False) -> str:
    """The characters of `text` the label font has no glyph for (they print as boxes),
    each once, e.g. for a warning beside the template editor's preview."""
    font = truetype(32, bold)

    def drawn(ch: str) -> tuple[tuple[int, int, int, int], bytes]:
        mask = font.getmask(ch)
        return font.getbbox(ch), bytes(mask.getpixel((x, y)) for y in range(mask.size[1])
                                      for x in range(mask.size[0]))

    box = drawn(_NOTDEF)
    seen: dict[str, None] = {}
    for ch in text:
        if ch.isprintable() and not ch.isspace() and ch not in seen and drawn(ch) == box:
            seen[ch] = None
    return "".join(seen)


class Metrics(Protocol):
    additive: bool

    def width(self, text: str, size: int, bold: bool) -> int: ...

    def line_height(self, size: int, bold: bool) -> int: ...


class RasterMetrics:
    """Exact widths of Pillow's rendering: from the origin to the right edge of the ink."""

    additive = False

    def width(self, text: str, size: int, bold: bool) -> int:
        left, _, right, _ = truetype(size, bold).getbbox(text)
        return right - min(left, 0)

    def line_height(self, size: int, bold: bool) -> int:
        ascent, descent = truetype(size, bold).getmetrics()
        return ascent + descent


class AdvanceMetrics:
    """Widths as the sum of each character's advance (no kerning), scaled from one size.

    Being additive, a line's width is the sum of its words' and spaces' `em` widths, which
    lets the layout wrap text without measuring every candidate line.
    """

    additive = True

    def __init__(self) -> None:
        self._advance: dict[bool, dict[str, float]] = {False: {}, True: {}}
        self._words: dict[bool, dict[str, float]] = {False: {}, True: {}}
        self._line: dict[tuple[int, bool], int] = {}

    def _char(self, ch: str, bold: bool) -> float:
        table = self._advance[bold]
        advance = table.get(ch)
        if advance is None:
            advance = table[ch] = truetype(_REFERENCE_SIZE, bold).getlength(ch) / _REFERENCE_SIZE
        return advance

    def em(self, text: str, bold: bool) -> float:
        """The text's width in ems (multiply by the size in dots); words are remembered."""
        words = self._words[bold]
        known = words.get(text)
        if known is not None:
            return known
        table = self._advance[bold]
        try:
            width = sum(table[ch] for ch in text)
        except KeyError:
            width = sum(self._char(ch, bold) for ch in text)
        if len(words) > 100_000:
            words.clear()
        words[text] = width
        return width

    def width(self, text: str, size: int, bold: bool) -> int:
        return int(self.em(text, bold) * size + 0.999)

    def line_height(self, size: int, bold: bool) -> int:
        height = self._line.get((size, bold))
        if height is None:
            ascent, descent = truetype(_REFERENCE_SIZE, bold).getmetrics()
            height = self._line[size, bold] = int((ascent + descent) * size / _REFERENCE_SIZE
                                                  + 0.999)
        return height


RASTER = RasterMetrics()
ADVANCES = AdvanceMetrics()
