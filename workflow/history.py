"""A memo's full history as people read it (the auditor's history page and its PDF): every round with the revision
it signed (number and SHA-256) and what changed since the revision before (a line diff of the subject, the
addressee, the body and the enclosures), every step of the round (position, role, who acted and in which capacity,
what they decided or wrote, when, from where), and the memo's audit events.

Read in a fixed number of queries whatever the number of rounds, steps and events (the memo, the steps with their
signatures and reassignments, the revisions, the events). Where people acted from (IP address, browser) is filled in
only for auditors and administrators (`selectors.may_see_where_people_signed_from`).
"""

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import thai
from core.audit_labels import AUDITOR_ONLY_ACTIONS, event_label
from core.errors import NotFound
from core.models import AuditEvent
from memos.models import Memo, MemoRevision
from signatures.models import Signature
from workflow import selectors
from workflow.models import RouteStep, StepReassignment, StepState

# Reading ----------------------------------------------------------------------------------------------------


def when_text(at: datetime | None, *, digits: str | None = None) -> str:
    """A moment to the second, in Bangkok, in the reader's language: "๕ ตุลาคม ๒๕๖๖ เวลา ๐๙.๐๕.๓๒ น." /
    "5 October 2023, 09:05:32" (an audit trail is read to the second). `digits` forces "thai" (the PDF)."""
    if at is None:
        return ""
    local = thai.to_bangkok(at)
    thai_reader = digits == "thai" or (digits is None and (get_language() or "th").startswith("th"))
    if not thai_reader:
        return f"{thai.format_date_long_en(local)}, {local:%H:%M:%S}"
    return thai.thai_digits(f"{thai.format_date_long(local, digits='arabic')} เวลา {local:%H.%M.%S} น.")


@dataclass(frozen=True)
class DiffLine:
    """One line of a change: `kind` "same" (context), "del" (removed) or "ins" (added)."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    """What changed in one part of the memo between two revisions."""

    label: Any
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True)
class HistoryStep:
    """One step of one round. `line`: the capacity and the position signed for ("รักษาการแทน หัวหน้าสำนักปลัด")."""

    step: RouteStep
    role: Any
    state: Any
    name: str  # who acted (or holds the step now); "" when nobody
    line: str
    acted_at: datetime | None
    decision: Any  # the decision in words, with its text
    opinion: str
    reason: str
    signature: Signature | None
    ip_address: str  # "" unless the reader may see where people acted from
    user_agent: str
    reassignments: tuple[StepReassignment, ...]


@dataclass(frozen=True)
class HistoryRound:
    number: int
    revision: MemoRevision | None  # the revision submitted for this round (none for a draft never submitted)
    changes: tuple[FieldChange, ...]  # since the revision before; empty for the first
    first: bool
    steps: tuple[HistoryStep, ...]


@dataclass(frozen=True)
class HistoryEvent:
    event: AuditEvent
    label: Any
    actor: str
    details: tuple[tuple[str, str], ...]
    ip_address: str
    user_agent: str


@dataclass(frozen=True)
class MemoHistory:
    memo: Memo
    rounds: tuple[HistoryRound, ...]
    events: tuple[HistoryEvent, ...]
    show_where: bool
    revisions: tuple[MemoRevision, ...] = field(default=())


def memo_history_get(*, memo_id: Any, user: Any) -> MemoHistory:
    """The history of a memo the user may see (the memo pages' rule: 404 otherwise)."""
    memo = (
        selectors.memos_visible_to(user=user)
        .select_related("writer", "organisation", "current_revision")
        .filter(pk=memo_id)
        .first()
    )
    if memo is None:
        raise NotFound()
    return memo_history(memo=memo, show_where=selectors.may_see_where_people_signed_from(user))


def memo_history(*, memo: Memo, show_where: bool) -> MemoHistory:
    """Four queries: the steps of every round (position, assignee, signature with signer and position), their
    reassignments, the revisions, the audit events with their actors."""
    reassignments = StepReassignment.objects.select_related(
        "previous_assignee", "new_assignee", "actor"
    ).order_by("at")
    steps = list(
        RouteStep.objects.filter(memo=memo)
        .select_related("position", "assignee", "signature__signer", "signature__position")
        .prefetch_related(Prefetch("reassignments", queryset=reassignments))
        .order_by("round", "order")
    )
    revisions = list(MemoRevision.objects.filter(memo=memo).select_related("created_by").order_by("number"))
    events_of_memo = AuditEvent.objects.filter(object_type=memo._meta.label_lower, object_id=str(memo.pk))
    if not show_where:  # who opened the files, whose signing was refused: for auditors (core.audit_labels)
        events_of_memo = events_of_memo.exclude(action__in=AUDITOR_ONLY_ACTIONS)
    events = list(events_of_memo.select_related("actor").order_by("sequence"))
    by_number = {r.number: r for r in revisions}
    rounds: list[HistoryRound] = []
    for number in sorted({s.round for s in steps}):
        revision = by_number.get(number)
        previous = by_number.get(number - 1)
        changes = revision_changes(previous.content, revision.content) if revision and previous else ()
        rounds.append(
            HistoryRound(
                number=number,
                revision=revision,
                changes=changes,
                first=previous is None,
                steps=tuple(_step(s, show_where) for s in steps if s.round == number),
            )
        )
    return MemoHistory(
        memo=memo,
        rounds=tuple(rounds),
        events=tuple(_event(e, show_where) for e in events),
        show_where=show_where,
        revisions=tuple(revisions),
    )


def _step(step: RouteStep, show_where: bool) -> HistoryStep:
    signature = step.signature if step.state == StepState.SIGNED else None
    person = signature.signer if signature is not None else step.assignee
    title = signature.position.title if signature is not None else step.position.title
    capacity = signature.capacity if signature is not None else step.capacity
    decision: Any = ""
    if step.decision:
        decision = step.get_decision_display()
        if step.decision_text.strip():
            decision = f"{decision}: {step.decision_text.strip()}"
    return HistoryStep(
        step=step,
        role=step.get_role_display(),
        state=step.get_state_display(),
        name=person.full_name if person is not None else "",
        line=selectors.signing_line(title=title, capacity=capacity or None),
        acted_at=step.acted_at,
        decision=decision,
        opinion=step.opinion.strip(),
        reason=step.reason.strip(),
        signature=signature,
        ip_address=(signature.ip_address or "") if show_where and signature is not None else "",
        user_agent=signature.user_agent if show_where and signature is not None else "",
        reassignments=tuple(step.reassignments.all()),
    )


def _detail(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _event(event: AuditEvent, show_where: bool) -> HistoryEvent:
    data = event.data if isinstance(event.data, dict) else {"data": event.data}
    return HistoryEvent(
        event=event,
        label=event_label(event.action),
        actor=event.actor.full_name if event.actor is not None else str(_("the system")),
        details=tuple((str(k), _detail(v)) for k, v in sorted(data.items()) if v not in ("", None, [], {})),
        ip_address=(event.ip_address or "") if show_where else "",
        user_agent=event.user_agent if show_where else "",
    )


# What changed between two revisions -------------------------------------------------------------------------


def _enclosure_lines(content: dict[str, Any]) -> list[str]:
    lines = []
    for e in content.get("enclosures") or []:
        digest = e.get("file_sha256") or e.get("table_sha256") or ""
        lines.append(
            f"{e.get('order')}. {e.get('title', '')}" + (f" (SHA-256 {digest[:16]}…)" if digest else "")
        )
    return lines


def _parts(content: dict[str, Any]) -> list[tuple[Any, list[str]]]:
    return [
        (_("Subject"), [str(content.get("subject") or "")]),
        (_("To"), [str(content.get("addressee") or "")]),
        (_("Text"), [str(p) for p in content.get("paragraphs") or []]),
        (_("Enclosures"), _enclosure_lines(content)),
    ]


def line_diff(before: Sequence[str], after: Sequence[str], *, context: int = 1) -> tuple[DiffLine, ...]:
    """The lines removed and added from `before` to `after` (difflib), with `context` unchanged lines around
    each change; empty when nothing changed."""
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=list(before), b=list(after), autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine(kind="gap", text="…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine(kind="same", text=t) for t in before[i1:i2])
                continue
            lines.extend(DiffLine(kind="del", text=t) for t in before[i1:i2])
            lines.extend(DiffLine(kind="ins", text=t) for t in after[j1:j2])
    return tuple(lines)


def revision_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """What changed from one revision's content to the next: per part (subject, addressee, text, enclosures)
    the lines removed and added."""
    changes = []
    for (label, old), (_label, new) in zip(_parts(before), _parts(after), strict=True):
        lines = line_diff(old, new)
        if lines:
            changes.append(FieldChange(label=label, lines=lines))
    return tuple(changes)
