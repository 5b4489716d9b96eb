"""The daily job "leave_steps" (core.schedule, ADR 0008; registered in workflow.apps): the route's steps follow
the leave that begins or ends today (workflow/services/leave.py)."""

import logging
from typing import Any

from django.tasks import task

log = logging.getLogger("memoflow.workflow")


@task()
def leave_steps(scheduled_for: str = "") -> dict[str, Any]:
    """Once per day's run (the run's claim); run again (a retried job), it moves nothing twice."""
    from workflow.services.leave import leave_steps_daily

    totals = leave_steps_daily()
    log.info("leave steps: %s", totals)
    return {"outcome": "done", **totals}
