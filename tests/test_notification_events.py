"""Every workflow event, driven through the real services: who is told, in which words (Thai and English), and
what their e-mail says — never the memo's body, never a classified memo's subject, never to the person who
acted."""

from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from memos.models import Memo
from notifications.models import Kind, Notification
from notifications.tests.helpers import run_email_jobs, told
from notifications.texts import wording
from tests.builders import (
    PW,
    REJECT_REASON,
    RETURN_REASON,
    SUBJECT,
    active_step,
    approve_active,
    completed_memo,
    draft_memo,
    in_review_memo,
    rejected_memo,
    returned_memo,
    submit,
    submitted_memo,
)
from workflow import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]

SECRET_SUBJECT = "ขออนุมัติจัดซื้ออาวุธปืนสำหรับ อปพร."


def kinds_for(memo: Any) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(memo=memo).values_list("kind", "recipient__username"))


def test_submitting_tells_the_first_signatory_and_not_the_writer() -> None:
    memo = submitted_memo()
    assert kinds_for(memo) == [(Kind.STEP_WAITING, "ratchawari")]
    sentence = told(memo, Kind.STEP_WAITING)["ratchawari"]
    assert memo.number in sentence
    assert SUBJECT in sentence
    assert "รอท่านลงนาม ในตำแหน่ง รักษาการแทนหัวหน้าสำนักปลัด" in sentence


def test_approving_tells_the_next_signatory_and_the_writer_not_the_approver() -> None:
    memo = submitted_memo()
    approve_active(memo)  # ratchawari co-signs
    assert kinds_for(memo) == [
        (Kind.STEP_SIGNED, "rujapa"),
        (Kind.STEP_WAITING, "nat"),
        (Kind.STEP_WAITING, "ratchawari"),  # from the submit
    ]
    assert "รอความเห็นของท่าน" in told(memo, Kind.STEP_WAITING)["nat"]
    signed = told(memo, Kind.STEP_SIGNED)["rujapa"]
    assert signed.startswith("นางราชวรี อนุกุล ลงนามบันทึกข้อความที่ ")
    assert "ratchawari" not in {username for _, username in kinds_for(memo)[:2]}


def test_returning_tells_the_writer_with_the_reason() -> None:
    memo = returned_memo(at_step=2)
    back = Notification.objects.get(memo=memo, kind=Kind.RETURNED)
    assert back.recipient.username == "rujapa"
    assert not Notification.objects.filter(memo=memo, recipient__username="nat", kind=Kind.RETURNED).exists()
    with translation.override("th"):
        text = wording(back)
    assert text.title == "บันทึกข้อความของท่านถูกส่งคืนแก้ไข"
    assert f"เหตุผล: {RETURN_REASON}" in text.sentence
    assert "โดย นายนาฏ วงศ์ทองดี (ปลัดองค์การบริหารส่วนตำบลหนองโสน)" in text.sentence
    with translation.override("en"):
        english = wording(back)
    assert english.title == "Your memo was returned for revision"
    assert english.sentence.endswith(f"Reason: {RETURN_REASON}")
    # The writer's own step is active again, but "a memo waits for you" is not said on top of the return.
    assert not Notification.objects.filter(memo=memo, kind=Kind.STEP_WAITING, recipient=memo.writer).exists()


def test_rejecting_tells_the_writer_and_everyone_who_signed_before_with_the_reason() -> None:
    memo = rejected_memo(at_step=3)  # ratchawari and nat signed; yutthana rejects
    rejected = told(memo, Kind.REJECTED)
    assert set(rejected) == {"rujapa", "ratchawari", "nat"}  # not yutthana, who rejected it
    for sentence in rejected.values():
        assert f"เหตุผล: {REJECT_REASON}" in sentence
        assert "ถูกยุติเรื่อง โดย นายยุทธนา เมืองเล็ก" in sentence


def test_completing_tells_the_writer_the_decision_and_archiving_tells_her_again(media_root: Any) -> None:
    memo = completed_memo()
    assert told(memo, Kind.COMPLETED).keys() == {"rujapa"}
    assert "สั่งการ “อนุมัติ”" in told(memo, Kind.COMPLETED)["rujapa"]
    services.memo_archive(memo_id=memo.pk)
    services.memo_archive(memo_id=memo.pk)  # a retried archive job changes nothing, and tells nobody again
    assert told(memo, Kind.ARCHIVED).keys() == {"rujapa"}
    assert Notification.objects.filter(memo=memo, kind=Kind.ARCHIVED).count() == 1
    with translation.override("en"):
        archived = wording(Notification.objects.get(memo=memo, kind=Kind.ARCHIVED))
    assert archived.sentence.startswith(f"Your memo {memo.number} “{SUBJECT}” was archived")


def test_withdrawing_in_review_tells_the_signatory_it_waited_for_with_the_reason() -> None:
    """The writer withdraws before anyone signed: the co-signer whose queue it leaves is told why; nobody else."""
    memo = submitted_memo()
    services.memo_withdraw(memo=memo, actor=memo.writer, reason="ส่งผิดเรื่อง จะเสนอใหม่")
    withdrawn = Notification.objects.select_related("memo", "actor", "recipient").get(
        memo=memo, kind=Kind.WITHDRAWN
    )
    assert withdrawn.recipient.username == "ratchawari"
    assert Notification.objects.filter(memo=memo, kind=Kind.WITHDRAWN).count() == 1  # not the writer herself
    with translation.override("th"):
        text = wording(withdrawn)
    assert text.title == "บันทึกข้อความที่รอท่านถูกถอนเรื่อง"
    assert text.sentence.startswith("นางสาวรุจภา โฉมประดิษฐ์ ถอนเรื่อง")
    assert f"ถอนเรื่องบันทึกข้อความที่ {memo.number}" in text.sentence
    assert "ในตำแหน่ง รักษาการแทนหัวหน้าสำนักปลัด" in text.sentence
    assert text.sentence.endswith("เหตุผล: ส่งผิดเรื่อง จะเสนอใหม่")
    with translation.override("en"):
        english = wording(withdrawn)
    assert english.title == "A memo waiting for you was withdrawn"
    assert english.sentence.endswith("Reason: ส่งผิดเรื่อง จะเสนอใหม่")


def test_withdrawing_a_draft_tells_nobody() -> None:
    memo = draft_memo()
    services.memo_withdraw(memo=memo, actor=memo.writer, reason="")
    assert not Notification.objects.filter(memo=memo).exists()


def test_reassigning_tells_both_people_with_the_reason_and_not_the_administrator(person: Any) -> None:
    memo = in_review_memo(2)  # with nat
    services.step_reassign(
        step=active_step(memo), actor=person("admin"), assignee=person("finance_head"), reason="ลาป่วย"
    )
    assert told(memo, Kind.REASSIGNED_TO).keys() == {"finance_head"}
    assert told(memo, Kind.REASSIGNED_FROM).keys() == {"nat"}
    assert "ผู้ดูแลระบบ โอนขั้นตอนของบันทึกข้อความที่" in told(memo, Kind.REASSIGNED_TO)["finance_head"]
    assert told(memo, Kind.REASSIGNED_FROM)["nat"].endswith("เหตุผล: ลาป่วย")
    assert not Notification.objects.filter(memo=memo, recipient__username="admin").exists()
    # The new assignee is e-mailed once (the move), not twice (the move and "a memo waits").
    Notification.objects.exclude(kind__startswith="step.reassigned").update(email_state="")
    mail.outbox.clear()
    sent = run_email_jobs()
    assert sorted(m.to[0] for m in sent) == ["finance_head@nongson.example", "nat@nongson.example"]


def test_nobody_is_told_of_their_own_action() -> None:
    """nat signed in the first round; in the second he rejects: he is among "everyone who signed before", and
    still not told of his own rejection."""
    memo = submit(returned_memo(at_step=3))  # ratchawari and nat signed, yutthana returned; submitted again
    approve_active(memo)  # ratchawari again
    step = active_step(memo)
    assert step.assignee is not None
    assert step.assignee.username == "nat"
    services.step_reject(step=step, actor=step.assignee, password=PW, reason=REJECT_REASON)
    assert told(memo, Kind.REJECTED).keys() == {"rujapa", "ratchawari"}
    for row in Notification.objects.filter(memo=memo):
        assert row.recipient_id != row.actor_id, (row.kind, row.recipient_id)


def test_the_urgency_is_in_the_words_and_the_email() -> None:
    memo = submitted_memo(urgency="most_urgent")
    assert told(memo, Kind.STEP_WAITING)["ratchawari"].startswith("[ด่วนที่สุด] บันทึกข้อความที่")
    mail.outbox.clear()
    (message,) = run_email_jobs()
    assert "ชั้นความเร็ว: ด่วนที่สุด" in message.body
    assert "Urgency: Most urgent" in message.body


def test_every_email_of_a_whole_route_carries_number_subject_and_link_never_the_body(settings: Any) -> None:
    settings.MEMOFLOW_BASE_URL = "https://memo.nongson.example/"
    memo = completed_memo(body="ย่อหน้าลับเฉพาะ ๑๒๓\nจึงเรียนมาเพื่อโปรดพิจารณา")
    mail.outbox.clear()
    sent = run_email_jobs()
    # ratchawari, nat, yutthana (each step waiting), rujapa (two steps signed and the completion)
    assert sorted(m.to[0].split("@")[0] for m in sent) == [
        "nat",
        "ratchawari",
        "rujapa",
        "rujapa",
        "rujapa",
        "yutthana",
    ]
    for message in sent:
        assert memo.number in message.subject
        assert "ชั้นความเร็ว: ปกติ" in message.body
        assert "Urgency: Normal" in message.body
        assert SUBJECT in message.subject
        assert SUBJECT in message.body
        assert "ย่อหน้าลับเฉพาะ" not in message.body
        assert "ย่อหน้าลับเฉพาะ" not in message.subject
        assert f"https://memo.nongson.example/memos/{memo.pk}/" in message.body
        thai, english = message.body.split("\n\n---\n\n")  # Thai first, then English
        assert thai.startswith("เรียน ")
        assert english.startswith("Dear ")


@pytest.mark.parametrize(
    ("secrecy", "said"), [("confidential", "ลับ"), ("secret", "ลับมาก"), ("top_secret", "ลับที่สุด")]
)
def test_a_classified_memo_is_emailed_without_its_subject(secrecy: str, said: str) -> None:
    memo = draft_memo(subject=SECRET_SUBJECT)
    # Classifying is the secrecy page's (another change); the field is plain data here.
    Memo.objects.filter(pk=memo.pk).update(secrecy=secrecy)
    memo = submit(memo)
    approve_active(memo)
    step = active_step(memo)
    services.step_reject(step=step, actor=step.assignee, password=PW, reason=REJECT_REASON)
    mail.outbox.clear()
    sent = run_email_jobs()
    assert {m.to[0] for m in sent} >= {"rujapa@nongson.example", "ratchawari@nongson.example"}
    for message in sent:
        assert SECRET_SUBJECT not in message.subject
        assert SECRET_SUBJECT not in message.body
        assert memo.number in message.subject
        assert f"(ชั้นความลับ: {said})" in message.subject
        assert f"(ชั้นความลับ: {said})" in message.body
    # In the app, where the reader signs in, the subject is there.
    assert SECRET_SUBJECT in told(memo, Kind.REJECTED)["rujapa"]


def test_an_ordinary_memo_is_emailed_with_its_subject() -> None:
    """The other side of the classified case: the guard hides the subject only when the memo has a class."""
    submitted_memo(subject=SECRET_SUBJECT)
    mail.outbox.clear()
    (message,) = run_email_jobs()
    assert SECRET_SUBJECT in message.subject
    assert "ชั้นความลับ" not in message.body
