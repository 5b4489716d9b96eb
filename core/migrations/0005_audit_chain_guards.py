"""Every event now has its sequence number (0004): it becomes required and unique, and the audit log and its
checkpoints are append-only in the database, TRUNCATE refused too on PostgreSQL. A migration of its own: on
SQLite the AlterField remakes the table (which drops triggers), and PostgreSQL refuses to alter a table with
pending trigger events from 0004's backfill."""

from django.db import migrations, models

from core.append_only import triggers_migration, truncate_guard_migration


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_chain")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="sequence number"),
        ),
        triggers_migration("core_auditevent"),
        truncate_guard_migration("core_auditevent"),
        triggers_migration("core_auditcheckpoint"),
        truncate_guard_migration("core_auditcheckpoint"),
    ]
