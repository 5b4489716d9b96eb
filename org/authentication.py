"""`Authorization: Token <key>` for the API, checked against the stored hash of the key."""

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

from org.models import ApiToken, Person


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, person: Person) -> str:
    """A new token for `person`; the key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        ApiToken.objects.create(
            person=person,
            key_hash=hash_token(key),
            expires_at=timezone.now() + timedelta(days=settings.MEMOFLOW_API_TOKEN_TTL_DAYS),
        )
        ApiToken.objects.filter(person=person, expires_at__lt=timezone.now()).delete()
    return key


class HashedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = ApiToken.objects.select_related("person").filter(key_hash=hash_token(key)).first()
        if token is None or token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if not token.person.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        return token.person, token
