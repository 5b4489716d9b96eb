"""The signatory's web pages through Django's test client: sign in, my tasks, the memo page and its actions,
writing, the lists, the profile. Every change goes through workflow.services (tested there); these tests check
what each page shows and that its forms reach the services and show their errors."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from memos.models import Memo, MemoStatus
from org.demo import DEMO_PASSWORD
from tests.builders import active_step as _active
from tests.builders import png_bytes, submit, submitted_memo
from workflow import demo, services
from workflow.models import RouteStep, StepState
from workflow.views import duration_text


@pytest.fixture
def seed(demo_org):
    demo.load_route_template(demo_org)
    return demo.load_seed_memo(demo_org)


@pytest.fixture
def login(demo_org):
    def make(username: str) -> Client:
        client = Client()
        # django-axes needs the request that authenticate() is called with (it refuses None).
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
        return client

    return make


# Layout, sign in and out ------------------------------------------------------------------------------------


def test_pages_need_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_thai_first(db):
    response = Client().get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="th">' in html
    assert "เข้าสู่ระบบ" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/css/app.css" in html
    assert "https://" not in html  # no CDN


def test_sign_in_with_a_wrong_password_shows_a_thai_error(demo_org):
    response = Client().post(reverse("login"), {"username": "rujapa", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()


def test_sign_in_and_out(demo_org):
    client = Client()
    response = client.post(reverse("login"), {"username": "rujapa", "password": DEMO_PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "เข้าสู่ระบบในชื่อ" in html
    response = client.post(reverse("logout"), follow=True)
    assert "ออกจากระบบแล้ว" in response.content.decode()
    assert client.get("/").status_code == 302


def test_english_switch(login):
    client = login("rujapa")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "My tasks" in html


def test_header_shows_my_task_count_on_every_page(seed, person, login):
    submit(seed)
    client = login("ratchawari")
    for url in ["/", reverse("memo-list-mine"), reverse("memo-list-done"), reverse("profile")]:
        html = client.get(url).content.decode()
        assert re.search(r'data-testid="task-count"[^>]*>๑</span>', html), url


def test_profile_changes_the_password(login, person):
    client = login("nat")
    response = client.post(
        reverse("profile"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Kh0n-Kaen-2569!",
            "new_password2": "Kh0n-Kaen-2569!",
        },
        follow=True,
    )
    assert "เปลี่ยนรหัสผ่านแล้ว" in response.content.decode()
    assert person("nat").check_password("Kh0n-Kaen-2569!")


def test_profile_wrong_old_password_is_shown_next_to_the_field(login, person):
    """The new password is a valid one, so the only error is the old password's: with the right old password
    this test fails (the password changes and the page redirects)."""
    client = login("nat")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(
        reverse("profile"),
        {"old_password": "nope", "new_password1": "Kh0n-Kaen-2569!", "new_password2": "Kh0n-Kaen-2569!"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(r'id="id_old_password_error"[^>]*>(.*?)</ul>', html, re.S)
    assert error is not None, html
    assert "Your old password was entered incorrectly" in error.group(1)
    assert person("nat").check_password(DEMO_PASSWORD)


# My tasks ---------------------------------------------------------------------------------------------------


def test_duration_text_in_thai():
    from django.utils import translation

    with translation.override("th"):
        assert duration_text(timedelta(hours=3, minutes=5)) == "๓ ชั่วโมง"
        assert duration_text(timedelta(seconds=10)) == "๑ นาที"
        assert duration_text(timedelta(days=2)) == "๒ วัน"
    with translation.override("en"):
        assert duration_text(timedelta(hours=1)) == "1 hour"


def test_my_tasks_lists_the_memo_with_urgency_label_waiting_time_and_writer(seed, person, login):
    submit(seed)
    RouteStep.objects.filter(memo=seed, state=StepState.ACTIVE).update(
        activated_at=timezone.now() - timedelta(hours=3, minutes=1)
    )
    html = login("ratchawari").get("/").content.decode()
    seed.refresh_from_db()
    assert seed.subject in html
    assert seed.number in html
    assert "รอ ๓ ชั่วโมง" in html
    assert "ปกติ" in html  # the text label ...
    assert "urgency-normal" in html  # ... and the colour
    assert person("rujapa").full_name in html
    assert reverse("memo-page", args=[seed.pk]) in html
    # She signs as caretaker of the vacant post: the capacity before the position, as under a signature.
    assert "ในฐานะ รักษาการแทน หัวหน้าสำนักปลัด · ลงนามร่วม" in html


def test_my_tasks_empty(login):
    html = login("nat").get("/").content.decode()
    assert "ไม่มีงานรอดำเนินการ" in html


def _memos_for_ratchawari(person, n):
    for i in range(n):
        submitted_memo(subject=f"เรื่องทดสอบ {i}", body="เนื้อความ", urgency="urgent")


@pytest.mark.parametrize("count", [2, 20])
def test_my_tasks_query_count_is_constant(seed, person, login, django_assert_num_queries, count):
    _memos_for_ratchawari(person, count)
    client = login("ratchawari")
    client.get("/")  # warm the session
    # session, user, the header's count, the list
    with django_assert_num_queries(4):
        response = client.get("/")
    assert response.content.decode().count('class="row"') == count


# The memo page ----------------------------------------------------------------------------------------------


def test_memo_page_404_for_someone_not_on_the_route(seed, login, demo_org):
    from org.models import Person

    outsider = Person.objects.exclude(username__in=["rujapa", "ratchawari", "nat", "yutthana"]).filter(
        is_superuser=False
    )
    for person in outsider:
        if person.has_perm("org.audit_memos") or person.has_perm("memos.manage_memos"):
            continue
        client = Client()
        client.force_login(person)
        assert client.get(reverse("memo-page", args=[seed.pk])).status_code == 404
        break
    else:
        pytest.skip("no outsider in the demo organisation")


def test_memo_page_for_the_writer_shows_pdf_route_enclosure_and_submit(seed, login, render_pdfs):
    render_pdfs()
    html = login("rujapa").get(reverse("memo-page", args=[seed.pk])).content.decode()
    assert f'src="/api/v1/memos/{seed.pk}/pdf/"' in html
    assert demo.SEED_ENCLOSURE_TITLE in html
    assert "ลงนามและเสนอ" in html  # submit
    assert 'data-testid="my-actions"' not in html
    assert "ปลัดองค์การบริหารส่วนตำบลหนองโสน" in html  # route


def test_submit_with_a_wrong_password_shows_the_error_next_to_the_field(seed, login):
    client = login("rujapa")
    response = client.post(
        reverse("memo-page", args=[seed.pk]), {"action": "submit", "submit-password": "wrong"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "รหัสผ่านไม่ถูกต้อง" in html
    seed.refresh_from_db()
    assert seed.status == MemoStatus.DRAFT


def test_whole_route_through_the_pages(seed, login, person, render_pdfs):
    url = reverse("memo-page", args=[seed.pk])
    response = login("rujapa").post(url, {"action": "submit", "submit-password": DEMO_PASSWORD}, follow=True)
    assert "ลงนามและเสนอแล้ว" in response.content.decode()

    client = login("ratchawari")
    html = client.get(url).content.decode()
    assert 'data-testid="my-actions"' in html
    for phrase in ["เห็นชอบ", "ตรวจสอบแล้ว", "เรียนเพื่อโปรดพิจารณา"]:  # a co-signer's
        assert f'data-phrase="{phrase}"' in html
    client.post(url, {"action": "approve", "approve-password": DEMO_PASSWORD, "approve-opinion": "เห็นชอบ"})
    assert _active(seed).assignee.username == "nat"

    client = login("nat")
    response = client.post(
        url, {"action": "approve", "approve-password": DEMO_PASSWORD, "approve-opinion": ""}
    )
    assert "ความเห็น" in response.content.decode()  # opinion required on an opinion step, in Thai
    client.post(
        url, {"action": "approve", "approve-password": DEMO_PASSWORD, "approve-opinion": "เห็นควรพิจารณา"}
    )

    client = login("yutthana")
    html = client.get(url).content.decode()
    assert 'name="approve-decision"' in html
    client.post(
        url, {"action": "approve", "approve-password": DEMO_PASSWORD, "approve-decision": "acknowledged"}
    )
    seed.refresh_from_db()
    assert seed.status in (MemoStatus.COMPLETED, MemoStatus.ARCHIVED)

    html = login("rujapa").get(url).content.decode()
    assert "เห็นควรพิจารณา" in html  # the opinion on the timeline
    assert "กำลังจัดทำเอกสาร" in html  # the render worker has not run yet
    render_pdfs()
    html = login("rujapa").get(url).content.decode()
    assert 'data-testid="download-pdf"' in html


def test_return_and_reject_need_a_reason(seed, login, person):
    submit(seed)
    url = reverse("memo-page", args=[seed.pk])
    client = login("ratchawari")
    response = client.post(url, {"action": "return", "return-password": DEMO_PASSWORD, "return-reason": ""})
    assert 'class="errorlist' in response.content.decode()
    client.post(url, {"action": "return", "return-password": DEMO_PASSWORD, "return-reason": "แก้ตัวเลข"})
    seed.refresh_from_db()
    assert seed.status == MemoStatus.RETURNED
    html = login("rujapa").get(url).content.decode()
    assert "แก้ตัวเลข" in html
    assert 'data-testid="submit-box"' in html


def test_reject_ends_the_memo(seed, login, person):
    submit(seed)
    url = reverse("memo-page", args=[seed.pk])
    cosigner = login("ratchawari")
    response = cosigner.post(
        url, {"action": "reject", "reject-password": DEMO_PASSWORD, "reject-reason": "ไม่จำเป็น"}, follow=True
    )
    assert "ผู้ลงนามร่วมยุติเรื่องไม่ได้" in response.content.decode()  # said, and nothing changed
    seed.refresh_from_db()
    assert seed.status == MemoStatus.IN_REVIEW
    cosigner.post(url, {"action": "approve", "approve-password": DEMO_PASSWORD})
    login("nat").post(url, {"action": "reject", "reject-password": DEMO_PASSWORD, "reject-reason": "ไม่จำเป็น"})
    seed.refresh_from_db()
    assert seed.status == MemoStatus.REJECTED


def test_acting_twice_shows_a_message(seed, login, person):
    submit(seed)
    url = reverse("memo-page", args=[seed.pk])
    client = login("ratchawari")
    client.post(url, {"action": "approve", "approve-password": DEMO_PASSWORD})
    response = client.post(url, {"action": "approve", "approve-password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "คุณไม่มีขั้นตอนที่ต้องดำเนินการ" in response.content.decode()


# Writing ----------------------------------------------------------------------------------------------------


def test_write_a_memo_edit_attach_route_and_submit(login, person, position, seed, media_root):
    client = login("rujapa")
    response = client.post(
        reverse("memo-new"),
        {
            "urgency": "urgent",
            "subject": "ขอความอนุเคราะห์",
            "addressee": "",
            "department": "",
            "body": "ย่อหน้าที่หนึ่ง",
        },
    )
    memo = Memo.objects.get(subject="ขอความอนุเคราะห์")
    assert response["Location"] == reverse("memo-edit", args=[memo.pk])
    html = client.get(response["Location"]).content.decode()
    assert "ขอความอนุเคราะห์" in html

    response = client.post(
        reverse("memo-edit", args=[memo.pk]),
        {"urgency": "most_urgent", "subject": "ขอความอนุเคราะห์ (แก้)", "body": "ใหม่"},
    )
    memo.refresh_from_db()
    assert memo.subject == "ขอความอนุเคราะห์ (แก้)"
    assert memo.urgency == "most_urgent"

    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("memo-enclosure-add", args=[memo.pk]),
        {"title": "ภาพ", "file": upload},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("memo-edit", args=[memo.pk])
    assert memo.enclosures.filter(title="ภาพ").exists()

    bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(
        reverse("memo-enclosure-add", args=[memo.pk]), {"title": "ไฟล์", "file": bad}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()

    steps = [s for s in RouteStep.objects.filter(memo=memo).order_by("order") if s.order > 0]
    positions = [str(s.position_id) for s in steps]
    roles = [s.role for s in steps]
    # move the last step up, then back down
    client.post(
        reverse("memo-route", args=[memo.pk]),
        {"position": positions, "role": roles, "op": f"up-{len(steps) - 1}"},
    )
    # remove the first step
    client.post(
        reverse("memo-route", args=[memo.pk]), {"position": positions, "role": roles, "op": "remove-0"}
    )
    assert RouteStep.objects.filter(memo=memo, order__gt=0).count() == len(steps) - 1
    # add it back
    client.post(
        reverse("memo-route", args=[memo.pk]),
        {
            "position": positions[1:],
            "role": roles[1:],
            "op": "add",
            "new_position": positions[0],
            "new_role": "cosign",
        },
    )
    assert RouteStep.objects.filter(memo=memo, order__gt=0).count() == len(steps)
    assert RouteStep.objects.get(memo=memo, order=len(steps)).role == "decision"  # added before the decision

    response = client.post(
        reverse("memo-page", args=[memo.pk]), {"action": "submit", "submit-password": DEMO_PASSWORD}
    )
    memo.refresh_from_db()
    assert memo.status in (MemoStatus.IN_REVIEW, MemoStatus.DRAFT)


def test_write_shows_field_errors_in_thai(login):
    response = login("rujapa").post(reverse("memo-new"), {"urgency": "normal", "subject": "", "body": ""})
    assert response.status_code == 200
    assert "ต้องกรอกข้อมูลนี้" in response.content.decode() or "errorlist" in response.content.decode()


def test_only_the_writer_edits(seed, login):
    assert login("nat").get(reverse("memo-edit", args=[seed.pk])).status_code == 404


# Lists ------------------------------------------------------------------------------------------------------


def test_my_memos_search_and_filters(seed, login, person):
    submit(seed)
    seed.refresh_from_db()
    client = login("rujapa")
    html = client.get(reverse("memo-list-mine")).content.decode()
    assert seed.subject in html
    html = client.get(reverse("memo-list-mine"), {"q": seed.number}).content.decode()
    assert seed.subject in html
    html = client.get(reverse("memo-list-mine"), {"q": "ไม่มีเรื่องนี้"}).content.decode()
    assert "ไม่พบบันทึก" in html
    html = client.get(reverse("memo-list-mine"), {"status": "completed"}).content.decode()
    assert seed.subject not in html
    html = client.get(
        reverse("memo-list-mine"), {"urgency": "normal", "status": "in_review"}
    ).content.decode()
    assert seed.subject in html
    assert "๒๕" in html  # Buddhist-era year, Thai digits
    html = client.get(
        reverse("memo-list-mine"), {"date_from": "2023-10-01", "date_to": "2099-12-31"}
    ).content.decode()
    assert seed.subject in html
    assert "๑ ต.ค. ๒๕๖๖" in html  # the range, in the Buddhist era
    html = client.get(reverse("memo-list-mine"), {"date_to": "2000-01-01"}).content.decode()
    assert seed.subject not in html


def test_done_by_me(seed, login, person):
    submit(seed)
    services.step_approve(step=_active(seed), actor=person("ratchawari"), password=DEMO_PASSWORD)
    html = login("ratchawari").get(reverse("memo-list-done")).content.decode()
    assert seed.subject in html
    html = login("nat").get(reverse("memo-list-done")).content.decode()
    assert seed.subject not in html


def test_decision_other_needs_the_order_text_shown_next_to_the_field(seed, login, person):
    submit(seed)
    services.step_approve(step=_active(seed), actor=person("ratchawari"), password=DEMO_PASSWORD)
    services.step_approve(step=_active(seed), actor=person("nat"), password=DEMO_PASSWORD, opinion="เห็นชอบ")
    url = reverse("memo-page", args=[seed.pk])
    client = login("yutthana")
    response = client.post(
        url, {"action": "approve", "approve-password": DEMO_PASSWORD, "approve-decision": "other"}
    )
    html = response.content.decode()
    assert 'id="id_approve-decision_text_error"' in html
    client.post(
        url,
        {
            "action": "approve",
            "approve-password": DEMO_PASSWORD,
            "approve-decision": "other",
            "approve-decision_text": "มอบกองคลังดำเนินการ",
        },
    )
    seed.refresh_from_db()
    assert seed.status in (MemoStatus.COMPLETED, MemoStatus.ARCHIVED)
    assert "มอบกองคลังดำเนินการ" in login("rujapa").get(url).content.decode()


def test_pages_in_english(seed, login):
    client = login("rujapa")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("memo-page", args=[seed.pk])).content.decode()
    assert '<html lang="en">' in html
    assert "Sign and submit" in html
    assert "ภาษาไทย" in html  # the switch back
