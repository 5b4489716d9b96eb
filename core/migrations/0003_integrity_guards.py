"""The audit log becomes append-only in the database too (UPDATE and DELETE refused by a trigger); workers' heartbeats
(a job under a worker that stopped beating is retried: core.worker)."""

from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from core.append_only import install_sql, remove_sql

TABLE = "core_auditevent"


def install(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in install_sql(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(statement, params=None)


def remove(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in remove_sql(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [
        migrations.RunPython(install, remove),
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
