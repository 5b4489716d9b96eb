"""Zero-advance marks get an advance that extractors can group by, and nothing on the page moves for it.

Thai marks (ุ ู ่ ้ ั ี …) have no advance. Extractors that group characters by their boxes then break words
apart (docs/pdf-text.md, "Marks with an advance"): pdfminer starts a new line between two marks the
font draws apart (ปู่: ่.low 0.16 em left of ู), and pypdf and MuPDF read a space after a tone mark the font
moves left ("ปู่ ย่า"), because the mark's box ends before the next letter. Three measures, together:

1. Each zero-advance mark glyph gets a /W of ``MARK_ADVANCE`` (set in WeasyPrint's ``font.widths`` before it
   first draws the glyph: WeasyPrint's TJ adjustment after the glyph takes the advance back).
2. The embedded font program gets the same advance for those glyphs (``hmtx``): MuPDF measures gaps with the
   font file's advances, not /W, and PDF/A (ISO 19005-3, 6.2.11.5) wants /W and the font program to agree.
3. The text position is set again (``Td``) before the glyph that follows such a mark, to the position
   WeasyPrint computes with the mark's own zero advance. pdf.js gives every Mn character no advance whatever
   its /W (``isZeroWidthDiacritic``) while the TJ adjustment still takes /W back, so without the reset its pen
   would lag /W per mark and it reads spaces inside words. The reset also undoes WeasyPrint's integer
   truncation of the adjustment (``int(width + offset - advance)``), which would otherwise move the glyphs
   after a mark by up to 1/1000 em: every glyph is drawn where WeasyPrint draws it without this, the letter
   after a mark drawn at the pen a billionth of a unit after the mark (so tools that sort by x keep them in
   order).

The reset needs each mark's Pango geometry (x offset, advance), read from the line before it is drawn, and
the TJ strings WeasyPrint writes (``LineWriter`` stands in for the stream's ``show_text``,
``set_font_size``, ``set_text_matrix`` and ``add_font`` while one line is drawn). Where the strings are not
what it expects it writes them unchanged: positions stay right (the TJ adjustment takes /W back), only
pdf.js's pen lags.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

from fontTools.ttLib import TTFont

logger = logging.getLogger(__name__)

#: The advance (thousandths of an em) of zero-advance mark glyphs in /W and in the embedded font. Measured on
#: the demo and corpus memos (docs/pdf-text.md): every extractor reads every string right from 65 to 170.
#: Below, pdfminer still breaks "ปู่ ย่า" at 60 (่.low sits 0.163 em left of ู), MuPDF needs 20 and pypdf 10;
#: from 175 MuPDF, and from 250 poppler, lose the space after a word ending in a mark ("อายุ สํานัก": the
#: mark's box reaches over the space). 110 is near the middle.
MARK_ADVANCE: Final = 110

#: The advance WeasyPrint positions the glyph after a widened mark with: the mark's own (zero) advance.
_DRAWN_ADVANCE: Final = 0

_PANGO_GLYPH_EMPTY: Final = 0x0FFFFFFF
_PANGO_GLYPH_UNKNOWN_FLAG: Final = 0x10000000

#: The tokens of a TJ string as WeasyPrint writes it: hex glyph strings and numbers (its offsets are Python
#: floats, which may print with an exponent).
_TOKEN: Final = re.compile(rb"<[0-9a-fA-F]*>|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

#: zero_advance_glyphs() results by (SHA-256 of the font file, face index).
_ZERO_ADVANCE: dict[tuple[str, int], frozenset[int]] = {}


def zero_advance_glyphs(content: bytes, index: int = 0) -> frozenset[int]:
    """The glyph ids whose advance width in this font file is zero (hmtx)."""
    key = (hashlib.sha256(content).hexdigest(), index)
    glyphs = _ZERO_ADVANCE.get(key)
    if glyphs is None:
        if len(_ZERO_ADVANCE) >= 32:
            _ZERO_ADVANCE.clear()
        try:
            font = TTFont(io.BytesIO(content), fontNumber=index, lazy=True)
            order = font.getGlyphOrder()
            metrics = font["hmtx"].metrics
            glyphs = frozenset(gid for gid, name in enumerate(order) if metrics.get(name, (1, 0))[0] == 0)
        except Exception:
            logger.warning("text layer: cannot read the font's advance widths; marks keep a zero /W")
            glyphs = frozenset()
        _ZERO_ADVANCE[key] = glyphs
    return glyphs


def widen(font: Any, marks: frozenset[int], gids: Iterable[int]) -> None:
    """Give the zero-advance marks among ``gids`` (glyph ids about to be drawn; ``marks``: the font's Mn glyphs)
    a /W of MARK_ADVANCE, and remember which. Only glyphs WeasyPrint has not drawn yet: it fixes a glyph's
    width the first time it draws it, and writes /W for the glyphs it drew."""
    candidates: frozenset[int] | None = getattr(font, "_memoflow_mark_candidates", None)
    if candidates is None:
        content: bytes | None = getattr(font, "file_content", None)
        usable = MARK_ADVANCE > 0 and content is not None and not font.bitmap
        candidates = marks & zero_advance_glyphs(content, font.index) if content and usable else frozenset()
        font._memoflow_mark_candidates = candidates
        font._memoflow_widened = set()
    if not candidates:
        return
    new = candidates.intersection(gids).difference(font.widths)
    if new:
        for gid in new:
            font.widths[gid] = MARK_ADVANCE
        font._memoflow_widened.update(new)


def widened(font: Any) -> set[int] | frozenset[int]:
    """The glyph ids of ``font`` drawn with a /W of MARK_ADVANCE."""
    glyphs: set[int] | frozenset[int] = getattr(font, "_memoflow_widened", None) or frozenset()
    return glyphs


# --- the line: a new text position after each widened mark -------------------------------------------------


def line_geometry(first_line: Any, info_ints: int) -> list[tuple[int, int, int]]:
    """(glyph id, x offset, advance) in Pango units of each glyph of the line that WeasyPrint writes to a TJ
    string, in the order it writes them (runs, then glyphs); glyph id -1 for a glyph it replaces (.notdef)."""
    from weasyprint.text.ffi import ffi

    out: list[tuple[int, int, int]] = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyphs = run.data.glyphs
        run = run.next
        count = glyphs.num_glyphs
        if count < 1:
            continue
        ints = memoryview(ffi.buffer(glyphs.glyphs, count * info_ints * 4)).cast("i")
        for i in range(0, count * info_ints, info_ints):
            gid = ints[i]
            if gid == _PANGO_GLYPH_EMPTY:
                continue  # written as a number only
            out.append((-1 if gid & _PANGO_GLYPH_UNKNOWN_FLAG else gid, ints[i + 2], ints[i + 1]))
    return out


class LineWriter:
    """Writes one line's TJ strings with a ``Td`` before each glyph that follows a widened mark.

    Installed on the stream (instance attributes) while WeasyPrint's ``draw_first_line`` runs; keeps the pen
    position relative to the text line matrix (set by WeasyPrint's ``Tm`` at the start of the line, moved by
    each ``Td``) in text space units, as every PDF reader computes it from /W and the TJ numbers, except that
    a widened mark advances by what WeasyPrint computes with its zero advance."""

    def __init__(self, stream: Any, geometry: list[tuple[int, int, int]]) -> None:
        from weasyprint.text.ffi import FROM_UNITS

        self.stream = stream
        self.geometry = geometry
        self.next_glyph = 0  # index into geometry; -1 when the strings stopped matching it
        self.from_units = float(FROM_UNITS)
        self.fonts: dict[str, Any] = {}
        self.font: Any = None
        self.size = 0.0  # as the Tf operator writes it
        self.weasyprint_size = 0.0  # as WeasyPrint computes with it
        self.pen = 0.0
        self.reset_pending = False
        self.skip_number: bytes | None = None  # the TJ number after a widened mark, already counted
        self.resets = 0

    def __enter__(self) -> LineWriter:
        stream = self.stream
        show_text, set_font_size = stream.show_text, stream.set_font_size
        set_text_matrix, add_font = stream.set_text_matrix, stream.add_font

        def wrapped_add_font(pango_font: Any) -> Any:
            font, size = add_font(pango_font)
            self.fonts[font.hash] = font
            return font, size

        def wrapped_set_font_size(font: Any, size: Any) -> None:
            # The size as the Tf operator says it (pydyf writes floats to 6 decimals), which is what readers
            # multiply the TJ advances with.
            written = float(f"{size:f}") if isinstance(size, float) else float(size)
            self.font, self.size, self.weasyprint_size = self.fonts.get(font), written, float(size)
            set_font_size(font, size)

        def wrapped_set_text_matrix(*values: Any) -> None:
            self.pen, self.reset_pending, self.skip_number = 0.0, False, None
            set_text_matrix(*values)

        self._show_text: Callable[[Any], None] = show_text
        stream.add_font, stream.set_font_size = wrapped_add_font, wrapped_set_font_size
        stream.set_text_matrix, stream.show_text = wrapped_set_text_matrix, self.show_text
        return self

    def __exit__(self, *exc: object) -> None:
        for name in ("add_font", "set_font_size", "set_text_matrix", "show_text"):
            self.stream.__dict__.pop(name, None)

    def show_text(self, text: Any) -> None:
        raw = text.encode() if isinstance(text, str) else bytes(text)
        tokens = _TOKEN.findall(raw)
        font = self.font
        if font is None or font.bitmap or b"".join(tokens) != raw:
            self.next_glyph = -1
            self._show_text(text)
            return
        marks, widths, scale = widened(font), font.widths, self.size / 1000
        out: list[bytes] = []
        # WeasyPrint writes a TJ number after almost every glyph (its advance minus Pango's, rarely 0), so
        # most glyph strings hold one glyph: this loop runs per glyph, on local copies of the state.
        pen, skip = self.pen, self.skip_number
        for token in tokens:
            if token[0] != 0x3C:  # a number
                if token != skip:
                    pen -= float(token) * scale
                skip = None
                out.append(token)
                continue
            written = 1  # token[:written] is in ``out``
            for i in range(1, len(token) - 1, 4):
                gid = int(token[i : i + 4], 16)
                skip = None
                if self.reset_pending:
                    if i > written:
                        out.append(token[:i] + b">" if written == 1 else b"<" + token[written:i] + b">")
                    written = i
                    self.pen = pen
                    self._reset(out)
                    pen = self.pen
                index = self.next_glyph
                if index >= 0:
                    self.next_glyph = index + 1
                if gid in marks and widths[gid] == MARK_ADVANCE:
                    self.reset_pending = True
                    pen += self._mark_advance(gid, index) * scale
                    skip = self.skip_number
                else:
                    pen += widths.get(gid, 0) * scale
            out.append(token if written == 1 else b"<" + token[written:])
        self.pen, self.skip_number = pen, skip
        if out:
            self._show_text(b"".join(out))

    def _mark_advance(self, gid: int, index: int) -> float:
        """How far the pen moves past the widened mark ``gid`` (glyph ``index`` of the line), in thousandths
        of an em: its /W; or, knowing its Pango geometry, its own advance and the TJ number WeasyPrint would
        write after it with that advance, instead of /W and the number it writes (then not counted again)."""
        width = self.font.widths[gid]
        geometry = self.geometry[index] if 0 <= index < len(self.geometry) else None
        if geometry is None or geometry[0] not in (gid, -1):
            self.next_glyph = -1
            return float(width)
        # WeasyPrint writes int(width + offset - advance) after the glyph when that sum is not 0: the same
        # operations on the same floats, so the number is the one it writes.
        offset = geometry[1] / self.weasyprint_size
        advance = geometry[2] * 1000 * self.from_units / self.weasyprint_size
        written = width + offset - advance
        drawn = _DRAWN_ADVANCE + offset - advance
        self.skip_number = str(int(written)).encode() if written else None
        return _DRAWN_ADVANCE - (int(drawn) if drawn else 0)

    def _reset(self, out: list[bytes]) -> None:
        """Write ``out`` and a Td to the pen, rounded up to the next billionth of a text space unit and one
        more: 1 to 2e-9 to the right. A mark drawn at the pen and the letter after it would otherwise start at
        the same x give or take the readers' float sums, and tools that order glyphs by x (pdfminer's
        characters sorted by position, pdfplumber) put the letter first by chance ("ลําดบั"); so the letter
        after a mark always starts a little after it, and that little (under 2e-7 of a unit per 100 resets)
        adds up along a line without mattering."""
        if out:
            self._show_text(b"".join(out))
            out.clear()
        billionths = math.floor(self.pen * 1_000_000_000) + 2
        self.stream.move_text_to(_number(billionths), 0)
        self.pen, self.reset_pending = 0.0, False
        self.resets += 1


# --- the embedded font: the same advances --------------------------------------------------------------------

#: Patched font programs by (SHA-256 of the font file, face index, advances).
_PATCHED: dict[tuple[str, int, tuple[tuple[int, int], ...]], bytes] = {}


def with_advances(content: bytes, index: int, advances: dict[int, int], upem: int) -> bytes:
    """``content`` (a TrueType/OpenType font file) with the advance widths of the glyphs ``advances`` names
    set to the given thousandths of an em, everything else as it was."""
    key = (hashlib.sha256(content).hexdigest(), index, tuple(sorted(advances.items())))
    patched = _PATCHED.get(key)
    if patched is None:
        if len(_PATCHED) >= 32:
            _PATCHED.clear()
        font = TTFont(io.BytesIO(content), fontNumber=index)
        order = font.getGlyphOrder()
        metrics = font["hmtx"].metrics
        for gid, advance in advances.items():
            if gid < len(order) and order[gid] in metrics:
                metrics[order[gid]] = (round(advance * upem / 1000), metrics[order[gid]][1])
        output = io.BytesIO()
        font.save(output)
        patched = _PATCHED[key] = output.getvalue()
    return patched


def embed_advances(fonts: Any, *, subset: bool) -> None:
    """Before WeasyPrint builds the fonts dictionary: make each font program it embeds give the widened marks
    the advance their /W has. WeasyPrint embeds one program per font file (the first font object's, after
    ``clean`` subsets it from the original face) and writes /W from ``font.widths`` when it subsets, else from
    the program of each font object."""
    by_file: dict[str, list[Any]] = {}
    for font in fonts.values():
        by_file.setdefault(font.hash, []).append(font)
    for group in by_file.values():
        advances = {gid: MARK_ADVANCE for font in group for gid in widened(font)}
        if not advances:
            continue
        for font in group:
            if not subset or font.used_in_forms:
                font.file_content = with_advances(font.file_content, font.index, advances, font.upem)
                continue
            clean = font.clean

            def patched_clean(
                to_unicode: Any, hinting: Any, font: Any = font, clean: Any = clean, advances: Any = advances
            ) -> None:
                clean(to_unicode, hinting)
                font.file_content = with_advances(font.file_content, font.index, advances, font.upem)

            font.clean = patched_clean


def _number(billionths: int) -> bytes:
    """``billionths`` / 1e9 as a PDF number (exact: no float formatting)."""
    sign, digits = ("-" if billionths < 0 else ""), f"{abs(billionths):010d}"
    whole, fraction = digits[:-9], digits[-9:].rstrip("0")
    return f"{sign}{whole}.{fraction}".rstrip(".").encode()
