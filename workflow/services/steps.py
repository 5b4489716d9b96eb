"""A signatory's actions on the active step: approve (sign, with an opinion or the decision), and the two
that stop the round — return to the writer for revision, or reject — which share one helper."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import thai
from core.audit import RequestMeta, audit_event_append
from core.batch import Batch
from core.errors import AlreadyDone, Forbidden, InvalidState, NotYourTask, ValidationFailed
from core.prepared import Marker, PreparedQuery
from core.workdays import WorkCalendar
from memos import services as memo_services
from memos.models import Memo
from org.holidays import holidays_between, preloaded_calendar
from org.models import ActingAppointment, Holiday, Organisation, Person
from org.selectors import acting_annotations, own_position_titles
from signatures.keystore import UnwrappedSigner
from signatures.models import Signature, SignatureMethod
from workflow import notify
from workflow.documents import memo_pdf_schedule
from workflow.duties import round_exclusions
from workflow.flows import OUTCOME_COMPLETED, OUTCOME_NEXT, OUTCOME_REJECTED, OUTCOME_RETURNED
from workflow.models import Decision, RouteStep, StepRole, StepState
from workflow.pdf import field_name
from workflow.search import memo_search_refresh
from workflow.services import pdf_signatures
from workflow.services._common import (
    MAX_OPINION,
    _audit,
    _check_password,
    _process_locked,
    _required_reason,
    _task_of,
)
from workflow.services._flow import (
    ACTIVATED_FIELDS,
    _activate_next,
    _enqueue_archive,
    _execute,
    _notify_activated,
    _save_skipped,
)
from workflow.services.routes import PlannedStep, _steps_from_plan
from workflow.services.signing_failures import records_signing_failure


@dataclass
class _StepContext:
    memo: Memo
    steps: list[RouteStep]
    current: RouteStep
    now: Any
    calendar: WorkCalendar | None


def _round_query(
    shape: tuple[bool, bool],
    *,
    memo_id: Any,
    round: int,
    day: date,
    organisation_id: Any,
    first: date,
    last: date,
) -> QuerySet[RouteStep]:
    """The round's steps under the lock, each with who signs for its position on `day` (acting appointments);
    with the organisation's holidays from `first` to `last` when the next step's due time is to be set."""
    due_times, with_organisation = shape
    query = (
        RouteStep.objects.filter(memo_id=memo_id, round=round)
        .select_related("position__holder", "task__process", "assignee")
        .annotate(**acting_annotations(position_field="position", day=day))
    )
    if due_times:
        query = query.annotate(
            holidays=holidays_between(
                organisation_id=organisation_id if with_organisation else None, first=first, last=last
            )
        )
    return query.order_by("order")


#: Compiled once per shape (core.prepared): building and compiling it cost an approve more than running it.
ROUND_QUERY: PreparedQuery[RouteStep] = PreparedQuery(
    _round_query,
    memo_id=Marker(uuid.UUID(int=3), uuid.UUID(int=4), Memo._meta.get_field("id")),
    round=Marker(1_000_001, 1_000_002, RouteStep._meta.get_field("round")),
    day=Marker(date(1901, 1, 1), date(1902, 1, 1), ActingAppointment._meta.get_field("valid_from")),
    organisation_id=Marker(uuid.UUID(int=5), uuid.UUID(int=6), Organisation._meta.get_field("id")),
    first=Marker(date(1903, 1, 1), date(1904, 1, 1), Holiday._meta.get_field("date")),
    last=Marker(date(1905, 1, 1), date(1906, 1, 1), Holiday._meta.get_field("date")),
)


@contextmanager
def _acting_on(*, step: RouteStep, actor: Person, due_times: bool = False) -> Iterator[_StepContext]:
    """Lock the memo's process, re-read its current round, and check the actor may act on `step` now."""
    memo = step.memo
    if memo.process_id is None:
        raise InvalidState()
    with _process_locked(memo.process_id):
        now = timezone.now()
        # `due_times` (an approve, which starts the next step): with the holidays of this year and the next, for
        # that step's due time (no query of its own).
        years = (thai.to_bangkok(now).year, thai.to_bangkok(now).year + 1)
        steps: list[RouteStep] = ROUND_QUERY.run(
            (due_times, memo.organisation_id is not None),
            memo_id=memo.pk,
            round=step.round,
            day=thai.to_bangkok(now).date(),
            organisation_id=memo.organisation_id or uuid.UUID(int=0),
            first=date(years[0], 1, 1),
            last=date(years[1], 12, 31),
        )
        current = next((s for s in steps if s.pk == step.pk), None)
        if current is None:
            raise InvalidState(_("This step is not waiting for anyone to act on it."))
        if current.role == StepRole.WRITER:
            raise InvalidState(_("A returned memo goes back on its route when the writer submits it again."))
        if current.state != StepState.ACTIVE:
            if current.state in (StepState.SIGNED, StepState.RETURNED, StepState.REJECTED):
                raise AlreadyDone()
            raise InvalidState(_("This step is not waiting for anyone to act on it."))
        if current.assignee_id != actor.pk:
            raise NotYourTask()
        calendar = (
            preloaded_calendar(
                organisation_id=memo.organisation_id, years=years, dates=getattr(current, "holidays", None)
            )
            if due_times
            else None
        )
        yield _StepContext(memo=memo, steps=steps, current=current, now=now, calendar=calendar)


def _sign(
    ctx: _StepContext, actor: Person, meta: RequestMeta | None, key: UnwrappedSigner | None = None
) -> Signature:
    """Write the signature once, and with `key` the signer's PAdES signature on the revision's PDF (the step's
    opinion or decision set on it already); the caller saves the step that now points at it."""
    revision = ctx.memo.current_revision
    if revision is None:
        raise InvalidState(_("The memo has no submitted revision to sign."))
    signature = Signature.objects.create(
        memo_id=ctx.memo.pk,
        revision=revision,
        revision_sha256=revision.sha256,
        signer=actor,
        position=ctx.current.position,
        capacity=ctx.current.capacity,
        signed_at=ctx.now,
        method=SignatureMethod.PADES if key else SignatureMethod.PASSWORD,
        signing_key=key.key if key else None,
        pdf_field=field_name(ctx.current) if key else "",
        ip_address=meta.ip_address if meta else None,
        user_agent=meta.user_agent if meta else "",
    )
    ctx.current.signature = signature
    if key is not None:
        own_title = own_position_titles(people=[actor]).get(actor.pk, "") if ctx.current.capacity else ""
        pdf_signatures.sign_step(
            memo=ctx.memo,
            step=ctx.current,
            signature=signature,
            unwrapped=key,
            own_title=own_title,
            now=ctx.now,
        )
    return signature


def _clean_decision(
    role: str, opinion: str, decision: str | None, decision_text: str | None
) -> tuple[str, str]:
    errors: dict[str, list[Any]] = {}
    if len(opinion) > MAX_OPINION:
        errors["opinion"] = [_("The opinion is longer than %(max)s characters.") % {"max": MAX_OPINION}]
    if role == StepRole.OPINION and not opinion.strip():
        errors["opinion"] = [_("Write your opinion before signing.")]
    decision = decision or ""
    decision_text = (decision_text or "").strip()
    if role == StepRole.DECISION:
        if decision not in Decision.values:
            errors["decision"] = [_("Choose acknowledged, approved, not_approved or other.")]
        elif decision == Decision.OTHER and not decision_text:
            errors["decision_text"] = [_("Write your order, for example: the finance division to proceed.")]
    elif decision or decision_text:
        errors["decision"] = [_("Only the last step of the route decides.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return decision, decision_text


@records_signing_failure("approve")
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
    opinion = memo_services._nfc(opinion or "").strip()
    decision, decision_text = _clean_decision(step.role, opinion, decision, decision_text)
    signing_key = pdf_signatures.signing_key(
        actor,
        password,
        meta,
        memo_id=step.memo_id,
        signed_on_pdf=getattr(step, "revision_signed_on_pdf", None),  # read by selectors.step_get
    )
    with signing_key as key, _acting_on(step=step, actor=actor, due_times=True) as ctx:
        current = ctx.current
        task = _task_of(current)
        process = task.process
        current.state = StepState.SIGNED
        current.acted_at = ctx.now
        current.opinion = opinion
        current.decision = decision
        current.decision_text = decision_text
        _sign(ctx, actor, meta, key)
        later = [s for s in ctx.steps if s.order > current.order]
        if later:
            following, signatory, skipped = _activate_next(
                candidates=later,
                excluded=round_exclusions(writer_id=ctx.memo.writer_id, steps=ctx.steps),
                now=ctx.now,
                memo=ctx.memo,
                calendar=ctx.calendar,
            )
            process.pending_assignee = signatory.person if signatory else None
            _execute(task, process, outcome=OUTCOME_NEXT)
            following.task = process.created_task
            # This step first, then the next: the database allows one active step per memo at every moment.
            current.save(
                update_fields=["state", "acted_at", "opinion", "decision", "decision_text", "signature"]
            )
            _save_skipped(skipped, ctx.memo, actor, meta)
            # The next step and the notifications of it in one statement (core.batch).
            activated = Batch()
            activated.add_update(following, ACTIVATED_FIELDS)
            notify.step_signed(current, ctx.memo, following=following, actor=actor, batch=activated)
            activated.run()
        else:
            current.save(
                update_fields=["state", "acted_at", "opinion", "decision", "decision_text", "signature"]
            )
            _execute(task, process, outcome=OUTCOME_COMPLETED)
            memo = ctx.memo
            memo.complete()
            memo.status_changed_at = ctx.now
            memo.save(update_fields=["status", "status_changed_at", "updated_at"])
            _enqueue_archive(memo)
            notify.completed(current, memo, actor=actor)
        # In one statement, after the writes they read (core.batch): the search document (the opinion or order,
        # and who has the next step), the PDF's render request and the audit event.
        last = Batch()
        memo_search_refresh(memo_id=ctx.memo.pk, batch=last)
        memo_pdf_schedule(memo=ctx.memo, batch=last)
        audit_event_append(
            action="step.approved",
            obj=ctx.memo,
            actor=actor,
            meta=meta,
            batch=last,
            data={
                "step": current.order,
                "round": current.round,
                "role": current.role,
                "position": current.position.title,
                "capacity": current.capacity,
                "decision": decision,
                "revision_sha256": ctx.memo.current_revision.sha256 if ctx.memo.current_revision else None,
            },
        )
        last.run()
    return current


@records_signing_failure("return")
def step_return(
    *, step: RouteStep, actor: Person, password: str | None, reason: str, meta: RequestMeta | None = None
) -> RouteStep:
    """Send the memo back to the writer for revision. The signatures so far stay, bound to their revision."""
    return _stop_round(
        step=step, actor=actor, password=password, reason=reason, meta=meta, ending=StepState.RETURNED
    )


@records_signing_failure("reject")
def step_reject(
    *, step: RouteStep, actor: Person, password: str | None, reason: str, meta: RequestMeta | None = None
) -> RouteStep:
    """End the memo here (terminal). Only the opinion and decision steps may: a co-signer (the head of the
    office) forwards or returns the memo to its writer, but does not decide that it goes no further."""
    return _stop_round(
        step=step, actor=actor, password=password, reason=reason, meta=meta, ending=StepState.REJECTED
    )


def _stop_round(
    *,
    step: RouteStep,
    actor: Person,
    password: str | None,
    reason: str,
    meta: RequestMeta | None,
    ending: str,
) -> RouteStep:
    """Return or reject: the active step closes with the reason, the rest of the round is skipped and the
    memo leaves review — back to the writer (a new round starts as a copy of this one) or ended."""
    returned = ending == StepState.RETURNED
    _check_password(actor, password, meta)
    reason = _required_reason(reason)
    with _acting_on(step=step, actor=actor) as ctx:
        current = ctx.current
        if not returned and current.role == StepRole.COSIGN:
            raise Forbidden(_("A co-signer cannot end the memo; return it to the writer instead."))
        task = _task_of(current)
        process = task.process
        current.state = ending
        current.acted_at = ctx.now
        current.reason = reason
        current.save(update_fields=["state", "acted_at", "reason"])
        RouteStep.objects.filter(memo_id=ctx.memo.pk, round=current.round, state=StepState.WAITING).update(
            state=StepState.SKIPPED
        )
        if returned:
            memo = Memo.objects.select_for_update().get(pk=ctx.memo.pk)
            memo.return_for_revision()
        else:
            memo = ctx.memo
            memo.reject()
        memo.status_changed_at = ctx.now
        memo.save(update_fields=["status", "status_changed_at", "updated_at"])
        if returned:
            # The next round's route starts as a copy of this one; the writer may edit it before resubmitting.
            next_round = _steps_from_plan(
                memo=memo,
                round_=current.round + 1,
                planned=[PlannedStep(role=s.role, position=s.position) for s in ctx.steps[1:]],
            )
            process.pending_assignee = memo.writer
            _execute(task, process, outcome=OUTCOME_RETURNED)
            writer_step = next_round[0]
            writer_step.task = process.created_task
            writer_step.assignee = memo.writer
            writer_step.state = StepState.ACTIVE  # the writer's turn: revise and submit again
            writer_step.activated_at = ctx.now
            RouteStep.objects.bulk_create(next_round)
            _notify_activated(writer_step, memo, actor)
            notify.returned(current, memo, actor=actor)
        else:
            _execute(task, process, outcome=OUTCOME_REJECTED)
            notify.rejected(current, memo, actor=actor)
        memo_pdf_schedule(memo=memo)
        _audit(
            "step.returned" if returned else "step.rejected",
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
