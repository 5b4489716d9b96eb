"""Background jobs of the signatures app (Django Tasks, database backend; queue "default", where the quick jobs
run: workflow/tasks.py)."""

import logging
from datetime import datetime
from typing import Any

from django.tasks import task

from core.models import AuditCheckpoint
from signatures.audit_checkpoint import audit_checkpoint_create
from signatures.errors import SigningNotConfigured

log = logging.getLogger("memoflow.signatures")


def _outcome(checkpoint: AuditCheckpoint, outcome: str) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "sequence": checkpoint.sequence,
        "head_hash": checkpoint.head_hash,
        "file": checkpoint.file_name,
    }


@task()
def audit_checkpoint(scheduled_for: str = "") -> dict[str, Any]:
    """The daily scheduled job "audit_checkpoint" (core.schedule): what `manage.py audit_checkpoint` does.

    Once per run: a checkpoint already made since `scheduled_for` (by this run before its worker died, or by hand)
    is that run's, and none is signed again. Without the seal (none made, or MEMOFLOW_SEAL_KEY_PASSPHRASE missing
    or wrong in the worker's environment) the run is skipped with a warning in the log and in the task's result,
    rather than failing: the next day's run tries again."""
    if scheduled_for:
        since = datetime.fromisoformat(scheduled_for)
        done = AuditCheckpoint.objects.filter(at__gte=since).order_by("sequence", "id").first()
        if done is not None:
            return _outcome(done, "already_done")
    try:
        checkpoint = audit_checkpoint_create()
    except SigningNotConfigured:
        reason = (
            "the organisation's seal is not set up (manage.py signing_init, MEMOFLOW_SEAL_KEY_PASSPHRASE in the "
            "worker's environment): no audit checkpoint signed"
        )
        log.warning("audit checkpoint skipped: %s", reason)
        return {"outcome": "skipped", "reason": reason}
    log.info("audit checkpoint %s %s -> %s", checkpoint.sequence, checkpoint.head_hash, checkpoint.file_name)
    return _outcome(checkpoint, "done")
