"""The step machinery the services share: who signs a step now, activating it, and driving viewflow's tasks
from code (viewflow's own views are not used)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.audit import RequestMeta
from core.errors import InvalidState
from core.workdays import WorkCalendar
from memos.models import Memo
from org.models import Person
from org.selectors import Signatory
from workflow.due import step_due_at
from workflow.duties import StepResolution, resolve_step
from workflow.flows import MemoFlow
from workflow.models import MemoProcess, RouteStep, StepState
from workflow.services._common import _audit

#: What activating a step changes (its callers save these).
ACTIVATED_FIELDS = ["state", "assignee", "activated_at", "due_at", "capacity", "task", "duty_conflict"]


def _activate_next(
    *,
    candidates: list[RouteStep],
    excluded: dict[Any, str],
    now: Any,
    memo: Memo | None = None,
    calendar: WorkCalendar | None = None,
) -> tuple[RouteStep, Signatory | None, list[tuple[RouteStep, StepResolution]]]:
    """Activate the first of `candidates` (the round's later steps, in order) that someone may take under
    the separation of duties (workflow.duties); the ones passed over are marked skipped. The caller saves
    them all. The decision step is never skipped, so a valid route always activates a step."""
    skipped: list[tuple[RouteStep, StepResolution]] = []
    for step in candidates:
        resolution = resolve_step(step=step, excluded=excluded, at=now)
        step.duty_conflict = resolution.conflict
        if resolution.skipped:
            step.state = StepState.SKIPPED
            skipped.append((step, resolution))
            continue
        _activate(step, resolution.signatory, now, memo=memo, calendar=calendar)
        return step, resolution.signatory, skipped
    raise InvalidState(_("The route must have exactly one decision step, and it must be the last."))


def _save_skipped(
    skipped: list[tuple[RouteStep, StepResolution]], memo: Memo, actor: Person, meta: RequestMeta | None
) -> None:
    """Record each skipped step, and why, in the memo's history (audit, same transaction)."""
    for step, resolution in skipped:
        step.save(update_fields=["state", "duty_conflict"])
        set_aside = resolution.set_aside
        username = (
            Person.objects.filter(pk=set_aside.pk).values_list("username", flat=True).first()
            if set_aside is not None
            else None
        )
        _audit(
            "step.skipped",
            memo,
            actor,
            meta,
            step=step.order,
            round=step.round,
            position=step.position.title,
            person=username,
            conflict=resolution.conflict,
        )


def _enqueue_archive(memo: Memo) -> None:
    """The final PDF is rendered and archived by the worker; enqueued in the transaction that completes."""
    from workflow.tasks import archive_memo

    archive_memo.enqueue(str(memo.pk))


def _notify_activated(step: RouteStep, memo: Memo, actor: Person | None = None) -> None:
    """Tell the new assignee (workflow.notify: in the app, and by e-mail as they chose, both in this same
    transaction, so they exist only if the change commits); a step waiting for assignment notifies nobody."""
    from workflow import notify

    if step.assignee_id is not None:
        notify.step_waiting(step, memo, actor=actor)


def _activate(
    step: RouteStep,
    signatory: Signatory | None,
    now: Any,
    *,
    memo: Memo | None = None,
    calendar: WorkCalendar | None = None,
) -> None:
    step.state = StepState.ACTIVE
    step.activated_at = now
    step.due_at = step_due_at(memo=memo or step.memo, activated_at=now, calendar=calendar)
    step.assignee = signatory.person if signatory else None
    step.capacity = (signatory.capacity or "") if signatory else ""


def _start_process(memo: Memo, signatory: Signatory | None) -> MemoProcess:
    process: MemoProcess = MemoFlow.start.run(
        assignee=signatory.person if signatory else None, _process_data={"memo": str(memo.pk)}
    )
    Memo.objects.filter(pk=memo.pk).update(process=process)
    memo.process = process
    return process


def _execute(task: Any, process: MemoProcess, *, outcome: str) -> None:
    """Complete a human task from code and create the next one."""
    task.process = process
    activation = task.flow_task.activation_class(task)
    activation.process = process
    task.data = {**(task.data or {}), "outcome": outcome}
    activation.start(None)
    activation.execute()
