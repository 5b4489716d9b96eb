"""The audit chain's head is moved by a trigger on each inserted event (core.audit_head): one statement fewer
for every audited change."""

from django.db import migrations

from core.audit_head import head_trigger_migration


class Migration(migrations.Migration):
    dependencies = [("core", "0007_scheduled_run")]

    operations = [head_trigger_migration()]
