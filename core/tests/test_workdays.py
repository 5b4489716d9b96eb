"""The working-day arithmetic on its own, with a fixed list of holidays and fixed clocks (no database)."""

from datetime import UTC, date, datetime, time

import pytest

from core.thai import BANGKOK
from core.workdays import WorkCalendar

SONGKRAN_2026 = [date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 15)]


def bkk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def test_weekends_are_not_working_days_and_holidays_neither():
    calendar = WorkCalendar(SONGKRAN_2026)
    assert calendar.is_working_day(date(2026, 4, 10))  # Friday
    assert not calendar.is_working_day(date(2026, 4, 11))  # Saturday
    assert not calendar.is_working_day(date(2026, 4, 12))  # Sunday
    assert not calendar.is_working_day(date(2026, 4, 14))  # วันสงกรานต์, a Tuesday
    assert calendar.is_working_day(date(2026, 4, 16))


def test_zero_working_days_is_the_end_of_the_same_working_day():
    calendar = WorkCalendar(SONGKRAN_2026)
    assert calendar.add_working_days(bkk(2026, 4, 10, 9, 0), 0) == bkk(2026, 4, 10, 16, 30)


def test_working_days_skip_the_weekend_and_songkran():
    calendar = WorkCalendar(SONGKRAN_2026)
    # Friday 10 April: Sat, Sun and Songkran (Mon-Wed) do not count; 1 = Thu 16, 3 = Mon 20.
    assert calendar.add_working_days(bkk(2026, 4, 10, 9, 0), 1) == bkk(2026, 4, 16, 16, 30)
    assert calendar.add_working_days(bkk(2026, 4, 10, 9, 0), 3) == bkk(2026, 4, 20, 16, 30)


def test_the_office_closing_time_decides_the_day_counted_from():
    calendar = WorkCalendar(SONGKRAN_2026)
    assert calendar.counts_from(bkk(2026, 4, 9, 16, 29)) == date(2026, 4, 9)
    assert calendar.counts_from(bkk(2026, 4, 9, 16, 30)) == date(2026, 4, 10)  # closed at 16:30 sharp
    assert calendar.counts_from(bkk(2026, 4, 10, 18, 0)) == date(
        2026, 4, 16
    )  # Friday evening: after Songkran
    # Bangkok time decides, whatever zone the moment is given in: 09:45 UTC is 16:45 in Bangkok.
    assert calendar.counts_from(datetime(2026, 4, 9, 9, 45, tzinfo=UTC)) == date(2026, 4, 10)


def test_another_closing_time():
    calendar = WorkCalendar((), closes_at=time(17, 0))
    assert calendar.add_working_days(bkk(2026, 4, 9, 16, 45), 0) == bkk(2026, 4, 9, 17, 0)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="0 or more"):
        WorkCalendar(()).add_working_days(bkk(2026, 4, 9, 9, 0), -1)


def test_the_loader_is_asked_once_for_whole_years_and_never_again():
    asked: list[tuple[date, date]] = []

    def loader(first: date, last: date) -> list[date]:
        asked.append((first, last))
        return [d for d in SONGKRAN_2026 if first <= d <= last]

    calendar = WorkCalendar(loader)
    for day in range(1, 29):
        calendar.add_working_days(bkk(2026, 4, day % 28 + 1, 10, 0), 3)
    assert asked == [(date(2026, 1, 1), date(2027, 12, 31))]
    assert calendar.queries == 1
