"""Jobs every N minutes (core.schedule, issue 13's reminders): each slot of N minutes from midnight in Bangkok is
claimed once, whichever workers look, through the same (job, period) claim as the daily jobs; only the current slot;
MEMOFLOW_SCHEDULE turns such a job off, and a time of day given to it is reported by a check."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from core import schedule
from core.models import ScheduledRun
from core.schedule import Scheduler, check_schedule

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
TASK = "workflow.reminders.step_reminders"


def bangkok(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 12, 3, hour, minute, second, tzinfo=BANGKOK)


@pytest.fixture(autouse=True)
def reminders_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reminders' scan every 5 minutes, the only job in the schedule."""
    monkeypatch.setattr(schedule, "_registry", {})
    schedule.register("step_reminders", task_path=TASK, every=5)


def test_each_slot_is_claimed_once_by_whichever_worker_looks_first() -> None:
    one, two = Scheduler(worker_id="worker-1"), Scheduler(worker_id="worker-2")
    [claimed] = one.tick(bangkok(8, 31, 10))
    assert claimed.period == "2026-12-03T08:30"
    assert two.tick(bangkok(8, 32)) == []  # the same slot: taken
    assert one.tick(bangkok(8, 34, 59)) == []
    [later] = two.tick(bangkok(8, 35))
    assert later.period == "2026-12-03T08:35"
    assert one.tick(bangkok(8, 36)) == []
    assert ScheduledRun.objects.count() == 2
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2


def test_slots_passed_while_no_worker_looked_are_not_caught_up() -> None:
    worker = Scheduler(worker_id="worker-1")
    worker.tick(bangkok(8, 0))
    [next_one] = worker.tick(bangkok(9, 2))
    assert next_one.period == "2026-12-03T09:00"
    assert ScheduledRun.objects.count() == 2


def test_the_run_is_enqueued_with_its_slots_time() -> None:
    [claimed] = Scheduler(worker_id="worker-1").tick(bangkok(23, 59, 59))
    assert claimed.period == "2026-12-03T23:55"
    job = DBTaskResult.objects.get(task_path=TASK)
    assert job.args_kwargs["kwargs"] == {"scheduled_for": bangkok(23, 55).isoformat()}


def test_turned_off_it_never_runs_and_a_time_of_day_is_reported(settings: Any) -> None:
    settings.MEMOFLOW_SCHEDULE = {"step_reminders": "off"}
    assert Scheduler(worker_id="worker-1").tick(bangkok(8, 30)) == []
    assert [status.at for status in schedule.job_statuses()] == ["off"]
    settings.MEMOFLOW_SCHEDULE = {"step_reminders": "08:30"}
    assert [m.id for m in check_schedule()] == ["memoflow.W002"]
    assert [status.at for status in schedule.job_statuses()] == ["every 5 min"]


def test_minutes_that_do_not_divide_a_day_are_refused() -> None:
    with pytest.raises(ValueError, match="divide a day"):
        schedule.register("odd", task_path=TASK, every=7)
    with pytest.raises(ValueError, match="either"):
        schedule.register("both", task_path=TASK, at="08:30", every=5)
