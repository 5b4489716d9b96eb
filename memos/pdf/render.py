"""Render a ``MemoDocument`` to PDF with WeasyPrint (Django templates ``memos/pdf/memo.html`` + ``memo.css``).

Public API: ``render_memo(doc, ...) -> bytes`` and ``render_html(doc) -> str``.

Settings (read with ``getattr(settings, NAME, default)`` at each call):

- ``MEMOFLOW_PDF_FONT_FAMILY`` (default ``"Laksaman"``): the font family of the whole document.
- ``MEMOFLOW_PDF_FONT_SCALE`` (default ``2/3``): official TH Sarabun point sizes are multiplied by this.
  Laksaman draws the same outlines 1.5x larger, hence 2/3; a deployment with TH Sarabun New files sets 1.0.
- ``MEMOFLOW_PDF_FONT_FILES`` (default ``None``: the family is found by fontconfig): a dict
  ``{"regular": path, "bold": path, "italic": path, "bold_italic": path}`` turned into ``@font-face`` rules,
  one full font file per weight (never unicode-range subsets: WeasyPrint merges them and loses glyphs).

Line pitch and dotted-line offsets are fixed in *official* points (single spacing of TH Sarabun 16 pt =
20.875 pt), so they do not depend on the scale: Laksaman at 2/3 and TH Sarabun New at 1.0 share them.

Thai text, three measures (see docs in the code below):

1. SARA AM (U+0E33) is written decomposed (U+0E4D U+0E32) in everything printed: same look, and each glyph gets
   its own character in the PDF's ToUnicode map, so text extracted glyph by glyph equals the input under NFKC.
2. Decomposed, words like "ดำเนิน" are unknown to libthai's dictionary, which then breaks lines inside them
   ("ดํา|เนินการ") or not at all. So line-break opportunities are computed by Pango on the text as written,
   each word containing SARA AM is kept whole (nowrap) and a zero-width space keeps the break at its edges.
3. Poppler splits Thai words whose marks are moved by GPOS offsets ("ปั ้ น"), whatever SARA AM does, so each
   text run carries an /ActualText with its text, which poppler, Acrobat and screen readers read; it spells
   exactly what the glyphs' ToUnicode entries spell, which memos.pdf.text_layer makes right for every glyph
   (docs/pdf-text.md: WeasyPrint's map, Laksaman's swapped marks, pdfminer, MuPDF's doubling).

WeasyPrint calls are serialised by a lock around the one module-level ``FontConfiguration``.
"""

from __future__ import annotations

import base64
import io
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import weasyprint
import weasyprint.draw
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageFile
from weasyprint.text.fonts import FontConfiguration

from core.thai import format_date_long, format_datetime, thai_digits
from memos.pdf import linebreak, text_layer
from memos.pdf.document import FieldBox, MemoDocument, OpinionBlock, SignatureBlock, TableEnclosure

__all__ = ["FONT_CONFIG", "decompose_sara_am", "render_html", "render_memo"]

# Importing WeasyPrint sets Pillow's process-wide ImageFile.LOAD_TRUNCATED_IMAGES to True (weasyprint/images.py,
# "don't crash when converting truncated images"). That silently disables truncation checks everywhere else in
# the process, e.g. memos.attachments refusing damaged uploads. Restore Pillow's default: images reaching the
# renderer were validated on upload, and a truncated one is then skipped by WeasyPrint with a warning.
ImageFile.LOAD_TRUNCATED_IMAGES = False

#: One per process: reusing it (and its font cache) saves about 0.2 s per render.
FONT_CONFIG: Final = FontConfiguration()
_LOCK: Final = threading.Lock()

DEFAULT_FONT_FAMILY: Final = "Laksaman"
DEFAULT_FONT_SCALE: Final = 2 / 3
#: Single line spacing as a multiple of the official size (TH Sarabun / Laksaman hhea metrics: 1.957 / 1.5).
LINE_PITCH: Final = 1.3047
#: Distance from the bottom of a line box to the dotted line, in official points at 16 pt: just below the
#: lowest descending vowel (ุ ู) and above the next line's tallest marks.
DOT_RAISE: Final = 0.5
DOT_SPACING: Final = 2.6  # pt between dots
DOT_RADIUS: Final = 0.5  # pt

SARA_AM: Final = "\u0e33"
SARA_AM_DECOMPOSED: Final = "\u0e4d\u0e32"
ZWSP: Final = "\u200b"

_DECISIONS: Final = (
    ("acknowledged", "ทราบ"),
    ("approved", "อนุมัติ"),
    ("not_approved", "ไม่อนุมัติ"),
    ("other", "อื่น ๆ"),
)


def decompose_sara_am(text: str) -> str:
    """``text`` with SARA AM (U+0E33) written as NIKHAHIT + SARA AA (U+0E4D U+0E32): same look, and text
    extracted from the PDF round-trips under NFKC."""
    return text.replace(SARA_AM, SARA_AM_DECOMPOSED)


# --- extracted text ----------------------------------------------------------------------------------------
#
# memos.pdf.text_layer, active around our own renders only (a context variable, so other WeasyPrint users in
# the process see stock behaviour), makes every glyph's ToUnicode entry right (Laksaman swaps a below vowel and
# a tone mark; WeasyPrint maps each glyph from the first cluster it meets) and wraps each drawn line in a
# marked-content span whose /ActualText spells exactly what its glyphs spell. Poppler, Acrobat and screen
# readers read the ActualText (poppler otherwise splits words whose marks are moved back by GPOS offsets:
# "ปั ้ น"); MuPDF keeps the glyphs' text where the two agree (where they differ, it doubles text). See
# docs/pdf-text.md.

#: True when the text layer's corrections are in place (False on an unsupported WeasyPrint version).
ACTUAL_TEXT_INSTALLED: Final = text_layer.INSTALLED


# --- settings ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    family: str
    scale: float
    font_files: tuple[tuple[str, str], ...]


def _style() -> _Style:
    family = str(getattr(settings, "MEMOFLOW_PDF_FONT_FAMILY", DEFAULT_FONT_FAMILY) or DEFAULT_FONT_FAMILY)
    scale = float(getattr(settings, "MEMOFLOW_PDF_FONT_SCALE", DEFAULT_FONT_SCALE) or DEFAULT_FONT_SCALE)
    files = getattr(settings, "MEMOFLOW_PDF_FONT_FILES", None) or {}
    unknown = set(files) - {"regular", "bold", "italic", "bold_italic"}
    if unknown:
        raise ValueError(f"MEMOFLOW_PDF_FONT_FILES: unknown keys {sorted(unknown)}")
    if scale <= 0:
        raise ValueError(f"MEMOFLOW_PDF_FONT_SCALE must be positive, got {scale!r}")
    return _Style(family=family, scale=scale, font_files=tuple(sorted((k, str(v)) for k, v in files.items())))


def _css_string(value: str) -> str:
    """A double-quoted CSS string (for font family names and URLs)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def _pt(value: float) -> str:
    return f"{value:.3f}pt"


#: Extra pitch (pt) of a dotted field whose text has a below vowel under the tail of ฎ or ฏ (ฎุ ฏุ): those reach
#: 1.3 pt below the line box (docs/pdf-marks.md), so no dot position of a single-spaced line clears them and the
#: next line's marks both; such a field's lines are this much further apart. Half of it goes above the text
#: (CSS half-leading) and all of it below the dots, so the dots move half of it away from the vowel: 6 pt takes
#: them from 2.3 pt over ฎุ's tail to 0.7 pt under it (measured in test_pdf_marks).
DEEP_EXTRA: Final = 6.0
_DEEP_RE: Final = re.compile("[\u0e0e\u0e0f][\u0e38\u0e39]")


def deep_marks(text: str) -> bool:
    """Whether ``text`` has ฎ or ฏ with a below vowel (ฎุ ฏุ ฎู ฏู), which need a deeper dotted line."""
    return bool(_DEEP_RE.search(unicodedata.normalize("NFC", text)))


def _dots_uri(pitch: float, raise_: float) -> str:
    """A tile one line high with one dot near its bottom: repeated, it draws a dotted line under every line."""
    cy = pitch - raise_
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{DOT_SPACING}pt' height='{pitch:.3f}pt' "
        f"viewBox='0 0 {DOT_SPACING} {pitch:.3f}'>"
        f"<circle cx='{DOT_SPACING / 2}' cy='{cy:.3f}' r='{DOT_RADIUS}' fill='#000'/></svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@lru_cache(maxsize=8)
def _stylesheet(style: _Style, digits: str) -> SafeString:
    s = style.scale
    pitch = 16 * LINE_PITCH  # body and header values
    table_pitch = 14 * LINE_PITCH
    faces = []
    weights = {"regular": ("normal", "normal"), "bold": ("bold", "normal")}
    weights |= {"italic": ("normal", "italic"), "bold_italic": ("bold", "italic")}
    for key, path in style.font_files:
        weight, font_style = weights[key]
        faces.append(
            {
                "family": _css_string(style.family),
                "src": _css_string(Path(path).resolve().as_uri()),
                "weight": weight,
                "style": font_style,
            }
        )
    context = {
        "faces": faces,
        "family": _css_string(style.family),
        "fs_body": _pt(16 * s),
        "fs_label": _pt(20 * s),
        "fs_title": _pt(29 * s),
        "fs_stamp": _pt(32 * s),
        "fs_table": _pt(14 * s),
        "fs_small": _pt(12 * s),
        "fs_tiny": _pt(9 * s),
        "fs_watermark": _pt(240 * s),
        "pitch": _pt(pitch),
        "pitch2": _pt(2 * pitch),
        "pitch3": _pt(3 * pitch),
        "table_pitch": _pt(table_pitch),
        "small_pitch": _pt(12 * LINE_PITCH),
        "dots": _dots_uri(pitch, DOT_RAISE),
        "deep_pitch": _pt(pitch + DEEP_EXTRA),
        "deep_dots": _dots_uri(pitch + DEEP_EXTRA, DOT_RAISE),
        "dot_spacing": _pt(DOT_SPACING),
        "page_counter": "thai" if digits == "thai" else "decimal",
    }
    return mark_safe(render_to_string("memos/pdf/memo.css", context))  # noqa: S308 - our template, our values


# --- text: line breaking (memos/pdf/linebreak.py) -----------------------------------------------------

_rich: Final = linebreak.rich
_nw: Final = linebreak.nowrap
_KEEP_TOGETHER: Final = linebreak.KEEP_TOGETHER
_NOWRAP_MAX: Final = linebreak.NOWRAP_MAX


def _number(n: int, digits: str) -> str:
    return thai_digits(n) if digits == "thai" else str(n)


# --- context ----------------------------------------------------------------------------------------------


_BLANK_LINE: Final = mark_safe('<div class="blank-line"></div>')
_BLANK_NAME: Final = mark_safe('<div>(<span class="blank-name"></span>)</div>')
_BLANK_POSITION: Final = mark_safe('<div><span class="blank-name"></span></div>')
_BLANK_DATE: Final = mark_safe('<div>วันที่ <span class="blank-name"></span></div>')


def _signature_image(path: str) -> SafeString:
    """The signer's handwritten signature (a transparent PNG), centred where the e-signature line would be."""
    return format_html(
        '<div class="sig-image" style="height: 1.2cm"><img src="{}" alt="ลายมือชื่อ" style="height: 1.2cm"></div>',
        Path(path).resolve().as_uri(),
    )


def _signature(
    sig: SignatureBlock | None, digits: str, *, dated: bool = False, keep_with_previous: bool = False
) -> SafeString:
    """A signature block: the handwritten signature image or the e-signature mark (or a dotted line to sign on), (name), position, capacity line,
    extra line; with ``dated``, the date below (an opinion's date). ``None`` = a blank block to fill in.
    ``keep_with_previous``: no page break before the block (memo.css ``.sig.keep``). A block with a ``field``
    is an empty box of the field's size, filled by the signer's PAdES signature (``render_memo_with_fields``)."""
    if sig is not None and sig.field:
        return _field_box(sig, keep_with_previous=keep_with_previous)
    opinion: SafeString | str = ""
    if sig is not None and sig.opinion.strip():
        opinion = format_html('<div class="sig-opinion">{}</div>', _rich(sig.opinion.strip("\n"), runt=True))
    parts: list[SafeString] = []
    if sig is not None and sig.signed_at is not None and sig.image_path:
        parts.append(_signature_image(sig.image_path))
    elif sig is not None and sig.signed_at is not None:
        parts.append(
            format_html(
                '<div class="mark">ลงนามอิเล็กทรอนิกส์ {}</div>',
                _nw(format_datetime(sig.signed_at, digits=digits)),
            )
        )
    else:
        parts.append(_BLANK_LINE)
    if sig is None:
        parts.extend((_BLANK_NAME, _BLANK_POSITION))
    else:
        parts.append(format_html('<div class="name">{}</div>', _nw(f"({sig.name})")))
        for line in (sig.position, sig.capacity_line, sig.extra_line):
            if line:
                parts.append(format_html("<div>{}</div>", _rich(line, phrases=False)))
    if dated:
        if sig is not None and sig.signed_at is not None:
            parts.append(format_html("<div>{}</div>", _nw(format_date_long(sig.signed_at, digits=digits))))
        else:
            parts.append(_BLANK_DATE)
    # The lines from the mark down never split (.sig-lines); an opinion above them may, keeping its last two
    # lines with them (memo.css, "keep-together").
    return format_html(
        '<div class="sig{}{}">{}<div class="sig-lines">{}</div></div>',
        " with-opinion" if opinion else "",
        " keep" if keep_with_previous else "",
        opinion,
        mark_safe("".join(parts)),  # noqa: S308 - built escaped
    )


#: The id prefix of a signature field's empty box; the rest is the field's name.
FIELD_ID_PREFIX: Final = "sigfield-"


def _field_box(sig: SignatureBlock, *, keep_with_previous: bool) -> SafeString:
    """The empty box a signature field covers (memo.css ``.sig-field``): the block is the signature's appearance,
    laid out when the step signs, so nothing of it may be printed in the page (ADR 0007)."""
    return format_html(
        '<div class="sig-field{}{}" id="{}{}"></div>',
        " wide" if sig.field_wide else "",
        " keep" if keep_with_previous else "",
        FIELD_ID_PREFIX,
        sig.field,
    )


#: Signatures without an opinion of their own in a row kept with what precedes them (the body's last lines, or
#: the block before): three fit on a page with room to spare; a longer chain would not, and WeasyPrint would then
#: leave near-empty pages, so from the fourth on a signature may open a page.
_KEEP_CHAIN: Final = 3


def _memo_signatures(signatures: Sequence[SignatureBlock], digits: str) -> list[SafeString]:
    """The writer's and co-signers' blocks, each without an opinion kept with the one before (up to
    ``_KEEP_CHAIN`` in a row, the writer's with the body's last lines)."""
    blocks = []
    run = 0
    for sig in signatures:
        run = 0 if sig.opinion.strip() else run + 1
        blocks.append(_signature(sig, digits, keep_with_previous=0 < run <= _KEEP_CHAIN))
    return blocks


#: A label longer than this wraps on its own lines instead of sitting on one dotted line.
_LONG_LABEL: Final = 60
#: A decision_text up to this length goes on the "อื่น ๆ" line; longer, on dotted lines below it.
_INLINE_DECISION_TEXT: Final = 28


def _opinion(op: OpinionBlock, digits: str) -> dict[str, Any]:
    if op.signature is not None and op.signature.field:  # the label only: the rest is the signature's block
        return {
            "label": _rich(op.label),
            "long_label": len(op.label) > _LONG_LABEL,
            "role": op.role,
            "field": _signature(op.signature, digits),
        }
    other_text = op.decision_text.strip() if op.decision == "other" else ""
    inline = len(other_text) <= _INLINE_DECISION_TEXT
    choices = []
    if op.role == "decision":
        for value, label in _DECISIONS:
            choices.append(
                {
                    "checked": op.decision == value,
                    "label": label,
                    "text": _rich(other_text) if value == "other" and inline else "",
                    "other": value == "other",
                }
            )
    text = op.text.strip("\n")
    return {
        "label": _rich(op.label),
        "long_label": len(op.label) > _LONG_LABEL,
        "role": op.role,
        "decision": op.role == "decision",
        "choices": choices,
        "decision_block": _rich(other_text) if other_text and not inline else "",
        "text": _rich(text, runt=True) if text.strip() else "",
        "deep": deep_marks(text) or deep_marks(other_text),
        "blank_lines": 2 if op.role == "decision" else 3,
        "signature": _signature(op.signature, digits, dated=True),
    }


def _column_widths(columns: list[str], rows: list[list[str]]) -> list[str]:
    """Column widths in percent, by the square root of each column's mean text length (headers count as one
    cell), at least 7% each: WeasyPrint's automatic layout starves short-text columns of long tables."""
    weights = []
    for j, header in enumerate(columns):
        lengths = [len(header) / 2] + [len(row[j]) for row in rows if j < len(row) and row[j].strip()]
        weights.append(max(sum(lengths) / len(lengths), 1.0) ** 0.5)
    total = sum(weights) or 1.0
    shares = [max(w / total, 0.07) for w in weights]
    scale = 100 / sum(shares)
    return [f"{share * scale:.2f}%" for share in shares]


def _table(table: TableEnclosure, digits: str) -> dict[str, Any]:
    width = len(table.columns)
    rows = [[*row, *[""] * (width - len(row))] if len(row) < width else list(row) for row in table.rows]
    return {
        "anchor": table.anchor,
        "widths": _column_widths(table.columns, rows),
        "title_lines": [_rich(line) for line in table.title_lines],
        "columns": [_rich(c, phrases=False) for c in table.columns],
        # Narrow columns: only SARA AM words are protected, so long dates may wrap rather than overflow.
        "rows": [[_rich(cell.strip("\n"), phrases=False) for cell in row] for row in rows],
        "notes": [
            {
                "heading": _rich(str(note.get("heading", ""))),
                "items": [_rich(str(item)) for item in note.get("items", [])],
            }
            for note in table.notes
        ],
        "reporter": _signature(table.reporter, digits) if table.reporter else "",
        "label": _label(table.number, digits),
    }


def _label(number: int, digits: str) -> str:
    from memos.pdf.overlay import enclosure_label

    return enclosure_label(number, digits) if number else ""


def _image_orientation(path: str) -> str:
    """ "landscape" if the image (after its EXIF rotation) is wider than tall, else "portrait"."""
    with Image.open(path) as img:
        width, height = img.size
        if img.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # rotated by 90 degrees
            width, height = height, width
    return "landscape" if width > height else "portrait"


def _qr_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI (vector: sharp at any zoom and in print; error correction M)."""
    import segno

    svg = segno.make(url, error="m", micro=False).svg_inline(border=1, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _context(doc: MemoDocument) -> dict[str, Any]:
    if doc.digits not in ("thai", "arabic"):
        raise ValueError(f"digits must be 'thai' or 'arabic', got {doc.digits!r}")
    digits = doc.digits
    enclosures = list(doc.enclosure_titles)
    if len(enclosures) > 1:
        enclosure_lines = [_rich(f"{_number(i, digits)}. {t}") for i, t in enumerate(enclosures, 1)]
    else:
        enclosure_lines = [_rich(t) for t in enclosures]
    return {
        "doc": doc,
        "css": _stylesheet(_style(), digits),
        "deep": {
            "department": deep_marks(doc.department),
            "number": deep_marks(doc.number),
            "subject": deep_marks(doc.subject),
        },
        "department": _rich(doc.department),
        "number": _rich(doc.number),
        "date": _nw(format_date_long(doc.date, digits=digits)) if doc.date else "",
        "subject": _rich(doc.subject),
        "addressee": _rich(doc.addressee),
        "enclosure_lines": enclosure_lines,
        "paragraphs": [_rich(p.strip("\n"), runt=True) for p in doc.paragraphs],
        "emblem_uri": Path(doc.emblem_path).resolve().as_uri() if doc.emblem_path else "",
        "qr_uri": _qr_uri(doc.qr_url) if doc.qr_url else "",
        "signatures": _memo_signatures(doc.signatures, digits),
        "opinions": [_opinion(o, digits) for o in doc.opinions],
        "tables": [_table(t, digits) for t in doc.tables],
        "images": [
            {
                "uri": Path(i.path).resolve().as_uri(),
                "orientation": _image_orientation(i.path),
                "anchor": i.anchor,
                "label": _label(i.number, digits),
            }
            for i in doc.images
        ],
    }


def render_html(doc: MemoDocument, *, metadata_title: str | None = None) -> str:
    """The memo as one self-contained HTML string (CSS inlined; images and fonts as file: URLs), with SARA AM
    decomposed. ``weasyprint.HTML(string=...)`` renders it exactly as ``render_memo`` does."""
    token = _KEEP_TOGETHER.set(tuple(n for n in doc.keep_together if 0 < len(n) <= _NOWRAP_MAX))
    try:
        context = _context(doc)
        context["title"] = metadata_title if metadata_title is not None else doc.subject
        html = render_to_string("memos/pdf/memo.html", context)
    finally:
        _KEEP_TOGETHER.reset(token)
    # Everything printed is decomposed (a safety net: the values above already are); the <head> is not, so
    # the PDF's Title and Author metadata keep the text as written.
    head, sep, body = html.partition("</head>")
    return head + sep + decompose_sara_am(body)


def render_memo(
    doc: MemoDocument,
    *,
    pdf_variant: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    metadata_title: str | None = None,
) -> bytes:
    """The memo as PDF bytes: the memo pages (A4 portrait), then each table (landscape), then each image.

    ``attachments``: (filename, content, description) embedded as PDF file attachments; ``pdf_variant`` is
    passed to WeasyPrint (e.g. "pdf/a-3b"); ``metadata_title`` defaults to the subject.
    """
    pdf, _fields = _render(
        doc, pdf_variant=pdf_variant, attachments=attachments, metadata_title=metadata_title
    )
    return pdf


def render_memo_with_fields(
    doc: MemoDocument,
    *,
    pdf_variant: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    metadata_title: str | None = None,
) -> tuple[bytes, list[FieldBox]]:
    """``render_memo``, and where each signature field's empty box landed (blocks with a ``field``)."""
    return _render(doc, pdf_variant=pdf_variant, attachments=attachments, metadata_title=metadata_title)


def _render(
    doc: MemoDocument,
    *,
    pdf_variant: str | None,
    attachments: Sequence[tuple[str, bytes, str]],
    metadata_title: str | None,
) -> tuple[bytes, list[FieldBox]]:
    html = render_html(doc, metadata_title=metadata_title)
    files = [
        weasyprint.Attachment(file_obj=io.BytesIO(content), name=name, description=description or None)
        for name, content, description in attachments
    ]
    with _LOCK, text_layer.active():
        options = {"pdf_variant": pdf_variant, "attachments": files or None}
        document = weasyprint.HTML(string=html).render(font_config=FONT_CONFIG, **options)
        fields = _field_boxes(document)
        pdf = document.write_pdf(**options)
    assert isinstance(pdf, bytes)
    if doc.watermark or doc.secrecy_stamp:
        from memos.pdf.overlay import stamp_pdf

        # On every page, not laid out (see overlay.py): the watermark centred, the secrecy top and bottom.
        pdf = stamp_pdf(pdf, watermark=doc.watermark, secrecy=doc.secrecy_stamp)
    return pdf, fields


_PT_PER_PX: Final = 0.75  # WeasyPrint lays out in CSS pixels; the PDF is in points


def _field_boxes(document: Any) -> list[FieldBox]:
    """Each signature field's empty box, from the laid-out pages (``.sig-field`` never splits, so one box each)."""
    found: list[FieldBox] = []
    for index, page in enumerate(document.pages):
        page_height = page.height
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            ident = element.get("id", "") if element is not None else ""
            if not ident.startswith(FIELD_ID_PREFIX) or getattr(box, "element_tag", "") != "div":
                continue
            x, y = box.border_box_x(), box.border_box_y()
            width, height = box.border_width(), box.border_height()
            x1, x2 = x * _PT_PER_PX, (x + width) * _PT_PER_PX
            y1, y2 = (page_height - y - height) * _PT_PER_PX, (page_height - y) * _PT_PER_PX
            box_pt = (int(-(-x1 // 1)), int(-(-y1 // 1)), int(x2 // 1), int(y2 // 1))
            found.append(FieldBox(ident[len(FIELD_ID_PREFIX) :], index, box_pt))
    names = [f.name for f in found]
    if len(set(names)) != len(names):
        raise ValueError(f"a signature field's box was split across pages: {names}")
    return found
