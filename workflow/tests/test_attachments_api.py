"""POST /api/v1/memos/{id}/attachments/ (multipart: file, title): accepted files are stored and listed on the
memo; refused ones get a 400 that says why, and leave nothing behind: no Enclosure row, no file under
MEDIA_ROOT, no audit event."""

import hashlib
import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from core.models import AuditEvent
from memos.models import Enclosure
from org.demo import DEMO_PASSWORD
from tests.builders import draft_memo
from tests.builders import image_bytes as make_image
from tests.builders import pdf_bytes as make_pdf
from workflow import services
from workflow.models import RouteStep, StepState

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TH = {"HTTP_ACCEPT_LANGUAGE": "th"}

NOT_ALLOWED = "Only PDF, PNG and JPEG files can be attached."
PDF_ENCRYPTED = "Encrypted or password-protected PDFs cannot be attached."
JPEG_AS_PDF = "The file's content is JPEG but it is named or sent as PDF."
TOO_LARGE_1MB = "This file is too large. Files can be at most 1 MB."
MEMO_TOTAL_1MB = "The enclosures of one memo may total at most 1 MB."

TH_NOT_ALLOWED = "แนบได้เฉพาะไฟล์ PDF, PNG และ JPEG เท่านั้น"
TH_PNG_AS_PDF = "เนื้อหาของไฟล์เป็น PNG แต่ชื่อไฟล์หรือชนิดไฟล์ที่ส่งมาระบุว่าเป็น PDF"


# Building files -------------------------------------------------------------------------------------------


def with_launch(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("C:\\Windows\\System32\\cmd.exe"),
        }
    )


def noise_png(side: int) -> bytes:
    """A PNG that does not compress: about side*side*3 bytes."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


# Fixtures and helpers -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(media_root: Path) -> Path:
    return media_root


@pytest.fixture
def draft(person):
    return draft_memo(subject="ขอเชิญประชุมคณะทำงานด้านประชาสัมพันธ์", body="จึงเรียนมาเพื่อโปรดพิจารณา")


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def state(memo, root: Path) -> tuple:
    return (
        list(Enclosure.objects.filter(memo=memo).values_list("id", flat=True)),
        files_under(root),
        AuditEvent.objects.filter(object_id=str(memo.pk)).count(),
        AuditEvent.objects.exclude(action__startswith="auth.").count(),  # api_as signs in: not a change
    )


def upload(client, memo, content: bytes, name: str, content_type: str, title: str = "สิ่งที่ส่งมาด้วย", **headers):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        f"/api/v1/memos/{memo.pk}/attachments/", {"file": file, "title": title}, format="multipart", **headers
    )


# Accepted -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        pytest.param(make_pdf(), "คำสั่งแต่งตั้ง.pdf", "application/pdf", id="pdf"),
        pytest.param(make_image("PNG"), "แผนที่.png", "image/png", id="png"),
    ],
)
def test_valid_file_is_stored_and_listed(content, name, content_type, draft, api_as, media):
    rujapa = api_as("rujapa")
    before_files = files_under(media)
    response = upload(rujapa, draft, content, name, content_type, title="  แผนที่ตั้งโครงการ ")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content)
    assert body["content_type"] == content_type
    assert body["title"] == "แผนที่ตั้งโครงการ"
    assert body["order"] == 1

    listed = rujapa.get(f"/api/v1/memos/{draft.pk}/").json()["enclosures"]
    assert [(e["id"], e["sha256"], e["size"], e["content_type"]) for e in listed] == [
        (body["id"], body["sha256"], len(content), content_type)
    ]
    new_files = sorted(set(files_under(media)) - set(before_files))
    assert len(new_files) == 1
    assert (media / new_files[0]).read_bytes() == content
    assert AuditEvent.objects.filter(object_id=str(draft.pk), action="memo.enclosure_added").count() == 1


def test_pdf_with_scripts_is_accepted_and_its_original_downloads_unchanged_in_a_sandbox(draft, api_as, media):
    """Active content is removed from the memo's PDF (test_documents.py), not from the original: the download
    is the file as uploaded, as an attachment, with a sandbox policy in case a browser opens it anyway."""
    content = make_pdf(with_launch)
    rujapa = api_as("rujapa")
    created = upload(rujapa, draft, content, "memo.pdf", "application/pdf")
    assert created.status_code == 201, created.content
    download = rujapa.get(f"/api/v1/memos/{draft.pk}/attachments/{created.json()['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment")
    directives = [d.strip() for d in download["Content-Security-Policy"].split(";")]
    assert "sandbox" in directives
    assert "frame-ancestors 'self'" in directives  # still shown in the memo page's frame, by nobody else


# Refused: the file itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        pytest.param(
            make_pdf(lambda w: w.encrypt("pw")),
            "secret.pdf",
            "application/pdf",
            PDF_ENCRYPTED,
            id="pdf-encrypted",
        ),
        pytest.param(make_image("JPEG"), "scan.pdf", "application/pdf", JPEG_AS_PDF, id="jpeg-named-pdf"),
        pytest.param(make_image("GIF"), "picture.gif", "image/gif", NOT_ALLOWED, id="gif"),
    ],
)
def test_refused_file_leaves_nothing_behind(content, name, content_type, message, draft, api_as, media):
    rujapa = api_as("rujapa")
    before = state(draft, media)
    response = upload(rujapa, draft, content, name, content_type, **EN)
    assert response.status_code == 400, response.content
    assert response.json() == {"code": "invalid", "detail": message, "fields": {"file": [message]}}
    assert state(draft, media) == before


def test_image_over_the_pixel_limit_is_refused(settings, draft, api_as, media):
    settings.MEMOFLOW_IMAGE_MAX_PIXELS = 100
    before = state(draft, media)
    response = upload(api_as("rujapa"), draft, make_image("PNG", (20, 10)), "chart.png", "image/png", **EN)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"].startswith("The image is ")
    assert "megapixels; the limit is" in body["detail"]
    assert body["fields"] == {"file": [body["detail"]]}
    assert state(draft, media) == before


def test_file_over_the_size_limit_is_refused(settings, draft, api_as, media):
    settings.MEMOFLOW_ATTACHMENT_MAX_BYTES = 1 * MB
    content = noise_png(700)
    assert len(content) > MB
    before = state(draft, media)
    response = upload(api_as("rujapa"), draft, content, "photo.png", "image/png", **EN)
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "invalid",
        "detail": TOO_LARGE_1MB,
        "fields": {"file": [TOO_LARGE_1MB]},
    }
    assert state(draft, media) == before


def test_files_over_the_memo_total_are_refused(settings, draft, api_as, media):
    settings.MEMOFLOW_MEMO_ATTACHMENTS_MAX_BYTES = 1 * MB
    first, second = noise_png(450), noise_png(450)
    assert len(first) < MB < len(first) + len(second)
    rujapa = api_as("rujapa")
    assert upload(rujapa, draft, first, "one.png", "image/png").status_code == 201
    before = state(draft, media)
    assert len(before[0]) == 1
    assert len(before[1]) == 1
    response = upload(rujapa, draft, second, "two.png", "image/png", **EN)
    assert response.status_code == 400, response.content
    assert response.json() == {
        "code": "limit_exceeded",
        "detail": MEMO_TOTAL_1MB,
        "fields": {"file": [MEMO_TOTAL_1MB]},
    }
    assert state(draft, media) == before


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        pytest.param(make_image("GIF"), "picture.gif", "image/gif", TH_NOT_ALLOWED, id="gif"),
        pytest.param(make_image("PNG"), "scan.pdf", "application/pdf", TH_PNG_AS_PDF, id="png-named-pdf"),
    ],
)
def test_refusal_is_worded_in_thai(content, name, content_type, message, draft, api_as, media):
    before = state(draft, media)
    response = upload(api_as("rujapa"), draft, content, name, content_type, **TH)
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == message
    assert response.json()["fields"] == {"file": [message]}
    assert state(draft, media) == before


# Refused: who and when ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status", "code"),
    [
        pytest.param("ratchawari", 404, "not_found", id="future-route-member"),
        pytest.param("works_staff", 404, "not_found", id="uninvolved"),
        pytest.param("auditor", 403, "auditor_read_only", id="auditor"),
        pytest.param("admin", 403, "forbidden", id="admin"),
    ],
)
def test_only_the_writer_attaches_to_a_draft(username, status, code, draft, api_as, media):
    before = state(draft, media)
    response = upload(api_as(username), draft, make_image("PNG"), "chart.png", "image/png")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert state(draft, media) == before


def test_memo_in_review_takes_no_attachment(draft, person, api_as, media):
    services.memo_submit(memo=draft, actor=person("rujapa"), password=DEMO_PASSWORD)
    before = state(draft, media)
    response = upload(api_as("rujapa"), draft, make_image("PNG"), "chart.png", "image/png")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_state"
    assert state(draft, media) == before


def test_assignee_cannot_attach_to_the_memo_in_review(draft, person, api_as, media):
    services.memo_submit(memo=draft, actor=person("rujapa"), password=DEMO_PASSWORD)
    assert RouteStep.objects.get(memo=draft, state=StepState.ACTIVE).assignee == person("ratchawari")
    before = state(draft, media)
    response = upload(api_as("ratchawari"), draft, make_image("PNG"), "chart.png", "image/png")
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden"
    assert state(draft, media) == before
