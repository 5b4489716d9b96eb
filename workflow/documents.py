"""The memo's PDF, rendered once per change by the render worker and served from storage.

A request never renders. Every service that changes what the PDF prints calls ``memo_pdf_schedule`` inside its
own transaction: it marks the memo's ``RenderedPdf`` row queued and enqueues one ``render_memo_document`` job on
the "render" queue (one statement when a job is queued already: changes made while it waits are picked up by
it, since the job reads the memo when it starts). The job computes the document key (a hash of everything
printed, ``workflow.pdf.document_key``), renders in a child process with a time limit and stores the file.

Pages and the API ask ``memo_pdf_status``: the stored file is served when its key is the memo's current key;
otherwise the document is being prepared (queued or running), or it failed for this key (a time-out, shown
with a message), or — a change that reached no service, such as a new acting appointment — nothing is on its
way, and ``memo_pdf_request`` enqueues a job (idempotent).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.batch import Batch
from memos.models import Memo, MemoStatus, RenderedPdf, RenderJob

logger = logging.getLogger(__name__)

#: Seconds added to the render time limit after which a running job is taken for dead (its worker was killed).
RUNNING_GRACE: Final = 60


def _enqueue(memo_id: Any) -> None:
    from workflow.tasks import render_memo_document

    render_memo_document.enqueue(str(memo_id))


def memo_pdf_schedule(*, memo: Memo, batch: Batch | None = None) -> None:
    """Have the memo's PDF rendered again after the change being made. Call inside the changing service's
    transaction: the job exists only if the change commits. Deduplicated: while a job is queued (not yet
    started) for the memo, nothing more is enqueued. Archived memos serve their archived file. With `batch`
    (core.batch), the request is sent with the batch's writes, and the job enqueued after them if needed."""
    if memo.status == MemoStatus.ARCHIVED:
        return
    sql, values = _mark_queued_statement(memo.pk, timezone.now())
    memo_id = memo.pk

    def marked(rows: list[tuple[Any, ...]]) -> None:
        if rows:
            _enqueue(memo_id)

    target = batch if batch is not None else Batch()
    target.add(sql, values, returning=("id",), then=marked)
    if batch is None:
        target.run()


def _mark_queued_statement(memo_id: Any, now: Any) -> tuple[str, list[Any]]:
    """The upsert that marks the memo's RenderedPdf row queued, creating it if missing (PostgreSQL, SQLite ≥
    3.35). It returns a row when the row was not queued already, so a job must be enqueued. A row queued
    already is left as it is: that job, not started yet, will render this change too. Concurrent changes of one
    memo meet on the row's unique memo_id, so only one of them enqueues."""
    table = connection.ops.quote_name(RenderedPdf._meta.db_table)
    values = [
        RenderedPdf._meta.get_field("memo").get_db_prep_value(memo_id, connection),
        RenderJob.QUEUED,
        RenderedPdf._meta.get_field("requested_at").get_db_prep_value(now, connection),
        RenderJob.QUEUED,
    ]
    sql = (
        f"INSERT INTO {table} (memo_id, job, requested_at, attempt, {connection.ops.quote_name('key')}, file, "  # noqa: S608 - the model's own table
        "sha256, size, render_ms, failed_key, error) VALUES (%s, %s, %s, 0, '', '', '', 0, 0, '', '') "
        "ON CONFLICT (memo_id) DO UPDATE SET job = excluded.job, requested_at = excluded.requested_at "
        f"WHERE {table}.job <> %s RETURNING id"
    )
    return sql, values


def memo_pdf_request(*, memo: Memo) -> None:
    """The safety net of pages and the API: enqueue a render when none is on its way (idempotent)."""
    with transaction.atomic(durable=True):
        memo_pdf_schedule(memo=memo)


# What pages and the API serve ---------------------------------------------------------------------------


PENDING_MESSAGE = _("The document is being prepared…")
TIMEOUT_MESSAGE = _(
    "The document could not be prepared: it took longer than the time allowed. Make the enclosures fewer or "
    "smaller and save the memo again, or tell the administrator."
)
FAILED_MESSAGE = _("The document could not be prepared. Tell the administrator.")


@dataclass(frozen=True)
class PdfStatus:
    """``state``: "archived" (serve the archive), "ready" (serve ``stored``), "pending" or "failed"."""

    state: str
    stored: RenderedPdf | None = None
    error: str = ""  # with "failed": "timeout" | "error"

    @property
    def message(self) -> str | Promise:
        if self.state == "failed":
            return TIMEOUT_MESSAGE if self.error == "timeout" else FAILED_MESSAGE
        return PENDING_MESSAGE if self.state == "pending" else ""


def _running_too_long(row: RenderedPdf, now: Any) -> bool:
    limit = float(getattr(settings, "MEMOFLOW_PDF_RENDER_TIMEOUT", 60.0)) + RUNNING_GRACE
    return row.job == RenderJob.RUNNING and (
        row.started_at is None or now - row.started_at > timedelta(seconds=limit)
    )


def memo_pdf_status(*, memo: Memo, request_missing: bool = True) -> PdfStatus:
    """Where the memo's PDF is, without rendering: a few queries to compute the current document key, one for
    the stored row. With ``request_missing``, a render is enqueued when none is on its way for this key."""
    if memo.status == MemoStatus.ARCHIVED:
        return PdfStatus("archived")
    from workflow.pdf import document_key, render_input

    # The route memo_get loaded already (with its signatures), so the key costs no second read of it.
    key = document_key(render_input(memo, steps=getattr(memo, "route_steps", None)))
    row = RenderedPdf.objects.filter(memo_id=memo.pk).first()
    if row is not None and row.key == key and row.file:
        return PdfStatus("ready", stored=row)
    if row is not None and row.job == RenderJob.QUEUED:
        return PdfStatus("pending")
    if row is not None and row.job == RenderJob.RUNNING and not _running_too_long(row, timezone.now()):
        return PdfStatus("pending")
    if row is not None and row.failed_key == key and row.job == RenderJob.IDLE:
        return PdfStatus("failed", error=row.error or "error")
    if request_missing:
        memo_pdf_request(memo=memo)
    return PdfStatus("pending")


# The render job -----------------------------------------------------------------------------------------


def _load(memo_id: Any) -> Memo:
    return Memo.objects.select_related(
        "organisation", "writer", "writer_position", "unit", "current_revision"
    ).get(pk=memo_id)


def memo_pdf_render(*, memo_id: Any) -> str:
    """Render the memo's PDF as it stands now and store it: the worker's side of ``memo_pdf_schedule``.

    Returns "rendered", "unchanged" (the stored file is already this key's) or "archived". A render that takes
    longer than ``MEMOFLOW_PDF_RENDER_TIMEOUT`` is killed: the failure is recorded for this key (the page then
    says so instead of waiting) and ``RenderTimeout`` is raised, so the job fails.
    """
    from memos.pdf.isolation import RenderFailed, RenderTimeout
    from workflow.pdf import document_key, render_input, render_limited

    with transaction.atomic(durable=True):
        row, _created = RenderedPdf.objects.select_for_update().get_or_create(memo_id=memo_id)
        row.attempt += 1
        row.job = RenderJob.RUNNING
        row.started_at = timezone.now()
        row.save(update_fields=["attempt", "job", "started_at"])
        attempt = row.attempt
    memo = _load(memo_id)
    if memo.status == MemoStatus.ARCHIVED:
        _finish(memo_id, attempt)
        return "archived"
    data = render_input(memo)
    key = document_key(data)
    if row.key == key and row.file:
        _finish(memo_id, attempt)
        return "unchanged"
    started = time.monotonic()
    try:
        content, _seconds = render_limited(data)
    except RenderFailed as error:
        _fail(memo_id, attempt, key, "timeout" if isinstance(error, RenderTimeout) else "error")
        logger.warning("memo %s: PDF not rendered: %s", memo_id, error.detail.strip().splitlines()[-1:])
        raise
    elapsed_ms = round((time.monotonic() - started) * 1000)
    _store(memo_id, attempt, key, content, elapsed_ms)
    logger.info("memo %s: PDF rendered in %d ms (%d bytes)", memo_id, elapsed_ms, len(content))
    return "rendered"


def _finish(memo_id: Any, attempt: int) -> None:
    """Back to idle, unless the memo changed since this run started (a new job is queued) or a newer run
    took over."""
    RenderedPdf.objects.filter(memo_id=memo_id, attempt=attempt, job=RenderJob.RUNNING).update(
        job=RenderJob.IDLE
    )


def _fail(memo_id: Any, attempt: int, key: str, error: str) -> None:
    with transaction.atomic(durable=True):
        RenderedPdf.objects.filter(memo_id=memo_id, attempt=attempt).update(failed_key=key, error=error)
        _finish(memo_id, attempt)


def _store(memo_id: Any, attempt: int, key: str, content: bytes, elapsed_ms: int) -> None:
    """Save the file, then point the row at it if no newer run started meanwhile (else the newer run's file
    is the one to keep, and ours is deleted). The replaced file is deleted after the commit."""
    placeholder = RenderedPdf(memo_id=memo_id)
    name = placeholder.file.field.generate_filename(placeholder, f"{key}.pdf")
    stored_name = placeholder.file.storage.save(name, ContentFile(content))
    with transaction.atomic(durable=True):
        row = RenderedPdf.objects.select_for_update().get(memo_id=memo_id)
        if row.attempt != attempt:
            transaction.on_commit(lambda: placeholder.file.storage.delete(stored_name))
            return
        replaced = row.file.name
        row.key = key
        row.file.name = stored_name
        row.sha256 = hashlib.sha256(content).hexdigest()
        row.size = len(content)
        row.rendered_at = timezone.now()
        row.render_ms = elapsed_ms
        row.failed_key = ""
        row.error = ""
        row.save(
            update_fields=["key", "file", "sha256", "size", "rendered_at", "render_ms", "failed_key", "error"]
        )
        _finish(memo_id, attempt)
        if replaced and replaced != stored_name:
            transaction.on_commit(lambda: placeholder.file.storage.delete(replaced))
