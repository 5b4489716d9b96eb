"""When overdue steps are reminded and escalated (issue 13), and the scan the task workers run.

The scan is a scheduled job every MEMOFLOW_REMINDER_SCAN_MINUTES minutes (core.schedule: each slot claimed by
one worker). On each run it reads the active steps that have fallen due and, on a working day:

- reminds the assignee once at the due time (the due day, from the due time on) and once each working morning
  after it, from MEMOFLOW_REMINDER_AT (08:30, Bangkok); never on a weekend or a holiday, never before the due
  time, never once the step is signed, returned or rejected;
- tells the superior (workflow.services.reminding.superior_of: the signatory of the position the step's position
  reports to, an acting one included) once per step, on the first working morning the step is
  MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS (2) working days overdue.

Each one is sent by a service that claims it through a unique constraint in its own transaction
(workflow.services.reminding), so a second worker, a retried task or an overlapping run never sends it twice.
A run that finds nothing to do costs one query (the steps; the holidays' too when a step is read); a reminder
about nine statements in its own transaction, an escalation about ten more (its superior resolved). A reminder slot missed because no
worker was up is sent at the next run on the same working day; days gone by are not caught up.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.tasks import task
from django.utils import timezone

from core.thai import to_bangkok
from core.workdays import WorkCalendar
from workflow.due import Calendars
from workflow.models import RouteStep, StepNotice, StepNoticeKind, StepState
from workflow.services.reminding import step_escalate, step_remind

logger = logging.getLogger("memoflow.reminders")

JOB = "step_reminders"


def morning() -> time:
    """The time of the working mornings' reminders (settings.MEMOFLOW_REMINDER_AT, "08:30", Bangkok)."""
    return datetime.strptime(getattr(settings, "MEMOFLOW_REMINDER_AT", "08:30"), "%H:%M").time()


def escalate_after() -> int:
    return int(getattr(settings, "MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS", 2))


def reminder_day(
    *, due_at: datetime, now: datetime, calendar: WorkCalendar, at: time | None = None
) -> date | None:
    """The Bangkok day whose reminder is to be sent now, or None: the due day from the due time on; each later
    working day from the morning time on; nothing before the due time, on a weekend or on a holiday."""
    if now < due_at:
        return None
    local = to_bangkok(now)
    today = local.date()
    if not calendar.is_working_day(today):
        return None
    if today == to_bangkok(due_at).date() or local.time() >= (at or morning()):
        return today
    return None


def escalation_due(
    *, due_at: datetime, now: datetime, calendar: WorkCalendar, at: time | None = None
) -> bool:
    """Whether the superior is to be told now: a working morning (after the reminders' time) on which the step
    is MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS or more working days overdue."""
    day = reminder_day(due_at=due_at, now=now, calendar=calendar, at=at)
    return day is not None and calendar.working_days_overdue(due_at, now) >= escalate_after()


@dataclass
class ScanResult:
    reminded: int = 0
    escalated: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"reminded": self.reminded, "escalated": self.escalated}


def due_steps(*, now: datetime) -> Any:
    """The active steps fallen due by `now` that may still need today's reminder or their escalation."""
    today = to_bangkok(now).date()
    reminded_today = StepNotice.objects.filter(step=OuterRef("pk"), kind=StepNoticeKind.REMINDER, day=today)
    escalated = StepNotice.objects.filter(step=OuterRef("pk"), kind=StepNoticeKind.ESCALATED)
    return (
        RouteStep.objects.filter(state=StepState.ACTIVE, due_at__lte=now)
        .annotate(reminded_today=Exists(reminded_today), escalated=Exists(escalated))
        .filter(Q(reminded_today=False) | Q(escalated=False))
        .select_related("memo")
        # the memo's status too: django-fsm's ConcurrentTransitionMixin reads it when the row is made
        .only("pk", "due_at", "assignee_id", "memo__organisation_id", "memo__status")
        .order_by("due_at", "pk")
    )


def reminders_send(*, now: datetime | None = None) -> ScanResult:
    """One scan: remind and escalate what is due at `now` (default: the clock)."""
    now = now or timezone.now()
    at = morning()
    calendars = Calendars()
    result = ScanResult()
    for step in due_steps(now=now).iterator(chunk_size=500):
        calendar = calendars(step.memo.organisation_id)
        day = reminder_day(due_at=step.due_at, now=now, calendar=calendar, at=at)
        if day is None:
            continue
        if not step.reminded_today and step.assignee_id is not None:
            notice = step_remind(step_id=step.pk, day=day, now=now, calendar=calendar)
            result.reminded += notice is not None
        if not step.escalated and escalation_due(due_at=step.due_at, now=now, calendar=calendar, at=at):
            notice = step_escalate(step_id=step.pk, day=day, now=now, calendar=calendar)
            if notice is not None and notice.recipient_id is not None:
                result.escalated += 1
    if result.reminded or result.escalated:
        logger.info("reminders at %s: %s", now.isoformat(), result.as_dict())
    return result


@task()
def step_reminders(scheduled_for: str = "") -> dict[str, int]:
    """The scheduled job "step_reminders" (core.schedule, every MEMOFLOW_REMINDER_SCAN_MINUTES minutes): one
    scan at the time it runs (a late run sends what is due then). Idempotent: a retried run sends nothing twice."""
    return reminders_send().as_dict()
