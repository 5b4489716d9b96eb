"""Signatures: the evidence that a person signed a revision, in a position and capacity, at a time, from where.

Signing knows memos and people, never routes: the route step points at its signature (`RouteStep.signature`),
so a Signature row is written once and never changed (docs/architecture.md)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.append_only import AppendOnlyModel, AppendOnlyQuerySet
from memos.models import Memo, MemoRevision
from org.models import Person, Position


class SignatureMethod(models.TextChoices):
    PASSWORD = "password", _("Password confirmation (step-up)")


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

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["memo", "signed_at"]

    def __str__(self) -> str:
        return f"{self.signer} {self.signed_at:%Y-%m-%d %H:%M} {self.revision_sha256[:12]}"


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
