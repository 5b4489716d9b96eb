"""The sweep that retries jobs of dead workers (core.worker; the real-process test is tests/test_worker_recovery.py):
which RUNNING jobs it requeues, which it leaves, and when it gives up."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import worker
from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

STALE = timedelta(seconds=60)


def running_job(*worker_ids: str, started_ago: timedelta = timedelta(minutes=5)) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": ["x"], "kwargs": {}},
        task_path="workflow.tasks.archive_memo",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - started_ago,
        worker_ids=list(worker_ids),
    )


def beat(worker_id: str, ago: timedelta) -> None:
    WorkerHeartbeat.objects.create(worker_id=worker_id, seen_at=timezone.now() - ago)


def status(job: DBTaskResult) -> str:
    job.refresh_from_db()
    return str(job.status)


def test_a_job_of_a_silent_worker_is_requeued_and_a_live_workers_job_is_left() -> None:
    beat("dead", ago=timedelta(minutes=3))
    beat("alive", ago=timedelta(seconds=5))
    orphan = running_job("dead")
    no_heartbeat_at_all = running_job("never-beat")
    busy = running_job("alive")
    just_claimed = running_job("dead", started_ago=timedelta(seconds=1))  # claimed again a moment ago

    result = worker.recover_stale_jobs(stale_after=STALE, attempts=3)

    assert sorted(result.requeued) == sorted([str(orphan.pk), str(no_heartbeat_at_all.pk)])
    assert (status(orphan), status(no_heartbeat_at_all)) == ("READY", "READY")
    assert (status(busy), status(just_claimed)) == ("RUNNING", "RUNNING")
    assert worker.recover_stale_jobs(stale_after=STALE, attempts=3).requeued == []  # nothing twice


def test_a_job_that_killed_its_workers_too_often_fails_instead_of_looping() -> None:
    job = running_job("w1", "w2", "w3")
    result = worker.recover_stale_jobs(stale_after=STALE, attempts=3)
    assert result.failed == [str(job.pk)]
    job.refresh_from_db()
    assert job.status == "FAILED"
    assert job.exception_class_path == worker.WORKER_LOST
    assert "w1, w2, w3" in job.traceback


def test_tasks_recover_command_requeues(capsys: pytest.CaptureFixture[str]) -> None:
    job = running_job("gone")
    call_command("tasks_recover", stale_after=60)
    assert f"requeued: {job.pk}" in capsys.readouterr().out
    assert status(job) == "READY"
