"""The token endpoint's rate limit: per client address (core.net, never a raw X-Forwarded-For), counted in
the database cache so that every worker and process shares one count."""

from typing import Any

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from core.net import client_ip


class LoginRateThrottle(ScopedRateThrottle):
    cache = caches["shared"]

    def get_rate(self) -> str | None:
        # Read when asked (DRF reads the class attribute once at import), so settings changes apply.
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        return rates.get(self.scope or "")

    def get_ident(self, request: Request) -> str:
        return client_ip(request) or "unknown"


class VerifyRateThrottle(LoginRateThrottle):
    """The public verification (no sign-in): per client address, shared by every process, scope "verify"."""

    scope = "verify"

    def allow_request(self, request: Any, view: Any) -> bool:
        # A fixed scope (ScopedRateThrottle reads it from the view), so the web page can use it too.
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)


class TimestampRateThrottle(VerifyRateThrottle):
    """The organisation's RFC 3161 endpoint (/pki/tsa, no sign-in): per client address, scope "tsa"."""

    scope = "tsa"
