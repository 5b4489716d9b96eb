"""The holiday table (org.models.Holiday): the working-day calendar that due times count on, the official list
loaded from org/data/thai_public_holidays.json, and an administrator's changes (each audited)."""

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import CharField, Q, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from core.audit import RequestMeta, audit_event_append, audited_save
from core.errors import ValidationFailed
from core.workdays import WorkCalendar
from org.models import Holiday, Organisation, Person

#: The official list shipped with memoflow (its "source" and "check" keys say where it comes from).
OFFICIAL_HOLIDAYS = Path(__file__).resolve().parent / "data" / "thai_public_holidays.json"

#: The fields an administrator edits, in the audit event.


# Reading -----------------------------------------------------------------------------------------------------


def _scope(organisation_id: Any) -> Q:
    """The national holidays, and the organisation's own days off when one is named."""
    scope = Q(organisation__isnull=True)
    if organisation_id is not None:
        scope |= Q(organisation_id=organisation_id)
    return scope


def work_calendar(*, organisation: Organisation | None = None) -> WorkCalendar:
    """Weekends, the national holidays and, given an organisation, its own days off. One query per call of
    the calendar for the years it is first asked about (usually one in all): make one per request or task."""

    def load(first: date, last: date) -> Iterable[date]:
        scope = _scope(organisation.pk if organisation is not None else None)
        return Holiday.objects.filter(scope, date__range=(first, last)).values_list("date", flat=True)

    return WorkCalendar(load)


def holidays_annotation(*, organisation_id: Any, years: tuple[int, int]) -> Subquery:
    """The organisation's holidays of `years` (first, last) as one text ("2026-12-05,2026-12-10"), for a query
    that runs anyway (an approve reads its round's steps under the lock; its statements are counted, issue
    12): `preloaded_calendar` makes the calendar from it."""
    first, last = years
    return holidays_between(organisation_id=organisation_id, first=date(first, 1, 1), last=date(last, 12, 31))


def holidays_between(*, organisation_id: Any, first: date, last: date) -> Subquery:
    """`holidays_annotation` from the day `first` to the day `last`."""
    return Subquery(
        Holiday.objects.filter(_scope(organisation_id), date__range=(first, last))
        .order_by()
        .values(every=Value(1))  # one group: every row (a constant is no grouping column)
        .annotate(dates=StringAgg(Cast("date", CharField()), Value(","), default=Value("")))
        .values("dates")[:1],
        output_field=CharField(),
    )


def preloaded_calendar(*, organisation_id: Any, years: tuple[int, int], dates: str | None) -> WorkCalendar:
    """`work_calendar` of the organisation with `years` read already (`holidays_annotation`'s text); other
    years are read when asked for, as always."""
    calendar = work_calendar(organisation=Organisation(pk=organisation_id))
    calendar.preload(*years, (date.fromisoformat(day) for day in (dates or "").split(",") if day))
    return calendar


def official_holidays(*, year: int | None = None) -> list[tuple[date, str]]:
    """The shipped list (one year's, or every year's), as (date, Thai name); ValidationFailed for a year it
    does not have."""
    years: dict[str, list[dict[str, str]]] = json.loads(OFFICIAL_HOLIDAYS.read_text(encoding="utf-8"))[
        "years"
    ]
    if year is not None and str(year) not in years:
        raise ValidationFailed(
            fields={
                "year": [
                    _("The official list has no year %(year)s; it has %(years)s. Add the days in the admin.")
                    % {"year": year, "years": ", ".join(sorted(years))}
                ]
            }
        )
    chosen = [years[str(year)]] if year is not None else list(years.values())
    return [(date.fromisoformat(entry["date"]), entry["name"]) for entries in chosen for entry in entries]


# Writing -----------------------------------------------------------------------------------------------------


def holidays_load(*, year: int | None = None, actor: Person | None = None) -> list[Holiday]:
    """Add the official national holidays (one year's, or all the list has) that the table does not have yet;
    a date that already has a national holiday is left as it is (an administrator's correction stays). Run it
    twice and the second run adds nothing. Each day added is audited (`holiday.created`)."""
    wanted = official_holidays(year=year)
    added: list[Holiday] = []
    with transaction.atomic(durable=True):
        have = set(
            Holiday.objects.filter(organisation__isnull=True, date__in=[day for day, _name in wanted])
            .select_for_update()
            .values_list("date", flat=True)
        )
        for day, name in wanted:
            if day in have:
                continue
            holiday = Holiday.objects.create(date=day, name=name, organisation=None)
            have.add(day)
            added.append(holiday)
            audit_event_append(
                action="holiday.created",
                obj=holiday,
                actor=actor,
                data={**_values(holiday), "source": OFFICIAL_HOLIDAYS.name},
            )
    return added


def _values(holiday: Holiday) -> dict[str, Any]:
    return {
        "date": holiday.date.isoformat() if holiday.date else None,
        "name": holiday.name,
        "organisation": str(holiday.organisation_id) if holiday.organisation_id else None,
    }


def holiday_save(
    *, holiday: Holiday, actor: Person | None = None, meta: RequestMeta | None = None
) -> Holiday:
    """Add or change one holiday (validated first: one national holiday per date, one per organisation and
    date); `holiday.created` / `holiday.changed` with each changed field's old and new value."""
    return audited_save(obj=holiday, action="holiday", values=_values, actor=actor, meta=meta)


def holiday_delete(*, holiday: Holiday, actor: Person | None = None, meta: RequestMeta | None = None) -> None:
    """Remove one holiday (a day that turns out to be a working day); `holiday.deleted` keeps what it was."""
    with transaction.atomic(durable=True):
        audit_event_append(
            action="holiday.deleted", obj=holiday, actor=actor, data=_values(holiday), meta=meta
        )
        holiday.delete()
