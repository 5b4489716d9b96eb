"""The bell and the notification list on a phone (360×740), in a real browser (Chromium): the writer sees how
many are unread in the header, opens the list, marks one read with htmx (the bell follows without a reload),
opens another by its link (it is read, and the memo page is there), and marks the rest read."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.builders import approve_active, returned_memo, submitted_memo
from tests.web.conftest import PHONE, needs_chromium, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


def test_the_bell_and_the_list_on_a_phone(org: Any, open_as: Callable[..., Any]) -> None:
    signed = submitted_memo(subject="ขอความเห็นชอบจัดซื้อวัสดุ")
    approve_active(signed)  # rujapa: signed at step 1
    back = returned_memo(at_step=2)  # rujapa: signed at step 1, then returned with the reason
    page = open_as("rujapa", PHONE)

    bell = page.get_by_test_id("bell")
    assert bell.is_visible()
    assert page.get_by_test_id("bell-count").inner_text() == "๓"
    box = bell.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # in the header, on the first screen
    assert box["width"] >= 44
    assert box["height"] >= 44
    bell.click()
    page.wait_for_url("**/notifications/")
    items = page.get_by_test_id("notification")
    assert items.count() == 3
    assert page.locator("[data-unread]").count() == 3
    newest = items.first
    assert "ถูกส่งคืนแก้ไข" in newest.inner_text()
    assert "เหตุผล: แก้ไขงบประมาณ" in newest.inner_text()
    shot(page, "notifications")

    # One read by its button: the item and the bell change in place (htmx).
    items.nth(2).get_by_test_id("mark-read").click()
    page.wait_for_function("document.querySelectorAll('[data-unread]').length === 2")
    assert page.get_by_test_id("bell-count").inner_text() == "๒"

    # The newest opened by its link: the memo page, and it is read.
    newest.locator("a.row").click()
    page.wait_for_url(f"**/memos/{back.pk}/")
    assert page.get_by_test_id("bell-count").inner_text() == "๑"

    page.goto("/notifications/")
    page.get_by_test_id("read-all").click()
    page.wait_for_url("**/notifications/")
    assert page.locator("[data-unread]").count() == 0
    assert page.get_by_test_id("bell-count").count() == 0
    assert page.get_by_test_id("read-all").count() == 0


def test_the_settings_on_a_phone(org: Any, open_as: Callable[..., Any]) -> None:
    page = open_as("rujapa", PHONE)
    page.goto("/profile/")
    page.get_by_test_id("profile-notification-settings").click()
    page.wait_for_url("**/notifications/settings/")
    page.get_by_role("group", name="อีเมล").get_by_label("สรุปวันละครั้ง").check()
    page.get_by_test_id("save-preferences").click()
    page.wait_for_url("**/notifications/settings/")
    assert page.get_by_role("group", name="อีเมล").get_by_label("สรุปวันละครั้ง").is_checked()
    assert "บันทึกการตั้งค่าการแจ้งเตือนแล้ว" in page.get_by_test_id("messages").inner_text()
    shot(page, "notification-settings")
