"""A handwritten signature image (ลายมือชื่อ), checked and cleaned for printing: no database, only bytes.

What a person uploads or draws is judged by its content (PNG or JPEG, never by its name), refused when it is
too large in bytes, in pixels or in either side (checked on the header, before any pixel is decoded: a small
file that claims a huge picture is a decompression bomb), and otherwise cleaned:

- upright (the camera's EXIF rotation applied), transparency flattened on white, grey levels only;
- the paper becomes transparent: the ink level (the darkest percent) and the paper level (the median) are
  measured, and the alpha ramps from opaque near the ink to transparent well before the paper, so a grey or
  unevenly lit photo loses its background as a white scan does;
- cropped to the ink with a small margin, scaled down to fit ``OUTPUT_BOX``;
- written as a new RGBA PNG in one ink colour (nothing of the original file is copied: no EXIF, no text).

Every refusal is a ``ValidationFailed`` on the ``file`` field, in the reader's language.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageChops, ImageFilter, ImageOps, JpegImagePlugin, PngImagePlugin

from core.errors import ValidationFailed

#: Defaults of the settings of the same name (MEMOFLOW_SIGNATURE_IMAGE_*), see docs/configuration.md.
DEFAULT_MAX_UPLOAD_BYTES: Final = 8 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 50_000_000
DEFAULT_MAX_SIDE: Final = 12_000
#: The cleaned PNG is at most this many bytes (one colour and an alpha channel: typically 5-30 KB).
MAX_OUTPUT_BYTES: Final = 200 * 1024
#: The cleaned image fits in this box (width, height), in pixels: 600 px over the 1.2 cm printed is ~1200 dpi
#: across a 5 cm signature, more than any printer needs.
OUTPUT_BOX: Final = (600, 200)
#: The ink colour of the cleaned image (a dark blue-black, as a ballpoint pen's).
INK: Final = (0x1A, 0x2B, 0x6D)
#: Images are cleaned at this size at most (the longest side), which is plenty for a 600 px result.
WORKING_SIDE: Final = 1800
#: The paper's level is the lightest value in a window of this many pixels (at quarter size, so 44 pixels of the
#: working image): wider than a pen's or a marker's stroke on a phone photo.
PAPER_WINDOW: Final = 11
#: The ink's darkness is the darkness of the darkest 0.2 % of the image (a signature covers more than that).
INK_PERCENTILE: Final = 0.998
#: Ink must be at least this much darker than the paper (0-255) for the image to show a signature.
MIN_CONTRAST: Final = 48
#: The ink must cover at least this many pixels in each direction (a dot or a speck is not a signature).
MIN_INK_SIDE: Final = 12

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE: Final = b"\xff\xd8\xff"


@dataclass(frozen=True)
class CleanedImage:
    png: bytes
    width: int
    height: int
    sha256: str


def _refuse(message: str | Promise) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]})


def max_upload_bytes() -> int:
    return int(getattr(settings, "MEMOFLOW_SIGNATURE_IMAGE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _max_pixels() -> int:
    return int(getattr(settings, "MEMOFLOW_SIGNATURE_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _max_side() -> int:
    return int(getattr(settings, "MEMOFLOW_SIGNATURE_IMAGE_MAX_SIDE", DEFAULT_MAX_SIDE))


def _open(content: bytes) -> Image.Image:
    """The image's header parsed, no pixels decoded. The format's own class rather than ``Image.open``: the
    limits that apply are ours, not Pillow's process-wide ``MAX_IMAGE_PIXELS``."""
    stream = io.BytesIO(content)
    if content.startswith(_PNG_SIGNATURE):
        return PngImagePlugin.PngImageFile(stream)
    if content.startswith(_JPEG_SIGNATURE):
        return JpegImagePlugin.JpegImageFile(stream)
    raise _refuse(_("A signature must be a PNG or JPEG image."))


def _check_size(image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise _refuse(_("This image file is damaged or incomplete."))
    if max(width, height) > _max_side():
        raise _refuse(
            _("The image is %(width)s × %(height)s pixels; a side can be at most %(limit)s pixels.")
            % {"width": width, "height": height, "limit": _max_side()}
        )
    if width * height > _max_pixels():
        raise _refuse(
            _("The image has %(pixels)s million pixels; the limit is %(limit)s million.")
            % {"pixels": round(width * height / 1e6, 1), "limit": round(_max_pixels() / 1e6, 1)}
        )


def _decode(content: bytes) -> Image.Image:
    """Grey levels, upright, on white; at most ``WORKING_SIDE`` on its longest side."""
    image = _open(content)
    _check_size(image)
    try:
        image.draft("L", (WORKING_SIDE, WORKING_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 scale directly
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _refuse(_("The image is too large.")) from error
    except Exception as error:  # any decoder failure on untrusted input means "damaged"
        raise _refuse(_("This image file is damaged or incomplete.")) from error
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    grey = upright.convert("L")
    grey.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BOX)
    return grey


def _percentile(histogram: list[int], fraction: float) -> int:
    target = sum(histogram) * fraction
    running = 0
    for level, count in enumerate(histogram):
        running += count
        if running >= target:
            return level
    return 255


def _paper(grey: Image.Image) -> Image.Image:
    """The paper's level around each pixel: the lightest value nearby (ink strokes are narrower than the
    window), smoothed. Measured on a quarter-size copy, so it follows shadows and uneven light cheaply."""
    small = grey.reduce(4) if min(grey.size) >= 64 else grey
    lightest = small
    for _step in range(PAPER_WINDOW // 2):  # n 3 × 3 maxima are one (2n+1) × (2n+1) maximum, far cheaper
        lightest = lightest.filter(ImageFilter.MaxFilter(3))
    lightest = lightest.filter(ImageFilter.BoxBlur(PAPER_WINDOW))
    return lightest.resize(grey.size, Image.Resampling.BILINEAR)


def _alpha(grey: Image.Image) -> Image.Image:
    """Opacity from how much darker than the paper around it each pixel is: opaque near the ink's darkness,
    transparent below a fraction of it (paper grain, shadows, JPEG noise)."""
    darkness = ImageChops.subtract(_paper(grey), grey)
    ink = _percentile(darkness.histogram(), INK_PERCENTILE)
    if ink < MIN_CONTRAST:
        raise _refuse(_("No signature was found in the image: write in dark ink on light paper."))
    opaque, clear = 0.5 * ink, 0.2 * ink

    def level(value: int) -> int:
        if value >= opaque:
            return 255
        if value <= clear:
            return 0
        return round(255 * (value - clear) / (opaque - clear))

    return darkness.point([level(v) for v in range(256)])


def clean_signature_image(content: bytes) -> CleanedImage:
    """``content`` (PNG or JPEG bytes) as a cleaned transparent PNG, or ``ValidationFailed`` saying why not."""
    if len(content) > max_upload_bytes():
        limit = max_upload_bytes() / (1024 * 1024)
        raise _refuse(_("The image is too large: at most %(limit)s MB.") % {"limit": f"{limit:g}"})
    if not content:
        raise _refuse(_("This file is empty."))
    is_jpeg = content.startswith(_JPEG_SIGNATURE)
    grey = _decode(content)
    if (
        is_jpeg
    ):  # JPEG noise and paper grain would otherwise leave specks (a blur is 10× cheaper than a median)
        grey = grey.filter(ImageFilter.GaussianBlur(1))
    alpha = _alpha(grey)
    box = alpha.point([0 if v < 64 else 255 for v in range(256)]).getbbox()
    if box is None or (box[2] - box[0] < MIN_INK_SIDE and box[3] - box[1] < MIN_INK_SIDE):
        raise _refuse(_("No signature was found in the image: write in dark ink on light paper."))
    margin = max(4, round((box[3] - box[1]) * 0.05))
    left, top = max(0, box[0] - margin), max(0, box[1] - margin)
    right, bottom = min(alpha.width, box[2] + margin), min(alpha.height, box[3] + margin)
    alpha = alpha.crop((left, top, right, bottom))
    alpha.thumbnail(OUTPUT_BOX, Image.Resampling.LANCZOS)
    result = Image.new("RGBA", alpha.size, (*INK, 0))
    result.putalpha(alpha)
    out = io.BytesIO()
    result.save(out, "PNG", optimize=True)
    png = out.getvalue()
    if len(png) > MAX_OUTPUT_BYTES:
        raise _refuse(_("The signature is too detailed to store; draw it again with fewer strokes."))
    return CleanedImage(
        png=png, width=result.width, height=result.height, sha256=hashlib.sha256(png).hexdigest()
    )
