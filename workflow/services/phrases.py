"""Opinion phrases (ความเห็น) an organisation offers its signatories, per role of the step: the demo's set, and an
administrator's additions, changes and removals (each audited, with what changed)."""

from typing import Any

from django.db import transaction

from core.audit import RequestMeta, audit_event_append, audited_save
from org.models import Person

#: The fields an administrator edits, in the audit event.


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


def _values(phrase: Any) -> dict[str, Any]:
    return {
        "organisation": str(phrase.organisation_id),
        "role": phrase.role,
        "text": phrase.text,
        "sort_order": phrase.sort_order,
    }


def opinion_phrase_save(*, phrase: Any, actor: Person | None = None, meta: RequestMeta | None = None) -> Any:
    """Add or change one phrase (validated first); `opinion_phrase.created` / `.changed` with each changed
    field's old and new value."""
    return audited_save(obj=phrase, action="opinion_phrase", values=_values, actor=actor, meta=meta)


def opinion_phrase_delete(
    *, phrase: Any, actor: Person | None = None, meta: RequestMeta | None = None
) -> None:
    """Remove one phrase; `opinion_phrase.deleted` keeps what it said."""
    with transaction.atomic(durable=True):
        data = _values(phrase)
        audit_event_append(action="opinion_phrase.deleted", obj=phrase, actor=actor, data=data, meta=meta)
        phrase.delete()
