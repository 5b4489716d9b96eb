"""Failed signing in the audit log (issue 12): a submit, approve, return or reject refused — a wrong or missing
signing password, a lockout, a key that cannot sign, an opinion too long for the signature's box, a step no
longer waiting — is recorded as `signing.failed`, although the action's own transaction rolled back and changed
nothing: the event is written after it, in a short transaction of its own.

Applied as a decorator to the four signing services, so the failure path stays out of their bodies."""

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from core.audit import audit_event_append
from core.errors import ApplicationError, ValidationFailed

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def records_signing_failure(attempt: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a keyword-only signing service (`memo=` or `step=`, `actor=`, `meta=`): an ApplicationError it
    raises is recorded as `signing.failed` (what was attempted, the error's code, the fields in error), then
    raised again unchanged."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return service(*args, **kwargs)
            except ApplicationError as error:
                signing_failure_record(attempt=attempt, error=error, **kwargs)
                raise

        return wrapper

    return decorate


def signing_failure_record(*, attempt: str, error: ApplicationError, **call: Any) -> None:
    """Write `signing.failed` for a refused signing attempt, in its own durable transaction (the attempt's has
    rolled back). A failure to write it is logged and does not hide the refusal itself."""
    step = call.get("step")
    memo = call.get("memo") or (step.memo if step is not None else None)
    if memo is None:
        return
    data: dict[str, Any] = {"attempt": attempt, "code": error.code}
    if step is not None:
        data |= {"step": step.order, "round": step.round, "role": step.role}
    if isinstance(error, ValidationFailed) and error.fields:
        data["fields"] = sorted(error.fields)
    try:
        with transaction.atomic(durable=True):
            audit_event_append(
                action="signing.failed", obj=memo, actor=call.get("actor"), data=data, meta=call.get("meta")
            )
    except Exception:
        log.exception("signing.failed not recorded for memo %s", memo.pk)
