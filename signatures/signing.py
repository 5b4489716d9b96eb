"""Signing a revision's PDF: the services the workflow's step services call (docs/adr/0007-pdf-signatures.md).

A revision's signed PDF is stored as it grows (`SignedPdfUpdate`, append-only): the rendered document with a
reserved field per step, the writer's certification, each step's signature, the long-term validation data.
Each function here appends one part inside the caller's transaction and returns the whole PDF, so a step's
signature row and its PDF update commit together, or neither does. The caller holds the memo's lock (the
workflow's process lock), which keeps the parts of one revision in order.

Knows documents, people and keys, not routes: the caller names the field, the block's formatted text and
whether the signature certifies.
"""

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, F
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from core.errors import InvalidState, ValidationFailed
from memos.models import MemoRevision
from signatures import pdf_signing, services
from signatures.appearance import BlockOverflow, StepBlock, fit_block
from signatures.keystore import UnwrappedSigner, seal_signer
from signatures.models import SignedPdfUpdate, SigningKey
from signatures.selectors import active_seal, verification_trust
from signatures.tsa import OrganisationTimeStamper, configured_timestamper
from signatures.verification import COMPROMISE_REASONS


class KeyRetired(InvalidState):
    code = "signing_key_retired"
    default_message = _(
        "Your signing key was replaced a moment ago (a password change or reset). Sign again."
    )


@dataclass(frozen=True)
class SignedPdf:
    """A revision's signed PDF as it stands, and the fields reserved in it."""

    content: bytes
    fields: dict[str, pdf_signing.FieldSpec]
    signed: list[str]  # the fields signed so far, in order
    sequence: int  # the last part's


def signed_pdf(*, revision: MemoRevision) -> SignedPdf | None:
    """The revision's signed PDF (its parts concatenated), or None when it has none."""
    parts = list(SignedPdfUpdate.objects.filter(revision=revision).order_by("sequence"))
    if not parts:
        return None
    fields = {
        f["name"]: pdf_signing.FieldSpec(f["name"], f["page"], tuple(f["box"])) for f in parts[0].fields
    }
    content = b"".join(bytes(p.content) for p in parts)
    if hashlib.sha256(content).hexdigest() != parts[-1].sha256:
        raise InvalidState(_("The stored signed PDF does not match its recorded hash."))
    return SignedPdf(
        content=content,
        fields=fields,
        signed=[p.field for p in parts[1:] if p.field],
        sequence=parts[-1].sequence,
    )


def signed_pdf_sha256(*, revision: MemoRevision) -> str | None:
    """The SHA-256 of the revision's signed PDF as it stands (one query), or None."""
    return (
        SignedPdfUpdate.objects.filter(revision=revision)
        .order_by("-sequence")
        .values_list("sha256", flat=True)
        .first()
    )


def current_revision_signed_on_pdf(*, memo_id: Any) -> bool:
    """Whether the memo's current revision has a signed PDF (one query)."""
    return SignedPdfUpdate.objects.filter(
        revision__memo_id=memo_id, revision__memo__current_revision_id=F("revision_id")
    ).exists()


def signed_on_pdf(*, revision_ref: Any) -> Exists:
    """`current_revision_signed_on_pdf` as an expression, for a query that already loads the step or memo:
    `revision_ref` is the revision's id, e.g. OuterRef("memo__current_revision_id")."""
    return Exists(SignedPdfUpdate.objects.filter(revision_id=revision_ref))


def has_signed_pdf(*, revision_id: Any) -> bool:
    """Whether the revision has a signed PDF (one query)."""
    return SignedPdfUpdate.objects.filter(revision_id=revision_id).exists()


def _append(
    *, revision: MemoRevision, before: bytes, after: bytes, sequence: int, now: datetime, **extra: Any
) -> SignedPdfUpdate:
    if not after.startswith(before):
        raise ValueError("a signature must be an incremental update of the PDF before it")
    return SignedPdfUpdate.objects.create(
        revision=revision,
        sequence=sequence,
        content=after[len(before) :],
        sha256=hashlib.sha256(after).hexdigest(),
        size=len(after),
        created_at=now,
        **extra,
    )


def signed_pdf_start(
    *, revision: MemoRevision, pdf: bytes, fields: list[pdf_signing.FieldSpec], now: datetime
) -> SignedPdf:
    """The revision's PDF with an empty signature field per step (reserved before the first signature)."""
    if SignedPdfUpdate.objects.filter(revision=revision).exists():
        raise InvalidState(_("This revision's PDF has been prepared for signing already."))
    reserved = pdf_signing.reserve_signature_fields(pdf, fields)
    SignedPdfUpdate.objects.create(
        revision=revision,
        sequence=0,
        content=reserved,
        sha256=hashlib.sha256(reserved).hexdigest(),
        size=len(reserved),
        fields=[{"name": f.name, "page": f.page, "box": list(f.box)} for f in fields],
        created_at=now,
    )
    return SignedPdf(reserved, {f.name: f for f in fields}, [], 0)


def step_appearance(*, box: pdf_signing.FieldSpec, block: StepBlock) -> bytes:
    """The block laid out for the field's box; a text too long even at the smallest size is refused before
    anything is signed (the user shortens it; nothing is clipped)."""
    try:
        return fit_block(block, width=box.width, height=box.height)
    except BlockOverflow as error:
        raise ValidationFailed(
            fields={
                "opinion": [
                    _(
                        "The text does not fit the signature's box on the memo even in small print: "
                        "shorten it, or attach the details as an enclosure."
                    )
                ]
            }
        ) from error


def pdf_sign(
    *,
    revision: MemoRevision,
    field: str,
    signer: UnwrappedSigner,
    block: StepBlock,
    reason: str,
    location: str,
    now: datetime,
    certify: bool = False,
) -> SignedPdfUpdate:
    """The signer's PAdES signature in its reserved `field`, the block as its visible appearance, timestamped
    when a TSA is configured; `certify` for the writer's (DocMDP: later signatures only). Returns the part."""
    current = signed_pdf(revision=revision)
    if current is None:
        raise InvalidState(_("This revision has no PDF prepared for signing."))
    box = current.fields.get(field)
    if box is None or field in current.signed:
        raise InvalidState(_("This step's signature field is missing or signed already."))
    if certify != (not current.signed):
        raise InvalidState(_("The writer's certification must be the PDF's first signature."))
    # The key was opened before the step's transaction; a reset or a revocation committed since retired it.
    if SigningKey.objects.filter(pk=signer.key.pk, revoked_at__isnull=True).count() != 1:
        raise KeyRetired()
    appearance = step_appearance(box=box, block=block)
    sign = pdf_signing.certify if certify else pdf_signing.sign_field
    content = sign(
        current.content,
        field,
        signer.signer,
        appearance_pdf=appearance,
        timestamper=configured_timestamper(),
        reason=reason,
        location=location,
    )
    return _append(
        revision=revision,
        before=current.content,
        after=content,
        sequence=current.sequence + 1,
        now=now,
        field=field,
    )


def pdf_finish(*, revision: MemoRevision, now: datetime, unsigned: Collection[str] = ()) -> bytes:
    """On completion: every certificate's revocation data in the PDF, then the archive timestamp (B-LTA), or
    without a TSA the organisation's seal (ADR 0007). Idempotent: a finished PDF is returned as it is.
    `unsigned`: the fields the caller knows were to stay empty (a step skipped); any other empty field refuses."""
    current = signed_pdf(revision=revision)
    if current is None:
        raise InvalidState(_("This revision has no signed PDF."))
    if current.sequence > len(current.signed):  # the last part carries no field: the finishing update
        return current.content
    missing = set(current.fields) - set(current.signed) - set(unsigned)
    if missing:
        raise InvalidState(_("Every step must sign before the PDF is closed."))
    services.crls_refresh()
    trust = verification_trust()
    context = trust.context()

    def context_for(embedded: EmbeddedPdfSignature) -> ValidationContext:
        """Now, or at the signing time for a key retired since for another reason than compromise (a reset,
        an expiry): what it signed before stays valid for that time. A compromised key's signature keeps the
        present context, whose validation refuses it: such a memo is not archived as valid."""
        cert = embedded.signer_cert
        revoked = trust.revocation(cert)
        expired = cert.not_valid_after < now
        if (revoked is None and not expired) or (revoked is not None and revoked[1] in COMPROMISE_REASONS):
            return context
        moment = pdf_signing.signing_moment(embedded)
        return trust.context(moment=moment) if moment is not None else context

    timestamper = configured_timestamper()
    own_tsa = timestamper is None or isinstance(timestamper, OrganisationTimeStamper)
    options: dict[str, Any] = {"context_for": context_for, "include_timestamps": own_tsa}
    if timestamper is None and active_seal() is not None:
        with seal_signer() as seal:
            content = pdf_signing.finish_ltv(
                current.content,
                validation_context=context,
                timestamper=None,
                seal_signer=seal.signer,
                **options,
            )
    else:
        content = pdf_signing.finish_ltv(
            current.content, validation_context=context, timestamper=timestamper, **options
        )
    _append(revision=revision, before=current.content, after=content, sequence=current.sequence + 1, now=now)
    return content
