"""Primitives every app shares: the append-only audit log."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from core.append_only import AppendOnlyModel, AppendOnlyQuerySet


class AuditEventQuerySet(AppendOnlyQuerySet["AuditEvent"]):
    pass


class AuditEvent(AppendOnlyModel):
    """One thing somebody did, written in the same transaction as the change itself. Never updated or
    deleted: refused by the model, its QuerySet and a database trigger (core.append_only). Chained: `sequence`
    is gapless and `hash` = SHA-256(`prev_hash` + the event's canonical JSON) (core.audit_chain); the writer is
    core.audit.audit_event_append, which also sets `at` (the hash covers it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sequence = models.BigIntegerField(_("sequence number"), unique=True, editable=False)
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            # The audit search (workflow.audit_search): each filter, newest first by sequence.
            models.Index(fields=["object_type", "object_id", "sequence"], name="audit_object_seq_idx"),
            models.Index(fields=["actor", "sequence"], name="audit_actor_seq_idx"),
            models.Index(fields=["action", "sequence"], name="audit_action_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The one row (pk 1) naming the audit chain's last event: locked by each append, so that sequence numbers
    are handed out one writer at a time, without gaps."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    sequence = models.BigIntegerField(_("sequence number"), default=0)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash[:16]}"


class AuditCheckpoint(AppendOnlyModel):
    """The audit chain's head (sequence, hash, time) signed with the organisation's seal
    (`manage.py audit_checkpoint`); `document` is the file also written to MEMOFLOW_AUDIT_CHECKPOINT_DIR, to be
    copied off the server. `manage.py verify_audit` checks the chain against each."""

    id = models.BigAutoField(primary_key=True)
    sequence = models.BigIntegerField(_("sequence number"))
    head_hash = models.CharField(_("head hash"), max_length=64)
    at = models.DateTimeField(_("time"))
    document = models.TextField(_("signed document"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-sequence", "-id"]

    def __str__(self) -> str:
        return f"{self.sequence} {self.head_hash[:16]} {self.at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A background worker (`manage.py memoflow_worker`) saying it is alive: written every few seconds by a
    thread of the worker, so a job RUNNING under a worker whose heartbeat stopped is known abandoned
    (core.worker.recover_stale_jobs)."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} {self.hostname}:{self.pid} {self.seen_at:%H:%M:%S}"


class ScheduledRun(models.Model):
    """One run of a scheduled job (core.schedule) for one period ("2026-12-03" for a daily job): claimed by the
    first worker whose INSERT wins the (job, period) unique constraint, which enqueues the job's task in the same
    transaction. Every other worker's INSERT fails, so a run is made once across all workers and machines
    (docs/adr/0008-scheduled-jobs.md). The outcome is the task's (status and return value)."""

    id = models.BigAutoField(primary_key=True)
    job = models.CharField(_("job"), max_length=64)
    period = models.CharField(_("period"), max_length=32)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    worker_id = models.CharField(_("worker id"), max_length=64, blank=True)
    task_result = models.ForeignKey(
        DBTaskResult,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # task results may be pruned (manage.py prune_db_task_results)
        related_name="+",
    )

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
