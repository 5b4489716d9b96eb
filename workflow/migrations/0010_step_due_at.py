"""Issue 13: a route step's due time (RouteStep.due_at, workflow.due), the index of the reminders' scan, and the
due times of the steps active when this runs, counted from when each reached its signatory on today's holiday
table. A step long active is overdue at once: the reminders start at the next scan (docs/adr/0010)."""

from datetime import date
from typing import Any

from django.db import migrations, models
from django.db.models import Q

from core.workdays import WorkCalendar

BATCH = 1000


def backfill(apps: Any, schema_editor: Any) -> None:
    RouteStep = apps.get_model("workflow", "RouteStep")
    Holiday = apps.get_model("org", "Holiday")
    db = schema_editor.connection.alias
    calendars: dict[Any, WorkCalendar] = {}

    def calendar(organisation_id: Any) -> WorkCalendar:
        if organisation_id not in calendars:

            def load(first: date, last: date) -> Any:
                return (
                    Holiday.objects.using(db)
                    .filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))
                    .filter(date__range=(first, last))
                    .values_list("date", flat=True)
                )

            calendars[organisation_id] = WorkCalendar(load)
        return calendars[organisation_id]

    # The writer's step of a returned memo (order 0) has no due time; nor has a step never activated.
    active = (
        RouteStep.objects.using(db)
        .filter(state="active", order__gt=0, activated_at__isnull=False, due_at__isnull=True)
        .select_related("memo")
        .order_by("pk")
    )
    pending = []
    for step in active.iterator(chunk_size=BATCH):
        step.due_at = calendar(step.memo.organisation_id).due_at(step.activated_at, step.memo.urgency)
        pending.append(step)
        if len(pending) >= BATCH:
            RouteStep.objects.using(db).bulk_update(pending, ["due_at"])
            pending = []
    if pending:
        RouteStep.objects.using(db).bulk_update(pending, ["due_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0009_memo_secrecy"),
        ("org", "0005_holiday"),
        ("workflow", "0009_search_document_and_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="routestep",
            name="due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="due"),
        ),
        migrations.AddIndex(
            model_name="routestep",
            index=models.Index(
                condition=models.Q(("state", "active")), fields=["due_at"], name="step_active_due_idx"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
