"""Jobs whose worker died are retried (docs/adr/0004-task-recovery.md).

django-tasks-db marks a job RUNNING when a worker claims it and records the worker's id; nothing ever looks at
a RUNNING job again, so a worker killed with `kill -9` (or a lost machine) leaves its job RUNNING forever.
memoflow's worker (`manage.py memoflow_worker`, django-tasks-db's worker plus a heartbeat thread) writes its
heartbeat every `MEMOFLOW_WORKER_HEARTBEAT_SECONDS`, and every worker sweeps on each beat: a job RUNNING for
longer than `MEMOFLOW_WORKER_STALE_SECONDS` whose last worker has not beaten within that time is put back to
READY (claimed again by any worker), or FAILED once it has been tried `MEMOFLOW_TASK_MAX_ATTEMPTS` times (a
job that kills its worker must not kill every worker in turn). Jobs must therefore be idempotent (the archive
job is: memos.archive.store_once). `manage.py tasks_recover` runs one sweep by hand.

On each beat the worker also claims the scheduled jobs whose time has come (core.schedule; each run once across
all workers: docs/adr/0008-scheduled-jobs.md).
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.models import WorkerHeartbeat
from core.schedule import Scheduler

logger = logging.getLogger("memoflow.worker")

WORKER_LOST = "core.worker.WorkerLost"


def heartbeat_seconds() -> float:
    return float(getattr(settings, "MEMOFLOW_WORKER_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> float:
    return float(getattr(settings, "MEMOFLOW_WORKER_STALE_SECONDS", 60))


def max_attempts() -> int:
    return int(getattr(settings, "MEMOFLOW_TASK_MAX_ATTEMPTS", 3))


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()[:255], "pid": os.getpid()},
    )


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover_stale_jobs(*, stale_after: timedelta | None = None, attempts: int | None = None) -> Recovery:
    """Put back to READY (or FAILED after `attempts` tries) the jobs RUNNING under a worker that stopped beating.

    Safe to run from several workers at once: each change is a compare-and-set on (status, started_at), so a
    job is requeued once, and never after it was claimed again or finished."""
    stale_after = stale_after if stale_after is not None else timedelta(seconds=stale_seconds())
    attempts = attempts if attempts is not None else max_attempts()
    now = timezone.now()
    cutoff = now - stale_after
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    result = Recovery()
    candidates = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).only(
        "id", "started_at", "worker_ids", "task_path"
    )
    for job in candidates:
        last_worker = job.worker_ids[-1] if job.worker_ids else ""
        if last_worker in alive:
            continue
        same_claim = DBTaskResult.objects.filter(
            pk=job.pk, status=TaskResultStatus.RUNNING, started_at=job.started_at
        )
        if len(job.worker_ids) >= attempts:
            changed = same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"The worker(s) {', '.join(job.worker_ids)} stopped while running this job "
                f"{len(job.worker_ids)} time(s); not retried again.\n",
                return_value=None,
            )
            if changed:
                result.failed.append(str(job.pk))
                logger.error("job %s (%s) failed: its worker died %d times", job.pk, job.task_path, attempts)
        elif same_claim.update(status=TaskResultStatus.READY):
            result.requeued.append(str(job.pk))
            logger.warning(
                "job %s (%s) requeued: worker %s stopped beating", job.pk, job.task_path, last_worker
            )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return result


class Heart:
    """The worker's heartbeat thread: beats, sweeps and claims due scheduled jobs every `interval` seconds until
    stopped."""

    def __init__(self, *, worker_id: str, interval: float, stale_after: float) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.stale_after = timedelta(seconds=stale_after)
        self.scheduler = Scheduler(worker_id=worker_id)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{worker_id}", daemon=True)

    def start(self) -> None:
        self.tick()  # the first beat and sweep before the worker claims anything
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval * 2 + 5)
        try:
            forget(self.worker_id)
        except DatabaseError:
            logger.exception("could not remove the heartbeat of worker %s", self.worker_id)

    def tick(self) -> None:
        try:
            beat(self.worker_id)
            recover_stale_jobs(stale_after=self.stale_after)
        except DatabaseError:  # the database away for a moment (or SQLite busy): try again on the next beat
            logger.exception("heartbeat of worker %s failed", self.worker_id)
        try:
            self.scheduler.tick()
        except DatabaseError:
            logger.exception("worker %s could not look at the schedule", self.worker_id)
        except Exception:  # a job's task that cannot be imported must not stop the heartbeat
            logger.exception("worker %s: a scheduled job could not be enqueued", self.worker_id)
        finally:
            close_old_connections()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.tick()
        finally:
            connection.close()


def pause_for_tests(point: str) -> None:
    """Test hook (tests/test_worker_recovery.py): with MEMOFLOW_TEST_PAUSE_AT=<point> and
    MEMOFLOW_TEST_PAUSE_MARKER=<path> in the environment, write the marker and block until the process is
    killed. Unset (always, outside that test) it does nothing."""
    if not point or os.environ.get("MEMOFLOW_TEST_PAUSE_AT") != point:
        return
    Path(os.environ["MEMOFLOW_TEST_PAUSE_MARKER"]).write_text(str(os.getpid()))
    threading.Event().wait()
