"""The step machinery the services share: who signs a step now, activating it, and driving viewflow's tasks
from code (viewflow's own views are not used)."""

from typing import Any

from core.errors import NoSignatory
from memos.models import Memo
from org.selectors import Signatory, signatory_for, signatory_from_annotations
from workflow.flows import MemoFlow
from workflow.models import MemoProcess, RouteStep, StepState


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
