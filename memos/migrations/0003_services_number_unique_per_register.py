"""Numbers are unique per register (one row per document code and year), not per organisation: numbers
restart each year, so the first memo of a new year took a number the old year already had."""

import django.db.models.deletion
from django.db import migrations, models


def link_numbered_memos_to_their_register(apps, schema_editor):
    """Existing numbered memos: the register of their organisation, document code (the number before the
    last "/") and year; when both year kinds have a register for that year, the one whose counter reached the
    memo's sequence (ambiguous cases stay unlinked: they keep their number, only unchecked)."""
    Memo = apps.get_model("memos", "Memo")
    Register = apps.get_model("memos", "Register")
    for memo in Memo.objects.exclude(number="").filter(register__isnull=True, register_year__isnull=False):
        code = memo.number.rsplit("/", 1)[0]
        candidates = list(
            Register.objects.filter(
                organisation_id=memo.organisation_id,
                document_code=code,
                year=memo.register_year,
                last_number__gte=memo.sequence or 0,
            )
        )
        if len(candidates) == 1:
            Memo.objects.filter(pk=memo.pk).update(register=candidates[0])


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0002_archive"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="memo",
            name="memo_number_unique",
        ),
        migrations.AddField(
            model_name="memo",
            name="register",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The register (document code and year) the number was taken from.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memos",
                to="memos.register",
                verbose_name="register",
            ),
        ),
        migrations.RunPython(link_numbered_memos_to_their_register, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="memo",
            constraint=models.UniqueConstraint(
                fields=("register", "sequence"), name="memo_number_unique_in_register"
            ),
        ),
    ]
