"""An administrator moves an active step (or one waiting for assignment) to another person."""

from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from core.audit import RequestMeta
from core.errors import Forbidden, InvalidState, ValidationFailed
from org.models import Person
from workflow.models import RouteStep, StepReassignment, StepState
from workflow.services._common import _audit, _process_locked, _required_reason
from workflow.services._flow import _notify_activated


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
    memo = step.memo
    if memo.process_id is None:
        raise InvalidState()
    with _process_locked(memo.process_id):
        current = RouteStep.objects.select_related("task", "position").get(pk=step.pk)
        if current.state != StepState.ACTIVE:
            raise InvalidState(_("Only the active step can be reassigned."))
        previous = current.assignee
        StepReassignment.objects.create(
            step=current, previous_assignee=previous, new_assignee=assignee, reason=reason, actor=actor
        )
        current.assignee = assignee
        current.capacity = capacity
        current.save(update_fields=["assignee", "capacity"])
        _notify_activated(current)
        task = current.task
        if task is not None:
            activation = task.flow_task.activation_class(task)
            if task.status == STATUS.NEW:
                activation.assign(assignee)
            else:
                activation.reassign(assignee)
        _audit(
            "step.reassigned",
            memo,
            actor,
            meta,
            step=current.order,
            round=current.round,
            position=current.position.title,
            previous=previous.username if previous else None,
            assignee=assignee.username,
            capacity=capacity,
            reason=reason,
        )
    return current
