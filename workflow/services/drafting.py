"""Writing a draft: create it, change its content and route, attach, replace and remove enclosures (while draft
or returned)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import RequestMeta
from core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from memos import services as memo_services
from memos.attachments import inspect_upload
from memos.models import EDITABLE_STATUSES, Enclosure, Memo
from org.models import Person, Position
from workflow.documents import memo_pdf_schedule
from workflow.models import RouteStep
from workflow.search import memo_search_refresh
from workflow.services._common import _audit, _memo_locked, _route_round
from workflow.services.routes import PlannedStep, _steps_from_plan, _validate_route, route_plan_for


def memo_create(
    *,
    writer: Person,
    subject: str,
    body: str,
    addressee: str | None = None,
    department: str | None = None,
    urgency: str | None = None,
    secrecy: str | None = None,
    writer_position: Position | None = None,
    meta: RequestMeta | None = None,
) -> Memo:
    """A new draft, in the writer's position and unit, with the route copied from its template."""
    if writer_position is None:
        writer_position = (
            Position.objects.select_related("unit", "organisation").filter(holder=writer).first()
        )
    elif writer_position.holder_id != writer.pk:
        raise Forbidden(_("You can only write a memo in a position you hold."))
    if writer_position is None:
        raise ValidationFailed(_("You hold no position, so you cannot write a memo."))
    cleaned = memo_services.clean_content(
        subject=subject,
        body=body,
        addressee=addressee,
        department=department,
        urgency=urgency,
        secrecy=secrecy,
    )
    unit = writer_position.unit
    memo = Memo(
        organisation=writer_position.organisation,
        writer=writer,
        writer_position=writer_position,
        unit=unit,
        department=cleaned.get("department")
        or memo_services.default_department(memo_unit=unit, organisation=writer_position.organisation),
        subject=cleaned["subject"],
        body=cleaned["body"],
        addressee=cleaned.get("addressee", ""),
        urgency=cleaned.get("urgency") or "normal",
        secrecy=cleaned.get("secrecy", ""),
    )
    planned = route_plan_for(writer_position=writer_position)
    with transaction.atomic(durable=True):
        memo.save()
        RouteStep.objects.bulk_create(_steps_from_plan(memo=memo, round_=1, planned=planned))
        memo_search_refresh(memo_id=memo.pk)
        memo_pdf_schedule(memo=memo)
        _audit("memo.created", memo, writer, meta, subject=memo.subject, secrecy=memo.secrecy)
    return memo


def _require_writer_and_editable(memo: Memo, actor: Person) -> None:
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can change this memo."))
    if memo.status not in EDITABLE_STATUSES:
        raise InvalidState(_("The memo can be changed only while it is a draft or returned for revision."))


def memo_update(*, memo: Memo, actor: Person, meta: RequestMeta | None = None, **changes: Any) -> Memo:
    allowed = {"subject", "body", "addressee", "department", "urgency", "secrecy"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)}
        )
    cleaned = memo_services.clean_content(**changes)
    with _memo_locked(memo.pk) as locked:
        _require_writer_and_editable(locked, actor)
        secrecy_before = locked.secrecy
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*cleaned, "updated_at"])
        memo_search_refresh(memo_id=locked.pk)
        memo_pdf_schedule(memo=locked)
        # The class after the change, always; and what it was when this change set it.
        reclassified = {"secrecy_before": secrecy_before} if locked.secrecy != secrecy_before else {}
        _audit(
            "memo.changed",
            locked,
            actor,
            meta,
            fields=sorted(cleaned),
            secrecy=locked.secrecy,
            **reclassified,
        )
    return locked


def memo_route_set(
    *, memo: Memo, actor: Person, steps: list[tuple[Position, str]], meta: RequestMeta | None = None
) -> list[RouteStep]:
    """Replace the route after the writer (add, remove, reorder positions) while draft or returned."""
    planned = [PlannedStep(role=role, position=position) for position, role in steps]
    with _memo_locked(memo.pk) as locked:
        _require_writer_and_editable(locked, actor)
        _validate_route(memo=locked, planned=planned)
        round_ = _route_round(locked)
        RouteStep.objects.filter(memo=locked, round=round_, order__gt=0).delete()
        created = RouteStep.objects.bulk_create(
            _steps_from_plan(memo=locked, round_=round_, planned=planned)[1:]
        )
        memo_pdf_schedule(memo=locked)
        _audit(
            "memo.route_changed",
            locked,
            actor,
            meta,
            route=[{"role": p.role, "position": p.position.title} for p in planned],
        )
    return created


def _writers_upload(memo: Memo, actor: Person, upload: Any) -> Any:
    """The writer's file, inspected before any lock is taken (type, size, pixels); anyone else is refused."""
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can change this memo."))
    return inspect_upload(
        upload,
        filename=getattr(upload, "name", ""),
        declared_content_type=getattr(upload, "content_type", None),
    )


def enclosure_add(
    *, memo: Memo, actor: Person, title: str, upload: Any, meta: RequestMeta | None = None
) -> Enclosure:
    """Attach a PDF, PNG or JPEG; refused files leave nothing behind, on disk or in the database."""
    inspected = _writers_upload(memo, actor, upload)
    stored: Enclosure | None = None
    try:
        with _memo_locked(memo.pk) as locked:
            _require_writer_and_editable(locked, actor)
            stored = memo_services.enclosure_store(
                memo=locked, title=title, upload=upload, inspected=inspected
            )
            memo_pdf_schedule(memo=locked)
            _audit("memo.enclosure_added", locked, actor, meta, title=stored.title, sha256=stored.sha256)
    except BaseException:
        if stored is not None and stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise
    return stored


def enclosure_add_table(
    *, memo: Memo, actor: Person, title: str, table: dict[str, Any], meta: RequestMeta | None = None
) -> Enclosure:
    """Attach a report table kept as structured rows (rendered to landscape pages with the memo's PDF)."""
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can change this memo."))
    columns, rows = table.get("columns"), table.get("rows")
    if not isinstance(columns, list) or not isinstance(rows, list) or not columns:
        raise ValidationFailed(fields={"table": [_("A table needs a list of columns and a list of rows.")]})
    if any(not isinstance(row, list) or len(row) != len(columns) for row in rows):
        raise ValidationFailed(fields={"table": [_("Every row must have one cell per column.")]})
    with _memo_locked(memo.pk) as locked:
        _require_writer_and_editable(locked, actor)
        enclosure = memo_services.enclosure_store_table(memo=locked, title=title, table=table)
        memo_pdf_schedule(memo=locked)
        _audit("memo.enclosure_added", locked, actor, meta, title=enclosure.title, table_rows=len(rows))
    return enclosure


def _enclosure_of(memo: Memo, enclosure_id: Any) -> Enclosure:
    enclosure = Enclosure.objects.filter(memo=memo, pk=enclosure_id).first()
    if enclosure is None:
        raise NotFound(_("This enclosure is no longer attached to the memo."))
    return enclosure


def _enclosure_facts(enclosure: Enclosure) -> dict[str, Any]:
    """What the audit keeps of an enclosure that leaves the memo. Its file stays in storage, where this names it:
    a revision signed before may list it by its SHA-256, so it must stay to be checked against it."""
    return {
        "enclosure": str(enclosure.pk),
        "order": enclosure.order,
        "title": enclosure.title,
        "file": enclosure.file.name or "",
        "original_name": enclosure.original_name,
        "sha256": enclosure.sha256,
        "size": enclosure.size,
    }


def enclosure_remove(
    *, memo: Memo, actor: Person, enclosure_id: Any, meta: RequestMeta | None = None
) -> Enclosure:
    """Take an enclosure off the memo (the writer, while draft or returned). The ones after it move up a number
    when the memo is printed; its file is kept in storage and named in the audit event."""
    if memo.writer_id != actor.pk:
        raise Forbidden(_("Only the writer can change this memo."))
    with _memo_locked(memo.pk) as locked:
        _require_writer_and_editable(locked, actor)
        enclosure = _enclosure_of(locked, enclosure_id)
        facts = _enclosure_facts(enclosure)
        Enclosure.objects.filter(pk=enclosure.pk).delete()
        memo_pdf_schedule(memo=locked)
        _audit("memo.enclosure_removed", locked, actor, meta, **facts)
    return enclosure


def enclosure_replace(
    *,
    memo: Memo,
    actor: Person,
    enclosure_id: Any,
    upload: Any,
    title: str | None = None,
    meta: RequestMeta | None = None,
) -> Enclosure:
    """Put a new file in an enclosure's place: same number in the memo's list, same title unless a new one is
    given. The file checks and the memo's limits are those of `enclosure_add`, counted without the file
    replaced; a refused file changes nothing. The replaced file is kept in storage, named in the audit event."""
    inspected = _writers_upload(memo, actor, upload)
    stored: Enclosure | None = None
    try:
        with _memo_locked(memo.pk) as locked:
            _require_writer_and_editable(locked, actor)
            old = _enclosure_of(locked, enclosure_id)
            facts = _enclosure_facts(old)
            Enclosure.objects.filter(pk=old.pk).delete()  # frees its number, and its share of the limits
            stored = memo_services.enclosure_store(
                memo=locked, title=(title or "").strip() or old.title, upload=upload, inspected=inspected
            )
            stored.order = old.order
            stored.save(update_fields=["order"])
            memo_pdf_schedule(memo=locked)
            _audit(
                "memo.enclosure_replaced",
                locked,
                actor,
                meta,
                replaced=facts,
                title=stored.title,
                order=stored.order,
                sha256=stored.sha256,
            )
    except BaseException:
        if stored is not None and stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise
    return stored
