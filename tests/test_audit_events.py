"""The audit events of issue 12 beyond state changes: a memo's files viewed or downloaded, signing refused, sign-in
attempts (web, admin, API token; failed, locked out, succeeded) and administrative changes (opinion phrases, route
templates, the organisation chart with old → new values, groups). Each test asserts the event row (action,
actor, details, address and browser) and that `verify_audit` still finds the chain intact. Both engines."""

from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from memos.models import Memo
from org.demo import DEMO_PASSWORD
from org.models import Person, Position
from org.services import org_object_save
from tests.builders import SUBJECT, active_step, draft_memo, pdf_bytes, submitted_memo
from workflow import services
from workflow.models import OpinionPhrase, RouteStep, RouteTemplate, StepState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0 (audit test)"


def verify_audit_exit_code() -> int:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def last(action: str, **filters: Any) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action, **filters).order_by("-sequence").first()
    assert event is not None, f"no {action} event"
    return event


# Views and downloads of a memo's files ----------------------------------------------------------------------


@pytest.fixture
def memo_with_files(demo_org, person, render_pdfs) -> Memo:
    writer = person("rujapa")
    memo = draft_memo()
    services.enclosure_add(
        memo=memo,
        actor=writer,
        title="ใบเสนอราคา",
        upload=SimpleUploadedFile("quote.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    render_pdfs()
    return memo


def test_each_download_of_the_pdf_or_an_enclosure_is_one_event_with_its_sha256(
    memo_with_files, person, api_as
) -> None:
    memo = memo_with_files
    client = Client(HTTP_USER_AGENT=AGENT)
    client.force_login(person("rujapa"))
    before = AuditEvent.objects.filter(action="memo.downloaded").count()

    pdf = client.get(reverse("api-memo-pdf", args=[memo.pk]))
    assert pdf.status_code == 200
    event = last("memo.downloaded")
    assert (event.object_id, event.actor, event.ip_address, event.user_agent) == (
        str(memo.pk),
        person("rujapa"),
        "127.0.0.1",
        AGENT,
    )
    assert event.data["document"] == "pdf"
    assert event.data["sha256"] == memo.rendered_pdf.sha256

    enclosure = memo.enclosures.get()
    auditor = api_as("auditor")
    response = auditor.get(reverse("api-memo-attachment", args=[memo.pk, enclosure.pk]))
    assert response.status_code == 200
    event = last("memo.downloaded")
    assert event.actor == person("auditor")
    assert event.data | {} == {
        "document": "enclosure",
        "sha256": enclosure.sha256,
        "file_name": "quote.pdf",
        "enclosure": str(enclosure.pk),
        "order": enclosure.order,
    }
    assert AuditEvent.objects.filter(action="memo.downloaded").count() == before + 2
    assert verify_audit_exit_code() == 0


def test_head_sends_no_file_and_records_nothing_nor_does_a_refusal(memo_with_files, person, client) -> None:
    memo = memo_with_files
    client.force_login(person("rujapa"))
    before = AuditEvent.objects.filter(action="memo.downloaded").count()
    assert client.head(reverse("api-memo-pdf", args=[memo.pk])).status_code == 200
    client.get(reverse("memo-pdf-panel", args=[memo.pk]))  # the panel frames the PDF: not itself a download
    assert AuditEvent.objects.filter(action="memo.downloaded").count() == before


def test_someone_who_may_not_see_the_memo_gets_404_and_no_event(memo_with_files, person) -> None:
    memo = memo_with_files
    nobody = Person.objects.create_user(username="stranger", password=DEMO_PASSWORD)
    client = Client()
    client.force_login(nobody)
    before = AuditEvent.objects.filter(action="memo.downloaded").count()
    assert client.get(reverse("api-memo-pdf", args=[memo.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="memo.downloaded").count() == before


# Signing refused ---------------------------------------------------------------------------------------------


def test_a_wrong_signing_password_is_recorded_though_the_step_is_unchanged(demo_org, person) -> None:
    memo = submitted_memo()
    step = active_step(memo)
    client = Client(HTTP_USER_AGENT=AGENT)
    client.force_login(person("ratchawari"))
    response = client.post(
        reverse("memo-page", args=[memo.pk]),
        {"action": "approve", "approve-password": "wrong", "approve-opinion": "เห็นควรอนุมัติ"},
    )
    assert response.status_code == 200  # the page again, the error by the password
    step.refresh_from_db()
    assert (step.state, step.signature_id) == (StepState.ACTIVE, None)
    event = last("signing.failed")
    assert event.object_id == str(memo.pk)
    assert event.actor == person("ratchawari")
    assert (event.ip_address, event.user_agent) == ("127.0.0.1", AGENT)
    assert event.data == {
        "attempt": "approve",
        "code": "bad_password",
        "step": 1,
        "round": 1,
        "role": "cosign",
    }
    assert not AuditEvent.objects.filter(action="step.approved", object_id=str(memo.pk)).exists()
    assert verify_audit_exit_code() == 0


def test_an_opinion_too_long_and_a_wrong_submit_password_are_recorded(demo_org, person, api_as) -> None:
    memo = submitted_memo()
    services.step_approve(step=active_step(memo), actor=person("ratchawari"), password=DEMO_PASSWORD)
    step = active_step(memo)
    api = api_as("nat")
    response = api.post(
        f"/api/v1/tasks/{step.pk}/approve/",
        {"password": DEMO_PASSWORD, "opinion": "ก" * (services.MAX_OPINION + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert RouteStep.objects.get(pk=step.pk).state == StepState.ACTIVE
    event = last("signing.failed")
    assert (event.actor, event.data["code"], event.data["fields"], event.data["step"]) == (
        person("nat"),
        "invalid",
        ["opinion"],
        2,
    )

    draft = draft_memo(subject=SUBJECT + " ฉบับที่สอง")
    writer = api_as("rujapa")
    assert (
        writer.post(f"/api/v1/memos/{draft.pk}/submit/", {"password": "wrong"}, format="json").status_code
        == 403
    )
    event = last("signing.failed", object_id=str(draft.pk))
    assert (event.actor, event.data) == (person("rujapa"), {"attempt": "submit", "code": "bad_password"})
    assert Memo.objects.get(pk=draft.pk).status == "draft"
    assert verify_audit_exit_code() == 0


# Sign-in attempts --------------------------------------------------------------------------------------------


def test_web_sign_in_failed_then_succeeded_is_recorded_without_the_password(demo_org, person) -> None:
    client = Client(HTTP_USER_AGENT=AGENT)
    response = client.post(reverse("login"), {"username": "rujapa", "password": "not-her-password"})
    assert response.status_code == 200  # the form again: not signed in
    failed = last("auth.sign_in_failed")
    assert failed.actor is None
    assert (failed.object_id, failed.data) == (str(person("rujapa").pk), {"username": "rujapa", "via": "web"})
    assert (failed.ip_address, failed.user_agent) == ("127.0.0.1", AGENT)
    assert "not-her-password" not in str(AuditEvent.objects.values_list("data", flat=True))

    response = client.post(reverse("login"), {"username": "rujapa", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    signed_in = last("auth.signed_in")
    assert (signed_in.actor, signed_in.data) == (person("rujapa"), {"username": "rujapa", "via": "web"})
    assert verify_audit_exit_code() == 0


def test_an_unknown_username_is_recorded_as_tried(demo_org) -> None:
    Client().post(reverse("login"), {"username": "nosuchuser", "password": "x"})
    event = last("auth.sign_in_failed")
    assert (event.object_type, event.object_id, event.data["username"]) == ("org.person", "", "nosuchuser")


def test_api_token_and_admin_sign_ins_are_recorded(demo_org, person) -> None:
    api = APIClient()
    assert (
        api.post("/api/v1/auth/token/", {"username": "nat", "password": "x"}, format="json").status_code
        == 400
    )
    assert last("auth.sign_in_failed").data == {"username": "nat", "via": "api"}
    assert (
        api.post(
            "/api/v1/auth/token/", {"username": "nat", "password": DEMO_PASSWORD}, format="json"
        ).status_code
        == 200
    )
    event = last("auth.signed_in")
    assert (event.actor, event.data["via"]) == (person("nat"), "api")

    admin = Client()
    admin.post("/admin/login/", {"username": "admin", "password": "x", "next": "/admin/"})
    assert last("auth.sign_in_failed").data == {"username": "admin", "via": "admin"}
    assert (
        admin.post(
            "/admin/login/", {"username": "admin", "password": DEMO_PASSWORD, "next": "/admin/"}
        ).status_code
        == 302
    )
    assert last("auth.signed_in").data == {"username": "admin", "via": "admin"}
    assert verify_audit_exit_code() == 0


def test_the_attempt_that_reaches_the_limit_and_those_during_the_lockout_are_locked_out(demo_org) -> None:
    client = Client()
    limit = int(django_settings.AXES_FAILURE_LIMIT)
    for _ in range(limit - 1):
        client.post(reverse("login"), {"username": "yutthana", "password": "wrong"})
    assert (
        AuditEvent.objects.filter(action="auth.sign_in_failed", data__username="yutthana").count()
        == limit - 1
    )
    assert not AuditEvent.objects.filter(action="auth.locked_out").exists()
    client.post(reverse("login"), {"username": "yutthana", "password": "wrong"})
    assert (
        client.post(reverse("login"), {"username": "yutthana", "password": DEMO_PASSWORD}).status_code == 429
    )
    locked = AuditEvent.objects.filter(action="auth.locked_out", data__username="yutthana")
    assert locked.count() == 1  # the attempt that locked the account
    # a script hammering the locked account writes no more events (each holds the audit chain's head)
    for _ in range(20):
        client.post(reverse("login"), {"username": "yutthana", "password": "wrong"})
    assert locked.count() == 1
    assert (
        AuditEvent.objects.filter(action="auth.sign_in_failed", data__username="yutthana").count()
        == limit - 1
    )
    assert not AuditEvent.objects.filter(action="auth.signed_in", data__username="yutthana").exists()


def test_a_test_clients_login_and_the_signing_password_are_not_sign_ins(demo_org, person) -> None:
    Client().force_login(person("rujapa"))
    assert not AuditEvent.objects.filter(action__startswith="auth.").exists()


# Administrative changes ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(demo_org, person) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="th", HTTP_USER_AGENT=AGENT)
    client.force_login(person("admin"))
    return client


def test_opinion_phrases_added_changed_and_removed_in_the_admin_are_recorded(
    admin_client, demo_org, person
) -> None:
    form = {
        "organisation": str(demo_org.pk),
        "role": "opinion",
        "text": "เห็นควรให้ความร่วมมือ",
        "sort_order": "7",
    }
    assert admin_client.post("/admin/workflow/opinionphrase/add/", form).status_code == 302
    phrase = OpinionPhrase.objects.get(text="เห็นควรให้ความร่วมมือ")
    created = last("opinion_phrase.created")
    assert (created.actor, created.object_id, created.data["text"]) == (
        person("admin"),
        str(phrase.pk),
        phrase.text,
    )
    assert (created.ip_address, created.user_agent) == ("127.0.0.1", AGENT)

    form |= {"text": "เห็นควรให้ความร่วมมืออย่างเต็มที่", "sort_order": "2"}
    assert admin_client.post(f"/admin/workflow/opinionphrase/{phrase.pk}/change/", form).status_code == 302
    changed = last("opinion_phrase.changed")
    assert changed.data["changed"] == {
        "text": ["เห็นควรให้ความร่วมมือ", "เห็นควรให้ความร่วมมืออย่างเต็มที่"],
        "sort_order": [7, 2],
    }

    response = admin_client.post(f"/admin/workflow/opinionphrase/{phrase.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not OpinionPhrase.objects.filter(pk=phrase.pk).exists()
    deleted = last("opinion_phrase.deleted")
    assert (deleted.object_id, deleted.data["text"]) == (str(phrase.pk), "เห็นควรให้ความร่วมมืออย่างเต็มที่")
    assert verify_audit_exit_code() == 0


def test_removing_route_templates_with_the_list_action_records_each(admin_client, demo_org, position) -> None:
    template = services.route_template_save(
        organisation=demo_org,
        name="เส้นทางทดลอง",
        steps=[("decision", "position", position("นายกองค์การบริหารส่วนตำบลหนองโสน"))],
    )
    response = admin_client.post(
        "/admin/workflow/routetemplate/",
        {"action": "delete_selected", "_selected_action": [str(template.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert not RouteTemplate.objects.filter(pk=template.pk).exists()
    event = last("route_template.deleted")
    assert (event.object_id, event.data["name"], event.data["steps"][0]["role"]) == (
        str(template.pk),
        "เส้นทางทดลอง",
        "decision",
    )
    assert verify_audit_exit_code() == 0


def test_a_chart_change_records_each_changed_field_old_and_new(demo_org, person, position) -> None:
    post = Position.objects.get(pk=position("หัวหน้าสำนักปลัด").pk)
    old_title = post.title
    post.title = "หัวหน้าสำนักปลัดองค์การบริหารส่วนตำบล"
    org_object_save(obj=post, actor=person("admin"))
    event = last("position.changed")
    assert event.data["changed"] == {"title": [old_title, "หัวหน้าสำนักปลัดองค์การบริหารส่วนตำบล"]}


def test_a_groups_permissions_changed_in_the_admin_are_recorded(admin_client, demo_org) -> None:
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.get(name__contains="auditor")
    kept = list(group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="view_memo")
    response = admin_client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": [*kept, extra.pk]}
    )
    assert response.status_code == 302
    event = last("group.changed")
    assert "memos.view_memo" in event.data["permissions"]
    assert list(event.data["changed"]) == ["permissions"]
    assert verify_audit_exit_code() == 0


def test_a_memos_history_shows_downloads_and_refused_signing_to_auditors_only(
    memo_with_files, person, api_as
) -> None:
    memo = memo_with_files
    auditor = api_as("auditor")
    auditor.get(reverse("api-memo-pdf", args=[memo.pk]))
    url = f"/api/v1/memos/{memo.pk}/history/"
    assert "memo.downloaded" in [e["action"] for e in auditor.get(url).json()["events"]]
    writer_sees = [e["action"] for e in api_as("rujapa").get(url).json()["events"]]
    assert "memo.created" in writer_sees
    assert "memo.downloaded" not in writer_sees


def test_an_acting_appointment_change_records_old_and_new(demo_org, person) -> None:
    from org.models import ActingAppointment
    from org.services import acting_appointment_update

    appointment = ActingAppointment.objects.order_by("valid_from").first()
    assert appointment is not None
    old_reference = appointment.order_reference
    acting_appointment_update(
        appointment=appointment, actor=person("admin"), order_reference="คำสั่ง อบต. ที่ 99/2569"
    )
    event = last("acting_appointment.changed")
    assert event.data["changed"] == {"order_reference": [old_reference, "คำสั่ง อบต. ที่ 99/2569"]}
    assert event.actor == person("admin")


def test_the_admin_login_with_the_right_password_of_a_non_staff_account_is_a_failed_sign_in(demo_org) -> None:
    response = Client().post(
        "/admin/login/", {"username": "nat", "password": DEMO_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200  # the form again
    event = last("auth.sign_in_failed")
    assert event.data == {"username": "nat", "via": "admin", "reason": "not_staff"}
    assert not AuditEvent.objects.filter(action="auth.signed_in").exists()
