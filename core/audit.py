"""Appending to the audit log; callers are services, inside their own transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.utils import timezone

from core import audit_chain
from core.batch import Batch
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
    batch: Batch | None = None,
) -> AuditEvent:
    """Append one event to the chain in one statement: an INSERT … SELECT from the head row, locked (FOR UPDATE
    on PostgreSQL; SQLite's IMMEDIATE transactions already write one at a time) until the caller's transaction
    ends, so the event's sequence number is the head's plus one, its previous hash the head's hash, and nothing
    can come between; the hash is computed by the database from the event's canonical JSON, which Python writes
    around the sequence number (core.audit_chain.canonical_parts), and checked against Python's own. The
    INSERT's trigger moves the head (core.audit_head).

    With `batch` (core.batch), the INSERT is sent with the batch's other writes: the event is complete once the
    batch has run."""
    meta = meta or RequestMeta()
    event = AuditEvent(
        at=timezone.now(),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk) if obj.pk is not None else "",  # e.g. a sign-in with an unknown username
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        data=data or {},
        ip_address=meta.ip_address or None,
        user_agent=meta.user_agent,
    )
    if batch is not None:
        _add_append(batch, event)
        return event
    with transaction.atomic(savepoint=False):  # a transaction when called outside one; never a savepoint
        own = Batch()
        _add_append(own, event)
        own.run()
    return event


#: The columns the appender sends; sequence, prev_hash and hash come from the head.
_SENT = ("id", "at", "actor", "action", "object_type", "object_id", "data", "ip_address", "user_agent")


def _add_append(batch: Batch, event: AuditEvent) -> None:
    connection = connections[batch.using]
    before, after = audit_chain.canonical_parts(
        id=event.id,
        at=event.at,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        data=event.data,
        ip_address=event.ip_address,
        user_agent=event.user_agent,
    )
    fields: list[Any] = [AuditEvent._meta.get_field(name) for name in _SENT]
    params = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    postgresql = connection.vendor == "postgresql"
    if postgresql:  # typed, as an INSERT … SELECT's parameters are not cast to the columns' types
        values = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
        digest = "encode(sha256(convert_to(h.hash || %s || (h.sequence + 1)::text || %s, 'UTF8')), 'hex')"
        lock = " FOR UPDATE"
    else:
        values = ", ".join("%s" for _ in fields)
        digest = f"{audit_chain.SQLITE_HASH_FUNCTION}(h.hash, %s, h.sequence + 1, %s)"
        lock = ""
    text = (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}, sequence, prev_hash, hash) "  # noqa: S608 - our own names
        f"SELECT {values}, h.sequence + 1, h.hash, {digest} FROM {quote(AuditHead._meta.db_table)} h "
        f"WHERE h.id = 1{lock} RETURNING sequence, prev_hash, hash"
    )

    returned = ("sequence", "prev_hash", "hash")

    def finish(rows: list[tuple[Any, ...]]) -> None:
        ((sequence, prev_hash, hash_),) = rows
        if audit_chain.chain_hash(prev_hash, f"{before}{sequence}{after}".encode()) != hash_:
            raise RuntimeError("the database hashed the audit event differently from Python")  # rolls it back
        event.sequence, event.prev_hash, event.hash = sequence, prev_hash, hash_
        event._state.adding = False
        event._state.db = batch.using

    def appended(rows: list[tuple[Any, ...]]) -> None:
        if rows:
            finish(rows)
            return
        _head_created()  # no head row (a database emptied by a test's flush): made, then the INSERT again
        again = Batch(using=batch.using)
        again.add(text, [*params, before, after], returning=returned, then=finish)
        again.run()

    batch.add(text, [*params, before, after], returning=returned, then=appended)


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
