"""Zero-advance marks get a tiny /W (text_layer.MARK_ADVANCE) so pdfminer keeps stacked marks on one line,
and nothing on the page moves for it (docs/pdf-text.md, "pdfminer and zero-width marks")."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.high_level import extract_text
from pdfminer.layout import LAParams, LTChar, LTComponent
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from memos.pdf import text_layer
from memos.pdf.render import render_memo
from memos.tests.test_pdf_extraction import corpus_document, printed_text, squash


def _glyphs(path: Path) -> list[tuple[str, float, float]]:
    """Every glyph pdfminer reads, in content-stream order: (text, x of its origin, y), no layout analysis."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    out: list[tuple[str, float, float]] = []

    def walk(item: LTComponent) -> None:
        if isinstance(item, LTChar):
            out.append((item.get_text(), round(item.matrix[4], 3), round(item.matrix[5], 3)))
        elif hasattr(item, "__iter__"):
            for child in item:
                walk(child)

    with path.open("rb") as handle:
        for page in PDFPage.get_pages(handle):
            interpreter.process_page(page)
            walk(device.get_result())
    return out


@pytest.fixture(scope="module")
def corpus_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("mark_widths")
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        for advance in (0, text_layer.MARK_ADVANCE):
            patch.setattr(text_layer, "MARK_ADVANCE", advance)
            out[advance] = folder / f"corpus-{advance}.pdf"
            out[advance].write_bytes(render_memo(corpus_document()))
    return out


def test_marks_have_an_advance(corpus_pdfs: dict[int, Path]) -> None:
    assert text_layer.MARK_ADVANCE > 0
    """Stacked marks at one x (ที่, ผู้, ฝั่ง) stay on their line in pdfminer: without the advance it broke
    the line between them and lost 1 ที่, 3 ผู้ and 2 ฝั่ง of the corpus."""
    text = squash(extract_text(corpus_pdfs[text_layer.MARK_ADVANCE], laparams=LAParams(boxes_flow=None)))
    printed = printed_text(corpus_document())
    counts = {word: (text.count(squash(word)), printed.count(squash(word))) for word in ("ที่", "ผู้", "ฝั่ง")}
    assert all(got == want for got, want in counts.values()), f"pdfminer (found, printed): {counts}"


def test_no_glyph_moves(corpus_pdfs: dict[int, Path]) -> None:
    """The marks' /W advance is taken back in the TJ adjustments: every glyph is drawn where it was."""
    widened, plain = _glyphs(corpus_pdfs[text_layer.MARK_ADVANCE]), _glyphs(corpus_pdfs[0])
    assert [g[0] for g in widened] == [g[0] for g in plain]
    moved = [(a, b) for a, b in zip(widened, plain, strict=True) if a != b]
    assert not moved, f"{len(moved)} glyphs moved, first: {moved[0]}"
