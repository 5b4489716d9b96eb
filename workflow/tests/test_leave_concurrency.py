"""Leave's moves made once with two workers (PostgreSQL, real threads and connections): the daily job's run is
claimed once (core.schedule's unique run), and two runs of the moves at the same moment (the approval and
the job, or a retried job beside another) move each step once, because each move checks the step again under
the memo's process lock."""

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from core import schedule
from core.models import ScheduledRun
from notifications.models import Kind, Notification
from org.models import Person, Position
from org.selectors import bangkok_day
from tests.builders import active_step, in_review_memo
from workflow.models import StepReassignment
from workflow.services import leave as leave_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEPUTY = "ปลัดองค์การบริหารส่วนตำบลหนองโสน"


def _in_threads(work: Any, n: int = 2) -> list[Any]:
    outcomes: list[Any] = []

    def run() -> None:
        try:
            outcomes.append(work())
        except Exception as error:  # reported by the assertions
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


def test_two_runs_at_once_move_each_waiting_step_once(demo_org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    memos = [in_review_memo(2, subject=f"เรื่องที่ {n}") for n in range(3)]
    today = bangkok_day(None)
    leave = leave_services.leave_request(
        person=Person.objects.get(username="nat"),
        position=Position.objects.get(title=DEPUTY),
        starts_on=today + timedelta(days=1),  # begins tomorrow: approving moves nothing yet
        ends_on=today + timedelta(days=2),
        acting_person=Person.objects.get(username="finance_head"),
        capacity="รักษาราชการแทน",
    )
    leave_services.leave_approve(leave=leave, actor=Person.objects.get(username="yutthana"))
    assert StepReassignment.objects.count() == 0

    # Both runs have read the same steps to move before either moves one.
    both_listed = threading.Barrier(2, timeout=30)
    original = leave_services._move_one
    waited: set[int] = set()

    def move_after_the_other_listed(*args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            both_listed.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(leave_services, "_move_one", move_after_the_other_listed)
    tomorrow = today + timedelta(days=1)
    outcomes = _in_threads(lambda: leave_services.leave_steps_daily(today=tomorrow))

    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert sum(o["moved"] for o in outcomes) == 3
    assert StepReassignment.objects.count() == 3
    for memo in memos:
        assert StepReassignment.objects.filter(step__memo=memo).count() == 1
        assert Notification.objects.filter(memo=memo, kind=Kind.REASSIGNED_TO).count() == 1
    # (The appointment begins tomorrow, so today the steps are with finance_head only by the moves above.)
    assert {active_step(m).assignee.username for m in memos} == {"finance_head"}


def test_two_workers_claim_the_days_leave_run_once(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = schedule.due_runs(datetime(2026, 12, 3, 0, 5, tzinfo=ZoneInfo("Asia/Bangkok")))
    [run] = [r for r in runs if r.job.name == "leave_steps"]
    task: Any = schedule.import_string(run.job.task_path)
    both_enqueued = threading.Barrier(2, timeout=30)

    class TaskThatWaitsForTheOther:
        def enqueue(self, **kwargs: Any) -> Any:
            result = task.enqueue(**kwargs)
            both_enqueued.wait()
            return result

    monkeypatch.setattr(schedule, "import_string", lambda path: TaskThatWaitsForTheOther())
    names = iter(["worker-1", "worker-2"])
    lock = threading.Lock()

    def claim() -> Any:
        with lock:
            name = next(names)
        return schedule.scheduled_run_claim(run=run, worker_id=name)

    outcomes = _in_threads(claim)
    assert len([o for o in outcomes if isinstance(o, ScheduledRun)]) == 1, outcomes
    assert DBTaskResult.objects.filter(task_path="workflow.tasks_leave.leave_steps").count() == 1
