"""The viewflow process of a memo: one looped approve node over the memo's route, with explicit exits.

    start ──▶ approve ─┬─(next step)──▶ approve          (the loop: one node, the route is data)
                       ├─(returned)───▶ revise ──▶ approve   (return for revision, an explicit path)
                       ├─(rejected)───▶ rejected (end)
                       └─(last step)──▶ completed (end)

Which exit an approve task takes is decided by workflow.services and recorded in the task's data
("outcome"); the branch is taken inside the approve node itself rather than through a Switch gateway, which
would add a task row, a link row and a savepoint to every step (docs/adr/0003-viewflow-and-django-fsm.md).
Assignees are resolved by the services through the org chart before the node creates the task.
"""

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.nodes.view import ViewActivation

from workflow.models import MemoProcess

OUTCOME_NEXT = "next"
OUTCOME_RETURNED = "returned"
OUTCOME_REJECTED = "rejected"
OUTCOME_COMPLETED = "completed"


def _memo_page(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """viewflow's own task pages are not mounted; if one is reached, send the user to the memo list."""
    return HttpResponseRedirect("/")


class RouteStepActivation(ViewActivation):  # type: ignore[misc]
    @Activation.status.super()  # type: ignore[untyped-decorator]
    def create_next(self) -> Iterator[Activation]:
        node: RouteStepNode = self.flow_task
        outcome = self.task.data.get("outcome", OUTCOME_NEXT)
        target = node.exits[outcome]
        yield target._create(self, self.task.token)


class RouteStepNode(flow.View):  # type: ignore[misc]
    """A human task repeated once per route step; its exits are declared, so the chart shows every path."""

    activation_class = RouteStepActivation

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(_memo_page, **kwargs)
        self._exits: dict[str, Any] = {}

    def Exits(self, **targets: Any) -> "RouteStepNode":
        self._exits = targets
        return self

    @property
    def exits(self) -> dict[str, Any]:
        return self._exits

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._exits = {name: this.resolve(instance, target) for name, target in self._exits.items()}
        self._next = self._exits[OUTCOME_NEXT]

    def _outgoing(self) -> Iterator[Edge]:
        for name, target in self._exits.items():
            yield Edge(src=self, dst=target, edge_class="next" if name == OUTCOME_NEXT else "cond_true")


def pending_assignee(activation: Activation) -> Any:
    """The person the service resolved for the step being activated (None: waiting for assignment)."""
    return getattr(activation.process, "pending_assignee", None)


class MemoFlow(flow.Flow):  # type: ignore[misc]
    """Routing of one memo through its route's steps."""

    process_class = MemoProcess
    lock_impl = lock.select_for_update_lock
    process_title = "บันทึกข้อความ"

    start = flow.StartHandle(this.start_process).Next(this.approve)
    approve = (
        RouteStepNode()
        .Assign(pending_assignee)
        .onCreate(this.remember_task)
        .Exits(next=this.approve, returned=this.revise, rejected=this.rejected, completed=this.completed)
    )
    revise = flow.View(_memo_page).Assign(pending_assignee).onCreate(this.remember_task).Next(this.approve)
    rejected = flow.End()
    completed = flow.End()

    def start_process(self, activation: Activation, *, assignee: Any) -> Any:
        activation.process.pending_assignee = assignee
        return activation.process

    def remember_task(self, activation: Activation) -> None:
        """Hand the new task to the service that caused it, which links it to the route step (no query)."""
        activation.process.created_task = activation.task

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """Memos are confidential: only people involved in this memo may see its process."""
        if obj is None:
            return bool(user.is_authenticated and user.is_superuser)
        from workflow.selectors import memo_visible_to

        memo = getattr(obj, "memo", None)
        return memo is not None and memo_visible_to(memo=memo, user=user)
