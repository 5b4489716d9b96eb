"""`manage.py tasks_recover`: one sweep by hand — jobs RUNNING under a worker that stopped beating are put back
to READY (or FAILED after MEMOFLOW_TASK_MAX_ATTEMPTS tries). Every `memoflow_worker` runs the same sweep on
each heartbeat; this is for an operator (or cron) when no worker is running."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core import worker


class Command(BaseCommand):
    help = "Requeue jobs left RUNNING by a worker that died (no heartbeat for --stale-after seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="seconds without a heartbeat (default: MEMOFLOW_WORKER_STALE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["stale_after"]
        result = worker.recover_stale_jobs(
            stale_after=timedelta(seconds=seconds if seconds is not None else worker.stale_seconds())
        )
        for job_id in result.requeued:
            self.stdout.write(f"requeued: {job_id}")
        for job_id in result.failed:
            self.stderr.write(f"failed (worker died too often): {job_id}")
        self.stdout.write(f"{len(result.requeued)} requeued, {len(result.failed)} failed")
