"""Reads of the signatures app that pages, the API and the PDF use."""

import base64
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from org.models import Person
from signatures.models import SignatureImage


def signature_image_in_force(*, person: Person, at: datetime | None = None) -> SignatureImage | None:
    """The person's signature image at ``at`` (now by default), or None when they have none (never enrolled,
    or withdrawn)."""
    latest = (
        SignatureImage.objects.filter(person=person, created_at__lte=at or timezone.now())
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.file else None


def signature_image_annotations(*, person_field: str, at_field: str) -> dict[str, Subquery[Any]]:
    """The signature image in force for ``person_field`` at ``at_field`` as annotations (the file's name and
    its SHA-256, both "" or None without one) on a query over rows that point at a person and a time, so a
    page loads every signer's image in the query it already makes (no query per signer)."""
    in_force = SignatureImage.objects.filter(
        person=OuterRef(person_field), created_at__lte=OuterRef(at_field)
    ).order_by("-created_at", "-pk")
    return {
        "signature_image_file": Subquery(in_force.values("file")[:1]),
        "signature_image_sha256": Subquery(in_force.values("sha256")[:1]),
    }


def signature_image_file_path(name: str) -> str:
    """The file on disk of a signature image's stored name (from ``signature_image_annotations``)."""
    return default_storage.path(name)


def signature_image_data_uri(image: SignatureImage) -> str:
    """The image as a data: URL, to show it on the person's own profile page (at most 200 KB)."""
    with image.file.open("rb") as stored:
        return "data:image/png;base64," + base64.b64encode(stored.read()).decode()
