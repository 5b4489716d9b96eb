"""Remind a step's assignee that it is due, or tell their superior that it is overdue (issue 13): each sent once.

The StepNotice row is the claim: it is INSERTed in the transaction that writes the notification and the audit
event, and its unique constraints (one reminder per step per day, one escalation per step) let only the first
of two workers through; the other's IntegrityError rolls its whole transaction back, notification and event
included. The step row is locked first, so that a step signed meanwhile is not reminded (workflow.reminders
decides when; these only send)."""

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction

from core.audit import audit_event_append
from core.errors import NoSignatory
from core.workdays import WorkCalendar
from notifications.models import Kind
from notifications.services import notify
from org.models import Position
from org.selectors import Signatory, signatory_for
from workflow.models import RouteStep, StepNotice, StepNoticeKind, StepState

#: How far up the chart an escalation looks for someone other than the step's own assignee.
MAX_LEVELS = 10


def _locked_due_step(step_id: Any, now: datetime) -> RouteStep | None:
    step = (
        RouteStep.objects.select_for_update(of=("self",))
        .select_related("memo", "position", "assignee")
        .filter(pk=step_id)
        .first()
    )
    if step is None or step.state != StepState.ACTIVE or step.due_at is None or step.due_at > now:
        return None  # signed, returned or moved on since the scan read it
    return step


def _params(step: RouteStep, overdue_days: int) -> dict[str, Any]:
    assert step.due_at is not None
    return {
        "step": step.order,
        "round": step.round,
        "role": step.role,
        "position": step.position.title,
        "capacity": step.capacity,
        "due": step.due_at.isoformat(),
        "overdue_days": overdue_days,
    }


def step_remind(*, step_id: Any, day: date, now: datetime, calendar: WorkCalendar) -> StepNotice | None:
    """Remind the assignee of an active step that has fallen due: a Kind.REMINDER notification and the
    `step.reminded` audit event, once for `day`. None when another worker sent it, or the step moved on."""
    try:
        with transaction.atomic(durable=True):
            step = _locked_due_step(step_id, now)
            if step is None or step.assignee_id is None:
                return None
            assert step.due_at is not None
            overdue = calendar.working_days_overdue(step.due_at, now)
            notice = StepNotice.objects.create(
                step=step,
                kind=StepNoticeKind.REMINDER,
                day=day,
                recipient_id=step.assignee_id,
                sent_at=now,
                overdue_days=overdue,
            )
            params = _params(step, overdue)
            notify(kind=Kind.REMINDER, memo=step.memo, recipients=[step.assignee_id], actor=None, **params)
            audit_event_append(
                action="step.reminded",
                obj=step.memo,
                data={**params, "assignee": step.assignee.username if step.assignee else None},
            )
    except IntegrityError:  # this day's reminder is another worker's, and ours rolled back with it
        return None
    return notice


def superior_of(step: RouteStep, *, at: datetime) -> Signatory | None:
    """Who an overdue step is escalated to: whoever signs now (org.selectors.signatory_for: an acting
    appointment first) for the position the step's position reports to; when that post is vacant, or its
    signatory is the step's own assignee (acting for their superior), the next one up."""
    position: Position | None = step.position.reports_to
    seen: set[Any] = set()
    while position is not None and position.pk not in seen and len(seen) < MAX_LEVELS:
        seen.add(position.pk)
        try:
            signatory = signatory_for(position=position, at=at)
        except NoSignatory:
            signatory = None
        if signatory is not None and signatory.person.pk != step.assignee_id:
            return signatory
        position = position.reports_to
    return None


def step_escalate(*, step_id: Any, day: date, now: datetime, calendar: WorkCalendar) -> StepNotice | None:
    """Tell the superior (`superior_of`) that an active step is overdue: a Kind.ESCALATED notification and the
    `step.escalated` audit event, once per step. A step with nobody above it is marked as escalated without a
    notification (there is nobody to tell). None when another worker escalated it, or the step moved on."""
    try:
        with transaction.atomic(durable=True):
            step = _locked_due_step(step_id, now)
            if step is None:
                return None
            assert step.due_at is not None
            overdue = calendar.working_days_overdue(step.due_at, now)
            superior = superior_of(step, at=now)
            notice = StepNotice.objects.create(
                step=step,
                kind=StepNoticeKind.ESCALATED,
                day=day,
                recipient=superior.person if superior else None,
                sent_at=now,
                overdue_days=overdue,
            )
            if superior is None:
                return notice
            params = {
                **_params(step, overdue),
                "assignee": step.assignee.full_name if step.assignee else "",
                "superior_position": superior.position.title,
                "superior_capacity": superior.capacity or "",
            }
            notify(kind=Kind.ESCALATED, memo=step.memo, recipients=[superior.person.pk], actor=None, **params)
            audit_event_append(
                action="step.escalated",
                obj=step.memo,
                data={
                    **_params(step, overdue),
                    "assignee": step.assignee.username if step.assignee else None,
                    "superior": superior.person.username,
                    "superior_position": superior.position.title,
                    "superior_capacity": superior.capacity or "",
                },
            )
    except IntegrityError:  # escalated by another worker; ours rolled back
        return None
    return notice
