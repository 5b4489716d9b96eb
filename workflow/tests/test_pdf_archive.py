"""The memo's PDF in each state, and the archive: produced once on completion, stored with its hash, checked.

Rendering is real (WeasyPrint); text is read back with poppler's pdftotext, as a person copying from the PDF
would get it, and compared under NFKC normalisation (SARA AM: see ../shared/docs/thai-memo-format.md and memos/pdf/render.py).
"""

import io
import subprocess
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader, PdfWriter

from core.thai import format_date_long
from memos import archive
from memos.models import Memo
from org.demo import DEMO_PASSWORD
from tests.builders import active_step as active
from tests.builders import approve_active, png_bytes, submit
from workflow import services
from workflow.demo import SEED_SUBJECT, load_route_template, load_seed_memo

PW = DEMO_PASSWORD


def text_of(pdf: bytes) -> str:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return unicodedata.normalize("NFKC", result.stdout.decode("utf-8"))


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def contains(pdf_text: str, expected: str) -> bool:
    """Whitespace-insensitive: a long value may wrap across lines in the PDF."""
    return squeeze(expected) in squeeze(pdf_text)


@pytest.fixture
def media(media_root: Path) -> Path:
    return media_root


@pytest.fixture
def seed_memo(demo_org, media) -> Memo:
    load_route_template(demo_org)
    return load_seed_memo(demo_org)


def run_route(memo: Memo, person) -> Memo:
    """rujapa submits; ratchawari, nat and yutthana approve, each as the step's assignee."""
    submit(memo)
    approve_active(memo)
    approve_active(memo, opinion="เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ")
    approve_active(memo, decision="acknowledged")
    memo.refresh_from_db()
    return memo


def test_draft_preview_is_watermarked_and_served_only_to_people_involved(seed_memo, api_as, render_pdfs):
    pending = api_as("rujapa").get(f"/api/v1/memos/{seed_memo.pk}/pdf/")
    assert pending.status_code == 202  # the render worker has not run yet
    assert pending.json()["code"] == "pdf_pending"
    assert pending["Retry-After"] == "2"
    assert render_pdfs() == 1
    response = api_as("rujapa").get(f"/api/v1/memos/{seed_memo.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.getvalue())
    assert "ร่าง" in text
    assert contains(text, SEED_SUBJECT)
    assert contains(text, "(นางสาวรุจภา โฉมประดิษฐ์)")
    assert api_as("works_staff").get(f"/api/v1/memos/{seed_memo.pk}/pdf/").status_code == 404


def test_in_review_pdf_shows_the_signatures_so_far(seed_memo, person, api_as, render_pdfs):
    services.memo_submit(memo=seed_memo, actor=person("rujapa"), password=PW)
    seed_memo.refresh_from_db()
    services.step_approve(step=active(seed_memo), actor=person("ratchawari"), password=PW)
    render_pdfs()
    response = api_as("nat").get(f"/api/v1/memos/{seed_memo.pk}/pdf/")
    text = text_of(response.getvalue())
    assert "ร่าง" not in text
    assert contains(text, seed_memo.number)
    assert contains(text, "รักษาการแทนหัวหน้าสำนักปลัด")
    assert contains(text, "ลงนามอิเล็กทรอนิกส์")
    # The file a person saves is named after the memo's number (RFC 6266 filename*, UTF-8, percent-encoded).
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''"), disposition
    filename = unquote(disposition.removeprefix("inline; filename*=utf-8''"))
    assert filename == f"บันทึกข้อความ {seed_memo.number.replace('/', '-')}.pdf"


@pytest.mark.django_db(transaction=True)
def test_completion_archives_the_final_pdf_once_as_pdfa_with_the_memo_json(demo_org, media, person, api_as):
    load_route_template(demo_org)
    memo = run_route(load_seed_memo(demo_org), person)
    assert memo.status == "completed"

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="render")
    memo.refresh_from_db()
    assert memo.status == "archived"
    stored = archive.open_archived(memo.archive_file)
    content = stored.read_bytes()
    assert archive.sha256_of(stored) == memo.archive_sha256

    # Served as stored, byte for byte; never rendered again.
    served = api_as("rujapa").get(f"/api/v1/memos/{memo.pk}/pdf/")
    assert served.status_code == 200
    assert served.getvalue() == content

    reader = PdfReader(io.BytesIO(content))
    root = reader.root_object
    assert "/OutputIntents" in root
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert "pdfaid:part" in xmp
    assert ">3<" in xmp or 'pdfaid:part="3"' in xmp
    attached = reader.attachments
    assert "memo.json" in attached
    import json

    embedded = json.loads(attached["memo.json"][0])
    assert embedded["revision"]["sha256"] == memo.current_revision.sha256
    assert [s["signature"]["name"] for s in embedded["route"]] == [
        "นางสาวรุจภา โฉมประดิษฐ์",
        "นางราชวรี อนุกุล",
        "นายนาฏ วงศ์ทองดี",
        "นายยุทธนา เมืองเล็ก",
    ]

    text = text_of(content)
    for expected in (
        memo.number,
        format_date_long(memo.date),
        "(นายยุทธนา เมืองเล็ก)",
        "ความเห็นปลัด อบต.หนองโสน",
        "ข้อสั่งการนายก อบต.หนองโสน",
        "เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ",
    ):
        assert contains(text, expected), expected

    # A second run of the job changes nothing: the file stays, the database still points at it.
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    assert memo.archive_sha256 == archive.sha256_of(stored)
    call_command("archive_check", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_archive_check_reports_altered_and_missing_files(demo_org, media, person, capsys):
    load_route_template(demo_org)
    memo = run_route(load_seed_memo(demo_org), person)
    services.memo_archive(memo_id=memo.pk)
    memo.refresh_from_db()
    path = archive.archive_root() / memo.archive_file

    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"%tampered\n")
    with pytest.raises(
        CommandError, match="1 memo\\(s\\) checked, 2 error"
    ):  # the row's and the log's digest
        call_command("archive_check")
    assert f"error: {memo.number} ({memo.pk}): archived PDF altered" in capsys.readouterr().err

    path.unlink()
    with pytest.raises(CommandError, match="1 memo\\(s\\) checked, 1 error"):
        call_command("archive_check")
    assert f"error: {memo.number} ({memo.pk}): archived PDF missing" in capsys.readouterr().err


def test_an_archived_file_is_never_overwritten(media):
    archive.store(relative_name="2566/x.pdf", content=b"%PDF-1.7 first")
    archive.store(
        relative_name="2566/x.pdf", content=b"%PDF-1.7 first"
    )  # a retried identical write is harmless
    with pytest.raises(archive.ArchiveError):
        archive.store(relative_name="2566/x.pdf", content=b"%PDF-1.7 second")
    assert (archive.archive_root() / "2566/x.pdf").read_bytes() == b"%PDF-1.7 first"


def test_uploaded_pdf_enclosures_are_appended_page_by_page_keeping_orientation(
    seed_memo, person, api_as, render_pdfs
):
    enclosure = PdfWriter()
    enclosure.add_blank_page(width=842, height=595)  # landscape A4
    enclosure.add_blank_page(width=595, height=842)  # portrait A4
    upload = io.BytesIO()
    enclosure.write(upload)
    upload.seek(0)
    upload.name = "ผังงาน.pdf"
    created = api_as("rujapa").post(
        f"/api/v1/memos/{seed_memo.pk}/attachments/", {"file": upload, "title": "ผังการดำเนินงาน"}
    )
    assert created.status_code == 201, created.content
    render_pdfs()
    pdf = api_as("rujapa").get(f"/api/v1/memos/{seed_memo.pk}/pdf/").getvalue()
    pages = PdfReader(io.BytesIO(pdf)).pages
    last_two = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages[-2:]]
    assert last_two == [(842, 595), (595, 842)]
    assert contains(text_of(pdf), "ผังการดำเนินงาน")  # listed under สิ่งที่ส่งมาด้วย


def test_enclosures_follow_the_memo_in_their_order(seed_memo, person, api_as, render_pdfs):
    """The seed draft has the report table as enclosure 1; a PDF (2) and an image (3) follow it, in that
    order, whatever their kind."""
    rujapa = api_as("rujapa")
    enclosure = PdfWriter()
    enclosure.add_blank_page(width=300, height=400)  # a size no rendered page has
    pdf_upload = io.BytesIO()
    enclosure.write(pdf_upload)
    pdf_upload.seek(0)
    pdf_upload.name = "ใบเสนอราคา.pdf"
    assert (
        rujapa.post(
            f"/api/v1/memos/{seed_memo.pk}/attachments/", {"file": pdf_upload, "title": "ใบเสนอราคา"}
        ).status_code
        == 201
    )
    png = io.BytesIO(png_bytes((400, 200)))  # wider than tall: a landscape page
    png.name = "ภาพกิจกรรม.png"
    assert (
        rujapa.post(
            f"/api/v1/memos/{seed_memo.pk}/attachments/", {"file": png, "title": "ภาพกิจกรรม"}
        ).status_code
        == 201
    )

    render_pdfs()
    pages = PdfReader(io.BytesIO(rujapa.get(f"/api/v1/memos/{seed_memo.pk}/pdf/").getvalue())).pages
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages]
    uploaded = sizes.index((300, 400))
    assert sizes[-1] == (842, 595)  # the image, last, on a landscape A4 page
    assert uploaded == len(sizes) - 2  # the uploaded PDF just before it
    table_pages = sizes[:uploaded]
    assert (842, 595) in table_pages  # the report table's landscape pages come before the uploaded PDF
    assert sizes[0] == (595, 842)  # the memo itself first


@pytest.mark.django_db(transaction=True)
def test_archive_check_reports_a_completed_memo_that_was_never_archived(demo_org, media, person, capsys):
    load_route_template(demo_org)
    memo = run_route(load_seed_memo(demo_org), person)  # completed; its archive job is queued, not run
    call_command("archive_check", stuck_after=60)  # just completed: not a problem yet
    with pytest.raises(CommandError, match="1 error"):
        call_command("archive_check", stuck_after=0)
    assert f"error: {memo.number} ({memo.pk}): not archived" in capsys.readouterr().err


def test_arabic_digits_setting_prints_the_number_in_arabic_digits(seed_memo, person, settings):
    from workflow.pdf import memo_document

    services.memo_submit(memo=seed_memo, actor=person("rujapa"), password=PW)
    seed_memo.refresh_from_db()
    settings.MEMOFLOW_PDF_DIGITS = "arabic"
    document = memo_document(seed_memo)
    assert document.number == "พบ 32801/" + str(seed_memo.sequence)
    assert document.digits == "arabic"


def test_the_organisation_short_name_is_kept_on_one_line(seed_memo):
    # "อบต.หนองโสน" runs straight into the next word in the seed's table ("อบต.หนองโสนและประกาศ..."), where no
    # pattern can tell where the name ends: the memo's own names (keep_together) must include it
    from memos.pdf.linebreak import KEEP_TOGETHER, rich
    from workflow.pdf import memo_document

    document = memo_document(seed_memo)
    assert seed_memo.organisation.short_name in document.keep_together
    token = KEEP_TOGETHER.set(document.keep_together)
    try:
        html = str(rich(f"ทางเพจ {seed_memo.organisation.short_name}และประกาศเสียงตามสาย", phrases=False))
    finally:
        KEEP_TOGETHER.reset(token)
    assert f'<span class="nw">{seed_memo.organisation.short_name}</span>' in html
