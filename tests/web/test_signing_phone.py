"""Signing on a phone and by keyboard, in a real browser (Chromium) at 360×740 and 1366×768 (issue 11):

- the signatory's action is reached without scrolling past the document, and signing takes at most three taps
  plus the password (the clicks are counted);
- the memo's text is in the page, and the PDF is one tap away;
- after an error, a summary stands at the top of the action with the focus in the field at fault, and what was
  typed is still there; a timed-out session does not lose the typed opinion;
- by keyboard, at most ten Tabs from the page's start to the password;
- the step after: a link to the next task.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from org.demo import DEMO_PASSWORD
from tests.builders import active_step, in_review_memo
from tests.web.conftest import PHONE, SIZES, needs_chromium, open_sheet, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


class Taps:
    """Counts the taps (clicks) a person makes; typing the password is not a tap."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def tap(self, locator: Any) -> None:
        locator.click()
        self.count += 1


def in_view(page: Any, locator: Any) -> bool:
    """Whether the element is on the screen as the page is, without scrolling."""
    box = locator.bounding_box()
    size = page.viewport_size
    scrolled = page.evaluate("window.scrollY")
    return bool(
        box
        and scrolled == 0
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


@pytest.mark.parametrize("size", list(SIZES))
def test_the_executive_decides_and_signs_in_three_taps(
    org: Any, open_as: Callable[..., Any], size: str, render_pdfs: Callable[[], int]
) -> None:
    memo = in_review_memo(3)
    render_pdfs()
    page = open_as("yutthana", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    # The memo's words are in the page, as text; the PDF is one tap away.
    text = page.get_by_test_id("memo-text")
    assert memo.body.splitlines()[0].strip()[:30] in text.inner_text()
    pdf = page.get_by_role("link", name="เปิด PDF", exact=True)
    assert pdf.is_visible()
    assert pdf.get_attribute("href") == reverse("api-memo-pdf", args=[memo.pk])
    shot(page, f"sign-decision-before-{size}")

    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] <= 112, "the header leaves the phone's screen to the memo"
    taps = Taps(page)
    if size == "phone":
        bar = page.get_by_test_id("sheet-bar")
        assert in_view(page, bar), "the action bar is on the screen without scrolling"
        taps.tap(bar)
    password = page.locator("#id_approve-password")
    taps.tap(page.get_by_role("button", name="อนุมัติ", exact=True))
    password.fill(DEMO_PASSWORD)
    if size == "phone":
        assert page.evaluate("window.scrollY") == 0, "nothing was scrolled: the sheet is over the document"
    shot(page, f"sign-decision-sheet-{size}")
    taps.tap(page.get_by_test_id("sign"))
    page.wait_for_load_state()
    assert taps.count <= 3
    assert page.locator(".messages").inner_text().strip() == "เสร็จสิ้น — บันทึกนี้ได้รับการสั่งการแล้ว"
    memo.refresh_from_db()
    assert memo.status in ("completed", "archived")
    assert memo.steps.get(order=3).decision == "approved"


@pytest.mark.parametrize("size", list(SIZES))
def test_a_wrong_password_is_summarised_at_the_top_with_the_cursor_in_the_password_box(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = in_review_memo(2)
    page = open_as("nat", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    open_sheet(page)
    page.fill("#id_approve-opinion", "เห็นควรอนุมัติ ตามที่หัวหน้าสำนักปลัดเสนอ")
    page.fill("#id_approve-password", "not-my-password")
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    summary = page.get_by_test_id("error-summary")
    assert "รหัสผ่านไม่ถูกต้อง" in summary.inner_text()
    box = summary.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= SIZES[size]["height"], "the summary is on the screen"
    assert focused_id(page) == "id_approve-password"
    assert page.locator("#id_approve-opinion").input_value() == "เห็นควรอนุมัติ ตามที่หัวหน้าสำนักปลัดเสนอ"
    shot(page, f"sign-wrong-password-{size}")
    # The summary's link leads to the field too.
    page.locator("#id_approve-opinion").focus()
    summary.get_by_role("link").first.click()
    assert focused_id(page) == "id_approve-password"
    # An opinion left empty: the focus goes to the opinion box.
    page.fill("#id_approve-opinion", "")
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    assert "เขียนความเห็นก่อนลงนาม" in page.get_by_test_id("error-summary").inner_text()
    assert focused_id(page) == "id_approve-opinion"
    assert active_step(memo).order == 2  # nothing was signed


def test_a_typed_opinion_survives_a_session_that_timed_out(org: Any, open_as: Callable[..., Any]) -> None:
    memo = in_review_memo(2)
    page = open_as("nat", PHONE)
    page.goto(f"/memos/{memo.pk}/")
    open_sheet(page)
    words = "เห็นควรอนุมัติ และให้กองคลังตรวจสอบงบประมาณก่อนดำเนินการ"
    page.locator("#id_approve-opinion").press_sequentially(words)
    page.context.clear_cookies(name="sessionid")  # the session times out (the form's CSRF cookie stays)
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.get_by_test_id("sign").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "nat")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"**/memos/{memo.pk}/")
    assert page.locator("#id_approve-opinion").input_value() == words
    assert page.locator("[data-sheet]").get_attribute("open") is not None  # opened, to show what was kept
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    assert memo.steps.get(order=2).opinion == words
    # Once signed, what was kept is forgotten.
    assert [k for k in page.evaluate("Object.keys(window.sessionStorage)") if k.startswith("memoflow:")] == []


@pytest.mark.parametrize("size", list(SIZES))
def test_by_keyboard_the_password_is_at_most_ten_tabs_away(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = in_review_memo(3)  # the decision step: the longest form (decisions, order, opinion, phrases)
    page = open_as("yutthana", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    tabs = 0
    page.keyboard.press("Tab")
    tabs += 1
    assert page.evaluate("document.activeElement.getAttribute('data-testid')") == "skip-to-act"
    page.keyboard.press("Enter")  # the first link: "ข้ามไปที่การลงนาม"
    # it opens the sheet on the page's hashchange event; a person's next key comes after it, the test's must too
    page.wait_for_function("document.querySelector('details[data-sheet]').open")
    while focused_id(page) != "id_approve-password" and tabs < 30:
        page.keyboard.press("Tab")
        tabs += 1
        if page.evaluate("document.activeElement.type") == "radio":
            page.keyboard.press("Space")  # the first decision, ทราบ (arrow keys choose another)
    assert focused_id(page) == "id_approve-password"
    assert tabs <= 10, f"{tabs} Tabs to the password"
    assert page.locator("input[name=approve-decision]:checked").get_attribute("value") == "acknowledged"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator(".messages").inner_text().strip() == "เสร็จสิ้น — บันทึกนี้ได้รับการสั่งการแล้ว"


@pytest.mark.parametrize("size", list(SIZES))
def test_after_signing_the_next_task_is_one_tap_away(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    first = in_review_memo(1, subject="เรื่องแรก ขออนุมัติจัดซื้อวัสดุสำนักงาน")
    second = in_review_memo(1, subject="เรื่องที่สอง ขออนุมัติซ่อมแซมรถยนต์ส่วนกลาง")
    page = open_as("ratchawari", SIZES[size])
    page.goto(f"/memos/{first.pk}/")
    open_sheet(page)
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    following = page.get_by_test_id("next-task").get_by_role("link", name="งานถัดไป")
    assert "เรื่องที่สอง" in following.inner_text()
    shot(page, f"sign-next-task-{size}")
    following.click()
    page.wait_for_url(f"**/memos/{second.pk}/")
    open_sheet(page)
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    assert "ไม่มีงานอื่นรอคุณอยู่" in page.get_by_test_id("next-task").inner_text()
