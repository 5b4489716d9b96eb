"""The API's one error contract: every error answer is `{"code", "detail"}` (+ `"fields"` for bad input).

Domain errors (core.errors) and DRF's own (authentication, permission, not found, method, Accept, media
type, throttling, parse errors, validation) are mapped here, once, with `detail` in the request's language
(Thai first). core.middleware gives the same body to the errors that never reach a DRF view (unknown URLs
under /api/, a NUL character in the query string or a header). core.parsers refuse what would otherwise answer
500 (JSON nested too deeply for Python's parser, a NUL character PostgreSQL cannot store), and ApiSchema
documents the error answers of every operation.
"""

import math
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError, ValidationFailed

# DRF's default messages, in the house's words (locale/th has them in Thai). An exception raised with its
# own detail (e.g. "Invalid or expired token.") keeps it.
DRF_MESSAGES: dict[str, Any] = {
    "not_authenticated": _("Sign in first: send the header Authorization: Token <your API token>."),
    "authentication_failed": _("The sign-in details are not correct."),
    "permission_denied": _("You are not allowed to do this."),
    "not_found": _("Not found."),
    "not_acceptable": _("This address cannot answer in the format the Accept header asks for."),
    "parse_error": _("The request body could not be read."),
}


class TooLarge(ApplicationError):
    code = "too_large"
    http_status = 413
    default_message = _("The request is too large.")


def error_body(error: ApplicationError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "detail": str(error.message)}
    if isinstance(error, ValidationFailed) and error.fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in error.fields.items()}
    body.update(error.extra)
    return body


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as `{"field": [...], "route.0.role": [...]}`."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors" and prefix:
                name = prefix
            flat.update(flatten_errors(value, name))
        return flat
    if isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        flat = {}
        for index, item in enumerate(errors):
            if item:
                flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    name = prefix or "non_field_errors"
    return {name: [str(m) for m in messages]}


def _drf_body(exc: exceptions.APIException, request: Any) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        return {
            "code": ValidationFailed.code,
            "detail": str(ValidationFailed.default_message),
            "fields": flatten_errors(exc.detail),
        }
    code = exc.default_code
    custom = str(exc.detail) != str(exc.default_detail)
    detail: str
    if isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None)
        seconds = math.ceil(wait) if wait is not None else None
        if seconds is None:
            detail = gettext("Too many requests. Try again later.")
        else:
            detail = gettext("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": seconds}
    elif isinstance(exc, exceptions.MethodNotAllowed):
        method = getattr(request, "method", "")
        detail = gettext("The method %(method)s is not allowed here.") % {"method": method}
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        media_type = getattr(request, "content_type", "") or ""
        detail = gettext("The request body's type (%(media_type)s) is not accepted here.") % {
            "media_type": media_type.split(";")[0].strip()
        }
    elif isinstance(exc, exceptions.ParseError):
        detail = str(DRF_MESSAGES["parse_error"])
        if custom:
            detail = gettext("The request body could not be read (%(reason)s).") % {"reason": exc.detail}
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        code = "csrf_failed"
        detail = gettext(
            "The form has expired or did not come from this site. Reload the page and try again."
        )
    elif not custom and code in DRF_MESSAGES:
        detail = str(DRF_MESSAGES[code])
    else:
        detail = str(exc.detail)
    return {"code": code, "detail": detail}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = TooLarge()
    response: Response | None
    if isinstance(exc, ApplicationError):
        response = Response(error_body(exc), status=exc.http_status)
    else:
        if isinstance(exc, Http404):
            exc = exceptions.NotFound()
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        response = drf_exception_handler(exc, context)  # status, WWW-Authenticate, Retry-After, rollback
        if response is None or not isinstance(exc, exceptions.APIException):
            return None
        response.data = _drf_body(exc, request)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response["Retry-After"] = str(math.ceil(wait))
    if isinstance(request, Request):
        # An error is JSON whatever was negotiated (the browsable API, a PDF endpoint).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


# Files ------------------------------------------------------------------------------------------------------


class FileContentNegotiation(BaseContentNegotiation):
    """For endpoints that answer a file (a PDF, an enclosure): the file goes out whatever the Accept header
    says (`application/pdf`, `*/*`, none), and anything else they answer (an error, "being prepared") is
    JSON. Such a view returns a Django response for the file, so no DRF renderer ever touches it."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, str(first.media_type)


# OpenAPI ----------------------------------------------------------------------------------------------------

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error answer of the API.",
    "properties": {
        "code": {"type": "string", "description": "Stable, for programs: invalid, not_found, busy, ..."},
        "detail": {"type": "string", "description": "For people, in the request's language (Thai first)."},
        "fields": {
            "type": "object",
            "description": "Bad input only: the messages for each field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail"],
}

ERROR_DESCRIPTIONS = {
    "400": "Bad input (code invalid, with fields; parse_error for an unreadable body).",
    "401": "Not signed in, or the token is not valid (not_authenticated, authentication_failed).",
    "403": "Not allowed (permission_denied, forbidden, not_your_task, bad_password, ...).",
    "404": "Not found, or not visible to you (not_found).",
    "406": "The Accept header asks for a format this operation cannot answer in (not_acceptable).",
    "409": "Not possible in the current state (invalid_state, already_done, busy, ...).",
    "413": "The request is too large (too_large).",
    "415": "The body's content type is not accepted (unsupported_media_type).",
    "429": "Too many requests or too many failed attempts: try again after Retry-After seconds (throttled).",
}


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema, and the error answers each operation can give, with the one error body.

    Every operation: 400 (a NUL character or bad input), 429 (throttles and lockouts). Signed-in operations:
    401, 403. Operations on one object (a path parameter) and paginated lists: 404. Operations with a body:
    413, 415. Writes by a signed-in person: 409. JSON operations: 406 (file operations answer any Accept).
    A code the view documents itself is left as it is.
    """

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name="ApiError", type=ResolvedComponent.SCHEMA, object="ApiError", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        for status in self._error_statuses():
            if status not in responses:
                responses[status] = {
                    "content": {"application/json": {"schema": component.ref}},
                    "description": ERROR_DESCRIPTIONS[status],
                }
        return dict(sorted(responses.items()))

    def _error_statuses(self) -> Iterator[str]:
        view = self.view
        signed_in = not all(isinstance(p, AllowAny) for p in view.get_permissions())
        has_body = self.method in ("POST", "PUT", "PATCH")
        yield "400"
        yield "429"
        if signed_in:
            yield "401"
            yield "403"
        if "{" in self.path or (self.method == "GET" and getattr(view, "pagination_class", None)):
            yield "404"
        if has_body:
            yield "413"
            yield "415"
        if signed_in and self.method != "GET":
            yield "409"
        if not isinstance(view.get_content_negotiator(), FileContentNegotiation):
            yield "406"
