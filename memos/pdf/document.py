"""The memo as plain data, ready to print: no database objects, no lookups, nothing left to compute but layout.

The caller (the workflow) fills these from its models: labels, positions, capacity lines and dates are final
text. The renderer only formats what it is given: dates (``date``, ``signed_at``), enclosure numbering and page
numbers, in the document's ``digits``.

``demo_document()`` is the seed memo as such a document (the benchmark's, the docs images' and the tests'
reference); ``seed_report_table()`` reads the seed's report table from workflow/demo_data/seed_report.json.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

#: Values of ``OpinionBlock.role``.
ROLES: Final = ("opinion", "decision")
#: Values of ``OpinionBlock.decision``; "" = not decided yet.
DECISIONS: Final = ("", "acknowledged", "approved", "not_approved", "other")
#: Values of ``MemoDocument.urgency_stamp``.
URGENCY_STAMPS: Final = ("", "ด่วน", "ด่วนมาก", "ด่วนที่สุด")
#: Values of ``MemoDocument.secrecy_stamp`` (memos.secrecy.SECRECY_STAMP).
SECRECY_STAMPS: Final = ("", "ลับ", "ลับมาก", "ลับที่สุด")


@dataclass(frozen=True)
class SignatureBlock:
    name: str  # "นางราชวรี อนุกุล" (printed in parentheses)
    position: str  # the signer's own position: "นักทรัพยากรบุคคล"
    capacity_line: str = ""  # "รักษาการแทนหัวหน้าสำนักปลัด" when signing for another position, else ""
    signed_at: datetime | None = None  # aware datetime; None = not signed yet (blank signature line)
    extra_line: str = ""  # e.g. "ผู้รายงาน"
    # What the signer wrote with their signature, printed above it: a co-signer's opinion ("เห็นควรเสนอ ..."),
    # or why the step sent the memo back or ended it.
    opinion: str = ""
    # The signer's handwritten signature (a transparent PNG on disk), printed instead of the e-signature line
    # when signed; "" = none.
    image_path: str = ""
    # The name of the signature field that carries this block: the page leaves its box empty and the signer's
    # PAdES signature shows the block as its appearance (docs/adr/0007-pdf-signatures.md). "" = printed here.
    field: str = ""
    # The field's box spans the text width (the step may write an opinion or decide); else a signature's width.
    field_wide: bool = False


@dataclass(frozen=True)
class FieldBox:
    """Where the renderer left a signature field's box: the 0-based page and (x1, y1, x2, y2) in PDF points from
    the page's bottom-left corner, rounded inwards to whole points."""

    name: str
    page: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class OpinionBlock:
    label: str  # "ความเห็นปลัด อบต.หนองโสน" or "ข้อสั่งการนายก อบต.หนองโสน" (computed by the caller)
    role: str  # "opinion" | "decision"
    text: str = ""  # the opinion or order text (may be empty, long, or contain newlines)
    decision: str = ""  # "", "acknowledged", "approved", "not_approved", "other"
    decision_text: str = ""  # with decision == "other": e.g. "มอบกองคลังดำเนินการ"
    signature: SignatureBlock | None = None


@dataclass(frozen=True)
class TableEnclosure:
    title_lines: list[str]
    columns: list[str]
    rows: list[list[str]]  # cells may contain "\n" for separate lines
    notes: list[dict[str, Any]] = field(default_factory=list)  # [{"heading": str, "items": [str]}]
    reporter: SignatureBlock | None = None
    anchor: str = ""  # a named destination on the table's first page (lets a caller find its pages)
    number: int = 0  # its number in the memo's list of enclosures: labelled "สิ่งที่ส่งมาด้วย ๑"; 0 = no label


@dataclass(frozen=True)
class ImageEnclosure:
    path: str  # a PNG/JPEG file on disk, fitted to an A4 page (landscape if wider than tall)
    anchor: str = ""  # a named destination on the image's page
    number: int = 0  # its number in the memo's list of enclosures: labelled "สิ่งที่ส่งมาด้วย ๑"; 0 = no label


@dataclass(frozen=True)
class MemoDocument:
    organisation_short_name: str  # "อบต.หนองโสน"
    department: str  # "งานประชาสัมพันธ์ สำนักปลัด องค์การบริหารส่วนตำบลหนองโสน โทร. ๐-๓๒๔๐-๐๐๕๒"
    number: str  # "พบ ๓๒๘๐๑/๑๒๓" or "" (draft)
    date: date | None
    subject: str
    addressee: str  # "นายกองค์การบริหารส่วนตำบลหนองโสน"
    enclosure_titles: list[str]  # lines for สิ่งที่ส่งมาด้วย (numbered when more than one)
    paragraphs: list[str]
    urgency_stamp: str = ""  # "", "ด่วน", "ด่วนมาก", "ด่วนที่สุด" (printed prominently, top)
    emblem_path: str | None = None  # an uploaded image; None = neutral placeholder box (never a Garuda)
    signatures: list[SignatureBlock] = field(default_factory=list)  # writer first, then co-signers
    opinions: list[OpinionBlock] = field(default_factory=list)  # in route order; the decision last
    tables: list[TableEnclosure] = field(default_factory=list)  # appended after the memo (landscape)
    images: list[ImageEnclosure] = field(default_factory=list)  # appended after the tables
    watermark: str = ""  # "ร่าง" for a draft preview, "ระหว่างเสนอ" in review (memos/pdf/overlay.py)
    digits: str = "thai"  # "thai" | "arabic": digits the renderer prints (dates, numbering, page numbers)
    keep_together: tuple[str, ...] = ()  # proper names a line must never split: the organisation, its units
    # The address the QR code in the first page's bottom-right margin carries (/verify/?memo=…&rev=…); "" = none.
    qr_url: str = ""
    # ชั้นความลับ: "", "ลับ", "ลับมาก", "ลับที่สุด", stamped at the top and bottom centre of every page, uploaded
    # enclosures' included (memos/pdf/overlay.py); "" = not classified, nothing printed.
    secrecy_stamp: str = ""


#: The demo memo's day (5 October 2566, Bangkok time); signing times are set on it.
BANGKOK_DEMO_DAY: Final = datetime(2023, 10, 5, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Bangkok"))

#: The seed's report table (workflow/demo_data/seed_report.json), relative to the project root.
SEED_REPORT_PATH: Final = Path(__file__).resolve().parents[2] / "workflow" / "demo_data" / "seed_report.json"


def seed_report_table(path: Path = SEED_REPORT_PATH) -> TableEnclosure:
    """The seed memo's enclosure (the report table) as a ``TableEnclosure``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    reporter = data.get("reporter")
    return TableEnclosure(
        title_lines=list(data["title"]),
        columns=list(data["columns"]),
        rows=[list(row) for row in data["rows"]],
        notes=list(data.get("notes", [])),
        reporter=(
            SignatureBlock(
                name=reporter["name"], position=reporter["position"], extra_line=reporter.get("role", "")
            )
            if reporter
            else None
        ),
    )


def demo_document(*, digits: str = "thai", watermark: str = "", with_table: bool = True) -> MemoDocument:
    """The seed memo (000_55a4298fb62d7a1c) as a signed, decided document: the benchmark's, the docs images'
    and the tests' reference document. Fixed values, so renders are comparable across runs."""
    at = BANGKOK_DEMO_DAY
    return MemoDocument(
        organisation_short_name="อบต.หนองโสน",
        keep_together=("องค์การบริหารส่วนตำบลหนองโสน", "อบต.หนองโสน", "งานประชาสัมพันธ์", "สำนักปลัด"),
        department="งานประชาสัมพันธ์ สำนักปลัด องค์การบริหารส่วนตำบลหนองโสน โทร. ๐-๓๒๔๐-๐๐๕๒",
        number="พบ ๓๒๘๐๑/๒๕๖๖",
        date=date(2023, 10, 5),
        subject=(
            "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในองค์การบริหารส่วนตำบลหนองโสน "
            "ประจำปีงบประมาณ พ.ศ.๒๕๖๖"
        ),
        addressee="นายกองค์การบริหารส่วนตำบลหนองโสน",
        enclosure_titles=[
            "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในองค์การบริหารส่วนตำบลหนองโสน "
            "ประจำปีงบประมาณ ๒๕๖๖"
        ],
        paragraphs=[
            "ตามที่ได้ดำเนินการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานขององค์การบริหารส่วนตำบล"
            "หนองโสน ประจำปีงบประมาณ พ.ศ.๒๕๖๖ โดยได้มีการขับเคลื่อนมาตรการส่งเสริมคุณธรรมและความโปร่งใสในหน่วยงาน "
            "เพื่อเป็นการลดโอกาสหรือลดความเสี่ยงที่จะเกิดการทุจริตหรือประพฤติมิชอบของเจ้าหน้าที่ฯ "
            "ผลการเข้าร่วมประเมินคุณธรรมและความโปร่งใสในการดำเนินการของหน่วยงานภาครัฐฯ องค์การบริหารส่วนตำบลหนองโสน "
            "มีผลการประเมินอยู่ในระดับ “ผ่านดี” คะแนนการประเมินฯ ในปีนี้ถือได้ว่าเป็นส่วนหนึ่งที่จะกระตุ้นให้องค์กร"
            "มีการพัฒนาให้เกิดการ “เติบโต” ในด้านคุณธรรมและความโปร่งใสขององค์การบริหารส่วนตำบลหนองโสน ต่อไป",
            "งานประชาสัมพันธ์ สำนักปลัด องค์การบริหารส่วนตำบลหนองโสน จึงขอรายงานผลการดำเนินการตามมาตรการ"
            "เพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงานประจำปีงบประมาณ พ.ศ.๒๕๖๖ ดังรายละเอียดแนบท้ายนี้",
            "จึงเรียนมาเพื่อโปรดทราบ",
        ],
        signatures=[
            SignatureBlock(
                name="นางสาวรุจภา โฉมประดิษฐ์",
                position="ผู้ช่วยนักประชาสัมพันธ์",
                signed_at=at.replace(hour=9, minute=5),
            ),
            SignatureBlock(
                name="นางราชวรี อนุกุล",
                position="นักทรัพยากรบุคคล",
                capacity_line="รักษาการแทนหัวหน้าสำนักปลัด",
                signed_at=at.replace(hour=10, minute=40),
            ),
        ],
        opinions=[
            OpinionBlock(
                label="ความเห็นปลัด อบต.หนองโสน",
                role="opinion",
                text="เรียน นายก อบต.หนองโสน\nเพื่อโปรดทราบผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส "
                "ประจำปีงบประมาณ พ.ศ.๒๕๖๖ และเห็นควรให้งานประชาสัมพันธ์เผยแพร่ทางเว็บไซต์ของ อบต.หนองโสน",
                signature=SignatureBlock(
                    name="นายนาฏ วงศ์ทองดี",
                    position="ปลัดองค์การบริหารส่วนตำบลหนองโสน",
                    signed_at=at.replace(hour=14, minute=20),
                ),
            ),
            OpinionBlock(
                label="ข้อสั่งการนายก อบต.หนองโสน",
                role="decision",
                text="ให้เผยแพร่ตามเสนอ",
                decision="acknowledged",
                signature=SignatureBlock(
                    name="นายยุทธนา เมืองเล็ก",
                    position="นายกองค์การบริหารส่วนตำบลหนองโสน",
                    signed_at=at.replace(day=6, hour=9, minute=15),
                ),
            ),
        ],
        tables=[_signed_report(at.replace(hour=9, minute=5))] if with_table else [],
        watermark=watermark,
        digits=digits,
    )


def _signed_report(signed_at: datetime) -> TableEnclosure:
    """The seed's report as the archived memo prints it: enclosure ๑, its reporter (the writer) signed when
    the writer signed the memo (workflow.pdf._reporter)."""
    table = seed_report_table()
    reporter = table.reporter
    return TableEnclosure(
        title_lines=table.title_lines,
        columns=table.columns,
        rows=table.rows,
        notes=table.notes,
        reporter=SignatureBlock(
            name=reporter.name,
            position=reporter.position,
            extra_line=reporter.extra_line,
            signed_at=signed_at,
        )
        if reporter
        else None,
        number=1,
    )
