"""Thai working days (วันทำการ) and due times: the arithmetic only, with no database of its own.

A working day is Monday to Friday and not a holiday. The holidays come from a loader that the caller gives
(org.holidays.work_calendar reads the holiday table, org.models.Holiday); a `WorkCalendar` asks it once for
whole years and keeps the answer, so make one per request or per task and use it for every row (one query).

Due times (issue 13): a step is due at the end of office hours (settings.MEMOFLOW_OFFICE_HOURS_END, 16:30 in
Bangkok) of the N-th working day after the day it counts from, N by the memo's urgency
(settings.MEMOFLOW_DUE_WORKING_DAYS: ด่วนที่สุด 0, the same working day; ด่วนมาก 1; ด่วน 2; ปกติ 3). It counts
from the day it reached its signatory if that is a working day and the office is still open; otherwise (a
weekend, a holiday, or after office hours) from the next working day.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Final

from django.conf import settings

from core.thai import BANGKOK, to_bangkok

#: Saturday and Sunday (date.weekday()).
WEEKEND: Final = frozenset({5, 6})

#: Given the first and last day of a span of whole years, the holidays in it.
HolidayLoader = Callable[[date, date], Iterable[date]]

#: The defaults when settings leave an urgency out (config/settings/base.py reads the environment).
DEFAULT_DUE_WORKING_DAYS: Final = {"most_urgent": 0, "very_urgent": 1, "urgent": 2, "normal": 3}


def due_working_days() -> dict[str, int]:
    """Working days a step may take per urgency code (memos.models.Urgency)."""
    configured = getattr(settings, "MEMOFLOW_DUE_WORKING_DAYS", None) or {}
    return {**DEFAULT_DUE_WORKING_DAYS, **{str(k): int(v) for k, v in configured.items()}}


def office_hours_end() -> time:
    """When the office closes and a step falls due (settings.MEMOFLOW_OFFICE_HOURS_END, "16:30")."""
    return datetime.strptime(getattr(settings, "MEMOFLOW_OFFICE_HOURS_END", "16:30"), "%H:%M").time()


class WorkCalendar:
    """Weekends plus holidays. `holidays`: the dates themselves (tests, a fixed list) or a loader that is asked
    for whole years at a time, at most once per year (a due time in December asks for December's year and the
    next one together, so the year boundary costs no second query)."""

    def __init__(
        self, holidays: Iterable[date] | HolidayLoader = (), *, closes_at: time | None = None
    ) -> None:
        self._loader: HolidayLoader | None = holidays if callable(holidays) else None
        self._holidays: set[date] = set() if callable(holidays) else set(holidays)
        self._years: set[int] = set()
        self.closes_at = closes_at or office_hours_end()
        self.queries = 0  # how many times the loader was asked (the tests hold it to one)

    def preload(self, first_year: int, last_year: int, holidays: Iterable[date]) -> None:
        """The holidays of these whole years, read already (with another query): the loader is not asked for
        them."""
        self._holidays.update(holidays)
        self._years.update(range(first_year, last_year + 1))

    def _ensure(self, first_year: int, last_year: int) -> None:
        if self._loader is None:
            return
        missing = [year for year in range(first_year, last_year + 1) if year not in self._years]
        if not missing:
            return
        low, high = min(missing), max(missing)
        self._holidays.update(self._loader(date(low, 1, 1), date(high, 12, 31)))
        self._years.update(range(low, high + 1))
        self.queries += 1

    def is_holiday(self, day: date) -> bool:
        self._ensure(day.year, day.year)
        return day in self._holidays

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not in the holiday table."""
        return day.weekday() not in WEEKEND and not self.is_holiday(day)

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def counts_from(self, moment: datetime) -> date:
        """The working day a step that reached its signatory at `moment` counts from: that day if it is a working
        day and the office is still open (before the end of office hours, Bangkok time), else the next one."""
        local = to_bangkok(moment)
        self._ensure(local.year, local.year + 1)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.closes_at:
            return day
        return self.next_working_day(day)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The end of office hours (Bangkok) of the n-th working day after the day `start` counts from (n=0: that
        day itself). An aware datetime in Asia/Bangkok."""
        if n < 0:
            raise ValueError("n must be 0 or more working days")
        day = self.counts_from(start)
        for _ in range(n):
            day = self.next_working_day(day)
        return datetime.combine(day, self.closes_at, tzinfo=BANGKOK)

    def due_at(self, activated_at: datetime, urgency: str) -> datetime:
        """When a step that reached its signatory at `activated_at` falls due, for a memo of `urgency`
        (ด่วนที่สุด: the same working day; ด่วนมาก 1; ด่วน 2; ปกติ 3 working days, by default). An unknown
        urgency counts as normal."""
        days = due_working_days()
        return self.add_working_days(activated_at, days.get(urgency, days["normal"]))

    def working_days_overdue(self, due: datetime, now: datetime) -> int:
        """Working days begun since the due day: 0 while not overdue and on the due day itself after it fell due
        (overdue, but no working day has passed yet); 1 on the next working day, and so on. Weekends and
        holidays after the due day do not count."""
        if now <= due:
            return 0
        first, last = to_bangkok(due).date(), to_bangkok(now).date()
        self._ensure(first.year, last.year)
        count, day = 0, first + timedelta(days=1)
        while day <= last:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count
