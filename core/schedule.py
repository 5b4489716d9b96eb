"""Scheduled jobs, run by memoflow's task workers (docs/adr/0008-scheduled-jobs.md).

An app registers its jobs when it is ready (`schedule.register("audit_checkpoint", task_path=..., at="01:00")`):
a name, the dotted path of a Django task, and a time of day in Bangkok time (settings.TIME_ZONE); each job runs
once a day. MEMOFLOW_SCHEDULE changes a job's time or turns it off (docs/configuration.md). A job may instead run
every N minutes (`every=5`): its periods are the day's slots of N minutes from midnight, Bangkok time
("2026-12-03T08:30"), each claimed once in the same way; MEMOFLOW_SCHEDULE can only turn such a job off. Only the
current slot is claimed: slots passed while no worker was up are not caught up (the next slot's run covers them).

Every worker (`manage.py memoflow_worker`) looks on each heartbeat for the jobs whose time has come today and
claims each run: one INSERT into core.ScheduledRun, whose (job, period) pair is unique, in the same transaction
as the job's task is enqueued through the database task backend. The first INSERT wins; on PostgreSQL the others
wait on the winner's uncommitted row and then fail, on SQLite they wait for the write lock and then fail — so a
run is made once across all workers and machines, and a run whose claim rolled back enqueued nothing. A worker
started after a job's time on the same day (none was up at 01:00) claims the missed run at once; a day with no
worker up at all is not caught up the next day (the next day's run covers it).

The task is called with `scheduled_for` (the run's due time, ISO 8601), so that it can be idempotent: a job whose
worker died is retried (core.worker, ADR 0004), and a retried run must not do its work twice.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import ScheduledRun

logger = logging.getLogger("memoflow.schedule")

OFF = "off"
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True)
class Job:
    """A daily job: its task (dotted path of a `@task`) runs once a day at `at`, Bangkok time; or, with `every`,
    once in each slot of that many minutes (`at` is then midnight, where the slots start)."""

    name: str
    task_path: str
    at: time
    every: int | None = None  # minutes


@dataclass(frozen=True)
class DueRun:
    job: Job
    period: str  # the day, "2026-12-03"; or the slot, "2026-12-03T08:30"
    due: datetime  # the day at the job's time, aware


_registry: dict[str, Job] = {}


def parse_time(text: str) -> time:
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time of day HH:MM (00:00 to 23:59)")
    return time(int(match[1]), int(match[2]))


def register(name: str, *, task_path: str, at: str | None = None, every: int | None = None) -> None:
    """Declare a daily job (`at`, "HH:MM") or one every `every` minutes (a divisor of a day's 1440, so that the
    slots are the same every day), from an app's AppConfig.ready. Registering the same name again replaces it."""
    if (at is None) == (every is None):
        raise ValueError("a scheduled job runs either at a time of day or every N minutes")
    if every is not None:
        if not 1 <= every <= 1440 or 1440 % every:
            raise ValueError(f"every={every}: give minutes that divide a day (1, 2, 5, 10, 15, 30, 60, ...)")
        _registry[name] = Job(name=name, task_path=task_path, at=time(0, 0), every=every)
        return
    assert at is not None
    _registry[name] = Job(name=name, task_path=task_path, at=parse_time(at))


def registered() -> list[Job]:
    """Every registered job with its default time, whatever MEMOFLOW_SCHEDULE says."""
    return sorted(_registry.values(), key=lambda job: job.name)


def jobs() -> list[Job]:
    """The jobs that run: the registered ones at the time MEMOFLOW_SCHEDULE gives them, without those it turns
    off."""
    overrides: dict[str, str] = getattr(settings, "MEMOFLOW_SCHEDULE", {}) or {}
    active = []
    for job in registered():
        at = overrides.get(job.name)
        if at == OFF:
            continue
        if at is None or job.every is not None:  # a time of day means nothing to a job every N minutes
            active.append(job)
        else:
            active.append(Job(name=job.name, task_path=job.task_path, at=parse_time(at)))
    return active


def due_runs(now: datetime | None = None) -> list[DueRun]:
    """Today's runs (in Bangkok) whose time has come, taken or not."""
    local = timezone.localtime(now or timezone.now())
    due = []
    for job in jobs():
        if job.every is not None:
            minutes = (local.hour * 60 + local.minute) // job.every * job.every
            at = timezone.make_aware(
                datetime.combine(local.date(), time(minutes // 60, minutes % 60)), local.tzinfo
            )
            due.append(DueRun(job=job, period=f"{local.date().isoformat()}T{at:%H:%M}", due=at))
            continue
        at = timezone.make_aware(datetime.combine(local.date(), job.at), local.tzinfo)
        if local >= at:
            due.append(DueRun(job=job, period=local.date().isoformat(), due=at))
    return due


def scheduled_run_claim(*, run: DueRun, worker_id: str) -> ScheduledRun | None:
    """Claim `run` and enqueue its task, in one transaction; None when another worker has claimed it."""
    task: Any = import_string(run.job.task_path)
    try:
        with transaction.atomic(durable=True):
            result = task.enqueue(scheduled_for=run.due.isoformat())
            claimed = ScheduledRun.objects.create(
                job=run.job.name, period=run.period, worker_id=worker_id[:64], task_result_id=result.id
            )
    except IntegrityError:  # (job, period) taken: the other claim won, and this task rolled back with ours
        return None
    logger.info(
        "scheduled job %s for %s claimed by %s: task %s", run.job.name, run.period, worker_id, result.id
    )
    return claimed


class Scheduler:
    """A worker's view of the schedule: claims the due runs on each tick. It remembers the runs it has seen
    taken, so a tick costs no query until a job's time comes, and one small SELECT until its run is taken."""

    def __init__(self, *, worker_id: str) -> None:
        self.worker_id = worker_id
        self._taken: set[tuple[str, str]] = set()

    def tick(self, now: datetime | None = None) -> list[ScheduledRun]:
        """Claim every due run not yet taken; the runs this worker claimed."""
        pending = [run for run in due_runs(now) if (run.job.name, run.period) not in self._taken]
        if not pending:
            return []
        self._taken.update(self._already_taken(pending))
        claimed = []
        for run in pending:
            key = (run.job.name, run.period)
            if key in self._taken:
                continue
            mine = scheduled_run_claim(run=run, worker_id=self.worker_id)
            self._taken.add(key)
            if mine is not None:
                claimed.append(mine)
        if len(self._taken) > 1000:  # days (and slots) gone by: forget them
            today = {run.period for run in pending}
            self._taken = {key for key in self._taken if key[1] in today}
        return claimed

    @staticmethod
    def _already_taken(runs: Iterable[DueRun]) -> set[tuple[str, str]]:
        runs = list(runs)
        rows = ScheduledRun.objects.filter(
            job__in={run.job.name for run in runs}, period__in={run.period for run in runs}
        ).values_list("job", "period")
        return {(job, period) for job, period in rows}


@dataclass(frozen=True)
class JobStatus:
    name: str
    task_path: str
    at: str  # "01:00", "every 5 min", or "off"
    last: ScheduledRun | None  # with its task_result (None once pruned)


def job_statuses() -> list[JobStatus]:
    """Every registered job, its time (or off) and its last run: for `manage.py schedule_status`."""
    active = {job.name: job for job in jobs()}
    statuses = []
    for job in registered():
        last = (
            ScheduledRun.objects.filter(job=job.name)
            .select_related("task_result")
            .order_by("-period")
            .first()
        )
        if job.name not in active:
            at = OFF
        elif job.every is not None:
            at = f"every {job.every} min"
        else:
            at = active[job.name].at.strftime("%H:%M")
        statuses.append(JobStatus(name=job.name, task_path=job.task_path, at=at, last=last))
    return statuses


@checks.register()
def check_schedule(**kwargs: Any) -> list[checks.CheckMessage]:
    """MEMOFLOW_SCHEDULE naming a job nobody registered is most likely a typo that leaves the real job on; a job
    whose task cannot be imported would fail on every beat of every worker."""
    overrides: dict[str, str] = getattr(settings, "MEMOFLOW_SCHEDULE", {}) or {}
    known = {job.name for job in registered()}
    messages: list[checks.CheckMessage] = [
        checks.Warning(
            f"MEMOFLOW_SCHEDULE names {name!r}, which is no scheduled job",
            hint=f"scheduled jobs: {', '.join(sorted(known)) or 'none'}",
            id="memoflow.W001",
        )
        for name in overrides
        if name not in known
    ]
    messages += [
        checks.Warning(
            f"MEMOFLOW_SCHEDULE gives {job.name!r} the time {overrides[job.name]!r}, but it runs every "
            f"{job.every} minutes: only 'off' changes it",
            id="memoflow.W002",
        )
        for job in registered()
        if job.every is not None and overrides.get(job.name, OFF) != OFF
    ]
    for job in registered():
        try:
            import_string(job.task_path)
        except ImportError as error:
            messages.append(
                checks.Error(
                    f"scheduled job {job.name!r}: task {job.task_path!r}: {error}", id="memoflow.E001"
                )
            )
    return messages
