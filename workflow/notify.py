"""Who is told what when a memo moves (issue 13): the workflow's services call these inside the transaction
of the change; notifications.services.notify writes the rows and feeds the channels.

Recipients, as the issue asks: the person a step reaches; the writer when their memo is signed at a step,
returned (with the reason), rejected (with the reason, also to everyone who signed it before), completed and
archived; both people of a reassignment. Nobody is told of their own action."""

from typing import Any

from core.batch import Batch
from core.errors import NoSignatory
from memos.models import Memo
from notifications.models import Kind
from notifications.services import Notice, notify, notify_all
from org.models import Leave, LeaveState, Person
from org.selectors import signatory_for
from workflow.models import RouteStep, StepRole, StepState


def _step_params(step: RouteStep) -> dict[str, Any]:
    return {
        "step": step.order,
        "round": step.round,
        "role": step.role,
        "position": step.position.title,
        "capacity": step.capacity,
    }


def step_waiting(step: RouteStep, memo: Memo, *, actor: Person | None = None) -> None:
    """A step reached its assignee (a writer's step after a return is told by `returned`)."""
    if step.assignee_id is None or step.role == StepRole.WRITER:
        return
    notify(
        kind=Kind.STEP_WAITING, memo=memo, recipients=[step.assignee_id], actor=actor, **_step_params(step)
    )


def _waiting_notices(step: RouteStep, memo: Memo, actor: Person | None) -> list[Notice]:
    if step.assignee_id is None or step.role == StepRole.WRITER:
        return []
    return [Notice(Kind.STEP_WAITING, memo, [step.assignee_id], actor, _step_params(step))]


def step_signed(
    step: RouteStep, memo: Memo, *, following: RouteStep, actor: Person, batch: Batch | None = None
) -> None:
    """The writer hears their memo was signed at a step, and the next step's assignee that it waits for
    them: one INSERT for both, sent with `batch`'s writes when given (the approve's statement budget,
    workflow/tests/test_queries.py)."""
    notify_all(
        [
            Notice(
                Kind.STEP_SIGNED,
                memo,
                [memo.writer_id],
                actor,
                {"decision": step.decision, **_step_params(step)},
            ),
            *_waiting_notices(following, memo, actor),
        ],
        batch=batch,
    )


def withdrawn(step: RouteStep, memo: Memo, *, actor: Person, reason: str) -> None:
    """The writer withdrew a memo in review: the signatory it waited for hears why it left their queue."""
    if step.assignee_id is None:
        return
    notify(
        kind=Kind.WITHDRAWN,
        memo=memo,
        recipients=[step.assignee_id],
        actor=actor,
        reason=reason,
        **_step_params(step),
    )


def completed(step: RouteStep, memo: Memo, *, actor: Person) -> None:
    notify(
        kind=Kind.COMPLETED,
        memo=memo,
        recipients=[memo.writer_id],
        actor=actor,
        decision=step.decision,
        decision_text=step.decision_text,
        **_step_params(step),
    )


def returned(step: RouteStep, memo: Memo, *, actor: Person) -> None:
    notify(
        kind=Kind.RETURNED,
        memo=memo,
        recipients=[memo.writer_id],
        actor=actor,
        reason=step.reason,
        **_step_params(step),
    )


def rejected(step: RouteStep, memo: Memo, *, actor: Person) -> None:
    """To the writer and to everyone who signed the memo before (any round), with the reason."""
    signers = RouteStep.objects.filter(memo_id=memo.pk, state=StepState.SIGNED, order__gt=0).values_list(
        "assignee_id", flat=True
    )
    notify(
        kind=Kind.REJECTED,
        memo=memo,
        recipients=[memo.writer_id, *signers],
        actor=actor,
        reason=step.reason,
        **_step_params(step),
    )


def archived(memo: Memo) -> None:
    notify(kind=Kind.ARCHIVED, memo=memo, recipients=[memo.writer_id], actor=None)


def reassigned(step: RouteStep, memo: Memo, *, previous: Person | None, actor: Person, reason: str) -> None:
    params = {**_step_params(step), "reason": reason}
    notify(kind=Kind.REASSIGNED_TO, memo=memo, recipients=[step.assignee_id], actor=actor, **params)
    notify(
        kind=Kind.REASSIGNED_FROM,
        memo=memo,
        recipients=[previous.pk if previous else None],
        actor=actor,
        **params,
    )


# Leave (ADR 0011) -------------------------------------------------------------------------------------------


def _leave_params(leave: Leave) -> dict[str, Any]:
    return {
        "leave": str(leave.pk),
        "person": leave.person.full_name,
        "position": leave.position.title,
        "acting": leave.acting_person.full_name,
        "acting_capacity": leave.capacity,
        "starts_on": leave.starts_on.isoformat(),
        "ends_on": leave.ends_on.isoformat(),
    }


def leave_requested(leave: Leave) -> None:
    """To whoever may decide it: the person who signs for the superior position now, or, for a position that
    reports to nobody (or a superior post nobody can sign for), the administrators."""
    deciders: list[Any] = []
    superior = leave.position.reports_to
    if superior is not None:
        try:
            deciders = [signatory_for(position=superior).person.pk]
        except NoSignatory:
            deciders = []
    if not deciders:
        deciders = list(
            Person.objects.filter(is_active=True, is_superuser=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    notify(
        kind=Kind.LEAVE_REQUESTED, memo=None, recipients=deciders, actor=leave.person, **_leave_params(leave)
    )


def leave_decided(leave: Leave) -> None:
    """The person hears the decision; on approval, the acting person hears what they will sign for."""
    actor = leave.decided_by
    params = _leave_params(leave)
    if leave.state == LeaveState.APPROVED:
        notify_all(
            [
                Notice(Kind.LEAVE_APPROVED, None, [leave.person_id], actor, params),
                Notice(Kind.LEAVE_ACTING, None, [leave.acting_person_id], actor, params),
            ]
        )
    elif leave.state == LeaveState.REFUSED:
        notify(
            kind=Kind.LEAVE_REFUSED,
            memo=None,
            recipients=[leave.person_id],
            actor=actor,
            reason=leave.refusal_reason,
            **params,
        )
