"""Appending to the audit log; callers are services, inside their own transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from core import audit_chain
from core.errors import ValidationFailed
from core.models import AuditEvent, AuditHead
from core.net import client_ip


@dataclass(frozen=True)
class RequestMeta:
    """Where an action came from: kept with every audit event that a person caused."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: Any) -> "RequestMeta":
        if request is None:
            return cls()
        meta = getattr(request, "META", {})
        return cls(ip_address=client_ip(request), user_agent=meta.get("HTTP_USER_AGENT", "")[:512])


def audit_event_append(
    *,
    action: str,
    obj: models.Model,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> AuditEvent:
    """Append one event to the chain: the head row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already write one at a time) until the caller's transaction ends, so the next
    sequence number is this one's plus one and nothing can come between. One query more than a plain INSERT:
    the head's lock (the INSERT's trigger moves the head: core.audit_head)."""
    meta = meta or RequestMeta()
    with transaction.atomic(savepoint=False):  # a transaction when called outside one; never a savepoint
        return _append(action=action, obj=obj, actor=actor, data=data, meta=meta)


def _append(
    *, action: str, obj: models.Model, actor: Any, data: dict[str, Any] | None, meta: RequestMeta
) -> AuditEvent:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = _head_created()
    event = AuditEvent(
        sequence=head.sequence + 1,
        at=timezone.now(),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk) if obj.pk is not None else "",  # e.g. a sign-in with an unknown username
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        data=data or {},
        ip_address=meta.ip_address or None,
        user_agent=meta.user_agent,
        prev_hash=head.hash,
    )
    event.hash = audit_chain.chain_hash(
        event.prev_hash,
        audit_chain.canonical(
            sequence=event.sequence,
            id=event.id,
            at=event.at,
            actor_id=event.actor_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            data=event.data,
            ip_address=event.ip_address,
            user_agent=event.user_agent,
        ),
    )
    event.save(force_insert=True)  # the head moves to it in the same statement (core.audit_head's trigger)
    return event


def _head_created() -> AuditHead:
    """The head row when it is missing (a database emptied by a test's flush): made from the chain's last event,
    by whichever writer comes first (ON CONFLICT DO NOTHING), then locked."""
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, hash_ = last if last is not None else (0, audit_chain.GENESIS)
    AuditHead.objects.bulk_create([AuditHead(pk=1, sequence=sequence, hash=hash_)], ignore_conflicts=True)
    return AuditHead.objects.select_for_update().get(pk=1)


def audited_save[Saved: models.Model](
    *,
    obj: Saved,
    action: str,
    values: Callable[[Saved], dict[str, Any]],
    actor: Any = None,
    meta: RequestMeta | None = None,
) -> Saved:
    """Validate `obj` (a ValidationFailed names the fields), then save it in its own transaction with the event
    `<action>.created` or `<action>.changed`: the audited values (`values(obj)`) and, for a change, each one
    whose value changed as [old, new], the stored row locked and read first. For configuration rows changed
    one at a time from the admin (holidays, opinion phrases)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(fields={k: list(v) for k, v in exc.message_dict.items()}) from exc
    created = obj._state.adding
    with transaction.atomic(durable=True):
        before = None if created else type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
        obj.save()
        after = values(obj)
        data: dict[str, Any] = dict(after)
        if before is not None:
            old = values(before)
            data["changed"] = {k: [old[k], after[k]] for k in after if old[k] != after[k]}
        audit_event_append(
            action=f"{action}.{'created' if created else 'changed'}",
            obj=obj,
            actor=actor,
            data=data,
            meta=meta,
        )
    return obj
