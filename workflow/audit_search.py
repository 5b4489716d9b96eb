"""The organisation-wide audit search (the auditor's page, its CSV export and `GET /api/v1/audit/`): the audit
log filtered by memo (its number or id), person (username or name), action and a date range (Bangkok days),
newest first.

Pages are cut by sequence number (keyset: "older than sequence N", page size + 1 rows to know whether there is
more), never with COUNT(*) or OFFSET over the whole log, so a page costs the same on the millionth event as on the
first; the indexes (action, sequence), (actor, sequence) and (object type, object id, sequence) serve each filter
(core migration 0006). Who may search: auditors and administrators (`may_search_audit`).
"""

import csv
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from core import thai
from core.audit_labels import event_label
from core.models import AuditEvent
from core.spreadsheet import spreadsheet_safe
from memos.models import Memo, Register
from org.models import Person
from workflow import selectors
from workflow.history import when_text

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def may_search_audit(user: Any) -> bool:
    """The audit log is for auditors and administrators (the log names people and where they acted from)."""
    return bool(user is not None and (selectors.is_auditor(user) or selectors.is_administrator(user)))


@dataclass(frozen=True)
class AuditFilters:
    memo: str = ""  # a memo's number ("พบ ๓๒๘๐๑/๑", Arabic digits too, or without its code) or id
    actor: str = ""  # a username, or words of a name
    action: str = ""  # an event code (core.audit_labels)
    date_from: date | None = None  # Bangkok days, both ends included
    date_to: date | None = None

    @property
    def any(self) -> bool:
        return bool(self.memo or self.actor or self.action or self.date_from or self.date_to)


def memo_ids_matching(text: str) -> list[str]:
    """The ids (as the audit log writes them) of the memos `text` names: an id, or a number written with Thai
    or Arabic digits, whole ("พบ 32801/1") or without the letters of its document code ("32801/1"); the same
    number in every year's register. One query (none for an id)."""
    text = " ".join(text.split())
    if not text:
        return []
    try:
        return [str(uuid.UUID(text))]
    except ValueError:
        pass
    code, slash, running = thai.thai_digits(text).rpartition("/")
    running_digits = thai.arabic_digits(running).strip()
    if not slash or not running_digits.isdecimal() or not code.strip():
        return []
    # By the register (a few rows per code and year) and the running number: the index of the unique constraint
    # (register, sequence), not a scan of every memo's number.
    code = code.strip()
    registers = Register.objects.filter(Q(document_code=code) | Q(document_code__endswith=f" {code}"))
    found = (
        Memo.objects.filter(register__in=registers.values("pk"), sequence=int(running_digits))
        .order_by()
        .values_list("pk", flat=True)
    )
    return [str(pk) for pk in found[:100]]


def _people_matching(text: str) -> QuerySet[Person]:
    """People whose username is `text`, or whose name holds every word of it (Thai or English names)."""
    words = text.split()
    by_name = Q()
    for word in words:
        by_name &= (
            Q(first_name_th__icontains=word)
            | Q(last_name_th__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    return Person.objects.filter(Q(username__iexact=text.strip()) | by_name).order_by("pk")


#: The person filter names at most this many people; more is refused (the form says so), never cut silently.
MAX_PEOPLE = 100


def too_many_people(text: str) -> bool:
    """Whether the person filter's words name more people than the search takes (one query)."""
    return bool(text.strip()) and _people_matching(text).values("pk")[MAX_PEOPLE : MAX_PEOPLE + 1].exists()


def too_many_people_message() -> Any:
    return _("More than %(n)s people match these words: type more of the name, or the username.") % {
        "n": MAX_PEOPLE
    }


def _bangkok_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=thai.BANGKOK)


def audit_events(*, filters: AuditFilters, memo_ids: list[str] | None = None) -> QuerySet[AuditEvent]:
    """The log filtered, newest first, each event with its actor. `memo_ids`: the memos the memo filter names
    (`memo_ids_matching` when not given: one query more).

    Dates also bound the sequence (in the same statement: the first event at or after the start, the last before
    the end, each found on the `at` index), so that the database walks the sequence index within the range instead
    of sorting every event of a month by sequence (0.4 s at 1,000,000 events, docs/performance.md). `at` is taken
    under the chain head's lock (core.audit), so it grows with the sequence; the `at` conditions stay, so nothing
    outside the range is ever shown."""
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if filters.memo:
        ids = memo_ids if memo_ids is not None else memo_ids_matching(filters.memo)
        events = events.filter(object_type=Memo._meta.label_lower, object_id__in=ids)
    if filters.actor.strip():
        # Resolved first (one small query) rather than joined: with the ids as constants the database walks the
        # (actor, sequence) index newest first and stops at the page's end; a join made it read a year of events.
        people = list(_people_matching(filters.actor).values_list("pk", flat=True)[:MAX_PEOPLE])
        events = events.filter(actor_id__in=people)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.date_from:
        start = _bangkok_midnight(filters.date_from)
        first = AuditEvent.objects.filter(at__gte=start).order_by("at", "sequence").values("sequence")[:1]
        events = events.filter(at__gte=start, sequence__gte=Subquery(first))
    if filters.date_to:
        end = _bangkok_midnight(filters.date_to + timedelta(days=1))
        last = AuditEvent.objects.filter(at__lt=end).order_by("-at", "-sequence").values("sequence")[:1]
        events = events.filter(at__lt=end, sequence__lte=Subquery(last))
    return events


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    older: int | None  # the `before` of the next (older) page, None on the last
    memo_numbers: dict[str, str]  # memo id -> number, for the events about memos on this page


def audit_page(*, filters: AuditFilters, before: int | None = None, size: int = PAGE_SIZE) -> AuditPage:
    """One page of the search: at most three queries whatever the log's size (the memo filter's memos, the
    page's events with `size` + 1 rows, the numbers of the memos on the page)."""
    events = audit_events(filters=filters)
    if before is not None:
        events = events.filter(sequence__lt=before)
    rows = list(events[: size + 1])
    older = rows[size - 1].sequence if len(rows) > size else None
    rows = rows[:size]
    memo_label = Memo._meta.label_lower
    ids = {e.object_id for e in rows if e.object_type == memo_label}
    numbers = dict(Memo.objects.filter(pk__in=ids).order_by().values_list("pk", "number")) if ids else {}
    return AuditPage(events=rows, older=older, memo_numbers={str(k): v for k, v in numbers.items()})


def action_choices() -> list[tuple[str, str]]:
    """Every event code in words (the reader's language), sorted by the words."""
    from core.audit_labels import EVENT_LABELS

    return sorted(((code, str(label)) for code, label in EVENT_LABELS.items()), key=lambda pair: pair[1])


# CSV ----------------------------------------------------------------------------------------------------------


class _Echo:
    """csv.writer's file: hands each row back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_header() -> list[str]:
    return [
        _("Sequence"),
        _("Time"),
        _("Event"),
        _("Event code"),
        _("Person"),
        _("Username"),
        _("Object type"),
        _("Object id"),
        _("Details"),
        _("IP address"),
        _("Browser"),
        _("Hash"),
        _("Previous hash"),
    ]


def csv_row(event: AuditEvent) -> list[str]:
    actor = event.actor
    return [
        str(event.sequence),
        when_text(event.at),
        str(event_label(event.action)),
        event.action,
        actor.full_name if actor is not None else "",
        actor.username if actor is not None else "",
        event.object_type,
        event.object_id,
        json.dumps(event.data, ensure_ascii=False, sort_keys=True),
        event.ip_address or "",
        event.user_agent,
        event.hash,
        event.prev_hash,
    ]


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The CSV, a line at a time: a byte order mark first (so Excel reads the file as UTF-8 and shows Thai),
    then the header and one row per event. Nothing is held but the rows of one database fetch."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(csv_header())
    for event in events:
        yield writer.writerow([spreadsheet_safe(cell) for cell in csv_row(event)])
