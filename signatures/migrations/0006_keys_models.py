"""Keys and certificates: the organisation's CA and every signing key, guarded (signatures.guards)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from signatures.guards import guard_migration


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_auth_tokens"),
        ("signatures", "0005_integrity_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CertificateAuthority",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("subject", models.CharField(max_length=512, verbose_name="certificate subject")),
                ("certificate", models.BinaryField(verbose_name="certificate (DER)")),
                (
                    "certificate_sha256",
                    models.CharField(max_length=64, unique=True, verbose_name="certificate SHA-256"),
                ),
                ("wrapped_key", models.BinaryField(verbose_name="encrypted private key")),
                ("kdf_salt", models.BinaryField(verbose_name="key derivation salt")),
                ("kdf", models.JSONField(verbose_name="key derivation parameters")),
                (
                    "chain_pem",
                    models.TextField(
                        blank=True,
                        help_text="Only for an imported intermediate CA.",
                        verbose_name="issuers above it (PEM)",
                    ),
                ),
                ("imported", models.BooleanField(default=False, verbose_name="imported")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "crl",
                    models.BinaryField(
                        blank=True, null=True, verbose_name="certificate revocation list (DER)"
                    ),
                ),
                ("crl_number", models.PositiveBigIntegerField(default=0, verbose_name="CRL number")),
                (
                    "crl_next_update",
                    models.DateTimeField(blank=True, null=True, verbose_name="CRL next update"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "certification authority",
                "verbose_name_plural": "certification authorities",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="SigningKey",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[("person", "A person's signature"), ("seal", "The organisation's seal")],
                        max_length=16,
                        verbose_name="purpose",
                    ),
                ),
                ("public_key", models.BinaryField(verbose_name="public key (DER)")),
                (
                    "public_key_sha256",
                    models.CharField(max_length=64, unique=True, verbose_name="public key SHA-256"),
                ),
                ("wrapped_key", models.BinaryField(verbose_name="encrypted private key")),
                ("kdf_salt", models.BinaryField(verbose_name="key derivation salt")),
                ("kdf", models.JSONField(verbose_name="key derivation parameters")),
                (
                    "wrapped_by",
                    models.CharField(
                        choices=[
                            ("holder", "The holder's own password"),
                            ("administrator", "A password set by an administrator"),
                            ("server", "The server's seal passphrase"),
                        ],
                        max_length=16,
                        verbose_name="wrapped under",
                    ),
                ),
                ("certificate", models.BinaryField(verbose_name="certificate (DER)")),
                ("serial", models.CharField(max_length=64, unique=True, verbose_name="serial number (hex)")),
                ("subject", models.CharField(max_length=512, verbose_name="certificate subject")),
                ("not_before", models.DateTimeField(verbose_name="valid from")),
                ("not_after", models.DateTimeField(verbose_name="valid until")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                (
                    "revocation_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("superseded", "Superseded (a new key was issued)"),
                            ("key_compromise", "Key compromise"),
                            ("affiliation_changed", "Left the organisation or changed position"),
                            ("cessation_of_operation", "No longer signs"),
                        ],
                        max_length=32,
                        verbose_name="revocation reason",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("rewrapped_at", models.DateTimeField(blank=True, null=True, verbose_name="re-wrapped at")),
                (
                    "ca",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="keys",
                        to="signatures.certificateauthority",
                        verbose_name="issuer",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="signing_keys",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="holder",
                    ),
                ),
            ],
            options={
                "verbose_name": "signing key",
                "verbose_name_plural": "signing keys",
                "ordering": ["-created_at"],
            },
        ),
        migrations.AddConstraint(
            model_name="certificateauthority",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_active", True)), fields=("is_active",), name="one_active_ca"
            ),
        ),
        migrations.AddConstraint(
            model_name="signingkey",
            constraint=models.UniqueConstraint(
                condition=models.Q(("purpose", "person"), ("revoked_at__isnull", True)),
                fields=("person",),
                name="one_unrevoked_key_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="signingkey",
            constraint=models.UniqueConstraint(
                condition=models.Q(("purpose", "seal"), ("revoked_at__isnull", True)),
                fields=("purpose",),
                name="one_unrevoked_seal",
            ),
        ),
        migrations.AddConstraint(
            model_name="signingkey",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("person__isnull", False), ("purpose", "person")),
                    models.Q(("person__isnull", True), ("purpose", "seal")),
                    _connector="OR",
                ),
                name="person_key_has_a_holder",
            ),
        ),
        migrations.AddConstraint(
            model_name="signingkey",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("revocation_reason", ""), ("revoked_at__isnull", True)),
                    models.Q(
                        ("revoked_at__isnull", False), models.Q(("revocation_reason", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="revocation_has_a_reason",
            ),
        ),
        guard_migration("signatures_signingkey"),
        guard_migration("signatures_certificateauthority"),
    ]
