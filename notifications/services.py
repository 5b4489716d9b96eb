"""The one way to tell people something (issue 13): called by the workflow's services inside the transaction
of the change, so a notification exists exactly when the change commits."""

from collections.abc import Iterable
from typing import Any

from memos.models import Memo
from notifications.models import Kind, Notification
from org.models import Person


def notify(
    *,
    kind: Kind | str,
    memo: Memo | None,
    recipients: Iterable[Any],
    actor: Person | None = None,
    **params: Any,
) -> list[Notification]:
    """One notification per distinct recipient (people's primary keys; None is passed over; never the actor:
    nobody is told of what they did themselves), written now in one statement; the other channels are fed
    from these rows (`deliver`)."""
    seen: set[Any] = set()
    rows: list[Notification] = []
    for person_id in recipients:
        if person_id is None or person_id in seen or (actor is not None and person_id == actor.pk):
            continue
        seen.add(person_id)
        rows.append(
            Notification(
                recipient_id=person_id, kind=str(kind), memo=memo, actor=actor, params=_jsonable(params)
            )
        )
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    deliver(rows)
    return rows


def deliver(rows: list[Notification]) -> None:
    """Feed the other channels (e-mail, webhooks) from the rows just written: each enqueues its own job in
    this transaction. Filled in by the channels as they are built."""


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (str(value) if value is not None and not isinstance(value, int | float | bool) else value)
        for key, value in params.items()
    }
