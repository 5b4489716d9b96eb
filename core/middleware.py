"""The API's error contract for what never reaches a DRF view (see core.api)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.parsers import NUL, NUL_MESSAGE

API_PREFIX = "/api/"

# What an error answer that did not come from DRF (Django's 404 for an unknown URL, its 400 for a suspicious
# request, its 500) means, in the contract's words.
STATUS_CODES = {
    400: ("bad_request", _("The request could not be understood.")),
    403: ("permission_denied", _("You are not allowed to do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    401: ("not_authenticated", _("Sign in first: send the header Authorization: Token <your API token>.")),
    413: ("too_large", _("The request is too large.")),
    429: ("throttled", _("Too many requests. Try again later.")),
    500: ("server_error", _("Something went wrong on our side. Please try again later.")),
}


def _nul_field(request: HttpRequest) -> str | None:
    """The query parameter or header that holds a NUL character (PostgreSQL cannot store one), if any."""
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return key.replace(NUL, "\\0")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            return key.removeprefix("HTTP_").replace("_", "-").title()
    return None


class ApiErrorMiddleware:
    """Under /api/: a NUL character in the query string or a header answers 400 `invalid` with the field,
    before any view; an error answer that is not JSON (an unknown URL, Django's own 400/500, a lockout's
    plain-text answer, whose text is kept as the detail) becomes `{"code", "detail"}` with the same status
    and headers. Needs LocaleMiddleware before it (Thai detail)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        field = _nul_field(request)
        if field is not None:
            return JsonResponse(
                {
                    "code": "invalid",
                    "detail": gettext("Some values are not valid."),
                    "fields": {field: [str(NUL_MESSAGE)]},
                },
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = STATUS_CODES.get(
            response.status_code, ("error", _("The request could not be completed."))
        )
        detail = str(message)
        if response.get("Content-Type", "").startswith("text/plain") and not response.streaming:
            # A deliberate message (e.g. a lockout's "try again at ..."), not an error page: keep it.
            text = response.content.decode(response.charset or "utf-8", "replace").strip()
            if text and len(text) <= 1000:
                detail = text
        converted = JsonResponse(
            {"code": code, "detail": detail},
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Retry-After", "WWW-Authenticate", "Allow", "Vary"):
            if header in response:
                converted[header] = response[header]
        return converted
