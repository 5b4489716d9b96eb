"""Memo PDF page layout: where page breaks fall and what stays within the margins, as a reader sees the pages.

Pages are read back with pdfminer.six; the rules are checked by memos/tests/pdf_layout.py (see its docstring):
no signature opens a page without two lines of what it signs, no label line or header ends a page, an opinion
block with nothing written never splits, nothing lies outside the margins. Each document here varies the filler
above the blocks one line (or two) at a time, so the page break lands at every place inside them, a block that
exactly fills the rest of a page included. The stress memo, through the worker's full path with its uploaded
PNG and PDF: workflow/tests/test_pdf_stress.py.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from memos.pdf.document import BANGKOK_DEMO_DAY, MemoDocument, OpinionBlock, SignatureBlock, demo_document
from memos.pdf.render import render_memo
from memos.tests.pdf_layout import (
    Page,
    label_problems,
    margin_problems,
    normalise,
    page_lines,
    signature_problems,
)

#: Distinct enough to find on the page, one line each.
FILLER = "ย่อหน้าเติมที่ {} เพื่อเลื่อนตำแหน่งการขึ้นหน้าใหม่"
OPINION = (
    "เห็นควรให้กองคลังและกองช่างร่วมกันจัดทำแผนการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส "
    "โดยรายงานผลการดำเนินงานต่อปลัดองค์การบริหารส่วนตำบลหนองโสนทุกไตรมาส ทั้งนี้ให้ประสานงานกับงานประชาสัมพันธ์ "
)


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


@pytest.mark.parametrize("filler", [0, 10, 20])
def test_a_long_row_of_signatures_leaves_no_near_empty_page(filler: int) -> None:
    """Nine signatures without opinions: only three in a row are kept with what precedes them (nine would not fit
    on a page together, and WeasyPrint then leaves pages of four lines); every page but the last is well filled,
    and the writer's signature is still on the page of the body's last lines."""
    base = demo_document(with_table=False)
    doc = dataclasses.replace(
        base,
        paragraphs=[*(FILLER.format(i) for i in range(filler)), *base.paragraphs],
        signatures=[_signer(i) for i in range(1, 10)],
        opinions=[],
    )
    pages = page_lines(render_memo(doc))
    assert [p.number for p in pages[:-1] if len(p.lines) < 20] == []
    closing = next(p for p in pages if any(line.text.startswith("จึงเรียนมา") for line in p.lines))
    assert any(line.text == normalise("(นายลงนาม ลำดับ1)") for line in closing.lines)
