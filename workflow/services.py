"""Every routing action: one service each, owning its transaction, its lock, its audit event.

Locks: actions on a memo in its route take the viewflow process row first (MemoFlow.lock, select_for_update);
those that also rewrite the memo row (resubmit, return, withdraw) then lock the memo row. Approve and reject
update the memo's status only through django-fsm-2's guarded UPDATE (… WHERE status = 'in_review') while holding
the process lock. Actions before a memo has a process (draft edits, first submit) lock the memo row only.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from core.audit import RequestMeta, audit_event_append
from core.errors import (
    AlreadyDone,
    Busy,
    Forbidden,
    InvalidState,
    NoSignatory,
    NotYourTask,
    ValidationFailed,
)
from core.thai import bangkok_date
from memos import services as memo_services
from memos.attachments import inspect_upload
from memos.models import EDITABLE_STATUSES, Enclosure, Memo, MemoStatus
from org import services as org_services
from org.models import Person, Position
from org.selectors import Signatory, acting_annotations, signatory_for, signatory_from_annotations
from signatures.models import Signature, SignatureMethod
from workflow.flows import (
    OUTCOME_COMPLETED,
    OUTCOME_NEXT,
    OUTCOME_REJECTED,
    OUTCOME_RETURNED,
    MemoFlow,
)
from workflow.models import (
    ROUTE_ROLES,
    Decision,
    MemoProcess,
    RouteStep,
    RouteTemplate,
    StepReassignment,
    StepRole,
    StepState,
    TemplateSlot,
)

MAX_ROUTE_STEPS = 20
MAX_OPINION = 20_000


# Transactions and locks -------------------------------------------------------------------------------------


def _ensure_outermost() -> None:
    """What atomic(durable=True) checks: a service is never nested inside another transaction (test cases'
    wrapping transactions excepted)."""
    blocks = getattr(connection, "atomic_blocks", [])
    if connection.in_atomic_block and blocks and not getattr(blocks[-1], "_from_testcase", False):
        raise RuntimeError("A memoflow service must not run inside another transaction.")


@contextmanager
def _process_locked(process_pk: int) -> Iterator[None]:
    """The flow's select_for_update lock on the process row, as the service's own (outermost) transaction."""
    _ensure_outermost()
    try:
        with MemoFlow.lock(process_pk):
            yield
    except FlowLockFailed as exc:
        raise Busy() from exc
    except ConcurrentTransition as exc:
        raise AlreadyDone() from exc


@contextmanager
def _memo_locked(memo_id: Any) -> Iterator[Memo]:
    with transaction.atomic(durable=True):
        yield (
            Memo.objects.select_for_update(of=("self",))
            .select_related("organisation", "unit")
            .get(pk=memo_id)
        )


def _check_password(actor: Person, password: str | None, meta: RequestMeta | None = None) -> None:
    """Step-up: the actor types their password again for anything that signs; checked before any change."""
    org_services.signing_password_check(actor=actor, password=password, meta=meta)


def _audit(action: str, obj: Any, actor: Person, meta: RequestMeta | None, **data: Any) -> None:
    audit_event_append(action=action, obj=obj, actor=actor, data=data, meta=meta)


# Routes -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStep:
    role: str
    position: Position


def _head_of_top_unit(position: Position) -> Position | None:
    if position.unit is None:
        return None
    top = position.unit.top_level()
    return Position.objects.filter(unit=top, is_head_of_unit=True).first()


def route_plan_for(*, writer_position: Position) -> list[PlannedStep]:
    """The route a new memo starts with: its unit's template (nearest unit up the tree), else the
    organisation's default template, else the chain of `reports_to` above the head of the writer's top-level
    unit (cosign, then opinions, the last one deciding) — which is the seed's chain for อบต.หนองโสน."""
    units = [writer_position.unit, *writer_position.unit.ancestors()] if writer_position.unit else []
    templates = {
        t.unit_id: t
        for t in RouteTemplate.objects.filter(
            organisation_id=writer_position.organisation_id
        ).prefetch_related("steps__position")
    }
    template = next((templates[u.pk] for u in units if u.pk in templates), templates.get(None))
    planned: list[PlannedStep] = []
    if template is not None:
        for t_step in template.steps.all():
            position = (
                _head_of_top_unit(writer_position)
                if t_step.slot == TemplateSlot.WRITER_UNIT_HEAD
                else t_step.position
            )
            if position is not None:
                planned.append(PlannedStep(role=t_step.role, position=position))
    else:
        chain: list[Position] = []
        current = _head_of_top_unit(writer_position) or writer_position.reports_to
        while current is not None and current not in chain:
            chain.append(current)
            current = current.reports_to
        for index, position in enumerate(chain):
            role = (
                StepRole.DECISION
                if index == len(chain) - 1
                else StepRole.COSIGN
                if index == 0
                else StepRole.OPINION
            )
            planned.append(PlannedStep(role=role, position=position))
    # Nobody co-signs their own memo: a step for the writer's own position is dropped.
    return [p for p in planned if p.position.pk != writer_position.pk]


def _validate_route(*, memo: Memo, planned: list[PlannedStep]) -> None:
    errors: list[Any] = []
    if not planned:
        errors.append(_("The route needs at least one step, ending with the decision."))
    if len(planned) > MAX_ROUTE_STEPS:
        errors.append(_("A route may have at most %(max)s steps.") % {"max": MAX_ROUTE_STEPS})
    roles = [p.role for p in planned]
    if any(role not in ROUTE_ROLES for role in roles):
        errors.append(_("Each step's role must be cosign, opinion or decision."))
    if roles.count(StepRole.DECISION) != 1 or (roles and roles[-1] != StepRole.DECISION):
        errors.append(_("The route must have exactly one decision step, and it must be the last."))
    positions = [p.position.pk for p in planned]
    if len(set(positions)) != len(positions):
        errors.append(_("A position can appear only once in a route."))
    if memo.writer_position_id in positions:
        errors.append(_("The writer's own position cannot be a step of the route."))
    if any(p.position.organisation_id != memo.organisation_id for p in planned):
        errors.append(_("Every position must belong to the memo's organisation."))
    if errors:
        raise ValidationFailed(errors[0], fields={"route": errors})


def _steps_from_plan(*, memo: Memo, round_: int, planned: list[PlannedStep]) -> list[RouteStep]:
    writer = RouteStep(memo=memo, round=round_, order=0, role=StepRole.WRITER, position=memo.writer_position)
    rest = [
        RouteStep(memo=memo, round=round_, order=index, role=p.role, position=p.position)
        for index, p in enumerate(planned, start=1)
    ]
    return [writer, *rest]


def _route_round(memo: Memo) -> int:
    """The round whose steps are the memo's route now: the latest one."""
    latest = RouteStep.objects.filter(memo=memo).order_by("-round").values_list("round", flat=True).first()
    return latest or 1


def _route_snapshot(steps: list[RouteStep]) -> list[dict[str, Any]]:
    return [
        {"order": s.order, "role": s.role, "position_id": str(s.position_id), "position": s.position.title}
        for s in steps
    ]


# Drafts -----------------------------------------------------------------------------------------------------


def memo_create(
    *,
    writer: Person,
    subject: str,
    body: str,
    addressee: str | None = None,
    department: str | None = None,
    urgency: str | None = None,
    writer_position: Position | None = None,
    meta: RequestMeta | None = None,
) -> Memo:
    """A new draft, in the writer's position and unit, with the route copied from its template."""
    if writer_position is None:
        writer_position = (
            Position.objects.select_related("unit", "organisation").filter(holder=writer).first()
        )
    elif writer_position.holder_id != writer.pk:
        raise Forbidden(_("You can only write a memo in a position you hold."))
    if writer_position is None:
        raise ValidationFailed(_("You hold no position, so you cannot write a memo."))
    cleaned = memo_services.clean_content(
        subject=subject, body=body, addressee=addressee, department=department, urgency=urgency
    )
    unit = writer_position.unit
    memo = Memo(
        organisation=writer_position.organisation,
        writer=writer,
        writer_position=writer_position,
        unit=unit,
        department=cleaned.get("department")
        or memo_services.default_department(memo_unit=unit, organisation=writer_position.organisation),
        subject=cleaned["subject"],
        body=cleaned["body"],
        addressee=cleaned.get("addressee", ""),
        urgency=cleaned.get("urgency") or "normal",
    )
    planned = route_plan_for(writer_position=writer_position)
    with transaction.atomic(durable=True):
        memo.save()
        RouteStep.objects.bulk_create(_steps_from_plan(memo=memo, round_=1, planned=planned))
        _audit("memo.created", memo, writer, meta, subject=memo.subject)
    return memo


def _require_writer_and_editable(memo: Memo, actor: Person) -> None:
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can change this memo."))
    if memo.status not in EDITABLE_STATUSES:
        raise InvalidState(_("The memo can be changed only while it is a draft or returned for revision."))


def memo_update(*, memo: Memo, actor: Person, meta: RequestMeta | None = None, **changes: Any) -> Memo:
    allowed = {"subject", "body", "addressee", "department", "urgency"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)}
        )
    cleaned = memo_services.clean_content(**changes)
    with _memo_locked(memo.pk) as locked:
        _require_writer_and_editable(locked, actor)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*cleaned, "updated_at"])
        _audit("memo.changed", locked, actor, meta, fields=sorted(cleaned))
    return locked


def memo_route_set(
    *, memo: Memo, actor: Person, steps: list[tuple[Position, str]], meta: RequestMeta | None = None
) -> list[RouteStep]:
    """Replace the route after the writer (add, remove, reorder positions) while draft or returned."""
    planned = [PlannedStep(role=role, position=position) for position, role in steps]
    with _memo_locked(memo.pk) as locked:
        _require_writer_and_editable(locked, actor)
        _validate_route(memo=locked, planned=planned)
        round_ = _route_round(locked)
        RouteStep.objects.filter(memo=locked, round=round_, order__gt=0).delete()
        created = RouteStep.objects.bulk_create(
            _steps_from_plan(memo=locked, round_=round_, planned=planned)[1:]
        )
        _audit(
            "memo.route_changed",
            locked,
            actor,
            meta,
            route=[{"role": p.role, "position": p.position.title} for p in planned],
        )
    return created


def enclosure_add(
    *, memo: Memo, actor: Person, title: str, upload: Any, meta: RequestMeta | None = None
) -> Enclosure:
    """Attach a PDF, PNG or JPEG; refused files leave nothing behind, on disk or in the database."""
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can change this memo."))
    inspected = inspect_upload(
        upload,
        filename=getattr(upload, "name", ""),
        declared_content_type=getattr(upload, "content_type", None),
    )
    stored: Enclosure | None = None
    try:
        with _memo_locked(memo.pk) as locked:
            _require_writer_and_editable(locked, actor)
            stored = memo_services.enclosure_store(
                memo=locked, title=title, upload=upload, inspected=inspected
            )
            _audit("memo.enclosure_added", locked, actor, meta, title=stored.title, sha256=stored.sha256)
    except BaseException:
        if stored is not None and stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise
    return stored


# Submitting -------------------------------------------------------------------------------------------------


def _resolve(step: RouteStep, at: Any) -> Signatory | None:
    """The step's signatory now, or None: the step then waits for an administrator to assign someone."""
    try:
        if hasattr(step, "acting_person_id"):  # resolved in the query that loaded the step
            return signatory_from_annotations(
                position=step.position,
                acting_person_id=getattr(step, "acting_person_id", None),
                acting_capacity=getattr(step, "acting_capacity", None),
            )
        return signatory_for(position=step.position, at=at)
    except NoSignatory:
        return None


def _enqueue_archive(memo: Memo) -> None:
    """The final PDF is rendered and archived by the worker; enqueued in the transaction that completes."""
    from workflow.tasks import archive_memo

    archive_memo.enqueue(str(memo.pk))


def _notify_activated(step: RouteStep) -> None:
    """Tell the new assignee, by a job enqueued in this same transaction (it exists only if the change
    commits); a step waiting for assignment notifies nobody."""
    from workflow.tasks import notify_step_assignee

    if step.assignee_id is not None:
        notify_step_assignee.enqueue(str(step.pk))


def _activate(step: RouteStep, signatory: Signatory | None, now: Any) -> None:
    step.state = StepState.ACTIVE
    step.activated_at = now
    step.assignee = signatory.person if signatory else None
    step.capacity = (signatory.capacity or "") if signatory else ""


def memo_submit(*, memo: Memo, actor: Person, password: str | None, meta: RequestMeta | None = None) -> Memo:
    """The writer signs and sends the memo on its route: the first time it takes a number from the unit's
    register and the date; after a return, a new revision starts the route again from the first step after
    the writer, and the number stays."""
    _check_password(actor, password, meta)
    process_pk = Memo.objects.filter(pk=memo.pk).values_list("process_id", flat=True).first()
    if process_pk is None:
        with _memo_locked(memo.pk) as locked:
            return _submit_locked(locked, actor, meta)
    with _process_locked(process_pk):
        locked = (
            Memo.objects.select_for_update(of=("self",))
            .select_related("organisation", "unit")
            .get(pk=memo.pk)
        )
        return _submit_locked(locked, actor, meta)


def _submit_locked(memo: Memo, actor: Person, meta: RequestMeta | None) -> Memo:
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can submit this memo."))
    if memo.status not in EDITABLE_STATUSES:
        raise InvalidState(_("Only a draft or a returned memo can be submitted."))
    round_ = _route_round(memo)
    steps = list(
        RouteStep.objects.filter(memo=memo, round=round_).select_related("position").order_by("order")
    )
    _validate_route(memo=memo, planned=[PlannedStep(role=s.role, position=s.position) for s in steps[1:]])
    now = timezone.now()
    first_time = not memo.number
    if first_time:
        memo.number, memo.register_year, memo.sequence = memo_services.register_take_number(
            memo=memo, day=bangkok_date(now)
        )
        memo.date = bangkok_date(now)
    if not memo.addressee:
        memo.addressee = steps[-1].position.title
    revision = memo_services.revision_create(memo=memo, route=_route_snapshot(steps), actor=actor)
    memo.submit()
    memo.status_changed_at = now
    memo.save(
        update_fields=[
            "status",
            "status_changed_at",
            "updated_at",
            "number",
            "register_year",
            "sequence",
            "date",
            "addressee",
            "revision",
            "current_revision",
        ]
    )

    writer_step, first = steps[0], steps[1]
    writer_step.state = StepState.SIGNED
    writer_step.assignee = actor
    writer_step.activated_at = writer_step.activated_at or now
    writer_step.acted_at = now
    Signature.objects.create(
        memo=memo,
        step=writer_step,
        revision=revision,
        revision_sha256=revision.sha256,
        signer=actor,
        position=memo.writer_position,
        capacity="",
        signed_at=now,
        method=SignatureMethod.PASSWORD,
        ip_address=meta.ip_address if meta else None,
        user_agent=meta.user_agent if meta else "",
    )
    signatory = _resolve(first, now)
    _activate(first, signatory, now)

    if memo.process_id is None:
        process = _start_process(memo, signatory)
    else:
        process = MemoProcess.objects.get(pk=memo.process_id)
        revise = writer_step.task
        assert revise is not None, "a returned memo has a revise task"
        process.pending_assignee = signatory.person if signatory else None
        _execute(revise, process, outcome=OUTCOME_NEXT)
    first.task = process.created_task
    # Writer first: the database allows one active step per memo at every moment.
    writer_step.save(update_fields=["state", "assignee", "activated_at", "acted_at"])
    first.save(update_fields=["state", "assignee", "activated_at", "capacity", "task"])
    _notify_activated(first)
    _audit(
        "memo.submitted",
        memo,
        actor,
        meta,
        number=memo.number,
        revision=revision.number,
        revision_sha256=revision.sha256,
        position=memo.writer_position.title,
        next_position=first.position.title,
        next_assignee=signatory.person.username if signatory else None,
    )
    return memo


def _start_process(memo: Memo, signatory: Signatory | None) -> MemoProcess:
    process: MemoProcess = MemoFlow.start.run(
        assignee=signatory.person if signatory else None, _process_data={"memo": str(memo.pk)}
    )
    Memo.objects.filter(pk=memo.pk).update(process=process)
    memo.process = process
    return process


def _execute(task: Any, process: MemoProcess, *, outcome: str) -> None:
    """Complete a human task from code (viewflow's views are not used) and create the next one."""
    task.process = process
    activation = task.flow_task.activation_class(task)
    activation.process = process
    task.data = {**(task.data or {}), "outcome": outcome}
    activation.start(None)
    activation.execute()


# Acting on a step -------------------------------------------------------------------------------------------


@dataclass
class _StepContext:
    memo: Memo
    steps: list[RouteStep]
    current: RouteStep
    now: Any


@contextmanager
def _acting_on(*, step: RouteStep, actor: Person) -> Iterator[_StepContext]:
    """Lock the memo's process, re-read its current round, and check the actor may act on `step` now."""
    memo = step.memo
    if memo.process_id is None:
        raise InvalidState()
    with _process_locked(memo.process_id):
        now = timezone.now()
        steps = list(
            RouteStep.objects.filter(memo_id=memo.pk, round=step.round)
            .select_related("position__holder", "task__process", "assignee")
            .annotate(**acting_annotations(position_field="position", at=now))
            .order_by("order")
        )
        current = next(s for s in steps if s.pk == step.pk)
        if current.role == StepRole.WRITER:
            raise InvalidState(_("A returned memo goes back on its route when the writer submits it again."))
        if current.state != StepState.ACTIVE:
            if current.state in (StepState.SIGNED, StepState.RETURNED, StepState.REJECTED):
                raise AlreadyDone()
            raise InvalidState(_("This step is not waiting for anyone to act on it."))
        if current.assignee_id != actor.pk:
            raise NotYourTask()
        yield _StepContext(memo=memo, steps=steps, current=current, now=now)


def _sign(ctx: _StepContext, actor: Person, meta: RequestMeta | None) -> Signature:
    revision = ctx.memo.current_revision
    assert revision is not None
    return Signature.objects.create(
        memo_id=ctx.memo.pk,
        step=ctx.current,
        revision=revision,
        revision_sha256=revision.sha256,
        signer=actor,
        position=ctx.current.position,
        capacity=ctx.current.capacity,
        signed_at=ctx.now,
        method=SignatureMethod.PASSWORD,
        ip_address=meta.ip_address if meta else None,
        user_agent=meta.user_agent if meta else "",
    )


def _clean_decision(
    role: str, opinion: str, decision: str | None, decision_text: str | None
) -> tuple[str, str]:
    errors: dict[str, list[Any]] = {}
    if len(opinion) > MAX_OPINION:
        errors["opinion"] = [_("The opinion is longer than %(max)s characters.") % {"max": MAX_OPINION}]
    if role == StepRole.OPINION and not opinion.strip():
        errors["opinion"] = [_("Write your opinion (ความเห็น) before signing.")]
    decision = decision or ""
    decision_text = (decision_text or "").strip()
    if role == StepRole.DECISION:
        if decision not in Decision.values:
            errors["decision"] = [_("Choose acknowledged, approved, not_approved or other.")]
        elif decision == Decision.OTHER and not decision_text:
            errors["decision_text"] = [_("Write the order (ข้อสั่งการ), for example มอบกองคลังดำเนินการ.")]
    elif decision or decision_text:
        errors["decision"] = [_("Only the last step of the route decides.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return decision, decision_text


def step_approve(
    *,
    step: RouteStep,
    actor: Person,
    password: str | None,
    opinion: str = "",
    decision: str | None = None,
    decision_text: str | None = None,
    meta: RequestMeta | None = None,
) -> RouteStep:
    """Sign the active step (with an opinion, or the decision on the last step); the next step activates,
    or after the last one the memo is completed."""
    _check_password(actor, password, meta)
    opinion = memo_services._nfc(opinion or "").strip()
    decision, decision_text = _clean_decision(step.role, opinion, decision, decision_text)
    with _acting_on(step=step, actor=actor) as ctx:
        current = ctx.current
        current.state = StepState.SIGNED
        current.acted_at = ctx.now
        current.opinion = opinion
        current.decision = decision
        current.decision_text = decision_text
        _sign(ctx, actor, meta)
        later = [s for s in ctx.steps if s.order > current.order]
        process = current.task.process if current.task else None
        assert process is not None
        assert current.task is not None
        if later:
            following = later[0]
            signatory = _resolve(following, ctx.now)
            _activate(following, signatory, ctx.now)
            process.pending_assignee = signatory.person if signatory else None
            _execute(current.task, process, outcome=OUTCOME_NEXT)
            following.task = process.created_task
            # Two statements, in this order: the database allows one active step per memo at every moment.
            current.save(update_fields=["state", "acted_at", "opinion", "decision", "decision_text"])
            following.save(update_fields=["state", "assignee", "activated_at", "capacity", "task"])
            _notify_activated(following)
        else:
            current.save(update_fields=["state", "acted_at", "opinion", "decision", "decision_text"])
            _execute(current.task, process, outcome=OUTCOME_COMPLETED)
            memo = ctx.memo
            memo.complete()
            memo.status_changed_at = ctx.now
            memo.save(update_fields=["status", "status_changed_at", "updated_at"])
            _enqueue_archive(memo)
        _audit(
            "step.approved",
            ctx.memo,
            actor,
            meta,
            step=current.order,
            round=current.round,
            role=current.role,
            position=current.position.title,
            capacity=current.capacity,
            decision=decision,
            revision_sha256=ctx.memo.current_revision.sha256 if ctx.memo.current_revision else None,
        )
    return current


def step_return(
    *, step: RouteStep, actor: Person, password: str | None, reason: str, meta: RequestMeta | None = None
) -> RouteStep:
    """Send the memo back to the writer for revision. The signatures so far stay, bound to their revision."""
    _check_password(actor, password, meta)
    reason = _required_reason(reason)
    with _acting_on(step=step, actor=actor) as ctx:
        current = ctx.current
        _close_round(ctx, state=StepState.RETURNED, reason=reason)
        memo = Memo.objects.select_for_update().get(pk=ctx.memo.pk)
        memo.return_for_revision()
        memo.status_changed_at = ctx.now
        memo.save(update_fields=["status", "status_changed_at", "updated_at"])
        # The next round's route starts as a copy of this one; the writer may edit it before resubmitting.
        next_round = _steps_from_plan(
            memo=memo,
            round_=current.round + 1,
            planned=[PlannedStep(role=s.role, position=s.position) for s in ctx.steps[1:]],
        )
        process = current.task.process if current.task else None
        assert process is not None
        assert current.task is not None
        process.pending_assignee = memo.writer
        _execute(current.task, process, outcome=OUTCOME_RETURNED)
        writer_step = next_round[0]
        writer_step.task = process.created_task
        writer_step.assignee = memo.writer
        writer_step.state = StepState.ACTIVE  # the writer's turn: revise and submit again
        writer_step.activated_at = ctx.now
        RouteStep.objects.bulk_create(next_round)
        _notify_activated(writer_step)
        _audit(
            "step.returned",
            memo,
            actor,
            meta,
            step=current.order,
            round=current.round,
            position=current.position.title,
            capacity=current.capacity,
            reason=reason,
        )
    return current


def step_reject(
    *, step: RouteStep, actor: Person, password: str | None, reason: str, meta: RequestMeta | None = None
) -> RouteStep:
    """End the memo here (terminal)."""
    _check_password(actor, password, meta)
    reason = _required_reason(reason)
    with _acting_on(step=step, actor=actor) as ctx:
        current = ctx.current
        _close_round(ctx, state=StepState.REJECTED, reason=reason)
        memo = ctx.memo
        process = current.task.process if current.task else None
        assert process is not None
        assert current.task is not None
        _execute(current.task, process, outcome=OUTCOME_REJECTED)
        memo.reject()
        memo.status_changed_at = ctx.now
        memo.save(update_fields=["status", "status_changed_at", "updated_at"])
        _audit(
            "step.rejected",
            memo,
            actor,
            meta,
            step=current.order,
            round=current.round,
            position=current.position.title,
            capacity=current.capacity,
            reason=reason,
        )
    return current


def _required_reason(reason: str | None) -> str:
    reason = memo_services._nfc(reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason, so the writer knows what to change.")]})
    if len(reason) > MAX_OPINION:
        raise ValidationFailed(fields={"reason": [_("The reason is too long.")]})
    return reason


def _close_round(ctx: _StepContext, *, state: str, reason: str) -> None:
    current = ctx.current
    current.state = state
    current.acted_at = ctx.now
    current.reason = reason
    current.save(update_fields=["state", "acted_at", "reason"])
    RouteStep.objects.filter(memo_id=ctx.memo.pk, round=current.round, state=StepState.WAITING).update(
        state=StepState.SKIPPED
    )


# Withdraw and reassign --------------------------------------------------------------------------------------


def memo_withdraw(*, memo: Memo, actor: Person, reason: str = "", meta: RequestMeta | None = None) -> Memo:
    """ถอนเรื่อง by the writer: from draft or returned, or in review while nobody after the writer has acted."""
    process_pk = Memo.objects.filter(pk=memo.pk).values_list("process_id", flat=True).first()
    if process_pk is None:
        with _memo_locked(memo.pk) as locked:
            return _withdraw_locked(locked, actor, reason, meta)
    with _process_locked(process_pk):
        locked = Memo.objects.select_for_update().get(pk=memo.pk)
        return _withdraw_locked(locked, actor, reason, meta)


def _withdraw_locked(memo: Memo, actor: Person, reason: str, meta: RequestMeta | None) -> Memo:
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can withdraw this memo."))
    if memo.status not in (MemoStatus.DRAFT, MemoStatus.RETURNED, MemoStatus.IN_REVIEW):
        raise InvalidState(_("This memo can no longer be withdrawn."))
    round_ = _route_round(memo)
    if memo.status == MemoStatus.IN_REVIEW:
        acted = RouteStep.objects.filter(
            memo=memo, round=round_, order__gt=0, acted_at__isnull=False
        ).exists()
        if acted:
            raise InvalidState(
                _("Someone after you has already acted on this memo; it can no longer be withdrawn.")
            )
    if memo.process_id is not None:
        process = MemoProcess.objects.get(pk=memo.process_id)
        MemoFlow.instance.cancel(process)
    RouteStep.objects.filter(memo=memo, round=round_, state__in=[StepState.WAITING, StepState.ACTIVE]).update(
        state=StepState.SKIPPED
    )
    memo.withdraw()
    memo.status_changed_at = timezone.now()
    memo.save(update_fields=["status", "status_changed_at", "updated_at"])
    _audit("memo.withdrawn", memo, actor, meta, number=memo.number, reason=memo_services._nfc(reason).strip())
    return memo


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


def enclosure_add_table(
    *, memo: Memo, actor: Person, title: str, table: dict[str, Any], meta: RequestMeta | None = None
) -> Enclosure:
    """Attach a report table kept as structured rows (rendered to landscape pages with the memo's PDF)."""
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can change this memo."))
    columns, rows = table.get("columns"), table.get("rows")
    if not isinstance(columns, list) or not isinstance(rows, list) or not columns:
        raise ValidationFailed(fields={"table": [_("A table needs a list of columns and a list of rows.")]})
    if any(not isinstance(row, list) or len(row) != len(columns) for row in rows):
        raise ValidationFailed(fields={"table": [_("Every row must have one cell per column.")]})
    with _memo_locked(memo.pk) as locked:
        _require_writer_and_editable(locked, actor)
        enclosure = memo_services.enclosure_store_table(memo=locked, title=title, table=table)
        _audit("memo.enclosure_added", locked, actor, meta, title=enclosure.title, table_rows=len(rows))
    return enclosure


def route_template_save(
    *,
    organisation: Any,
    name: str,
    steps: list[tuple[str, str, Position | None]],
    unit: Any = None,
    template: RouteTemplate | None = None,
    actor: Person | None = None,
) -> RouteTemplate:
    """Create or replace a route template (or update `template`): steps are (role, slot, position).
    Memos already created keep the route they copied."""
    from workflow.models import RouteTemplateStep

    if any(slot == TemplateSlot.POSITION and position is None for _role, slot, position in steps):
        raise ValidationFailed(fields={"steps": [_("Choose the position of each step.")]})
    if not steps or steps[-1][0] != StepRole.DECISION or [s[0] for s in steps].count(StepRole.DECISION) != 1:
        raise ValidationFailed(
            fields={"steps": [_("The route must have exactly one decision step, and it must be the last.")]}
        )
    with transaction.atomic(durable=True):
        if template is None:
            template, _created = RouteTemplate.objects.update_or_create(
                organisation=organisation, unit=unit, defaults={"name": name}
            )
        else:
            clash = RouteTemplate.objects.filter(organisation=organisation, unit=unit).exclude(pk=template.pk)
            if clash.exists():
                raise ValidationFailed(fields={"unit": [_("This unit already has a route template.")]})
            template.organisation, template.unit, template.name = organisation, unit, name
            template.save()
        template.steps.all().delete()
        RouteTemplateStep.objects.bulk_create(
            RouteTemplateStep(template=template, order=index, role=role, slot=slot, position=position)
            for index, (role, slot, position) in enumerate(steps, start=1)
        )
        audit_event_append(
            action="route_template.saved",
            obj=template,
            actor=actor,
            data={"steps": [{"role": r, "slot": s, "position": p.title if p else None} for r, s, p in steps]},
        )
    return template


# Archive ----------------------------------------------------------------------------------------------------


def memo_archive(*, memo_id: Any) -> Memo:
    """Render the completed memo's final PDF once, store it in the archive and mark the memo archived.

    Rendering happens outside any transaction (it takes a while and locks nothing); the file name carries
    the content's hash, so a retried job never meets a half-written or different file under its name. Run
    by the background worker (workflow.tasks.archive_memo), enqueued when the last step signs."""
    from memos import archive
    from workflow.pdf import archive_relative_name, render_memo_pdf

    memo = Memo.objects.select_related("organisation", "writer", "writer_position", "current_revision").get(
        pk=memo_id
    )
    if memo.status == MemoStatus.ARCHIVED:
        return memo
    if memo.status != MemoStatus.COMPLETED:
        raise InvalidState(_("Only a completed memo is archived."))
    content = render_memo_pdf(memo, final=True)
    digest = hashlib.sha256(content).hexdigest()
    base = archive_relative_name(memo)
    relative_name = f"{base.removesuffix('.pdf')}-{digest[:16]}.pdf"
    archive.store(relative_name=relative_name, content=content)
    with _memo_locked(memo.pk) as locked:
        if locked.status == MemoStatus.ARCHIVED:  # another worker finished first; ours is an orphan copy
            return locked
        locked.archive()
        now = timezone.now()
        locked.archive_file = relative_name
        locked.archive_sha256 = digest
        locked.archived_at = now
        locked.status_changed_at = now
        locked.save(
            update_fields=["status", "archive_file", "archive_sha256", "archived_at", "status_changed_at"]
        )
        audit_event_append(
            action="memo.archived",
            obj=locked,
            actor=None,
            data={"file": relative_name, "sha256": digest, "bytes": len(content)},
        )
    return locked


def opinion_phrases_ensure(*, organisation: Any, phrases: list[str]) -> None:
    """Give an organisation its opinion phrases if it has none yet (the demo; an administrator edits them)."""
    from workflow.models import OpinionPhrase

    with transaction.atomic(durable=True):
        if OpinionPhrase.objects.filter(organisation=organisation).exists():
            return
        OpinionPhrase.objects.bulk_create(
            OpinionPhrase(organisation=organisation, text=text, sort_order=index)
            for index, text in enumerate(phrases)
        )
