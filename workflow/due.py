"""Due times of route steps (issue 13): when a step falls due, how late it is, and the words for both.

A step gets its due time when it reaches its signatory (`workflow.services._flow._activate`), from the memo's
urgency (ชั้นความเร็ว) counted in working days on the organisation's calendar (core.workdays, the holiday
table: org.holidays.work_calendar): ด่วนที่สุด the same working day, ด่วนมาก 1, ด่วน 2, ปกติ 3 working days
(settings.MEMOFLOW_DUE_WORKING_DAYS), at the end of office hours (MEMOFLOW_OFFICE_HOURS_END). Choices
(docs/adr/0010-due-times-and-reminders.md):

- a reassigned step keeps its due time: the memo has waited as long, whoever holds it now;
- the writer's step of a returned memo has none: revising one's own memo is not a step someone else waits on
  to sign, and nobody is reminded of it or escalated over it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core import thai
from core.workdays import WorkCalendar
from memos.models import Memo
from org.holidays import work_calendar
from org.models import Organisation
from workflow.models import StepNotice


def calendar_for(organisation_id: Any) -> WorkCalendar:
    """The working-day calendar of one organisation (national holidays and its own days off); one query for
    the years it is asked about. The organisation is named by its key alone (no query for its row)."""
    return work_calendar(organisation=Organisation(pk=organisation_id))


class Calendars:
    """One calendar per organisation, made when first asked for: a list or a scan over many steps costs one
    holiday query per organisation (usually one), whatever the number of rows."""

    def __init__(self) -> None:
        self._by_organisation: dict[Any, WorkCalendar] = {}

    def __call__(self, organisation_id: Any) -> WorkCalendar:
        calendar = self._by_organisation.get(organisation_id)
        if calendar is None:
            calendar = self._by_organisation[organisation_id] = calendar_for(organisation_id)
        return calendar


def step_due_at(*, memo: Memo, activated_at: datetime, calendar: WorkCalendar | None = None) -> datetime:
    """When a step of `memo` that reached its signatory at `activated_at` falls due."""
    calendar = calendar or calendar_for(memo.organisation_id)
    return calendar.due_at(activated_at, memo.urgency)


@dataclass(frozen=True)
class DueStatus:
    """A step's due time as the pages show it: `due_text` ("๔ ธ.ค. ๒๕๖๙ ๑๖.๓๐ น."), whether it is overdue and
    by how many working days (0 on the due day itself, after the time), and `overdue_text` in words."""

    due_at: datetime
    overdue: bool
    overdue_days: int
    due_text: str
    overdue_text: str


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


def due_text(due_at: datetime) -> str:
    """The due time in the page's language, B.E. and Thai digits in Thai: "๔ ธ.ค. ๒๕๖๙ ๑๖.๓๐ น." /
    "4 Dec 2026, 16:30"."""
    local = thai.to_bangkok(due_at)
    if _thai():
        return thai.thai_digits(
            f"{thai.format_date_short(local, digits='arabic')} {local.hour:02d}.{local.minute:02d} น."
        )
    return f"{thai.format_date_short_en(local)}, {local.hour:02d}:{local.minute:02d}"


def overdue_text(days: int) -> str:
    """ "เกินกำหนด ๒ วันทำการ" / "overdue 2 working days"; on the due day itself, after the time: "เกินกำหนด"."""
    if days <= 0:
        return _("overdue")
    n = thai.thai_digits(days) if _thai() else str(days)
    return ngettext("overdue %(n)s working day", "overdue %(n)s working days", days) % {"n": n}


def due_status(due_at: datetime | None, *, now: datetime, calendar: WorkCalendar) -> DueStatus | None:
    """The step's due status now; None for a step without a due time (a writer's step)."""
    if due_at is None:
        return None
    overdue = now > due_at
    days = calendar.working_days_overdue(due_at, now) if overdue else 0
    return DueStatus(
        due_at=due_at,
        overdue=overdue,
        overdue_days=days,
        due_text=due_text(due_at),
        overdue_text=overdue_text(days) if overdue else "",
    )


def step_notices_by_step(*, memo: Memo) -> dict[Any, list[StepNotice]]:
    """The reminders and escalations sent for the memo's steps (one query), by step, oldest first; escalations
    with nobody to tell left out."""
    found: dict[Any, list[StepNotice]] = {}
    notices = (
        StepNotice.objects.filter(step__memo_id=memo.pk)
        .exclude(kind="escalated", recipient__isnull=True)
        .select_related("recipient")
        .order_by("sent_at", "id")
    )
    for notice in notices:
        found.setdefault(notice.step_id, []).append(notice)
    return found
