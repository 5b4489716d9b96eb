"""`manage.py memoflow_worker`: django-tasks-db's `db_worker` (same options) with a heartbeat, so that a job whose
worker died is retried (core.worker; docs/adr/0004-task-recovery.md). Run this instead of `db_worker`."""

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core import worker as recovery


class Worker(db_worker.Worker):
    def __init__(self, *, heartbeat: float, stale_after: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heart = recovery.Heart(worker_id=self.worker_id, interval=heartbeat, stale_after=stale_after)

    def run(self) -> None:
        self.heart.start()
        try:
            super().run()
        finally:
            self.heart.stop()

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        set_successful = db_task_result.set_successful

        def pause_then_set_successful(return_value: Any) -> None:
            # Test hook: the job's work is committed, its success not yet recorded.
            recovery.pause_for_tests(f"job_done:{db_task_result.task_path}")
            set_successful(return_value)

        db_task_result.set_successful = pause_then_set_successful
        super().run_task(db_task_result)


class Command(db_worker.Command):
    help = "Run a database background worker with a heartbeat; jobs of dead workers are retried."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=db_worker.valid_interval,
            default=None,
            help="seconds between heartbeats and sweeps (default: MEMOFLOW_WORKER_HEARTBEAT_SECONDS)",
        )
        parser.add_argument(
            "--stale-after",
            type=db_worker.valid_interval,
            default=None,
            help="seconds without a heartbeat after which a worker's RUNNING job is retried "
            "(default: MEMOFLOW_WORKER_STALE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """db_worker's handle, building memoflow's Worker."""
        self.configure_logging(options["verbosity"])
        reload, batch = options["reload"], options["batch"]
        if reload and batch:
            reload = False
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        heartbeat, stale_after = options["heartbeat"], options["stale_after"]
        worker = Worker(
            heartbeat=recovery.heartbeat_seconds() if heartbeat is None else heartbeat,
            stale_after=recovery.stale_seconds() if stale_after is None else stale_after,
            queue_names=queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
