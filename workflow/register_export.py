"""The register's exports: a CSV that Excel opens in Thai (UTF-8 with a BOM, streamed) and a printable PDF
(A4 landscape, WeasyPrint, the memo PDF's fonts and Thai digits). Both print Thai headings and Buddhist-era
dates whatever the page's language: they are the office's record, as the memo itself is Thai.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from django.conf import settings
from django.template.loader import render_to_string

from core.spreadsheet import spreadsheet_safe
from core.thai import be_year, format_date_short, format_datetime, thai_digits, to_bangkok
from memos.models import MemoStatus
from workflow import pdf_documents
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
    "กำหนด",  # issue 13: the due time of the step in hand
    "เกินกำหนด (วันทำการ)",
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


def due_numeric(value: datetime) -> str:
    """ "4/12/2569 16:30": a due time as the CSV prints it (Bangkok time, Buddhist-era year)."""
    local = to_bangkok(value)
    return f"{be_date_numeric(local.date())} {local:%H:%M}"


def due_thai(value: datetime, *, digits: str) -> str:
    """ "๔ ธ.ค. ๒๕๖๙ ๑๖.๓๐ น.": a due time as the PDF prints it."""
    local = to_bangkok(value)
    text = f"{format_date_short(local, digits='arabic')} {local.hour:02d}.{local.minute:02d} น."
    return thai_digits(text) if digits == "thai" else text


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
        due_numeric(row.due.due_at) if row.due else "",
        str(row.due.overdue_days) if row.due and row.due.overdue else "",
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

    scale = pdf_documents.font_scale()
    lines = [
        {
            "index": d(index),
            "row": row,
            "number": d(row.number),
            "date": format_date_short(row.date, digits=digits) if row.date else "",
            "status": STATUS_TH.get(MemoStatus(row.status), row.status),
            "days": "" if row.days_open is None else d(row.days_open),
            "due": due_thai(row.due.due_at, digits=digits) if row.due else "",
            "overdue": d(row.due.overdue_days) if row.due and row.due.overdue else "",
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
        "family": pdf_documents.font_family(),
        "faces": pdf_documents.font_faces(),
        "fs_body": f"{13 * scale:.2f}pt",
        "fs_small": f"{11 * scale:.2f}pt",
        "fs_title": f"{20 * scale:.2f}pt",
        "page_counter": "thai" if digits == "thai" else "decimal",
        "headings": HEADINGS,
    }
    return pdf_documents.write_pdf(
        pdf_documents.readable(render_to_string("workflow/register_pdf.html", context))
    )
