"""What the workflow's own printed documents share (the certificate of completion, a memo's history, the
register): the font faces WeasyPrint embeds, the document's Thai text decomposed so that it reads back as written,
and one WeasyPrint render at a time in the process with one font configuration (its cache saves about 0.2 s a
render). The memo itself is rendered by memos.pdf."""

import threading
from pathlib import Path
from typing import Any, Final

import weasyprint
from django.conf import settings
from weasyprint.text.fonts import FontConfiguration

from memos.pdf import text_layer
from memos.pdf.overlay import SECRECY_BOTTOM_CM, SECRECY_COLOUR, SECRECY_SIZE, SECRECY_TOP_CM
from memos.pdf.render import decompose_sara_am
from memos.secrecy import secrecy_stamp

_FONT_CONFIG: Final = FontConfiguration()
_LOCK: Final = threading.Lock()

_WEIGHTS = {
    "regular": ("normal", "normal"),
    "bold": ("bold", "normal"),
    "italic": ("normal", "italic"),
    "bold_italic": ("bold", "italic"),
}


def font_family() -> str:
    return str(getattr(settings, "MEMOFLOW_PDF_FONT_FAMILY", "Laksaman"))


def font_faces() -> list[dict[str, str]]:
    """The `@font-face` sources of MEMOFLOW_PDF_FONT_FILES (regular, bold, italic, bold italic), as file URIs."""
    files: dict[str, str] = getattr(settings, "MEMOFLOW_PDF_FONT_FILES", None) or {}
    return [
        {"src": Path(path).resolve().as_uri(), "weight": _WEIGHTS[key][0], "style": _WEIGHTS[key][1]}
        for key, path in sorted(files.items())
        if key in _WEIGHTS
    ]


def font_scale() -> float:
    return float(getattr(settings, "MEMOFLOW_PDF_FONT_SCALE", 2 / 3) or 2 / 3)


def page_margin(margins_mm: tuple[float, float, float, float]) -> str:
    """ "20mm 20mm 22mm 25mm": the `@page` margin of (top, right, bottom, left)."""
    return " ".join(f"{value:g}mm" for value in margins_mm)


def secrecy_mark(secrecy: str, *, margins_mm: tuple[float, float, float, float]) -> dict[str, str] | None:
    """How a document printed from a classified memo (the certificate, the history) carries its class: the
    words ("ลับมาก"), at the top and bottom centre of every page as on the memo itself (memos.pdf.overlay: the
    same size, weight, colour and distance from the edges), for a page whose margins are `margins_mm` (top,
    right, bottom, left). None for an unclassified memo. The template places it with fixed boxes
    (workflow/_pdf_secrecy.html), which WeasyPrint repeats on every page."""
    words = secrecy_stamp(secrecy)
    if not words:
        return None
    top, right, bottom, left = margins_mm
    edge_mm = SECRECY_TOP_CM * 10
    return {
        "words": words,
        "size": f"{SECRECY_SIZE * font_scale():.2f}pt",
        "colour": SECRECY_COLOUR,
        "top": f"{edge_mm - top:.1f}mm",
        "bottom": f"{SECRECY_BOTTOM_CM * 10 - bottom:.1f}mm",
        "left": f"{-left:.1f}mm",
        "right": f"{-right:.1f}mm",
    }


def readable(html: str) -> str:
    """The page's body with its Thai decomposed as memos.pdf.render does, so that extracted text is the text as
    written; the head (styles) untouched."""
    head, sep, body = html.partition("</head>")
    return head + sep + decompose_sara_am(body)


def write_pdf(html: str, **options: Any) -> bytes:
    """Render `html` (WeasyPrint's `write_pdf` options passed on), one render at a time in this process."""
    with _LOCK, text_layer.active():
        pdf = weasyprint.HTML(string=html).write_pdf(font_config=_FONT_CONFIG, **options)
    assert isinstance(pdf, bytes)
    return pdf
