"""Signature images (ลายมือชื่อ): an append-only history of enrolments, guarded like signatures by a trigger."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import signatures.models
from core.append_only import triggers_migration


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0006_keys_models"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SignatureImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        blank=True,
                        max_length=200,
                        upload_to=signatures.models._signature_image_path,
                        verbose_name="image",
                    ),
                ),
                ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                ("width", models.PositiveIntegerField(default=0, verbose_name="width")),
                ("height", models.PositiveIntegerField(default=0, verbose_name="height")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="size")),
                ("created_at", models.DateTimeField(verbose_name="enrolled at")),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "signature image",
                "verbose_name_plural": "signature images",
                "ordering": ["person", "created_at"],
                "indexes": [models.Index(fields=["person", "created_at"], name="signature_image_in_force")],
            },
        ),
        triggers_migration("signatures_signatureimage"),
    ]
