"""Background jobs of the webhooks app (Django Tasks, database backend; queue "default")."""

from datetime import datetime
from typing import Any

from django.tasks import task
from django.utils import timezone


@task()
def send_webhook(delivery_id: str) -> str:
    """One attempt at one delivery (webhooks.services.webhook_delivery_attempt); a failure enqueues the next."""
    from webhooks.services import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id=delivery_id)


@task()
def webhook_digest(scheduled_for: str = "") -> dict[str, Any]:
    """The daily scheduled job "webhook_digest" (core.schedule, 08:00): each digest person's day in one event
    per endpoint. A retried run makes no second event (one per endpoint, person and day)."""
    from webhooks.services import webhook_digest_create

    until = datetime.fromisoformat(scheduled_for) if scheduled_for else timezone.now()
    return {"outcome": "done", "events": webhook_digest_create(until=until)}
