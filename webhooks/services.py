"""Every write of the webhooks app: endpoints (audited, from the admin), the deliveries made from notifications
and from the daily digest, each attempt's claim and outcome, and an administrator's "retry now"."""

import json
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import thai
from core.audit import RequestMeta, audit_event_append, audited_save
from org.models import Person
from webhooks import sender, signing, sources
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, new_secret
from webhooks.payloads import digest_payload, event_payload

log = logging.getLogger("memoflow.webhooks")

RETRYABLE = (DeliveryState.PENDING, DeliveryState.FAILED)


# Endpoints -------------------------------------------------------------------------------------------------


def _endpoint_values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint: never the secret, only its fingerprint."""
    return {
        "name": endpoint.name,
        "url": endpoint.url,
        "kinds": sorted(endpoint.kinds or []),
        "is_active": endpoint.is_active,
        "secret_fingerprint": endpoint.secret_fingerprint,
    }


def webhook_endpoint_save(
    *, endpoint: WebhookEndpoint, actor: Person | None = None, meta: RequestMeta | None = None
) -> WebhookEndpoint:
    """Add or change an endpoint (validated first: an http(s) address, known kinds);
    `webhook_endpoint.created` / `.changed` with each changed value."""
    return audited_save(
        obj=endpoint, action="webhook_endpoint", values=_endpoint_values, actor=actor, meta=meta
    )


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, actor: Person | None = None, meta: RequestMeta | None = None
) -> str:
    """A new signing secret (the old one stops working at once); returns it, to be shown once."""
    with transaction.atomic(durable=True):
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = locked.secret_fingerprint
        locked.secret = new_secret()
        locked.save(update_fields=["secret"])
        audit_event_append(
            action="webhook_endpoint.secret_rotated",
            obj=locked,
            actor=actor,
            data={"name": locked.name, "secret_fingerprint": [before, locked.secret_fingerprint]},
            meta=meta,
        )
    return locked.secret


# Deliveries ------------------------------------------------------------------------------------------------


def _enqueue(delivery_id: Any, *, run_after: datetime | None = None) -> None:
    from webhooks.tasks import send_webhook

    task = send_webhook if run_after is None else send_webhook.using(run_after=run_after)
    task.enqueue(str(delivery_id))


def webhook_fan_out(*, notifications: Iterable[Any]) -> list[WebhookDelivery]:
    """From the notifications just written (in the caller's transaction): one delivery and one send job per
    notification and active endpoint that subscribes to its kind, for the people whose webhook channel is "at
    once", none for a notification that has its deliveries already. Run by the notifications' delivery job
    (notifications.services.deliver_batch), never in the change itself. One query when no endpoint wants these
    kinds; otherwise four more and one INSERT per job."""
    rows = list(notifications)
    if not rows:
        return []
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    wanted = [(row, [e for e in endpoints if row.kind in (e.kinds or [])]) for row in rows]
    wanted = [(row, chosen) for row, chosen in wanted if chosen]
    if not wanted:
        return []
    made = set(  # a delivery job run again (or an old job after an upgrade) makes none twice
        WebhookDelivery.objects.filter(notification_id__in=[row.pk for row, _ in wanted]).values_list(
            "notification_id", flat=True
        )
    )
    wanted = [(row, chosen) for row, chosen in wanted if row.pk not in made]
    if not wanted:
        return []
    modes = sources.webhook_modes(row.recipient_id for row, _ in wanted)
    wanted = [(row, chosen) for row, chosen in wanted if modes.get(row.recipient_id) == sources.IMMEDIATE]
    if not wanted:
        return []
    people = Person.objects.in_bulk({row.recipient_id for row, _ in wanted})
    now = timezone.now()
    deliveries = []
    for row, chosen in wanted:
        recipient = people[row.recipient_id]
        for endpoint in chosen:
            event_id = uuid.uuid4()
            deliveries.append(
                WebhookDelivery(
                    id=event_id,
                    endpoint=endpoint,
                    notification=row,
                    recipient=recipient,
                    kind=row.kind,
                    payload=event_payload(
                        event_id=event_id,
                        kind=row.kind,
                        created_at=row.created_at or now,
                        memo=row.memo,
                        recipient=recipient,
                    ),
                    next_attempt_at=now,
                )
            )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        _enqueue(delivery.pk)
    return deliveries


def webhook_digest_create(*, until: datetime) -> int:
    """The daily digest: for each person whose webhook channel is "a daily digest", one event per endpoint
    with their notifications of the 24 hours before `until` of the kinds it subscribes to (none: no event).
    Once per endpoint, person and day (a unique row): a retried or repeated run makes no second one. Each
    event is written with its send job in its own transaction. Returns the number of events made."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    if not endpoints:
        return 0
    since = until - timedelta(days=1)
    day = thai.bangkok_date(until)
    made = 0
    rows = sources.digest_notifications(since=since, until=until)
    for _person_id, group in groupby(rows, key=lambda row: row.recipient_id):
        notes = list(group)
        recipient = notes[0].recipient
        for endpoint in endpoints:
            items = [(n.kind, n.created_at, n.memo) for n in notes if n.kind in (endpoint.kinds or [])]
            if not items:
                continue
            event_id = uuid.uuid4()
            now = timezone.now()
            try:
                with transaction.atomic(durable=True):
                    WebhookDelivery.objects.create(
                        id=event_id,
                        endpoint=endpoint,
                        recipient=recipient,
                        kind=sources.DIGEST_KIND,
                        digest_date=day,
                        payload=digest_payload(
                            event_id=event_id,
                            created_at=now,
                            day=day,
                            since=since,
                            until=until,
                            recipient=recipient,
                            items=items,
                        ),
                        next_attempt_at=now,
                    )
                    _enqueue(event_id)
            except IntegrityError:  # that day's digest for this person and endpoint exists
                continue
            made += 1
    return made


def _lease() -> timedelta:
    """How long a claim holds: longer than the longest attempt (a time limit per connection and read, for
    each redirect) — past it, the worker is taken for dead and another may send."""
    return timedelta(seconds=settings.MEMOFLOW_WEBHOOK_TIMEOUT * 2 * (sender.MAX_REDIRECTS + 1) + 30)


def _retry_delay(attempts: int) -> timedelta:
    minutes = settings.MEMOFLOW_WEBHOOK_RETRY_MINUTES
    return timedelta(minutes=minutes[min(attempts, len(minutes)) - 1])


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The request body: the payload as compact UTF-8 JSON (the signature covers these exact bytes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def webhook_delivery_attempt(*, delivery_id: Any, now: datetime | None = None) -> str:
    """Send one delivery once, if it is due and nobody else is sending it: a conditional UPDATE claims it (one
    worker wins; the attempt is counted then, so a worker that dies mid-request still uses one up), the request
    is made outside any transaction, and the outcome is written only by the claim's holder. A failure is
    retried after MEMOFLOW_WEBHOOK_RETRY_MINUTES (a job enqueued with run_after), until
    MEMOFLOW_WEBHOOK_MAX_ATTEMPTS attempts; then it gives up. Returns what happened, for the task's result."""
    now = now or timezone.now()
    lease = now + _lease()
    with transaction.atomic(durable=True):
        claimed = (
            WebhookDelivery.objects.filter(pk=delivery_id, state__in=RETRYABLE, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .update(claimed_until=lease, attempts=F("attempts") + 1)
        )
    if not claimed:
        return _not_claimed(delivery_id, now)
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if endpoint.is_active:
        body = body_bytes(delivery.payload)
        timestamp = int(now.timestamp())
        headers = {
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(endpoint.secret, timestamp, body),
            "X-Memoflow-Event": delivery.kind,
            "X-Memoflow-Event-Id": str(delivery.pk),
        }
        outcome = sender.post(endpoint.url, body, headers, timeout=settings.MEMOFLOW_WEBHOOK_TIMEOUT)
        stop = False
    else:
        outcome = sender.Outcome(False, None, "the endpoint is turned off")
        stop = True
    return _record(delivery_id=delivery.pk, lease=lease, outcome=outcome, now=now, stop=stop)


def _record(*, delivery_id: Any, lease: datetime, outcome: sender.Outcome, now: datetime, stop: bool) -> str:
    with transaction.atomic(durable=True):
        delivery = (
            WebhookDelivery.objects.select_for_update().filter(pk=delivery_id, claimed_until=lease).first()
        )
        if delivery is None:  # our claim ran out and another worker took it over: its outcome counts
            log.warning("webhook delivery %s: claim lost before its outcome was written", delivery_id)
            return "claim_lost"
        delivery.claimed_until = None
        delivery.last_status_code = outcome.status
        delivery.last_error = outcome.error[:500]
        if outcome.delivered:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryState.DELIVERED,
                now,
                None,
            )
        elif stop or delivery.attempts >= settings.MEMOFLOW_WEBHOOK_MAX_ATTEMPTS:
            delivery.state, delivery.next_attempt_at = DeliveryState.GAVE_UP, None
        else:
            delivery.state = DeliveryState.FAILED
            delivery.next_attempt_at = now + _retry_delay(delivery.attempts)
            _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
        delivery.save(
            update_fields=[
                "claimed_until",
                "last_status_code",
                "last_error",
                "state",
                "delivered_at",
                "next_attempt_at",
            ]
        )
    log.info(
        "webhook delivery %s attempt %s: %s %s %s",
        delivery.pk,
        delivery.attempts,
        delivery.state,
        outcome.status,
        outcome.error,
    )
    return str(delivery.state)


def _not_claimed(delivery_id: Any, now: datetime) -> str:
    row = WebhookDelivery.objects.filter(pk=delivery_id).values("state", "claimed_until").first()
    if row is None:
        return "missing"
    if row["state"] in RETRYABLE and row["claimed_until"] is not None and row["claimed_until"] > now:
        # Another worker is sending it. Should it die, its claim runs out: look again then.
        _enqueue(delivery_id, run_after=row["claimed_until"])
        return "claimed_elsewhere"
    return "not_due" if row["state"] in RETRYABLE else str(row["state"])


def webhook_delivery_retry(
    *,
    delivery: WebhookDelivery,
    actor: Person | None = None,
    meta: RequestMeta | None = None,
    now: datetime | None = None,
) -> bool:
    """An administrator's "retry now": a failed or given-up delivery is sent again at once (one more attempt
    after giving up; the usual retries while attempts remain). False for one delivered or being sent."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if locked is None or locked.state == DeliveryState.DELIVERED:
            return False
        if locked.claimed_until is not None and locked.claimed_until > now:
            return False
        before = locked.state
        locked.state, locked.next_attempt_at = DeliveryState.PENDING, now
        locked.save(update_fields=["state", "next_attempt_at"])
        audit_event_append(
            action="webhook_delivery.retried",
            obj=locked,
            actor=actor,
            data={
                "endpoint": locked.endpoint_id,
                "kind": locked.kind,
                "state": [str(before), str(locked.state)],
                "attempts": locked.attempts,
            },
            meta=meta,
        )
        _enqueue(locked.pk)
    return True
