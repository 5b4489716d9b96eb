"""The client's address, from the configured number of trusted reverse proxies (never a raw X-Forwarded-For).

Every place that records or counts by address uses `client_ip`: audit rows (core.audit.RequestMeta), the
login throttle (org.throttles), and the lockout (django-axes, AXES_CLIENT_IP_CALLABLE).
"""

import ipaddress
from typing import Any

from django.conf import settings


def _valid(address: str) -> str | None:
    address = address.strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """With MEMOFLOW_TRUSTED_PROXIES = 0, REMOTE_ADDR. With N > 0, the N-th address from the right of
    X-Forwarded-For: each trusted proxy appends the address it received the request from, so the N-th from
    the right is the one the outermost trusted proxy saw; anything left of it is what the client wrote.
    REMOTE_ADDR when the header has fewer than N entries (or that entry is not an address)."""
    meta = getattr(request, "META", None) or {}
    remote = _valid(meta.get("REMOTE_ADDR") or "")
    trusted = int(getattr(settings, "MEMOFLOW_TRUSTED_PROXIES", 0))
    if trusted <= 0:
        return remote
    entries = [e for e in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if e.strip()]
    if len(entries) < trusted:
        return remote
    return _valid(entries[-trusted]) or remote
