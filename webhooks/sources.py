"""The one module of webhooks that reads the notifications app: its event kinds, its rows and each person's
choice for the webhook channel.

notifications feeds webhooks (`notifications.services.deliver` calls `webhooks.services.webhook_fan_out`), so
webhooks sits below it in the layers contract; these reads are the contract's only exception
(pyproject.toml `ignore_imports`), kept here so that nothing else in webhooks depends on notifications."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from notifications.models import Channel, Kind, Mode, Notification, Preference
from notifications.selectors import modes_for

#: The kind of the daily digest event (not a notification kind: it carries several).
DIGEST_KIND = "notification.digest"
IMMEDIATE = Mode.IMMEDIATE.value


def kind_choices() -> list[tuple[str, Any]]:
    """The notification kinds an endpoint may subscribe to, with their labels."""
    return list(Kind.choices)


def kind_label(kind: str) -> Any:
    return dict(Kind.choices).get(kind, kind)


def webhook_modes(person_ids: Iterable[Any]) -> dict[Any, str]:
    """Each person's mode for the webhook channel (no preference: at once)."""
    return modes_for(person_ids=person_ids, channel=Channel.WEBHOOK)


def digest_notifications(*, since: datetime, until: datetime) -> QuerySet[Notification]:
    """The notifications in [since, until) of the people who chose a daily digest for webhooks, oldest first."""
    digest_people = Preference.objects.filter(channel=Channel.WEBHOOK, mode=Mode.DIGEST).values("person_id")
    return (
        Notification.objects.filter(
            recipient_id__in=digest_people, created_at__gte=since, created_at__lt=until
        )
        .select_related("memo", "recipient")
        .order_by("recipient_id", "created_at", "id")
    )
