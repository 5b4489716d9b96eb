"""Signatures become append-only in the database too: UPDATE and DELETE refused by a trigger."""

from django.db import migrations

from core.append_only import triggers_migration


class Migration(migrations.Migration):
    dependencies = [("signatures", "0004_rules_drop_step")]

    operations = [triggers_migration("signatures_signature")]
