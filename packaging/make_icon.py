"""Draw Backroom's app icon (a brown parcel with a white label) as .png, .ico and .icns."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
BROWN, DARK, TAPE = (176, 122, 72), (120, 78, 40), (214, 176, 120)


def draw(size: int = 1024) -> Image.Image:
    """The parcel at size x size, transparent around it."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 256
    box = [s * 24, s * 56, s * 232, s * 224]
    d.rounded_rectangle(box, radius=s * 14, fill=BROWN, outline=DARK, width=round(s * 6))
    d.rectangle([s * 27, s * 56, s * 229, s * 92], fill=DARK)            # lid shadow
    d.rounded_rectangle([s * 16, s * 40, s * 240, s * 92], radius=s * 12,
                        fill=BROWN, outline=DARK, width=round(s * 6))   # lid
    d.rectangle([s * 112, s * 43, s * 144, s * 221], fill=TAPE)         # tape
    d.rounded_rectangle([s * 52, s * 124, s * 204, s * 196], radius=s * 8,
                        fill=(250, 248, 242), outline=DARK, width=round(s * 4))  # label
    for i, y in enumerate((142, 160, 178)):
        d.rounded_rectangle([s * 66, s * (y - 4), s * (190 - 40 * i), s * (y + 4)],
                            radius=s * 4, fill=(70, 70, 70))
    return img


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    big = draw()
    png = big.resize((256, 256), Image.LANCZOS)
    png.save(ICONS / "backroom.png")
    big.save(ICONS / "backroom.ico",
             sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    big.save(ICONS / "backroom.icns")
    for name in ("backroom.png", "backroom.ico", "backroom.icns"):
        print(ICONS / name)


if __name__ == "__main__":
    main()
