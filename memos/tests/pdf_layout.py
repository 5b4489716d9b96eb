"""Where things landed on the pages of a rendered memo, read back with pdfminer.six (test helper, no test here).

``page_lines(pdf)`` gives each page's size and its text lines, top to bottom: the characters pdfminer finds,
grouped into lines by their vertical position (no layout analysis, so the centred signature column and the left
column are never merged). ``outside_margins`` lists the characters and images outside a page's margin box.

The rules (issue 9), each a function listing what breaks it (``signature_problems``, ``label_problems``,
``margin_problems``):
- a signature never opens a page: at least two lines of what it signs (its opinion, or the body for the
  writer) precede its first line on that page, unless its whole block, label included, is on that page;
- a label line ("ความเห็น...", "ข้อสั่งการ...") never ends a page;
- nothing outside the margins: memo pages A4 portrait 1.5 cm top, 2 cm right, 2 cm bottom, 3 cm left (the page
  number above the top margin excepted), rendered enclosure pages 1.5 cm; uploaded PDF pages are the sender's.

Line classes, by what a reader sees:
- a signature line: the electronic-signature mark ("ลงนามอิเล็กทรอนิกส์ ..."), or the "(name)" line, which is the
  first text of an unsigned block (its dotted signing line has no text);
- an opinion label: "ความเห็น..." / "ข้อสั่งการ..." starting at the left margin.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTImage
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

CM: Final = 72 / 2.54
#: Margins (top, right, bottom, left) in points, as memo.css sets them.
MEMO_MARGINS: Final = (1.5 * CM, 2 * CM, 2 * CM, 3 * CM)
ENCLOSURE_MARGINS: Final = (1.5 * CM,) * 4
#: Rounding slack in points (WeasyPrint positions, pdfminer's font-box heights).
SLACK: Final = 0.5

_MARK: Final = "ลงนามอิเล็กทรอนิกส์"
_NAME_LINE: Final = re.compile(r"^\((?:นาย|นาง|ดร\.|\s*\))")
#: Text printed in the top margin by design: the page number ("- ๒ -") and an enclosure's label
#: ("สิ่งที่ส่งมาด้วย ๑", top right of its first page).
#: Compared on the text's skeleton (no spaces, no Thai vowel or tone marks), since pdfminer places a mark by its
#: drawn position, which may come after the next letter: "สิง่ ทีส่ ่งมาด้วย".
_MARGIN_TEXT: Final = re.compile(r"^(?:-[0-9๐-๙]+-|สงทสงมาดวย[0-9๐-๙]+)$")
_MARKS: Final = re.compile(r"[\s\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def _is_margin_text(text: str) -> bool:
    return bool(_MARGIN_TEXT.match(_MARKS.sub("", text)))


@dataclass(frozen=True)
class Line:
    text: str  # NFKC, whitespace collapsed
    x0: float
    top: float  # distance from the page's top edge to the line's top, in points
    bottom: float


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: tuple[Line, ...]  # top to bottom, the page number and an enclosure label left out
    chars: tuple[tuple[str, float, float, float, float], ...]  # (char, x0, top, x1, bottom), page number too
    images: tuple[tuple[float, float, float, float], ...]  # (x0, top, x1, bottom)

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def _walk(item: Any) -> Any:
    yield item
    if hasattr(item, "__iter__") and not isinstance(item, LTChar):
        for child in item:
            yield from _walk(child)


def normalise(text: str) -> str:
    """NFKC with whitespace collapsed: how lines are compared (SARA AM composed or not, the same)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _group_lines(chars: list[tuple[str, float, float, float, float]]) -> list[Line]:
    """Characters into lines: sorted by their vertical centre, a new line where the centre jumps by more than a
    third of a body line (Thai marks sit a little above or below their base, never that far)."""
    lines: list[list[tuple[str, float, float, float, float]]] = []
    last_centre = None
    for char in sorted(chars, key=lambda c: (c[2] + c[4]) / 2):
        centre = (char[2] + char[4]) / 2
        if last_centre is None or centre - last_centre > 4.5:
            lines.append([])
        lines[-1].append(char)
        last_centre = centre
    out = []
    for group in lines:
        group.sort(key=lambda c: c[1])
        text = ""
        for previous, char in zip([None, *group], group, strict=False):
            if previous is not None and char[1] - previous[3] > 2.0:
                text += " "
            text += char[0]
        out.append(
            Line(
                normalise(text),
                min(c[1] for c in group),
                min(c[2] for c in group),
                max(c[4] for c in group),
            )
        )
    return [line for line in out if line.text]


def page_lines(pdf: bytes) -> list[Page]:
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    pages = []
    for number, pdf_page in enumerate(PDFPage.get_pages(io.BytesIO(pdf)), 1):
        interpreter.process_page(pdf_page)
        layout = device.get_result()
        height = layout.height
        chars = []
        images = []
        for item in _walk(layout):
            if isinstance(item, LTChar) and item.get_text().strip():
                text = item.get_text()
                # A Thai mark is drawn around its origin: the advance it has in the PDF (memos.pdf.mark_advance,
                # for text extraction) is not where it is, so its box ends where it starts.
                x1 = item.x0 if len(text) == 1 and unicodedata.category(text) == "Mn" else item.x1
                chars.append((text, item.x0, height - item.y1, x1, height - item.y0))
            elif isinstance(item, LTImage):
                images.append((item.x0, height - item.y1, item.x1, height - item.y0))
        lines = [line for line in _group_lines(chars) if not _is_margin_text(line.text)]
        pages.append(Page(number, layout.width, height, tuple(lines), tuple(chars), tuple(images)))
    return pages


def is_signature_line(line: Line) -> bool:
    return line.text.startswith(_MARK) or bool(_NAME_LINE.match(line.text))


def is_label_line(line: Line, page: Page) -> bool:
    left = MEMO_MARGINS[3] if not page.landscape else ENCLOSURE_MARGINS[3]
    return abs(line.x0 - left) < 2 and line.text.startswith(("ความเห็น", "ข้อสั่งการ"))


def is_choice_line(line: Line) -> bool:
    """The decision's tick boxes (☐ ทราบ ☐ อนุมัติ ...)."""
    return "☐" in line.text or "☑" in line.text


def text_lines_before_first_signature(page: Page) -> int | None:
    """How many lines of written text (labels and tick boxes not counted) precede the first signature line on
    ``page``; None when the page has no signature line."""
    count = 0
    for line in page.lines:
        if is_signature_line(line):
            return count
        if not is_label_line(line, page) and not is_choice_line(line):
            count += 1
    return None


def outside_margins(page: Page, margins: tuple[float, float, float, float]) -> list[str]:
    """What lies outside ``page``'s margin box (top, right, bottom, left): characters (the page number and an
    enclosure's label, which sit in the top margin by design, excepted) and images, described for an assertion
    message."""
    top, right, bottom, left = margins
    x_min, y_min = left - SLACK, top - SLACK
    x_max, y_max = page.width - right + SLACK, page.height - bottom + SLACK
    in_top_margin = [c for c in page.chars if c[4] <= top + SLACK]
    furniture: set[tuple[str, float, float, float, float]] = set()
    for line in _group_lines(list(in_top_margin)):
        if _is_margin_text(line.text):
            furniture.update(c for c in in_top_margin if line.top <= c[2] and c[4] <= line.bottom)
    found = []
    for char, x0, y0, x1, y1 in page.chars:
        if (char, x0, y0, x1, y1) in furniture:
            continue
        if x0 < x_min or y0 < y_min or x1 > x_max or y1 > y_max:
            found.append(f"page {page.number}: {char!r} at ({x0:.1f}, {y0:.1f})-({x1:.1f}, {y1:.1f})")
    for x0, y0, x1, y1 in page.images:
        if x0 < x_min or y0 < y_min or x1 > x_max or y1 > y_max:
            found.append(f"page {page.number}: image at ({x0:.1f}, {y0:.1f})-({x1:.1f}, {y1:.1f})")
    return found


# --- the rules, as lists of problems for an assertion ------------------------------------------------------


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
