"""HTTP helpers shared by the apps' views (core knows no app)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

FRAME_OWN_PAGES_CSP = "frame-ancestors 'self'"


def frameable_by_own_pages[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Let the application's own pages, and no other site, show this view's response in a frame.

    Every other response carries `X-Frame-Options: DENY` (settings.X_FRAME_OPTIONS, set by
    XFrameOptionsMiddleware, which leaves a header already present alone). The memo page frames the memo's
    PDF, so that response, and the enclosure files next to it, carry `X-Frame-Options: SAMEORIGIN` (older
    browsers) and `Content-Security-Policy: frame-ancestors 'self'` (which takes precedence where supported).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["X-Frame-Options"] = "SAMEORIGIN"
        # Keep a policy the view set itself (an uploaded original is served with `sandbox`), adding ours.
        existing = response.get("Content-Security-Policy", "")
        response["Content-Security-Policy"] = (
            f"{existing}; {FRAME_OWN_PAGES_CSP}" if existing else FRAME_OWN_PAGES_CSP
        )
        return response

    return wrapped  # type: ignore[return-value]
