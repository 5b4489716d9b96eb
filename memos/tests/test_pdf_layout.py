"""Memo PDF page layout: where page breaks fall and what stays within the margins, as a reader sees the pages.

Pages are read back with pdfminer.six (memos/tests/pdf_layout.py): text lines top to bottom, every character's
box and every image's box. Rules (issue 9):
- a signature never opens a page: at least two lines of what it signs (its opinion, or the body for the
  writer) precede its first line on that page. A signature line is the electronic-signature mark or the
  "(name)" line (the first text of an unsigned block, whose dotted signing line has no text);
- an opinion block with nothing written never splits; a label line ("ความเห็น...", "ข้อสั่งการ...") never ends
  a page; the header never ends a page (the page where it ends carries body text after it);
- nothing outside the margins: memo pages A4 portrait 1.5 cm top, 2 cm right, 2 cm bottom, 3 cm left (the page
  number above the top margin excepted), rendered enclosure pages 1.5 cm; uploaded PDF pages are the sender's.

The stress memo (memos.pdf.stress) is rendered once through the full path with its uploaded PNG and PDF; the
targeted documents vary the filler above the blocks one line at a time, so the page break lands at every place
inside them (a block that exactly fills the rest of a page included).
"""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from memos.pdf.document import BANGKOK_DEMO_DAY, MemoDocument, OpinionBlock, SignatureBlock, demo_document
from memos.pdf.render import render_memo
from memos.pdf.stress import OPINION_CHARS, PARAGRAPHS, SUBJECT_CHARS, stress_document
from memos.tests.pdf_layout import (
    ENCLOSURE_MARGINS,
    MEMO_MARGINS,
    Page,
    is_label_line,
    is_signature_line,
    normalise,
    outside_margins,
    page_lines,
    text_lines_before_first_signature,
)
from tests.builders import stress_render_input
from workflow.pdf import render_pdf

#: Pages of the stress memo's uploaded PDF (memos.pdf.stress: portrait, then landscape), at the end.
FOREIGN_PAGES = 2
#: Distinct enough to find on the page, one line each.
FILLER = "ย่อหน้าเติมที่ {} เพื่อเลื่อนตำแหน่งการขึ้นหน้าใหม่"
OPINION = (
    "เห็นควรให้กองคลังและกองช่างร่วมกันจัดทำแผนการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส "
    "โดยรายงานผลการดำเนินงานต่อปลัดองค์การบริหารส่วนตำบลหนองโสนทุกไตรมาส ทั้งนี้ให้ประสานงานกับงานประชาสัมพันธ์ "
)


def signature_problems(pages: list[Page]) -> list[str]:
    """Pages whose first signature has fewer than two lines of text above it, unless its whole block (from its
    label) is on that page: a block with nothing or one line written."""
    problems = []
    for page in pages:
        before = text_lines_before_first_signature(page)
        if before is None or before >= 2:
            continue
        index = next(i for i, line in enumerate(page.lines) if is_signature_line(line))
        if any(is_label_line(line, page) for line in page.lines[:index]):
            continue
        problems.append(f"page {page.number}: {before} line(s) of text above {page.lines[index].text!r}")
    return problems


def label_problems(pages: list[Page]) -> list[str]:
    return [
        f"page {page.number} ends with the label {page.lines[-1].text!r}"
        for page in pages
        if page.lines and is_label_line(page.lines[-1], page)
    ]


def margin_problems(pages: list[Page], *, foreign: int = 0) -> list[str]:
    """Characters or images outside the margins, on every page the renderer drew (the last ``foreign`` pages
    are an uploaded PDF's)."""
    problems = []
    for page in pages[: len(pages) - foreign]:
        memo_page = not page.landscape and bool(page.lines)  # image pages have no text
        problems.extend(outside_margins(page, MEMO_MARGINS if memo_page else ENCLOSURE_MARGINS))
    return problems


# --- the stress memo ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stress_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return render_pdf(stress_render_input(tmp_path_factory.mktemp("stress")))


@pytest.fixture(scope="module")
def stress_pages(stress_pdf: bytes) -> list[Page]:
    return page_lines(stress_pdf)


def test_stress_memo_is_what_the_issue_asks_for() -> None:
    doc = stress_document()
    assert len(doc.subject) == SUBJECT_CHARS == 300
    assert len(doc.paragraphs) == PARAGRAPHS == 40
    assert {len(p) < 40 for p in doc.paragraphs} == {True, False}  # short and long
    assert any("e-Saraban" in p and "2.4.1" in p for p in doc.paragraphs)  # Thai with English and numbers
    written = [s.opinion for s in doc.signatures[1:]] + [op.text for op in doc.opinions]
    assert len(doc.signatures) + len(doc.opinions) == 8
    assert len(written) == 7
    assert all(len(text) == OPINION_CHARS for text in written)
    assert {op.role for op in doc.opinions} == {"opinion", "decision"}


def test_stress_memo_pages(stress_pdf: bytes, stress_pages: list[Page]) -> None:
    sizes = [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        for p in PdfReader(io.BytesIO(stress_pdf)).pages
    ]
    assert sizes[-FOREIGN_PAGES:] == [(595, 842), (842, 595)]  # the uploaded PDF, page by page
    assert sizes[-FOREIGN_PAGES - 1] == (842, 595)  # the PNG photo, on a landscape page of its own
    assert stress_pages[-FOREIGN_PAGES - 1].images
    assert not stress_pages[-FOREIGN_PAGES - 1].lines
    memo_pages = stress_pages[: -FOREIGN_PAGES - 1]
    assert len(memo_pages) >= 6
    assert all(p.width < p.height for p in memo_pages)


def test_stress_memo_no_page_opens_with_a_signature(stress_pages: list[Page]) -> None:
    names = [line for page in stress_pages for line in page.lines if line.text.startswith("(")]
    assert len([n for n in names if is_signature_line(n)]) == 8  # every block is found, so none escapes
    assert signature_problems(stress_pages) == []


def test_stress_memo_no_page_ends_with_a_label_or_the_header(stress_pages: list[Page]) -> None:
    assert label_problems(stress_pages) == []
    first = stress_pages[0].lines
    addressee = next(i for i, line in enumerate(first) if line.text.startswith("เรียน"))
    assert len(first) - addressee > 4  # the two enclosure lines, then the body


def test_stress_memo_nothing_outside_the_margins(stress_pages: list[Page]) -> None:
    assert margin_problems(stress_pages, foreign=FOREIGN_PAGES) == []


# --- targeted documents: the page break lands at every place inside the blocks ------------------------------


def _signer(i: int, *, signed: bool = True, opinion: str = "") -> SignatureBlock:
    return SignatureBlock(
        name=f"นายลงนาม ลำดับ{i}",
        position=f"หัวหน้ากองที่ {i}",
        signed_at=BANGKOK_DEMO_DAY + timedelta(hours=i) if signed else None,
        opinion=opinion,
    )


def blocks_document(filler: int) -> MemoDocument:
    """``filler`` one-line paragraphs, then: the writer, a co-signer with a four-line opinion, one without; an
    opinion of five lines, an opinion block with nothing written (not reached yet) and the unsigned decision
    ("อื่น ๆ" with a two-line order)."""
    base = demo_document(with_table=False)
    return dataclasses.replace(
        base,
        paragraphs=[*(FILLER.format(i) for i in range(filler)), *base.paragraphs],
        signatures=[_signer(1), _signer(2, opinion=OPINION * 2), _signer(3)],
        opinions=[
            OpinionBlock(label="ความเห็นหัวหน้ากองที่ 4", role="opinion", text=OPINION * 3, signature=_signer(4)),
            OpinionBlock(label="ความเห็นหัวหน้ากองที่ 5", role="opinion", signature=_signer(5, signed=False)),
            OpinionBlock(
                label="ข้อสั่งการนายก อบต.หนองโสน",
                role="decision",
                decision="other",
                decision_text=OPINION,  # on dotted lines of its own, then blank lines, then the signature
                signature=_signer(6, signed=False),
            ),
        ],
    )


#: From every block on one page to each of them cut somewhere (about 33 body lines fit on a page). Blocks move
#: in whole steps of several lines, so every second filler is enough to meet each one at a page end.
FILLERS = range(14, 44, 2)


def decision_document(filler: int) -> MemoDocument:
    """``filler`` one-line paragraphs, the writer's signature and the decision alone: an "other" order of three
    lines and nothing else written (its blank lines and the signature follow the order)."""
    base = demo_document(with_table=False)
    return dataclasses.replace(
        base,
        paragraphs=[*(FILLER.format(i) for i in range(filler)), *base.paragraphs],
        signatures=[_signer(1)],
        opinions=[
            OpinionBlock(
                label="ข้อสั่งการนายก อบต.หนองโสน",
                role="decision",
                decision="other",
                decision_text=OPINION * 2,
                signature=_signer(6, signed=False),
            )
        ],
    )


@pytest.fixture(scope="module")
def swept() -> dict[int, list[Page]]:
    return {filler: page_lines(render_memo(blocks_document(filler))) for filler in FILLERS}


def test_sweep_puts_page_breaks_inside_the_blocks(swept: dict[int, list[Page]]) -> None:
    """The sweep is worth something only if page breaks really fall among the signature blocks."""
    starts = set()
    for pages in swept.values():
        for page in pages[1:]:
            if page.lines and not page.lines[0].text.startswith("ย่อหน้า"):
                starts.add(page.lines[0].text[:12])
    assert len(starts) >= 8, starts


@pytest.mark.parametrize("filler", FILLERS)
def test_no_signature_opens_a_page(swept: dict[int, list[Page]], filler: int) -> None:
    assert signature_problems(swept[filler]) == []


@pytest.mark.parametrize("filler", FILLERS)
def test_no_label_ends_a_page_and_a_blank_opinion_block_never_splits(
    swept: dict[int, list[Page]], filler: int
) -> None:
    pages = swept[filler]
    assert label_problems(pages) == []
    label = next(
        p.number for p in pages for line in p.lines if line.text.startswith(normalise("ความเห็นหัวหน้ากองที่ 5"))
    )
    name = next(
        p.number for p in pages for line in p.lines if line.text.startswith(normalise("(นายลงนาม ลำดับ5)"))
    )
    assert label == name, "the opinion block with nothing written was split"


@pytest.mark.parametrize("filler", FILLERS)
def test_blocks_stay_within_the_margins(swept: dict[int, list[Page]], filler: int) -> None:
    assert margin_problems(swept[filler]) == []


@pytest.mark.parametrize("filler", range(9))
def test_decision_signature_keeps_the_order_above_it(filler: int) -> None:
    """The page break walks through the decision block (it ends page 1 at one of these fillers)."""
    pages = page_lines(render_memo(decision_document(filler)))
    assert signature_problems(pages) == []
    assert label_problems(pages) == []


@pytest.mark.parametrize("enclosures", range(24, 30))
def test_header_never_ends_a_page(enclosures: int) -> None:
    """A header long enough (many enclosures) to end near the bottom of page 1: the page where it ends carries
    the body's first lines too; a long enclosure list continues on the next page rather than leave it alone."""
    titles = [f"เอกสารประกอบการพิจารณาลำดับที่ {i}" for i in range(1, enclosures + 1)]
    pages = page_lines(
        render_memo(dataclasses.replace(demo_document(with_table=False), enclosure_titles=titles))
    )
    last = normalise(f"เอกสารประกอบการพิจารณาลำดับที่ {enclosures}")
    page = next(p for p in pages if any(line.text.endswith(last) for line in p.lines))
    index = next(i for i, line in enumerate(page.lines) if line.text.endswith(last))
    assert len(page.lines) - index - 1 >= 2, f"page {page.number} ends with the header"
