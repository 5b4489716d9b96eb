"""The marks of the memo's PDF as the workflow prints them: "ระหว่างเสนอ" on every page of a memo in review,
the draft watermark and the enclosure label on uploaded PDF pages, the report table's reporter block signed
in the archived memo when the reporter is the memo's writer."""

import io
import subprocess
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader
from pypdf.generic import NameObject, NumberObject

from memos import archive
from memos.models import Memo
from memos.tests.test_pdf_marks import is_centred, watermark_offset_mm
from tests.builders import approve_active, draft_memo, in_review_memo, pdf_bytes, person, submit
from workflow import services
from workflow.demo import load_route_template, load_seed_memo
from workflow.pdf import render_input, render_pdf

MARK = "ลงนามอิเล็กทรอนิกส์"


def page_texts(pdf: bytes) -> list[str]:
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    texts = []
    for page in range(1, count + 1):
        out = subprocess.run(
            ["/usr/bin/pdftotext", "-f", str(page), "-l", str(page), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        texts.append("".join(unicodedata.normalize("NFKC", out).split()))
    return texts


def _rotated_second_page(writer) -> None:
    writer.pages[1][NameObject("/Rotate")] = NumberObject(90)


def add_uploads(memo: Memo) -> None:
    """Two uploaded PDFs after a PNG: enclosures ๒ (two pages, the second turned to landscape) and ๓."""
    writer = memo.writer
    uploads = [
        ("ภาพ.png", _png(), "image/png"),
        ("คำสั่ง.pdf", pdf_bytes(_rotated_second_page, pages=2), "application/pdf"),
        ("ประกาศ.pdf", pdf_bytes(), "application/pdf"),
    ]
    for name, content, content_type in uploads:
        services.enclosure_add(
            memo=memo, actor=writer, title=name, upload=SimpleUploadedFile(name, content, content_type)
        )


def _png() -> bytes:
    from tests.builders import png_bytes

    return png_bytes((40, 20))


@pytest.fixture
def media(media_root):
    return media_root


def test_draft_uploaded_pages_watermarked_centred_and_labelled(demo_org, media) -> None:
    memo = draft_memo()
    add_uploads(memo)
    pdf = render_pdf(render_input(memo))
    texts = page_texts(pdf)
    uploaded = texts[-3:]  # คำสั่ง.pdf (2 pages), ประกาศ.pdf
    assert all("ร่าง" in t for t in texts)
    assert ["สิ่งที่ส่งมาด้วย๒" in t for t in uploaded] == [True, False, False]
    assert ["สิ่งที่ส่งมาด้วย๓" in t for t in uploaded] == [False, False, True]
    count = len(texts)
    for page in (count - 2, count - 1, count):  # portrait, turned to landscape, portrait
        assert is_centred(watermark_offset_mm(pdf, page, "ร่าง")), page


def test_in_review_marked_on_every_page(demo_org, media) -> None:
    memo = draft_memo()
    add_uploads(memo)
    memo = submit(memo)
    assert memo.status == "in_review"
    pdf = render_pdf(render_input(memo))
    texts = page_texts(pdf)
    assert len(texts) >= 5  # the memo, the image, three uploaded pages
    for number, text in enumerate(texts, 1):
        assert "ระหว่างเสนอ" in text, number
        assert "ร่าง" not in text.replace("ร่างบันทึก", ""), number


def test_in_review_and_final_marks_by_status(demo_org, media) -> None:
    assert render_input(in_review_memo(2)).document.watermark == "ระหว่างเสนอ"
    assert render_input(draft_memo()).document.watermark == "ร่าง"


@pytest.fixture
def seed(demo_org, media) -> Memo:
    load_route_template(demo_org)
    return load_seed_memo(demo_org)  # its report table names the writer as the reporter


def _complete(memo: Memo) -> Memo:
    submit(memo)
    approve_active(memo)
    approve_active(memo)
    approve_active(memo, decision="acknowledged")
    memo.refresh_from_db()
    return memo


def test_archived_report_block_signed_like_the_memo(seed) -> None:
    memo = _complete(seed)
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    pdf = archive.open_archived(memo.archive_file).read_bytes()
    texts = page_texts(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    table_pages = [i for i, p in enumerate(reader.pages) if p.mediabox.width > p.mediabox.height]
    assert table_pages
    last_table = texts[table_pages[-1]]
    assert "(นางสาวรุจภาโฉมประดิษฐ์)" in last_table
    assert "ผู้รายงาน" in last_table
    writer_signed = render_input(memo).document.signatures[0].signed_at
    assert writer_signed is not None
    assert MARK in last_table
    reporter = render_input(memo).document.tables[0].reporter
    assert reporter is not None
    assert reporter.signed_at == writer_signed
    assert "สิ่งที่ส่งมาด้วย๑" in texts[table_pages[0]]


def test_report_by_someone_else_keeps_its_dotted_line(seed) -> None:
    enclosure = seed.enclosures.get()
    table = dict(enclosure.table)
    table["reporter"] = {**table["reporter"], "name": "นายสมชาย ใจดี"}
    type(enclosure).objects.filter(pk=enclosure.pk).update(table=table)
    memo = _complete(seed)
    reporter = render_input(memo).document.tables[0].reporter
    assert reporter is not None
    assert reporter.name == "นายสมชาย ใจดี"
    assert reporter.signed_at is None


def test_unsigned_writer_leaves_the_report_unsigned(seed) -> None:
    reporter = render_input(seed).document.tables[0].reporter
    assert reporter is not None
    assert reporter.name == person("rujapa").full_name
    assert reporter.signed_at is None
