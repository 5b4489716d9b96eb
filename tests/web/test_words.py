"""The memo page's words in a real browser (Chromium), on a 360×740 phone and a 1366×768 desktop: a decision
chip chooses its decision, and each action's message says where the memo is now (issue 11, words)."""

from collections.abc import Callable
from typing import Any

import pytest

from org.demo import DEMO_PASSWORD
from tests.builders import active_step, in_review_memo
from tests.web.conftest import SIZES, needs_chromium, open_sheet, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


def message(page: Any) -> str:
    return str(page.locator(".messages").inner_text()).strip()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_decision_chip_chooses_its_decision_and_the_memo_is_done(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = in_review_memo(3)
    page = open_as("yutthana", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    open_sheet(page)
    opinion = page.locator("#id_approve-opinion")
    checked = "input[name=approve-decision]:checked"
    assert page.locator(checked).count() == 0
    for chip, decision in (("ไม่อนุมัติ", "not_approved"), ("ทราบ", "acknowledged"), ("อนุมัติ", "approved")):
        page.get_by_role("button", name=chip, exact=True).click()
        assert page.locator(checked).get_attribute("value") == decision, chip
        assert page.locator(checked).is_visible()
    assert opinion.input_value() == ""  # a decision's word is chosen, not typed into the opinion
    shot(page, f"memo-decision-chip-{size}")
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.get_by_role("button", name="สั่งการและลงนาม", exact=True).click()
    page.wait_for_load_state()
    assert message(page) == "เสร็จสิ้น — บันทึกนี้ได้รับการสั่งการแล้ว"
    memo.refresh_from_db()
    assert memo.status in ("completed", "archived")
    assert memo.steps.get(order=3).decision == "approved"  # the last chip tapped is the decision


@pytest.mark.parametrize("size", list(SIZES))
def test_a_co_signer_types_a_phrase_and_is_told_who_has_the_memo_now(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = in_review_memo(1)
    page = open_as("ratchawari", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    open_sheet(page)
    actions = page.get_by_test_id("my-actions")
    assert "ไม่อนุมัติ" not in actions.inner_text()
    assert "เห็นชอบและลงนาม" not in actions.inner_text()
    page.get_by_role("button", name="ตรวจสอบแล้ว", exact=True).click()
    assert page.locator("#id_approve-opinion").input_value() == "ตรวจสอบแล้ว"
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.get_by_role("button", name="ลงนามร่วมและเสนอ", exact=True).click()
    page.wait_for_load_state()
    following = active_step(memo)
    assert following.assignee is not None
    assert message(page) == (
        f"ลงนามแล้ว ส่งบันทึกต่อไปยัง {following.assignee.full_name} ({following.position.title})"
    )
