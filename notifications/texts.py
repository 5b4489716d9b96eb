"""A notification in words (issue 13): a short title and one sentence, in the active language (the reader's:
the page's, or Thai then English in an e-mail), built from the memo (number, subject, urgency) and the row's
parameters (position, capacity, reason, decision, due time). Dates are in the Buddhist era in Thai.

The memo's body is never part of a notification. For an e-mail (`for_email=True`) a classified memo's subject is
left out too: its secrecy class stands in its place."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import thai
from memos.models import Memo, Secrecy, Urgency
from notifications.models import Kind, Notification

#: The decision's words (workflow.models.Decision's values; notifications does not import workflow).
DECISIONS = {
    "acknowledged": gettext_lazy("Acknowledged"),
    "approved": gettext_lazy("Approved"),
    "not_approved": gettext_lazy("Not approved"),
    "other": gettext_lazy("Other order"),
}

#: ชั้นความลับ as a reader of an e-mail is told it, instead of the subject.
SECRECY_WORDS: dict[str, Any] = {
    Secrecy.CONFIDENTIAL: gettext_lazy("Confidential"),
    Secrecy.SECRET: gettext_lazy("Secret"),
    Secrecy.TOP_SECRET: gettext_lazy("Top secret"),
}


@dataclass(frozen=True)
class Text:
    title: str
    sentence: str


def _thai() -> bool:
    return (translation.get_language() or "th").startswith("th")


def when(value: datetime | str | None) -> str:
    """A time as the reader reads it: ๕ ตุลาคม ๒๕๖๙ เวลา ๐๙.๐๕ น. in Thai, 5 October 2026, 09:05 in English."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    return thai.format_datetime(moment) if _thai() else thai.format_datetime_en(moment)


def secrecy_word(memo: Memo) -> str:
    """ลับ / ลับมาก / ลับที่สุด; "" for a memo that is not classified (an unknown class reads as the lowest)."""
    if not memo.secrecy:
        return ""
    return str(SECRECY_WORDS.get(memo.secrecy, SECRECY_WORDS[Secrecy.CONFIDENTIAL]))


def _day(value: str | None) -> str:
    """A leave's day (ISO in the row) as the reader reads it: ๔ ธันวาคม ๒๕๖๙ in Thai."""
    if not value:
        return ""
    day = parse_date(str(value))
    if day is None:
        return ""
    return thai.format_date(day)  # Thai or English, by the active language


def urgency_word(memo: Memo) -> str:
    """ด่วน / ด่วนมาก / ด่วนที่สุด, or "" for a normal memo."""
    if memo.urgency == Urgency.NORMAL or memo.urgency not in Urgency.values:
        return ""
    return str(Urgency(memo.urgency).label)


def memo_phrase(memo: Memo | None, *, for_email: bool = False) -> str:
    """The memo as a notification names it: its number and subject (the subject left out of an e-mail about a
    classified memo), with its urgency in front when it is not normal."""
    if memo is None:
        return _("a memo")
    number = memo.number or _("(no number yet)")
    if for_email and memo.secrecy:
        phrase = _("memo %(number)s (secrecy: %(secrecy)s)") % {
            "number": number,
            "secrecy": secrecy_word(memo),
        }
    else:
        phrase = _("memo %(number)s “%(subject)s”") % {"number": number, "subject": memo.subject}
    urgency = urgency_word(memo)
    return f"[{urgency}] {phrase}" if urgency else phrase


def _role_phrase(role: str) -> str:
    return {
        "opinion": _("for your opinion"),
        "decision": _("for your decision"),
    }.get(role, _("for your signature"))


def _decision(params: dict[str, Any]) -> str:
    decision = params.get("decision") or ""
    word = str(DECISIONS.get(decision, decision))
    if decision == "other" and params.get("decision_text"):
        return str(params["decision_text"])
    return word


def wording(notification: Notification, *, for_email: bool = False) -> Text:
    """The notification's title and sentence in the active language. Reads `memo` and `actor` from the row
    (select them with it)."""
    kind = notification.kind
    params: dict[str, Any] = notification.params or {}
    actor = notification.actor
    values = {
        "memo": memo_phrase(notification.memo, for_email=for_email),
        "actor": actor.full_name if actor is not None else _("someone"),
        "position": f"{params.get('capacity') or ''}{params.get('position') or ''}",
        "reason": params.get("reason") or "—",
        "decision": _decision(params),
        "due": when(params.get("due_at")),
        "for_role": _role_phrase(str(params.get("role") or "")),
        "person": params.get("person") or "",
        "acting": params.get("acting") or "",
        "acting_capacity": params.get("acting_capacity") or "",
        "first": _day(params.get("starts_on")),
        "last": _day(params.get("ends_on")),
    }
    title = str(Kind(kind).label) if kind in Kind.values else kind
    sentences = {
        Kind.STEP_WAITING: _("%(memo)s waits %(for_role)s as %(position)s."),
        Kind.STEP_SIGNED: _("%(actor)s signed your %(memo)s as %(position)s."),
        Kind.RETURNED: _("%(actor)s (%(position)s) returned your %(memo)s for revision. Reason: %(reason)s"),
        Kind.REJECTED: _("%(actor)s (%(position)s) rejected %(memo)s. Reason: %(reason)s"),
        Kind.COMPLETED: _("Your %(memo)s was completed: %(actor)s (%(position)s) decided “%(decision)s”."),
        Kind.ARCHIVED: _("Your %(memo)s was archived: its signed PDF is ready."),
        Kind.REASSIGNED_TO: _(
            "%(actor)s moved the step of %(memo)s to you (as %(position)s). Reason: %(reason)s"
        ),
        Kind.REASSIGNED_FROM: _(
            "%(actor)s moved your step of %(memo)s (as %(position)s) to someone else. Reason: %(reason)s"
        ),
        Kind.WITHDRAWN: _(
            "%(actor)s withdrew %(memo)s, which waited %(for_role)s as %(position)s. Reason: %(reason)s"
        ),
        Kind.REMINDER: _("%(memo)s still waits %(for_role)s as %(position)s; it is due %(due)s."),
        Kind.ESCALATED: _("%(memo)s is overdue at the step of %(position)s; it was due %(due)s."),
        Kind.LEAVE_REQUESTED: _(
            "%(person)s asks for leave from %(position)s, %(first)s to %(last)s, with %(acting)s acting."
        ),
        Kind.LEAVE_APPROVED: _(
            "%(actor)s approved your leave from %(position)s, %(first)s to %(last)s: %(acting)s acts for you."
        ),
        Kind.LEAVE_REFUSED: _(
            "%(actor)s refused your leave from %(position)s, %(first)s to %(last)s. Reason: %(reason)s"
        ),
        Kind.LEAVE_ACTING: _(
            "%(actor)s approved the leave of %(person)s: you sign as %(acting_capacity)s%(position)s "
            "from %(first)s to %(last)s."
        ),
    }
    template = sentences.get(Kind(kind)) if kind in Kind.values else None
    sentence = template % values if template else values["memo"]
    return Text(title=title, sentence=sentence[:1].upper() + sentence[1:])  # "memo 32801/1 …" starts one
