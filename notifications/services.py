"""The one way to tell people something (issue 13): called by the workflow's services inside the transaction
of the change, so a notification exists exactly when the change commits."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from memos.models import Memo
from notifications.models import Kind, Notification
from org.models import Person
from webhooks.services import webhook_fan_out


@dataclass(frozen=True)
class Notice:
    """One event to tell: its kind, memo, who is told (people's primary keys; None is passed over) and the
    parameters of its wording."""

    kind: Kind | str
    memo: Memo | None
    recipients: Iterable[Any]
    actor: Person | None = None
    params: dict[str, Any] = field(default_factory=dict)


def notify(
    *,
    kind: Kind | str,
    memo: Memo | None,
    recipients: Iterable[Any],
    actor: Person | None = None,
    **params: Any,
) -> list[Notification]:
    """Tell one event: see `notify_all`."""
    return notify_all([Notice(kind=kind, memo=memo, recipients=recipients, actor=actor, params=params)])


def notify_all(notices: Iterable[Notice]) -> list[Notification]:
    """One notification per distinct recipient of each notice (never its actor: nobody is told of what they
    did themselves), all written in one statement in the caller's transaction; the other channels are fed
    from these rows (`deliver`)."""
    rows: list[Notification] = []
    for notice in notices:
        seen: set[Any] = set()
        actor = notice.actor
        for person_id in notice.recipients:
            if person_id is None or person_id in seen or (actor is not None and person_id == actor.pk):
                continue
            seen.add(person_id)
            rows.append(
                Notification(
                    recipient_id=person_id,
                    kind=str(notice.kind),
                    memo=notice.memo,
                    actor=actor,
                    params=_jsonable(notice.params),
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
    webhook_fan_out(notifications=rows)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (str(value) if value is not None and not isinstance(value, int | float | bool) else value)
        for key, value in params.items()
    }
