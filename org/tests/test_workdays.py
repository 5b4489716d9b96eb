"""Due times on the real holiday table (org/data/thai_public_holidays.json loaded as `load_holidays` does),
with fixed clocks: across weekends, Songkran, วันปิยมหาราช, December's substitution day and the new year."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.thai import BANGKOK
from org import holidays
from org.models import Holiday, Organisation

pytestmark = pytest.mark.django_db


def bkk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def official(db):
    return holidays.holidays_load()


@pytest.fixture
def calendar(official):
    return holidays.work_calendar()


@pytest.mark.parametrize(
    ("activated_at", "urgency", "due"),
    [
        # Friday 10 April 2026, 10:00: Songkran (Mon 13 - Wed 15) and the weekend before it do not count.
        (bkk(2026, 4, 10, 10, 0), "most_urgent", bkk(2026, 4, 10, 16, 30)),
        (bkk(2026, 4, 10, 10, 0), "very_urgent", bkk(2026, 4, 16, 16, 30)),
        (bkk(2026, 4, 10, 10, 0), "urgent", bkk(2026, 4, 17, 16, 30)),
        (bkk(2026, 4, 10, 10, 0), "normal", bkk(2026, 4, 20, 16, 30)),
        # Reaching the signatory on วันสงกรานต์: it counts from Thursday 16 April.
        (bkk(2026, 4, 13, 9, 0), "most_urgent", bkk(2026, 4, 16, 16, 30)),
        (bkk(2026, 4, 14, 9, 0), "normal", bkk(2026, 4, 21, 16, 30)),
        # วันปิยมหาราช, Friday 23 October 2026: Thursday's ด่วนมาก is due on Monday ...
        (bkk(2026, 10, 22, 15, 0), "very_urgent", bkk(2026, 10, 26, 16, 30)),
        # ... and after office hours on Thursday it counts from Monday, so it is due on Tuesday.
        (bkk(2026, 10, 22, 16, 45), "very_urgent", bkk(2026, 10, 27, 16, 30)),
        (bkk(2026, 10, 22, 16, 45), "most_urgent", bkk(2026, 10, 26, 16, 30)),
        # Friday 4 December after hours: Sat 5 (วันพ่อ), Sun, Mon 7 (its substitution day), Thu 10 (วันรัฐธรรมนูญ).
        (bkk(2026, 12, 4, 17, 0), "most_urgent", bkk(2026, 12, 8, 16, 30)),
        (bkk(2026, 12, 4, 17, 0), "urgent", bkk(2026, 12, 11, 16, 30)),
        # The year's end: 31 December and 1 January are holidays, then a weekend; 2027 counts on.
        (bkk(2026, 12, 30, 10, 0), "most_urgent", bkk(2026, 12, 30, 16, 30)),
        (bkk(2026, 12, 30, 10, 0), "normal", bkk(2027, 1, 6, 16, 30)),
        (bkk(2026, 12, 31, 9, 0), "most_urgent", bkk(2027, 1, 4, 16, 30)),
        (bkk(2026, 12, 30, 17, 0), "very_urgent", bkk(2027, 1, 5, 16, 30)),
        # A weekend with no holiday: Saturday counts from Monday.
        (bkk(2026, 11, 7, 11, 0), "urgent", bkk(2026, 11, 11, 16, 30)),
        # Given in UTC: 09:31 UTC is 16:31 in Bangkok, after office hours.
        (datetime(2026, 11, 5, 9, 31, tzinfo=UTC), "most_urgent", bkk(2026, 11, 6, 16, 30)),
    ],
)
def test_due_at(calendar, activated_at, urgency, due):
    assert calendar.due_at(activated_at, urgency) == due


def test_the_due_time_is_in_bangkok(calendar):
    due = calendar.due_at(bkk(2026, 4, 10, 10, 0), "normal")
    assert due.utcoffset().total_seconds() == 7 * 3600
    assert due.astimezone(UTC) == datetime(2026, 4, 20, 9, 30, tzinfo=UTC)


def test_the_working_days_per_urgency_are_a_setting(calendar, settings):
    settings.MEMOFLOW_DUE_WORKING_DAYS = {"normal": 5}
    assert calendar.due_at(bkk(2026, 4, 10, 10, 0), "normal") == bkk(2026, 4, 22, 16, 30)
    assert calendar.due_at(bkk(2026, 4, 10, 10, 0), "very_urgent") == bkk(2026, 4, 16, 16, 30)  # default kept


def test_the_end_of_office_hours_is_a_setting(official, settings):
    settings.MEMOFLOW_OFFICE_HOURS_END = "15:30"
    calendar = holidays.work_calendar()
    assert calendar.due_at(bkk(2026, 10, 22, 15, 45), "most_urgent") == bkk(2026, 10, 26, 15, 30)


@pytest.mark.parametrize(
    ("due", "now", "days"),
    [
        (bkk(2026, 4, 10, 16, 30), bkk(2026, 4, 10, 12, 0), 0),  # not due yet
        (bkk(2026, 4, 10, 16, 30), bkk(2026, 4, 10, 17, 0), 0),  # overdue since the office closed today
        (bkk(2026, 4, 10, 16, 30), bkk(2026, 4, 14, 9, 0), 0),  # the weekend and Songkran do not count
        (bkk(2026, 4, 10, 16, 30), bkk(2026, 4, 16, 8, 0), 1),  # the first working day after it began
        (bkk(2026, 4, 10, 16, 30), bkk(2026, 4, 20, 8, 0), 3),  # Thu 16, Fri 17, Mon 20
        (bkk(2026, 12, 30, 16, 30), bkk(2027, 1, 5, 10, 0), 2),  # across the new year: Mon 4, Tue 5 January
    ],
)
def test_working_days_overdue(calendar, due, now, days):
    assert calendar.working_days_overdue(due, now) == days


def test_a_thousand_due_times_over_two_years_cost_one_query(official):
    """The holiday lookup is one query per calendar (a list page or a task makes one), not one per day."""
    calendar = holidays.work_calendar()
    with CaptureQueriesContext(connection) as queries:
        dues = [calendar.due_at(bkk(2026, 12, 1 + i % 31, i % 24, 0), "normal") for i in range(1000)]
        overdue = calendar.working_days_overdue(bkk(2026, 12, 1, 16, 30), bkk(2027, 1, 29, 9, 0))
    assert len(queries) == 1
    assert max(dues) == bkk(2027, 1, 7, 16, 30)
    # 43 weekdays from 2 December to 29 January, less 7, 10 and 31 December and 1 January.
    assert overdue == 39


def test_an_organisations_own_day_off_counts_only_for_it(official, demo_org):
    other = Organisation.objects.create(name="เทศบาลตำบลทดสอบ", short_name="ทต.ทดสอบ", document_code="ทส")
    holidays.holiday_save(
        holiday=Holiday(date=bkk(2026, 4, 16).date(), name="วันหยุดของ อบต.", organisation=demo_org)
    )
    friday = bkk(2026, 4, 10, 10, 0)
    assert holidays.work_calendar(organisation=demo_org).due_at(friday, "very_urgent") == bkk(
        2026, 4, 17, 16, 30
    )
    assert holidays.work_calendar(organisation=other).due_at(friday, "very_urgent") == bkk(
        2026, 4, 16, 16, 30
    )
    assert holidays.work_calendar().due_at(friday, "very_urgent") == bkk(2026, 4, 16, 16, 30)


def test_without_the_holiday_table_only_weekends_count(db):
    """The guard that the table is read at all: with Songkran removed from it, Songkran is worked."""
    calendar = holidays.work_calendar()
    assert calendar.due_at(bkk(2026, 4, 10, 10, 0), "very_urgent") == bkk(2026, 4, 13, 16, 30)
