"""The one way to tell people something (issue 13): called by the workflow's services inside the transaction
of the change, so a notification exists exactly when the change commits. And the reader's own writes: marking
read, choosing how each channel reaches them."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.batch import Batch, insert_sql
from memos.models import Memo
from notifications import email
from notifications.models import Channel, EmailState, Kind, Mode, Notification, Preference
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


def notify_all(notices: Iterable[Notice], *, batch: Batch | None = None) -> list[Notification]:
    """One notification per distinct recipient of each notice (never its actor: nobody is told of what they
    did themselves), all written in one statement in the caller's transaction; the other channels are fed
    from these rows (`deliver`). With `batch` (core.batch), the INSERT goes with the batch's other writes, and
    the rows have their keys, and their delivery job, once it has run."""
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
                    email_state=EmailState.QUEUED,  # the e-mail job decides, as the person wants it then
                )
            )
    if not rows:
        return []
    if batch is None:
        Notification.objects.bulk_create(rows)
        deliver(rows)
        return rows
    text, params, returning = insert_sql(rows, using=batch.using)

    def inserted(keys: list[tuple[Any, ...]]) -> None:
        for row, (key,) in zip(rows, keys, strict=True):
            row.pk = key
            row._state.adding = False
            row._state.db = batch.using
        deliver(rows)

    batch.add(text, params, returning=returning, then=inserted)
    return rows


def deliver(rows: list[Notification]) -> None:
    """Feed the other channels (e-mail, webhooks) from the rows just written: one job for the batch, enqueued in
    this transaction (`deliver_batch` runs it), so the change pays one INSERT for both channels, whatever the
    number of recipients and endpoints (an approve's statements are counted, issue 12)."""
    from notifications.tasks import deliver_notifications

    if rows:
        deliver_notifications.enqueue([row.pk for row in rows])


def deliver_batch(*, notification_ids: list[int]) -> int:
    """The delivery job of one batch: the e-mails as each recipient wants them now (`email.send_queued`), then
    one webhook delivery (with its send job) per endpoint that subscribes to the kind, for the people who want
    webhooks at once. Each channel does nothing twice when the job runs again. The number of e-mails sent."""
    sent = email.send_queued(notification_ids=notification_ids)
    with transaction.atomic(durable=True):
        rows = list(
            Notification.objects.filter(pk__in=list(notification_ids))
            .select_related("memo")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        webhook_fan_out(notifications=rows)
    return sent


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (str(value) if value is not None and not isinstance(value, int | float | bool) else value)
        for key, value in params.items()
    }


# The reader's writes ------------------------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, person: Person) -> bool:
    """Mark one of `person`'s notifications read (again is harmless); False when it was read already. Someone
    else's notification is never touched (the selector gives a 404 before this)."""
    with transaction.atomic(durable=True):
        changed = Notification.objects.filter(
            pk=notification.pk, recipient=person, read_at__isnull=True
        ).update(read_at=timezone.now())
    return changed > 0


def notification_mark_all_read(*, person: Person) -> int:
    """Mark every unread notification of `person` read; how many were."""
    with transaction.atomic(durable=True):
        return Notification.objects.filter(recipient=person, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def preference_set(*, person: Person, channel: Channel | str, mode: Mode | str) -> Preference:
    """How `channel` reaches `person` from now on. Leaving the daily digest drops what was waiting for it (the
    person no longer wants a digest; everything stays in the app)."""
    channel, mode = Channel(channel), Mode(mode)
    with transaction.atomic(durable=True):
        preference, _ = Preference.objects.select_for_update().get_or_create(
            person=person, channel=channel, defaults={"mode": mode}
        )
        if preference.mode != mode:
            preference.mode = mode
            preference.save(update_fields=["mode"])
        if channel == Channel.EMAIL and mode != Mode.DIGEST:
            Notification.objects.filter(recipient=person, email_state=EmailState.DIGEST).update(
                email_state=EmailState.NONE
            )
    return preference
