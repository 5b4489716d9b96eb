"""The stress memo: a document built to push the memo layout to its limits (issue 9), for the layout tests and
``scripts/bench_pdf.py --stress``.

``stress_document()`` is a ``MemoDocument`` with a 300-character subject, 40 mixed paragraphs (Thai; Thai with
English words and numbers; short and long), and 8 route steps whose signers each wrote about 600 characters:
the writer, three co-signers (their opinions are printed inside their signature blocks), three opinion blocks
and the decision, the last two not signed yet. ``write_stress_enclosures(directory)`` writes the uploaded
enclosures a memo carries on disk: a foreign two-page PDF (one page landscape, text in a non-embedded
Helvetica, as office software writes it) and a PNG photo. The workflow turns them into a full render
(``workflow.pdf.render_pdf``) in ``tests.builders.stress_render_input``.

Fixed values (no randomness), so renders are comparable across runs.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from memos.pdf.document import BANGKOK_DEMO_DAY, ImageEnclosure, MemoDocument, OpinionBlock, SignatureBlock

ORGANISATION: Final = "องค์การบริหารส่วนตำบลหนองโสน"
#: Characters of every signer's opinion, of the subject, and the number of body paragraphs.
OPINION_CHARS: Final = 600
SUBJECT_CHARS: Final = 300
PARAGRAPHS: Final = 40

_THAI: Final = (
    "ตามที่องค์การบริหารส่วนตำบลหนองโสนได้ดำเนินโครงการส่งเสริมคุณธรรมและความโปร่งใสในหน่วยงาน",
    "โดยมีวัตถุประสงค์เพื่อให้บุคลากรทุกคนได้รับทราบแนวทางการปฏิบัติงานที่ถูกต้องตามระเบียบ",
    "ผู้อยู่อาศัยในพื้นที่ได้ให้ข้อมูลเพิ่มเติมเกี่ยวกับการใช้น้ำประปาและการระบายน้ำในฤดูฝน",
    "สำนักปลัดจึงขอเสนอให้มีการประชุมคณะทำงานเพื่อพิจารณาแผนการดำเนินงานในปีงบประมาณถัดไป",
    "ทั้งนี้ได้ประสานงานกับกองคลังและกองช่างเพื่อจัดเตรียมเอกสารประกอบการพิจารณาไว้เรียบร้อยแล้ว",
    "ปู่ย่าตายายในชุมชนฝั่งตะวันออกได้ร่วมกิจกรรมที่ศาลาประชาคมหมู่ที่ ๗ อย่างพร้อมเพรียง",
)
_MIXED: Final = (
    "ระบบ e-Saraban เวอร์ชัน 2.4.1 ได้รับการติดตั้งบนเครื่องแม่ข่าย (server) จำนวน 3 เครื่อง",
    "งบประมาณ ๑๒๕,๐๐๐ บาท (หนึ่งแสนสองหมื่นห้าพันบาทถ้วน) ตามโครงการ Smart Office ระยะที่ ๒",
    "ผลการประเมิน ITA ประจำปี พ.ศ. ๒๕๖๖ ได้คะแนน 87.45 คะแนน อยู่ในระดับ A",
    "ประชุมผ่านระบบ Zoom Meeting เมื่อวันที่ ๑๗ ตุลาคม ๒๕๖๖ เวลา ๐๙.๓๐ น. มีผู้เข้าร่วม 42 คน",
    "ดาวน์โหลดแบบฟอร์มได้ที่ https://www.nongsano.go.th/forms หรือสแกน QR Code ที่แนบมาพร้อมนี้",
)
_SHORT: Final = ("จึงเรียนมาเพื่อโปรดพิจารณา", "ดังนั้นจึงขอให้ดำเนินการต่อไป", "รายละเอียดตามเอกสารแนบ")


def _text(pieces: tuple[str, ...], length: int, start: int = 0) -> str:
    """About ``length`` characters of ``pieces`` joined by spaces (from ``start``), cut at a piece's end."""
    out: list[str] = []
    i = start
    while sum(len(p) + 1 for p in out) < length:
        out.append(pieces[i % len(pieces)])
        i += 1
    text = " ".join(out)
    return text[:length].rstrip()


def _paragraph(i: int) -> str:
    """Paragraph ``i`` of the body: a cycle of short, long Thai, mixed Thai-English, and very long ones."""
    kind = i % 5
    if kind == 0:
        return _SHORT[i % len(_SHORT)]
    if kind == 1:
        return _text(_THAI, 180 + 7 * i, start=i)
    if kind == 2:
        return _text(_MIXED, 120 + 11 * i, start=i)
    if kind == 3:
        return _text(_THAI + _MIXED, 450 + 5 * i, start=i)
    return f"{i // 5 + 1}. " + _text(_MIXED + _THAI, 90, start=i)


def _opinion(i: int) -> str:
    lead = "เรียน นายกองค์การบริหารส่วนตำบลหนองโสน\n" if i % 2 else ""
    return lead + _text(_THAI + _MIXED, OPINION_CHARS - len(lead), start=i)


def _signer(i: int, *, signed: bool, opinion: str = "") -> SignatureBlock:
    names = (
        "นางสาวรุจภา โฉมประดิษฐ์",
        "นางราชวรี อนุกุล",
        "นายสมศักดิ์ ทองประเสริฐ",
        "นางสาวกัญญาณัฐ ศรีสุวรรณ",
        "นายนาฏ วงศ์ทองดี",
        "นายประเสริฐ มั่นคงยิ่ง",
        "นางพิมพ์ใจ อยู่เย็น",
        "นายยุทธนา เมืองเล็ก",
    )
    positions = (
        "ผู้ช่วยนักประชาสัมพันธ์",
        "นักทรัพยากรบุคคล",
        "ผู้อำนวยการกองคลัง",
        "ผู้อำนวยการกองช่าง",
        "ปลัดองค์การบริหารส่วนตำบลหนองโสน",
        "รองปลัดองค์การบริหารส่วนตำบลหนองโสน",
        "รองนายกองค์การบริหารส่วนตำบลหนองโสน",
        "นายกองค์การบริหารส่วนตำบลหนองโสน",
    )
    return SignatureBlock(
        name=names[i],
        position=positions[i],
        capacity_line="รักษาการแทนหัวหน้าสำนักปลัด" if i == 1 else "",
        signed_at=BANGKOK_DEMO_DAY + timedelta(hours=i) if signed else None,
        opinion=opinion,
    )


def stress_document(
    *, digits: str = "thai", image_path: str | None = None, watermark: str = ""
) -> MemoDocument:
    """The stress memo (see the module docstring). ``image_path``: a PNG printed as an image enclosure page."""
    subject = _text(("รายงานผลการดำเนินการ", *_THAI, *_MIXED), SUBJECT_CHARS)
    signatures = [_signer(0, signed=True)] + [_signer(i, signed=True, opinion=_opinion(i)) for i in (1, 2, 3)]
    opinions = [
        OpinionBlock(
            label=f"ความเห็น{_signer(i, signed=False).position.replace(ORGANISATION, 'อบต.หนองโสน')}",
            role="opinion",
            text=_opinion(i),
            signature=_signer(i, signed=i < 6),
        )
        for i in (4, 5, 6)
    ]
    opinions.append(
        OpinionBlock(
            label="ข้อสั่งการนายก อบต.หนองโสน",
            role="decision",
            text=_opinion(7),
            decision="other",
            decision_text="มอบกองคลังและกองช่างดำเนินการตามเสนอ แล้วรายงานผลภายในวันที่ ๓๐ พฤศจิกายน ๒๕๖๖",
            signature=_signer(7, signed=False),
        )
    )
    titles = ["ภาพถ่ายการประชุมคณะทำงาน", "หนังสือจากสำนักงานจังหวัด (PDF)"]
    return MemoDocument(
        organisation_short_name="อบต.หนองโสน",
        keep_together=(ORGANISATION, "งานประชาสัมพันธ์", "สำนักปลัด"),
        department=f"งานประชาสัมพันธ์ สำนักปลัด {ORGANISATION} โทร. ๐-๓๒๔๐-๐๐๕๒",
        number="พบ ๓๒๘๐๑/๒๕๖๖",
        date=date(2023, 10, 5),
        subject=subject,
        addressee=f"นาย{ORGANISATION}",
        enclosure_titles=titles,
        paragraphs=[_paragraph(i) for i in range(PARAGRAPHS)],
        signatures=signatures,
        opinions=opinions,
        images=[ImageEnclosure(path=image_path, anchor="enclosure-1", number=1)] if image_path else [],
        watermark=watermark,
        digits=digits,
    )


def _foreign_pdf() -> bytes:
    """Two pages as office software writes them: A4 portrait, then A4 landscape, each with a line of text in
    Helvetica that is not embedded (the standard-14 font a PDF/A archive must not rely on)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = writer._add_object(font)
    for width, height in ((595, 842), (842, 595)):
        page = writer.add_blank_page(width, height)
        stream = DecodedStreamObject()
        stream.set_data(b"BT /F1 14 Tf 72 %d Td (Provincial office letter 2566/123) Tj ET" % (height - 100))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _photo_png() -> bytes:
    """A landscape PNG with some structure (stripes), like a small photo."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(img)
    for x in range(0, 640, 40):
        draw.rectangle((x, 0, x + 19, 399), fill=(40 + x // 4, 90, 160))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def write_stress_enclosures(directory: Path) -> tuple[Path, Path]:
    """Write the stress memo's uploaded enclosures into ``directory``: (the PNG photo, the foreign PDF)."""
    directory.mkdir(parents=True, exist_ok=True)
    png = directory / "stress-photo.png"
    pdf = directory / "stress-letter.pdf"
    png.write_bytes(_photo_png())
    pdf.write_bytes(_foreign_pdf())
    return png, pdf
