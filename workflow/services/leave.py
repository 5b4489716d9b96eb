"""Leave and the route (issue 13, ADR 0011): org.leave's services, and the moves of the route's steps that
follow them.

New steps need nothing from here: an approved leave is an acting appointment, and a step that activates while
it is in force goes to the acting person (org.selectors.signatory_for). What this module moves are the steps
already active:

- while a leave is in force (approved, first day ≤ today ≤ last day): the person's active steps for the
  position go to the acting person, in the leave's capacity — at approval when the leave has begun, and by the
  daily job "leave_steps" on its first day;
- once it has ended (the day after its last day) or was cancelled: the steps the acting person still holds for
  the position in that capacity go to whoever signs for the position now (normally the person back from
  leave; someone else if another appointment is in force) — at cancellation, and by the daily job.

Each move is the administrator's reassignment (`reassignment._move`: a StepReassignment row whose reason names
the leave, the step's capacity, the viewflow task, both people told, the audit event "step.leave_moved"), made under the memo's
process lock after checking again that the step is still active with the person it is moving from: two runs
(the approval and the job, or two workers) move a step once. The separation of duties holds
(`reassignment._check_assignee`): a step the new person may not take (they wrote the memo, or signed in this
round) stays where it is, with the reason in the memo's audit log and in the result.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q

from core import thai
from core.audit import RequestMeta
from core.errors import Busy, NoSignatory, ValidationFailed
from org import leave as org_leave
from org.models import Leave, LeaveState, Person
from org.selectors import bangkok_day, signatory_for
from workflow import notify
from workflow.models import RouteStep, StepState
from workflow.services._common import _audit, _process_locked
from workflow.services.reassignment import _check_assignee, _move

AWAY = "away"
BACK = "back"


@dataclass
class StepsMoved:
    """What a sync did: the steps moved, and those kept where they were with why (a sentence)."""

    moved: list[RouteStep] = field(default_factory=list)
    kept: list[tuple[RouteStep, str]] = field(default_factory=list)
    busy: int = 0  # memos someone else held locked: the next run moves them


def leave_request(**kwargs: Any) -> Leave:
    """Ask (org.leave); whoever may decide is told in the same transaction."""
    return org_leave.leave_request(**kwargs, inform=notify.leave_requested)


def leave_refuse(*, leave: Leave, actor: Person, reason: str, meta: RequestMeta | None = None) -> Leave:
    return org_leave.leave_refuse(
        leave=leave, actor=actor, reason=reason, meta=meta, inform=notify.leave_decided
    )


def leave_approve(
    *, leave: Leave, actor: Person, meta: RequestMeta | None = None
) -> tuple[Leave, StepsMoved]:
    """Approve (the acting appointment, org.leave), then, if the leave has begun, move the person's steps."""
    approved = org_leave.leave_approve(leave=leave, actor=actor, meta=meta, inform=notify.leave_decided)
    return approved, leave_steps_sync(leave=approved, actor=actor, meta=meta)


def leave_cancel(*, leave: Leave, actor: Person, meta: RequestMeta | None = None) -> tuple[Leave, StepsMoved]:
    """Cancel (the appointment ends before today, org.leave), then bring back what the acting person holds."""
    cancelled = org_leave.leave_cancel(leave=leave, actor=actor, meta=meta)
    if not cancelled.was_approved:
        return cancelled.leave, StepsMoved()
    return cancelled.leave, leave_steps_sync(leave=cancelled.leave, actor=actor, meta=meta)


def _in_force(leave: Leave, today: date) -> bool:
    return leave.state == LeaveState.APPROVED and leave.starts_on <= today <= leave.ends_on


def _over(leave: Leave, today: date) -> bool:
    """Ended or cancelled after approval: its steps go back."""
    return (leave.state == LeaveState.APPROVED and leave.ends_on < today) or (
        leave.state == LeaveState.CANCELLED and leave.decided_at is not None  # only approved leave is decided
    )


def leave_steps_sync(
    *, leave: Leave, actor: Person | None = None, meta: RequestMeta | None = None, today: date | None = None
) -> StepsMoved:
    """Move the active steps the leave concerns today (the module docstring); nothing for a leave still to
    come. `actor`: who the moves are recorded as made by (default: whoever approved the leave)."""
    today = today or bangkok_day(None)
    result = StepsMoved()
    if _in_force(leave, today):
        direction, holder = AWAY, leave.person_id
    elif _over(leave, today):
        direction, holder = BACK, leave.acting_person_id
    else:
        return result
    by = actor or leave.decided_by
    assert by is not None
    steps = (
        RouteStep.objects.filter(
            state=StepState.ACTIVE,
            position_id=leave.position_id,
            assignee_id=holder,
            memo__process__isnull=False,
        )
        .filter(Q(capacity=leave.capacity) if direction == BACK else Q())
        .values_list("pk", "memo__process_id")
    )
    for step_id, process_id in list(steps):
        try:
            outcome = _move_one(
                step_id, process_id, leave_id=leave.pk, direction=direction, actor=by, meta=meta, today=today
            )
        except Busy:
            result.busy += 1
            continue
        if outcome is None:
            continue
        step, why = outcome
        if why:
            result.kept.append((step, why))
        else:
            result.moved.append(step)
    if direction == BACK and not result.busy:
        org_leave.leave_mark_returned(leave_id=leave.pk, day=today)
    return result


def _reason(leave: Leave, direction: str) -> str:
    """The reassignment's reason, in Thai as the memo's history is written."""
    days = f"{thai.format_date_short(leave.starts_on)} ถึง {thai.format_date_short(leave.ends_on)}"
    if direction == AWAY:
        order = f" ตาม{leave.order_reference}" if leave.order_reference else ""
        return (
            f"{leave.person.full_name} ลา {days}: {leave.acting_person.full_name} "
            f"{leave.capacity}{leave.position.title}{order}"
        )
    ended = "ยกเลิกการลา" if leave.state == LeaveState.CANCELLED else "สิ้นสุดการลา"
    return f"{ended}ของ{leave.person.full_name} ({days}): งานกลับไปยังผู้ลงนามในตำแหน่ง{leave.position.title}"


def _move_one(
    step_id: Any,
    process_id: int,
    *,
    leave_id: Any,
    direction: str,
    actor: Person,
    meta: RequestMeta | None,
    today: date,
) -> tuple[RouteStep, str] | None:
    """One step, under its memo's process lock; None when there is nothing (left) to do."""
    with _process_locked(process_id):
        current = RouteStep.objects.select_related("task", "position", "memo", "assignee").get(pk=step_id)
        leave = Leave.objects.select_related("person", "acting_person", "position").get(pk=leave_id)
        if current.state != StepState.ACTIVE or current.position_id != leave.position_id:
            return None
        if direction == AWAY:
            if not _in_force(leave, today) or current.assignee_id != leave.person_id:
                return None
            assignee, capacity = leave.acting_person, leave.capacity
        else:
            if not _over(leave, today) or current.assignee_id != leave.acting_person_id:
                return None
            if current.capacity != leave.capacity:
                return None
            try:
                signatory = signatory_for(position=leave.position)
            except NoSignatory as error:
                return current, _kept(current, leave, actor, meta, str(error.message))
            if signatory.person.pk == leave.acting_person_id:
                return None
            assignee, capacity = signatory.person, signatory.capacity or ""
        memo = current.memo
        try:
            _check_assignee(step=current, memo=memo, assignee=assignee)
        except ValidationFailed as error:
            return current, _kept(current, leave, actor, meta, str(error.message), assignee=assignee)
        moved = _move(
            current,
            memo,
            assignee=assignee,
            actor=actor,
            reason=_reason(leave, direction),
            capacity=capacity,
        )
        _audit("step.leave_moved", memo, actor, meta, leave=str(leave.pk), **moved)
        return current, ""


def _kept(
    step: RouteStep,
    leave: Leave,
    actor: Person,
    meta: RequestMeta | None,
    why: str,
    *,
    assignee: Person | None = None,
) -> str:
    """A step the leave would move but may not: it stays, and the memo's history says why."""
    _audit(
        "step.leave_not_moved",
        step.memo,
        actor,
        meta,
        step=step.order,
        round=step.round,
        position=step.position.title,
        assignee=step.assignee.username if step.assignee else None,
        would_go_to=assignee.username if assignee else None,
        leave=str(leave.pk),
        why=why,
    )
    return why


def leave_steps_daily(*, today: date | None = None) -> dict[str, int]:
    """The daily job's work (workflow.tasks_leave): every leave in force today, and every ended or cancelled
    one whose steps have not gone back yet. Safe to run twice: each move checks its step again under the
    memo's lock, and an ended leave is marked once its steps are back."""
    today = today or bangkok_day(None)
    totals = {"leaves": 0, "moved": 0, "kept": 0, "busy": 0}
    in_force = Leave.objects.filter(state=LeaveState.APPROVED, starts_on__lte=today, ends_on__gte=today)
    over = Leave.objects.filter(steps_returned_on__isnull=True, decided_at__isnull=False).filter(
        Q(state=LeaveState.APPROVED, ends_on__lt=today) | Q(state=LeaveState.CANCELLED)
    )
    for leave in [*in_force.select_related("decided_by"), *over.select_related("decided_by")]:
        result = leave_steps_sync(leave=leave, today=today)
        totals["leaves"] += 1
        totals["moved"] += len(result.moved)
        totals["kept"] += len(result.kept)
        totals["busy"] += result.busy
    return totals
