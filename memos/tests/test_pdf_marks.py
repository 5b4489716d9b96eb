"""The marks on the memo's pages, measured on rendered images: the watermark centred on portrait and landscape
pages (and on an uploaded page turned by /Rotate), the enclosure label on an enclosure's first page only, and
the dotted leader of the header values clear of the lowest below vowels and of the next line's tallest marks.

Images come from poppler's pdftoppm; sizes are in millimetres or points of the page."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject, RectangleObject

from memos.pdf import overlay
from memos.pdf.document import ImageEnclosure, MemoDocument, demo_document
from memos.pdf.render import deep_marks, render_memo

#: Grey levels of each watermark where it lies on white paper (its colour, multiplied).
WATERMARK_GREY = {overlay.DRAFT: (205, 222), overlay.IN_REVIEW: (220, 232)}
#: How far the watermark's ink may sit from the page's centre, in millimetres.
CENTRE_TOLERANCE_MM = 3.0


def page_image(pdf: bytes, page: int, dpi: int) -> Image.Image:
    png = subprocess.run(
        ["/usr/bin/pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-gray", "-png", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def page_text(pdf: bytes, page: int) -> str:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return "".join(unicodedata.normalize("NFKC", result.stdout.decode()).split())


def watermark_offset_mm(pdf: bytes, page: int, watermark: str, dpi: int = 100) -> tuple[float, float]:
    """How far the centre of the watermark's ink is from the page's centre (x, y in mm): the pixels of the
    watermark's grey in solid areas (a 5-pixel minimum filter drops anti-aliased edges of body text)."""
    low, high = WATERMARK_GREY[watermark]
    image = page_image(pdf, page, dpi)
    solid = image.point(lambda v: 255 if low <= v <= high else 0).filter(ImageFilter.MinFilter(5))
    box = solid.getbbox()
    assert box is not None, f"no watermark on page {page}"
    mm = 25.4 / dpi
    return ((box[0] + box[2] - image.width) / 2 * mm, (box[1] + box[3] - image.height) / 2 * mm)


def is_centred(offset: tuple[float, float]) -> bool:
    return abs(offset[0]) <= CENTRE_TOLERANCE_MM and abs(offset[1]) <= CENTRE_TOLERANCE_MM


@pytest.fixture(scope="module")
def wide_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("marks") / "wide.png"
    Image.new("RGB", (1600, 900), "white").save(path)
    return path


@pytest.fixture(scope="module")
def marked(wide_image: Path) -> MemoDocument:
    """The demo memo as a draft: its report table numbered 1 (landscape pages), a wide image numbered 2."""
    base = demo_document()
    return dataclasses.replace(
        base,
        watermark=overlay.DRAFT,
        enclosure_titles=["รายงานผล", "ภาพกิจกรรม"],
        tables=[dataclasses.replace(base.tables[0], number=1)],
        images=[ImageEnclosure(str(wide_image), number=2)],
    )


@pytest.fixture(scope="module")
def marked_pdf(marked: MemoDocument) -> bytes:
    return render_memo(marked)


def test_draft_watermark_centred_on_portrait_and_landscape_pages(marked_pdf: bytes) -> None:
    pages = PdfReader(io.BytesIO(marked_pdf)).pages
    shapes = {"portrait" if p.mediabox.height > p.mediabox.width else "landscape" for p in pages}
    assert shapes == {"portrait", "landscape"}
    for number in range(1, len(pages) + 1):
        offset = watermark_offset_mm(marked_pdf, number, overlay.DRAFT)
        assert is_centred(offset), (number, offset)
        assert "ร่าง" in page_text(marked_pdf, number), number


def test_rendered_enclosures_labelled_on_their_first_page_only(marked_pdf: bytes) -> None:
    pages = PdfReader(io.BytesIO(marked_pdf)).pages
    count = len(pages)
    texts = [page_text(marked_pdf, n) for n in range(1, count + 1)]
    table_first = next(i for i, p in enumerate(pages) if p.mediabox.width > p.mediabox.height)
    assert count - 1 - table_first >= 2, "the table runs over two pages at least"
    # (the memo's own pages list the enclosures: "สิ่งที่ส่งมาด้วย ๑. รายงานผล")
    labelled = [
        i for i, t in enumerate(texts) if i >= table_first and ("สิ่งที่ส่งมาด้วย๑" in t or "สิ่งที่ส่งมาด้วย๒" in t)
    ]
    assert labelled == [table_first, count - 1]  # the table's first page, the image's page
    assert "สิ่งที่ส่งมาด้วย๑" in texts[table_first]
    assert "สิ่งที่ส่งมาด้วย๒" in texts[-1]
    # top right, in the margin: within 2 cm of the top and the right edge of the landscape page
    image = page_image(marked_pdf, count, 100).point(lambda v: 255 if v < 128 else 0)
    box = image.getbbox()
    assert box is not None
    assert box[1] < 2 / 2.54 * 100
    assert box[2] > image.width - 2 / 2.54 * 100


def test_in_review_watermark_is_lighter_and_centred() -> None:
    pdf = render_memo(dataclasses.replace(demo_document(with_table=False), watermark=overlay.IN_REVIEW))
    assert "ระหว่างเสนอ" in page_text(pdf, 1)
    assert is_centred(watermark_offset_mm(pdf, 1, overlay.IN_REVIEW, dpi=150))
    low, _high = WATERMARK_GREY[overlay.IN_REVIEW]
    darkest_solid = page_image(pdf, 1, 100).point(lambda v: 255 if 180 <= v < low else 0)
    assert darkest_solid.filter(ImageFilter.MinFilter(5)).getbbox() is None  # no draft-grey areas


def _uploaded(rotate: int, origin: float) -> PdfWriter:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    page.mediabox = RectangleObject((origin, origin, origin + 595, origin + 842))
    if rotate:
        page[NameObject("/Rotate")] = NumberObject(rotate)
    return writer


@pytest.mark.parametrize(("rotate", "origin"), [(0, 0), (90, 0), (180, 0), (270, 0), (90, 100), (0, -50)])
def test_uploaded_page_stamped_as_shown(rotate: int, origin: float) -> None:
    """An uploaded page is stamped as a viewer shows it: a page turned by /Rotate 90 reads as landscape,
    with the label at its top right and the watermark across its centre (whatever its media box's origin)."""
    writer = _uploaded(rotate, origin)
    overlay.stamp_pages(writer, range(1), watermark=overlay.DRAFT, label=overlay.enclosure_label(3))
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()
    image = page_image(pdf, 1, 100)
    assert (image.width > image.height) == (rotate in (90, 270))
    assert is_centred(watermark_offset_mm(pdf, 1, overlay.DRAFT))
    ink = image.point(lambda v: 255 if v < 128 else 0).getbbox()  # the label is the only black
    assert ink is not None
    cm = 100 / 2.54
    assert ink[1] < 1.5 * cm, ink  # in the top margin
    assert ink[3] < 2 * cm, ink
    assert ink[2] > image.width - 2 * cm, ink  # at the right
    assert ink[0] > image.width / 2, ink
    assert "สิ่งที่ส่งมาด้วย๓" in page_text(pdf, 1)


# --- the dotted leader -----------------------------------------------------------------------------------

#: Words with the lowest below vowels (ุ ู under ญ ฐ and under plain letters); ฎุ ฏุ reach further than the line
#: box itself (docs/pdf-marks.md) and are measured there, not here.
LOW = "ปู่ ญู ฐุ ผู้ ครุฑ ทุ่ง"
#: The next line's tallest marks: stacked above-vowel and tone mark (body size), and the bold labels.
TALL = "ปั้น ฟื้น สิ้น ฝั่ง ปั้น ฟื้น สิ้น ฝั่ง"
DPI = 600
MIN_GAP_PT = 0.3


def _ink_rows(image: Image.Image, x0: int, x1: int, y0: int, y1: int) -> list[bool]:
    return [image.crop((x0, y, x1, y + 1)).getbbox() is not None for y in range(y0, y1)]


def _words(pdf: bytes) -> list[tuple[float, float, float, float, str]]:
    xml = subprocess.run(
        ["/usr/bin/pdftotext", "-f", "1", "-l", "1", "-bbox", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pattern, xml)]


def _dot_gaps(department: str, lowest: str, *, below: float = 12) -> tuple[float, float]:
    """The memo with ``department`` on the first dotted line and the tall marks on the next, at 600 dpi: the
    white (pt) between the word starting with ``lowest`` and the dots, and between the dots and the next line's
    tallest marks (the number's stacked marks, the bold label "วันที่")."""
    doc = dataclasses.replace(demo_document(with_table=False), department=department, number=TALL)
    pdf = render_memo(doc)
    scale = DPI / 72
    words = _words(pdf)
    low = next(w for w in words if unicodedata.normalize("NFKC", w[4]).startswith(lowest))
    date_label = next(w for w in words if w[4] == "วันที่")
    image = page_image(pdf, 1, DPI).point(lambda v: 255 if v < 128 else 0)
    top, bottom = int(low[1] * scale), int((low[3] + below) * scale)
    # Dots only: right of the date's value, where the next line has nothing but its own dots further down.
    dots_only = _ink_rows(image, int(455 * scale), int(530 * scale), top, bottom)
    band_start = top + dots_only.index(True)
    band_end = band_start + dots_only[band_start - top :].index(False) - 1
    assert (band_end - band_start) / scale < 1.5, "one row of dots"
    above = _ink_rows(image, int(low[0] * scale), int(low[2] * scale), top, band_start)
    x0, x1 = int(low[2] * scale) + 10, int((date_label[2] + 2) * scale)  # the number's value, "วันที่"
    under = _ink_rows(image, x0, x1, band_end + 1, band_end + 1 + int(8 * scale))
    return above[::-1].index(True) / scale, under.index(True) / scale


def test_dotted_leader_below_the_lowest_vowel_and_above_the_next_line() -> None:
    """The department's dotted line (under "ปู่ ญู ฐุ ...") measured at 600 dpi: at least 0.3 pt of white
    between the lowest below vowel and the dots, and between the dots and the next line's tallest marks
    (the number's stacked marks, the bold label "วันที่")."""
    gap_above, gap_below = _dot_gaps(LOW, "ปู่")
    assert gap_above >= MIN_GAP_PT, f"dots {gap_above:.2f} pt below the lowest vowel"
    assert gap_below >= MIN_GAP_PT, f"dots {gap_below:.2f} pt above the next line's marks"


#: A below vowel under the tail of ฎ or ฏ: 1.3 pt below a single-spaced line box (docs/pdf-marks.md).
DEEP = "ฎุ ฏุ ปู่ ญู ฐุ ผู้"


def test_a_field_with_the_deepest_vowels_gets_a_deeper_dotted_line() -> None:
    """ฎุ and ฏุ reach below any dot position of a single-spaced line: a field that has them is set with
    render.DEEP_EXTRA more pitch, and its dots clear the vowel and the next line's tallest marks by 0.3 pt."""
    assert deep_marks(DEEP)
    assert not deep_marks(LOW)
    gap_above, gap_below = _dot_gaps(DEEP, "ฎุ", below=14)
    assert gap_above >= MIN_GAP_PT, f"dots {gap_above:.2f} pt below ฎุ"
    assert gap_below >= MIN_GAP_PT, f"dots {gap_below:.2f} pt above the next line's marks"
