"""Appending to the audit log; callers are services, inside their own transaction."""

from dataclasses import dataclass
from typing import Any

from django.db import models

from core.models import AuditEvent
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
    meta = meta or RequestMeta()
    return AuditEvent.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        data=data or {},
        ip_address=meta.ip_address,
        user_agent=meta.user_agent,
    )
