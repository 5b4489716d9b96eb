"""The writer's loop in a real browser (Chromium), on a 360×740 phone and a 1366×768 laptop (issue 11): the
"returned" banner (who, when, why) on her task, the memo page and the edit page; replacing and removing an
enclosure; a refused upload that keeps the chosen file and says why; withdrawing only once confirmed. Each page
is checked with axe-core, and each of these controls is at least 44×44 px."""

from collections.abc import Callable
from typing import Any

import pytest

from memos.models import Memo, MemoStatus
from org.models import Person
from tests.builders import RETURN_REASON, draft_memo, pdf_bytes, png_bytes, returned_memo
from tests.web.conftest import SIZES, axe_violations, needs_chromium, shot
from workflow import services

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]

TAPPABLE = "a, button, summary, select, textarea, input:not([type=hidden]):not([type=checkbox]), label.check"


def small_targets(page: Any, *within: str) -> list[str]:
    """Visible controls inside `within` smaller than 44×44 px."""
    small = []
    for scope in within:
        for control in page.locator(scope).locator(TAPPABLE).all():
            if not control.is_visible():
                continue
            box = control.bounding_box()
            if box["width"] < 44 or box["height"] < 44:
                small.append(f"{scope} {control.evaluate('e => e.outerHTML.slice(0, 80)')}: {box}")
    return small


def to_english(page: Any) -> None:
    """Switch the page to English from the header's menu."""
    page.locator("details[data-menu] > summary").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


def alert_text(page: Any) -> str:
    alerts = page.get_by_role("alert")
    alerts.first.wait_for()
    return " ".join(alerts.all_inner_texts())


# The returned banner ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SIZES))
def test_the_writer_sees_why_and_by_whom_her_memo_came_back(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = returned_memo(at_step=2)
    nat = Person.objects.get(username="nat")
    page = open_as("rujapa", SIZES[size])

    card = page.get_by_test_id("tasks").locator("li", has_text=memo.subject)
    banner = card.get_by_test_id("returned-banner")
    assert f"ส่งคืนแก้ไขโดย {nat.full_name}" in banner.inner_text()
    assert f"เหตุผล: {RETURN_REASON}" in banner.inner_text()
    assert "๒๕" in banner.inner_text()  # the Buddhist-era year, in Thai digits
    assert not small_targets(page, "[data-testid=tasks]")
    assert not axe_violations(page, "[data-testid=tasks]")
    shot(page, f"writer-returned-task-{size}")

    card.locator("a.row").click()
    page.wait_for_url(f"**/memos/{memo.pk}/")
    banner = page.get_by_role("status").filter(has_text=RETURN_REASON)
    assert f"ส่งคืนแก้ไขโดย {nat.full_name}" in banner.inner_text()
    assert not axe_violations(page, "[data-testid=returned-banner]")
    shot(page, f"writer-returned-memo-{size}")

    page.get_by_role("link", name="แก้ไขร่าง").click()
    page.wait_for_url(f"**/memos/{memo.pk}/edit/")
    banner = page.get_by_role("status").filter(has_text=RETURN_REASON)
    assert f"ส่งคืนแก้ไขโดย {nat.full_name}" in banner.inner_text()
    shot(page, f"writer-returned-edit-{size}")

    to_english(page)
    banner = page.get_by_role("status").filter(has_text=RETURN_REASON)
    text = banner.inner_text()
    assert f"Returned for revision by {nat.full_name}" in text
    assert "Reason:" in text
    assert not any("\u0e50" <= c <= "\u0e59" for c in text)  # Arabic digits in English


# Enclosures: a refused upload, replace, remove --------------------------------------------------------------


def _with_enclosures(memo: Memo, *titles: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    for i, title in enumerate(titles):
        upload = SimpleUploadedFile(f"{i}.png", png_bytes(), content_type="image/png")
        services.enclosure_add(memo=memo, actor=memo.writer, title=title, upload=upload)


EXE = {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90\x00 not a document"}


@pytest.mark.parametrize("size", list(SIZES))
def test_a_refused_upload_keeps_the_chosen_file_and_says_why(
    org: Any, open_as: Callable[..., Any], size: str
) -> None:
    memo = draft_memo()
    page = open_as("rujapa", SIZES[size])
    page.goto(f"/memos/{memo.pk}/edit/")
    page.fill("#id_title", "แบบฟอร์มขอซื้อ")
    page.set_input_files("#id_file", files=[EXE])
    page.get_by_role("button", name="แนบ", exact=True).click()
    assert "แนบได้เฉพาะไฟล์ PDF, PNG และ JPEG เท่านั้น" in alert_text(page)
    file_input = page.locator("#id_file")
    assert file_input.evaluate("e => e.files.length") == 1  # the chosen file is still chosen
    assert file_input.evaluate("e => e.files[0].name") == "setup.exe"
    assert file_input.get_attribute("aria-invalid") == "true"
    assert page.locator("#id_title").input_value() == "แบบฟอร์มขอซื้อ"
    assert not axe_violations(page, "[data-testid=enclosures-edit]")
    shot(page, f"writer-upload-refused-{size}")
    assert memo.enclosures.count() == 0

    page.set_input_files(
        "#id_file", files=[{"name": "form.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="แนบ", exact=True).click()
    page.wait_for_selector("text=แนบสิ่งที่ส่งมาด้วยแล้ว")
    assert list(memo.enclosures.values_list("title", "original_name")) == [("แบบฟอร์มขอซื้อ", "form.pdf")]


@pytest.mark.parametrize("size", list(SIZES))
def test_the_writer_replaces_and_removes_enclosures(org: Any, open_as: Callable[..., Any], size: str) -> None:
    memo = returned_memo(at_step=1)
    _with_enclosures(memo, "ภาพถ่ายสถานที่", "ใบเสนอราคา", "แผนผัง")
    page = open_as("rujapa", SIZES[size])
    page.goto(f"/memos/{memo.pk}/edit/")
    items = page.get_by_test_id("enclosure")
    second = items.nth(1)
    assert second.inner_text().startswith("สิ่งที่ส่งมาด้วย ๒: ใบเสนอราคา")

    # Replace the second one: a refused file first (kept, with the reason), then a PDF in its place.
    second.locator("summary", has_text="เปลี่ยนไฟล์").click()
    replace = second.get_by_test_id("replace-form")
    replace.locator("input[type=file]").set_input_files(files=[EXE])
    replace.get_by_role("button", name="เปลี่ยนไฟล์").click()
    assert "แนบได้เฉพาะไฟล์ PDF, PNG และ JPEG เท่านั้น" in alert_text(page)
    assert second.locator("input[type=file]").evaluate("e => e.files.length") == 1
    shot(page, f"writer-replace-refused-{size}")
    assert not small_targets(page, "[data-testid=enclosures-edit]")
    assert not axe_violations(page, "[data-testid=enclosures-edit]")
    second.locator("input[type=file]").set_input_files(
        files=[{"name": "quote-v2.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    second.get_by_role("button", name="เปลี่ยนไฟล์").click()
    page.wait_for_selector("text=เปลี่ยนไฟล์ของสิ่งที่ส่งมาด้วยแล้ว")
    assert page.get_by_test_id("enclosure").nth(1).inner_text().startswith("สิ่งที่ส่งมาด้วย ๒: ใบเสนอราคา")
    assert list(memo.enclosures.order_by("order").values_list("title", "content_type")) == [
        ("ภาพถ่ายสถานที่", "image/png"),
        ("ใบเสนอราคา", "application/pdf"),
        ("แผนผัง", "image/png"),
    ]

    # Remove the first one: asked first; the others move up a number.
    first = page.get_by_test_id("enclosure").first
    first.locator("summary", has_text="ลบ").click()
    assert memo.enclosures.count() == 3  # opening the question removes nothing
    shot(page, f"writer-remove-confirm-{size}")
    assert not small_targets(page, "[data-testid=enclosures-edit]")
    first.get_by_role("button", name="นำ “ภาพถ่ายสถานที่” ออก").click()
    page.wait_for_selector("text=“ภาพถ่ายสถานที่” ถูกนำออกจากบันทึกแล้ว")
    texts = page.get_by_test_id("enclosure").all_inner_texts()
    assert [t.split("\n")[0] for t in texts] == ["สิ่งที่ส่งมาด้วย ๑: ใบเสนอราคา", "สิ่งที่ส่งมาด้วย ๒: แผนผัง"]
    assert list(memo.enclosures.order_by("order").values_list("title", flat=True)) == ["ใบเสนอราคา", "แผนผัง"]


# Withdraw, confirmed ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SIZES))
def test_withdrawing_needs_a_ticked_confirmation(org: Any, open_as: Callable[..., Any], size: str) -> None:
    memo = draft_memo()
    page = open_as("rujapa", SIZES[size])
    page.goto(f"/memos/{memo.pk}/")
    withdraw = page.get_by_test_id("withdraw")
    withdraw.locator("summary").click()
    page.fill("#id_withdraw-reason", "ซ้ำกับเรื่องเดิม")
    withdraw.get_by_role("button", name="ถอนเรื่อง", exact=True).click()
    page.wait_for_load_state()
    assert "ทำเครื่องหมายในช่องเพื่อยืนยันว่าต้องการถอนเรื่องบันทึกนี้" in alert_text(page)
    memo.refresh_from_db()
    assert memo.status == MemoStatus.DRAFT
    withdraw = page.get_by_test_id("withdraw")
    assert page.locator("#id_withdraw-reason").input_value() == "ซ้ำกับเรื่องเดิม"  # nothing typed is lost
    assert not small_targets(page, "[data-testid=withdraw]")
    assert not axe_violations(page, "[data-testid=withdraw]")
    shot(page, f"writer-withdraw-unconfirmed-{size}")

    to_english(page)
    withdraw = page.get_by_test_id("withdraw")
    withdraw.locator("summary").click()
    withdraw.get_by_role("button", name="Withdraw", exact=True).click()
    page.wait_for_load_state()
    assert "Tick the box to confirm that you want to withdraw the memo." in alert_text(page)
    memo.refresh_from_db()
    assert memo.status == MemoStatus.DRAFT

    page.get_by_test_id("withdraw").locator("label.check").click()  # the whole label is the target
    page.get_by_test_id("withdraw").get_by_role("button", name="Withdraw", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("memo-status").inner_text() == "Withdrawn"
    memo.refresh_from_db()
    assert memo.status == MemoStatus.WITHDRAWN
