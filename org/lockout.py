"""Lockout after repeated failed passwords (django-axes, counted in the database shared by every process).

Four ways in are counted: the web login, the admin login and the API token endpoint through
`django.contrib.auth.authenticate` (axes' backend and signals), and the signing password through
`org.services.signing_password_check`. An account is locked after AXES_FAILURE_LIMIT failures from any
address, and an address after as many failures for any accounts, until AXES_COOLOFF_TIME has passed since
the failures that reached the limit. This module tells when that is, in Thai or English.
"""

from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import thai
from core.audit import RequestMeta
from core.errors import LockedOut

SIGNING_PATH = "(signing password)"


def lockout_parameters(request_or_attempt: Any, credentials: dict[str, Any] | None = None) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: per account and per address; an unknown part is left out, so that failures
    without an address (a service called without a request) are not pooled into one 'no address' count."""
    username = (credentials or {}).get("username") or getattr(request_or_attempt, "username", None)
    address = getattr(request_or_attempt, "axes_ip_address", None) or getattr(
        request_or_attempt, "ip_address", None
    )
    parameters = []
    if username:
        parameters.append("username")
    if address:
        parameters.append("ip_address")
    return parameters or ["ip_address"]


def is_locked(*, username: str | None, ip_address: str | None) -> bool:
    """The same rule as django-axes' database handler (AxesDatabaseHandler.get_failures against the limit),
    in one query: for the signing password, checked on every signature."""
    sums: dict[str, Any] = {}
    if username:
        sums["account"] = Sum("failures_since_start", filter=Q(username=username))
    if ip_address:
        sums["address"] = Sum("failures_since_start", filter=Q(ip_address=ip_address))
    if not sums:
        return False
    cool_off = get_cool_off() or timedelta(0)
    counts = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off).aggregate(**sums)
    return any((count or 0) >= int(settings.AXES_FAILURE_LIMIT) for count in counts.values())


#: Where `remember` keeps, on the person object of one request, the lockout answer read with another query.
KNOWN_ATTRIBUTE = "_lockout_known"
_ACCOUNT, _ADDRESS = "lockout_account_failures", "lockout_address_failures"


def failures_since(now: datetime | None = None) -> datetime:
    """The start of the window whose failures count (the cool-off before `now`)."""
    return (now or timezone.now()) - (get_cool_off() or timedelta(0))


def failure_annotations(
    *, username: str | None, ip_address: str | None, since: datetime | None = None
) -> dict[str, Any]:
    """`is_locked`'s two sums as annotations, for a query that signing runs anyway (the step's, in the API):
    an approve's statements are counted (docs/performance.md). Read back with `remember`. `since`: default
    `failures_since()`."""
    since = since or failures_since()
    annotations: dict[str, Any] = {}
    for name, field, value in ((_ACCOUNT, "username", username), (_ADDRESS, "ip_address", ip_address)):
        if value:
            annotations[name] = Subquery(
                AccessAttempt.objects.filter(**{field: value}, attempt_time__gte=since)
                .order_by()
                .values(field)
                .annotate(total=Sum("failures_since_start"))
                .values("total")[:1]
            )
    return annotations


def remember(person: Any, *, ip_address: str | None, row: Any) -> None:
    """Keep on `person` (for this request) whether the account or the address is locked, as the annotations of
    `failure_annotations` read it on `row`; the next signing check of this person from this address uses it
    once instead of asking again."""
    counts = [getattr(row, name, None) for name in (_ACCOUNT, _ADDRESS)]
    locked = any((count or 0) >= int(settings.AXES_FAILURE_LIMIT) for count in counts)
    setattr(person, KNOWN_ATTRIBUTE, (person.get_username(), ip_address, locked))


def known_locked(person: Any, *, ip_address: str | None) -> bool | None:
    """The answer `remember` kept for this person and address (used once), or None: ask `is_locked`."""
    known = getattr(person, KNOWN_ATTRIBUTE, None)
    if known is None:
        return None
    delattr(person, KNOWN_ATTRIBUTE)
    username, address, locked = known
    if username != person.get_username() or address != ip_address:
        return None
    return bool(locked)


def locked_until(
    *, username: str | None, ip_address: str | None, now: datetime | None = None
) -> datetime | None:
    """When the lockout of this account or address ends (None: not locked). Each counted row expires a
    cool-off after its last failure; the lockout ends when the rows still counted fall below the limit."""
    now = now or timezone.now()
    cool_off = get_cool_off() or timedelta(0)
    limit = int(settings.AXES_FAILURE_LIMIT)
    filters = []
    if username:
        filters.append({"username": username})
    if ip_address:
        filters.append({"ip_address": ip_address})
    ends: list[datetime] = []
    for kwargs in filters:
        rows = list(
            AccessAttempt.objects.filter(**kwargs, attempt_time__gte=now - cool_off)
            .order_by("attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        total = sum(failures for _, failures in rows)
        for attempt_time, failures in rows:
            if total < limit:
                break
            ends.append(attempt_time + cool_off)
            total -= failures
    return max(ends) if ends else None


def _time_text(until: datetime) -> str:
    local = thai.to_bangkok(until)
    if local.second or local.microsecond:  # "after 14:30" must be true at 14:30:00
        local = (local + timedelta(minutes=1)).replace(second=0, microsecond=0)
    same_day = thai.bangkok_date(timezone.now()) == local.date()
    if (get_language() or "th").lower().startswith("en"):
        text = f"{local:%H:%M}"
        return text if same_day else f"{text}, {thai.format_date_short_en(local)}"
    text = thai.thai_digits(f"{local.hour:02d}.{local.minute:02d}") + " น."
    return text if same_day else f"{thai.format_date_short(local)} เวลา {text}"


def _message(until: datetime | None) -> str:
    if until is None:
        return str(LockedOut.default_message)
    return _("Too many failed attempts: signing in is locked for a while. Try again after %(time)s.") % {
        "time": _time_text(until)
    }


lockout_message: Any = lazy(_message, str)


def locked_out(*, username: str | None, ip_address: str | None) -> LockedOut:
    """The error to raise, its message in the language active when it is shown."""
    until = locked_until(username=username, ip_address=ip_address)
    error = LockedOut(lockout_message(until))
    error.until = until
    return error


def request_locked_out(request: HttpRequest, username: str | None) -> LockedOut:
    return locked_out(username=username, ip_address=getattr(request, "axes_ip_address", None))


def retry_after_seconds(error: LockedOut) -> int:
    until = error.until
    if until is None:
        return int((get_cool_off() or timedelta(0)).total_seconds())
    return max(int((until - timezone.now()).total_seconds()) + 1, 1)


def request_for(meta: RequestMeta | None) -> HttpRequest:
    """A stand-in request for axes when the password is checked inside a service (the signing password):
    the address and browser come from the audit metadata, which core.net.client_ip already resolved."""
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = SIGNING_PATH
    request.META["PATH_INFO"] = SIGNING_PATH
    if meta is not None and meta.ip_address:
        request.META["REMOTE_ADDR"] = meta.ip_address
    if meta is not None and meta.user_agent:
        request.META["HTTP_USER_AGENT"] = meta.user_agent
    return request


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE. The login forms (web and admin) and the token endpoint show the lockout
    themselves, in the app's look or as the API's error body; this only marks the answer 429."""
    if isinstance(original_response, HttpResponse):
        if original_response.status_code == 200:
            original_response.status_code = 429
        return original_response
    username = (credentials or {}).get("username") if isinstance(credentials, dict) else None
    return HttpResponse(str(request_locked_out(request, username).message), status=429)
