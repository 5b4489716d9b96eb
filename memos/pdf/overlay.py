"""Marks stamped onto finished pages: the watermark ("ร่าง", "ระหว่างเสนอ"), the secrecy class ("ลับ", "ลับมาก",
"ลับที่สุด", top and bottom centre) and the enclosure label.

The watermark is not laid out with the memo (a ``position: fixed`` box is placed in each page's *page area*,
whose margins differ between the memo's portrait pages and the landscape table and image pages, so it could
not be centred on all of them), and uploaded PDF pages are never laid out at all. So every page is stamped
after rendering instead, the same way: an overlay page is made with WeasyPrint (the memo's own fonts and
stylesheet, so Thai is shaped and extracted as in the memo) at the size of the page *as it is shown* (its
crop box, turned by its /Rotate), with the watermark centred in it and, on the first page of an uploaded
enclosure, the label "สิ่งที่ส่งมาด้วย ๑" in the top right margin; it is merged over the page with pypdf,
turned back into the page's own coordinates.

The overlay is drawn with the Multiply blend mode: on white paper the light grey shows, and whatever the page
prints (black text, a scanned photograph) stays as dark as it was under it, so nothing is hidden. Overlays
are cached per (page size, rotation, marks), so a worker renders each kind once.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from django.utils.html import conditional_escape
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, RectangleObject, StreamObject

from core.thai import thai_digits
from memos.pdf.defang import resource_dict

#: Watermark of a draft or returned memo (a preview: large, the draft's grey).
DRAFT: Final = "ร่าง"
#: Watermark of a memo in review: legitimately read and signed, so lighter and smaller than the draft's.
IN_REVIEW: Final = "ระหว่างเสนอ"
#: Size (official points, times the font scale) and colour of each watermark; others get the draft's look.
WATERMARK_LOOK: Final = {DRAFT: (240, "#d6d6d6"), IN_REVIEW: (110, "#e2e2e2")}
#: Where the label sits, from the top right corner of the page as shown (in the margin of most pages).
LABEL_TOP_CM: Final = 0.5
LABEL_RIGHT_CM: Final = 1.5
#: Degrees the watermark rises from left to right (about the diagonal of a landscape A4 page).
WATERMARK_ANGLE: Final = 35
#: Thai letters sit low in their line box (the font's ascent leaves room for stacked marks): the watermark is
#: lifted by this much of its size along its own vertical, so that its ink, not its box, is centred (measured:
#: Laksaman's "ร่าง" ink is 0.11 em below its box's centre).
WATERMARK_LIFT_EM: Final = 0.11
_BLEND: Final = "/MemoflowMultiply"
#: The secrecy class (ระเบียบว่าด้วยการรักษาความลับของทางราชการ: at the top and bottom centre of every page, larger
#: than the text, red): its size in official points (times the font scale; the body is 16, a bold label 20),
#: its colour, and the distance of its line box from the top and from the bottom edge of the page as shown
#: (Thai stacked marks reach above the line box: the ink starts 3.8 mm from the edge, inside what office
#: printers print). In the memo's 1.5 cm top margin it stays 3.8 pt above the page number "- ๒ -", which a
#: classified memo sets lower (memo.html).
SECRECY_SIZE: Final = 20
SECRECY_COLOUR: Final = "#c00000"
SECRECY_TOP_CM: Final = 0.5
SECRECY_BOTTOM_CM: Final = 0.5


def enclosure_label(number: int, digits: str = "thai") -> str:
    """ "สิ่งที่ส่งมาด้วย ๑": the label of the enclosure numbered ``number`` in the memo's list."""
    return f"สิ่งที่ส่งมาด้วย {thai_digits(number) if digits == 'thai' else number}"


def stamp_pdf(pdf: bytes, *, watermark: str, secrecy: str = "") -> bytes:
    """``pdf`` with ``watermark`` centred on every page and the ``secrecy`` class at the top and bottom centre
    of every page (its catalog, destinations and metadata kept)."""
    if not watermark and not secrecy:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    stamp_pages(writer, range(len(writer.pages)), watermark=watermark, secrecy=secrecy)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_pages(
    writer: PdfWriter, pages: Iterable[int], *, watermark: str = "", label: str = "", secrecy: str = ""
) -> None:
    """Stamp ``watermark`` and ``secrecy`` on each page of ``writer`` numbered in ``pages`` (0-based), and
    ``label`` on the first of them: an uploaded enclosure's pages, as ``append_defanged_pages`` appended them."""
    for position, index in enumerate(pages):
        page_label = label if position == 0 else ""
        if watermark or page_label or secrecy:
            _stamp(writer.pages[index], watermark=watermark, label=page_label, secrecy=secrecy)


def _stamp(page: PageObject, *, watermark: str, label: str, secrecy: str = "") -> None:
    box = RectangleObject(page.cropbox)  # the media box when there is no crop box (pypdf)
    xs, ys = sorted((float(box[0]), float(box[2]))), sorted((float(box[1]), float(box[3])))
    x0, y0, width, height = xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]
    rotation = int(page.rotation) % 360  # inherited and indirect values resolved by pypdf
    rotation = rotation if rotation in (90, 180, 270) else 0
    shown_width, shown_height = (height, width) if rotation in (90, 270) else (width, height)
    from memos.pdf.render import _style

    made = _overlay(_style(), round(shown_width, 2), round(shown_height, 2), watermark, label, secrecy)
    mark = PdfReader(io.BytesIO(made)).pages[0]
    if watermark:  # a label or a secrecy class alone is text in the margin: no blending needed
        mark = _multiply(mark)
    page.merge_transformed_page(mark, _matrix(rotation, x0, y0, width, height), over=True)


_Matrix = tuple[float, float, float, float, float, float]


def _matrix(rotation: int, x0: float, y0: float, width: float, height: float) -> _Matrix:
    """The matrix from the overlay's coordinates (the page as shown) to the page's own: a viewer turns the
    page clockwise by /Rotate, so the overlay is turned the other way and moved back onto the crop box."""
    if rotation == 90:
        return (0, 1, -1, 0, x0 + width, y0)
    if rotation == 180:
        return (-1, 0, 0, -1, x0 + width, y0 + height)
    if rotation == 270:
        return (0, -1, 1, 0, x0, y0 + height)
    return (1, 0, 0, 1, x0, y0)


def _multiply(page: PageObject) -> PageObject:
    """``page`` (an overlay) drawn with the Multiply blend mode (PDF 2.0, 11.3.5)."""
    states = resource_dict(page, "/ExtGState")
    states[NameObject(_BLEND)] = DictionaryObject(
        {NameObject("/Type"): NameObject("/ExtGState"), NameObject("/BM"): NameObject("/Multiply")}
    )
    contents = page["/Contents"].get_object()  # WeasyPrint writes one content stream per page
    assert isinstance(contents, StreamObject)
    contents.set_data(f"{_BLEND} gs\n".encode() + contents.get_data())
    return page


@lru_cache(maxsize=32)
def _overlay(
    style: object, width: float, height: float, watermark: str, label: str, secrecy: str = ""
) -> bytes:
    """One page of ``width`` x ``height`` points: ``watermark`` across its centre, ``label`` top right,
    ``secrecy`` at the top and bottom centre. ``style`` (render._Style, the font settings) is part of the
    cache key."""
    import weasyprint  # here, not at import: web processes import this module's constants, never render

    from memos.pdf import text_layer
    from memos.pdf.render import _LOCK, FONT_CONFIG, _stylesheet, decompose_sara_am

    size, colour = WATERMARK_LOOK.get(watermark, WATERMARK_LOOK[DRAFT])
    scale = getattr(style, "scale", 1.0)
    css = (
        f"@page {{ size: {width}pt {height}pt; margin: 0; @top-center {{ content: none; }} }}\n"
        f".mark-page {{ position: absolute; left: 0; top: 0; width: {width}pt; height: {height}pt;"
        " display: flex; align-items: center; justify-content: center; }\n"
        f".mark-watermark {{ font-size: {size * scale:.3f}pt; color: {colour}; transform: rotate(-{WATERMARK_ANGLE}deg) translateY(-{WATERMARK_LIFT_EM}em); }}\n"
        f".enc-label {{ top: {LABEL_TOP_CM}cm; right: {LABEL_RIGHT_CM}cm; }}\n"
        f".mark-secrecy {{ position: absolute; left: 0; width: {width}pt; text-align: center; line-height: 1;"
        f" font-size: {SECRECY_SIZE * scale:.3f}pt; font-weight: bold; color: {SECRECY_COLOUR}; white-space: nowrap; }}\n"
        f".mark-secrecy.top {{ top: {SECRECY_TOP_CM}cm; }}\n"
        f".mark-secrecy.bottom {{ bottom: {SECRECY_BOTTOM_CM}cm; }}\n"
    )
    parts = ['<div class="mark-page">']
    if watermark:
        parts.append(f'<div class="mark-watermark">{conditional_escape(decompose_sara_am(watermark))}</div>')
    parts.append("</div>")
    if label:
        parts.append(f'<div class="enc-label">{conditional_escape(decompose_sara_am(label))}</div>')
    if secrecy:
        text = conditional_escape(decompose_sara_am(secrecy))
        parts.append(
            f'<div class="mark-secrecy top">{text}</div><div class="mark-secrecy bottom">{text}</div>'
        )
    html = (
        '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8">'
        f"<style>{_stylesheet(style, 'thai')}\n{css}</style></head><body>{''.join(parts)}</body></html>"
    )
    with _LOCK, text_layer.active():
        pdf = weasyprint.HTML(string=html).write_pdf(font_config=FONT_CONFIG)
    assert isinstance(pdf, bytes)
    return pdf
