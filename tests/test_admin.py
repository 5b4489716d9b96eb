"""The Django admin is in Thai and shows the organisation chart; route templates are validated on save."""

import re

import pytest
from django.test import Client

from workflow.models import RouteTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_th(demo_org, person):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("admin"))
    return client


def test_admin_index_is_thai(admin_client_th):
    page = admin_client_th.get("/admin/").content.decode()
    assert "โครงสร้างส่วนราชการ" in page
    assert "คำสั่งรักษาการ" in page
    assert "ตำแหน่ง" in page


def test_admin_lists_the_organisation_and_the_vacant_head(admin_client_th):
    organisations = admin_client_th.get("/admin/org/organisation/").content.decode()
    assert "องค์การบริหารส่วนตำบลหนองโสน" in organisations
    positions = admin_client_th.get("/admin/org/position/?q=หัวหน้าสำนักปลัด").content.decode()
    assert "(ว่าง)" in positions
    acting = admin_client_th.get("/admin/org/actingappointment/").content.decode()
    assert "รักษาการแทน" in acting


def test_a_route_template_without_a_final_decision_is_refused(admin_client_th, demo_org, position):
    palat = position("ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    form = {
        "organisation": str(demo_org.pk),
        "name": "เส้นทางทดลอง",
        "unit": "",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-order": "1",
        "steps-0-role": "opinion",
        "steps-0-slot": "position",
        "steps-0-position": str(palat.pk),
    }
    response = admin_client_th.post("/admin/workflow/routetemplate/add/", form)
    assert response.status_code == 200
    assert "ต้องมีขั้นตอนสั่งการ" in response.content.decode()
    assert not RouteTemplate.objects.exists()

    form["steps-0-role"] = "decision"
    response = admin_client_th.post("/admin/workflow/routetemplate/add/", form)
    assert response.status_code == 302
    template = RouteTemplate.objects.get()
    assert [(s.role, s.position.title) for s in template.steps.all()] == [
        ("decision", "ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    ]


def test_opinion_phrases_are_edited_in_the_admin_and_offered_on_the_memo_page(
    admin_client_th, demo_org, person
):
    from django.test import Client

    from tests.builders import submitted_memo
    from workflow.models import OpinionPhrase

    response = admin_client_th.post(
        "/admin/workflow/opinionphrase/add/",
        {
            "organisation": str(demo_org.pk),
            "role": "cosign",
            "text": "เห็นควรมอบกองคลังพิจารณา",
            "sort_order": "1",
        },
    )
    assert response.status_code == 302
    assert OpinionPhrase.objects.get().text == "เห็นควรมอบกองคลังพิจารณา"

    memo = submitted_memo(subject="ขอความเห็น", body="ย่อหน้า")
    signer = Client(HTTP_ACCEPT_LANGUAGE="th")
    signer.force_login(person("ratchawari"))
    page = signer.get(f"/memos/{memo.pk}/").content.decode()
    assert "เห็นควรมอบกองคลังพิจารณา" in page
    assert "ตรวจสอบแล้ว" not in page  # the organisation's own list replaces the co-signer's defaults


# Reassigning a step from the admin (issue 11) ------------------------------------------------------------------

THAI = re.compile(r"[\u0e00-\u0e7f]")


def reassign_url(memo) -> str:
    return f"/admin/memos/memo/{memo.pk}/reassign/"


def offered(page: str) -> list[str]:
    """The people the chooser offers (their option values)."""
    select = page.split('name="assignee"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


@pytest.fixture
def clerk(demo_org):
    """A staff account that may look at memos in the admin, but is no administrator."""
    from django.contrib.auth.models import Permission

    from org.models import Person

    person = Person.objects.create_user(username="clerk", password="x", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_memo"))
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person)
    return client


def test_the_memo_admin_page_offers_reassigning_the_waiting_step(admin_client_th, media_root):
    from tests.builders import completed_memo, in_review_memo

    waiting = in_review_memo(2)
    page = admin_client_th.get(f"/admin/memos/memo/{waiting.pk}/change/").content.decode()
    assert reassign_url(waiting) in page
    assert "มอบหมายขั้นตอนใหม่" in page
    done = completed_memo()
    page = admin_client_th.get(f"/admin/memos/memo/{done.pk}/change/").content.decode()
    assert reassign_url(done) not in page  # nothing can be reassigned: not offered
    page = admin_client_th.get(reassign_url(done)).content.decode()
    assert 'name="assignee"' not in page
    assert "ไม่มีขั้นตอนที่รอลงนาม" in page


def test_an_administrator_gives_the_waiting_step_to_someone_else(admin_client_th, person, media_root):
    from core.models import AuditEvent
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(2)  # waits for nat (ปลัด)
    page = admin_client_th.get(reassign_url(memo)).content.decode()
    assert "ปลัดองค์การบริหารส่วนตำบลหนองโสน" in page
    assert person("nat").full_name in page
    finance_head = person("finance_head")
    assert str(finance_head.pk) in offered(page)
    response = admin_client_th.post(
        reassign_url(memo),
        {
            "step": str(active_step(memo).pk),
            "assignee": str(finance_head.pk),
            "capacity": "ปฏิบัติราชการแทน",
            "reason": "ปลัดลาพักผ่อน",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/admin/memos/memo/{memo.pk}/change/"
    assert "ขั้นที่ ๒ (ปลัดองค์การบริหารส่วนตำบลหนองโสน) รอ นางสาวกัลยา ศรีสวัสดิ์ ลงนามแล้ว" in (response.content.decode())
    step = active_step(memo)
    assert step.assignee == finance_head
    assert step.capacity == "ปฏิบัติราชการแทน"
    moved = StepReassignment.objects.get(step=step)
    assert (moved.previous_assignee, moved.new_assignee, moved.reason) == (
        person("nat"),
        finance_head,
        "ปลัดลาพักผ่อน",
    )
    assert AuditEvent.objects.filter(action="step.reassigned", object_id=str(memo.pk)).count() == 1
    assert "ปลัดลาพักผ่อน" in admin_client_th.get(f"/memos/{memo.pk}/").content.decode()


def test_only_people_the_service_accepts_are_offered(admin_client_th, person, media_root):
    from core.errors import ValidationFailed
    from org.models import Person
    from tests.builders import active_step, in_review_memo
    from workflow.services.reassignment import _check_assignee

    memo = in_review_memo(2)  # rujapa wrote it, ratchawari signed step 1, nat has step 2
    step = active_step(memo)
    ids = set(offered(admin_client_th.get(reassign_url(memo)).content.decode()))
    accepted = set()
    for candidate in Person.objects.filter(is_active=True):
        try:
            _check_assignee(step=step, memo=memo, assignee=candidate)
        except ValidationFailed:
            continue
        accepted.add(str(candidate.pk))
    accepted.discard(str(person("nat").pk))  # the person it is with already
    assert ids == accepted
    for username in ("rujapa", "ratchawari", "auditor", "admin", "nat"):
        assert str(person(username).pk) not in ids, username
    assert str(person("works_staff").pk) in ids


def test_the_reason_is_required(admin_client_th, person, media_root):
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(1)
    step = active_step(memo)
    response = admin_client_th.post(
        reassign_url(memo), {"step": str(step.pk), "assignee": str(person("works_head").pk), "reason": "  "}
    )
    assert response.status_code == 200
    assert "กรุณาระบุเหตุผลที่มอบหมายขั้นตอนใหม่" in response.content.decode()
    assert active_step(memo).assignee == step.assignee
    assert not StepReassignment.objects.exists()


def test_someone_who_may_not_sign_is_refused_with_the_services_reason(admin_client_th, person, media_root):
    """A forged choice (or one that stopped being eligible since the page was shown) reaches the service."""
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(2)
    step = active_step(memo)
    for username, said in (
        ("rujapa", "ผู้เขียนบันทึก"),
        ("ratchawari", "ลงนามในรอบนี้แล้ว"),
    ):
        response = admin_client_th.post(
            reassign_url(memo),
            {"step": str(step.pk), "assignee": str(person(username).pk), "reason": "ทดสอบ"},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert said in page, username
        assert 'name="assignee"' in page  # the form is still there, with what was typed
        assert "ทดสอบ" in page
    assert active_step(memo).assignee == person("nat")
    assert not StepReassignment.objects.exists()


def test_a_step_signed_meanwhile_is_refused_with_the_services_message(admin_client_th, person, media_root):
    from tests.builders import active_step, approve_active, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(1)
    step = active_step(memo)
    admin_client_th.get(reassign_url(memo))
    approve_active(memo)  # ratchawari signs while the administrator is choosing
    response = admin_client_th.post(
        reassign_url(memo), {"step": str(step.pk), "assignee": str(person("works_head").pk), "reason": "ลา"}
    )
    assert response.status_code == 200
    assert "มอบหมายใหม่ได้เฉพาะขั้นตอนที่รอดำเนินการ" in response.content.decode()
    assert not StepReassignment.objects.exists()


def test_staff_who_are_not_administrators_cannot_reassign(clerk, person, media_root):
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(1)
    step = active_step(memo)
    page = clerk.get(f"/admin/memos/memo/{memo.pk}/change/")
    assert page.status_code == 200  # they may look at it
    assert reassign_url(memo) not in page.content.decode()
    assert clerk.get(reassign_url(memo)).status_code == 403
    response = clerk.post(
        reassign_url(memo), {"step": str(step.pk), "assignee": str(person("works_head").pk), "reason": "ลา"}
    )
    assert response.status_code == 403
    assert active_step(memo).assignee == step.assignee
    assert not StepReassignment.objects.exists()
