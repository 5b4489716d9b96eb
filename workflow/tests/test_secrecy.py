"""The memo's secrecy class (ชั้นความลับ, Memo.secrecy) end to end: written and changed like the urgency (while
draft or returned; the web form, the API and the service refuse an unknown class in Thai and English),
recorded in memo.created and memo.changed, signed as part of the revision, shown on the memo page, the lists
and the register (page, CSV, PDF), and stamped on every page of the memo's PDF, uploaded enclosures
included."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from core.errors import InvalidState, ValidationFailed
from core.models import AuditEvent
from memos.models import Memo
from tests.builders import draft_memo, pdf_bytes, returned_memo, submit, submitted_memo
from workflow import services
from workflow.pdf import document_key, render_input, render_pdf
from workflow.tests.test_pdf_marks import page_texts

pytestmark = pytest.mark.django_db

SUBJECT = "ขอรายชื่อผู้เข้าร่วมประชุมลับ"
UNKNOWN_EN = "Choose the secrecy: empty (not classified), confidential, secret or top_secret."
UNKNOWN_TH = "เลือกชั้นความลับ: เว้นว่าง (ไม่มีชั้นความลับ), confidential (ลับ), secret (ลับมาก) หรือ top_secret (ลับที่สุด)"


def last(action: str, memo: Memo) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action, object_id=str(memo.pk)).order_by("-sequence").first()
    assert event is not None, f"no {action} event"
    return event


def client_for(person, username: str, language: str = "th") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person(username))
    return client


# Writing and the audit ----------------------------------------------------------------------------------------


def test_a_memo_is_written_classified_and_the_event_says_so(demo_org) -> None:
    memo = draft_memo(subject=SUBJECT, secrecy="secret")
    memo.refresh_from_db()
    assert memo.secrecy == "secret"
    assert last("memo.created", memo).data["secrecy"] == "secret"
    plain = draft_memo()
    assert plain.secrecy == ""
    assert last("memo.created", plain).data["secrecy"] == ""


def test_reclassifying_a_draft_records_the_class_before_and_after(demo_org) -> None:
    memo = draft_memo(secrecy="confidential")
    services.memo_update(memo=memo, actor=memo.writer, secrecy="top_secret")
    memo.refresh_from_db()
    assert memo.secrecy == "top_secret"
    event = last("memo.changed", memo)
    assert event.data["secrecy"] == "top_secret"
    assert event.data["secrecy_before"] == "confidential"
    assert event.data["fields"] == ["secrecy"]
    services.memo_update(memo=memo, actor=memo.writer, subject="เรื่องใหม่")
    event = last("memo.changed", memo)
    assert event.data["secrecy"] == "top_secret"  # the class is on every change's event
    assert "secrecy_before" not in event.data  # ... and what it was only when this change set it


@pytest.mark.parametrize(("language", "message"), [("en", UNKNOWN_EN), ("th", UNKNOWN_TH)])
def test_an_unknown_class_is_refused_in_the_users_language(demo_org, language, message) -> None:
    memo = draft_memo()
    with translation.override(language), pytest.raises(ValidationFailed) as refused:
        services.memo_update(memo=memo, actor=memo.writer, secrecy="restricted")
    with translation.override(language):
        assert [str(m) for m in refused.value.fields["secrecy"]] == [message]
    memo.refresh_from_db()
    assert memo.secrecy == ""
    with pytest.raises(ValidationFailed):
        draft_memo(secrecy="lab")
    assert not Memo.objects.filter(subject=SUBJECT).exists()


def test_the_class_is_fixed_once_submitted_and_editable_again_when_returned(demo_org) -> None:
    memo = submitted_memo(secrecy="secret")
    with pytest.raises(InvalidState):
        services.memo_update(memo=memo, actor=memo.writer, secrecy="")
    memo.refresh_from_db()
    assert memo.secrecy == "secret"
    returned = returned_memo(secrecy="secret")
    services.memo_update(memo=returned, actor=returned.writer, secrecy="confidential")
    returned.refresh_from_db()
    assert returned.secrecy == "confidential"


def test_the_signed_revision_carries_the_class_only_when_classified(demo_org) -> None:
    classified = submitted_memo(secrecy="top_secret")
    assert classified.current_revision.content["secrecy"] == "top_secret"
    plain = submitted_memo()
    assert "secrecy" not in plain.current_revision.content  # unclassified revisions keep their shape


# The API -------------------------------------------------------------------------------------------------------


def test_the_api_writes_reads_and_lists_the_class(demo_org, api_as) -> None:
    client = api_as("rujapa")
    response = client.post(
        "/api/v1/memos/", {"subject": SUBJECT, "body": "เนื้อความ", "secrecy": "confidential"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["secrecy"] == "confidential"
    memo_id = response.json()["id"]
    response = client.patch(f"/api/v1/memos/{memo_id}/", {"secrecy": "secret"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["secrecy"] == "secret"
    response = client.patch(f"/api/v1/memos/{memo_id}/", {"subject": "เรื่องแก้"}, format="json")
    assert response.json()["secrecy"] == "secret"  # left out: unchanged
    listed = {m["id"]: m["secrecy"] for m in client.get("/api/v1/memos/?box=authored").json()["results"]}
    assert listed[memo_id] == "secret"
    response = client.post("/api/v1/memos/", {"subject": "ก", "body": "ข"}, format="json")
    assert response.json()["secrecy"] == ""


@pytest.mark.parametrize(("language", "message"), [("en", UNKNOWN_EN), ("th", UNKNOWN_TH)])
def test_the_api_refuses_an_unknown_class_with_the_error_contract(
    demo_org, api_as, language, message
) -> None:
    client = api_as("rujapa")
    response = client.post(
        "/api/v1/memos/",
        {"subject": SUBJECT, "body": "เนื้อความ", "secrecy": "SECRET"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {"secrecy": [message]}
    assert not Memo.objects.filter(subject=SUBJECT).exists()


def test_the_task_list_tells_the_signatory_the_class(demo_org, api_as) -> None:
    memo = submitted_memo(secrecy="top_secret")
    assignee = memo.steps.get(order=1, round=1).assignee
    tasks = api_as(assignee.username).get("/api/v1/tasks/").json()
    items = tasks["results"] if isinstance(tasks, dict) else tasks
    assert {t["memo"]["id"]: t["memo"]["secrecy"] for t in items}[str(memo.pk)] == "top_secret"


# The pages ----------------------------------------------------------------------------------------------------


def test_the_form_writes_the_class_and_the_pages_show_it(demo_org, person) -> None:
    client = client_for(person, "rujapa")
    client.post(
        reverse("memo-new"), {"urgency": "urgent", "secrecy": "secret", "subject": SUBJECT, "body": "เนื้อความ"}
    )
    memo = Memo.objects.get(subject=SUBJECT)
    assert memo.secrecy == "secret"
    edit = client.get(reverse("memo-edit", args=[memo.pk])).content.decode()
    assert '<option value="secret" selected>' in edit
    page = client.get(reverse("memo-page", args=[memo.pk])).content.decode()
    assert 'data-testid="secrecy">ลับมาก</span>' in page
    listed = client.get(reverse("memo-list-mine")).content.decode()
    assert 'data-testid="secrecy">ลับมาก</span>' in listed
    english = client_for(person, "rujapa", language="en").get(reverse("memo-page", args=[memo.pk]))
    assert "Secret (ลับมาก)" in english.content.decode()
    plain = draft_memo()
    assert 'data-testid="secrecy"' not in client.get(reverse("memo-page", args=[plain.pk])).content.decode()


def test_the_form_refuses_an_unknown_class(demo_org, person) -> None:
    client = client_for(person, "rujapa")
    response = client.post(
        reverse("memo-new"), {"urgency": "normal", "secrecy": "restricted", "subject": SUBJECT, "body": "ข"}
    )
    assert response.status_code == 200
    assert UNKNOWN_TH in response.content.decode()
    assert not Memo.objects.filter(subject=SUBJECT).exists()


def test_the_signatorys_task_list_shows_the_class(demo_org, person) -> None:
    memo = submitted_memo(secrecy="confidential")
    assignee = memo.steps.get(order=1, round=1).assignee
    html = client_for(person, assignee.username).get(reverse("home")).content.decode()
    assert 'data-testid="secrecy">ลับ</span>' in html


def test_the_register_shows_and_exports_the_class(demo_org, person) -> None:
    classified = submitted_memo(subject=SUBJECT, secrecy="top_secret")
    submitted_memo(subject="เรื่องธรรมดา")
    client = client_for(person, "nat")
    html = client.get("/register/").content.decode()
    assert '<span class="secrecy" lang="th" data-testid="secrecy">ลับที่สุด</span>' in html
    assert html.count('data-testid="secrecy"') == 1
    body = b"".join(client.get("/register/register.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][-1] == "ชั้นความลับ"
    last_column = {r[3]: r[-1] for r in rows[2:]}
    assert last_column == {SUBJECT: "ลับที่สุด", "เรื่องธรรมดา": ""}
    pdf = client.get("/register/register.pdf").content
    text = "".join(page_texts(pdf))
    assert "ชั้นความลับ" in text
    assert text.count("ลับที่สุด") == 1
    assert classified.number


# The PDF -------------------------------------------------------------------------------------------------------


def test_every_page_of_the_pdf_has_the_class_uploaded_enclosures_included(demo_org, media_root) -> None:
    memo = draft_memo(secrecy="secret")
    upload = SimpleUploadedFile("คำสั่ง.pdf", pdf_bytes(pages=2), "application/pdf")
    services.enclosure_add(memo=memo, actor=memo.writer, title="คำสั่ง", upload=upload)
    texts = page_texts(render_pdf(render_input(memo)))
    assert "สิ่งที่ส่งมาด้วย๑" in texts[-2]  # the two uploaded pages come last
    assert [t.count("ลับมาก") for t in texts] == [2] * len(texts)
    assert all("ร่าง" in t for t in texts)  # the draft's watermark as before


def test_the_signed_final_pdf_has_the_class_and_stays_pdfa(demo_org, media_root) -> None:
    memo = submit(draft_memo(secrecy="confidential"))
    pdf = render_pdf(render_input(memo, final=True))
    texts = page_texts(pdf)
    assert texts
    assert all(t.count("ลับ") == 2 for t in texts)
    metadata = PdfReader(io.BytesIO(pdf)).xmp_metadata
    assert metadata is not None
    assert "pdfaid:part" in metadata.stream.get_data().decode()  # still labelled PDF/A-3b


def test_classifying_a_memo_changes_its_pdfs_key_and_an_unclassified_key_has_no_class(demo_org) -> None:
    memo = draft_memo()
    plain = render_input(memo)
    assert plain.document.secrecy_stamp == ""
    services.memo_update(memo=memo, actor=memo.writer, secrecy="confidential")
    memo.refresh_from_db()
    classified = render_input(memo)
    assert classified.document.secrecy_stamp == "ลับ"
    assert document_key(classified) != document_key(plain)  # the stored PDF is rendered again
