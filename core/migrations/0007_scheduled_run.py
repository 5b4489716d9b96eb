"""Scheduled jobs (core.schedule): one row per run of a job for a period, the (job, period) pair unique so that
only one worker's claim succeeds (docs/adr/0008-scheduled-jobs.md)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_search_indexes"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScheduledRun",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("job", models.CharField(max_length=64, verbose_name="job")),
                ("period", models.CharField(max_length=32, verbose_name="period")),
                (
                    "claimed_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="claimed"),
                ),
                ("worker_id", models.CharField(blank=True, max_length=64, verbose_name="worker id")),
                (
                    "task_result",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="django_tasks_database.dbtaskresult",
                        verbose_name="task",
                    ),
                ),
            ],
            options={
                "verbose_name": "scheduled run",
                "verbose_name_plural": "scheduled runs",
                "ordering": ["-claimed_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("job", "period"), name="scheduled_run_once_per_period")
                ],
            },
        ),
    ]
