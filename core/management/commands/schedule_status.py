"""`manage.py schedule_status`: the scheduled jobs the workers run (core.schedule; docs/deployment.md#scheduled-jobs),
each with its time of day (Bangkok) or "off", and its last run: the day, when and by which worker it was claimed,
and its task's status and result."""

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from core import schedule


class Command(BaseCommand):
    help = (
        "List the scheduled jobs, their time (or off) and their last run with its task's status and result."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for status in schedule.job_statuses():
            self.stdout.write(f"{status.name}  {status.at}  {status.task_path}")
            run = status.last
            if run is None:
                self.stdout.write("  last run: none yet")
                continue
            claimed = timezone.localtime(run.claimed_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(f"  last run: {run.period} (claimed {claimed} by {run.worker_id or '?'})")
            task = run.task_result
            if task is None:
                self.stdout.write("  task: no longer kept")
            else:
                result = (
                    json.dumps(task.return_value, ensure_ascii=False) if task.return_value is not None else ""
                )
                self.stdout.write(f"  task {task.pk}: {task.status} {result}".rstrip())
