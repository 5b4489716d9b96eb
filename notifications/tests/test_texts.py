"""The words of the kinds the workflow's events do not write yet (reminders and escalations, issue 13's due
times), and of a memo without a number: built from the row alone, dates in the Buddhist era in Thai."""

from typing import Any

import pytest
from django.utils import translation

from notifications.models import Kind, Notification
from notifications.texts import wording
from tests.builders import draft_memo, submitted_memo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]

DUE = "2026-12-04T09:30:00+07:00"


def row(memo: Any, kind: str, **params: Any) -> Notification:
    return Notification(recipient=memo.writer, kind=kind, memo=memo, params=params)


def test_a_reminder_says_when_it_is_due_in_the_buddhist_era() -> None:
    memo = submitted_memo(urgency="urgent")
    reminder = row(memo, Kind.REMINDER, role="decision", position="นายก", capacity="", due_at=DUE)
    with translation.override("th"):
        text = wording(reminder)
    assert text.title == "เตือน: มีบันทึกข้อความรอท่าน"
    assert text.sentence.startswith("[ด่วน] บันทึกข้อความที่ ")
    assert text.sentence.endswith("รอท่านสั่งการ ในตำแหน่ง นายก กำหนดเสร็จ ๔ ธันวาคม ๒๕๖๙ เวลา ๐๙.๓๐ น.")
    with translation.override("en"):
        english = wording(reminder)
    assert english.sentence.endswith("waits for your decision as นายก; it is due 4 December 2026, 09:30.")


def test_an_escalation_names_the_step_and_the_due_time() -> None:
    memo = submitted_memo()
    escalated = row(memo, Kind.ESCALATED, position="หัวหน้าสำนักปลัด", capacity="รักษาการแทน", due_at=DUE)
    with translation.override("th"):
        text = wording(escalated)
    assert text.title == "บันทึกข้อความเกินกำหนดที่ผู้ใต้บังคับบัญชาของท่าน"
    assert "เกินกำหนดที่ขั้นตอนของ รักษาการแทนหัวหน้าสำนักปลัด กำหนดเสร็จ ๔ ธันวาคม ๒๕๖๙" in text.sentence


def test_a_memo_without_a_number_yet() -> None:
    memo = draft_memo()
    with translation.override("en"):
        text = wording(row(memo, Kind.STEP_WAITING, role="cosign", position="ปลัด", capacity=""))
    assert text.sentence == f"Memo (no number yet) “{memo.subject}” waits for your signature as ปลัด."
