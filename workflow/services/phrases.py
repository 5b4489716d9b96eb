"""Opinion phrases (ความเห็น) an organisation offers its signatories."""

from typing import Any

from django.db import transaction


def opinion_phrases_ensure(*, organisation: Any, phrases: list[str]) -> None:
    """Give an organisation its opinion phrases if it has none yet (the demo; an administrator edits them)."""
    from workflow.models import OpinionPhrase

    with transaction.atomic(durable=True):
        if OpinionPhrase.objects.filter(organisation=organisation).exists():
            return
        OpinionPhrase.objects.bulk_create(
            OpinionPhrase(organisation=organisation, text=text, sort_order=index)
            for index, text in enumerate(phrases)
        )
