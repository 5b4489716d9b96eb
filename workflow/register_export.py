"""The register's exports: a CSV that Excel opens in Thai (UTF-8 with a BOM, streamed) and a printable PDF
(A4 landscape, WeasyPrint, the memo PDF's fonts and Thai digits). Both print Thai headings and Buddhist-era
dates whatever the page's language: they are the office's record, as the memo itself is Thai.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration

from core.spreadsheet import spreadsheet_safe
from core.thai import be_year, format_date_short, format_datetime, thai_digits
from memos.models import MemoStatus
from memos.pdf import text_layer
from memos.pdf.render import decompose_sara_am
from workflow.certificate import _font_faces
from workflow.register import RegisterRow

BOM: Final = "\ufeff"
HEADINGS: Final = (
    "ลำดับ",
    "เลขที่หนังสือ",
    "ลงวันที่",
    "เรื่อง",
    "จาก",
    "ผู้เสนอ",
    "ถึง",
    "ชั้นความเร็ว",
    "สถานะ",
    "ผลการพิจารณา",
    "อยู่ที่",
    "ตำแหน่งผู้ถือเรื่อง",
    "จำนวนวัน",
    "ชั้นความลับ",  # last, so the columns before it keep their places in spreadsheets made before it
)
#: A memo's status as the register prints it.
STATUS_TH: Final = {
    MemoStatus.IN_REVIEW: "อยู่ระหว่างเสนอ",
    MemoStatus.RETURNED: "ส่งคืนแก้ไข",
    MemoStatus.COMPLETED: "เสร็จสิ้น",
    MemoStatus.ARCHIVED: "เสร็จสิ้นและจัดเก็บแล้ว",
    MemoStatus.REJECTED: "ยุติเรื่อง",
    MemoStatus.WITHDRAWN: "ถอนเรื่อง",
    MemoStatus.DRAFT: "ร่าง",
}


def be_date_numeric(value: date) -> str:
    """ "2/12/2569": day/month/Buddhist-era year, Arabic digits (what Excel reads as a date in Thai)."""
    return f"{value.day}/{value.month}/{be_year(value.year)}"


def _cells(index: int, row: RegisterRow) -> list[str]:
    return [
        str(index),
        row.number,
        be_date_numeric(row.date) if row.date else "",
        row.subject,
        row.sender,
        row.writer,
        row.addressee,
        row.urgency_th,
        STATUS_TH.get(MemoStatus(row.status), row.status),
        row.outcome_th,
        row.holder,
        row.holder_line,
        "" if row.days_open is None else str(row.days_open),
        row.secrecy_th,
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[RegisterRow], *, title: str) -> Iterator[str]:
    """The CSV, line by line: the BOM and a title line, the Thai headings, then one line per memo.
    Buddhist-era dates, Arabic digits (Excel sorts and sums them)."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([title])
    yield writer.writerow(HEADINGS)
    for index, row in enumerate(rows, 1):
        yield writer.writerow([spreadsheet_safe(c) for c in _cells(index, row)])


# The PDF --------------------------------------------------------------------------------------------------

_FONT_CONFIG: Final = FontConfiguration()
_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class PdfHeading:
    organisation: str
    unit: str  # "" for the whole organisation
    filters: list[str]  # the filter in words, e.g. "ชั้นความเร็ว: ด่วนที่สุด"
    printed_at: datetime
    truncated_at: int | None  # the row limit, when more memos matched


def register_pdf(rows: list[RegisterRow], *, heading: PdfHeading) -> bytes:
    digits = str(getattr(settings, "MEMOFLOW_PDF_DIGITS", "thai"))

    def d(value: object) -> str:
        return thai_digits(value) if digits == "thai" else str(value)

    scale = float(getattr(settings, "MEMOFLOW_PDF_FONT_SCALE", 2 / 3) or 2 / 3)
    lines = [
        {
            "index": d(index),
            "row": row,
            "number": d(row.number),
            "date": format_date_short(row.date, digits=digits) if row.date else "",
            "status": STATUS_TH.get(MemoStatus(row.status), row.status),
            "days": "" if row.days_open is None else d(row.days_open),
        }
        for index, row in enumerate(rows, 1)
    ]
    context: dict[str, Any] = {
        "heading": heading,
        "filters": [d(f) for f in heading.filters],
        "lines": lines,
        "count": d(len(rows)),
        "limit": d(heading.truncated_at) if heading.truncated_at else "",
        "printed": format_datetime(heading.printed_at, digits=digits),
        "family": str(getattr(settings, "MEMOFLOW_PDF_FONT_FAMILY", "Laksaman")),
        "faces": _font_faces(),
        "fs_body": f"{13 * scale:.2f}pt",
        "fs_small": f"{11 * scale:.2f}pt",
        "fs_title": f"{20 * scale:.2f}pt",
        "page_counter": "thai" if digits == "thai" else "decimal",
        "headings": HEADINGS,
    }
    rendered = render_to_string("workflow/register_pdf.html", context)
    head, sep, body = rendered.partition("</head>")
    html = head + sep + decompose_sara_am(body)  # extracted text is the text as written (memos.pdf.render)
    with _LOCK, text_layer.active():
        pdf = weasyprint.HTML(string=html).write_pdf(font_config=_FONT_CONFIG)
    assert isinstance(pdf, bytes)
    return pdf
