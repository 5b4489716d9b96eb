"""Reads of the notifications app."""

from collections.abc import Iterable
from typing import Any

from notifications.models import Channel, Mode, Preference


def modes_for(*, person_ids: Iterable[Any], channel: Channel | str) -> dict[Any, str]:
    """Each person's mode for one channel (one query); someone with no preference row gets it at once."""
    ids = list(dict.fromkeys(person_ids))
    chosen = dict(
        Preference.objects.filter(person_id__in=ids, channel=str(channel)).values_list("person_id", "mode")
    )
    return {pk: chosen.get(pk, Mode.IMMEDIATE.value) for pk in ids}
