"""Signatures: the evidence that a person signed a revision, in a position and capacity, at a time, from where.

Signing knows memos and people, never routes: the route step points at its signature (`RouteStep.signature`),
so a Signature row is written once and never changed (docs/architecture.md)."""

import uuid
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.append_only import MESSAGE, AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from memos.models import Memo, MemoRevision
from org.models import Organisation, Person, Position

_M = TypeVar("_M", bound=models.Model)


class SignatureMethod(models.TextChoices):
    PASSWORD = "password", _("Password confirmation (step-up)")
    PADES = "pades", _("PAdES signature on the PDF with the signer's own key")


class SignatureQuerySet(AppendOnlyQuerySet["Signature"]):
    pass


class Signature(AppendOnlyModel):
    """One signature on one memo revision. Never changed or deleted after it is written: refused by the
    model, its QuerySet and a database trigger (core.append_only)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    memo = models.ForeignKey(Memo, on_delete=models.PROTECT, related_name="signatures")
    revision = models.ForeignKey(MemoRevision, on_delete=models.PROTECT, related_name="signatures")
    revision_sha256 = models.CharField(_("revision SHA-256"), max_length=64)
    signer = models.ForeignKey(Person, verbose_name=_("signer"), on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField(_("capacity"), max_length=32, blank=True)
    signed_at = models.DateTimeField(_("signed at"))
    method = models.CharField(_("method"), max_length=16, choices=SignatureMethod.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    # The key that signed the PDF (method "pades"): kept while any signature names it.
    signing_key = models.ForeignKey(
        "SigningKey",
        verbose_name=_("signing key"),
        on_delete=models.PROTECT,
        related_name="signatures",
        null=True,
        blank=True,
    )
    pdf_field = models.CharField(_("signature field"), max_length=64, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["memo", "signed_at"]

    def __str__(self) -> str:
        return f"{self.signer} {self.signed_at:%Y-%m-%d %H:%M} {self.revision_sha256[:12]}"


# Keys and certificates ---------------------------------------------------------------------------------------
# The organisation's CA and every signing key: written by signatures.services only. The certificate, the public
# key and whose key it is never change; a key is re-wrapped (password change) or revoked (once), never deleted.
# The model, its QuerySet and a database trigger (signatures.guards, migration 0006_keys_models) refuse anything
# else.

KEY_MUTABLE_FIELDS = frozenset(
    {"wrapped_key", "kdf_salt", "kdf", "wrapped_by", "rewrapped_at", "revoked_at", "revocation_reason"}
)
CA_MUTABLE_FIELDS = frozenset({"is_active", "crl", "crl_number", "crl_next_update"})


class GuardedQuerySet(AppendOnlyQuerySet[_M]):
    """No bulk update or delete: each change goes through a service that saves named fields of one row."""


class _FieldGuardedModel(models.Model):
    """save() of an existing row must name its fields (update_fields), all of them changeable; never deleted."""

    mutable_fields: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.mutable_fields:
                raise AppendOnlyError(f"{self._meta.label}: only {sorted(self.mutable_fields)} ever change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.label}: {MESSAGE}")


class CertificateAuthorityQuerySet(GuardedQuerySet["CertificateAuthority"]):
    pass


class CertificateAuthority(_FieldGuardedModel):
    """The organisation's CA (ผู้ออกใบรับรอง): made by `manage.py signing_init`, or imported from PKCS#12. Its
    private key is stored only encrypted under MEMOFLOW_CA_KEY_PASSPHRASE."""

    mutable_fields = CA_MUTABLE_FIELDS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("certificate subject"), max_length=512)
    certificate = models.BinaryField(_("certificate (DER)"))
    certificate_sha256 = models.CharField(_("certificate SHA-256"), max_length=64, unique=True)
    wrapped_key = models.BinaryField(_("encrypted private key"))
    kdf_salt = models.BinaryField(_("key derivation salt"))
    kdf = models.JSONField(_("key derivation parameters"))
    chain_pem = models.TextField(
        _("issuers above it (PEM)"), blank=True, help_text=_("Only for an imported intermediate CA.")
    )
    imported = models.BooleanField(_("imported"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    crl = models.BinaryField(_("certificate revocation list (DER)"), null=True, blank=True)
    crl_number = models.PositiveBigIntegerField(_("CRL number"), default=0)
    crl_next_update = models.DateTimeField(_("CRL next update"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CertificateAuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("certification authority")
        verbose_name_plural = _("certification authorities")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_ca"),
        ]

    def __str__(self) -> str:
        return self.subject


class KeyPurpose(models.TextChoices):
    PERSON = "person", _("A person's signature")
    SEAL = "seal", _("The organisation's seal")
    TSA = "tsa", _("The organisation's timestamp authority")


class WrappedBy(models.TextChoices):
    """Whose secret the private key is wrapped under now."""

    HOLDER = "holder", _("The holder's own password")
    ADMINISTRATOR = "administrator", _("A password set by an administrator")
    SERVER = "server", _("The server's seal passphrase")


class RevocationReason(models.TextChoices):
    """RFC 5280 reason codes that memoflow uses."""

    SUPERSEDED = "superseded", _("Superseded (a new key was issued)")
    KEY_COMPROMISE = "key_compromise", _("Key compromise")
    AFFILIATION_CHANGED = "affiliation_changed", _("Left the organisation or changed position")
    CESSATION_OF_OPERATION = "cessation_of_operation", _("No longer signs")


class SigningKeyQuerySet(GuardedQuerySet["SigningKey"]):
    def unrevoked(self) -> "SigningKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class SigningKey(_FieldGuardedModel):
    """A key pair and its certificate: a person's (the private key wrapped under their password) or the
    organisation's seal (wrapped under MEMOFLOW_SEAL_KEY_PASSPHRASE). At most one unrevoked key per person."""

    mutable_fields = KEY_MUTABLE_FIELDS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ca = models.ForeignKey(
        CertificateAuthority, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="keys"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=KeyPurpose.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    public_key = models.BinaryField(_("public key (DER)"))
    public_key_sha256 = models.CharField(_("public key SHA-256"), max_length=64, unique=True)
    wrapped_key = models.BinaryField(_("encrypted private key"))
    kdf_salt = models.BinaryField(_("key derivation salt"))
    kdf = models.JSONField(_("key derivation parameters"))
    wrapped_by = models.CharField(_("wrapped under"), max_length=16, choices=WrappedBy.choices)
    certificate = models.BinaryField(_("certificate (DER)"))
    serial = models.CharField(_("serial number (hex)"), max_length=64, unique=True)
    subject = models.CharField(_("certificate subject"), max_length=512)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("revocation reason"), max_length=32, choices=RevocationReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    rewrapped_at = models.DateTimeField(_("re-wrapped at"), null=True, blank=True)

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True, purpose="person"),
                name="one_unrevoked_key_per_person",
            ),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(revoked_at__isnull=True, purpose="seal"),
                name="one_unrevoked_seal",
            ),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(revoked_at__isnull=True, purpose="tsa"),
                name="one_unrevoked_tsa",
            ),
            models.CheckConstraint(
                condition=Q(purpose="person", person__isnull=False)
                | Q(purpose__in=["seal", "tsa"], person__isnull=True),
                name="person_key_has_a_holder",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revocation_reason="")
                | Q(revoked_at__isnull=False) & ~Q(revocation_reason=""),
                name="revocation_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} #{self.serial[:16]}"

    @property
    def serial_int(self) -> int:
        return int(self.serial, 16)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def signature_image_name(sha256: str) -> str:
    """The stored name of a cleaned signature image: named by its content, so the same image is one file and
    a file once written is never replaced."""
    return f"signature-images/{sha256[:2]}/{sha256}.png"


def _signature_image_path(instance: "SignatureImage", filename: str) -> str:
    return signature_image_name(instance.sha256)


class SignatureImageQuerySet(AppendOnlyQuerySet["SignatureImage"]):
    pass


class SignatureImage(AppendOnlyModel):
    """ลายมือชื่อ: one enrolment of a person's handwritten signature image, cleaned to a transparent PNG.

    Enrolments are history, never changed or deleted (like signatures): the image in force for a person at a
    time is their latest row created at or before it, so a memo signed before a new enrolment keeps printing
    the image it was signed with. A row without a file withdraws the image (blocks print the e-signature line
    again from then on)."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("image"), upload_to=_signature_image_path, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    size = models.PositiveIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("enrolled at"))

    objects = SignatureImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature image")
        verbose_name_plural = _("signature images")
        ordering = ["person", "created_at"]
        indexes = [models.Index(fields=["person", "created_at"], name="signature_image_in_force")]

    def __str__(self) -> str:
        return f"{self.person} {self.created_at:%Y-%m-%d %H:%M} {self.sha256[:12] or '-'}"


# The signed PDF -----------------------------------------------------------------------------------------------


class SignedPdfUpdateQuerySet(AppendOnlyQuerySet["SignedPdfUpdate"]):
    pass


class SignedPdfUpdate(AppendOnlyModel):
    """One part of a revision's signed PDF, exactly as a PDF grows: the rendered document with its reserved
    signature fields (sequence 0), then each signature's incremental update (1 = the writer's certification,
    then one per step, then the long-term validation data and archive timestamp). The PDF as it stands is the
    concatenation of the parts in order; every earlier state is a prefix of it. Append-only, like signatures:
    written in the signing step's own transaction, so a signature and its PDF update commit or fail together."""

    revision = models.ForeignKey(
        MemoRevision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="signed_pdf_updates"
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    content = models.BinaryField(_("bytes appended"))
    # The SHA-256 of the whole PDF once this part is appended (the file a verifier gets at that moment).
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    size = models.PositiveIntegerField(_("size of the PDF"))
    field = models.CharField(_("signature field"), max_length=64, blank=True)
    fields = models.JSONField(
        _("reserved fields"), default=list, blank=True
    )  # sequence 0: [{name, page, box}]
    created_at = models.DateTimeField(_("created"))

    objects = SignedPdfUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("signed PDF update")
        verbose_name_plural = _("signed PDF updates")
        ordering = ["revision", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "sequence"], name="signed_pdf_update_unique_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.revision_id} #{self.sequence} {self.field or '-'} {self.sha256[:12]}"
