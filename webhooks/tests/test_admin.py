"""Webhooks in the admin (Thai by default): an administrator adds an endpoint (audited, its secret shown once
and never again, never in the audit log), an address that is not http(s) is refused in Thai, the secret can be
replaced; deliveries are a read-only log whose "retry now" sends a failed one again (audited); the person's
LINE user ID is edited with the account."""

import re

import pytest
from django.test import Client

from core.models import AuditEvent
from tests.builders import draft_memo, submit
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from webhooks.tests.conftest import Answer, run_delivery_jobs, run_send_jobs, send_jobs

pytestmark = pytest.mark.django_db

ADD = "/admin/webhooks/webhookendpoint/add/"
LIST = "/admin/webhooks/webhookendpoint/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


@pytest.fixture
def admin_th(demo_org, person):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("admin"))
    return client


def shown_secret(page: str) -> str | None:
    match = re.search(r'data-testid="new-secret".*?<code[^>]*>([0-9a-f]{64})</code>', page, re.S)
    return match[1] if match else None


def test_an_endpoint_added_in_the_admin_shows_its_secret_once_and_is_audited(admin_th, receiver):
    form = {
        "name": "LINE relay",
        "url": receiver.url,
        "kinds": ["step.waiting", "memo.returned"],
        "is_active": "on",
    }
    response = admin_th.post(ADD, form)
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/"

    page = admin_th.get(response["Location"]).content.decode()
    assert shown_secret(page) == endpoint.secret
    again = admin_th.get(response["Location"]).content.decode()
    assert shown_secret(again) is None
    assert endpoint.secret not in again
    assert endpoint.secret_fingerprint in again

    event = AuditEvent.objects.get(action="webhook_endpoint.created")
    assert event.actor.username == "admin"
    assert event.data["kinds"] == ["memo.returned", "step.waiting"]
    assert event.data["secret_fingerprint"] == endpoint.secret_fingerprint
    assert endpoint.secret not in str(event.data)


def test_an_address_that_is_not_http_is_refused_in_thai(admin_th):
    form = {"name": "bad", "url": "ftp://relay.example/hook", "kinds": ["step.waiting"], "is_active": "on"}
    page = admin_th.post(ADD, form).content.decode()
    assert "ที่อยู่ของ webhook ต้องขึ้นต้นด้วย http:// หรือ https://" in page
    assert not WebhookEndpoint.objects.exists()


def test_a_changed_endpoint_is_audited_with_what_changed(admin_th, endpoint):
    hook = endpoint(kinds=("step.waiting",))
    form = {"name": hook.name, "url": hook.url, "kinds": ["step.waiting", "memo.completed"]}  # active: off
    response = admin_th.post(f"{LIST}{hook.pk}/change/", form)
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.is_active, hook.kinds) == (False, ["step.waiting", "memo.completed"])
    event = AuditEvent.objects.get(action="webhook_endpoint.changed")
    assert event.data["changed"]["is_active"] == [True, False]


def test_a_new_secret_replaces_the_old_one_and_is_shown_once(admin_th, endpoint):
    hook = endpoint()
    old = hook.secret
    response = admin_th.post(LIST, {"action": "rotate_secret", "_selected_action": [hook.pk]})
    hook.refresh_from_db()
    assert hook.secret != old
    assert shown_secret(admin_th.get(response["Location"]).content.decode()) == hook.secret
    event = AuditEvent.objects.get(action="webhook_endpoint.secret_rotated")
    assert hook.secret not in str(event.data)
    assert old not in str(event.data)


def test_retry_now_sends_a_given_up_delivery_again(admin_th, endpoint, receiver, settings):
    settings.MEMOFLOW_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers = [Answer(502)]
    endpoint()
    submit(draft_memo())
    run_delivery_jobs()
    assert run_send_jobs() == ["gave_up"]
    delivery = WebhookDelivery.objects.get()

    listing = admin_th.get(DELIVERIES).content.decode()
    assert "ล้มเหลว" in listing or "เลิกส่ง" in listing
    response = admin_th.post(DELIVERIES, {"action": "retry_now", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert AuditEvent.objects.get(action="webhook_delivery.retried").actor.username == "admin"

    assert run_send_jobs() == ["delivered"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
    # Delivered: retrying it again does nothing.
    admin_th.post(DELIVERIES, {"action": "retry_now", "_selected_action": [delivery.pk]})
    assert send_jobs(status="READY") == []


def test_the_delivery_log_is_read_only(admin_th, endpoint):
    endpoint()
    submit(draft_memo())
    run_delivery_jobs()
    delivery = WebhookDelivery.objects.get()
    page = admin_th.get(f"{DELIVERIES}{delivery.pk}/change/").content.decode()
    assert "มีบันทึกข้อความรอท่านดำเนินการ" in page  # the payload as sent
    assert 'name="_save"' not in page
    assert admin_th.get(f"{DELIVERIES}add/").status_code == 403


def test_someone_without_the_right_cannot_retry(demo_org, person, endpoint):
    from django.contrib.auth.models import Permission

    clerk = person("saraban")
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    clerk.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    endpoint()
    submit(draft_memo())
    run_delivery_jobs()
    delivery = WebhookDelivery.objects.get()
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(clerk)
    assert client.get(DELIVERIES).status_code == 200
    client.post(DELIVERIES, {"action": "retry_now", "_selected_action": [delivery.pk]})
    assert not AuditEvent.objects.filter(action="webhook_delivery.retried").exists()


def test_the_line_user_id_is_edited_with_the_account_and_checked(admin_th, person):
    from django.core.exceptions import ValidationError

    signatory = person("ratchawari")
    page = admin_th.get(f"/admin/org/person/{signatory.pk}/change/").content.decode()
    assert 'name="line_user_id"' in page
    signatory.line_user_id = "ratchawari@line"  # a LINE ID as people type it, not the user id LINE pushes to
    with pytest.raises(ValidationError) as refused:
        signatory.full_clean()
    assert "U ตามด้วยอักขระ 0-9 และ a-f" in str(refused.value.message_dict["line_user_id"])
    signatory.line_user_id = "U" + "0123456789abcdef" * 2
    signatory.full_clean()
