"""Reads of the notifications app."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

from core.errors import NotFound
from notifications.models import Channel, Mode, Notification, Preference
from org.models import Person


def modes_for(*, person_ids: Iterable[Any], channel: Channel | str) -> dict[Any, str]:
    """Each person's mode for one channel (one query); someone with no preference row gets it at once."""
    ids = list(dict.fromkeys(person_ids))
    chosen = dict(
        Preference.objects.filter(person_id__in=ids, channel=str(channel)).values_list("person_id", "mode")
    )
    return {pk: chosen.get(pk, Mode.IMMEDIATE.value) for pk in ids}


def preferences_for(*, person: Person) -> dict[str, str]:
    """The person's mode for every channel (at once where they chose nothing)."""
    return {str(channel): mode for channel, mode in modes_for_person(person=person).items()}


def modes_for_person(*, person: Person) -> dict[Channel, str]:
    chosen = dict(Preference.objects.filter(person=person).values_list("channel", "mode"))
    return {channel: chosen.get(channel.value, Mode.IMMEDIATE.value) for channel in Channel}


def unread_notifications_count(*, person_ref: Any) -> QuerySet[Any]:
    """The number of unread notifications of the person `person_ref` names (a value or an OuterRef), as a
    one-value queryset to use as a subquery: the header folds it into its own query (the partial index
    notification_unread_idx answers it)."""
    return (
        Notification.objects.filter(recipient=person_ref, read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )


def unread_count(*, person: Person) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def notifications_for(*, person: Person, unread_only: bool = False) -> QuerySet[Notification]:
    """A person's own notifications, newest first, with what their wording needs (memo, actor) in the same
    query."""
    qs = Notification.objects.filter(recipient=person).select_related("memo", "actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_get(*, person: Person, notification_id: Any) -> Notification:
    """One of the person's own notifications; someone else's is not found (404), as one that does not exist."""
    found = notifications_for(person=person).filter(pk=notification_id).first()
    if found is None:
        raise NotFound()
    return found
