"""Two workers at once, PostgreSQL, real connections: a delivery is sent by exactly one of them (the claim), and
a day's digest is made once per person whoever runs it."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Channel, Mode, Notification, Preference
from tests.builders import draft_memo, submit
from webhooks import services
from webhooks.models import DeliveryState, WebhookDelivery
from webhooks.tests.conftest import run_delivery_jobs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(work: Callable[[], Any], count: int = 2) -> list[Any]:
    """Run `work` in `count` threads, each with its own connection, started together."""
    start = threading.Barrier(count, timeout=30)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work()
        except BaseException as error:  # reported by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_workers_running_the_same_delivery_send_it_once(endpoint, receiver):
    endpoint()
    submit(draft_memo())
    run_delivery_jobs()
    [delivery] = WebhookDelivery.objects.all()
    receiver.hold = threading.Event()  # the first request stays open while the other worker tries
    now = timezone.now()

    def attempt() -> str:
        outcome = services.webhook_delivery_attempt(delivery_id=delivery.pk, now=now)
        receiver.hold.set()  # the loser lets the winner's request finish
        return outcome

    outcomes = in_threads(attempt)
    assert sorted(outcomes) == ["claimed_elsewhere", "delivered"]
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)


def test_two_runs_of_the_digest_at_once_make_one_event_per_person(endpoint, receiver, person):
    endpoint()
    signatory = person("ratchawari")
    Preference.objects.create(person=signatory, channel=Channel.WEBHOOK, mode=Mode.DIGEST)
    submit(draft_memo())
    run_delivery_jobs()
    first = Notification.objects.get(recipient=signatory)
    until = first.created_at + timezone.timedelta(hours=1)

    outcomes = in_threads(lambda: services.webhook_digest_create(until=until), count=3)
    assert sorted(outcomes) == [0, 0, 1]
    assert WebhookDelivery.objects.filter(recipient=signatory, kind="notification.digest").count() == 1
