"""Which memo a verified PDF is about, for the public verification (signatures.verify_public): the signed
memo.json names a revision by its SHA-256 (and the memo's id, when present); this says what the viewer may
know of it.

The safe choice for someone who may not see the memo (anonymous, or not on its route): only that memoflow
holds such a revision (``known``), nothing about the memo — no id, number, subject or state. Whoever holds the
PDF knows its content already; "memoflow issued this revision" adds nothing else, and a revision's SHA-256 or
a memo's id cannot be guessed.
"""

import uuid
from typing import Any

from django.urls import reverse

from memos.models import MemoRevision
from signatures.verification import DocumentIdentity
from workflow.selectors import memo_visible_to

_HIDDEN: dict[str, Any] = {
    "id": None,
    "number": None,
    "subject": None,
    "status": None,
    "revision": None,
    "revision_sha256": None,
    "current": None,
    "url": None,
}


def memo_for_document(identity: DocumentIdentity, user: Any) -> dict[str, Any] | None:
    if not identity.revision_sha256:
        return None
    revisions = MemoRevision.objects.filter(sha256=identity.revision_sha256).select_related("memo")
    if identity.memo_id:
        try:
            revisions = revisions.filter(memo_id=uuid.UUID(identity.memo_id))
        except ValueError:
            return {"known": False, **_HIDDEN}
    revision = revisions.order_by("memo_id", "number").first()
    if revision is None:
        return {"known": False, **_HIDDEN}
    memo = revision.memo
    if user is None or not memo_visible_to(memo=memo, user=user):
        return {"known": True, **_HIDDEN}
    return {
        "known": True,
        "id": str(memo.pk),
        "number": memo.number or None,
        "subject": memo.subject,
        "status": memo.status,
        "revision": revision.number,
        "revision_sha256": revision.sha256,
        "current": memo.current_revision_id == revision.pk,
        "url": reverse("memo-page", kwargs={"memo_id": memo.pk}),
    }
