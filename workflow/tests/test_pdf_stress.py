"""The stress memo (memos.pdf.stress) through the worker's full path (``workflow.pdf.render_pdf``): 8 steps with
600-character opinions, a 300-character subject, 40 mixed paragraphs, a PNG photo and an uploaded two-page PDF.
Rendered once; its pages are read back with pdfminer.six (memos/tests/pdf_layout.py, which states the rules):
no page opens with a signature, no label or header ends a page, nothing lies outside the margins. No database.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from memos.pdf.stress import OPINION_CHARS, PARAGRAPHS, SUBJECT_CHARS, stress_document
from memos.tests.pdf_layout import (
    MEMO_MARGINS,
    Page,
    is_signature_line,
    label_problems,
    margin_problems,
    outside_margins,
    page_lines,
    signature_problems,
)
from tests.builders import stress_render_input
from workflow.pdf import render_pdf

#: Pages of the stress memo's uploaded PDF (memos.pdf.stress: portrait, then landscape), at the end.
FOREIGN_PAGES = 2


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


def test_margin_check_sees_text_outside_the_margins(stress_pages: list[Page]) -> None:
    """The check is not blind: the uploaded letter's text starts 2.54 cm from the left edge, inside a memo
    page's 3 cm margin."""
    letter = stress_pages[-FOREIGN_PAGES]
    assert outside_margins(letter, MEMO_MARGINS)
    assert not outside_margins(letter, (0, 0, 0, 0))
