"""Plain views that belong to no domain app."""

import logging

from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the application can reach its database, 503 with the reason when it cannot."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("health check: database unavailable: %s", exc)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return JsonResponse({"status": "error", "database": f"unavailable: {reason}"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
