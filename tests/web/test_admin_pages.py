"""The administration pages in a real browser (Chromium), on a 360×740 phone and a 1366×768 laptop (issue 11):
an administrator reassigns a memo's waiting step and the memo's history shows it with its reason; an acting
appointment is made with Buddhist-era dates; the audit log reads in words."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.builders import active_step, in_review_memo
from tests.web.conftest import SIZES, axe_violations, needs_chromium, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


def admin_message(page: Any) -> str:
    return str(page.locator("ul.messagelist").inner_text()).strip()


# axe-core on what memoflow's own templates put in the page (Django's admin around it is Django's).


def assert_tappable(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["height"] >= 44, f"{selector} is {box['height']}px high"
    assert box["width"] >= 44, f"{selector} is {box['width']}px wide"


@pytest.mark.parametrize("size", list(SIZES))
def test_an_administrator_reassigns_the_waiting_step_and_the_memo_shows_why(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    from org.models import Person

    memo = in_review_memo(2)  # waits for nat (ปลัด)
    kanlaya = Person.objects.get(username="finance_head")
    page = open_as("admin", SIZES[size])
    page.goto(f"/admin/memos/memo/{memo.pk}/change/")
    page.get_by_role("link", name="มอบหมายขั้นตอนใหม่", exact=True).click()
    waiting = page.get_by_test_id("waiting-step")
    assert "ปลัดองค์การบริหารส่วนตำบลหนองโสน" in waiting.inner_text()
    assert page.get_by_test_id("current-assignee").inner_text() == "นายนาฏ วงศ์ทองดี"
    chooser = page.get_by_label("มอบหมายให้")
    offered = chooser.locator("option").all_inner_texts()
    assert "นางสาวกัลยา ศรีสวัสดิ์ — ผู้อำนวยการกองคลัง" in offered
    assert not [o for o in offered if "รุจภา" in o or "ราชวรี" in o or "ผู้ดูแลระบบ" in o]  # writer, signed, admin
    for selector in ("#id_assignee", "#id_capacity", "#id_reason", "input[type=submit]", "a.closelink"):
        assert_tappable(page, selector)
    assert axe_violations(page, "#content-main") == []
    shot(page, f"admin-reassign-{size}")

    chooser.select_option(label="นางสาวกัลยา ศรีสวัสดิ์ — ผู้อำนวยการกองคลัง")
    page.get_by_role("button", name="มอบหมายขั้นตอนใหม่").click()  # no reason yet
    assert "กรุณาระบุเหตุผลที่มอบหมายขั้นตอนใหม่" in page.locator("#id_reason_error").inner_text()
    assert axe_violations(page, "#content-main") == []  # with the error shown
    assert active_step(memo).assignee == Person.objects.get(username="nat")

    page.get_by_label("ลงนามในฐานะ").select_option("ปฏิบัติราชการแทน")
    page.get_by_label("เหตุผลที่มอบหมายใหม่").fill("ปลัดไปราชการต่างจังหวัด")
    page.get_by_role("button", name="มอบหมายขั้นตอนใหม่").click()
    page.wait_for_url(f"**/admin/memos/memo/{memo.pk}/change/")
    assert admin_message(page) == (
        "ขั้นที่ ๒ (ปลัดองค์การบริหารส่วนตำบลหนองโสน) รอ นางสาวกัลยา ศรีสวัสดิ์ ลงนามแล้ว เหตุผลแสดงไว้ในบันทึก"
    )
    assert active_step(memo).assignee == kanlaya

    page.get_by_role("link", name="เปิดหน้าบันทึก").click()
    page.wait_for_url(f"**/memos/{memo.pk}/")
    moved = page.get_by_test_id("reassignment")
    assert "นางสาวกัลยา ศรีสวัสดิ์" in moved.inner_text()
    assert "นายนาฏ วงศ์ทองดี" in moved.inner_text()
    assert "ปลัดไปราชการต่างจังหวัด" in moved.inner_text()
    shot(page, f"memo-reassigned-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_an_acting_appointment_is_made_with_buddhist_era_dates(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    from datetime import date

    from org.models import ActingAppointment

    page = open_as("admin", SIZES[size])
    page.goto("/admin/org/actingappointment/")
    assert "๑ ต.ค. ๒๕๖๖" in page.locator("#result_list").inner_text()
    assert "2023" not in page.locator("#result_list").inner_text()
    page.goto("/admin/org/actingappointment/add/")
    page.get_by_label("ตำแหน่ง").select_option(label="ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    page.locator("#id_person + .select2").click()  # the person is searched for, as Django's admin does it
    page.locator(".select2-search__field").fill("กัลยา")
    page.locator(".select2-results__option", has_text="กัลยา").click()
    page.get_by_label("ฐานะ").select_option("ปฏิบัติราชการแทน")
    page.get_by_label("ตั้งแต่วันที่").fill("๓๑/๒/๒๕๖๙")  # no such day
    page.get_by_label("ถึงวันที่").fill("15 ธ.ค. 2569")
    shot(page, f"admin-acting-form-{size}")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    assert "กรุณากรอกวันที่เป็น วัน/เดือน/ปี พ.ศ." in page.locator(".errorlist").first.inner_text()
    assert page.get_by_label("ถึงวันที่").input_value() == "15 ธ.ค. 2569"  # nothing typed is lost
    page.get_by_label("ตั้งแต่วันที่").fill("๒/๑๒/๒๕๖๙")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url("**/admin/org/actingappointment/")
    made = ActingAppointment.objects.get(position__title="ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    assert (made.valid_from, made.valid_to) == (date(2026, 12, 2), date(2026, 12, 15))
    row = page.locator("#result_list tr", has_text="นางสาวกัลยา ศรีสวัสดิ์").inner_text()
    assert "๒ ธ.ค. ๒๕๖๙" in row
    assert "๑๕ ธ.ค. ๒๕๖๙" in row
    shot(page, f"admin-acting-list-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_audit_log_reads_in_words(org: Any, open_as: Callable[..., Any], size: str) -> None:
    memo = in_review_memo(1)
    page = open_as("admin", SIZES[size])
    page.goto("/admin/core/auditevent/")
    rows = page.locator("#result_list").inner_text()
    assert "ลงนามและเสนอบันทึก" in rows
    assert "memo.submitted" in rows  # small, beside the words
    page.get_by_role("link", name="ลงนามและเสนอบันทึก").first.click()
    assert str(memo.pk) in page.locator("#content").inner_text()
    shot(page, f"admin-audit-{size}")
