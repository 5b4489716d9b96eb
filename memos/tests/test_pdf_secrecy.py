"""The secrecy class (ชั้นความลับ) on the memo's PDF: stamped at the top and bottom centre of every page (the
memo's portrait pages, the landscape table pages, an image page), red and larger than the body, above the page
number "- ๒ -" without touching it, and read back by the extractors as the words printed. An unclassified
memo prints no stamp and keeps its layout (the other PDF tests render it unchanged)."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from memos.pdf import overlay
from memos.pdf.document import ImageEnclosure, MemoDocument, demo_document
from memos.pdf.render import render_html, render_memo
from memos.tests.test_pdf_extraction import extract_pdfminer, extract_poppler, extract_pypdf, squash

STAMP = "ลับที่สุด"
PT_PER_CM = 72 / 2.54


@pytest.fixture(scope="module")
def classified() -> MemoDocument:
    """The demo memo (two portrait pages, then its report table on landscape pages) with a wide image after
    it, classified ลับที่สุด."""
    folder = Path(__file__).resolve().parents[2] / "var"
    folder.mkdir(exist_ok=True)
    wide = folder / "secrecy-wide.png"
    Image.new("RGB", (1600, 900), "white").save(wide)
    return dataclasses.replace(
        demo_document(), secrecy_stamp=STAMP, images=[ImageEnclosure(str(wide), number=2)]
    )


@pytest.fixture(scope="module")
def classified_pdf(classified: MemoDocument) -> bytes:
    return render_memo(classified)


def _words(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points from the page's top left, as poppler places them."""
    out = subprocess.run(
        ["/usr/bin/pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    found = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out
    ):
        word = unicodedata.normalize("NFKC", m.group(5))
        found.append((word, float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))))
    return found


def test_every_page_has_the_class_at_the_top_and_bottom_centre(classified_pdf: bytes) -> None:
    pages = PdfReader(io.BytesIO(classified_pdf)).pages
    kinds = {"portrait" if p.mediabox.width < p.mediabox.height else "landscape" for p in pages}
    assert kinds == {"portrait", "landscape"}
    stamp = unicodedata.normalize("NFKC", STAMP)
    for number, page in enumerate(pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        marks = [w for w in _words(classified_pdf, number) if w[0] == stamp]
        assert len(marks) == 2, (number, marks)
        top, bottom = sorted(marks, key=lambda w: w[2])
        assert top[2] < 1 * PT_PER_CM, (number, top)  # in the top margin
        assert bottom[4] > height - 1.2 * PT_PER_CM, (number, bottom)  # in the bottom margin
        for _word, x0, _y0, x1, _y1 in marks:
            assert abs((x0 + x1) / 2 - width / 2) < 1.0, (number, x0, x1, width)  # centred on the page


@pytest.mark.parametrize("extract", [extract_poppler, extract_pypdf, extract_pdfminer])
def test_the_class_reads_back_twice_a_page(classified_pdf: bytes, tmp_path: Path, extract) -> None:
    path = tmp_path / "classified.pdf"
    path.write_bytes(classified_pdf)
    count = len(PdfReader(path).pages)
    text = squash(extract(path))
    assert text.count(squash(STAMP)) == 2 * count
    assert squash("บันทึกข้อความ") in text  # the memo's own text is still there


def _ink_rows(image: Image.Image, test) -> list[int]:
    pixels = image.load()
    assert pixels is not None
    return [y for y in range(image.height) if any(test(pixels[x, y]) for x in range(image.width))]


def test_the_stamp_is_red_larger_than_the_body_and_clear_of_the_page_number(classified_pdf: bytes) -> None:
    """Page 2's top margin, centre strip, at 300 dpi: the red rows (the stamp) all end above the first dark
    row (the page number "- ๒ -"), with at least 2 points of white between them (measured 3.8; they overlapped
    before the classified memo's page number moved down); the stamp's ink is taller than the page number's
    (larger than the body)."""
    dpi = 300
    png = subprocess.run(
        ["/usr/bin/pdftoppm", "-r", str(dpi), "-f", "2", "-l", "2", "-png", "-"],
        input=classified_pdf,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    page = Image.open(io.BytesIO(png)).convert("RGB")
    margin = round(1.5 / 2.54 * dpi)
    strip = page.crop((page.width // 2 - 300, 0, page.width // 2 + 300, margin))
    red = _ink_rows(strip, lambda p: p[0] > 140 and p[1] < 90 and p[2] < 90)
    dark = _ink_rows(strip, lambda p: p[0] < 90 and p[1] < 90 and p[2] < 90)
    assert red
    assert dark
    gap_pt = (min(dark) - max(red)) * 72 / dpi
    assert gap_pt >= 2, gap_pt
    assert min(red) * 72 / dpi >= 10  # 3.5 mm from the edge: inside what an office printer prints
    assert (max(red) - min(red)) > 1.2 * (max(dark) - min(dark))


def test_a_draft_has_both_the_watermark_and_the_class(classified: MemoDocument, tmp_path: Path) -> None:
    pdf = render_memo(dataclasses.replace(classified, watermark=overlay.DRAFT, tables=[], images=[]))
    path = tmp_path / "draft.pdf"
    path.write_bytes(pdf)
    text = squash(extract_poppler(path))
    pages = len(PdfReader(path).pages)
    assert text.count(squash(STAMP)) == 2 * pages
    assert text.count(squash(overlay.DRAFT)) == pages


def test_an_unclassified_memo_prints_no_stamp_and_keeps_its_page_number_place() -> None:
    plain = demo_document()
    assert plain.secrecy_stamp == ""
    html = render_html(plain)
    assert "padding-bottom: 0;" not in html  # the page number stays where it was
    assert "padding-bottom: 0;" in render_html(dataclasses.replace(plain, secrecy_stamp="ลับ"))
    pdf = render_memo(dataclasses.replace(plain, tables=[]))
    for number in range(1, len(PdfReader(io.BytesIO(pdf)).pages) + 1):
        assert not any(w[0].startswith("ลับ") for w in _words(pdf, number))
