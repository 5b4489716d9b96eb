"""Opinion phrases per role: a co-signer, an opinion and the decision are offered their own words. The phrases
an organisation already has become the opinion step's, except the decision's own words (ทราบ, อนุมัติ,
ไม่อนุมัติ), which become the decision step's."""

from typing import Any

from django.db import migrations, models

DECISION_WORDS = ("ทราบ", "อนุมัติ", "ไม่อนุมัติ")


def decision_words_to_the_decision(apps: Any, schema_editor: Any) -> None:
    OpinionPhrase = apps.get_model("workflow", "OpinionPhrase")
    OpinionPhrase.objects.filter(text__in=DECISION_WORDS).update(role="decision")


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0006_services_duty_conflict"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="opinionphrase", name="phrase_unique_text"),
        migrations.AddField(
            model_name="opinionphrase",
            name="role",
            field=models.CharField(
                choices=[
                    ("cosign", "Co-sign"),
                    ("opinion", "Opinion (ความเห็น)"),
                    ("decision", "Decision (ข้อสั่งการ)"),
                ],
                default="opinion",
                max_length=16,
                verbose_name="offered to",
            ),
        ),
        migrations.AlterModelOptions(
            name="opinionphrase",
            options={
                "ordering": ["organisation", "role", "sort_order", "text"],
                "verbose_name": "opinion phrase",
                "verbose_name_plural": "opinion phrases",
            },
        ),
        migrations.AddConstraint(
            model_name="opinionphrase",
            constraint=models.UniqueConstraint(
                fields=("organisation", "role", "text"), name="phrase_unique_role_text"
            ),
        ),
        migrations.RunPython(decision_words_to_the_decision, migrations.RunPython.noop),
    ]
