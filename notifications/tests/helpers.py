"""What the notification tests share: the e-mail jobs run as the worker runs them, and the rows in words."""

from typing import Any

from django.core import mail
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from notifications.models import Notification
from notifications.tasks import deliver_notifications
from notifications.texts import wording

EMAIL_JOB = "notifications.tasks.deliver_notifications"


def run_email_jobs() -> list[Any]:
    """Run every e-mail job still queued (what `db_worker --queue-name default` does with them); the messages
    they sent."""
    before = len(mail.outbox)
    for job in DBTaskResult.objects.filter(task_path=EMAIL_JOB, status="READY").order_by("enqueued_at"):
        deliver_notifications.func(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=job.pk).update(status="SUCCESSFUL")
    return list(mail.outbox[before:])


def told(memo: Any, kind: str) -> dict[str, str]:
    """Who was told `kind` about `memo`: username -> the Thai sentence."""
    rows = Notification.objects.filter(memo=memo, kind=kind).select_related("memo", "actor", "recipient")
    with translation.override("th"):
        return {row.recipient.username: wording(row).sentence for row in rows}
