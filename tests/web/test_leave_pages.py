"""Leave in the browser on a phone (360×740, issue 13): the ปลัด asks for leave from his profile, typing the
dates in the Buddhist era and naming who acts; the นายก sees it from his profile and approves; the memo that
waited for the ปลัด is then with the acting person. Every page measured (tap targets, axe) at both sizes."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from core import thai
from org.models import Leave, LeaveState
from org.selectors import bangkok_day
from tests.builders import active_step, in_review_memo
from tests.web.conftest import PHONE, SIZES, needs_chromium, shot
from tests.web.test_page_quality import check

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


def be(day: Any) -> str:
    return thai.thai_digits(f"{day.day}/{day.month}/{thai.be_year(day.year)}")


def test_ask_for_leave_and_approve_it_on_a_phone(org: Any, open_as: Callable[..., Any]) -> None:
    waiting = in_review_memo(2)
    today = bangkok_day(None)

    page = open_as("nat", PHONE)
    page.goto("/profile/")
    page.get_by_test_id("profile-leave").click()
    page.wait_for_url("**/leave/")
    page.locator("#id_starts_on").fill(be(today))
    page.locator("#id_ends_on").fill(be(today + timedelta(days=2)))
    page.locator("#id_acting_person").select_option(label="นางสาวกัลยา ศรีสวัสดิ์ — ผู้อำนวยการกองคลัง")
    page.locator("#id_capacity").select_option("รักษาราชการแทน")
    page.locator("#id_order_reference").fill("คำสั่ง ๑๒/๒๕๖๙")
    page.get_by_test_id("leave-submit").click()
    page.wait_for_load_state()
    assert "ส่งขออนุมัติการลาแล้ว" in page.locator(".messages").inner_text()
    assert "รออนุมัติ" in page.get_by_test_id("leave").inner_text()
    shot(page, "leave-mine")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    page = open_as("yutthana", PHONE)
    page.goto("/profile/")
    page.get_by_test_id("profile-leave-approve").click()
    page.wait_for_url("**/leave/approve/")
    row = page.get_by_test_id("leave")
    assert "นายนาฏ วงศ์ทองดี" in row.inner_text()
    shot(page, "leave-approve")
    row.get_by_test_id("leave-approve").click()
    page.wait_for_load_state()
    said = page.locator(".messages").inner_text()
    assert "อนุมัติการลาของนายนาฏ วงศ์ทองดีแล้ว" in said
    assert "ย้ายขั้นตอนที่รอดำเนินการ ๑ ขั้นตอน" in said
    assert Leave.objects.get().state == LeaveState.APPROVED
    assert active_step(waiting).assignee.username == "finance_head"

    # The acting person finds the memo among her tasks.
    page = open_as("finance_head", PHONE)
    assert page.get_by_test_id("task-count").inner_text() == "๑"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_leave_pages_have_big_enough_targets_and_no_axe_violation(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    from org.models import Person, Position
    from workflow.services import leave as leave_services

    today = bangkok_day(None)
    leave_services.leave_request(
        person=Person.objects.get(username="nat"),
        position=Position.objects.get(title="ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=3),
        acting_person=Person.objects.get(username="finance_head"),
        capacity="รักษาราชการแทน",
        order_reference="คำสั่ง ๑๒/๒๕๖๙",
        note="ลาพักผ่อน",
    )
    page = open_as("nat", SIZES[size])
    page.goto("/leave/")
    check(page, "my leave")
    page.get_by_test_id("leave-submit").click()  # empty: the error summary and the fields' errors
    page.wait_for_load_state()
    check(page, "my leave with errors")
    page = open_as("yutthana", SIZES[size])
    for path in ("/profile/", "/leave/approve/"):
        page.goto(path)
        check(page, path)
