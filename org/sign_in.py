"""Sign-in attempts in the audit log (issue 12): every web, admin and API-token sign-in, failed or not, with the
username tried (never the password), the address and the browser.

Django sends `user_logged_in` and `user_login_failed` from `login()` and `authenticate()`; the receivers here
only fan those out to the audit log through `sign_in_attempt_record` (the write, in its own transaction: a
sign-in changes no domain row to share one with). Only the three sign-in pages count — the web login, the
admin login and `POST /api/v1/auth/token/` (whose success is recorded by `api_token_issue`, in the token's
transaction). `authenticate()` called from elsewhere (the signing password's stand-in request, a test client's
`login()`) is not a sign-in: a failed signing password is recorded as `signing.failed` by the signing services.

django-axes' receivers run first (axes is installed before org), so `request.axes_locked_out` already says
whether this attempt was refused by a lockout or reached the limit: the attempt that locks the account is
`auth.locked_out` (and no more for that account and address until the cool-off ends), any other failure
`auth.sign_in_failed`, a success `auth.signed_in`.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from core.audit import RequestMeta, audit_event_append
from core.models import AuditEvent
from org.models import Person

#: The URL names of the sign-in pages, and how the audit log names each way in.
CHANNELS = {"login": "web", "admin:login": "admin", "api-token": "api"}
USERNAME_MAX = 150


def sign_in_channel(request: HttpRequest | None) -> str | None:
    """ "web", "admin" or "api" when `request` is one of the sign-in pages; None for anything else."""
    match = getattr(request, "resolver_match", None)
    return CHANNELS.get(match.view_name) if match is not None else None


def sign_in_attempt_record(
    *,
    username: str,
    via: str,
    person: Person | None = None,
    succeeded: bool,
    locked_out: bool = False,
    reason: str = "",
    meta: RequestMeta | None = None,
) -> None:
    """One sign-in attempt: `auth.signed_in` (actor: the person), else `auth.locked_out` when a lockout refused
    it or it reached the limit, else `auth.sign_in_failed` (with `reason` when the password was right but the
    account may not use this way in: "not_staff" on the admin login). A failure has no actor; its object is
    the account tried when there is one."""
    username = username[:USERNAME_MAX]
    meta = meta or RequestMeta()
    if succeeded:
        action = "auth.signed_in"
    else:
        action = "auth.locked_out" if locked_out else "auth.sign_in_failed"
        if locked_out and _lockout_recorded(username=username, ip_address=meta.ip_address):
            return
        person = Person.objects.filter(username=username).first()
    with transaction.atomic(durable=True):
        audit_event_append(
            action=action,
            obj=person if person is not None else Person(username=username),
            actor=person if succeeded else None,
            data={"username": username, "via": via, **({"reason": reason} if reason else {})},
            meta=meta,
        )


def _lockout_recorded(*, username: str, ip_address: str | None) -> bool:
    """Whether this account's lockout from this address is in the log already, within the cool-off: one
    `auth.locked_out` per lockout, not one per refused attempt, so that a script hammering a locked account
    writes nothing more (each event holds the audit chain's head, which every write in the system needs)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AuditEvent.objects.filter(
        action="auth.locked_out", at__gte=since, ip_address=ip_address or None, data__username=username
    ).exists()


def _on_logged_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    via = sign_in_channel(request)
    if via is None or not isinstance(user, Person):
        return
    sign_in_attempt_record(
        username=user.get_username(),
        via=via,
        person=user,
        succeeded=True,
        meta=RequestMeta.from_request(request),
    )


def _on_login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    via = sign_in_channel(request)
    if via is None:
        return
    sign_in_attempt_record(
        username=str((credentials or {}).get("username") or ""),
        via=via,
        succeeded=False,
        locked_out=bool(getattr(request, "axes_locked_out", False)),
        meta=RequestMeta.from_request(request),
    )


def connect() -> None:
    """Called once from OrgConfig.ready (after axes' own receivers)."""
    user_logged_in.connect(_on_logged_in, dispatch_uid="memoflow-audit-signed-in")
    user_login_failed.connect(_on_login_failed, dispatch_uid="memoflow-audit-sign-in-failed")
