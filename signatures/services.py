"""Writes of the signatures app: enrolling and withdrawing a person's signature image (ลายมือชื่อ)."""

from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.audit import RequestMeta, audit_event_append
from org.models import Person
from signatures.images import clean_signature_image, max_upload_bytes
from signatures.models import SignatureImage, signature_image_name


def _read(content: bytes | IO[bytes]) -> bytes:
    """The bytes, reading at most one byte more than the upload limit (the cleaner refuses that)."""
    if isinstance(content, bytes):
        return content
    return content.read(max_upload_bytes() + 1)


def signature_image_enrol(
    *, person: Person, content: bytes | IO[bytes], meta: RequestMeta | None = None
) -> SignatureImage:
    """Check and clean an uploaded or drawn image (PNG or JPEG) and make it the person's signature image from
    now on; raises ``ValidationFailed`` (field ``file``) saying why an image cannot be used. Memos signed
    before keep the image they were signed with."""
    cleaned = clean_signature_image(_read(content))
    image = SignatureImage(
        person=person,
        sha256=cleaned.sha256,
        width=cleaned.width,
        height=cleaned.height,
        size=len(cleaned.png),
    )
    name = signature_image_name(cleaned.sha256)
    # Content-addressed: a file of this name holds these very bytes; it is written once and never replaced.
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(cleaned.png))
    image.file.name = name
    with transaction.atomic(durable=True):
        image.created_at = timezone.now()
        image.save()
        audit_event_append(
            action="signature_image.enrolled",
            obj=image,
            actor=person,
            data={"sha256": cleaned.sha256, "width": cleaned.width, "height": cleaned.height},
            meta=meta,
        )
    return image


def signature_image_withdraw(*, person: Person, meta: RequestMeta | None = None) -> SignatureImage:
    """From now on the person has no signature image (their blocks print the e-signature line)."""
    with transaction.atomic(durable=True):
        image = SignatureImage.objects.create(person=person, created_at=timezone.now())
        audit_event_append(action="signature_image.withdrawn", obj=image, actor=person, meta=meta)
    return image
