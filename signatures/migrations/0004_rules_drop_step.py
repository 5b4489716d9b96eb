"""Last step of the turn-around: the links now live in workflow.RouteStep.signature (workflow 0004)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0003_rules_step_link_hidden"),
        ("workflow", "0004_rules_step_signature"),
    ]

    operations = [
        migrations.RemoveField(model_name="signature", name="step"),
    ]
