"""The seed scenario in a real browser (Chromium through pytest-playwright), against pytest-django's live server.

rujapa opens the seed draft and submits it (after a wrong password); ratchawari approves on a 360 px phone;
nat writes an opinion; yutthana decides ทราบ; rujapa sees the memo completed and downloads its PDF. Also a
return-for-revision round trip. Any browser console error or server 500 fails the test; every page is saved as
a screenshot at phone and desktop sizes in artifacts/screenshots/.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from org import demo as org_demo
from org.demo import DEMO_PASSWORD
from tests.web.conftest import PHONE, leave_every_page, needs_chromium, open_sheet, shot
from tests.web.test_pages import png_bytes
from workflow import demo

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed(transactional_db: None) -> Any:
    org = org_demo.load_organisation()
    demo.load_route_template(org)
    return demo.load_seed_memo(org)


def page_weight(page: Any) -> int:
    """Bytes of the page and everything it loaded (bodies as sent; no cache in a fresh context)."""
    total: int = page.evaluate(
        """() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
              .reduce((sum, e) => sum + (e.encodedBodySize || 0), 0)"""
    )
    return total


def sign(page: Any, *, prefix: str, button: str) -> None:
    page.fill(f"#id_{prefix}-password", DEMO_PASSWORD)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def th(text: str) -> str:
    with translation.override("th"):
        return str(translation.gettext(text))


def test_seed_scenario(seed: Any, open_as: Callable[..., Any], live_server: Any, browser: Any) -> None:
    memo_url = f"{live_server.url}/memos/{seed.pk}/"

    # rujapa: her draft in "my memos", a wrong password, then submits.
    page = open_as("rujapa")
    shot(page, "login-then-tasks-rujapa")
    page.get_by_role("link", name="บันทึกของฉัน").click()
    shot(page, "my-memos")
    page.get_by_role("link", name=demo.SEED_SUBJECT[:20]).first.click()
    page.wait_for_url(memo_url)
    shot(page, "memo-draft")
    page.get_by_role("link", name="แก้ไขร่าง").click()
    shot(page, "write")
    page.get_by_role("link", name="กลับไปที่บันทึก").click()
    page.fill("#id_submit-password", "not-my-password")
    page.get_by_role("button", name="ลงนามและเสนอ", exact=True).click()
    error = page.locator("#id_submit-password_error")
    assert "รหัสผ่านไม่ถูกต้อง" in error.inner_text()
    shot(page, "memo-wrong-password")
    sign(page, prefix="submit", button="ลงนามและเสนอ")
    assert "ลงนามและเสนอแล้ว" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("memo-status").inner_text() == th("In review")
    page.goto("/profile/")
    shot(page, "profile")

    # ratchawari on a phone: one task in the header, tap it, a common phrase, sign.
    page = open_as("ratchawari", PHONE)
    assert page.get_by_test_id("task-count").inner_text() == "๑"
    shot(page, "tasks")
    assert page_weight(page) < 200_000, "the my-tasks page should be under 200 KB"
    page.locator("[data-testid=tasks] a.row").first.click()
    page.wait_for_url(memo_url)
    open_sheet(page)
    page.get_by_role("button", name="เห็นชอบ", exact=True).click()
    assert page.locator("#id_approve-opinion").input_value() == "เห็นชอบ"
    shot(page, "memo-approve")
    sign(page, prefix="approve", button="ลงนามร่วมและเสนอ")
    assert "ลงนามแล้ว ส่งบันทึกต่อไปยัง" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("task-count").inner_text() == "๐"

    # nat writes an opinion.
    page = open_as("nat")
    page.goto(memo_url)
    page.fill("#id_approve-opinion", "เห็นควรพิจารณา ตามที่เสนอ")
    sign(page, prefix="approve", button="ให้ความเห็นและลงนาม")
    assert "เห็นควรพิจารณา ตามที่เสนอ" in page.locator("ol.timeline").inner_text()

    # yutthana decides ทราบ.
    page = open_as("yutthana")
    page.goto(memo_url)
    page.get_by_label(th("Acknowledged"), exact=True).check()
    shot(page, "memo-decide")
    sign(page, prefix="approve", button="สั่งการและลงนาม")
    assert page.locator(".messages").inner_text() == "เสร็จสิ้น — บันทึกนี้ได้รับการสั่งการแล้ว"

    # rujapa sees it completed; its PDF is being prepared until the render worker has run, then the panel
    # (polled by htmx every 2 s) shows it, and she downloads it.
    page = open_as("rujapa")
    page.goto(memo_url)
    assert page.get_by_test_id("memo-status").inner_text() in (th("Completed"), th("Archived"))
    assert page.get_by_test_id("pdf-panel").get_attribute("data-state") == "pending"
    assert "กำลังจัดทำเอกสาร" in page.get_by_test_id("pdf-panel").inner_text()
    # The worker runs here, in the test's thread: leave every page first (the signatories' pages are still on
    # the memo, polling), so that no poll reaches the live server while it works (on SQLite both would share
    # the test database's one connection: "database table is locked", or a 500 on the panel).
    leave_every_page(browser)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="render")
    page.goto(memo_url)
    page.get_by_test_id("download-pdf").wait_for(timeout=15_000)
    shot(page, "memo-completed")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    path = download_info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.goto("/memos/done/")
    shot(page, "done-by-me")


def test_return_for_revision_round_trip(seed: Any, open_as: Callable[..., Any], live_server: Any) -> None:
    memo_url = f"{live_server.url}/memos/{seed.pk}/"
    page = open_as("rujapa")
    page.goto(memo_url)
    sign(page, prefix="submit", button="ลงนามและเสนอ")

    page = open_as("ratchawari", PHONE)
    page.goto(memo_url)
    open_sheet(page)
    page.locator("summary", has_text="ส่งคืนแก้ไข").click()
    page.fill("#id_return-reason", "กรุณาแก้ไขวันที่ในย่อหน้าที่สอง")
    page.fill("#id_return-password", DEMO_PASSWORD)
    page.get_by_role("button", name="ส่งคืนผู้เขียนเพื่อแก้ไข").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("memo-status").inner_text() == th("Returned for revision")

    page = open_as("rujapa")
    assert page.get_by_test_id("task-count").inner_text() == "๑"
    page.goto(memo_url)
    assert "กรุณาแก้ไขวันที่ในย่อหน้าที่สอง" in page.locator("ol.timeline").first.inner_text()
    shot(page, "memo-returned")
    # revise: attach a file (htmx upload with a progress bar), then submit again
    page.get_by_role("link", name="แก้ไขร่าง").click()
    page.fill("#id_title", "ภาพประกอบ")
    page.set_input_files(
        "#id_file", files=[{"name": "a.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="แนบ", exact=True).click()
    page.wait_for_selector("text=แนบสิ่งที่ส่งมาด้วยแล้ว")
    assert "ภาพประกอบ" in page.locator("#enc-heading + ol").inner_text()
    page.get_by_role("link", name="กลับไปที่บันทึก").click()
    sign(page, prefix="submit", button="ลงนามและเสนอ")
    assert page.get_by_test_id("memo-status").inner_text() == th("In review")

    page = open_as("ratchawari", PHONE)
    assert page.get_by_test_id("task-count").inner_text() == "๑"
