"""Opinion phrases (ความเห็น) an organisation offers its signatories, per role of the step."""

from typing import Any

from django.db import transaction


def opinion_phrases_ensure(*, organisation: Any, phrases: dict[str, list[str]]) -> None:
    """Give an organisation its phrases per role (cosign, opinion, decision) if it has none yet (the demo; an
    administrator edits them)."""
    from workflow.models import OpinionPhrase

    with transaction.atomic(durable=True):
        if OpinionPhrase.objects.filter(organisation=organisation).exists():
            return
        OpinionPhrase.objects.bulk_create(
            OpinionPhrase(organisation=organisation, role=role, text=text, sort_order=index)
            for role, texts in phrases.items()
            for index, text in enumerate(texts)
        )
