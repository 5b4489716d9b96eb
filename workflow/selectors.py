"""Reads for pages and the API: who may see a memo, the route of its current round, the queues."""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from core.errors import NotFound
from core.models import AuditEvent
from memos.models import Enclosure, Memo
from org.models import Person
from workflow.models import RouteStep, StepReassignment, StepState


def is_administrator(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_perm("memos.manage_memos")))


def is_auditor(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("org.audit_memos"))


def memos_visible_to(*, user: Any) -> QuerySet[Memo]:
    """Memos a person may see: the ones they wrote or were assigned a step of; all for administrators and
    auditors. Everyone else gets 404 for a memo, its PDF, attachments and history."""
    qs = Memo.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_administrator(user) or is_auditor(user):
        return qs
    on_route = RouteStep.objects.filter(memo=OuterRef("pk"), assignee=user)
    moved_away = StepReassignment.objects.filter(step__memo=OuterRef("pk"), previous_assignee=user)
    return qs.filter(Q(writer=user) | Exists(on_route) | Exists(moved_away))


def memo_visible_to(*, memo: Memo, user: Any) -> bool:
    if not user.is_authenticated:
        return False
    if memo.writer_id == user.pk or is_administrator(user) or is_auditor(user):
        return True
    return (
        RouteStep.objects.filter(memo=memo, assignee=user).exists()
        or StepReassignment.objects.filter(step__memo=memo, previous_assignee=user).exists()
    )


def memo_get(*, memo_id: Any, user: Any) -> Memo:
    """A memo the user may see, with its current route (`route_steps`) and enclosures loaded; else 404."""
    memo = (
        memos_visible_to(user=user)
        .select_related("writer", "writer_position", "unit", "organisation", "current_revision")
        .prefetch_related(Prefetch("enclosures", queryset=Enclosure.objects.order_by("order")))
        .filter(pk=memo_id)
        .first()
    )
    if memo is None:
        raise NotFound()
    memo.route_steps = current_round_steps(memo=memo)  # type: ignore[attr-defined]
    return memo


def step_get(*, step_id: Any, user: Any) -> RouteStep:
    """A step for acting on it; 404 unless the memo is visible to the user."""
    step = RouteStep.objects.select_related("memo__current_revision", "position").filter(pk=step_id).first()
    if step is None:
        raise NotFound()
    if step.assignee_id == getattr(user, "pk", None) and user.is_authenticated:
        return step  # the assignee can always see it: no further query on the hot path
    if not memo_visible_to(memo=step.memo, user=user):
        raise NotFound()
    return step


def current_round_steps(*, memo: Memo, with_signatures: bool = False) -> list[RouteStep]:
    """The memo's route as it stands: the steps of the latest round, the writer first (with their signatures,
    signer and position loaded in the same query when `with_signatures`)."""
    latest = max(memo.revision, 1)
    related = ["position", "assignee"]
    if with_signatures:  # the PDF's route: also the holders, who are printed for steps not reached yet
        related += ["signature__signer", "signature__position", "position__holder"]
    steps = list(
        RouteStep.objects.filter(memo=memo, round__gte=latest)
        .select_related(*related)
        .order_by("round", "order")
    )
    last_round = max((s.round for s in steps), default=latest)
    return [s for s in steps if s.round == last_round]


def route_history(*, memo: Memo) -> QuerySet[RouteStep]:
    """Every round's steps, with their signatures (signer, position, capacity, revision hash)."""
    return (
        RouteStep.objects.filter(memo=memo)
        .select_related(
            "position", "assignee", "signature__signer", "signature__position", "signature__revision"
        )
        .order_by("round", "order")
    )


def memo_events(*, memo: Memo) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=memo._meta.label_lower, object_id=str(memo.pk))
        .select_related("actor")
        .order_by("at")
    )


def opinion_phrases(*, organisation_id: Any) -> list[str]:
    """The organisation's phrases (edited in the admin), else the MEMOFLOW_OPINION_PHRASES defaults."""
    from django.conf import settings

    from workflow.models import OpinionPhrase

    phrases = list(
        OpinionPhrase.objects.filter(organisation_id=organisation_id).values_list("text", flat=True)
    )
    return phrases or list(settings.MEMOFLOW_OPINION_PHRASES)


def tasks_for(*, user: Person) -> QuerySet[RouteStep]:
    """My tasks: active steps assigned to me (as holder or acting), oldest first. Constant queries per page."""
    return (
        RouteStep.objects.filter(assignee=user, state=StepState.ACTIVE)
        .select_related("memo", "memo__writer", "position")
        .order_by("activated_at", "id")
    )


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
    """My memos (box=authored), done by me (box=done) or all I may see, newest first, with where each is."""
    if box == "authored":
        qs = Memo.objects.filter(writer=user)
    elif box == "done":
        acted = RouteStep.objects.filter(
            memo=OuterRef("pk"), assignee=user, acted_at__isnull=False, order__gt=0
        )
        qs = Memo.objects.filter(Exists(acted))
    else:
        qs = memos_visible_to(user=user)
    if status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if date_from:
        qs = qs.filter(Q(date__gte=date_from) | Q(date__isnull=True, created_at__date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(date__lte=date_to) | Q(date__isnull=True, created_at__date__lte=date_to))
    if query:
        qs = qs.filter(Q(number__icontains=query) | Q(subject__icontains=query))
    active = RouteStep.objects.filter(state=StepState.ACTIVE).select_related("position", "assignee")
    return (
        qs.select_related("writer")
        .prefetch_related(Prefetch("steps", queryset=active, to_attr="active_steps"))
        .order_by("-created_at", "-id")
    )
