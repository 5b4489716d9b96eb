"""An administrator moves an active step (or one waiting for assignment) to another person."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from core.audit import RequestMeta
from core.errors import Forbidden, InvalidState, ValidationFailed
from memos.models import Memo
from org.models import Person
from org.selectors import person_serves_in
from workflow import notify
from workflow.documents import memo_pdf_schedule
from workflow.models import RouteStep, StepReassignment, StepState
from workflow.search import memo_search_refresh
from workflow.services._common import _audit, _process_locked, _required_reason

CAPACITY_MAX = RouteStep._meta.get_field("capacity").max_length or 32


def _check_assignee(*, step: RouteStep, memo: Memo, assignee: Person) -> None:
    """Who may be given a step (ADR 0005): someone serving in the memo's organisation (a position, or an
    acting appointment in force), never its writer, never an auditor, never anyone who signed in this round.
    Checked under the process lock, so a signature made meanwhile counts."""
    from workflow.selectors import is_auditor

    refusal = None
    if assignee.pk == memo.writer_id:
        refusal = _("The writer of the memo cannot take a step of its route.")
    elif is_auditor(assignee):
        refusal = _("An auditor reads memos but never signs them.")
    elif not person_serves_in(person=assignee, organisation_id=memo.organisation_id):
        refusal = _("This person holds no position in the memo's organisation.")
    elif RouteStep.objects.filter(
        memo_id=memo.pk, round=step.round, state=StepState.SIGNED, assignee=assignee
    ).exists():
        refusal = _("This person has already signed in this round; nobody holds two steps of one round.")
    if refusal is not None:
        raise ValidationFailed(refusal, fields={"assignee": [refusal]})


def step_reassign(
    *,
    step: RouteStep,
    actor: Person,
    assignee: Person,
    reason: str,
    capacity: str = "",
    meta: RequestMeta | None = None,
) -> RouteStep:
    """An administrator moves an active step (or one waiting for assignment) to another person."""
    from workflow.selectors import is_administrator

    if not is_administrator(actor):
        raise Forbidden(_("Only an administrator can reassign a step."))
    reason = _required_reason(reason)
    if not assignee.is_active:
        raise ValidationFailed(fields={"assignee": [_("This account is disabled.")]})
    if capacity and len(capacity) > CAPACITY_MAX:
        raise ValidationFailed(fields={"capacity": [_("The capacity is too long.")]})
    memo = step.memo
    if memo.process_id is None:
        raise InvalidState()
    with _process_locked(memo.process_id):
        current = RouteStep.objects.select_related("task", "position").get(pk=step.pk)
        if current.state != StepState.ACTIVE:
            raise InvalidState(_("Only the active step can be reassigned."))
        _check_assignee(step=current, memo=memo, assignee=assignee)
        moved = _move(current, memo, assignee=assignee, actor=actor, reason=reason, capacity=capacity)
        _audit("step.reassigned", memo, actor, meta, **moved)
    return current


def _move(
    current: RouteStep, memo: Memo, *, assignee: Person, actor: Person, reason: str, capacity: str
) -> dict[str, Any]:
    """Move the active step `current` (locked under the memo's process lock, its assignee checked) to
    `assignee`: the reassignment row, the step, the notices, the viewflow task. Shared by the administrator's
    reassignment and the moves of leave (workflow/services/leave.py); each writes its own audit event with
    the data returned."""
    previous = current.assignee
    StepReassignment.objects.create(
        step=current, previous_assignee=previous, new_assignee=assignee, reason=reason, actor=actor
    )
    current.assignee = assignee
    current.capacity = capacity
    current.save(update_fields=["assignee", "capacity"])
    notify.reassigned(current, memo, previous=previous, actor=actor, reason=reason)
    memo_search_refresh(memo_id=memo.pk)  # the new assignee's name
    memo_pdf_schedule(memo=memo)
    task = current.task
    if task is not None:
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(assignee)
        else:
            activation.reassign(assignee)
    return {
        "step": current.order,
        "round": current.round,
        "position": current.position.title,
        "previous": previous.username if previous else None,
        "assignee": assignee.username,
        "capacity": capacity,
        "reason": reason,
    }
