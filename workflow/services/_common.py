"""What every routing service shares: its transaction and locks, the step-up password check, the audit
helper and the reason check.

Locks: actions on a memo in its route take the viewflow process row first (select_for_update, NOWAIT with a
few retries, then Busy); those that also rewrite the memo row (resubmit, return, withdraw) then lock the memo
row. Approve and reject update the memo's status only through django-fsm-2's guarded UPDATE
(… WHERE status = 'in_review') while holding the process lock. Actions before a memo has a process (draft
edits, first submit) lock the memo row only.
"""

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition

from core.audit import RequestMeta, audit_event_append
from core.errors import AlreadyDone, Busy, InvalidState, ValidationFailed
from memos import services as memo_services
from memos.models import Memo
from org import services as org_services
from org.models import Person
from workflow.models import MemoProcess, RouteStep

MAX_ROUTE_STEPS = 20
MAX_OPINION = 20_000
LOCK_ATTEMPTS = 5  # as viewflow's select_for_update_lock


@contextmanager
def _process_locked(process_pk: int) -> Iterator[None]:
    """The service's own durable transaction, holding the memo's process row lock.

    SELECT … FOR UPDATE NOWAIT on the process row, as the transaction's first statement; refused, the
    transaction is rolled back and tried again after a growing pause (viewflow's select_for_update_lock
    policy), then the user is told the memo is busy."""
    for attempt in range(LOCK_ATTEMPTS):
        with transaction.atomic(durable=True):
            try:
                MemoProcess.objects.filter(pk=process_pk).select_for_update(nowait=True).exists()
            except DatabaseError:
                transaction.set_rollback(True)  # the failed statement spoilt the transaction
            else:
                try:
                    yield
                except ConcurrentTransition as exc:
                    raise AlreadyDone() from exc
                return
        if attempt < LOCK_ATTEMPTS - 1:
            time.sleep(((attempt + 1) * random.random() + 2**attempt) / 2.5)  # noqa: S311 - jitter only
    raise Busy()


@contextmanager
def _memo_locked(memo_id: Any) -> Iterator[Memo]:
    """The service's own durable transaction, holding the memo row lock."""
    with transaction.atomic(durable=True):
        yield (
            Memo.objects.select_for_update(of=("self",))
            .select_related("organisation", "unit")
            .get(pk=memo_id)
        )


def _check_password(actor: Person, password: str | None, meta: RequestMeta | None = None) -> None:
    """Step-up: the actor types their password again for anything that signs; checked before any change. A wrong
    one counts towards the lockout of the account and the address, and a locked-out person cannot sign."""
    org_services.signing_password_check(actor=actor, password=password, meta=meta)


def _audit(action: str, obj: Any, actor: Person, meta: RequestMeta | None, **data: Any) -> None:
    audit_event_append(action=action, obj=obj, actor=actor, data=data, meta=meta)


def _required_reason(reason: str | None) -> str:
    reason = memo_services._nfc(reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason, so the writer knows what to change.")]})
    if len(reason) > MAX_OPINION:
        raise ValidationFailed(fields={"reason": [_("The reason is too long.")]})
    return reason


def _route_round(memo: Memo) -> int:
    """The round whose steps are the memo's route now: the latest one."""
    latest = RouteStep.objects.filter(memo=memo).order_by("-round").values_list("round", flat=True).first()
    return latest or 1


def _task_of(step: RouteStep) -> Any:
    """The viewflow task of an active step, with its process; a step whose task is gone (deleted by hand)
    cannot move, and says so instead of failing."""
    task = step.task
    if task is None or task.process_id is None:
        raise InvalidState(
            _("This step has lost its workflow task; an administrator must repair the memo's route.")
        )
    return task
