"""Thai line breaking in the memo PDF (memos/pdf/linebreak.py): what a reader sees at the end of a line.

Each case is a phrase that must stay on one line, put after fillers of many lengths so that it reaches the
right margin at every offset; the PDF is read line by line with ``pdftotext -layout`` (poppler reads the
runs' /ActualText) and each phrase must appear whole on one line. No database is used.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from memos.pdf.document import MemoDocument, demo_document
from memos.pdf.render import render_memo

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: Filler with ordinary word boundaries; cut at many lengths so the phrase after it crosses the margin anywhere.
FILLER = (
    "เพื่อให้การปฏิบัติราชการเป็นไปด้วยความเรียบร้อยและเกิดประสิทธิภาพสูงสุดต่อประชาชนในพื้นที่ "
    "จึงขอให้ทุกส่วนราชการถือปฏิบัติตามแนวทางที่กำหนดไว้อย่างเคร่งครัดและรายงานผลให้ทราบโดยเร็ว "
)
FILLER_LENGTHS = range(58, 118, 3)

#: (text before, the phrase, text after): each phrase in the context a memo writes it in.
CASES: list[tuple[str, str, str]] = [
    ("โดย", "นางสาวรุจภา โฉมประดิษฐ์", " เป็นผู้รับผิดชอบ"),
    ("มอบหมายให้ ", "ว่าที่ ร.ต.สมชาย ใจดี", " ดำเนินการ"),
    ("เรียนเชิญ ", "ดร.สมศักดิ์ รักษ์ไทย", " เป็นวิทยากร"),
    ("ในการดำเนินงานของ", "องค์การบริหารส่วนตำบลหนองโสน", " ต่อไป"),
    ("ทางเพจ ", "อบต.หนองโสน", " และเว็บไซต์"),
    ("ในการดำเนินงานของ", "หน่วยงาน", "ภาครัฐ"),
    ("ประชาชนชาวตำบล", "หนองโสน", "ทุกหมู่บ้าน"),
    ("เจ้าหน้าที่", "สำนักปลัด", "และ"),
    ("เจ้าหน้าที่", "กองคลัง", "ทุกคน"),
    ("ประชุมใน", "วันที่ ๕ ตุลาคม ๒๕๖๖", " ณ ห้องประชุม"),
    ("ประชุมใน", "เวลา ๐๙.๓๐ – ๑๒.๐๐ น.", " ณ ห้องประชุม"),
    ("ให้เริ่มประชุม ", "๐๙.๓๐ น.", " ทุกวัน"),
    ("ตามคำสั่งที่ ", "๑๗/๒๕๖๗", " ลงวันที่"),
    ("ตามคำสั่งที่ ", "๑๗ / ๒๕๖๗", " ลงวันที่"),
    ("ตามหนังสือ", "ที่ มท ๐๘๑๐.๓/ว ๑๒๓๔", " ลงวันที่"),
    ("อ้างถึงหนังสือ ", "พบ ๓๒๘๐๑/๒๕๖๖", " เรื่อง"),
]
#: Paragraph endings that would leave one short word (Thai or English) alone on the last line.
RUNT_TAILS = ["จึงเรียนมาเพื่อโปรดทราบ", "ตามแบบฟอร์มที่แนบ QR Code", "และรายงานผลให้ทราบต่อไป ด้วย"]


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdftotext_lines(pdf: bytes) -> list[str]:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run([exe, "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=120)
    return [squash(line) for line in out.stdout.decode().splitlines() if line.strip()]


def filler(length: int) -> str:
    text = (FILLER * 3)[:length]
    while (text and unicodedata.category(text[-1]) == "Mn") or text.endswith(("เ", "แ", "โ", "ใ", "ไ")):
        text = text[:-1]
    return text


def document(paragraphs: list[str]) -> MemoDocument:
    return dataclasses.replace(
        demo_document(with_table=False), paragraphs=paragraphs, opinions=[], signatures=[]
    )


def split_phrases(lines: list[str], phrases: list[str]) -> dict[str, list[str]]:
    """Phrases that occur in the text but not whole on a line, with the lines that hold their pieces."""
    joined = "".join(lines)
    out = {}
    for phrase in phrases:
        needle = squash(phrase)
        total = joined.count(needle)
        whole = sum(line.count(needle) for line in lines)
        assert total > 0, phrase
        if whole < total:
            out[phrase] = [line for line in lines if needle[:4] in line or needle[-4:] in line][:6]
    return out


@pytest.fixture(scope="module")
def cases_pdf() -> bytes:
    paragraphs = [
        f"{filler(n)}{before}{phrase}{after}" for before, phrase, after in CASES for n in FILLER_LENGTHS
    ]
    return render_memo(document(paragraphs))


def test_phrases_are_never_split_at_a_line_end(cases_pdf: bytes) -> None:
    lines = pdftotext_lines(cases_pdf)
    assert split_phrases(lines, [phrase for _, phrase, _ in CASES]) == {}


def test_the_cases_do_reach_the_line_end(cases_pdf: bytes) -> None:
    # the test above proves something only if the fillers push each phrase across the margin: some of its
    # paragraphs wrap right before the phrase or right after it
    lines = pdftotext_lines(cases_pdf)
    for _, phrase, _ in CASES:
        needle = squash(phrase)
        at_start = sum(line.startswith(needle) for line in lines)
        at_end = sum(line.endswith(needle) for line in lines)
        assert (phrase, at_start + at_end >= 2) == (phrase, True)


@pytest.fixture(scope="module")
def runt_pdf() -> bytes:
    return render_memo(document([f"{filler(n)}{tail}" for tail in RUNT_TAILS for n in range(60, 150, 2)]))


def test_a_paragraph_never_ends_with_one_word_alone(runt_pdf: bytes) -> None:
    lines = pdftotext_lines(runt_pdf)
    for tail in RUNT_TAILS:
        last_two = squash(" ".join(tail.split()[-2:]) if " " in tail else tail[-8:])
        last_word = squash(tail.split()[-1]) if " " in tail else last_two[-4:]
        ends = [line for line in lines if line.endswith(last_word)]
        assert ends, tail
        alone = [line for line in ends if len(line) <= len(last_word) + 1]
        assert alone == [], tail


def test_invisible_break_characters_never_reach_extracted_text(cases_pdf: bytes, tmp_path: Path) -> None:
    invisible = ("\u200b", "\u2060", "\u00ad", "\ufeff")
    texts = {"pdftotext": "\n".join(pdftotext_lines(cases_pdf))}
    texts["pypdf"] = "".join(page.extract_text() for page in PdfReader(io.BytesIO(cases_pdf)).pages)
    from pdfminer.high_level import extract_text

    texts["pdfminer"] = extract_text(io.BytesIO(cases_pdf))
    mutool = shutil.which("mutool")
    if mutool is not None:
        path = tmp_path / "cases.pdf"
        path.write_bytes(cases_pdf)
        out = subprocess.run(
            [mutool, "draw", "-q", "-F", "txt", "-o", "-", str(path)],
            capture_output=True,
            check=True,
            timeout=120,
        )
        texts["mutool"] = out.stdout.decode()
    for name, text in texts.items():
        assert "หน่วยงาน" in unicodedata.normalize("NFKC", text).replace(" ", ""), name
        assert [c for c in invisible if c in text] == [], name


def test_the_quick_start_test_of_the_phrase_pattern_misses_nothing() -> None:
    # NOWRAP_RE first checks how a phrase can begin (for speed); it must find what the plain pattern finds
    from memos.pdf.linebreak import NOWRAP_RE, NOWRAP_SLOW_RE

    doc = demo_document()
    texts = [f"{before}{phrase}{after}" for before, phrase, after in CASES] + doc.paragraphs
    texts += [cell for table in doc.tables for row in table.rows for cell in row]
    for text in texts:
        assert [m.span() for m in NOWRAP_RE.finditer(text)] == [
            m.span() for m in NOWRAP_SLOW_RE.finditer(text)
        ]


def test_the_organisation_short_name_is_kept_whole_in_a_table_cell() -> None:
    # "อบต.หนอง|โสนและประกาศ..." was split in a narrow column: the name runs on without a space, so only the
    # memo's own names (keep_together, which has the short name) can protect it
    from memos.pdf.linebreak import KEEP_TOGETHER, rich

    token = KEEP_TOGETHER.set(("องค์การบริหารส่วนตำบลหนองโสน", "อบต.หนองโสน"))
    try:
        html = str(rich("ทางเพจ อบต.หนองโสนและประกาศเสียงตามสาย", phrases=False))
    finally:
        KEEP_TOGETHER.reset(token)
    assert '<span class="nw">อบต.หนองโสน</span>' in html
