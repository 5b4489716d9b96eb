"""Real signature images for the tests: a drawing on white, a phone photo on grey paper, a transparent PNG."""

import io
import math

from PIL import Image, ImageDraw


def _strokes(
    draw: ImageDraw.ImageDraw, origin: tuple[int, int], scale: float, fill: object, width: int
) -> None:
    """A looping scrawl and a slash across it: a plausible signature."""
    ox, oy = origin
    wave = [(ox + scale * x, oy + scale * 40 * math.sin(x / 9)) for x in range(120)]
    draw.line(wave, fill=fill, width=width)
    slash = [
        (ox + 20 * scale, oy + 30 * scale),
        (ox + 60 * scale, oy - 30 * scale),
        (ox + 90 * scale, oy + 20 * scale),
    ]
    draw.line(slash, fill=fill, width=width)


def drawn_png() -> bytes:
    """Black strokes on an opaque white 900 × 400 canvas, off centre (so cropping shows)."""
    image = Image.new("RGB", (900, 400), "white")
    _strokes(ImageDraw.Draw(image), (200, 180), 3, "black", 4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def transparent_png() -> bytes:
    """What a canvas gives: dark strokes on a fully transparent background."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    _strokes(ImageDraw.Draw(image), (60, 100), 1.5, (0, 0, 0, 255), 3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def photo_jpeg(*, orientation: int = 1) -> bytes:
    """A 3000 × 2000 phone photo: blue ballpoint on grey paper lit unevenly (light to dark from top to bottom),
    with sensor noise, and EXIF (camera make, GPS-like tag, ``orientation``)."""
    size = (3000, 2000)
    light = Image.linear_gradient("L").resize(size).point(lambda v: 185 - v // 5)  # 185 at the top, 134 below
    noise = Image.effect_noise(size, 20).convert("L")
    paper = Image.blend(light, noise, 0.12)
    photo = Image.merge("RGB", (paper, paper, paper))
    _strokes(ImageDraw.Draw(photo), (800, 1000), 10, (40, 45, 90), 12)
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0131] = "CameraApp 1.0"
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def png_of(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
