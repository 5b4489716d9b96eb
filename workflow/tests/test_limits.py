"""Bounded work per memo: how many enclosures, how many image pixels in all, how long a body. Each limit is a
setting; a refusal says why in Thai (or English), has the code `limit_exceeded`, and stores nothing — no row,
no file, no audit event, no render job. The API and the web pages share the services that check them."""

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from core.errors import LimitExceeded
from memos.models import Memo
from org.models import Person
from workflow import services
from workflow.tests.test_attachments_api import EN, TH, make_image, make_pdf, state, upload

pytestmark = pytest.mark.django_db

TABLE = {"columns": ["ลำดับ", "รายการ"], "rows": [["๑", "วัสดุสำนักงาน"]]}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from pathlib import Path

    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def draft(person):
    return services.memo_create(
        writer=person("rujapa"), subject="ขออนุมัติจัดซื้อวัสดุ", body="จึงเรียนมาเพื่อโปรดพิจารณา"
    )


def test_defaults_are_twenty_enclosures_two_hundred_megapixels_fifty_thousand_characters(settings):
    assert settings.MEMOFLOW_MEMO_MAX_ENCLOSURES == 20
    assert settings.MEMOFLOW_MEMO_MAX_IMAGE_PIXELS == 200_000_000
    assert settings.MEMOFLOW_MEMO_MAX_BODY_CHARS == 50_000
    assert settings.MEMOFLOW_PDF_RENDER_TIMEOUT == 60


def test_an_enclosure_beyond_the_count_limit_is_refused_and_nothing_is_stored(settings, draft, api_as, media):
    settings.MEMOFLOW_MEMO_MAX_ENCLOSURES = 2
    rujapa = api_as("rujapa")
    assert upload(rujapa, draft, make_pdf(), "one.pdf", "application/pdf").status_code == 201
    assert upload(rujapa, draft, make_image("PNG"), "two.png", "image/png").status_code == 201
    before = state(draft, media)
    jobs = DBTaskResult.objects.count()
    response = upload(rujapa, draft, make_image("PNG"), "three.png", "image/png", **EN)
    assert response.status_code == 400, response.content
    message = "A memo may have at most 2 enclosures; this one has that many already."
    assert response.json() == {"code": "limit_exceeded", "detail": message, "fields": {"file": [message]}}
    assert state(draft, media) == before
    assert DBTaskResult.objects.count() == jobs


def test_the_count_limit_is_worded_in_thai(settings, draft, api_as, media):
    settings.MEMOFLOW_MEMO_MAX_ENCLOSURES = 1
    rujapa = api_as("rujapa")
    assert upload(rujapa, draft, make_pdf(), "one.pdf", "application/pdf").status_code == 201
    response = upload(rujapa, draft, make_pdf(), "two.pdf", "application/pdf", **TH)
    assert response.json()["detail"] == ("บันทึกข้อความหนึ่งฉบับมีสิ่งที่ส่งมาด้วยได้ไม่เกิน 1 รายการ และฉบับนี้มีครบจำนวนนั้นแล้ว")


def test_a_report_table_counts_as_an_enclosure(settings, draft, person, media):
    settings.MEMOFLOW_MEMO_MAX_ENCLOSURES = 1
    services.enclosure_add_table(memo=draft, actor=person("rujapa"), title="ตารางรายการ", table=TABLE)
    with pytest.raises(LimitExceeded) as caught:
        services.enclosure_add_table(memo=draft, actor=person("rujapa"), title="ตารางที่สอง", table=TABLE)
    assert list(caught.value.fields) == ["table"]
    assert draft.enclosures.count() == 1


def test_images_beyond_the_memo_pixel_total_are_refused(settings, draft, api_as, media):
    settings.MEMOFLOW_MEMO_MAX_IMAGE_PIXELS = 1_000
    rujapa = api_as("rujapa")
    first = upload(rujapa, draft, make_image("PNG", (30, 20)), "a.png", "image/png")  # 600 pixels
    assert first.status_code == 201, first.content
    assert upload(rujapa, draft, make_pdf(), "b.pdf", "application/pdf").status_code == 201  # no pixels
    before = state(draft, media)
    response = upload(
        rujapa, draft, make_image("JPEG", (30, 20)), "c.jpg", "image/jpeg", **EN
    )  # 1,200 in all
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "limit_exceeded"
    assert body["detail"].startswith("The images of one memo may total at most 0.001 megapixels;")
    assert "would total 0.0" in body["detail"]
    assert state(draft, media) == before
    # Up to the limit exactly is allowed: 600 + 400 = 1,000.
    assert upload(rujapa, draft, make_image("PNG", (20, 20)), "d.png", "image/png").status_code == 201


def test_a_body_over_the_limit_is_refused_by_the_api_in_thai_and_nothing_is_created(settings, api_as):
    settings.MEMOFLOW_MEMO_MAX_BODY_CHARS = 100
    memos = Memo.objects.count()
    jobs = DBTaskResult.objects.count()
    response = api_as("rujapa").post(
        "/api/v1/memos/", {"subject": "เรื่องยาว", "body": "ก" * 101}, format="json", **TH
    )
    assert response.status_code == 400, response.content
    message = "ข้อความมีความยาว 101 ตัวอักษร แต่บันทึกข้อความหนึ่งฉบับมีข้อความได้ไม่เกิน 100 ตัวอักษร"
    assert response.json() == {"code": "limit_exceeded", "detail": message, "fields": {"body": [message]}}
    assert Memo.objects.count() == memos
    assert DBTaskResult.objects.count() == jobs
    ok = api_as("rujapa").post("/api/v1/memos/", {"subject": "เรื่องพอดี", "body": "ก" * 100}, format="json")
    assert ok.status_code == 201, ok.content


def test_a_body_over_the_limit_is_refused_on_update_and_the_draft_is_unchanged(settings, draft, api_as):
    settings.MEMOFLOW_MEMO_MAX_BODY_CHARS = 100
    response = api_as("rujapa").patch(f"/api/v1/memos/{draft.pk}/", {"body": "ข" * 500}, format="json", **EN)
    assert response.status_code == 400
    assert response.json()["fields"]["body"] == [
        "The body is 500 characters long; a memo's body may have at most 100."
    ]
    draft.refresh_from_db()
    assert draft.body == "จึงเรียนมาเพื่อโปรดพิจารณา"


def test_the_write_page_shows_the_body_limit_next_to_the_body(settings, demo_org):
    settings.MEMOFLOW_MEMO_MAX_BODY_CHARS = 100
    client = Client()
    client.force_login(
        Person.objects.get(username="rujapa")
    )  # the sign-in form itself: tests/test_lockout.py
    memos = Memo.objects.count()
    response = client.post(reverse("memo-new"), {"urgency": "normal", "subject": "เรื่อง", "body": "ค" * 150})
    assert response.status_code == 200
    assert "บันทึกข้อความหนึ่งฉบับมีข้อความได้ไม่เกิน 100 ตัวอักษร" in response.content.decode()
    assert Memo.objects.count() == memos


def test_a_file_whose_content_is_not_its_extension_is_refused(draft, api_as, media):
    """A PNG named .pdf (or a PDF named .png) is refused, whatever the declared type says."""
    before = state(draft, media)
    for content, name in ((make_image("PNG"), "scan.pdf"), (make_pdf(), "photo.png")):
        response = upload(api_as("rujapa"), draft, content, name, "application/octet-stream", **EN)
        assert response.status_code == 400, response.content
        assert "named or sent as" in response.json()["detail"]
    assert state(draft, media) == before
