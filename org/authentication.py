"""`Authorization: Token <key>` for the API, checked against the stored hash of the key; issuing and revoking.

A token is refused once it has expired, once its person is disabled, and once the person's password is no
longer the one it was issued under (`password_stamp`), whichever way the password changed.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.audit import RequestMeta, audit_event_append
from core.prepared import Marker, PreparedQuery
from core.readonly import KNOWN_ATTRIBUTE, read_only_auditor_expression
from org.models import ApiToken, Person

# "Last used" is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_stamp(person: Person) -> str:
    """Changes whenever the person's password changes (the stored hash is salted anew each time)."""
    return hashlib.sha256((person.password or "").encode()).hexdigest()


def api_token_issue(*, person: Person, meta: RequestMeta | None = None) -> str:
    """A new token for `person`; the key is returned once and never stored. Issuing one is signing in through
    the API: `auth.signed_in` (via "api") is written in the same transaction."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            person=person,
            key_hash=hash_token(key),
            expires_at=now + timedelta(days=settings.MEMOFLOW_API_TOKEN_TTL_DAYS),
            password_stamp=password_stamp(person),
            last_used_at=now,  # issued = used to sign in; "last used" then moves at most once a minute
        )
        # Tokens that can never work again: expired, or issued under an earlier password.
        ApiToken.objects.filter(person=person, expires_at__lt=now).delete()
        ApiToken.objects.filter(person=person).exclude(password_stamp=token.password_stamp).delete()
        audit_event_append(
            action="auth.signed_in",
            obj=person,
            actor=person,
            data={"username": person.get_username(), "via": "api", "token": token.pk},
            meta=meta,
        )
    return key


def api_token_revoke(*, token: ApiToken, actor: Person, meta: RequestMeta | None = None) -> None:
    """Revoke one token (its owner, from the profile page or with DELETE /api/v1/auth/token/)."""
    with transaction.atomic(durable=True):
        token_id = token.pk
        deleted, _rows = ApiToken.objects.filter(pk=token_id, person=actor).delete()
        if deleted:
            audit_event_append(
                action="api_token.revoked", obj=token, actor=actor, data={"token": token_id}, meta=meta
            )


def api_tokens_revoke_all(*, person: Person) -> int:
    """Inside the caller's transaction (a password change): every token of `person` stops working."""
    deleted, _rows = ApiToken.objects.filter(person=person).delete()
    return deleted


def _token_lookup(shape: None, *, key_hash: str) -> Any:
    # With the auditor's read-only answer (core.readonly), so that the guard of a write asks nothing more.
    return (
        ApiToken.objects.select_related("person")
        .annotate(person_read_only=read_only_auditor_expression("person_id"))
        .filter(key_hash=key_hash)
        .order_by("pk")[:1]
    )


#: Every API request's first statement, compiled once (core.prepared).
TOKEN_LOOKUP: PreparedQuery[ApiToken] = PreparedQuery(
    _token_lookup,
    key_hash=Marker("0" * 64, "f" * 64, ApiToken._meta.get_field("key_hash")),
)


class HashedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        found = TOKEN_LOOKUP.run(key_hash=hash_token(key))
        token = found[0] if found else None
        now = timezone.now()
        if token is None or token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if not token.person.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        if not secrets.compare_digest(token.password_stamp, password_stamp(token.person)):
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        setattr(token.person, KNOWN_ATTRIBUTE, getattr(token, "person_read_only"))  # noqa: B009 - an annotation
        return token.person, token
