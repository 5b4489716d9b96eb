"""Events reach a real HTTP receiver (webhooks.tests.conftest.Receiver): a memo's step reaching a signatory is
posted, signed, without the memo's text, to the endpoints that subscribe to its kind, for people who want the
webhook channel at once; a failure is retried later and logged; after the last attempt it gives up."""

import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.errors import ValidationFailed
from memos.models import Memo
from notifications.models import Channel, Mode, Preference
from tests.builders import BODY, SUBJECT, draft_memo, submit
from webhooks import sender, signing
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_save
from webhooks.tests.conftest import Answer, run_delivery_jobs, run_send_jobs, send_jobs

pytestmark = pytest.mark.django_db

SIGNATORY = "ratchawari"  # step 1 of the demo route: told when the writer submits
LINE_ID = "U" + "4f" * 16


def submitted(**fields):
    """A memo submitted, and the delivery job of its notifications run (what the worker does next)."""
    memo = draft_memo(**fields)
    submit(memo)
    run_delivery_jobs()
    return memo


def only_delivery() -> WebhookDelivery:
    [delivery] = WebhookDelivery.objects.select_related("endpoint", "recipient")
    return delivery


@pytest.mark.django_db(transaction=True)  # the worker commits and reconnects as in production
def test_a_waiting_step_is_posted_signed_with_the_memo_but_not_its_text(endpoint, receiver, person):
    signatory = person(SIGNATORY)
    signatory.line_user_id = LINE_ID
    signatory.save(update_fields=["line_user_id"])
    hook = endpoint(kinds=("step.waiting",))

    memo = submitted()
    assert receiver.received == []  # nothing is sent inside the change: the worker does it
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="default"
    )

    [request] = receiver.received
    timestamp = request.headers["X-Memoflow-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert signing.verify(
        hook.secret, timestamp, request.body, request.headers["X-Memoflow-Signature"], time.time()
    )
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    event = json.loads(request.body)
    delivery = only_delivery()
    assert event["id"] == str(delivery.pk) == request.headers["X-Memoflow-Event-Id"]
    assert event["kind"] == "step.waiting"
    assert event["memo"] == {
        "id": str(memo.pk),
        "number": memo.number,
        "subject": SUBJECT,
        "secrecy": "",
        "urgency": "normal",
        "url": f"http://127.0.0.1:8000/memos/{memo.pk}/",
    }
    assert event["recipient"] == {
        "username": SIGNATORY,
        "full_name": signatory.full_name,
        "email": signatory.email,
        "line_user_id": LINE_ID,
    }
    assert event["text"].startswith("มีบันทึกข้อความรอท่านดำเนินการ")
    assert SUBJECT in event["text"]
    assert memo.number in event["text"]
    for paragraph in BODY.splitlines():
        assert paragraph.encode() not in request.body
    assert event == delivery.payload  # the log keeps what was sent
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None
    assert delivery.recipient.username == SIGNATORY
    assert DBTaskResult.objects.get(task_path="webhooks.tasks.send_webhook").status == "SUCCESSFUL"


def test_a_classified_memo_is_posted_without_its_subject(endpoint, receiver):
    endpoint()
    draft = draft_memo()
    Memo.objects.filter(pk=draft.pk).update(secrecy="secret")  # no service sets the class yet (issue 13)
    submit(draft)

    run_send_jobs()
    [request] = receiver.received
    event = json.loads(request.body)
    assert event["memo"]["subject"] is None
    assert event["memo"]["secrecy"] == "secret"
    assert SUBJECT.encode() not in request.body
    assert "ลับมาก" in event["text"]


def test_a_failure_is_retried_after_a_minute_and_the_attempts_are_logged(endpoint, receiver):
    receiver.answers = [Answer(500, body=b"database down")]
    endpoint()
    submitted()
    first = timezone.now()

    assert run_send_jobs(first) == ["failed"]
    delivery = only_delivery()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.FAILED, 1, 500)
    assert delivery.last_error == "HTTP 500: database down"
    assert delivery.next_attempt_at == first + timedelta(minutes=1)
    [retry] = send_jobs(status="READY")
    assert (
        retry.run_after == delivery.next_attempt_at
    )  # enqueued with run_after, in the outcome's transaction

    assert run_send_jobs(first + timedelta(seconds=59)) == []  # not before its time
    assert run_send_jobs(first + timedelta(minutes=1)) == ["delivered"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.DELIVERED, 2, 200)
    assert delivery.last_error == ""
    first_body, second_body = (json.loads(r.body) for r in receiver.received)
    assert first_body["id"] == second_body["id"] == str(delivery.pk)  # the same event: receivers deduplicate
    assert send_jobs(status="READY") == []


def test_it_gives_up_after_the_last_attempt(settings, endpoint, receiver):
    settings.MEMOFLOW_WEBHOOK_MAX_ATTEMPTS = 3
    settings.MEMOFLOW_WEBHOOK_RETRY_MINUTES = [1, 5]
    receiver.answers = [Answer(503)] * 10
    endpoint()
    submitted()
    now = timezone.now()

    outcomes = []
    for minutes in (0, 1, 6, 11, 16, 60):
        outcomes += run_send_jobs(now + timedelta(minutes=minutes))
    assert outcomes == ["failed", "failed", "gave_up"]
    assert len(receiver.received) == 3
    delivery = only_delivery()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (DeliveryState.GAVE_UP, 3, None)
    assert send_jobs(status="READY") == []


@pytest.mark.parametrize("mode", [Mode.OFF, Mode.DIGEST])
def test_nothing_is_posted_at_once_for_someone_who_turned_it_off_or_wants_a_digest(
    endpoint, receiver, person, mode
):
    Preference.objects.create(person=person(SIGNATORY), channel=Channel.WEBHOOK, mode=mode)
    Preference.objects.create(person=person(SIGNATORY), channel=Channel.EMAIL, mode=Mode.IMMEDIATE)
    endpoint()
    submitted()
    assert not WebhookDelivery.objects.exists()
    assert send_jobs() == []


def test_only_the_endpoints_that_subscribe_to_the_kind_and_are_active_get_it(endpoint, receiver):
    endpoint(name="completed only", kinds=("memo.completed",))
    endpoint(name="off", kinds=("step.waiting",), is_active=False)
    wanted = endpoint(name="waiting", kinds=("step.waiting", "memo.returned"))
    submitted()
    assert [d.endpoint for d in WebhookDelivery.objects.select_related("endpoint")] == [wanted]
    assert len(send_jobs()) == 1


def test_the_change_writes_one_delivery_job_and_the_job_makes_each_delivery_once(endpoint, receiver):
    """The change pays one job for e-mail and webhooks together; the deliveries are made when it runs, and a
    job run again (a retry, or an old job after an upgrade) makes no second delivery."""
    endpoint(name="first")
    endpoint(name="second")
    submit(draft_memo())
    assert not WebhookDelivery.objects.exists()
    [job] = DBTaskResult.objects.filter(task_path="notifications.tasks.deliver_notifications")
    run_delivery_jobs()
    assert WebhookDelivery.objects.count() == 2
    from notifications.tasks import deliver_notifications, send_notification_emails

    deliver_notifications.func(*job.args_kwargs["args"])
    send_notification_emails.func(*job.args_kwargs["args"])
    assert WebhookDelivery.objects.count() == 2
    assert len(send_jobs()) == 2


def test_an_endpoint_turned_off_before_the_delivery_job_runs_gets_no_delivery(endpoint, receiver):
    hook = endpoint()
    submit(draft_memo())
    hook.is_active = False
    webhook_endpoint_save(endpoint=hook)
    run_delivery_jobs()
    assert not WebhookDelivery.objects.exists()


def test_an_endpoint_turned_off_after_the_event_gets_nothing(endpoint, receiver):
    hook = endpoint()
    submitted()
    hook.is_active = False
    webhook_endpoint_save(endpoint=hook)
    assert run_send_jobs() == ["gave_up"]
    assert receiver.received == []
    assert only_delivery().last_error == "the endpoint is turned off"


@pytest.mark.parametrize(
    "url",
    ["ftp://relay.example/hook", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/", "https:///x"],
)
def test_an_address_that_is_not_http_or_https_is_refused(demo_org, url):
    with pytest.raises(ValidationFailed) as refused:
        webhook_endpoint_save(endpoint=WebhookEndpoint(name="bad", url=url, kinds=["step.waiting"]))
    assert "must start with http:// or https://" in str(refused.value.fields["url"])
    assert not WebhookEndpoint.objects.exists()


def test_the_sender_refuses_another_scheme_whatever_the_database_says(endpoint, receiver):
    endpoint()
    WebhookEndpoint.objects.update(url="file:///etc/passwd")  # a row written around the validation
    submitted()
    assert run_send_jobs() == ["failed"]
    assert only_delivery().last_error.startswith("refused: only http and https")


def test_a_redirect_is_followed_on_the_same_host_only(endpoint, receiver):
    from webhooks.tests.conftest import Receiver

    elsewhere = Receiver().start()
    try:
        other_host = elsewhere.url.replace("127.0.0.1", "localhost")
        receiver.answers = [
            Answer(308, headers={"Location": "/moved"}),
            Answer(200),
            Answer(307, headers={"Location": other_host}),
        ]
        endpoint()
        submitted()
        assert run_send_jobs() == ["delivered"]
        assert [r.path for r in receiver.received] == ["/hook", "/moved"]
        assert receiver.received[0].body == receiver.received[1].body  # the same signed POST, re-sent

        WebhookDelivery.objects.all().delete()
        receiver.received.clear()
        submitted()
        assert run_send_jobs() == ["failed"]
        assert elsewhere.received == []
        assert only_delivery().last_error.startswith("redirect to another host not followed")
    finally:
        elsewhere.stop()


def test_an_endless_answer_is_not_read_to_its_end(endpoint, receiver):
    receiver.answers = [Answer(200, endless=256 * 1024 * 1024)]
    endpoint()
    submitted()
    started = time.monotonic()
    assert run_send_jobs() == ["delivered"]
    assert time.monotonic() - started < 5
    time.sleep(0.2)  # the receiver notices the closed connection
    assert receiver.written < 64 * 1024 * 1024


def test_no_endpoint_costs_one_query(endpoint, django_assert_num_queries):
    from webhooks.services import webhook_fan_out

    class Row:
        kind, recipient_id = "step.waiting", 1

    with django_assert_num_queries(1):
        assert webhook_fan_out(notifications=[Row()]) == []


def test_the_sender_reports_a_refused_connection():
    outcome = sender.post("http://127.0.0.1:9/hook", b"{}", {}, timeout=2)
    assert not outcome.delivered
    assert outcome.status is None
    assert "Error" in outcome.error
