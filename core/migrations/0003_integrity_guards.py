"""The audit log becomes append-only in the database too (UPDATE and DELETE refused by a trigger); workers' heartbeats
(a job under a worker that stopped beating is retried: core.worker)."""

from django.db import migrations, models

from core.append_only import triggers_migration


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [
        triggers_migration("core_auditevent"),
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                (
                    "worker_id",
                    models.CharField(
                        max_length=64, primary_key=True, serialize=False, verbose_name="worker id"
                    ),
                ),
                ("hostname", models.CharField(blank=True, max_length=255, verbose_name="host")),
                ("pid", models.PositiveIntegerField(blank=True, null=True, verbose_name="process id")),
                ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="started")),
                ("seen_at", models.DateTimeField(db_index=True, verbose_name="last seen")),
            ],
            options={"verbose_name": "worker heartbeat", "verbose_name_plural": "worker heartbeats"},
        ),
    ]
