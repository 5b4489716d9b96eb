"""The route step points at its signature (RouteStep.signature), no longer the reverse.

Adds the column, copies every existing link from signatures.Signature.step in one UPDATE (no signature row
is touched), then holds "a signed step carries its signature" in the database. signatures 0004 drops the
old column afterwards. Reversible: going back copies the links into Signature.step again."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def check_foreign_keys_now(schema_editor):
    """PostgreSQL defers foreign-key checks to the commit; an ALTER TABLE after an UPDATE in the same
    transaction would then stop on "pending trigger events"."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def copy_links(apps, schema_editor):
    check_foreign_keys_now(schema_editor)
    RouteStep = apps.get_model("workflow", "RouteStep")
    Signature = apps.get_model("signatures", "Signature")
    RouteStep.objects.filter(pk__in=Signature.objects.values("step_id")).update(
        signature=Subquery(Signature.objects.filter(step_id=OuterRef("pk")).values("pk")[:1])
    )


def copy_links_back(apps, schema_editor):
    check_foreign_keys_now(schema_editor)
    RouteStep = apps.get_model("workflow", "RouteStep")
    Signature = apps.get_model("signatures", "Signature")
    Signature.objects.update(
        step=Subquery(RouteStep.objects.filter(signature_id=OuterRef("pk")).values("pk")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0003_rules_step_link_hidden"),
        ("workflow", "0003_opinion_phrase"),
    ]

    operations = [
        migrations.AddField(
            model_name="routestep",
            name="signature",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="step",
                to="signatures.signature",
                verbose_name="signature",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.AddConstraint(
            model_name="routestep",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("signature__isnull", False), ("state", "signed")),
                    models.Q(models.Q(("state", "signed"), _negated=True), ("signature__isnull", True)),
                    _connector="OR",
                ),
                name="step_signed_has_signature",
            ),
        ),
    ]
