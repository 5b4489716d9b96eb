"""Memo PDF rendering (memos.pdf): what a reader of the printed or extracted memo would notice.

Each document is rendered once per module (module-scoped fixtures); no database is used.

Text checks read the PDF with ``pdftotext -layout`` (poppler), NFKC-normalise both sides and compare without
whitespace, since values wrap over lines. The table enclosure is read with ``pdftotext -raw`` (content order),
because -layout interleaves the table's columns.

Page-1 baseline image: ``pdftoppm -r 50 -f 1 -l 1 -png`` of the demo document is compared with the reviewed
``memos/tests/baselines/demo_page1.png`` (greyscale). Tolerance: same size; mean absolute difference < 1% of full
scale (2.55 levels of 255); fewer than 0.4% of the pixels differ by more than 64 levels. Calibration on this
machine (mean, pixels > 64): one word changed 0.04%/0.07%, Arabic digits 0.08%/0.11%, an urgency stamp added
0.07%/0.13% (all pass: the text tests cover text); signatures 1 cm to the left 0.31%/0.52%, first-line indent
2.0 cm instead of 2.5 cm 0.67%/1.2%, a paragraph dropped 1.3%/2.2%, top margin +2 mm 4.2%/7.9% (all fail).
Anti-aliasing noise from other FreeType/poppler versions is expected below that (not measured across versions).
After an intended layout change, look at the new page (e.g. ``.venv/bin/python scripts/bench_pdf.py
--images /tmp/x``), then regenerate the baseline with

    MEMOFLOW_UPDATE_BASELINES=1 DATABASE_URL=sqlite:////tmp/pdf.sqlite3 \\
        .venv/bin/python -m pytest memos/tests/test_pdf_render.py -k baseline

and review the PNG before committing it.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import os
import re
import shutil
import subprocess
import threading
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat
from pypdf import PdfReader
from pytest_django.fixtures import Settings

from core.thai import thai_digits
from memos.pdf.document import (
    BANGKOK_DEMO_DAY,
    ImageEnclosure,
    MemoDocument,
    OpinionBlock,
    SignatureBlock,
    demo_document,
    seed_report_table,
)
from memos.pdf.render import ACTUAL_TEXT_INSTALLED, _rich, render_html, render_memo

PAGE_NUMBER = re.compile(r"^\s*- [0-9๐-๙]+ -\s*$", re.MULTILINE)
BASELINE = Path(__file__).parent / "baselines" / "demo_page1.png"
A4_PORTRAIT = (595.28, 841.89)
SHAPING = "กี่ ปั้น ฟื้น ญี่ปุ่น ฎีกา ฤๅษี เป็ด ที่นั่น น้ำ"
#: Real Thai words, so line breaking behaves as in a real opinion; "(ลำดับที่ N)" markers are distinct.
SENTENCE = (
    "ขอให้ทุกกองงานดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสอย่างเคร่งครัด "
    "และรายงานผลต่อปลัดองค์การบริหารส่วนตำบลหนองโสนภายในกำหนด"
)


# --- helpers ---------------------------------------------------------------------------------------------


def squash(text: str) -> str:
    """NFKC, without whitespace or zero-width spaces: the comparison form for wrapped text."""
    return re.sub(r"[\s\u200b]+", "", unicodedata.normalize("NFKC", text))


def tool(name: str) -> str:
    """Absolute path of a poppler-utils program (Debian package poppler-utils)."""
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: install poppler-utils")
    return path


def pdffonts(pdf: bytes) -> str:
    result = subprocess.run([tool("pdffonts"), "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdftotext(pdf: bytes, *args: str) -> str:
    """The PDF's text; page numbers ("- ๒ -") are dropped, so text running over a page break still matches."""
    result = subprocess.run(
        [tool("pdftotext"), *args, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return PAGE_NUMBER.sub("", result.stdout.decode("utf-8"))


def pdftotext_pages(pdf: bytes, *args: str) -> str:
    """Like ``pdftotext`` but keeps the page numbers."""
    result = subprocess.run(
        [tool("pdftotext"), *args, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def page_text(pdf: bytes, page: int) -> str:
    return pdftotext_pages(pdf, "-layout", "-f", str(page), "-l", str(page))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(pdf)).pages]


def is_a4(size: tuple[float, float], *, landscape: bool = False) -> bool:
    expected = A4_PORTRAIT[::-1] if landscape else A4_PORTRAIT
    return all(abs(a - b) < 0.1 for a, b in zip(size, expected, strict=True))


def assert_contains(haystack: str, needle: str) -> None:
    assert squash(needle) in squash(haystack), f"not found in the extracted text: {needle!r}"


def word_boxes(pdf: bytes) -> list[tuple[float, ...]]:
    """(page, page width, page height, xMin, yMin, xMax, yMax) of every word, from ``pdftotext -bbox``."""
    html = pdftotext(pdf, "-bbox")
    boxes = []
    page = 0
    width = height = 0.0
    for line in html.splitlines():
        if m := re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line):
            page += 1
            width, height = float(m[1]), float(m[2])
        elif m := re.search(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', line
        ):
            boxes.append((float(page), width, height, *(float(v) for v in m.groups())))
    return boxes


#: No break opportunity for 60+ characters: must wrap inside the margins rather than run past them.
LONG_URL = "https://itas.nacc.go.th/go/" + "a1b2c3d4e5" * 9
LONG_NAME = "นางสาวสมศรีมหาสวัสดิ์วงศ์ ศรีสุวรรณวิจิตรพงศ์ไพบูลย์"


def long_document() -> MemoDocument:
    """300-character subject, 40 paragraphs, 12 route steps (2 signatures, 9 opinions, 1 decision), one
    opinion of 3,000+ characters."""
    base = demo_document(with_table=False)
    subject = ("รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในองค์การบริหารส่วนตำบลหนองโสน " * 4)[:300]
    long_opinion = " ".join(f"(ลำดับที่ {thai_digits(i)}) {SENTENCE}" for i in range(1, 26))
    assert len(long_opinion) >= 3000
    opinions = [
        OpinionBlock(
            label=f"ความเห็นผู้อำนวยการกองที่ {thai_digits(i)}" + (" ผ่าน" + "หัวหน้าสำนักปลัด" * 5 if i == 2 else ""),
            role="opinion",
            text=long_opinion if i == 1 else f"เห็นควรดำเนินการตามเสนอ (ความเห็นที่ {thai_digits(i)})",
            signature=SignatureBlock(
                name=f"นายผู้ลงนาม ลำดับ{thai_digits(i)}",
                position=f"ผู้อำนวยการกองที่ {thai_digits(i)}",
                signed_at=BANGKOK_DEMO_DAY.replace(hour=10 + i % 8),
            ),
        )
        for i in range(1, 10)
    ]
    return dataclasses.replace(
        base,
        subject=subject,
        paragraphs=[
            *(f"(ย่อหน้าที่ {thai_digits(i)}) {SENTENCE}" for i in range(1, 40)),
            f"(ย่อหน้าที่ ๔๐) ดูรายละเอียดที่ {LONG_URL} และ{LONG_NAME}",
        ],
        opinions=[*opinions, base.opinions[-1]],
    )


# --- fixtures: each document rendered once -----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> MemoDocument:
    return demo_document()


@pytest.fixture(scope="module")
def demo_pdf(demo: MemoDocument) -> bytes:
    return render_memo(demo)


@pytest.fixture(scope="module")
def demo_text(demo_pdf: bytes) -> str:
    return pdftotext(demo_pdf, "-layout")


@pytest.fixture(scope="module")
def arabic_pdf() -> bytes:
    return render_memo(demo_document(digits="arabic", with_table=False))


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf-images")
    paths = {"emblem": folder / "emblem.png", "wide": folder / "wide.png", "tall": folder / "tall.jpg"}
    emblem = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(emblem).ellipse((20, 20, 280, 280), outline="black", width=10)
    emblem.save(paths["emblem"])
    Image.new("RGB", (1600, 900), (200, 220, 240)).save(paths["wide"])
    Image.new("RGB", (600, 1000), (240, 220, 200)).save(paths["tall"])
    return paths


@pytest.fixture(scope="module")
def draft() -> MemoDocument:
    base = demo_document(with_table=False)
    return dataclasses.replace(
        base,
        number="",
        date=None,
        watermark="ร่าง",
        urgency_stamp="ด่วนที่สุด",
        enclosure_titles=["สำเนาคำสั่งแต่งตั้งคณะกรรมการ", "รายงานผลการประเมิน"],
        paragraphs=[*base.paragraphs[:2], f"ทดสอบสระและวรรณยุกต์ {SHAPING}", base.paragraphs[2]],
        signatures=[dataclasses.replace(s, signed_at=None) for s in base.signatures],
        opinions=[
            OpinionBlock(label="ความเห็นปลัด อบต.หนองโสน", role="opinion"),
            OpinionBlock(
                label="ข้อสั่งการนายก อบต.หนองโสน",
                role="decision",
                decision="other",
                decision_text="มอบกองคลังดำเนินการ",
            ),
        ],
    )


@pytest.fixture(scope="module")
def draft_pdf(draft: MemoDocument, images: dict[str, Path]) -> bytes:
    doc = dataclasses.replace(
        draft,
        emblem_path=str(images["emblem"]),
        images=[ImageEnclosure(str(images["wide"])), ImageEnclosure(str(images["tall"]))],
    )
    return render_memo(doc)


@pytest.fixture(scope="module")
def long_doc() -> MemoDocument:
    return long_document()


@pytest.fixture(scope="module")
def long_pdf(long_doc: MemoDocument) -> bytes:
    return render_memo(long_doc)


@pytest.fixture(scope="module")
def long_text(long_pdf: bytes) -> str:
    return pdftotext(long_pdf, "-layout")


# --- the demo document -------------------------------------------------------------------------------------


def test_demo_pages_are_a4_memo_portrait_then_table_landscape(demo_pdf: bytes) -> None:
    sizes = page_sizes(demo_pdf)
    assert is_a4(sizes[0]), sizes  # the memo: 2 portrait pages
    assert is_a4(sizes[1]), sizes
    memo_pages = [s for s in sizes if is_a4(s)]
    table_pages = [s for s in sizes if is_a4(s, landscape=True)]
    assert len(memo_pages) + len(table_pages) == len(sizes), sizes
    assert table_pages, "the report table is printed on landscape pages"
    assert sizes[: len(memo_pages)] == memo_pages, "memo pages come first, then the table"


def test_demo_header_values(demo: MemoDocument, demo_pdf: bytes) -> None:
    first = page_text(demo_pdf, 1)
    for value in (demo.department, demo.number, demo.subject, demo.addressee, *demo.enclosure_titles):
        assert_contains(first, value)
    assert_contains(first, "วันที่ ๕ ตุลาคม ๒๕๖๖")
    assert_contains(first, f"ที่ {demo.number}")
    assert_contains(first, "บันทึกข้อความ")
    assert_contains(first, f"ส่วนราชการ {demo.department}")
    assert_contains(first, f"เรื่อง {demo.subject}")
    assert_contains(first, f"เรียน {demo.addressee}")
    assert_contains(first, f"สิ่งที่ส่งมาด้วย {demo.enclosure_titles[0]}")


def test_demo_body_paragraphs(demo: MemoDocument, demo_text: str) -> None:
    assert len(demo.paragraphs) == 3
    for paragraph in demo.paragraphs:
        assert_contains(demo_text, paragraph)


def test_proper_names_are_never_split_across_lines(demo: MemoDocument, demo_pdf: bytes) -> None:
    """The organisation's name is printed whole on one line every time it occurs in the memo's own text
    (libthai alone would break "องค์การบริหารส่วนตำบลหนอง|โสน" at a line end)."""
    name = "องค์การบริหารส่วนตำบลหนองโสน"
    memo_pages = pdftotext(demo_pdf, "-layout", "-f", "1", "-l", "2")
    printed = [
        demo.department,
        demo.subject,
        demo.addressee,
        *demo.enclosure_titles,
        *demo.paragraphs,
    ]
    expected = sum(text.count(name) for text in printed)
    whole_on_a_line = sum(line.count(name) for line in memo_pages.splitlines())
    assert expected >= 8
    assert whole_on_a_line >= expected


def test_demo_signatories_and_capacity(demo: MemoDocument, demo_text: str) -> None:
    for sig in [*demo.signatures, *(op.signature for op in demo.opinions if op.signature)]:
        assert_contains(demo_text, f"({sig.name})")
        assert_contains(demo_text, sig.position)
        if sig.capacity_line:
            assert_contains(demo_text, sig.capacity_line)
    assert_contains(demo_text, "(นางราชวรี อนุกุล) นักทรัพยากรบุคคล รักษาการแทนหัวหน้าสำนักปลัด")


def test_demo_opinion_and_decision(demo: MemoDocument, demo_text: str) -> None:
    for op in demo.opinions:
        assert_contains(demo_text, op.label)
        assert_contains(demo_text, op.text)
    assert_contains(demo_text, "☑ ทราบ ☐ อนุมัติ ☐ ไม่อนุมัติ ☐ อื่น ๆ")
    # signed: the electronic mark with date and time, and the opinion's date below the signature
    assert_contains(demo_text, "ลงนามอิเล็กทรอนิกส์ ๕ ตุลาคม ๒๕๖๖ เวลา ๑๔.๒๐ น.")
    assert_contains(demo_text, "ลงนามอิเล็กทรอนิกส์ ๖ ตุลาคม ๒๕๖๖ เวลา ๐๙.๑๕ น.")
    assert_contains(demo_text, "ปลัดองค์การบริหารส่วนตำบลหนองโสน ๕ ตุลาคม ๒๕๖๖")
    assert_contains(demo_text, "นายกองค์การบริหารส่วนตำบลหนองโสน ๖ ตุลาคม ๒๕๖๖")
    # route order: the memo's signatures, the opinion, then the decision
    flat = squash(demo_text)
    order = [squash(s) for s in ("(นางราชวรี อนุกุล)", "ความเห็นปลัด", "ข้อสั่งการนายก")]
    positions = [flat.index(s) for s in order]
    assert positions == sorted(positions)


def test_demo_fonts_all_embedded(demo_pdf: bytes) -> None:
    lines = pdffonts(demo_pdf).splitlines()
    header = lines[0]
    emb = header.index(" emb") + 1
    fonts = lines[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        assert line[emb : emb + 3] == "yes", f"not embedded: {line}"
    assert any("Laksaman" in line for line in fonts)


def test_demo_page_numbers_from_page_two(demo_pdf: bytes) -> None:
    assert "- ๑ -" not in page_text(demo_pdf, 1)
    assert page_text(demo_pdf, 2).strip().startswith("- ๒ -")


def test_demo_table_enclosure(demo_pdf: bytes) -> None:
    table = seed_report_table()
    sizes = page_sizes(demo_pdf)
    landscape = [i + 1 for i, s in enumerate(sizes) if is_a4(s, landscape=True)]
    raw = squash(pdftotext(demo_pdf, "-raw", "-f", str(landscape[0]), "-l", str(landscape[-1])))
    for line in table.title_lines:
        assert squash(line) in raw
    assert len(landscape) >= 2
    for page in landscape[:-1]:  # the header row repeats on every page the table runs over
        text = squash(pdftotext(demo_pdf, "-raw", "-f", str(page), "-l", str(page)))
        for column in table.columns:
            assert squash(column) in text, (page, column)
    pages = [squash(p) for p in pdftotext(demo_pdf, "-raw").split("\f")]

    def present(word: str) -> bool:
        # A cell running over a page break is continued after the repeated header on the next page.
        w = squash(word)
        if w in raw:
            return True
        return any(
            w[:i] in before and w[i:] in after
            for before, after in itertools.pairwise(pages)
            for i in range(1, len(w))
        )

    missing = [word for row in table.rows for cell in row for word in cell.split() if not present(word)]
    assert not missing, f"table words missing from the PDF: {missing[:10]}"
    for note in table.notes:
        assert squash(note["heading"]) in raw
        for item in note["items"]:
            assert squash(item) in raw
    assert table.reporter is not None
    assert squash(f"({table.reporter.name}){table.reporter.position}ผู้รายงาน") in raw


def test_demo_page1_matches_reviewed_baseline(demo_pdf: bytes, tmp_path: Path) -> None:
    (tmp_path / "demo.pdf").write_bytes(demo_pdf)
    subprocess.run(
        [tool("pdftoppm"), "-r", "50", "-f", "1", "-l", "1", "-png", "-singlefile", "demo.pdf", "page1"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    rendered = tmp_path / "page1.png"
    if os.environ.get("MEMOFLOW_UPDATE_BASELINES") == "1":
        BASELINE.parent.mkdir(parents=True, exist_ok=True)
        BASELINE.write_bytes(rendered.read_bytes())
        pytest.skip(f"baseline written to {BASELINE}: review it before committing")
    assert BASELINE.exists(), "no baseline: run with MEMOFLOW_UPDATE_BASELINES=1 and review the image"
    new = Image.open(rendered).convert("L")
    old = Image.open(BASELINE).convert("L")
    assert new.size == old.size, (new.size, old.size)
    diff = ImageChops.difference(new, old)
    mean = ImageStat.Stat(diff).mean[0] / 255
    histogram = diff.histogram()
    far = sum(histogram[65:]) / (new.size[0] * new.size[1])
    assert mean < 0.01, f"mean absolute difference {mean:.3%} >= 1%"
    assert far < 0.004, f"{far:.3%} of pixels differ by more than 64 levels (limit 0.4%)"


# --- text extraction and Thai shaping ---------------------------------------------------------------------


def test_shaping_strings_round_trip(draft_pdf: bytes) -> None:
    assert ACTUAL_TEXT_INSTALLED
    text = unicodedata.normalize("NFKC", pdftotext(draft_pdf, "-layout", "-f", "1", "-l", "1"))
    assert unicodedata.normalize("NFKC", SHAPING) in text
    for word in SHAPING.split():
        assert unicodedata.normalize("NFKC", word) in text.split(), word


def test_html_has_sara_am_decomposed(demo: MemoDocument, demo_pdf: bytes) -> None:
    html = render_html(demo)
    body = html.partition("</head>")[2]
    assert "\u0e33" not in body
    assert "\u0e4d\u0e32" in body  # "ดำเนินการ" and friends, decomposed
    # the metadata keeps the text as written
    metadata = PdfReader(io.BytesIO(demo_pdf)).metadata
    assert metadata is not None
    assert metadata.title == demo.subject


def test_words_with_sara_am_are_kept_whole() -> None:
    # decomposed, libthai no longer knows "ดำเนิน" and would break "ดํา|เนิน"; the word is kept whole instead
    html = str(_rich("จึงขอรายงานผลการดำเนินการตามมาตรการ"))
    assert '<span class="nw">ด\u0e4d\u0e32เนิน' in html
    assert "\u0e33" not in html


def test_nowrap_phrases_are_short() -> None:
    paragraph = next(iter(demo_document().paragraphs))
    spans = re.findall(r'<span class="nw">(.*?)</span>', str(_rich(paragraph + " นายกองค์การบริหารส่วนตำบล")))
    assert spans
    assert max(len(s) for s in spans) <= 40
    html = str(_rich("ลงวันที่ ๕ ตุลาคม ๒๕๖๖ โทร. ๐-๓๒๔๐-๐๐๕๒ ที่ พบ ๓๒๘๐๑/๑๒๓ โดยนางราชวรี อนุกุล เสนอ"))
    spans = re.findall(r'<span class="nw">(.*?)</span>', html)
    for phrase in ("๕ ตุลาคม ๒๕๖๖", "โทร. ๐-๓๒๔๐-๐๐๕๒", "พบ ๓๒๘๐๑/๑๒๓", "นางราชวรี อนุกุล"):
        assert any(phrase in span for span in spans), phrase


# --- digits, draft, stamps, images -------------------------------------------------------------------------


def test_arabic_digits(arabic_pdf: bytes) -> None:
    first = page_text(arabic_pdf, 1)
    assert_contains(first, "วันที่ 5 ตุลาคม 2566")
    assert "๕ ตุลาคม ๒๕๖๖" not in unicodedata.normalize("NFKC", first)
    assert_contains(first, "ลงนามอิเล็กทรอนิกส์ 5 ตุลาคม 2566 เวลา 09.05 น.")
    assert_contains(first, "พบ ๓๒๘๐๑/๒๕๖๖")  # given text is printed as is
    assert page_text(arabic_pdf, 2).strip().startswith("- 2 -")


def test_arabic_digits_number_enclosures() -> None:
    doc = dataclasses.replace(demo_document(digits="arabic", with_table=False), enclosure_titles=["ก", "ข"])
    html = render_html(doc)
    assert "1. ก" in html
    assert "2. ข" in html
    assert "๑. ก" not in html


def test_draft_watermark_on_every_memo_page(draft_pdf: bytes) -> None:
    sizes = page_sizes(draft_pdf)
    memo_pages = [i + 1 for i, s in enumerate(sizes[:2]) if is_a4(s)]
    assert memo_pages == [1, 2]
    for page in memo_pages:
        assert "ร่าง" in page_text(draft_pdf, page), page


def test_draft_header_blank_number_and_date(draft: MemoDocument, draft_pdf: bytes) -> None:
    first = page_text(draft_pdf, 1)
    assert_contains(first, "ด่วนที่สุด")
    assert_contains(first, f"เรื่อง {draft.subject}")
    assert_contains(first, "๑. สำเนาคำสั่งแต่งตั้งคณะกรรมการ")
    assert_contains(first, "๒. รายงานผลการประเมิน")
    assert "ลงนามอิเล็กทรอนิกส์" not in unicodedata.normalize("NFKC", pdftotext(draft_pdf, "-layout"))


def test_draft_decision_other_and_empty_opinion(draft_pdf: bytes) -> None:
    text = pdftotext(draft_pdf, "-layout")
    assert_contains(text, "☐ ทราบ ☐ อนุมัติ ☐ ไม่อนุมัติ ☑ อื่น ๆ มอบกองคลังดำเนินการ")
    assert_contains(text, "ความเห็นปลัด อบต.หนองโสน")


def test_emblem_and_image_enclosures(draft_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(draft_pdf))
    sizes = page_sizes(draft_pdf)
    assert is_a4(sizes[-2], landscape=True), "the wide image gets a landscape page"
    assert is_a4(sizes[-1]), "the tall image gets a portrait page"
    for index in (0, -2, -1):  # the emblem on page 1; one image per enclosure page
        assert reader.pages[index].images, index


def test_placeholder_emblem_has_no_drawing(demo_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(demo_pdf))
    assert not reader.pages[0].images
    assert_contains(page_text(demo_pdf, 1), "ตรา สัญลักษณ์")


# --- long content: nothing lost, nothing clipped -------------------------------------------------------------


def test_long_content_every_word_present(long_doc: MemoDocument, long_text: str) -> None:
    assert len(long_doc.subject) == 300
    assert len(long_doc.signatures) + len(long_doc.opinions) == 12
    assert_contains(long_text, long_doc.subject)
    for paragraph in long_doc.paragraphs:
        assert_contains(long_text, paragraph)
    long_opinion = long_doc.opinions[0].text
    assert len(long_opinion) >= 3000
    flat = squash(long_text)
    for i in range(1, 26):
        marker = squash(f"(ลำดับที่ {thai_digits(i)}) {SENTENCE}")
        assert flat.count(marker) == 1, f"marker {i} missing or repeated"
    for op in long_doc.opinions:
        assert_contains(long_text, op.label)
        assert op.signature is not None
        assert_contains(long_text, f"({op.signature.name}) {op.signature.position}")


def test_long_content_nothing_outside_the_margins(long_pdf: bytes) -> None:
    sizes = page_sizes(long_pdf)
    assert all(is_a4(s) for s in sizes)
    boxes = word_boxes(long_pdf)
    assert boxes
    right_edge = A4_PORTRAIT[0] - 2 / 2.54 * 72  # 2 cm right margin
    bottom_edge = A4_PORTRAIT[1] - 2 / 2.54 * 72  # 2 cm bottom margin
    overflow = [
        b for b in boxes if b[5] > right_edge + 1 or b[6] > bottom_edge + 1 or b[3] < 3 / 2.54 * 72 - 1
    ]
    assert not overflow, overflow[:5]


def test_long_opinion_continues_on_the_next_page(long_doc: MemoDocument, long_pdf: bytes) -> None:
    pages = [squash(page_text(long_pdf, i + 1)) for i in range(len(page_sizes(long_pdf)))]
    markers = [squash(f"(ลำดับที่ {thai_digits(i)})") for i in range(1, 26)]
    on_pages = {n for n, p in enumerate(pages) for m in markers if m in p}
    assert len(on_pages) >= 2, "the 3,000-character opinion should run over a page break"
    for op in long_doc.opinions:  # each label stays with the first words of its text
        first_words = squash(op.text or "")[:12]
        assert any(squash(op.label) in p and first_words in p for p in pages), op.label


def test_long_content_signatures_kept_whole(long_doc: MemoDocument, long_pdf: bytes) -> None:
    pages = [squash(page_text(long_pdf, i + 1)) for i in range(len(page_sizes(long_pdf)))]
    for op in long_doc.opinions:
        assert op.signature is not None
        name, position = squash(f"({op.signature.name})"), squash(op.signature.position)
        assert any(name in p and position in p for p in pages), f"{op.signature.name} split from its position"


# --- output options, settings, threads ----------------------------------------------------------------------


def test_pdfa_with_attachment_and_title() -> None:
    doc = demo_document(with_table=False)
    pdf = render_memo(
        doc,
        pdf_variant="pdf/a-3b",
        attachments=[("memo.json", b'{"memo": 1}', "the memo as data")],
        metadata_title="บันทึกข้อความ ทดสอบ",
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {"memo.json": [b'{"memo": 1}']}
    assert reader.metadata is not None
    assert reader.metadata.title == "บันทึกข้อความ ทดสอบ"
    assert reader.xmp_metadata is not None
    xmp = reader.xmp_metadata.stream.get_data()
    assert re.search(rb"pdfaid:part(>|=\")3", xmp), xmp[:500]
    assert re.search(rb"pdfaid:conformance(>|=\")B", xmp), xmp[:500]
    assert_contains(pdftotext(pdf, "-layout"), doc.subject)


def test_font_settings(settings: Settings) -> None:
    settings.MEMOFLOW_PDF_FONT_FAMILY = "Memo Test Face"
    settings.MEMOFLOW_PDF_FONT_FILES = {
        "regular": "/usr/share/fonts/truetype/tlwg/Laksaman.ttf",
        "bold": "/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf",
    }
    settings.MEMOFLOW_PDF_FONT_SCALE = 1.0
    doc = MemoDocument(
        organisation_short_name="อบต.หนองโสน",
        department="สำนักปลัด",
        number="",
        date=date(2023, 10, 5),
        subject="ทดสอบแบบอักษร",
        addressee="นายก",
        enclosure_titles=[],
        paragraphs=["ทดสอบ"],
    )
    html = render_html(doc)
    assert "@font-face" in html
    assert "Laksaman-Bold.ttf" in html
    assert "font-size: 16.000pt" in html  # scale 1.0: official sizes as they are
    pdf = render_memo(doc)
    assert "Memo-Test-Face" in pdffonts(pdf)


def test_concurrent_renders() -> None:
    doc = dataclasses.replace(demo_document(with_table=False), opinions=[])
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(render_memo(doc))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 3
    texts = {squash(pdftotext(pdf, "-layout")) for pdf in results}
    assert len(texts) == 1


@pytest.mark.parametrize("bad", [{"digits": "roman"}])
def test_invalid_digits_rejected(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="digits"):
        render_html(dataclasses.replace(demo_document(with_table=False), **bad))


def test_weasyprint_import_keeps_pillow_truncation_checks() -> None:
    from PIL import ImageFile

    # WeasyPrint turns this on at import; memos.attachments relies on Pillow refusing truncated images.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
