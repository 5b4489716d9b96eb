"""The auditor reads, never writes (issue 12): a person who holds `org.audit_memos` and is not an administrator
gets 403 for every request but GET, HEAD and OPTIONS — on the web pages, the admin and the API — except signing
in and out, changing their own password, revoking their own API tokens, choosing the language, and checking a
signed PDF on the public verification page (each changes nothing they audit).

One middleware, after AuthenticationMiddleware, once the URL is resolved: for a session it has the user; for the
API with a token (DRF authenticates in the view, after every middleware) it asks DRF's authentication classes
itself — for writes only, so a GET costs nothing more. Every view is covered whatever its own DRF permissions
(the schema's, the token endpoint's).

An administrator (a superuser, or `memos.manage_memos`) is not held read-only even if also an auditor: a
superuser holds every permission, the auditor's included, and administering is writing. Keeping the two roles
apart is done by not making an auditor an administrator; the administrator's changes are themselves audited.
Permission strings only: core imports no app.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings

from core.errors import Forbidden

AUDITOR_PERMISSION = "org.audit_memos"
ADMINISTRATOR_PERMISSION = "memos.manage_memos"

#: URL names an auditor may still send other methods to.
ALLOWED_WRITES = frozenset(
    {
        "login",  # the web sign-in
        "logout",
        "profile",  # their own password
        "api-token-revoke",  # their own API token (profile page)
        "api-token",  # POST: get a token (sign in); DELETE: revoke this token (sign out)
        "set_language",
        "verify",  # the public verification page: upload a signed PDF to check it
        "api-verify",
        "admin:login",
        "admin:logout",
        "admin:password_change",
    }
)


class AuditorReadOnlyError(Forbidden):
    code = "auditor_read_only"
    default_message = _("Auditors can read everything but change nothing: this request was refused.")


#: Where the answer of `read_only_auditor_expression`, read with the person (by the API's token lookup), is kept
#: on the person object for `is_read_only_auditor`.
KNOWN_ATTRIBUTE = "_read_only_auditor"


def _granted(permission: str, person: str) -> Exists:
    app_label, codename = permission.split(".", 1)
    return Exists(
        Permission.objects.filter(
            Q(user=OuterRef(person)) | Q(group__user=OuterRef(person)),
            content_type__app_label=app_label,
            codename=codename,
        )
    )


def read_only_auditor_expression(person: str) -> ExpressionWrapper[Any]:
    """The same answer as `is_read_only_auditor` (but for the superuser and inactive shortcuts, which it checks
    on the object) as an annotation of a query that reads the person anyway (`person`: the field naming them):
    the token's lookup reads it, so an API write pays no query for the guard (an approve's statements are
    counted, docs/performance.md)."""
    return ExpressionWrapper(
        _granted(AUDITOR_PERMISSION, person) & ~_granted(ADMINISTRATOR_PERMISSION, person),
        output_field=BooleanField(),
    )


def is_read_only_auditor(user: Any) -> bool:
    """One query, not the two of `has_perm` (which loads every permission the person and their groups hold): a
    write's cost matters, an approve's most (docs/performance.md); none when the person was read with
    `read_only_auditor_expression`. The answer is the one `has_perm` gives with Django's model backend, the only
    permission backend memoflow uses (django-axes' adds none)."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    known = getattr(user, KNOWN_ATTRIBUTE, None)
    if known is not None:
        return bool(known)
    wanted = {tuple(name.split(".", 1)) for name in (AUDITOR_PERMISSION, ADMINISTRATOR_PERMISSION)}
    granted = set(
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        )
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    return tuple(AUDITOR_PERMISSION.split(".", 1)) in granted and (
        tuple(ADMINISTRATOR_PERMISSION.split(".", 1)) not in granted
    )


def may_write(request: HttpRequest, user: Any) -> bool:
    """Whether `user` may send this request (its method, to its URL) as far as the auditor's rule goes."""
    if request.method in SAFE_METHODS or not is_read_only_auditor(user):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in ALLOWED_WRITES


def _token_user(request: HttpRequest) -> Any:
    """The person an API token names (DRF's configured authentication classes), or None. Handed on to DRF as
    the request's authentication (the attributes its Request reads, as `force_authenticate` sets them), so the
    view does not look the token up again, and the person's permissions are read once."""
    drf_request = Request(request)
    authenticators: list[Any] = list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    for authenticator in authenticators:
        try:
            found = authenticator().authenticate(drf_request)
        except exceptions.APIException:
            return None  # a bad token: the view answers 401
        if found is not None:
            request._force_auth_user, request._force_auth_token = found  # type: ignore[attr-defined]
            return found[0]
    return None


class AuditorReadOnlyMiddleware:
    """Refuses an auditor's write: the 403 page, or the API's error body under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS:
            return None
        user = getattr(request, "user", None)
        api = request.path_info.startswith("/api/")
        people = [user]
        # A token wins over the session in DRF: with both, the view acts as the token's person, so the token is
        # looked up even beside a signed-in session, and both people must be allowed the write.
        if api and "HTTP_AUTHORIZATION" in request.META:
            people.append(_token_user(request))
        if all(may_write(request, person) for person in people):
            return None
        error = AuditorReadOnlyError()
        if api:
            return JsonResponse(
                {"code": error.code, "detail": str(error.message)},
                status=error.http_status,
                json_dumps_params={"ensure_ascii": False},
            )
        return render(request, "errors/auditor_read_only.html", status=error.http_status)
