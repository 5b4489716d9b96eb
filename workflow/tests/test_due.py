"""Due times of route steps (issue 13): set when a step reaches its signatory, from the memo's urgency, counted in
working days on the holiday table; kept by a reassignment; none on the writer's step of a returned memo."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from core.thai import BANGKOK
from memos.models import Urgency
from org.models import Holiday
from tests.builders import PW, RETURN_REASON, active_step, approve_active, draft_memo, person, submit
from workflow import services
from workflow.due import calendar_for, due_status, step_due_at
from workflow.models import RouteStep, StepState

pytestmark = pytest.mark.django_db


def bkk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def new_year(demo_org: Any) -> Any:
    """1 January 2027 (a Friday) is a holiday; Thursday 31 December 2026 is a working day here."""
    Holiday.objects.filter(date__range=(date(2026, 12, 1), date(2027, 1, 31))).delete()
    Holiday.objects.create(date=date(2027, 1, 1), name="วันขึ้นปีใหม่")
    return demo_org


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        (Urgency.MOST_URGENT, bkk(2026, 12, 31, 16, 30)),  # the same working day
        (Urgency.VERY_URGENT, bkk(2027, 1, 4, 16, 30)),  # over the holiday and the weekend: Monday
        (Urgency.URGENT, bkk(2027, 1, 5, 16, 30)),
        (Urgency.NORMAL, bkk(2027, 1, 6, 16, 30)),
    ],
)
def test_due_times_over_the_new_year_holiday_and_the_weekend(
    new_year: Any, urgency: str, due: datetime
) -> None:
    memo = draft_memo(urgency=urgency)
    assert step_due_at(memo=memo, activated_at=bkk(2026, 12, 31, 10, 0)) == due


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        (Urgency.MOST_URGENT, bkk(2027, 1, 4, 16, 30)),  # after hours: the next working day's end
        (Urgency.VERY_URGENT, bkk(2027, 1, 5, 16, 30)),
        (Urgency.URGENT, bkk(2027, 1, 6, 16, 30)),
        (Urgency.NORMAL, bkk(2027, 1, 7, 16, 30)),
    ],
)
def test_after_office_hours_the_count_starts_on_the_next_working_day(
    new_year: Any, urgency: str, due: datetime
) -> None:
    memo = draft_memo(urgency=urgency)
    assert step_due_at(memo=memo, activated_at=bkk(2026, 12, 31, 16, 30)) == due


def test_a_step_reaching_its_signatory_on_a_weekend_counts_from_monday(new_year: Any) -> None:
    most_urgent = draft_memo(urgency=Urgency.MOST_URGENT)
    normal = draft_memo(urgency=Urgency.NORMAL)
    saturday = bkk(2026, 12, 5, 9, 0)
    assert step_due_at(memo=most_urgent, activated_at=saturday) == bkk(2026, 12, 7, 16, 30)
    assert step_due_at(memo=normal, activated_at=saturday) == bkk(2026, 12, 10, 16, 30)


def test_an_organisations_own_day_off_counts_and_another_organisations_does_not(new_year: Any) -> None:
    from org.models import Organisation

    other = Organisation.objects.create(name="เทศบาลอื่น")
    Holiday.objects.create(date=date(2027, 1, 4), name="วันหยุดของเทศบาล", organisation=new_year)
    Holiday.objects.create(date=date(2027, 1, 5), name="วันหยุดของที่อื่น", organisation=other)
    memo = draft_memo(urgency=Urgency.VERY_URGENT)
    assert step_due_at(memo=memo, activated_at=bkk(2026, 12, 31, 10, 0)) == bkk(2027, 1, 5, 16, 30)


def test_the_working_days_per_urgency_come_from_settings(new_year: Any, settings: Any) -> None:
    settings.MEMOFLOW_DUE_WORKING_DAYS = {**settings.MEMOFLOW_DUE_WORKING_DAYS, "normal": 5}
    memo = draft_memo(urgency=Urgency.NORMAL)
    assert step_due_at(memo=memo, activated_at=bkk(2026, 12, 31, 10, 0)) == bkk(2027, 1, 8, 16, 30)


# Through the services ---------------------------------------------------------------------------------------


def _expected(step: RouteStep) -> datetime:
    assert step.activated_at is not None
    return calendar_for(step.memo.organisation_id).due_at(step.activated_at, step.memo.urgency)


def test_each_step_gets_its_due_time_when_it_reaches_its_signatory(demo_org: Any) -> None:
    memo = submit(draft_memo(urgency=Urgency.URGENT))
    first = active_step(memo)
    assert first.due_at is not None
    assert first.due_at == _expected(first)
    assert first.due_at > first.activated_at  # type: ignore[operator]
    approve_active(memo)
    second = active_step(memo)
    assert second.order == 2
    assert second.due_at == _expected(second)
    # The writer's own step, signed at submission, never had one.
    assert RouteStep.objects.get(memo=memo, order=0).due_at is None


def test_a_reassigned_step_keeps_its_due_time(demo_org: Any) -> None:
    memo = submit(draft_memo(urgency=Urgency.VERY_URGENT))
    step = active_step(memo)
    due = step.due_at
    services.step_reassign(step=step, actor=person("admin"), assignee=person("nat"), reason="ลาป่วย")
    moved = RouteStep.objects.get(pk=step.pk)
    assert moved.assignee == person("nat")
    assert moved.due_at == due


def test_the_writers_step_of_a_returned_memo_has_no_due_time_and_the_resubmitted_route_does(
    demo_org: Any,
) -> None:
    memo = submit(draft_memo(urgency=Urgency.URGENT))
    step = active_step(memo)
    assert step.assignee is not None
    services.step_return(step=step, actor=step.assignee, password=PW, reason=RETURN_REASON)
    writer_step = RouteStep.objects.get(memo=memo, state=StepState.ACTIVE)
    assert writer_step.order == 0
    assert writer_step.due_at is None
    memo.refresh_from_db()
    submit(memo)
    again = active_step(memo)
    assert again.round == 2
    assert again.due_at == _expected(again)


# In words ---------------------------------------------------------------------------------------------------


def test_the_due_status_in_thai_and_english(new_year: Any) -> None:
    calendar = calendar_for(new_year.pk)
    due = bkk(2026, 12, 31, 16, 30)
    with translation.override("th"):
        before = due_status(due, now=due - timedelta(hours=1), calendar=calendar)
        assert before is not None
        assert not before.overdue
        assert before.due_text == "๓๑ ธ.ค. ๒๕๖๙ ๑๖.๓๐ น."
        assert before.overdue_text == ""
        same_day = due_status(due, now=due + timedelta(minutes=5), calendar=calendar)
        assert same_day is not None
        assert same_day.overdue
        assert same_day.overdue_days == 0
        assert same_day.overdue_text == "เกินกำหนด"
        # Friday 1 January is a holiday, the weekend does not count: Monday is the first working day late,
        # Tuesday the second.
        tuesday = due_status(due, now=bkk(2027, 1, 5, 9, 0), calendar=calendar)
        assert tuesday is not None
        assert tuesday.overdue_days == 2
        assert tuesday.overdue_text == "เกินกำหนด ๒ วันทำการ"
    with translation.override("en"):
        tuesday = due_status(due, now=bkk(2027, 1, 5, 9, 0), calendar=calendar)
        assert tuesday is not None
        assert tuesday.due_text == "31 Dec 2026, 16:30"
        assert tuesday.overdue_text == "overdue 2 working days"
    assert due_status(None, now=due, calendar=calendar) is None


def test_an_approve_counts_the_holidays_it_reads_with_the_route(new_year: Any, monkeypatch: Any) -> None:
    """The approve reads the holidays in its route's own query (workflow.services.steps, no query of its own):
    the next step, reached on 31 December, is due on Monday 4 January, after the New Year holiday and the
    weekend, the same as the calendar says."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: bkk(2026, 12, 31, 10, 0))
    memo = submit(draft_memo(urgency=Urgency.VERY_URGENT))
    approve_active(memo)
    second = active_step(memo)
    assert second.order == 2
    assert second.due_at == bkk(2027, 1, 4, 16, 30)
    assert second.due_at == _expected(second)
