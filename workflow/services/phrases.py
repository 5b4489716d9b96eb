"""Opinion phrases (ความเห็น) an organisation offers its signatories, per role of the step: the demo's set, and an
administrator's additions, changes and removals (each audited, with what changed)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import RequestMeta, audit_event_append
from core.errors import ValidationFailed
from org.models import Person

#: The fields an administrator edits, in the audit event.
PHRASE_FIELDS = ("organisation", "role", "text", "sort_order")


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
    from workflow.models import OpinionPhrase

    try:
        phrase.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(fields={k: list(v) for k, v in exc.message_dict.items()}) from exc
    created = phrase._state.adding
    with transaction.atomic(durable=True):
        before = None if created else OpinionPhrase.objects.select_for_update().filter(pk=phrase.pk).first()
        phrase.save()
        after = _values(phrase)
        data: dict[str, Any] = dict(after)
        if before is not None:
            old = _values(before)
            data["changed"] = {k: [old[k], after[k]] for k in PHRASE_FIELDS if old[k] != after[k]}
        audit_event_append(
            action="opinion_phrase.created" if created else "opinion_phrase.changed",
            obj=phrase,
            actor=actor,
            data=data,
            meta=meta,
        )
    return phrase


def opinion_phrase_delete(
    *, phrase: Any, actor: Person | None = None, meta: RequestMeta | None = None
) -> None:
    """Remove one phrase; `opinion_phrase.deleted` keeps what it said."""
    with transaction.atomic(durable=True):
        data = _values(phrase)
        audit_event_append(action="opinion_phrase.deleted", obj=phrase, actor=actor, data=data, meta=meta)
        phrase.delete()
