"""Background jobs of the notifications app (Django Tasks, database backend; queue "default", with the other
quick jobs)."""

from typing import Any

from django.tasks import task

from notifications import email


@task()
def deliver_notifications(notification_ids: list[int]) -> int:
    """E-mail and webhooks for the notifications of one batch (enqueued in the transaction that wrote them); the
    number of e-mails sent."""
    from notifications.services import deliver_batch

    return deliver_batch(notification_ids=notification_ids)


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """The same job under its name before webhooks joined it (jobs queued before an upgrade still run; a batch
    whose webhooks were made already gets none again)."""
    from notifications.services import deliver_batch

    return deliver_batch(notification_ids=notification_ids)


@task()
def send_notification_digest(scheduled_for: str = "") -> dict[str, Any]:
    """The daily scheduled job "notification_digest" (core.schedule; 16:30 Bangkok time unless MEMOFLOW_SCHEDULE
    says otherwise): each person whose e-mail comes as a digest gets one message with what waited for it. Safe to
    run again or twice at once: a notification is sent in one digest only."""
    return email.digest_run()
