"""Issue 13: reminders and escalations of overdue steps, each sent once (workflow.reminders)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0010_step_due_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StepNotice",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "kind",
                    models.CharField(
                        choices=[("reminder", "Reminder"), ("escalated", "Escalated")],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "day",
                    models.DateField(
                        help_text="The working day (Bangkok) it was sent on.", verbose_name="day"
                    ),
                ),
                ("sent_at", models.DateTimeField(verbose_name="sent")),
                ("overdue_days", models.PositiveIntegerField(default=0, verbose_name="working days overdue")),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
                (
                    "step",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notices",
                        to="workflow.routestep",
                    ),
                ),
            ],
            options={
                "verbose_name": "step reminder",
                "verbose_name_plural": "step reminders",
                "ordering": ["sent_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("step", "kind", "day"), name="step_notice_once_a_day"),
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "escalated")),
                        fields=("step",),
                        name="step_escalated_once",
                    ),
                ],
            },
        ),
    ]
