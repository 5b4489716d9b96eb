"""The e-mail channel as each person chose it: at once (one job per batch, in the change's transaction), a
daily digest (one message listing what came since the last one, sent once whatever runs it), or off; nobody
without an address is written to."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django_tasks_db.models import DBTaskResult

from core import schedule
from notifications import email, services
from notifications.models import Channel, EmailState, Kind, Mode, Notification
from notifications.tasks import send_notification_digest
from notifications.tests.helpers import EMAIL_JOB, run_email_jobs
from org.models import Person
from tests.builders import approve_active, completed_memo, submitted_memo

pytestmark = pytest.mark.django_db


def prefer(username: str, mode: Mode) -> Person:
    person = Person.objects.get(username=username)
    services.preference_set(person=person, channel=Channel.EMAIL, mode=mode)
    return person


def test_one_job_per_batch_enqueued_with_the_change(demo_org: Any) -> None:
    """The job is enqueued in the change's transaction; what it sends is decided when it runs."""
    submitted_memo()
    jobs = DBTaskResult.objects.filter(task_path=EMAIL_JOB)
    (job,) = jobs
    (waiting,) = Notification.objects.filter(kind=Kind.STEP_WAITING)
    assert job.args_kwargs["args"] == [[waiting.pk]]
    assert waiting.email_state == EmailState.QUEUED


def test_off_sends_no_email_but_the_bell_still_has_it(demo_org: Any) -> None:
    memo = submitted_memo()
    prefer("ratchawari", Mode.OFF)  # chosen before the job ran: the job honours it
    assert run_email_jobs() == []
    waiting = Notification.objects.get(memo=memo, recipient__username="ratchawari")  # the bell has it
    assert waiting.email_state == EmailState.NONE


def test_someone_without_an_address_is_skipped(demo_org: Any) -> None:
    Person.objects.filter(username="ratchawari").update(email="")
    submitted_memo()
    assert run_email_jobs() == []
    assert Notification.objects.get(kind=Kind.STEP_WAITING).email_state == EmailState.NONE


def test_a_retried_job_sends_nothing_twice(demo_org: Any) -> None:
    submitted_memo()
    (waiting,) = Notification.objects.filter(kind=Kind.STEP_WAITING)
    assert email.send_queued(notification_ids=[waiting.pk]) == 1
    assert email.send_queued(notification_ids=[waiting.pk]) == 0  # the worker died after sending: run again
    assert len(mail.outbox) == 1


def test_digest_people_get_nothing_at_once_and_one_message_a_day(demo_org: Any) -> None:
    prefer("rujapa", Mode.DIGEST)
    memo = completed_memo()  # rujapa: signed at steps 1 and 2, completed
    assert sorted(m.to[0] for m in run_email_jobs()) == [
        "nat@nongson.example",
        "ratchawari@nongson.example",
        "yutthana@nongson.example",
    ]
    mail.outbox.clear()
    result = send_notification_digest.func(scheduled_for="2026-12-03T16:30:00+07:00")
    assert result == {"people": 1, "sent": 1}
    (digest,) = mail.outbox
    assert digest.to == ["rujapa@nongson.example"]
    assert digest.subject == "memoflow: สรุปการแจ้งเตือนประจำวัน (3 รายการ)"
    thai = digest.body.split("\n\n---\n\n")[0]
    assert thai.count(f"/memos/{memo.pk}/") == 3
    assert thai.index("ลงนามบันทึกข้อความที่") < thai.index("เสร็จสิ้นแล้ว")  # oldest first
    assert "๒๕๖" in thai  # Buddhist-era dates
    # The next day, nothing new: no message.
    mail.outbox.clear()
    assert send_notification_digest.func(scheduled_for="2026-12-04T16:30:00+07:00") == {
        "people": 0,
        "sent": 0,
    }
    assert mail.outbox == []
    # Something new: only that.
    services_memo = submitted_memo()
    approve_active(services_memo)
    run_email_jobs()
    mail.outbox.clear()
    send_notification_digest.func()
    (second,) = mail.outbox
    assert second.body.count(f"/memos/{services_memo.pk}/") == 2  # Thai and English, one notification
    assert f"/memos/{memo.pk}/" not in second.body


def test_leaving_the_digest_drops_what_waited_for_it(demo_org: Any) -> None:
    prefer("rujapa", Mode.DIGEST)
    completed_memo()
    run_email_jobs()
    assert Notification.objects.filter(email_state=EmailState.DIGEST).count() == 3
    prefer("rujapa", Mode.IMMEDIATE)
    mail.outbox.clear()
    assert send_notification_digest.func() == {"people": 0, "sent": 0}
    assert mail.outbox == []


def test_the_digest_is_a_daily_job_at_half_past_four_that_can_be_moved(settings: Any) -> None:
    (job,) = [job for job in schedule.jobs() if job.name == "notification_digest"]
    assert job.at.strftime("%H:%M") == "16:30"
    assert job.task_path == "notifications.tasks.send_notification_digest"
    settings.MEMOFLOW_SCHEDULE = {"notification_digest": "08:15"}
    (moved,) = [job for job in schedule.jobs() if job.name == "notification_digest"]
    assert moved.at.strftime("%H:%M") == "08:15"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_digest_at_once_send_it_once(
    demo_org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two digest runs overlap: the first holds the person's waiting rows while it sends; the second starts then
    and must wait for it, and finds nothing left. (Without the row lock, both read the rows and both send.)"""
    prefer("rujapa", Mode.DIGEST)
    completed_memo()
    run_email_jobs()
    sending = threading.Event()
    release = threading.Event()
    sent: list[Any] = []
    real_send = email.send_messages

    def slow_send(messages: Any) -> int:
        messages = list(messages)
        sent.extend(messages)
        sending.set()
        release.wait(timeout=30)
        return real_send(messages)

    monkeypatch.setattr(email, "send_messages", slow_send)
    outcomes: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            outcomes[name] = send_notification_digest.func()
        except Exception as error:  # reported by the assertions below
            outcomes[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert sending.wait(timeout=30)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    # The second is blocked on the first's row locks, or (without them) has reached its own send.
    wait_until(lambda: _waiting_on_a_lock() or len(sent) > 1)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert len(sent) == 1, outcomes
    assert sorted(outcomes.values(), key=str) == [{"people": 1, "sent": 0}, {"people": 1, "sent": 1}]
    assert not Notification.objects.filter(email_state=EmailState.DIGEST).exists()


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)  # polling a condition, not waiting for time to pass


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def test_the_digest_of_a_classified_memo_has_no_subject_and_no_body(demo_org: Any) -> None:
    from memos.models import Memo
    from tests.builders import draft_memo, submit

    prefer("rujapa", Mode.DIGEST)
    memo = draft_memo(subject="เรื่องลับเฉพาะ", body="เนื้อความลับเฉพาะ")
    Memo.objects.filter(pk=memo.pk).update(
        secrecy="secret"
    )  # classifying is the secrecy page's (another change)
    approve_active(submit(memo))
    run_email_jobs()
    mail.outbox.clear()
    send_notification_digest.func()
    (digest,) = mail.outbox
    assert "(ชั้นความลับ: ลับมาก)" in digest.body
    assert "(secrecy: Secret)" in digest.body
    assert "เรื่องลับเฉพาะ" not in digest.body
    assert "เนื้อความลับเฉพาะ" not in digest.body
