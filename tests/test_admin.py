"""The Django admin is in Thai and shows the organisation chart; route templates are validated on save."""

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
