"""Cleaning a signature image: real drawings and photos come out as a transparent, cropped PNG in one ink colour
without the original's metadata; every limit refuses what it should, in words the signer understands."""

import io

import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from core.errors import ValidationFailed
from signatures import images
from signatures.images import INK, OUTPUT_BOX, clean_signature_image
from signatures.tests.builders import drawn_png, photo_jpeg, png_of, transparent_png


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    return image


def corners(image: Image.Image) -> list[object]:
    alpha = image.getchannel("A")
    w, h = image.size
    return [alpha.getpixel(xy) for xy in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1))]


def ink_share(image: Image.Image) -> float:
    """The share of pixels that are not transparent."""
    histogram = image.getchannel("A").histogram()
    return 1 - histogram[0] / sum(histogram)


def refusal(content: bytes) -> str:
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        clean_signature_image(content)
    assert list(caught.value.fields) == ["file"]
    with translation.override("en"):
        return str(caught.value.fields["file"][0])


def test_a_drawing_on_white_becomes_transparent_and_cropped_to_the_ink():
    source = Image.open(io.BytesIO(drawn_png())).convert("L")
    ink_box = source.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert ink_box is not None
    left, top, right, bottom = ink_box
    cleaned = clean_signature_image(drawn_png())
    image = opened(cleaned.png)
    assert corners(image) == [0, 0, 0, 0]
    # cropped to the ink (a small margin), then scaled to the box's height: the ink's proportions, not the page's
    assert image.height == OUTPUT_BOX[1]
    assert image.width / image.height == pytest.approx((right - left) / (bottom - top), rel=0.08)
    assert pytest.approx(image.width / image.height, rel=0.2) != 900 / 400
    opaque = [px for px in image.get_flattened_data() if isinstance(px, tuple) and px[3] == 255]
    assert opaque
    assert {px[:3] for px in opaque} == {INK}
    assert (cleaned.width, cleaned.height) == image.size
    assert len(cleaned.png) <= images.MAX_OUTPUT_BYTES


def test_a_phone_photo_on_grey_paper_loses_its_background_and_its_exif():
    content = photo_jpeg()
    assert b"PhoneMaker" in content
    cleaned = clean_signature_image(content)
    image = opened(cleaned.png)
    assert corners(image) == [0, 0, 0, 0]
    # the grey, unevenly lit paper is gone: only the strokes remain
    assert ink_share(image) < 0.25
    assert image.getchannel("A").getextrema() == (0, 255)
    assert image.width > image.height  # the signature is wider than tall
    assert max(image.size) <= OUTPUT_BOX[0]
    assert image.height <= OUTPUT_BOX[1]
    assert b"PhoneMaker" not in cleaned.png
    assert b"Exif" not in cleaned.png
    assert not image.getexif()
    assert set(image.info) <= {"dpi", "gamma"}


def test_the_cameras_rotation_is_applied():
    upright = opened(clean_signature_image(photo_jpeg(orientation=1)).png)
    turned = opened(clean_signature_image(photo_jpeg(orientation=6)).png)
    assert upright.width > upright.height
    assert turned.width < turned.height


def test_a_transparent_png_from_a_canvas_keeps_its_strokes():
    image = opened(clean_signature_image(transparent_png()).png)
    assert corners(image) == [0, 0, 0, 0]
    assert 0.02 < ink_share(image) < 0.5


def test_an_image_with_no_ink_is_refused():
    assert "No signature" in refusal(png_of(Image.new("RGB", (600, 200), "white")))
    assert "No signature" in refusal(png_of(Image.new("RGB", (600, 200), (128, 128, 128))))


def test_a_file_that_is_not_a_png_or_jpeg_is_refused():
    assert "PNG or JPEG" in refusal(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")
    assert "PNG or JPEG" in refusal("ลายมือชื่อ".encode())
    gif = io.BytesIO()
    Image.new("L", (60, 20), 255).save(gif, "GIF")
    assert "PNG or JPEG" in refusal(gif.getvalue())


def test_a_damaged_png_is_refused():
    content = drawn_png()
    assert "damaged" in refusal(content[: len(content) // 2])


def test_a_file_larger_than_the_upload_limit_is_refused(settings):
    content = photo_jpeg()
    settings.MEMOFLOW_SIGNATURE_IMAGE_MAX_UPLOAD_BYTES = len(content) - 1
    assert "too large" in refusal(content)
    settings.MEMOFLOW_SIGNATURE_IMAGE_MAX_UPLOAD_BYTES = len(content)
    clean_signature_image(content)


def test_a_side_longer_than_the_limit_is_refused_before_decoding():
    strip = Image.new("L", (images.DEFAULT_MAX_SIDE + 1, 20), 255)
    ImageDraw.Draw(strip).line([(10, 10), (500, 10)], fill=0, width=4)
    assert "a side can be at most" in refusal(png_of(strip))


def test_a_decompression_bomb_is_refused_on_its_header(settings):
    """A 36-megapixel PNG of a few kilobytes: refused by its declared size, before 36 MB of pixels are decoded."""
    settings.MEMOFLOW_SIGNATURE_IMAGE_MAX_PIXELS = 20_000_000
    bomb = Image.new("L", (6000, 6000), 255)
    ImageDraw.Draw(bomb).line([(1000, 3000), (5000, 3200)], fill=0, width=30)
    content = png_of(bomb)
    assert len(content) < 200_000
    assert "million pixels" in refusal(content)


def test_a_cleaned_image_over_the_stored_size_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_OUTPUT_BYTES", 1000)
    assert "too detailed" in refusal(drawn_png())


def test_a_thick_marker_stroke_stays_solid():
    """The paper's level is measured over a window wider than a marker's stroke: the stroke is not hollowed."""
    sheet = Image.new("L", (1600, 600), 235)
    ImageDraw.Draw(sheet).line([(200, 300), (1400, 300)], fill=30, width=36)
    image = opened(clean_signature_image(png_of(sheet)).png)
    alpha = image.getchannel("A")
    middle = [alpha.getpixel((x, image.height // 2)) for x in range(5, image.width - 5, 10)]
    assert min(middle) == 255
