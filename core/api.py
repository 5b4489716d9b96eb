"""The one place where domain errors become HTTP responses for the API."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError, ValidationFailed


def error_body(error: ApplicationError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "detail": str(error.message)}
    if isinstance(error, ValidationFailed) and error.fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in error.fields.items()}
    body.update(error.extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc), status=exc.http_status)
    return drf_exception_handler(exc, context)
