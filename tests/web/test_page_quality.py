"""Every page, measured in the browser (Chromium) at 360×740 and 1366×768 (issue 11):

- every interactive element's box is at least 44×44 CSS px (a radio or checkbox counts with the label around
  it, which takes the tap too);
- axe-core (node_modules/axe-core, pinned in package-lock.json) finds no WCAG 2.x A/AA violation, with and
  without a flash message at the top;
- an English page says nothing in Thai digits or Thai dates (the memo's own words excepted).
"""

import re
from collections.abc import Callable
from typing import Any

import pytest

from core import thai
from tests.builders import completed_memo, in_review_memo, returned_memo
from tests.web.conftest import AXE, PHONE, SIZES, axe_violations, needs_chromium, open_sheet

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not AXE.exists(), reason="axe-core is installed by `npm ci` (scripts/lib.sh ensure_test_tools)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root"),
]

MIN_TARGET = 44

# What counts as something to tap: links, buttons, form fields, a <details>' summary, anything made focusable.
MEASURE = """(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('.visually-hidden')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const label = (el.type === 'radio' || el.type === 'checkbox') ? el.closest('label') : null;
    const box = (label || el).getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not rendered: inside a closed <details>
    if (el.classList.contains('skip') && box.right <= 0) continue;  // the skip links, off screen until focused
    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
      const name = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.id || '').trim();
      small.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${name.slice(0, 40)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def small_targets(page: Any) -> list[str]:
    found: list[str] = page.evaluate(MEASURE, MIN_TARGET)
    return found


def check(page: Any, name: str, *, open_all: bool = True) -> None:
    """Measure the page as it is, and again with every <details> opened (the sheet, the account menu, the
    secondary actions), so that what a tap reveals is measured too."""
    problems = [f"{name}: small target {t}" for t in small_targets(page)]
    problems += [f"{name}: axe {v}" for v in axe_violations(page)]
    if open_all:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        problems += [f"{name} (opened): small target {t}" for t in small_targets(page)]
        problems += [f"{name} (opened): axe {v}" for v in axe_violations(page)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_has_big_enough_targets_and_no_axe_violation(
    org: Any, open_as: Callable[..., Any], size: str, browser: Any, live_server: Any
) -> None:
    # The sign-in page, signed out.
    context = browser.new_context(base_url=live_server.url, viewport=SIZES[size], locale="th-TH")
    anonymous = context.new_page()
    anonymous.goto("/accounts/login/")
    check(anonymous, "login")
    for path in ("/verify/", "/verify/ca/"):  # public: the memo's QR code leads here
        anonymous.goto(path)
        check(anonymous, path)
    context.close()

    waiting = in_review_memo(1)
    back = returned_memo()
    done = completed_memo()
    # The signatory: her tasks with the sign-in message (a flash) and without; a memo to sign; lists; profile.
    page = open_as("ratchawari", SIZES[size])
    assert page.locator(".messages").count() == 1
    check(page, "tasks with a flash message", open_all=False)
    page.reload()
    assert page.locator(".messages").count() == 0
    check(page, "tasks")
    page.goto(f"/memos/{waiting.pk}/")
    check(page, "memo to sign")
    page.goto(f"/memos/{waiting.pk}/")
    open_sheet(page)
    page.fill("#id_approve-password", "not-my-password")
    page.get_by_test_id("sign").click()
    page.wait_for_load_state()
    check(page, "memo with an error summary")
    paths = (
        "/memos/done/",
        "/memos/all/?q=ขออนุมัติ",
        "/profile/",
        "/leave/",
        "/leave/approve/",
        f"/memos/{done.pk}/",
    )
    for path in (*paths, "/notifications/", "/notifications/settings/"):
        page.goto(path)
        check(page, path)

    # The writer: her lists, a returned memo, its edit page, a new memo.
    page = open_as("rujapa", SIZES[size])
    for path in ("/memos/", f"/memos/{back.pk}/", f"/memos/{back.pk}/edit/", "/memos/new/"):
        page.goto(path)
        check(page, path)
    page.goto("/memos/?q=ไม่มีเรื่องนี้&status=draft")
    check(page, "my memos, nothing found")
    page.goto("/notifications/")  # unread and read ones, with their buttons
    page.get_by_test_id("mark-read").first.click()
    page.wait_for_load_state()
    check(page, "notifications, one read")


def test_an_english_page_has_no_thai_digits_or_thai_dates(org: Any, open_as: Callable[..., Any]) -> None:
    memo = completed_memo(subject="Purchase of office supplies", body="Please approve the purchase.")
    again = in_review_memo(1, subject="Repair of the office car", body="Please approve the repair.")
    page = open_as("rujapa", PHONE)
    page.locator("[data-menu] summary").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    thai_dates = re.compile(
        "[๐-๙]|"
        + "|".join(re.escape(m) for m in (*thai.THAI_MONTHS, *thai.THAI_MONTHS_ABBR))
        + r"|พ\.ศ\.|เวลา"
    )
    for path in ("/", "/memos/", f"/memos/{memo.pk}/", f"/memos/{again.pk}/", "/profile/"):
        page.goto(path)
        # People's names and positions are Thai, as the organisation wrote them; the memo's own header and
        # text are its writer's words (the department carries its Thai phone number). The rest is the page's.
        said = page.evaluate(
            """() => {
              const body = document.body.cloneNode(true);
              body.querySelectorAll('[lang=th], .memo-text dd').forEach(e => e.remove());
              return body.innerText;
            }"""
        )
        found = thai_dates.findall(said)
        assert not found, f"{path}: Thai in the English page: {''.join(found)[:80]!r}\n{said[:600]}"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_enclosures_count_in_the_readers_digits_and_are_tappable(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.builders import draft_memo, png_bytes, submit
    from workflow import services

    memo = draft_memo()
    for title in ("แผนที่", "ภาพถ่าย"):
        upload = SimpleUploadedFile(f"{title}.png", png_bytes(), content_type="image/png")
        services.enclosure_add(memo=memo, actor=memo.writer, title=title, upload=upload)
    submit(memo)
    page = open_as("ratchawari", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    listed = page.get_by_test_id("enclosures")
    assert listed.locator("li").all_inner_texts() == ["แผนที่", "ภาพถ่าย"]
    assert listed.evaluate("ol => getComputedStyle(ol).listStyleType") == "thai"  # ๑. ๒.
    check(page, "memo with enclosures")
    page.reload()
    page.locator("[data-menu] summary").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("enclosures").evaluate("ol => getComputedStyle(ol).listStyleType") == "decimal"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_register_and_the_dashboard_have_big_enough_targets_and_no_axe_violation(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    in_review_memo(2, urgency="most_urgent")
    completed_memo()
    returned_memo()
    page = open_as("nat", SIZES[size])  # the ปลัด: an executive
    for path in ("/register/", "/register/?urgency=most_urgent&sort=number", "/dashboard/?days=90"):
        page.goto(path)
        check(page, path)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_auditors_pages_have_big_enough_targets_and_no_axe_violation(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    """The history of a memo returned once and resubmitted with changes (the diff), for the auditor and for a
    signatory on its route; the audit search with its filters, found and not found."""
    from tests.builders import submit
    from workflow import services

    back = returned_memo()
    services.memo_update(memo=back, actor=back.writer, body="ย่อหน้าที่แก้ไขแล้ว\nจึงเรียนมาเพื่อโปรดพิจารณา")
    again = submit(back)
    page = open_as("auditor", SIZES[size])
    for path in (
        f"/memos/{again.pk}/history/",
        "/audit/",
        f"/audit/?memo={again.pk}&action=step.returned",
        "/audit/?actor=ไม่มีคนนี้&date_from=๑/๑/๒๕๖๘",
        "/audit/?date_from=31/02/2569",
    ):
        page.goto(path)
        check(page, path)
    page = open_as("ratchawari", SIZES[size])
    page.goto(f"/memos/{again.pk}/history/")
    check(page, "history for a signatory")
