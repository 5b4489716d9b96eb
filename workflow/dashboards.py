"""Dashboards for executives and heads: what waits, with whom, at which step; what is overdue; how long each
step takes. Who may see which part: workflow.register's scope with purpose "dashboard" (a head their units and
the units inside them; executives, auditors and administrators the organisation).

Each figure is one query whatever the number of memos (grouped in the database). "Overdue" is decided in one
place, `overdue_condition`: an active step past its due time (issue 13: set when the step reached its signatory,
from the memo's urgency in Thai working days, MEMOFLOW_DUE_WORKING_DAYS), as the task list and the register say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber

from memos.models import MemoStatus, Urgency
from org.models import Organisation, Unit
from workflow.models import ROUTE_ROLES, RouteStep, StepRole, StepState
from workflow.register import Scope, check_scope, sub_unit_ids

PERIODS: Final = (30, 90)
URGENCY_ORDER: Final = (Urgency.MOST_URGENT, Urgency.VERY_URGENT, Urgency.URGENT, Urgency.NORMAL)
ROLE_ORDER: Final = (StepRole.WRITER, *ROUTE_ROLES)


def due_working_days() -> dict[str, int]:
    """Working days a step may take per urgency (0: the same working day), as due times are set."""
    return {str(k): int(v) for k, v in settings.MEMOFLOW_DUE_WORKING_DAYS.items()}


def overdue_condition(*, now: datetime, prefix: str = "") -> Q:
    """The one definition of "overdue": an active step whose due time has passed. `prefix` is the path from
    the queried model to the step ("" on RouteStep). A step with no due time (a writer's returned step) is
    never overdue."""
    return Q(**{f"{prefix}state": StepState.ACTIVE, f"{prefix}due_at__lt": now})


def scoped_steps(*, scope: Scope, organisation: Organisation, unit: Unit | None) -> QuerySet[RouteStep]:
    """The steps of the memos of `organisation` (and `unit` with its sub-units) the person may see on a
    dashboard. Forbidden for a unit outside their scope."""
    check_scope(scope, organisation=organisation, unit=unit)
    qs = RouteStep.objects.filter(memo__organisation=organisation)
    if unit is not None:
        qs = qs.filter(memo__unit_id__in=sub_unit_ids(unit))
    if not scope.whole(organisation.pk):
        qs = qs.filter(
            memo__unit_id__in=[u for u, o in scope.unit_organisation.items() if o == organisation.pk]
        )
    return qs


@dataclass(frozen=True)
class Bar:
    """One bar of a chart and one line of its table: a label, a value and how the value reads."""

    label: str
    value: float
    text: str = ""  # the value as shown ("3", "1 day 4 hours"); empty: the number itself
    note: str = ""  # a second line under the label (a person's position)


@dataclass(frozen=True)
class Waiting:
    person: str
    position: str
    count: int


def waiting_by_person(steps: QuerySet[RouteStep]) -> list[Waiting]:
    """Memos in hand per person (active steps; the writer's own when a memo came back for revision),
    most first. One query."""
    rows = (
        steps.filter(state=StepState.ACTIVE)
        .values(
            "assignee_id",
            "assignee__title",
            "assignee__first_name_th",
            "assignee__last_name_th",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__username",
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "assignee__first_name_th", "assignee__username")
    )
    found = []
    for row in rows:
        if row["assignee_id"] is None:
            name = ""
        else:
            first = row["assignee__first_name_th"] or row["assignee__first_name"]
            last = row["assignee__last_name_th"] or row["assignee__last_name"]
            name = f"{row['assignee__title']}{first} {last}".strip() or row["assignee__username"]
        found.append(Waiting(person=name, position="", count=row["n"]))
    return found


def waiting_by_role(steps: QuerySet[RouteStep]) -> dict[str, int]:
    """Memos waiting at each kind of step (writer: back for revision; co-sign; opinion; decision). One query."""
    counted = dict(
        steps.filter(state=StepState.ACTIVE)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return {role.value: counted.get(role.value, 0) for role in ROLE_ORDER}


@dataclass(frozen=True)
class Overdue:
    urgency: str
    days: int
    waiting: int
    overdue: int


def overdue_by_urgency(steps: QuerySet[RouteStep], *, now: datetime) -> list[Overdue]:
    """Per urgency: steps waiting, and those overdue (`overdue_condition`). One query."""
    rows: dict[str, Any] = {
        row["memo__urgency"]: row
        for row in steps.filter(state=StepState.ACTIVE, memo__status=MemoStatus.IN_REVIEW)
        .values("memo__urgency")
        .annotate(waiting=Count("pk"), overdue=Count("pk", filter=overdue_condition(now=now)))
        .order_by()
    }
    limits = due_working_days()
    return [
        Overdue(
            urgency=u.value,
            days=limits.get(u.value, 0),
            waiting=rows.get(u.value, {}).get("waiting", 0),
            overdue=rows.get(u.value, {}).get("overdue", 0),
        )
        for u in URGENCY_ORDER
    ]


class _Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated between the two middle values."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _duration() -> ExpressionWrapper[Any]:
    return ExpressionWrapper(F("acted_at") - F("activated_at"), output_field=DurationField())


def median_by_role(steps: QuerySet[RouteStep], *, now: datetime, days: int) -> dict[str, timedelta | None]:
    """Median time from a step's activation to its action (signed, returned or rejected), per role of the
    route, over the steps acted on in the last `days` days. PostgreSQL: percentile_cont, one query. SQLite:
    the one or two middle rows per role picked with window functions (one query; the same value)."""
    acted = steps.filter(
        role__in=[r.value for r in ROUTE_ROLES],
        acted_at__gte=now - timedelta(days=days),
        activated_at__isnull=False,
        acted_at__isnull=False,
    )
    found: dict[str, timedelta | None] = {r.value: None for r in ROUTE_ROLES}
    if connection.vendor == "postgresql":
        rows = (
            acted.values("role")
            .annotate(median=_Median(_duration(), output_field=DurationField()))
            .order_by()
        )
        found.update({row["role"]: row["median"] for row in rows})
        return found
    ranked = (
        acted.annotate(
            took=_duration(),
            rank=Window(RowNumber(), partition_by=[F("role")], order_by=[_duration().asc(), F("pk").asc()]),
            n=Window(Count("pk"), partition_by=[F("role")]),
        )
        .filter(rank__gte=(F("n") + 1) / 2, rank__lte=F("n") / 2 + 1)
        .values_list("role", "took")
    )
    middle: dict[str, list[timedelta]] = {}
    for role, took in ranked:
        middle.setdefault(role, []).append(took)
    for role, values in middle.items():
        found[role] = sum(values, timedelta()) / len(values)
    return found
