"""The leave pages (issue 13): "My leave" (ask, list, cancel) from the profile, "Leave to approve" for the
superior's signatory or an administrator, and Leave in the admin; the dates typed in the Buddhist era."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from core import thai
from org.models import ActingAppointment, Leave, LeaveState, Position
from org.selectors import bangkok_day
from tests.builders import active_step, in_review_memo

DEPUTY = "ปลัดองค์การบริหารส่วนตำบลหนองโสน"


@pytest.fixture
def client_as(demo_org: Any, person: Any) -> Any:
    def make(username: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="th")
        client.force_login(person(username))
        return client

    return make


def be(day: Any) -> str:
    """A date as a Thai clerk types it: ๓/๑๒/๒๕๖๙."""
    return thai.thai_digits(f"{day.day}/{day.month}/{thai.be_year(day.year)}")


def form(person: Any, **change: Any) -> dict[str, Any]:
    today = bangkok_day(None)
    data = {
        "position": str(Position.objects.get(title=DEPUTY).pk),
        "starts_on": be(today),
        "ends_on": be(today + timedelta(days=2)),
        "acting_person": str(person("finance_head").pk),
        "capacity": "รักษาราชการแทน",
        "order_reference": "คำสั่ง ๑๒/๒๕๖๙",
        "note": "ลาพักผ่อน",
    }
    data.update(change)
    return data


def test_the_profile_links_to_my_leave_and_to_leave_to_approve_only_when_some_waits(
    client_as: Any, person: Any
) -> None:
    page = client_as("yutthana").get("/profile/").content.decode()
    assert 'href="/leave/"' in page
    assert 'href="/leave/approve/"' not in page
    client_as("nat").post("/leave/", form(person))
    page = client_as("yutthana").get("/profile/").content.decode()
    assert 'href="/leave/approve/"' in page
    assert "(๑)" in page


def test_ask_in_buddhist_era_dates_then_the_superior_approves_and_the_step_moves(
    client_as: Any, person: Any
) -> None:
    waiting = in_review_memo(2)
    nat = client_as("nat")
    response = nat.post("/leave/", form(person))
    assert response.status_code == 302
    leave = Leave.objects.get()
    assert (leave.starts_on, leave.ends_on) == (bangkok_day(None), bangkok_day(None) + timedelta(days=2))
    page = nat.get("/leave/").content.decode()
    assert "รออนุมัติ" in page
    assert "นางสาวกัลยา ศรีสวัสดิ์ รักษาราชการแทน" in page

    yutthana = client_as("yutthana")
    listed = yutthana.get("/leave/approve/").content.decode()
    assert "นายนาฏ วงศ์ทองดี" in listed
    response = yutthana.post(f"/leave/{leave.pk}/approve/", follow=True)
    said = response.content.decode()
    assert "อนุมัติการลาของนายนาฏ วงศ์ทองดีแล้ว" in said
    assert "ย้ายขั้นตอนที่รอดำเนินการ ๑ ขั้นตอน" in said
    assert ActingAppointment.objects.filter(position__title=DEPUTY, person__username="finance_head").exists()
    assert active_step(waiting).assignee.username == "finance_head"
    assert "กำลังลา" in nat.get("/leave/").content.decode()


def test_a_refused_form_says_why_next_to_the_field_and_records_nothing(client_as: Any, person: Any) -> None:
    nat = client_as("nat")
    response = nat.post("/leave/", form(person, acting_person=str(person("works_staff").pk)))
    page = response.content.decode()
    assert "ส่วนราชการเดียวกัน" in page
    assert 'data-testid="error-summary"' in page
    response = nat.post("/leave/", form(person, starts_on="31/02/2569"))
    assert "วัน/เดือน/ปี" in response.content.decode()
    assert not Leave.objects.exists()


def test_another_persons_leave_cannot_be_cancelled_seen_or_decided(client_as: Any, person: Any) -> None:
    client_as("nat").post("/leave/", form(person))
    leave = Leave.objects.get()
    rujapa = client_as("rujapa")
    assert 'data-testid="leave-none"' in rujapa.get("/leave/").content.decode()  # no row of nat's
    assert "นายนาฏ" not in rujapa.get("/leave/approve/").content.decode()
    assert rujapa.post(f"/leave/{leave.pk}/cancel/").status_code == 404
    assert rujapa.post(f"/leave/{leave.pk}/approve/").status_code == 404
    assert rujapa.post(f"/leave/{leave.pk}/refuse/", {"reason": "ไม่"}).status_code == 404
    assert client_as("finance_head").post(f"/leave/{leave.pk}/approve/").status_code == 404
    assert Leave.objects.get().state == LeaveState.REQUESTED


def test_refusing_needs_a_reason_and_the_person_sees_it(client_as: Any, person: Any) -> None:
    nat = client_as("nat")
    nat.post("/leave/", form(person))
    leave = Leave.objects.get()
    admin = client_as("admin")
    said = admin.post(f"/leave/{leave.pk}/refuse/", {"reason": "  "}, follow=True).content.decode()
    assert "ระบุเหตุผล" in said
    assert Leave.objects.get().state == LeaveState.REQUESTED
    admin.post(f"/leave/{leave.pk}/refuse/", {"reason": "ช่วงปิดงบประมาณ"})
    page = nat.get("/leave/").content.decode()
    assert "ไม่อนุมัติ" in page
    assert "ช่วงปิดงบประมาณ" in page


def test_the_person_cancels_their_leave(client_as: Any, person: Any) -> None:
    nat = client_as("nat")
    nat.post("/leave/", form(person))
    leave = Leave.objects.get()
    said = nat.post(f"/leave/{leave.pk}/cancel/", follow=True).content.decode()
    assert "ยกเลิกการลาแล้ว" in said
    assert Leave.objects.get().state == LeaveState.CANCELLED
    assert 'data-testid="leave-cancel"' not in said


def test_someone_without_a_position_is_told_so(client_as: Any) -> None:
    page = client_as("admin").get("/leave/").content.decode()
    assert 'data-testid="leave-no-position"' in page
    assert 'data-testid="leave-form"' not in page


def test_the_admin_lists_leave_read_only(client_as: Any, person: Any) -> None:
    client_as("nat").post("/leave/", form(person))
    admin = client_as("admin")
    listed = admin.get("/admin/org/leave/").content.decode()
    assert "นายนาฏ วงศ์ทองดี" in listed
    assert admin.get("/admin/org/leave/add/").status_code == 403
    leave = Leave.objects.get()
    assert admin.post(f"/admin/org/leave/{leave.pk}/change/", {"state": "approved"}).status_code == 403
