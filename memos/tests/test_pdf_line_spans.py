"""Where one text box ends and the next continues it on the same line, poppler reads no space.

A ``nowrap`` span ending in a mark the font moves left ("ประจำปี": SARA II sits 0.127 em left of the pen) then
U+200B and more text made pdftotext read "ประจําปี งบประมาณ": each box had its own /ActualText span, and
poppler measures a span from its first glyph to its last glyph's advance, short of where the next box starts.
memos/pdf/line_spans.py joins such boxes into one span; docs/pdf-text.md has the details.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pydyf
import pytest
import weasyprint

from memos.pdf import line_spans, text_layer
from memos.pdf.render import decompose_sara_am
from memos.tests.test_pdf_extraction import actual_text_spans, extract_poppler, extract_poppler_layout

STYLE = "font-family: Laksaman; font-size: 16pt"


def _render(tmp_path: Path, body: str) -> Path:
    with text_layer.active():
        # SARA AM printed decomposed, as the memo templates print it (docs/pdf-text.md).
        pdf = weasyprint.HTML(string=f"<p style='{STYLE}'>{decompose_sara_am(body)}</p>").write_pdf()
    path = tmp_path / "spans.pdf"
    path.write_bytes(pdf)
    return path


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("extract", [extract_poppler, extract_poppler_layout], ids=["pdftotext", "layout"])
def test_nowrap_span_ending_in_a_mark_reads_without_a_space(
    tmp_path: Path, extract: Callable[[Path], str]
) -> None:
    path = _render(
        tmp_path,
        "รายงาน<span style='white-space: nowrap'>ประจำปี</span>\u200bงบประมาณ "
        "<span style='white-space: nowrap'>ที่ดี</span>\u200bที่สุด",
    )
    text = _nfkc(extract(path))
    assert _nfkc("รายงานประจำปีงบประมาณ ที่ดีที่สุด") in text, text


def test_the_boxes_of_a_line_share_one_actual_text_that_spells_their_glyphs(tmp_path: Path) -> None:
    path = _render(tmp_path, "<span style='white-space: nowrap'>ประจำปี</span>\u200bงบประมาณ")
    spans = actual_text_spans(path)
    assert [actual for actual, _ in spans] == [decompose_sara_am("ประจำปีงบประมาณ")]
    assert all(actual == glyphs for actual, glyphs in spans)


def test_a_gap_between_boxes_still_reads_as_a_space(tmp_path: Path) -> None:
    """Boxes that do not touch (a margin between them, as between two table cells) stay separate spans, and
    poppler reads the gap."""
    path = _render(tmp_path, "<span>ประจำปี</span><span style='margin-left: 0.5em'>งบประมาณ</span>")
    assert len(actual_text_spans(path)) == 2
    assert re.search(_nfkc("ประจำปี") + r"\s+" + "งบประมาณ", _nfkc(extract_poppler(path)))


class _Stream(pydyf.Stream):  # type: ignore[misc]
    pass


def _spans(steps: list[tuple[str, float, float, float]], between: bytes | None = None) -> list[bytes]:
    stream = _Stream()
    for n, (text, x, y, x_end) in enumerate(steps):
        if n and between:
            stream.stream.append(between)
        line_spans.begin(stream, text, x, y)
        stream.stream.append(b"[<01>] TJ")
        line_spans.end(stream, x_end)
    return [bytes(item["ActualText"].data) for item in stream.stream if isinstance(item, pydyf.Dictionary)]


def test_only_boxes_that_continue_each_other_share_a_span() -> None:
    assert len(_spans([("a", 0, 10, 5), ("b", 5, 10, 9)])) == 1
    assert len(_spans([("a", 0, 10, 5), ("b", 5, 30, 9)])) == 2  # the next line
    assert len(_spans([("a", 0, 10, 5), ("b", 6, 10, 9)])) == 2  # a gap
    assert len(_spans([("a", 0, 10, 5), ("b", 5, 10, 9)], between=b"ET BT")) == 2  # another text object
    # another marked-content sequence closed in between (a tagged PDF's own span): nesting stays proper
    assert len(_spans([("a", 0, 10, 5), ("b", 5, 10, 9)], between=b"EMC")) == 2
    assert _spans([("a", 0, 10, 5), ("b", 5, 10, 9), ("c", 9, 10, 12)]) == [b"(abc)"]
