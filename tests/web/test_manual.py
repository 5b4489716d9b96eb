"""The user manual (docs/manual-th.md, docs/manual-en.md) is kept true by the browser: this test walks each role's
work as the manual tells it, in Chromium, and takes the manual's screenshots on the way (issue 11).

It fails when the manual shows a picture that no step takes any more, or names (in **bold**) a button, link or
heading that the pages no longer show: so a change of the pages that makes the manual wrong fails `make test`.
The screenshots go to artifacts/manual/; with MEMOFLOW_MANUAL_SCREENSHOTS=update (`make manual`) they replace
the committed ones in docs/manual/img/.
"""

import os
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core import thai
from org.demo import DEMO_PASSWORD
from tests.builders import completed_memo, in_review_memo, returned_memo
from tests.web.conftest import LAPTOP, PHONE, needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]

ROOT = Path(__file__).resolve().parents[2]
MANUALS = {"th": ROOT / "docs" / "manual-th.md", "en": ROOT / "docs" / "manual-en.md"}
IMAGES = re.compile(r"!\[[^\]]*\]\(manual/img/([\w-]+\.png)\)")
BOLD = re.compile(r"\*\*([^*]+)\*\*")


def labels(text: str) -> list[str]:
    """The words the manual names in bold, as one line each."""
    return [" ".join(label.split()) for label in BOLD.findall(text)]


class Manual:
    """Takes the screenshots and remembers every page's words."""

    def __init__(self) -> None:
        update = os.environ.get("MEMOFLOW_MANUAL_SCREENSHOTS") == "update"
        self.folder = ROOT / ("docs/manual/img" if update else "artifacts/manual")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taken: set[str] = set()
        self.words: list[str] = []

    def read(self, page: Any) -> None:
        """What the page says, with every <details> opened (labels of closed panels count too)."""
        page.evaluate("document.querySelectorAll('details').forEach(d => d.setAttribute('data-was', d.open))")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        self.words.append(page.locator("body").inner_text())
        page.evaluate(
            "document.querySelectorAll('details').forEach(d => { d.open = d.getAttribute('data-was') === 'true'; })"
        )

    def shot(self, page: Any, name: str, *, element: str | None = None) -> None:
        self.read(page)
        target = page.locator(element).first if element else page
        target.screenshot(path=str(self.folder / f"{name}.png"))
        self.taken.add(f"{name}.png")


def test_the_manual_is_what_the_pages_do(
    org: Any, open_as: Callable[..., Any], render_pdfs: Callable[[], int]
) -> None:
    manual = Manual()
    # Every memo the walk needs is made first: on SQLite, the test's own writes must not meet a page's
    # polling of the live server (both would use the one in-memory database at once).
    in_review_memo(1, subject="ขออนุมัติซ่อมแซมรถยนต์ส่วนกลาง")  # the co-signer's next task
    opinion = in_review_memo(2)
    back = returned_memo()
    deciding = in_review_memo(3)
    done = completed_memo()
    waiting = in_review_memo(2)
    render_pdfs()

    # The writer (a laptop): writes, attaches, sets the route, signs and submits.
    page = open_as("rujapa", LAPTOP)
    manual.shot(page, "tasks")
    page.get_by_test_id("nav-write").click()
    page.fill("#id_subject", "ขออนุมัติจัดซื้อวัสดุสำนักงาน")
    page.fill("#id_body", "ด้วยงานประชาสัมพันธ์มีความจำเป็นต้องจัดซื้อวัสดุสำนักงาน\nจึงเรียนมาเพื่อโปรดพิจารณา")
    manual.shot(page, "write")
    page.get_by_role("button", name="บันทึกร่าง").click()
    page.wait_for_url("**/edit/")
    page.locator("#route button[value^=remove-]").first.click()  # ✕, then undone
    page.wait_for_load_state()
    manual.shot(page, "route", element="#route")
    page.get_by_role("button", name="เลิกทำ").click()
    page.wait_for_load_state()
    manual.shot(page, "enclosures", element="section:has(#enc-heading)")
    page.get_by_role("link", name="กลับไปที่บันทึก").click()
    page.fill("#id_submit-password", DEMO_PASSWORD)
    page.get_by_role("button", name="ลงนามและเสนอ", exact=True).click()
    page.wait_for_load_state()
    manual.shot(page, "submitted")

    # A signatory on a phone: the task, the bar at the bottom, the sheet, a phrase, the password, sign.
    page = open_as("ratchawari", PHONE)
    manual.shot(page, "phone-tasks")
    page.locator("[data-testid=tasks] a.row", has_text="วัสดุสำนักงาน").first.click()
    page.wait_for_load_state()
    manual.shot(page, "phone-memo")
    page.get_by_test_id("sheet-bar").click()
    page.get_by_role("button", name="เห็นชอบ", exact=True).click()
    page.fill("#id_approve-password", DEMO_PASSWORD)
    manual.shot(page, "phone-sheet")
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    manual.shot(page, "phone-signed")

    # The deputy's step says what it does.
    page = open_as("nat", PHONE)
    page.goto(f"/memos/{opinion.pk}/")
    manual.read(page)

    # The writer's memo comes back: the banner says who and why.
    page = open_as("rujapa", LAPTOP)
    manual.shot(page, "returned-task")
    page.goto(f"/memos/{back.pk}/")
    manual.shot(page, "returned-memo")
    page.goto("/notifications/")  # the bell's list and the settings
    manual.read(page)
    page.goto("/notifications/settings/")
    manual.read(page)

    # The executive decides (a laptop): a decision, then sign.
    page = open_as("yutthana", LAPTOP)
    page.goto(f"/memos/{deciding.pk}/")
    page.get_by_role("button", name="อนุมัติ", exact=True).click()
    page.fill("#id_approve-password", DEMO_PASSWORD)
    manual.shot(page, "decide")
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    manual.shot(page, "decided")

    # The auditor opens a finished memo, its PDF, its history, the audit search and the verification page.
    page = open_as("auditor", LAPTOP)
    page.goto(f"/memos/{done.pk}/")
    page.get_by_test_id("download-pdf").wait_for()
    manual.shot(page, "auditor-memo")
    page.goto(f"/memos/{done.pk}/history/")  # the memo's history, and the organisation's audit search
    manual.read(page)
    page.goto("/audit/")
    manual.read(page)
    page.goto("/verify/")
    manual.shot(page, "verify")

    # The administrator: reassigns a waiting step, acting appointments, the audit log.
    page = open_as("admin", LAPTOP)
    page.goto("/admin/memos/memo/")
    manual.read(page)
    page.goto(f"/admin/memos/memo/{waiting.pk}/change/")
    page.get_by_role("link", name="มอบหมายขั้นตอนใหม่", exact=True).click()
    page.get_by_label("มอบหมายให้").select_option(label="นางสาวกัลยา ศรีสวัสดิ์ — ผู้อำนวยการกองคลัง")
    page.get_by_label("เหตุผลที่มอบหมายใหม่").fill("ปลัดไปราชการต่างจังหวัด")
    manual.shot(page, "admin-reassign")
    page.get_by_role("button", name="มอบหมายขั้นตอนใหม่").click()
    page.wait_for_url(f"**/admin/memos/memo/{waiting.pk}/change/")
    page.goto("/admin/org/actingappointment/")
    manual.shot(page, "admin-acting")
    page.goto("/admin/core/auditevent/")
    manual.shot(page, "admin-audit")
    page.goto("/admin/")
    manual.read(page)

    # Leave on a phone (last: approving it moves the ปลัด's waiting steps): he asks from his profile, the นายก
    # approves from his, and the ปลัด's list says he is on leave.
    page = open_as("nat", PHONE)
    page.goto("/profile/")
    page.get_by_test_id("profile-leave").click()
    today = thai.bangkok_now().date()
    for field, day in (("#id_starts_on", today), ("#id_ends_on", today + timedelta(days=2))):
        page.locator(field).fill(thai.thai_digits(f"{day.day}/{day.month}/{thai.be_year(day.year)}"))
    page.locator("#id_acting_person").select_option(label="นางสาวกัลยา ศรีสวัสดิ์ — ผู้อำนวยการกองคลัง")
    page.locator("#id_capacity").select_option("รักษาราชการแทน")
    page.locator("#id_order_reference").fill("คำสั่ง ๑๒/๒๕๖๙")
    manual.shot(page, "leave-phone", element="section:has(#leave-form-heading)")
    page.get_by_test_id("leave-submit").click()
    page.wait_for_load_state()
    manual.read(page)
    page = open_as("yutthana", PHONE)
    page.goto("/profile/")
    page.get_by_test_id("profile-leave-approve").click()
    page.wait_for_url("**/leave/approve/")
    manual.shot(page, "leave-approve-phone")
    page.get_by_test_id("leave-approve").click()
    page.wait_for_load_state()
    page = open_as("nat", PHONE)
    page.goto("/leave/")
    manual.read(page)

    said = "\n".join(manual.words)
    po = (ROOT / "locale" / "th" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    english = {m.lower() for m in re.findall(r'^msgid "(.+)"$', po, re.M)} | {"english"}
    for language, path in MANUALS.items():
        text = path.read_text(encoding="utf-8")
        shown = set(IMAGES.findall(text))
        assert shown, f"{path.name} shows no screenshot"
        assert shown <= manual.taken, (
            f"{path.name} shows pictures no step takes: {sorted(shown - manual.taken)}"
        )
        if language == "th":
            missing = [label for label in labels(text) if label not in said]
        else:  # the English pages' words are the messages' ids
            missing = [label for label in labels(text) if label.lower() not in english]
        assert not missing, f"{path.name} names what no page says: {missing}"
    assert manual.taken == set().union(
        *(set(IMAGES.findall(p.read_text(encoding="utf-8"))) for p in MANUALS.values())
    )
