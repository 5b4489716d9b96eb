"""Views and downloads of a memo's files in the audit log (issue 12): the memo's PDF (the stored render, or the
archived file), its signed PDF, its certificate of completion and each enclosure's original, one
`memo.downloaded` event per file sent, with who, which file and its SHA-256, from where.

Written before the response leaves, in its own transaction: a file whose download could not be recorded is not
sent. What is not a download, and not recorded: HEAD (no content), an answer without the file (202 pending, 503,
404, 403), the memo page's PDF panel (it frames the PDF, whose own request is recorded). memoflow answers no
Range request with partial content and sends no validators, so there is no 206 or 304: every GET that is
answered 200 sends the whole file and is one event.
"""

from typing import Any

from django.db import transaction

from core.audit import RequestMeta, audit_event_append
from memos.models import Memo
from org.models import Person

#: What was sent (data["document"]).
DOCUMENTS = ("pdf", "archived_pdf", "signed_pdf", "certificate", "enclosure")


def memo_download_record(
    *,
    memo: Memo,
    actor: Person,
    document: str,
    sha256: str,
    file_name: str = "",
    meta: RequestMeta | None = None,
    **details: Any,
) -> None:
    """One `memo.downloaded` event; `details` (revision, enclosure, order) are kept as given."""
    if document not in DOCUMENTS:
        raise ValueError(f"unknown document {document!r}")
    with transaction.atomic(durable=True):
        audit_event_append(
            action="memo.downloaded",
            obj=memo,
            actor=actor,
            data={"document": document, "sha256": sha256, "file_name": file_name, **details},
            meta=meta,
        )
