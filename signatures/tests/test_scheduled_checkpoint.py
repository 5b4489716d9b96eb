"""The audit checkpoint as a scheduled job (issue 12: "daily by default"): a worker's scheduler enqueues it once
a day from 01:00 Bangkok time (not before), once per day whichever workers look, late when no worker was up at
01:00, never when MEMOFLOW_SCHEDULE turns it off; the job writes a signed checkpoint once per run, and without
the seal it is skipped with a warning instead of failing. Both engines; two workers racing for one run:
tests/test_scheduled_jobs.py (PostgreSQL)."""

import json
import logging
from datetime import datetime, time
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import checks
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from core import schedule, worker
from core.models import AuditCheckpoint, ScheduledRun, WorkerHeartbeat
from core.schedule import Scheduler, check_schedule
from core.worker import Heart
from signatures.audit_checkpoint import checkpoint_read
from signatures.models import SigningKey

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
TASK = "signatures.tasks.audit_checkpoint"


def bangkok(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=BANGKOK)


def enqueued() -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path=TASK).order_by("enqueued_at"))


def run(job: DBTaskResult[Any, Any]) -> Any:
    """Run an enqueued job's task with its arguments, as the worker does."""
    return import_string(job.task_path).call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])


@pytest.fixture(autouse=True)
def _only_the_checkpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other apps' daily jobs (the webhook digest, ...) are tested with those apps."""
    monkeypatch.setattr(schedule, "_registry", {"audit_checkpoint": schedule._registry["audit_checkpoint"]})


@pytest.fixture
def directory(settings: Any, tmp_path: Path) -> Path:
    settings.MEMOFLOW_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.MEMOFLOW_AUDIT_CHECKPOINT_DIR


def test_the_checkpoint_is_not_due_before_one_in_the_morning_and_is_enqueued_once_from_then() -> None:
    worker = Scheduler(worker_id="worker-1")
    assert worker.tick(bangkok(3, 0, 59, 59)) == []
    assert enqueued() == []

    [claimed] = worker.tick(bangkok(3, 1, 0))
    assert (claimed.job, claimed.period, claimed.worker_id) == ("audit_checkpoint", "2026-12-03", "worker-1")
    [job] = enqueued()
    assert str(claimed.task_result_id) == str(job.pk)
    assert (job.queue_name, job.status) == ("default", "READY")
    assert job.args_kwargs["kwargs"] == {"scheduled_for": "2026-12-03T01:00:00+07:00"}

    # Later beats of the same worker and another worker's beats the same day enqueue nothing more.
    other = Scheduler(worker_id="worker-2")
    assert worker.tick(bangkok(3, 1, 0, 10)) == []
    assert other.tick(bangkok(3, 1, 0, 10)) == []
    assert other.tick(bangkok(3, 23, 59)) == []
    assert len(enqueued()) == 1

    # The next day: not before 01:00 (00:30 Bangkok is still 2 December in UTC), then once.
    assert other.tick(bangkok(4, 0, 30)) == []
    [next_day] = other.tick(bangkok(4, 1, 5))
    assert (next_day.period, next_day.worker_id) == ("2026-12-04", "worker-2")
    assert len(enqueued()) == 2


def test_a_run_missed_at_one_in_the_morning_is_made_once_when_a_worker_starts_that_day() -> None:
    assert Scheduler(worker_id="night").tick(bangkok(3, 0, 10)) == []  # the last worker stopped before 01:00

    [late] = Scheduler(worker_id="started-at-nine").tick(bangkok(3, 9, 0))
    assert (late.period, late.worker_id) == ("2026-12-03", "started-at-nine")
    [job] = enqueued()
    assert job.args_kwargs["kwargs"] == {"scheduled_for": "2026-12-03T01:00:00+07:00"}
    assert Scheduler(worker_id="started-at-ten").tick(bangkok(3, 10, 0)) == []
    assert len(enqueued()) == 1


def test_memoflow_schedule_moves_the_job_or_turns_it_off(settings: Any) -> None:
    settings.MEMOFLOW_SCHEDULE = {"audit_checkpoint": "off"}
    worker = Scheduler(worker_id="worker-1")
    assert worker.tick(bangkok(3, 23, 59)) == []
    assert enqueued() == []
    assert not ScheduledRun.objects.exists()

    settings.MEMOFLOW_SCHEDULE = {"audit_checkpoint": "02:30"}
    assert worker.tick(bangkok(3, 2, 29)) == []
    [claimed] = worker.tick(bangkok(3, 2, 30))
    assert claimed.period == "2026-12-03"
    [job] = enqueued()
    assert job.args_kwargs["kwargs"] == {"scheduled_for": "2026-12-03T02:30:00+07:00"}


def test_a_misspelt_job_in_memoflow_schedule_is_reported(settings: Any) -> None:
    settings.MEMOFLOW_SCHEDULE = {"audit_checkpiont": "off"}
    [warning] = check_schedule()
    assert warning.level == checks.WARNING
    assert "'audit_checkpiont'" in warning.msg
    assert "audit_checkpoint" in str(warning.hint)


def test_a_job_whose_task_cannot_be_imported_stops_the_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_schedule() == []
    monkeypatch.setitem(
        schedule._registry, "reminders", schedule.Job("reminders", "workflow.tasks.no_such_task", time(8, 0))
    )
    [error] = check_schedule()
    assert error.level == checks.ERROR
    assert "'reminders'" in error.msg
    assert "'workflow.tasks.no_such_task'" in error.msg


def test_the_scheduled_job_signs_a_checkpoint_once_per_run(seal: SigningKey, directory: Path) -> None:
    assert len(Scheduler(worker_id="worker-1").tick(bangkok(3, 1, 0))) == 1
    [job] = enqueued()

    result = run(job)

    [checkpoint] = AuditCheckpoint.objects.all()
    assert result["outcome"] == "done"
    assert (result["sequence"], result["file"]) == (checkpoint.sequence, checkpoint.file_name)
    [path] = directory.glob("*.json")
    assert path.name == checkpoint.file_name
    signed = checkpoint_read(path.read_text(encoding="utf-8"))
    assert (signed.sequence, signed.head_hash) == (checkpoint.sequence, checkpoint.head_hash)
    assert json.loads(path.read_text(encoding="utf-8"))["organisation"] == seal.ca.organisation.name

    # The same run again (its worker died before the job was marked done, and the job is retried): no second one.
    again = run(job)
    assert again == {**result, "outcome": "already_done"}
    assert AuditCheckpoint.objects.count() == 1
    assert len(list(directory.glob("*.json"))) == 1


def test_without_the_seal_the_scheduled_job_is_skipped_with_a_warning(
    directory: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Scheduler(worker_id="worker-1").tick(bangkok(3, 1, 0))
    [job] = enqueued()

    with caplog.at_level(logging.WARNING, logger="memoflow.signatures"):
        result = run(job)

    assert result["outcome"] == "skipped"
    assert "seal is not set up" in result["reason"]
    assert "audit checkpoint skipped" in caplog.text
    assert "MEMOFLOW_SEAL_KEY_PASSPHRASE" in caplog.text
    assert not AuditCheckpoint.objects.exists()
    assert not directory.exists() or not list(directory.iterdir())


def test_a_workers_heartbeat_claims_the_due_run_and_still_beats(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEMOFLOW_SCHEDULE = {"audit_checkpoint": "00:00"}  # due whenever the test runs
    # The heartbeat thread closes its stale connections after each beat; here it is the test's own connection,
    # inside the test's transaction (real worker processes: tests/test_scheduled_jobs.py).
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    heart = Heart(worker_id="worker-1", interval=10, stale_after=60)

    heart.tick()
    heart.tick()

    [claimed] = ScheduledRun.objects.all()
    assert (claimed.job, claimed.worker_id) == ("audit_checkpoint", "worker-1")
    assert claimed.period == timezone.localdate().isoformat()
    assert len(enqueued()) == 1
    assert WorkerHeartbeat.objects.filter(worker_id="worker-1").exists()


def test_schedule_status_lists_the_job_its_time_and_its_last_run(
    settings: Any, seal: SigningKey, directory: Path
) -> None:
    out = StringIO()
    call_command("schedule_status", stdout=out)
    assert out.getvalue().splitlines() == [
        "audit_checkpoint  01:00  signatures.tasks.audit_checkpoint",
        "  last run: none yet",
    ]

    Scheduler(worker_id="worker-1").tick(bangkok(3, 1, 0, 4))
    [job] = enqueued()
    job.set_successful(run(job))  # as the worker records it
    settings.MEMOFLOW_SCHEDULE = {"audit_checkpoint": "off"}
    out = StringIO()
    call_command("schedule_status", stdout=out)

    first, last_run, task = out.getvalue().splitlines()
    assert first == "audit_checkpoint  off  signatures.tasks.audit_checkpoint"
    assert last_run.startswith("  last run: 2026-12-03 (claimed ")
    assert last_run.endswith(" by worker-1)")
    assert task.startswith(f"  task {job.pk}: SUCCESSFUL {{")
    assert '"outcome": "done"' in task


def test_a_beat_costs_no_query_before_the_time_and_none_once_the_run_is_known_taken(
    django_assert_num_queries: Any,
) -> None:
    first, second = Scheduler(worker_id="worker-1"), Scheduler(worker_id="worker-2")
    with django_assert_num_queries(0):
        first.tick(bangkok(3, 0, 59))
    first.tick(bangkok(3, 1, 0))  # claims: its SELECT, then the task's and the run's INSERTs
    with django_assert_num_queries(0):
        first.tick(bangkok(3, 1, 0, 10))
    with django_assert_num_queries(1):  # the other worker's one look: taken
        second.tick(bangkok(3, 1, 0, 10))
    with django_assert_num_queries(0):
        second.tick(bangkok(3, 1, 0, 20))
    assert len(enqueued()) == 1
