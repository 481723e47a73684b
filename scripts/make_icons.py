"""Draws the app's PNG icons (192 and 512 px, and a maskable 512 px) into static/icons.

Run with: uv run --with pillow python scripts/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

GREEN = (11, 95, 74, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def house(draw: ImageDraw.ImageDraw, size: int, scale: float) -> None:
    """A white house in the middle, `scale` of the icon wide."""
    c = size / 2
    w = size * scale
    roof = [(c - w / 2, c - w * 0.05), (c, c - w / 2), (c + w / 2, c - w * 0.05)]
    draw.line(roof, fill=WHITE, width=max(2, int(size * 0.06)), joint="curve")
    body = (c - w * 0.35, c - w * 0.1, c + w * 0.35, c + w * 0.42)
    draw.rectangle(body, fill=WHITE)
    door = (c - w * 0.09, c + w * 0.12, c + w * 0.09, c + w * 0.42)
    draw.rectangle(door, fill=GREEN)


def icon(size: int, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        # Full bleed; the house stays inside the 80% safe zone.
        draw.rectangle((0, 0, size, size), fill=GREEN)
        house(draw, size, 0.5)
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=GREEN)
        house(draw, size, 0.62)
    return image


if __name__ == "__main__":
    icon(192, False).save(OUT / "icon-192.png", optimize=True)
    icon(512, False).save(OUT / "icon-512.png", optimize=True)
    icon(512, True).save(OUT / "maskable-512.png", optimize=True)
