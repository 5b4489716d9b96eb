"""The lists (issue 12): my tasks, my memos, done by me, all memos I may see and the search — each one query
for its page whatever the number of rows, with where each memo is and its outcome, and no COUNT(*).

Visibility is `selectors.memos_visible_to` (a union of id sets); the order is (created_at, id) newest first,
read from the index of that name; the outcome (อนุมัติ / ไม่อนุมัติ / ทราบ) is the decision written on the memo's
signed decision step, a subquery of the list's own query.
"""

from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull

from memos.models import Memo, MemoStatus
from org.models import Person
from workflow.models import Decision, RouteStep, StepReassignment, StepRole, StepState
from workflow.search import search_filter, search_term
from workflow.selectors import (
    ReturnInfo,
    _latest_return,
    _return_info,
    is_administrator,
    is_auditor,
    memos_visible_to,
)

BOXES = ("authored", "done", "all")


def outcome_subquery(memo_ref: Any) -> Subquery:
    """The decision of the memo's signed decision step (latest round), or NULL: one value, no query more."""
    decided = (
        RouteStep.objects.filter(memo_id=memo_ref, role=StepRole.DECISION, state=StepState.SIGNED)
        .order_by("-round")
        .values("decision")[:1]
    )
    return Subquery(decided)


def outcome_label(value: str | None) -> str:
    """ "อนุมัติ", "ไม่อนุมัติ", "ทราบ", "ข้อสั่งการอื่น" (in the reader's language); "" while undecided."""
    return str(Decision(value).label) if value in Decision.values else ""


def memo_outcome(*, memo: Memo) -> str | None:
    """A memo's outcome from its route as `memo_get` loaded it (`route_steps`): no query."""
    steps: list[RouteStep] = getattr(memo, "route_steps", [])
    decided = [s for s in steps if s.role == StepRole.DECISION and s.state == StepState.SIGNED]
    return decided[-1].decision or None if decided else None


def tasks_for(*, user: Person) -> QuerySet[RouteStep]:
    """My tasks: active steps assigned to me (as holder or acting), the overdue first, then by due time (the
    earliest due first is the most overdue first); steps without a due time (a writer's returned memo) after
    them, oldest first. Constant queries per page.

    Each step carries `returned_data` (see `task_returned`) and `outcome` (its memo's: none while it is
    waiting on someone, but the lists are read alike), both read in the list's own query."""
    return (
        RouteStep.objects.filter(assignee=user, state=StepState.ACTIVE)
        .select_related("memo", "memo__writer", "position")
        .annotate(
            returned_data=_latest_return(OuterRef("memo_id")), outcome=outcome_subquery(OuterRef("memo_id"))
        )
        .order_by(F("due_at").asc(nulls_last=True), "activated_at", "id")
    )


def task_returned(step: RouteStep) -> ReturnInfo | None:
    """The return a task of `tasks_for` answers: the writer's step of a returned memo."""
    if step.order != 0 or step.memo.status != MemoStatus.RETURNED:
        return None
    return _return_info(getattr(step, "returned_data", None))


#: From this many route steps, a person's visible memos are walked newest first rather than gathered and sorted.
DENSE_STEPS = 1000


def visible_for_list(*, user: Person) -> QuerySet[Memo]:
    """`memos_visible_to`, in the form that reads a page fastest for this person (measured at a million memos,
    docs/performance.md). Someone on few routes: the union of their id sets, joined and sorted (19 ms for 333
    memos, where walking the whole memo table took 190 ms). Someone on many (a head, the mayor: 3,000 to
    100,000 memos): the memo table walked newest first through its (created_at, id) index with the same three
    conditions tested on each row, stopping at the page's end (28-110 ms, where sorting 80,000 gathered memos
    took 1.5 s). One query, reading at most DENSE_STEPS index entries, tells which."""
    if is_administrator(user) or is_auditor(user):
        return Memo.objects.all()
    many = RouteStep.objects.filter(assignee=user).order_by().values("memo_id")[DENSE_STEPS - 1 : DENSE_STEPS]
    if not many.exists():
        return memos_visible_to(user=user)
    # Each EXISTS also names a column of the memo in a condition that is no equality (created_at is never null):
    # PostgreSQL then probes the (assignee, memo) index once per memo it walks, instead of first hashing every
    # memo the person was ever on (86,000 for the busiest head: 43 ms of a 45 ms page, against 2 ms).
    walked = IsNull(OuterRef("created_at"), False)
    on_route = RouteStep.objects.filter(walked, memo=OuterRef("pk"), assignee=user)
    moved_away = StepReassignment.objects.filter(walked, step__memo=OuterRef("pk"), previous_assignee=user)
    return Memo.objects.filter(Q(writer=user) | Exists(on_route) | Exists(moved_away))


def done_by(*, user: Person) -> QuerySet[Memo]:
    """The memos on whose route after the writer a person has acted (signed, returned or rejected a step)."""
    acted = RouteStep.objects.filter(assignee=user, acted_at__isnull=False, order__gt=0)
    return Memo.objects.filter(pk__in=acted.order_by().values("memo_id"))


def memo_list(
    *,
    user: Person,
    box: str = "all",
    status: str | None = None,
    urgency: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    query: str | None = None,
) -> QuerySet[Memo]:
    """My memos (box=authored), done by me (box=done) or all I may see, newest first, with where each is
    (`active_steps`) and its outcome (`outcome`). `query`: the search box (workflow.search; a term shorter
    than three characters is bad input)."""
    term = search_term(query)
    if box == "authored":
        qs = Memo.objects.filter(writer=user)
    elif box == "done":
        qs = done_by(user=user)
    else:
        qs = visible_for_list(user=user)
    if status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if date_from:
        qs = qs.filter(Q(date__gte=date_from) | Q(date__isnull=True, created_at__date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(date__lte=date_to) | Q(date__isnull=True, created_at__date__lte=date_to))
    if term:
        qs = qs.filter(search_filter(term))
    active = RouteStep.objects.filter(state=StepState.ACTIVE).select_related("position", "assignee")
    return (
        qs.select_related("writer")
        .annotate(outcome=outcome_subquery(OuterRef("pk")))
        .prefetch_related(Prefetch("steps", queryset=active, to_attr="active_steps"))
        .order_by("-created_at", "-id")
    )
