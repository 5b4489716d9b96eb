"""Reminders and escalations of overdue steps (issue 13), on a fixed clock (`now` passed to the scan): when they go
out, to whom, once; and exactly once when two workers scan at the same moment (PostgreSQL, real threads).

The step is built through the services, then given a due time of Thursday 31 December 2026, 16:30, as if it had
reached its signatory that morning as ด่วนที่สุด (the clock of the services cannot be moved). 1 January 2027 is a
holiday; MEMOFLOW_REMINDER_AT 08:30; escalation after 2 working days overdue."""

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from core.models import AuditEvent
from core.thai import BANGKOK
from notifications.models import Kind, Notification
from org.models import ActingCapacity, Holiday, Position
from org.services import acting_appointment_create
from tests.builders import PW, active_step, approve_active, person, submitted_memo
from workflow import services
from workflow.due import calendar_for
from workflow.models import RouteStep, StepNotice, StepNoticeKind
from workflow.reminders import escalation_due, reminder_day, reminders_send
from workflow.services.reminding import step_escalate, step_remind

DUE = datetime(2026, 12, 31, 16, 30, tzinfo=BANGKOK)
PALAD = "ปลัดองค์การบริหารส่วนตำบลหนองโสน"


def bkk(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026 if month == 12 else 2027, month, day, hour, minute, tzinfo=BANGKOK)


def _holidays() -> None:
    Holiday.objects.filter(date__range=(date(2026, 12, 1), date(2027, 1, 31))).delete()
    Holiday.objects.create(date=date(2027, 1, 1), name="วันขึ้นปีใหม่")


def _overdue_step() -> RouteStep:
    """ratchawari's step (รักษาการแทนหัวหน้าสำนักปลัด, reporting to the ปลัด, nat), due at DUE."""
    memo = submitted_memo(urgency="most_urgent")
    step = active_step(memo)
    RouteStep.objects.filter(pk=step.pk).update(activated_at=bkk(12, 31, 9), due_at=DUE)
    step.refresh_from_db()
    return step


@pytest.fixture
def step(demo_org: Any) -> RouteStep:
    _holidays()
    return _overdue_step()


def reminders(step: RouteStep) -> list[Notification]:
    return list(Notification.objects.filter(memo_id=step.memo_id, kind=Kind.REMINDER).order_by("id"))


def escalations(step: RouteStep) -> list[Notification]:
    return list(Notification.objects.filter(memo_id=step.memo_id, kind=Kind.ESCALATED).order_by("id"))


def events(step: RouteStep, action: str) -> int:
    return AuditEvent.objects.filter(object_id=str(step.memo_id), action=action).count()


# The timing on its own --------------------------------------------------------------------------------------


def test_the_reminder_days_around_the_due_time_the_holiday_and_the_weekend(demo_org: Any) -> None:
    _holidays()
    calendar = calendar_for(demo_org.pk)

    def day(now: datetime) -> date | None:
        return reminder_day(due_at=DUE, now=now, calendar=calendar)

    assert day(bkk(12, 31, 16, 29)) is None  # before the due time
    assert day(bkk(12, 31, 16, 30)) == date(2026, 12, 31)  # at the due time
    assert day(bkk(12, 31, 23, 0)) == date(2026, 12, 31)  # later that day: the same day's reminder
    assert day(bkk(1, 1, 9)) is None  # the New Year holiday
    assert day(bkk(1, 2, 9)) is None  # Saturday
    assert day(bkk(1, 3, 9)) is None  # Sunday
    assert day(bkk(1, 4, 8, 29)) is None  # Monday before the morning's time
    assert day(bkk(1, 4, 8, 30)) == date(2027, 1, 4)
    assert not escalation_due(due_at=DUE, now=bkk(1, 4, 9), calendar=calendar)  # 1 working day overdue
    assert not escalation_due(due_at=DUE, now=bkk(1, 5, 8, 29), calendar=calendar)
    assert escalation_due(due_at=DUE, now=bkk(1, 5, 8, 30), calendar=calendar)  # 2 working days


# The scan ---------------------------------------------------------------------------------------------------


def test_one_reminder_at_the_due_time_then_one_each_working_morning_and_none_once_signed(
    step: RouteStep,
) -> None:
    ratchawari = person("ratchawari")
    assert reminders_send(now=bkk(12, 31, 16, 29)).reminded == 0
    assert reminders(step) == []

    assert reminders_send(now=bkk(12, 31, 16, 30)).reminded == 1
    assert reminders_send(now=bkk(12, 31, 16, 35)).reminded == 0  # the next scan: already sent today
    (first,) = reminders(step)
    assert first.recipient == ratchawari
    assert first.actor is None
    assert first.params["overdue_days"] == 0

    for now in (bkk(1, 1, 9), bkk(1, 2, 9), bkk(1, 3, 9), bkk(1, 4, 8, 25)):  # holiday, weekend, early
        assert reminders_send(now=now).reminded == 0
    assert reminders_send(now=bkk(1, 4, 8, 30)).reminded == 1
    assert reminders_send(now=bkk(1, 4, 16, 0)).reminded == 0
    assert reminders(step)[-1].params["overdue_days"] == 1
    assert len(reminders(step)) == 2
    assert events(step, "step.reminded") == 2

    approve_active(step.memo)  # ratchawari signs; the next step is nat's, due by the real clock (earlier)
    reminders_send(now=bkk(1, 5, 8, 30))
    assert Notification.objects.filter(recipient=ratchawari, kind=Kind.REMINDER).count() == 2
    assert StepNotice.objects.filter(step=step).count() == 2
    assert [n.recipient for n in reminders(step)[2:]] == [person("nat")]


def test_the_superior_is_told_once_after_two_working_days_overdue(step: RouteStep) -> None:
    reminders_send(now=bkk(12, 31, 16, 30))
    assert reminders_send(now=bkk(1, 4, 8, 30)).escalated == 0  # one working day overdue
    assert escalations(step) == []

    result = reminders_send(now=bkk(1, 5, 8, 30))
    assert (result.reminded, result.escalated) == (1, 1)
    (told,) = escalations(step)
    assert told.recipient == person("nat")  # the ปลัด, whom หัวหน้าสำนักปลัด reports to
    assert told.params["overdue_days"] == 2
    assert told.params["assignee"] == person("ratchawari").full_name
    assert events(step, "step.escalated") == 1
    event = AuditEvent.objects.get(object_id=str(step.memo_id), action="step.escalated")
    assert event.actor is None
    assert event.data["superior"] == "nat"

    for now in (bkk(1, 5, 12), bkk(1, 6, 8, 30), bkk(1, 7, 8, 30)):
        assert reminders_send(now=now).escalated == 0  # once per step
    assert len(escalations(step)) == 1
    assert len(reminders(step)) == 5  # 31 Dec, 4, 5, 6 and 7 January


def test_an_escalation_is_claimed_once_per_step_whatever_the_day(step: RouteStep) -> None:
    """The service itself (not the scan's filter) refuses a second escalation of a step, on another day too."""
    calendar = calendar_for(step.memo.organisation_id)
    first = step_escalate(step_id=step.pk, day=date(2027, 1, 5), now=bkk(1, 5, 8, 30), calendar=calendar)
    again = step_escalate(step_id=step.pk, day=date(2027, 1, 6), now=bkk(1, 6, 8, 30), calendar=calendar)
    assert first is not None
    assert again is None
    assert len(escalations(step)) == 1
    assert events(step, "step.escalated") == 1


def test_an_acting_superior_is_the_one_told(step: RouteStep) -> None:
    acting_appointment_create(
        position=Position.objects.get(title=PALAD),
        person=person("finance_head"),
        capacity=ActingCapacity.ACTING,
        valid_from=date(2027, 1, 1),
        valid_to=date(2027, 1, 31),
    )
    reminders_send(now=bkk(1, 5, 8, 30))
    (told,) = escalations(step)
    assert told.recipient == person("finance_head")
    assert told.params["superior_capacity"] == ActingCapacity.ACTING


def test_a_superior_who_is_the_assignee_is_passed_over_for_the_next_one_up(step: RouteStep) -> None:
    # ratchawari also acts for the ปลัด: telling her of her own step is pointless; the นายก is told.
    acting_appointment_create(
        position=Position.objects.get(title=PALAD),
        person=person("ratchawari"),
        capacity=ActingCapacity.ACTING,
        valid_from=date(2027, 1, 1),
        valid_to=date(2027, 1, 31),
    )
    reminders_send(now=bkk(1, 5, 8, 30))
    (told,) = escalations(step)
    assert told.recipient == person("yutthana")


def test_a_reassigned_step_reminds_its_new_assignee_on_the_same_due_time(step: RouteStep) -> None:
    services.step_reassign(step=step, actor=person("admin"), assignee=person("finance_head"), reason="ลา")
    reminders_send(now=bkk(12, 31, 16, 30))
    (first,) = reminders(step)
    assert first.recipient == person("finance_head")


def test_a_returned_memos_writer_is_never_reminded(step: RouteStep) -> None:
    services.step_return(step=step, actor=person("ratchawari"), password=PW, reason="แก้ไข")
    for now in (bkk(12, 31, 16, 30), bkk(1, 5, 8, 30), bkk(1, 29, 8, 30)):
        assert reminders_send(now=now).as_dict() == {"reminded": 0, "escalated": 0}


def test_reminders_and_escalations_are_on_the_memos_timeline_and_history(
    step: RouteStep, client: Any
) -> None:
    reminders_send(now=bkk(12, 31, 16, 30))
    reminders_send(now=bkk(1, 5, 8, 30))
    client.force_login(person("rujapa"))
    page = client.get(reverse("memo-page", args=[step.memo_id]), HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert page.count('data-testid="reminded"') == 2
    assert page.count('data-testid="escalated"') == 1
    assert "แจ้งผู้บังคับบัญชา" in page
    assert "นายนาฏ วงศ์ทองดี" in page
    history = client.get(reverse("memo-history", args=[step.memo_id]), HTTP_ACCEPT_LANGUAGE="th")
    text = history.content.decode()
    assert "เตือนว่าถึงกำหนด" in text
    assert "แจ้งผู้บังคับบัญชาว่าเกินกำหนด" in text


# Exactly once with several workers --------------------------------------------------------------------------


def _together(work: Callable[[], Any], threads: int = 2) -> list[Any]:
    """Run `work` in `threads` real threads released at the same moment, each with its own connection."""
    barrier = threading.Barrier(threads)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_reminder_send_it_once(demo_org: Any) -> None:
    _holidays()
    step = _overdue_step()
    now = bkk(12, 31, 16, 30)

    def send() -> Any:
        return step_remind(step_id=step.pk, day=now.date(), now=now, calendar=calendar_for(demo_org.pk))

    sent = _together(send)
    assert sum(notice is not None for notice in sent) == 1
    assert StepNotice.objects.filter(step=step, kind=StepNoticeKind.REMINDER).count() == 1
    assert len(reminders(step)) == 1
    assert events(step, "step.reminded") == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_once_remind_and_escalate_once(demo_org: Any) -> None:
    _holidays()
    step = _overdue_step()
    results = _together(lambda: reminders_send(now=bkk(1, 5, 8, 30)), threads=3)
    assert sum(r.reminded for r in results) == 1
    assert sum(r.escalated for r in results) == 1
    assert len(reminders(step)) == 1
    assert len(escalations(step)) == 1
    assert events(step, "step.reminded") == 1
    assert events(step, "step.escalated") == 1
