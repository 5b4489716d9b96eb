"""Zero-advance marks get an advance (mark_advance.MARK_ADVANCE) in /W and in the embedded font, and the text
position is set again after each: pdfminer keeps a word's marks with it, the font program agrees with /W, and
nothing on the page moves for it (docs/pdf-text.md, "Marks with an advance")."""

from __future__ import annotations

import io
import itertools
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from pdfminer.converter import PDFPageAggregator
from pdfminer.high_level import extract_text
from pdfminer.layout import LAParams, LTChar, LTComponent
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from memos.pdf import mark_advance
from memos.pdf.render import decompose_sara_am, render_memo
from memos.tests.test_pdf_extraction import _joined_lines, corpus_document, corpus_strings

#: How far a glyph may sit from where WeasyPrint draws it without the advance, in points: the reset's
#: rounding (1e-6) and the readers' float sums. WeasyPrint's integer truncation of TJ adjustments, which the
#: reset undoes, moves glyphs 1/1000 em (0.01 pt at the corpus memo's sizes).
POSITION_TOLERANCE = 1e-4


def _glyphs(path: Path) -> list[tuple[str, float, float]]:
    """Every glyph pdfminer reads, in content-stream order: (text, x of its origin, y), no layout analysis."""
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    out: list[tuple[str, float, float]] = []

    def walk(item: LTComponent) -> None:
        if isinstance(item, LTChar):
            out.append((item.get_text(), item.matrix[4], item.matrix[5]))
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
        for advance in (0, mark_advance.MARK_ADVANCE):
            patch.setattr(mark_advance, "MARK_ADVANCE", advance)
            out[advance] = folder / f"corpus-{advance}.pdf"
            out[advance].write_bytes(render_memo(corpus_document()))
    return out


#: Marks stacked at one x (ที่ ผู้) and marks the font draws apart (ปู่: ่.low 0.163 em left of ู; น้ำ: ้ and
#: ํ 0.105 em apart; ฝั่ง).
WORDS = ("ที่", "ผู้", "ฝั่ง", "ปู่", decompose_sara_am("น้ำ"))


def test_marks_keep_their_word_in_pdfminer(corpus_pdfs: dict[int, Path]) -> None:
    """Every space-free run of the corpus with such a word is found whole in pdfminer's text, line breaks
    removed: with no advance it split 10 of them (a line break between two marks, which then lands elsewhere
    in its reading order), with the earlier 3/1000 em 6 (the apart marks: "ปู่ ย่า", "ฝั่ งน้ ํา")."""
    assert mark_advance.MARK_ADVANCE > 0
    text = _joined_lines(
        extract_text(corpus_pdfs[mark_advance.MARK_ADVANCE], laparams=LAParams(boxes_flow=None))
    )
    runs = {run for string in corpus_strings() for run in unicodedata.normalize("NFKC", string).split()}
    with_marks = {run for run in runs if any(unicodedata.normalize("NFKC", word) in run for word in WORDS)}
    assert len(with_marks) >= 10
    broken = sorted(run for run in with_marks if run not in text)
    assert not broken, f"pdfminer splits {len(broken)} of {len(with_marks)} runs: {broken}"


def test_no_glyph_moves(corpus_pdfs: dict[int, Path]) -> None:
    """Every glyph is drawn where WeasyPrint draws it without the advance (to 1e-4 pt)."""
    widened, plain = _glyphs(corpus_pdfs[mark_advance.MARK_ADVANCE]), _glyphs(corpus_pdfs[0])
    assert [g[0] for g in widened] == [g[0] for g in plain]
    moved = [
        (a, b)
        for a, b in zip(widened, plain, strict=True)
        if abs(a[1] - b[1]) > POSITION_TOLERANCE or abs(a[2] - b[2]) > POSITION_TOLERANCE
    ]
    assert not moved, f"{len(moved)} glyphs moved, first: {moved[0]}"


def _is_mark(text: str) -> bool:
    return len(text) == 1 and unicodedata.category(text) == "Mn"


def test_a_letter_after_a_mark_starts_after_it(corpus_pdfs: dict[int, Path]) -> None:
    """Where WeasyPrint draws a mark and the next letter at the same x (the mark at the pen), the letter starts
    after the mark in the PDF, by a billionth of a unit: tools that order characters by x (pdfminer's
    characters sorted by position, pdfplumber) keep the mark with its syllable ("ลำดับ", not "ลําดบั")."""
    plain, widened = _glyphs(corpus_pdfs[0]), _glyphs(corpus_pdfs[mark_advance.MARK_ADVANCE])
    pairs = [
        i
        for i, (mark, letter) in enumerate(itertools.pairwise(plain))
        if _is_mark(mark[0])
        and not _is_mark(letter[0])
        and mark[2] == letter[2]
        and abs(letter[1] - mark[1]) < 1e-9
    ]
    assert len(pairs) > 50
    before = [(widened[i][0], widened[i + 1][0]) for i in pairs if widened[i + 1][1] <= widened[i][1]]
    assert not before, (
        f"{len(before)} of {len(pairs)} letters start at or before the mark before them: {before[:5]}"
    )


def _disagreements(path: Path) -> tuple[int, list[tuple[str, object, float, object]]]:
    """(glyphs checked, glyphs whose /W and embedded font program's advance differ by more than 1/1000 em)."""
    disagree: list[tuple[str, object, float, object]] = []
    checked = 0
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/CIDFontType2":
                continue
            program = TTFont(io.BytesIO(obj.FontDescriptor.FontFile2.read_bytes()))
            order, metrics = program.getGlyphOrder(), program["hmtx"].metrics
            scale = 1000 / program["head"].unitsPerEm
            widths = list(obj.get("/W", []))
            for first, group in zip(widths[0::2], widths[1::2], strict=True):
                for gid, width in enumerate(group, start=int(first)):
                    checked += 1
                    if gid >= len(order):
                        disagree.append((str(obj.BaseFont), gid, float(width), "not embedded"))
                        continue
                    advance = metrics[order[gid]][0] * scale
                    if abs(float(width) - advance) > 1:
                        disagree.append((str(obj.BaseFont), order[gid], float(width), advance))
    return checked, disagree


def test_font_programs_agree_with_widths(corpus_pdfs: dict[int, Path]) -> None:
    """Each embedded font program gives every glyph the advance the font's /W gives it, to 1/1000 em (PDF/A,
    ISO 19005-3 6.2.11.5; MuPDF measures gaps with the program's advances, so it read "ปู่ ย่า" without)."""
    checked, disagree = _disagreements(corpus_pdfs[mark_advance.MARK_ADVANCE])
    assert checked > 100
    assert not disagree, f"{len(disagree)} glyphs, e.g. {disagree[:4]}"


def test_full_fonts_keep_glyphs_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With whole fonts embedded (WeasyPrint's ``full_fonts``: /W then comes from each font program, not from
    what was drawn), the program carries the marks' advance too: their /W is the advance, and nothing moves."""
    import weasyprint

    from memos.pdf import text_layer

    html = "<p style='font-family: Laksaman; font-size: 16pt'>ปู่ย่าตายายอยู่ดูแลข้อมูลหมู่บ้าน ที่นี่ ฝั่งน้ำ</p>"
    paths = {}
    for advance in (0, mark_advance.MARK_ADVANCE):
        monkeypatch.setattr(mark_advance, "MARK_ADVANCE", advance)
        with text_layer.active():
            paths[advance] = tmp_path / f"full-{advance}.pdf"
            paths[advance].write_bytes(weasyprint.HTML(string=html).write_pdf(full_fonts=True))
    widened, plain = _glyphs(paths[mark_advance.MARK_ADVANCE]), _glyphs(paths[0])
    moved = [(a, b) for a, b in zip(widened, plain, strict=True) if abs(a[1] - b[1]) > POSITION_TOLERANCE]
    assert not moved, f"{len(moved)} glyphs moved, first: {moved[0]}"
    assert _disagreements(paths[mark_advance.MARK_ADVANCE])[1] == []
    assert _widths_by_name(paths[mark_advance.MARK_ADVANCE], ("uni0E39", "uni0E48.low")) == {
        "uni0E39": mark_advance.MARK_ADVANCE,
        "uni0E48.low": mark_advance.MARK_ADVANCE,
    }


def _widths_by_name(path: Path, names: tuple[str, ...]) -> dict[str, float]:
    """The /W of the glyphs ``names`` (as the embedded Laksaman program calls them)."""
    found = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/CIDFontType2":
                program = TTFont(io.BytesIO(obj.FontDescriptor.FontFile2.read_bytes()))
                order = program.getGlyphOrder()
                widths = list(obj.get("/W", []))
                for first, group in zip(widths[0::2], widths[1::2], strict=True):
                    for gid, width in enumerate(group, start=int(first)):
                        if gid < len(order) and order[gid] in names:
                            found[order[gid]] = float(width)
    return found
