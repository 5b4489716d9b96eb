"""The visible appearance of a step's signature: a one-page PDF of exactly the field's size, laid out by
WeasyPrint (Pango + libthai shape and break the Thai; pyHanko's own text layout shapes Thai only with HarfBuzz
and does not break lines at Thai word boundaries), then imported by pdf_signing as the field's appearance stream.

Standalone on purpose (signatures imports nothing from memos): the same font settings as the memo
(MEMOFLOW_PDF_FONT_FAMILY, MEMOFLOW_PDF_FONT_SCALE, MEMOFLOW_PDF_FONT_FILES), a small template of its own.
Every string comes formatted (Thai date, capacity line): this module formats nothing.
"""

import base64
import threading
from dataclasses import dataclass
from typing import Final

import weasyprint
from django.conf import settings
from django.utils.html import escape
from PIL import ImageFile
from weasyprint.text.fonts import FontConfiguration

ImageFile.LOAD_TRUNCATED_IMAGES = False  # importing WeasyPrint switches it on for the whole process

_FONT_CONFIG: Final = FontConfiguration()  # one per process: its cache saves ~0.2 s per render
_LOCK: Final = threading.Lock()
OFFICIAL_SIZE_PT: Final = 16  # the memo's body size in TH Sarabun points (scaled for Laksaman)
SIGNATURE_WIDTH_PT: Final = 269  # 9.5 cm: the memo's signature block (memos/pdf memo.css ``.sig``)


@dataclass(frozen=True)
class StepBlock:
    """What a step's block prints, top to bottom: the opinion or decision, the signature image, (name),
    position, capacity line (e.g. รักษาราชการแทน ...), the Thai date. All already formatted."""

    name: str
    position: str
    date: str
    opinion: str = ""
    capacity: str = ""
    signature_png: bytes | None = None


def _font_faces() -> str:
    files: dict[str, str] | None = settings.MEMOFLOW_PDF_FONT_FILES
    if not files:
        return ""
    family = settings.MEMOFLOW_PDF_FONT_FAMILY
    rules = []
    for key, weight, style in (
        ("regular", "normal", "normal"),
        ("bold", "bold", "normal"),
        ("italic", "normal", "italic"),
        ("bold_italic", "bold", "italic"),
    ):
        if files.get(key):
            rules.append(
                f'@font-face {{ font-family: "{family}"; src: url("file://{files[key]}"); '
                f"font-weight: {weight}; font-style: {style}; }}"
            )
    return "\n".join(rules)


#: Text sizes tried, largest first, as fractions of the official size: 70 % of TH Sarabun 16 is 11.2 pt, the
#: smallest the ADR accepts as legible on A4 (docs/adr/0007-pdf-signatures.md).
FIT_SCALES: Final = (1.0, 0.85, 0.7)


def block_html(block: StepBlock, *, width: int, height: int, scale: float = 1.0) -> str:
    size = OFFICIAL_SIZE_PT * float(settings.MEMOFLOW_PDF_FONT_SCALE) * scale
    image = ""
    if block.signature_png:
        data = base64.b64encode(block.signature_png).decode()
        image = f'<img class="sig" src="data:image/png;base64,{data}" alt="">'
    else:
        image = '<div class="esig">ลงนามอิเล็กทรอนิกส์</div>'
    opinion = f'<div class="opinion">{escape(block.opinion)}</div>' if block.opinion else ""
    lines = [f'<div class="signed">{image}</div>']
    lines.append(f'<div class="nowrap">({escape(block.name)})</div>')
    lines.append(f"<div>{escape(block.position)}</div>")
    if block.capacity:
        lines.append(f"<div>{escape(block.capacity)}</div>")
    lines.append(f'<div class="nowrap">{escape(block.date)}</div>')
    # The signature's lines sit where the paper memo prints them: a column of SIGNATURE_WIDTH_PT at the right
    # of a wide box (under the opinion), the whole box when it is that narrow.
    body = f'{opinion}<div class="lines">{"".join(lines)}</div>'
    return f"""<!doctype html><html lang="th"><head><meta charset="utf-8"><style>
{_font_faces()}
@page {{ size: {width}pt {height}pt; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "{settings.MEMOFLOW_PDF_FONT_FAMILY}", "DejaVu Sans", sans-serif; font-size: {size:.2f}pt;
  line-height: 1.3; color: #000; }}
.opinion {{ text-align: left; white-space: pre-wrap; overflow-wrap: anywhere; margin-bottom: 2pt; }}
.signed, div {{ text-align: center; }}
.opinion {{ text-align: left; }}
.sig {{ max-height: {2.2 * size:.1f}pt; max-width: 60%; }}
.esig {{ font-size: {0.8 * size:.2f}pt; color: #333; }}
.nowrap {{ white-space: nowrap; }}
.lines {{ width: {min(width, SIGNATURE_WIDTH_PT)}pt; margin-left: auto; }}
</style></head><body>{body}</body></html>"""


def exclusive() -> threading.Lock:
    """The lock every WeasyPrint layout in this process takes. A request that forks a render child (the memo's
    PDF at submit, workflow.pdf.render_signing_pdf) holds it across the fork, so that no other thread of a
    threaded server is inside Pango or fontconfig, holding their internal locks, when the child is forked."""
    return _LOCK


def render_block(block: StepBlock, *, width: int, height: int, scale: float = 1.0) -> bytes:
    """The block as a one-page PDF of width × height points (the field's box), text at `scale` × the
    official size. Text that does not fit is not clipped silently: `BlockOverflow`."""
    html = block_html(block, width=width, height=height, scale=scale)
    with _LOCK:
        document = weasyprint.HTML(string=html).render(font_config=_FONT_CONFIG)
        if len(document.pages) != 1:
            raise BlockOverflow(len(document.pages))
        return bytes(document.write_pdf())


def fit_block(block: StepBlock, *, width: int, height: int) -> bytes:
    """The block at the largest of FIT_SCALES that fits the box (BlockOverflow when even the smallest does
    not: the opinion form refuses such a text before anyone signs, ADR 0007)."""
    for scale in FIT_SCALES[:-1]:
        try:
            return render_block(block, width=width, height=height, scale=scale)
        except BlockOverflow:
            continue
    return render_block(block, width=width, height=height, scale=FIT_SCALES[-1])


class BlockOverflow(ValueError):
    """The block needs more than the field's box."""

    def __init__(self, pages: int) -> None:
        super().__init__(f"the step's block needs {pages} boxes of the field's size")
        self.pages = pages
