"""Image enclosures at print size: an image larger than its A4 page needs at ``dpi`` is scaled down before
WeasyPrint sees it.

A 10-megapixel PNG costs WeasyPrint about 4 s and 17 MB of PDF (it decodes it and stores it Flate-compressed);
scaled to A4 at 150 dpi (about 2.2 megapixels) and stored as JPEG it costs a fraction of that, and the page
looks the same on paper. The uploaded original is kept unchanged as the memo's enclosure.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Final

from PIL import Image, ImageOps

#: A4 in inches (210 × 297 mm).
A4_INCHES: Final = (8.27, 11.69)
JPEG_QUALITY: Final = 90


def print_box(dpi: int) -> tuple[int, int]:
    """The largest (long side, short side) in pixels an image needs to fill an A4 page at ``dpi``."""
    short, long = A4_INCHES
    return round(long * dpi), round(short * dpi)


def print_copy(path: str, *, dpi: int, directory: Path) -> str:
    """``path`` itself when the image is within the print box at ``dpi``, else a scaled-down JPEG copy in
    ``directory`` (EXIF rotation applied, transparency on white)."""
    long_side, short_side = print_box(dpi)
    with warnings.catch_warnings():
        # Checked against MEMOFLOW_IMAGE_MAX_PIXELS on upload; Pillow's own bomb warning is not ours to raise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(path)
    with image:
        width, height = image.size
        if max(width, height) <= long_side and min(width, height) <= short_side:
            return path
        image.draft("RGB", (short_side, short_side))  # JPEG: decode at 1/2, 1/4 or 1/8 scale directly
        upright = ImageOps.exif_transpose(image)
        width, height = upright.size
        box = (long_side, short_side) if width > height else (short_side, long_side)
        upright.thumbnail(box, Image.Resampling.BICUBIC, reducing_gap=2.0)
        if upright.mode in ("RGBA", "LA", "P"):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            upright = flat
        elif upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        target = directory / f"{Path(path).stem}-{dpi}dpi.jpg"
        upright.save(target, "JPEG", quality=JPEG_QUALITY)
    return str(target)
