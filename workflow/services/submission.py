"""The writer's actions on the route: submit (first time, or again after a return) and withdraw (ถอนเรื่อง)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import RequestMeta
from core.errors import Forbidden, InvalidState
from core.thai import bangkok_date
from memos import services as memo_services
from memos.models import EDITABLE_STATUSES, Memo, MemoStatus
from org.models import Person
from signatures.keystore import UnwrappedSigner
from signatures.models import Signature, SignatureMethod
from workflow import notify
from workflow.documents import memo_pdf_schedule
from workflow.duties import round_exclusions
from workflow.flows import OUTCOME_NEXT, MemoFlow
from workflow.models import MemoProcess, RouteStep, StepState
from workflow.pdf import field_name
from workflow.search import memo_search_refresh
from workflow.services import pdf_signatures
from workflow.services._common import (
    _audit,
    _memo_locked,
    _process_locked,
    _route_round,
    _task_of,
)
from workflow.services._flow import (
    ACTIVATED_FIELDS,
    _activate_next,
    _execute,
    _notify_activated,
    _save_skipped,
    _start_process,
)
from workflow.services.routes import PlannedStep, _route_snapshot, _validate_route
from workflow.services.signing_failures import records_signing_failure


@records_signing_failure("submit")
def memo_submit(*, memo: Memo, actor: Person, password: str | None, meta: RequestMeta | None = None) -> Memo:
    """The writer signs and sends the memo on its route: the first time it takes a number from the unit's
    register and the date; after a return, a new revision starts the route again from the first step after
    the writer, and the number stays."""
    with pdf_signatures.signing_key(actor, password, meta) as key:
        process_pk = Memo.objects.filter(pk=memo.pk).values_list("process_id", flat=True).first()
        if process_pk is None:
            with _memo_locked(memo.pk) as locked:
                return _submit_locked(locked, actor, meta, key)
        with _process_locked(process_pk):
            locked = (
                Memo.objects.select_for_update(of=("self",))
                .select_related("organisation", "unit")
                .get(pk=memo.pk)
            )
            return _submit_locked(locked, actor, meta, key)


def _submit_locked(memo: Memo, actor: Person, meta: RequestMeta | None, key: UnwrappedSigner | None) -> Memo:
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
        taken = memo_services.register_take_number(memo=memo, day=bangkok_date(now))
        memo.number, memo.register_year, memo.sequence, memo.register = taken
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
            "register",
            "sequence",
            "date",
            "addressee",
            "revision",
            "current_revision",
        ]
    )

    writer_step = steps[0]
    writer_step.state = StepState.SIGNED
    writer_step.assignee = actor
    writer_step.activated_at = writer_step.activated_at or now
    writer_step.acted_at = now
    writer_step.signature = Signature.objects.create(
        memo=memo,
        revision=revision,
        revision_sha256=revision.sha256,
        signer=actor,
        position=memo.writer_position,
        capacity="",
        signed_at=now,
        method=SignatureMethod.PADES if key else SignatureMethod.PASSWORD,
        signing_key=key.key if key else None,
        pdf_field=field_name(writer_step) if key else "",
        ip_address=meta.ip_address if meta else None,
        user_agent=meta.user_agent if meta else "",
    )
    first, signatory, skipped = _activate_next(
        candidates=steps[1:],
        excluded=round_exclusions(writer_id=memo.writer_id, steps=steps[:1]),
        now=now,
        memo=memo,
    )

    if memo.process_id is None:
        process = _start_process(memo, signatory)
    else:
        process = MemoProcess.objects.get(pk=memo.process_id)
        revise = _task_of(writer_step)  # a returned memo has the writer's revise task
        process.pending_assignee = signatory.person if signatory else None
        _execute(revise, process, outcome=OUTCOME_NEXT)
    first.task = process.created_task
    # Writer first: the database allows one active step per memo at every moment.
    writer_step.save(update_fields=["state", "assignee", "activated_at", "acted_at", "signature"])
    if key is not None:  # the round's PDF, its fields and the writer's certification (ADR 0007)
        pdf_signatures.start_and_certify(
            memo=memo,
            revision=revision,
            writer_step=writer_step,
            signature=writer_step.signature,
            unwrapped=key,
            now=now,
        )
    _save_skipped(skipped, memo, actor, meta)
    first.save(update_fields=ACTIVATED_FIELDS)
    _notify_activated(first, memo, actor)
    memo_search_refresh(memo_id=memo.pk)  # its number, and who has its first step
    memo_pdf_schedule(memo=memo)
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
    # The signatory the memo waits for (in review: the first after the writer) is told it left their queue.
    waiting = (
        RouteStep.objects.filter(memo=memo, round=round_, state=StepState.ACTIVE, order__gt=0)
        .select_related("position")
        .first()
        if memo.status == MemoStatus.IN_REVIEW
        else None
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
    memo_pdf_schedule(memo=memo)
    reason = memo_services._nfc(reason).strip()
    if waiting is not None:
        notify.withdrawn(waiting, memo, actor=actor, reason=reason)
    _audit("memo.withdrawn", memo, actor, meta, number=memo.number, reason=reason)
    return memo
