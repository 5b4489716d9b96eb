"""A memo's full history as a PDF (ประวัติการดำเนินการ): the history page's content (workflow.history) laid out on A4
in Thai with Thai digits, with the fonts, text layer and WeasyPrint settings of the certificate of completion
(workflow.certificate), so that the text extracted from the PDF is the text as written.

Rendered on request, not by the render worker: it is the history as it stands when it is downloaded (every event
changes it) and holds text only; still, WeasyPrint with the Thai text layer takes 3-4 s for a memo of two to four
rounds on the shared 2-vCPU machine (docs/performance.md), one render at a time per process. If auditors download
it often, it belongs in the render worker like the memo's PDF.
"""

from datetime import datetime
from typing import Final

from django.template.loader import render_to_string
from django.utils import translation

from memos.models import Memo
from workflow import pdf_documents
from workflow.history import MemoHistory, when_text

TITLE = "ประวัติการดำเนินการของบันทึกข้อความ"
#: The page margins in mm (top, right, bottom, left).
PAGE_MARGINS_MM: Final = (18.0, 18.0, 20.0, 22.0)


def history_filename(memo: Memo) -> str:
    """ "ประวัติ พบ ๓๒๘๐๑-๑.pdf" (the memo's id before it has a number)."""
    return f"ประวัติ {(memo.number or str(memo.pk)).replace('/', '-')}.pdf"


def history_html(found: MemoHistory, *, printed_at: datetime) -> str:
    """The document as HTML. Always Thai (the organisation's record), whatever the reader's page language."""
    scale = pdf_documents.font_scale()
    with translation.override("th"):
        context = {
            "title": TITLE,
            "h": found,
            "memo": found.memo,
            "number": found.memo.number,
            "printed": when_text(printed_at, digits="thai"),
            "family": pdf_documents.font_family(),
            "faces": pdf_documents.font_faces(),
            "fs_body": f"{14 * scale:.2f}pt",
            "fs_small": f"{12 * scale:.2f}pt",
            "fs_code": f"{11 * scale:.2f}pt",
            "fs_title": f"{20 * scale:.2f}pt",
            "page_margin": pdf_documents.page_margin(PAGE_MARGINS_MM),
            "secrecy": pdf_documents.secrecy_mark(found.memo.secrecy, margins_mm=PAGE_MARGINS_MM),
        }
        html = render_to_string("workflow/history_pdf.html", context)
    return pdf_documents.readable(html)


def render_history_pdf(found: MemoHistory, *, printed_at: datetime) -> bytes:
    return pdf_documents.write_pdf(history_html(found, printed_at=printed_at))
