"""The register of memos sent (issue 12, workflow.register) reads an organisation's numbered memos newest date
first, or by number: these partial indexes let the database walk them in that order and stop after one page
(PostgreSQL and SQLite both support partial indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0006_english_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="memo",
            index=models.Index(
                condition=models.Q(("sequence__isnull", False)),
                fields=["organisation", "-date", "-register_year", "-sequence", "-id"],
                name="memo_register_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="memo",
            index=models.Index(
                condition=models.Q(("sequence__isnull", False)),
                fields=["organisation", "-register_year", "-sequence", "-id"],
                name="memo_register_number_idx",
            ),
        ),
    ]
