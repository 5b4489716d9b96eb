"""The daily digest for webhooks (scheduled job "webhook_digest", 08:00 Bangkok): one event per person who chose
"a daily digest" and endpoint, with that person's notifications of the day before of the kinds it subscribes to;
made once per person and day whoever runs it and however often. Two workers at once: test_concurrency.py."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from core.schedule import Scheduler
from notifications.models import Channel, Mode, Notification, Preference
from notifications.services import notify
from tests.builders import SUBJECT, draft_memo, submit
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_digest_create
from webhooks.tests.conftest import run_send_jobs

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
SIGNATORY = "ratchawari"


@pytest.fixture
def digest_person(person):
    signatory = person(SIGNATORY)
    Preference.objects.create(person=signatory, channel=Channel.WEBHOOK, mode=Mode.DIGEST)
    return signatory


def morning_after(notification: Notification) -> datetime:
    """The first 08:00 in Bangkok after the notification: the same day's when it came in the small hours (a test
    run between 17:00 and 01:00 UTC), else the next day's."""
    local = timezone.localtime(notification.created_at, BANGKOK)
    eight = datetime(local.year, local.month, local.day, 8, 0, tzinfo=BANGKOK)
    return eight if local < eight else eight + timedelta(days=1)


def test_a_digest_person_gets_one_event_the_next_morning_with_the_days_notifications(
    endpoint, receiver, digest_person, person
):
    endpoint(kinds=("step.waiting", "step.reminder"))
    memo = submit(draft_memo())
    notify(kind="step.reminder", memo=memo, recipients=[digest_person.pk])
    notify(kind="memo.archived", memo=memo, recipients=[digest_person.pk])  # not subscribed to
    assert not WebhookDelivery.objects.exists()  # nothing at once
    first = Notification.objects.filter(recipient=digest_person).earliest("created_at")
    until = morning_after(first)

    assert webhook_digest_create(until=until) == 1
    assert webhook_digest_create(until=until) == 0  # a second run the same day makes none

    assert run_send_jobs() == ["delivered"]
    [request] = receiver.received
    event = json.loads(request.body)
    assert event["kind"] == "notification.digest"
    assert event["recipient"]["username"] == SIGNATORY
    assert event["count"] == 2
    assert [item["kind"] for item in event["items"]] == ["step.waiting", "step.reminder"]
    assert all(item["memo"]["subject"] == SUBJECT for item in event["items"])
    assert event["text"].startswith("สรุปการแจ้งเตือนประจำวันที่ ")
    assert "จำนวน ๒ รายการ" in event["text"]
    assert event["period"] == {"from": (until - timedelta(days=1)).isoformat(), "until": until.isoformat()}


def test_nothing_for_a_person_without_notifications_that_day_or_who_wants_them_at_once(
    endpoint, receiver, digest_person
):
    endpoint()
    submit(draft_memo())
    first = Notification.objects.get(recipient=digest_person)
    assert webhook_digest_create(until=morning_after(first) + timedelta(days=1)) == 0  # the day after
    Preference.objects.filter(person=digest_person).update(mode=Mode.IMMEDIATE)
    assert webhook_digest_create(until=morning_after(first)) == 0


def test_the_scheduler_runs_the_digest_once_a_day_at_eight(endpoint, receiver, digest_person):
    endpoint()
    submit(draft_memo())
    first = Notification.objects.get(recipient=digest_person)
    due = morning_after(first)

    early = Scheduler(worker_id="w0").tick(due - timedelta(minutes=1))
    assert all(run.job != "webhook_digest" for run in early)  # not before eight
    claimed = [run for run in Scheduler(worker_id="w1").tick(due) if run.job == "webhook_digest"]
    assert len(claimed) == 1
    assert [run for run in Scheduler(worker_id="w2").tick(due) if run.job == "webhook_digest"] == []
    [job] = DBTaskResult.objects.filter(task_path="webhooks.tasks.webhook_digest")
    assert job.args_kwargs["kwargs"] == {"scheduled_for": due.isoformat()}

    task = import_string(job.task_path)
    assert task.call(**job.args_kwargs["kwargs"]) == {"outcome": "done", "events": 1}
    assert task.call(**job.args_kwargs["kwargs"]) == {"outcome": "done", "events": 0}  # a retried run
    assert WebhookDelivery.objects.filter(kind="notification.digest").count() == 1
