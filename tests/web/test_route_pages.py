"""The route in a real browser (Chromium), on a 360×740 phone and a 1366×768 laptop (issue 11, route): the
editor says who will actually sign each step and in which capacity, offers none of the writer's own posts,
and puts a removed step back with one tap; the memo page's timeline shows the same for the steps ahead, and
an administrator's reassignment with who, from whom, when and why — in Thai, and in English in English.
Every tap target of the route is at least 44×44 px, and axe finds nothing on either page."""

from collections.abc import Callable
from typing import Any

import pytest

from memos.models import Memo
from tests.builders import active_step, draft_memo, in_review_memo, person
from tests.web.conftest import SIZES, axe_violations, needs_chromium, shot
from workflow import services
from workflow.models import RouteStep

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]

TAP = 44  # px, the smallest finger-sized target (WCAG 2.5.5)

HEAD = "หัวหน้าสำนักปลัด"
PALAD = "ปลัดองค์การบริหารส่วนตำบลหนองโสน"
NAYOK = "นายกองค์การบริหารส่วนตำบลหนองโสน"
ACTING_HEAD = "รักษาการแทน หัวหน้าสำนักปลัด"
RATCHAWARI = "นางราชวรี อนุกุล"
NAT = "นายนาฏ วงศ์ทองดี"
KANYA = "นางสาวกัลยา ศรีสวัสดิ์"
REASON = "ปลัดไปราชการต่างจังหวัด"


def route_titles(memo: Memo) -> list[str]:
    steps = RouteStep.objects.filter(memo=memo, order__gt=0).select_related("position").order_by("order")
    return [s.position.title for s in steps]


def small_targets(page: Any, scope: str) -> list[str]:
    """The visible buttons, links, selects and inputs inside `scope` smaller than 44×44 px."""
    found: list[str] = page.evaluate(
        """([scope, min]) => [...document.querySelectorAll(scope)].flatMap(root =>
              [...root.querySelectorAll("button, a[href], select, input:not([type=hidden]), summary")])
            .filter(el => el.offsetParent !== null)
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width < min || r.height < min)
            .map(([el, r]) => `${el.tagName} ${el.getAttribute("aria-label") || el.textContent.trim().slice(0, 30)}`
                              + ` ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        [scope, TAP],
    )
    return found


def english(page: Any, live_server: Any) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


# The route editor --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SIZES))
def test_the_editor_names_the_signers_and_undoes_a_removal(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = draft_memo()
    page = open_as("rujapa", SIZES[size])
    page.goto(f"/memos/{memo.pk}/edit/#route")
    route = page.locator("#route")
    signers = route.get_by_test_id("route-signer").all_inner_texts()
    assert signers == [
        f"ผู้ลงนาม: {RATCHAWARI} — {ACTING_HEAD}",
        f"ผู้ลงนาม: {NAT} — {PALAD}",
        f"ผู้ลงนาม: นายยุทธนา เมืองเล็ก — {NAYOK}",
    ]
    offered = page.locator("#new-position option").all_inner_texts()
    assert f"{ACTING_HEAD} — {RATCHAWARI}" in offered
    assert not [o for o in offered if "ผู้ช่วยนักประชาสัมพันธ์" in o]  # the writer's own post
    assert small_targets(page, "#route") == []
    assert axe_violations(page) == []
    shot(page, f"route-editor-{size}")

    page.get_by_role("button", name="ลบ ๒", exact=True).click()
    page.wait_for_load_state()
    undo = page.get_by_test_id("route-undo")
    assert undo.inner_text().startswith(f"ลบขั้นที่ ๒ ({PALAD}) แล้ว")
    assert route_titles(memo) == [HEAD, NAYOK]
    assert small_targets(page, "#route") == []
    assert axe_violations(page) == []
    shot(page, f"route-editor-removed-{size}")

    undo.get_by_role("button", name="เลิกทำ", exact=True).click()
    page.wait_for_load_state()
    assert route_titles(memo) == [HEAD, PALAD, NAYOK]
    assert page.get_by_test_id("route-undo").count() == 0
    assert f"นำขั้นที่ ๒ ({PALAD}) กลับเข้าเส้นทางแล้ว" in page.locator(".messages").inner_text()
    assert page.locator("#route").get_by_test_id("route-signer").count() == 3


# The memo page's timeline ------------------------------------------------------------------------------------


def reassigned_memo() -> Memo:
    """Waiting at ปลัด's opinion, moved by the administrator from nat to กัลยา."""
    memo = in_review_memo(2)
    services.step_reassign(
        step=active_step(memo), actor=person("admin"), assignee=person("finance_head"), reason=REASON
    )
    return memo


@pytest.mark.parametrize("size", list(SIZES))
def test_the_timeline_shows_who_signs_and_the_reassignment(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = reassigned_memo()
    page = open_as("rujapa", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    steps = page.get_by_test_id("timeline-step")
    assert steps.count() == 4
    assert steps.nth(1).get_by_test_id("signing-line").inner_text() == f"{ACTING_HEAD} · ลงนามร่วม"
    assert "(ยังไม่มีผู้รับผิดชอบ)" not in page.locator("ol.timeline").inner_text()
    ahead = steps.nth(3).inner_text()
    assert "นายยุทธนา เมืองเล็ก (จะได้รับเรื่องเมื่อบันทึกมาถึงขั้นนี้)" in ahead
    moved = steps.nth(2).get_by_test_id("reassignment")
    assert moved.is_visible()
    lines = moved.inner_text().splitlines()
    assert lines[0].startswith("มอบหมายใหม่ ")
    assert lines[0].endswith("น., โดย ผู้ดูแลระบบ")
    assert "๒๕" in lines[0]  # the Buddhist-era year, Thai digits
    assert lines[1:] == [f"จาก {NAT} ไปยัง {KANYA}", f"เหตุผล: {REASON}"]
    assert steps.nth(2).locator(".who").inner_text() == KANYA
    assert small_targets(page, "ol.timeline") == []
    assert axe_violations(page) == []
    shot(page, f"memo-timeline-reassigned-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_timeline_in_english(org: Any, open_as: Callable[..., Any], live_server: Any, size: str) -> None:
    memo = reassigned_memo()
    page = open_as("rujapa", SIZES[size])
    english(page, live_server)
    page.goto(f"/memos/{memo.pk}/")
    steps = page.get_by_test_id("timeline-step")
    assert steps.nth(1).get_by_test_id("signing-line").inner_text() == f"{ACTING_HEAD} · Co-sign"
    lines = steps.nth(2).get_by_test_id("reassignment").inner_text().splitlines()
    assert lines[0].startswith("Reassigned ")
    assert lines[0].endswith(", by ผู้ดูแลระบบ")  # the administrator's name is data
    assert lines[1:] == [f"From {NAT} to {KANYA}", f"Reason: {REASON}"]
    assert "(will receive it when the memo reaches this step)" in steps.nth(3).inner_text()
    assert axe_violations(page) == []
    shot(page, f"memo-timeline-english-{size}")
