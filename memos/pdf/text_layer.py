"""The PDF's text layer: text extracted from the memo equals the text as written, in every extractor.

WeasyPrint 70 writes each font's ToUnicode map from the first Pango cluster each glyph is drawn in
(``weasyprint/draw/text.py``: ``font.to_unicode[glyph_id] = text[cluster[i]:cluster[i + 1]]``, once per glyph).
That is wrong for Thai (docs/pdf-text.md has the details and the measurements):

1. Laksaman's ``ccmp`` swaps a below vowel and a following tone mark (ู ่ -> ่.low ู) with two single
   substitutions in context, which HarfBuzz cannot see as a reordering: clusters stay one per character, so
   the glyph ู sits in the cluster of ่ and ่.low in the cluster of ู. Whichever word comes first decides
   the map for the whole document: "ผู้" then extracts as "ผ้่" wherever the other order came first.
2. When HarfBuzz merges a cluster (several glyphs for one cluster), every glyph but the last maps to "" and
   the last to the whole cluster; a glyph first seen there keeps that wrong map everywhere.

Four measures, active only inside ``active()`` (memos.pdf.render sets it around its own renders):

- ``draw_first_line`` is wrapped. In each line, marks drawn in an order other than the text's are put back in
  text order, each glyph keeping its absolute position (the page looks the same, each glyph sits in its own
  character's cluster); and the line is wrapped in a
  marked-content span whose /ActualText is exactly what its glyphs spell (poppler reads it; MuPDF doubles
  text where the two differ), without the invisible line-breaking characters. Boxes that continue each other
  on one line share one span (``memos.pdf.line_spans``: poppler reads a gap between two spans as a space).
- ``build_fonts_dictionary`` is wrapped: each used glyph's ToUnicode entry becomes the character the glyph
  stands for in the font itself (its non-private-use cmap code point, else its glyph name "uni0E49.low", else
  the Thai private-use code point's standard character); WeasyPrint's cluster text is kept when it is the same
  text under NFKC (a ligature "ffi") or when the font says nothing about the glyph.
- Zero-advance mark glyphs get an advance of ``mark_advance.MARK_ADVANCE`` (110/1000 em) in /W and in the
  embedded font, and the text position is set again after each (``memos.pdf.mark_advance``): pdfminer keeps
  a word's marks on its line, pypdf and MuPDF read no space after a mark the font moves left, pdf.js's pen does
  not lag, and every glyph is drawn where WeasyPrint draws it without the advance.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, Final

import weasyprint
import weasyprint.draw.text
import weasyprint.pdf
from fontTools import agl
from fontTools.ttLib import TTFont

from memos.pdf import line_spans, mark_advance

logger = logging.getLogger(__name__)

__all__ = ["INSTALLED", "active", "glyph_texts"]

#: WeasyPrint versions whose draw_first_line / build_fonts_dictionary this module was written against.
SUPPORTED_WEASYPRINT: Final = ("70.",)

#: Characters the renderer inserts for line breaking that draw nothing and must not reach extracted text.
INVISIBLE: Final = frozenset("\u200b\u2060\u00ad\ufeff")
_INVISIBLE_RE: Final = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")

_ACTIVE: Final[ContextVar[bool]] = ContextVar("memoflow_pdf_text_layer", default=False)

#: The Thai private-use code points of legacy Thai fonts (Microsoft's and Apple's shared assignment, also
#: used by TLWG and TH Sarabun fonts for their positional variants), as the characters they draw.
_THAI_PUA: Final = {
    0xF700: "\u0e10",  # THO THAN without descender
    0xF701: "\u0e34",
    0xF702: "\u0e35",
    0xF703: "\u0e36",
    0xF704: "\u0e37",
    0xF705: "\u0e48",
    0xF706: "\u0e49",
    0xF707: "\u0e4a",
    0xF708: "\u0e4b",
    0xF709: "\u0e4c",
    0xF70A: "\u0e48",
    0xF70B: "\u0e49",
    0xF70C: "\u0e4a",
    0xF70D: "\u0e4b",
    0xF70E: "\u0e4c",
    0xF70F: "\u0e0d",  # YO YING without descender
    0xF710: "\u0e31",
    0xF711: "\u0e4d",
    0xF712: "\u0e47",
    0xF713: "\u0e48",
    0xF714: "\u0e49",
    0xF715: "\u0e4a",
    0xF716: "\u0e4b",
    0xF717: "\u0e4c",
    0xF718: "\u0e38",
    0xF719: "\u0e39",
    0xF71A: "\u0e3a",
}


def active() -> contextlib.AbstractContextManager[None]:
    """Context manager: the text-layer corrections apply to WeasyPrint renders inside it (this context only)."""

    @contextlib.contextmanager
    def scope() -> Iterator[None]:
        token = _ACTIVE.set(True)
        try:
            yield
        finally:
            _ACTIVE.reset(token)

    return scope()


def _is_private_use(code_point: int) -> bool:
    return 0xE000 <= code_point <= 0xF8FF or code_point >= 0xF0000


#: glyph_texts() results by (SHA-256 of the font file, face index): fonts are parsed once per process.
_GLYPH_TEXTS: dict[tuple[str, int], dict[int, str]] = {}


def glyph_texts(content: bytes, index: int = 0) -> dict[int, str]:
    """Glyph id -> the text the glyph stands for in this font file (only glyphs the font tells about)."""
    key = (hashlib.sha256(content).hexdigest(), index)
    texts = _GLYPH_TEXTS.get(key)
    if texts is None:
        if len(_GLYPH_TEXTS) >= 32:
            _GLYPH_TEXTS.clear()
        texts = _GLYPH_TEXTS[key] = _read_glyph_texts(content, index)
    return texts


def _read_glyph_texts(content: bytes, index: int) -> dict[int, str]:
    try:
        font = TTFont(io.BytesIO(content), fontNumber=index, lazy=True)
        order = font.getGlyphOrder()
        cmap = font.getBestCmap() or {}
    except Exception:
        logger.warning("text layer: cannot read the font's cmap; keeping WeasyPrint's ToUnicode map")
        return {}
    by_name: dict[str, list[int]] = {}
    for code_point, name in cmap.items():
        by_name.setdefault(name, []).append(code_point)
    texts: dict[int, str] = {}
    for gid, name in enumerate(order):
        code_points = sorted(by_name.get(name, ()))
        public = [c for c in code_points if not _is_private_use(c)]
        if public:
            texts[gid] = chr(public[0])
            continue
        from_name = agl.toUnicode(name) if not name.startswith(("glyph", ".")) else ""
        if from_name and not any(_is_private_use(ord(c)) for c in from_name):
            texts[gid] = from_name
            continue
        for code_point in code_points:
            if code_point in _THAI_PUA:
                texts[gid] = _THAI_PUA[code_point]
                break
    return texts


def _font_texts(font: Any) -> dict[int, str]:
    texts = getattr(font, "_memoflow_glyph_texts", None)
    if texts is None:
        texts = glyph_texts(font.file_content, font.index) if getattr(font, "file_content", None) else {}
        font._memoflow_glyph_texts = texts
    return texts


def _mark_glyphs(font: Any) -> frozenset[int]:
    """The glyph ids of ``font`` that stand for one combining mark (Mn) each."""
    marks = getattr(font, "_memoflow_mark_glyphs", None)
    if marks is None:
        marks = frozenset(gid for gid, text in _font_texts(font).items() if _is_mark(text))
        font._memoflow_mark_glyphs = marks
    return marks


def _is_mark(text: str | None) -> bool:
    return text is not None and len(text) == 1 and unicodedata.category(text) == "Mn"


# --- draw: marks back in text order ---------------------------------------------------------------------


def _line_text(textbox: Any, first_line: Any) -> str:
    """The text of the line ``textbox`` draws: what its glyphs spell, trailing space included, which
    ``textbox.text`` may leave out."""
    utf8: bytes = textbox.pango_layout.text.encode()
    start: int = first_line.start_index
    return utf8[start : start + first_line.length].decode(errors="replace")


def _glyph_info_layout() -> tuple[int, int]:
    """The size of a PangoGlyphInfo in bytes and in 32-bit integers; (0, 0) if it is not five of them."""
    from weasyprint.text.ffi import ffi

    size = int(ffi.sizeof("PangoGlyphInfo"))
    return (size, size // 4) if size == 20 and ffi.offsetof("PangoGlyphInfo", "geometry") == 4 else (0, 0)


_INFO_SIZE, _INFO_INTS = _glyph_info_layout()


def _reorder_marks(stream: Any, textbox: Any) -> Any:
    """In the first line of ``textbox``, put each run of marks drawn out of text order back in text order,
    and return the line.

    Only glyphs in clusters of one character each, standing for a mark (Mn) both in the font and in the text,
    are moved, and only within a run whose characters are the same multiset: glyph ids and offsets move, each
    slot keeps its advance and each glyph its absolute position, so the page looks the same."""
    from weasyprint.text.ffi import ffi, pango

    # draw_first_line sets single-paragraph mode before reading the line; setting it changes the layout and
    # Pango shapes it again, so set it first: WeasyPrint's own call is then a no-op and draws these glyphs.
    pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
    first_line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        if count < 1 or glyph_item.item.analysis.level % 2:
            continue
        font = stream.add_font(glyph_item.item.analysis.font)[0]
        texts = _font_texts(font)
        if not texts:
            continue
        marks = _mark_glyphs(font)
        infos = glyphs.glyphs
        # Glyph ids straight from the PangoGlyphInfo array (glyph, width, x_offset, y_offset, attr: 32 bits
        # each): one cdata object per glyph would cost more than the rest of this together.
        gids = memoryview(ffi.buffer(infos, count * _INFO_SIZE)).cast("i")[0::_INFO_INTS]
        mark_advance.widen(font, marks, gids)
        stack: list[int] = []  # indexes of consecutive mark glyphs
        run_text = None
        for i, gid in enumerate(gids):
            if gid in marks:
                stack.append(i)
            elif stack:
                if len(stack) >= 2:
                    run_text = run_text or _RunText(utf8, glyph_item, count)
                    _permute(infos, stack, run_text, texts)
                stack = []
        if len(stack) >= 2:
            _permute(infos, stack, run_text or _RunText(utf8, glyph_item, count), texts)
    return first_line


class _RunText:
    """The text of one Pango glyph item's clusters."""

    def __init__(self, utf8: bytes, glyph_item: Any, count: int) -> None:
        self.utf8, self.count = utf8, count
        self.offset, self.length = glyph_item.item.offset, glyph_item.item.length
        self.clusters = glyph_item.glyphs.log_clusters

    def cluster(self, i: int) -> str:
        """The text of glyph ``i``'s cluster as WeasyPrint computes it (up to the next glyph's cluster)."""
        end = self.clusters[i + 1] if i + 1 < self.count else self.length
        return self.utf8[self.offset + self.clusters[i] : self.offset + end].decode(errors="replace")


def _permute(infos: Any, slots: list[int], run_text: _RunText, texts: dict[int, str]) -> None:
    wanted = [run_text.cluster(i) for i in slots]
    if not all(_is_mark(text) for text in wanted):
        return
    have = [texts[infos[i].glyph] for i in slots]
    if have == wanted or sorted(have) != sorted(wanted):
        return
    pens, pen = [], 0
    for i in slots:
        pens.append(pen)
        pen += infos[i].geometry.width
    old = [
        (infos[i].glyph, pens[n] + infos[i].geometry.x_offset, infos[i].geometry.y_offset)
        for n, i in enumerate(slots)
    ]
    used = [False] * len(old)
    for n, i in enumerate(slots):
        pick = next(m for m, (glyph, _, _) in enumerate(old) if not used[m] and texts[glyph] == wanted[n])
        used[pick] = True
        glyph, x, y = old[pick]
        infos[i].glyph = glyph
        infos[i].geometry.x_offset = x - pens[n]
        infos[i].geometry.y_offset = y


# --- the fonts' ToUnicode maps ---------------------------------------------------------------------------


def _correct_to_unicode(font: Any) -> int:
    """Set each used glyph's ToUnicode text to what the font says the glyph is; the number changed."""
    texts = _font_texts(font)
    changed = 0
    for gid, current in font.to_unicode.items():
        intrinsic = texts.get(gid)
        if not intrinsic or current == intrinsic:
            continue
        if current and unicodedata.normalize("NFKC", current) == unicodedata.normalize("NFKC", intrinsic):
            continue
        font.to_unicode[gid] = intrinsic
        changed += 1
    return changed


# --- installation ---------------------------------------------------------------------------------------

_INSTALL_LOCK: Final = threading.Lock()


def _install() -> bool:
    """Wrap WeasyPrint's draw_first_line and build_fonts_dictionary once; False (and a warning) when this
    WeasyPrint is not a version this was written for, or its functions are not where they were."""
    version = getattr(weasyprint, "__version__", "")
    draw_first_line = getattr(weasyprint.draw.text, "draw_first_line", None)
    build_fonts = getattr(weasyprint.pdf, "build_fonts_dictionary", None)
    if (
        not version.startswith(SUPPORTED_WEASYPRINT)
        or draw_first_line is None
        or build_fonts is None
        or _INFO_SIZE == 0
    ):
        logger.warning("text layer: WeasyPrint %s is not supported; Thai text may extract wrongly", version)
        return False
    with _INSTALL_LOCK:
        if not getattr(draw_first_line, "_memoflow_text_layer", False):

            @functools.wraps(draw_first_line)
            def wrapped_draw_first_line(
                stream: Any, textbox: Any, text_overflow: Any, block_ellipsis: Any, matrix: Any
            ) -> Any:
                if not _ACTIVE.get() or not textbox.text.strip():
                    return draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
                # With an ellipsis, WeasyPrint sets the text again (and Pango shapes it again): left alone.
                plain = text_overflow != "ellipsis" and block_ellipsis == "none"
                first_line = _reorder_marks(stream, textbox) if plain else None
                text = _line_text(textbox, first_line) if first_line is not None else textbox.text
                actual = _INVISIBLE_RE.sub("", text)
                if not actual.strip() or not hasattr(stream, "begin_marked_content"):
                    return draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
                # Without the line's geometry (an ellipsis: WeasyPrint shapes the text again), the position
                # after a widened mark is set where the TJ adjustments put it: right, to 1/1000 em.
                geometry = (
                    mark_advance.line_geometry(first_line, _INFO_INTS) if first_line is not None else []
                )
                line_spans.begin(stream, actual, matrix[2][0], matrix[2][1])
                try:
                    with mark_advance.LineWriter(stream, geometry):
                        return draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
                finally:
                    line_spans.end(stream, matrix[2][0] + textbox.width)

            wrapped_draw_first_line._memoflow_text_layer = True  # type: ignore[attr-defined]
            weasyprint.draw.text.draw_first_line = wrapped_draw_first_line

        if not getattr(build_fonts, "_memoflow_text_layer", False):

            @functools.wraps(build_fonts)
            def wrapped_build_fonts(pdf: Any, fonts: Any, *args: Any, **kwargs: Any) -> Any:
                if _ACTIVE.get():
                    subset = args[1] if len(args) > 1 else kwargs.get("subset", True)
                    for font in fonts.values():
                        if not font.bitmap:
                            _correct_to_unicode(font)
                    mark_advance.embed_advances(fonts, subset=bool(subset))
                return build_fonts(pdf, fonts, *args, **kwargs)

            wrapped_build_fonts._memoflow_text_layer = True  # type: ignore[attr-defined]
            weasyprint.pdf.build_fonts_dictionary = wrapped_build_fonts
    return True


#: True when both corrections are in place (tests assert it: a WeasyPrint upgrade must be looked at).
INSTALLED: Final = _install()
