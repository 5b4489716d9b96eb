"""The audit log becomes a hash chain (issue 12): a gapless sequence number and a hash on every event, existing
events numbered and hashed in (time, id) order; the chain's head row; signed checkpoints. The append-only
triggers are dropped for the backfill and put back, with a TRUNCATE guard, by 0005."""

import django.utils.timezone
from django.db import migrations, models

from core import audit_chain
from core.append_only import install_sql, remove_sql, sql_migration

TABLE = "core_auditevent"


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    event_model = apps.get_model("core", "AuditEvent")
    head_model = apps.get_model("core", "AuditHead")
    previous, sequence, batch = audit_chain.GENESIS, 0, []
    for event in event_model.objects.order_by("at", "id").iterator(chunk_size=2000):
        sequence += 1
        event.sequence, event.prev_hash = sequence, previous
        event.hash = previous = audit_chain.chain_hash(
            previous,
            audit_chain.canonical(
                sequence=sequence,
                id=event.id,
                at=event.at,
                actor_id=event.actor_id,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                data=event.data,
                ip_address=event.ip_address,
                user_agent=event.user_agent,
            ),
        )
        batch.append(event)
        if len(batch) >= 1000:
            event_model.objects.bulk_update(batch, ["sequence", "prev_hash", "hash"])
            batch = []
    if batch:
        event_model.objects.bulk_update(batch, ["sequence", "prev_hash", "hash"])
    head_model.objects.create(pk=1, sequence=sequence, hash=previous)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_integrity_guards")]

    operations = [
        sql_migration(lambda vendor: remove_sql(vendor, TABLE), lambda vendor: install_sql(vendor, TABLE)),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="time"
            ),
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("sequence", models.BigIntegerField(default=0, verbose_name="sequence number")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
            ],
            options={"verbose_name": "audit chain head", "verbose_name_plural": "audit chain heads"},
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("sequence", models.BigIntegerField(verbose_name="sequence number")),
                ("head_hash", models.CharField(max_length=64, verbose_name="head hash")),
                ("at", models.DateTimeField(verbose_name="time")),
                ("document", models.TextField(verbose_name="signed document")),
                ("file_name", models.CharField(blank=True, max_length=255, verbose_name="file name")),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["-sequence", "-id"],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
