"""First of three steps that turn the step ↔ signature link around (signing must not know routes).

Signature.step stops naming a reverse accessor, so that workflow can add RouteStep.signature next, and may be
empty, so that signatures 0004 can be reversed (its column comes back empty; workflow 0004 refills it).
workflow 0004 copies the links, signatures 0004 drops this column."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0002_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="signature",
            name="step",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workflow.routestep",
            ),
        ),
    ]
