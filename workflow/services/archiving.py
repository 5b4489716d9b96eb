"""Archiving a completed memo: its final PDF rendered once, stored with its digest, the memo archived."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_event_append
from core.errors import InvalidState
from memos.models import Memo, MemoStatus
from workflow.services._common import _memo_locked


def memo_archive(*, memo_id: Any) -> Memo:
    """Render the completed memo's final PDF once, store it in the archive and mark the memo archived.

    Rendering happens outside any transaction (it takes a while and locks nothing); the file name carries
    the content's hash, so a retried job never meets a half-written or different file under its name. Run
    by the background worker (workflow.tasks.archive_memo), enqueued when the last step signs."""
    from memos import archive
    from memos.pdf.pdfa import labelled_pdfa
    from workflow.certificate import certificate_archive, certificate_event
    from workflow.pdf import archive_relative_name

    memo = Memo.objects.select_related("organisation", "writer", "writer_position", "current_revision").get(
        pk=memo_id
    )
    if memo.status == MemoStatus.ARCHIVED:
        return memo
    if memo.status != MemoStatus.COMPLETED:
        raise InvalidState(_("Only a completed memo is archived."))
    # Idempotent: a copy left by a run whose worker died before the row was updated is reused, not rendered again.
    stored = archive.store_once(base_name=archive_relative_name(memo), render=lambda: _final_pdf(memo))
    relative_name, digest = stored.relative_name, stored.sha256
    # False when an uploaded PDF could not be made to conform (the render worker's log says why).
    pdfa = labelled_pdfa(archive.open_archived(relative_name).read_bytes())
    # The sealed certificate of completion beside it, stored once too (None when the organisation has no seal).
    certificate = certificate_archive(memo=memo, memo_relative_name=relative_name, memo_sha256=digest)
    with _memo_locked(memo.pk) as locked:
        if locked.status == MemoStatus.ARCHIVED:  # another worker finished first; ours is an orphan copy
            return locked
        locked.archive()
        now = timezone.now()
        locked.archive_file = relative_name
        locked.archive_sha256 = digest
        locked.archived_at = now
        locked.status_changed_at = now
        locked.certificate_file = certificate.relative_name if certificate else ""
        locked.certificate_sha256 = certificate.sha256 if certificate else ""
        locked.save(
            update_fields=[
                "status",
                "archive_file",
                "archive_sha256",
                "archived_at",
                "status_changed_at",
                "certificate_file",
                "certificate_sha256",
            ]
        )
        audit_event_append(
            action=archive.ARCHIVED_ACTION,
            obj=locked,
            actor=None,
            data={
                "file": relative_name,
                "sha256": digest,
                "bytes": stored.size,
                "pdfa": pdfa,
                "certificate": certificate_event(certificate),
            },
        )
        from workflow import notify

        notify.archived(locked)
    return locked


def _final_pdf(memo: Memo) -> bytes:
    """The archived PDF: the revision's signed PDF closed with revocation data and an archive timestamp
    (signatures.signing.pdf_finish, under the memo's lock: one closing update), or, for a memo whose route
    was signed without PDF signatures, the final PDF/A rendered now."""
    from signatures import signing
    from workflow.pdf import render_memo_pdf

    revision = memo.current_revision
    if revision is not None and signing.signed_pdf_sha256(revision=revision) is not None:
        from workflow.models import RouteStep, StepState
        from workflow.pdf import field_name
        from workflow.services._common import _route_round

        skipped = RouteStep.objects.filter(memo=memo, round=_route_round(memo), state=StepState.SKIPPED)
        with _memo_locked(memo.pk):  # a step skipped (separation of duties) leaves its field empty
            return signing.pdf_finish(
                revision=revision, now=timezone.now(), unsigned=[field_name(s) for s in skipped]
            )
    return render_memo_pdf(memo, final=True)
