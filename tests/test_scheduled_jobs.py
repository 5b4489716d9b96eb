"""A scheduled job is run once however many workers look at the schedule (core.schedule; issue 12, and issue 13's
"several workers on several machines never send one reminder twice"). PostgreSQL, real connections:

- two threads claiming the same due run with their transactions open at the same time (each has enqueued its
  task; then both INSERT the run): one claim wins, the other rolls back with its task — one task;
- two real `manage.py memoflow_worker` processes started together with the audit checkpoint due: one run, one
  task, one signed checkpoint file."""

import signal
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F
from django_tasks_db.models import DBTaskResult

from core import schedule
from core.models import AuditCheckpoint, ScheduledRun, WorkerHeartbeat
from org.models import Organisation
from signatures import services
from tests.test_worker_recovery import Workers, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    # cryptography warns about the demo organisation's long Thai common name (signatures/tests/conftest.py)
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]

TASK = "signatures.tasks.audit_checkpoint"


@pytest.fixture(autouse=True)
def _only_the_checkpoint_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the checkpoint's job: the other apps' daily jobs (leave_steps, ...) are left out."""
    monkeypatch.setattr(schedule, "_registry", {"audit_checkpoint": schedule._registry["audit_checkpoint"]})


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def test_two_workers_claiming_the_same_run_at_the_same_moment_enqueue_one_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    due = schedule.due_runs(datetime(2026, 12, 3, 1, 0, tzinfo=ZoneInfo("Asia/Bangkok")))
    [run] = [r for r in due if r.job.name == "audit_checkpoint"]
    task: Any = schedule.import_string(TASK)
    both_enqueued = threading.Barrier(2, timeout=30)

    class TaskThatWaitsForTheOther:
        """The real task; its enqueue returns once the other claim has enqueued too, so both transactions are
        open, each with its own task row, when both INSERT the run."""

        def enqueue(self, **kwargs: Any) -> Any:
            result = task.enqueue(**kwargs)
            both_enqueued.wait()
            return result

    monkeypatch.setattr(schedule, "import_string", lambda path: TaskThatWaitsForTheOther())
    outcomes: dict[str, Any] = {}

    def claim(worker_id: str) -> None:
        try:
            outcomes[worker_id] = schedule.scheduled_run_claim(run=run, worker_id=worker_id)
        except Exception as error:  # reported by the assertions below
            outcomes[worker_id] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("worker-1", "worker-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [o for o in outcomes.values() if isinstance(o, ScheduledRun)]
    assert len(outcomes) == 2
    assert len(winners) == 1, outcomes
    assert [o for o in outcomes.values() if o is not winners[0]] == [None]
    [only] = DBTaskResult.objects.filter(task_path=TASK)
    assert ScheduledRun.objects.get().task_result_id == only.pk


def test_two_worker_processes_make_the_daily_checkpoint_once(
    demo_org: Organisation, tmp_path: Path, workers: Workers
) -> None:
    services.ca_create(organisation=demo_org)
    services.seal_key_create()
    directory = tmp_path / "checkpoints"
    due_now = {
        # the checkpoint due whenever the test runs; the other jobs off (the digest is due from 16:30)
        "MEMOFLOW_SCHEDULE": "audit_checkpoint=00:00,notification_digest=off,leave_steps=off,step_reminders=off",
        "MEMOFLOW_AUDIT_CHECKPOINT_DIR": str(directory),
    }

    first = workers.start("worker-1", **due_now)
    second = workers.start("worker-2", **due_now)
    # Each worker's second beat comes after its first look at the schedule (the beat, then the schedule).
    wait_until(
        lambda: WorkerHeartbeat.objects.filter(seen_at__gt=F("started_at")).count() == 2,
        timeout=90,
        what="both workers to have looked at the schedule",
        workers=workers,
    )
    wait_until(
        lambda: DBTaskResult.objects.filter(task_path=TASK, status="SUCCESSFUL").exists(),
        timeout=60,
        what="the checkpoint job to be done",
        workers=workers,
    )
    for process in (first, second):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0

    [run] = ScheduledRun.objects.filter(job="audit_checkpoint")  # other apps' jobs may be due too
    assert run.worker_id in {"worker-1", "worker-2"}
    [job] = DBTaskResult.objects.filter(task_path=TASK)
    assert job.pk == run.task_result_id
    assert job.return_value["outcome"] == "done"
    [checkpoint] = AuditCheckpoint.objects.all()
    assert [p.name for p in directory.glob("*.json")] == [checkpoint.file_name]
