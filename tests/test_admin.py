"""The Django admin is in Thai and shows the organisation chart; route templates are validated on save."""

import re
from datetime import date

import pytest
from django.test import Client

from workflow.models import RouteTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_th(demo_org, person):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("admin"))
    return client


def test_admin_index_is_thai(admin_client_th):
    page = admin_client_th.get("/admin/").content.decode()
    assert "โครงสร้างส่วนราชการ" in page
    assert "คำสั่งรักษาการ" in page
    assert "ตำแหน่ง" in page


def test_admin_lists_the_organisation_and_the_vacant_head(admin_client_th):
    organisations = admin_client_th.get("/admin/org/organisation/").content.decode()
    assert "องค์การบริหารส่วนตำบลหนองโสน" in organisations
    positions = admin_client_th.get("/admin/org/position/?q=หัวหน้าสำนักปลัด").content.decode()
    assert "(ว่าง)" in positions
    acting = admin_client_th.get("/admin/org/actingappointment/").content.decode()
    assert "รักษาการแทน" in acting


def test_a_route_template_without_a_final_decision_is_refused(admin_client_th, demo_org, position):
    palat = position("ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    form = {
        "organisation": str(demo_org.pk),
        "name": "เส้นทางทดลอง",
        "unit": "",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-order": "1",
        "steps-0-role": "opinion",
        "steps-0-slot": "position",
        "steps-0-position": str(palat.pk),
    }
    response = admin_client_th.post("/admin/workflow/routetemplate/add/", form)
    assert response.status_code == 200
    assert "ต้องมีขั้นตอนสั่งการ" in response.content.decode()
    assert not RouteTemplate.objects.exists()

    form["steps-0-role"] = "decision"
    response = admin_client_th.post("/admin/workflow/routetemplate/add/", form)
    assert response.status_code == 302
    template = RouteTemplate.objects.get()
    assert [(s.role, s.position.title) for s in template.steps.all()] == [
        ("decision", "ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    ]


def test_opinion_phrases_are_edited_in_the_admin_and_offered_on_the_memo_page(
    admin_client_th, demo_org, person
):
    from django.test import Client

    from tests.builders import submitted_memo
    from workflow.models import OpinionPhrase

    response = admin_client_th.post(
        "/admin/workflow/opinionphrase/add/",
        {
            "organisation": str(demo_org.pk),
            "role": "cosign",
            "text": "เห็นควรมอบกองคลังพิจารณา",
            "sort_order": "1",
        },
    )
    assert response.status_code == 302
    assert OpinionPhrase.objects.get().text == "เห็นควรมอบกองคลังพิจารณา"

    memo = submitted_memo(subject="ขอความเห็น", body="ย่อหน้า")
    signer = Client(HTTP_ACCEPT_LANGUAGE="th")
    signer.force_login(person("ratchawari"))
    page = signer.get(f"/memos/{memo.pk}/").content.decode()
    assert "เห็นควรมอบกองคลังพิจารณา" in page
    assert "ตรวจสอบแล้ว" not in page  # the organisation's own list replaces the co-signer's defaults


# Reassigning a step from the admin (issue 11) ------------------------------------------------------------------

THAI = re.compile(r"[\u0e00-\u0e7f]")


def reassign_url(memo) -> str:
    return f"/admin/memos/memo/{memo.pk}/reassign/"


def offered(page: str) -> list[str]:
    """The people the chooser offers (their option values)."""
    select = page.split('name="assignee"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


@pytest.fixture
def clerk(demo_org):
    """A staff account that may look at memos in the admin, but is no administrator."""
    from django.contrib.auth.models import Permission

    from org.models import Person

    person = Person.objects.create_user(username="clerk", password="x", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_memo"))
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person)
    return client


def test_the_memo_admin_page_offers_reassigning_the_waiting_step(admin_client_th, media_root):
    from tests.builders import completed_memo, in_review_memo

    waiting = in_review_memo(2)
    page = admin_client_th.get(f"/admin/memos/memo/{waiting.pk}/change/").content.decode()
    assert reassign_url(waiting) in page
    assert "มอบหมายขั้นตอนใหม่" in page
    done = completed_memo()
    page = admin_client_th.get(f"/admin/memos/memo/{done.pk}/change/").content.decode()
    assert reassign_url(done) not in page  # nothing can be reassigned: not offered
    page = admin_client_th.get(reassign_url(done)).content.decode()
    assert 'name="assignee"' not in page
    assert "ไม่มีขั้นตอนที่รอลงนาม" in page


def test_an_administrator_gives_the_waiting_step_to_someone_else(admin_client_th, person, media_root):
    from core.models import AuditEvent
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(2)  # waits for nat (ปลัด)
    page = admin_client_th.get(reassign_url(memo)).content.decode()
    assert "ปลัดองค์การบริหารส่วนตำบลหนองโสน" in page
    assert person("nat").full_name in page
    finance_head = person("finance_head")
    assert str(finance_head.pk) in offered(page)
    response = admin_client_th.post(
        reassign_url(memo),
        {
            "step": str(active_step(memo).pk),
            "assignee": str(finance_head.pk),
            "capacity": "ปฏิบัติราชการแทน",
            "reason": "ปลัดลาพักผ่อน",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/admin/memos/memo/{memo.pk}/change/"
    assert "ขั้นที่ ๒ (ปลัดองค์การบริหารส่วนตำบลหนองโสน) รอ นางสาวกัลยา ศรีสวัสดิ์ ลงนามแล้ว" in (response.content.decode())
    step = active_step(memo)
    assert step.assignee == finance_head
    assert step.capacity == "ปฏิบัติราชการแทน"
    moved = StepReassignment.objects.get(step=step)
    assert (moved.previous_assignee, moved.new_assignee, moved.reason) == (
        person("nat"),
        finance_head,
        "ปลัดลาพักผ่อน",
    )
    assert AuditEvent.objects.filter(action="step.reassigned", object_id=str(memo.pk)).count() == 1
    assert "ปลัดลาพักผ่อน" in admin_client_th.get(f"/memos/{memo.pk}/").content.decode()


def test_only_people_the_service_accepts_are_offered(admin_client_th, person, media_root):
    from core.errors import ValidationFailed
    from org.models import Person
    from tests.builders import active_step, in_review_memo
    from workflow.services.reassignment import _check_assignee

    memo = in_review_memo(2)  # rujapa wrote it, ratchawari signed step 1, nat has step 2
    step = active_step(memo)
    ids = set(offered(admin_client_th.get(reassign_url(memo)).content.decode()))
    accepted = set()
    for candidate in Person.objects.filter(is_active=True):
        try:
            _check_assignee(step=step, memo=memo, assignee=candidate)
        except ValidationFailed:
            continue
        accepted.add(str(candidate.pk))
    accepted.discard(str(person("nat").pk))  # the person it is with already
    assert ids == accepted
    for username in ("rujapa", "ratchawari", "auditor", "admin", "nat"):
        assert str(person(username).pk) not in ids, username
    assert str(person("works_staff").pk) in ids


def test_the_reason_is_required(admin_client_th, person, media_root):
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(1)
    step = active_step(memo)
    response = admin_client_th.post(
        reassign_url(memo), {"step": str(step.pk), "assignee": str(person("works_head").pk), "reason": "  "}
    )
    assert response.status_code == 200
    assert "กรุณาระบุเหตุผลที่มอบหมายขั้นตอนใหม่" in response.content.decode()
    assert active_step(memo).assignee == step.assignee
    assert not StepReassignment.objects.exists()


def test_someone_who_may_not_sign_is_refused_with_the_services_reason(admin_client_th, person, media_root):
    """A forged choice (or one that stopped being eligible since the page was shown) reaches the service."""
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(2)
    step = active_step(memo)
    for username, said in (
        ("rujapa", "ผู้เขียนบันทึก"),
        ("ratchawari", "ลงนามในรอบนี้แล้ว"),
    ):
        response = admin_client_th.post(
            reassign_url(memo),
            {"step": str(step.pk), "assignee": str(person(username).pk), "reason": "ทดสอบ"},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert said in page, username
        assert 'name="assignee"' in page  # the form is still there, with what was typed
        assert "ทดสอบ" in page
    assert active_step(memo).assignee == person("nat")
    assert not StepReassignment.objects.exists()


def test_a_step_signed_meanwhile_is_refused_with_the_services_message(admin_client_th, person, media_root):
    from tests.builders import active_step, approve_active, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(1)
    step = active_step(memo)
    admin_client_th.get(reassign_url(memo))
    approve_active(memo)  # ratchawari signs while the administrator is choosing
    response = admin_client_th.post(
        reassign_url(memo), {"step": str(step.pk), "assignee": str(person("works_head").pk), "reason": "ลา"}
    )
    assert response.status_code == 200
    assert "มอบหมายใหม่ได้เฉพาะขั้นตอนที่รอดำเนินการ" in response.content.decode()
    assert not StepReassignment.objects.exists()


def test_staff_who_are_not_administrators_cannot_reassign(clerk, person, media_root):
    from tests.builders import active_step, in_review_memo
    from workflow.models import StepReassignment

    memo = in_review_memo(1)
    step = active_step(memo)
    page = clerk.get(f"/admin/memos/memo/{memo.pk}/change/")
    assert page.status_code == 200  # they may look at it
    assert reassign_url(memo) not in page.content.decode()
    assert clerk.get(reassign_url(memo)).status_code == 403
    response = clerk.post(
        reassign_url(memo), {"step": str(step.pk), "assignee": str(person("works_head").pk), "reason": "ลา"}
    )
    assert response.status_code == 403
    assert active_step(memo).assignee == step.assignee
    assert not StepReassignment.objects.exists()


# Acting appointments: Buddhist-era dates, typed and shown ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2/12/2569", date(2026, 12, 2)),
        ("๒/๑๒/๒๕๖๙", date(2026, 12, 2)),
        ("02-12-2569", date(2026, 12, 2)),
        ("2 ธ.ค. 2569", date(2026, 12, 2)),
        ("๒ ธ.ค. ๒๕๖๙", date(2026, 12, 2)),
        ("2 ธันวาคม พ.ศ. 2569", date(2026, 12, 2)),
        ("2ธค2569", date(2026, 12, 2)),
        ("2/12/2026", date(2026, 12, 2)),
        ("2 Dec 2026", date(2026, 12, 2)),
        ("2026-12-02", date(2026, 12, 2)),
        ("29/2/2567", date(2024, 2, 29)),
    ],
)
def test_dates_are_read_as_they_are_typed_here(typed, meant):
    from core.admin import parse_local_date

    assert parse_local_date(typed) == meant


@pytest.mark.parametrize("typed", ["31/2/2569", "2 ธค", "2/12", "12/2569", "2 Decembre 2026", "tomorrow"])
def test_what_is_not_a_date_is_not_read_as_one(typed):
    from core.admin import parse_local_date

    assert parse_local_date(typed) is None


def appointment_form(position, person, **fields):
    return {
        "position": str(position.pk),
        "person": str(person.pk),
        "capacity": "ปฏิบัติราชการแทน",
        "valid_from": "",
        "valid_to": "",
        "order_reference": "คำสั่ง ๕/๒๕๖๙",
        **fields,
    }


def test_acting_appointments_are_listed_with_buddhist_era_dates(admin_client_th):
    page = admin_client_th.get("/admin/org/actingappointment/").content.decode()
    assert "๑ ต.ค. ๒๕๖๖" in page  # the demo appointment, from 1 October 2023
    assert "จนกว่าจะมีคำสั่งยกเลิก" in page  # no last day
    assert "2023" not in page
    assert "ตุลาคม 2023" not in page


def test_an_acting_appointment_is_made_with_dates_typed_in_the_buddhist_era(
    admin_client_th, person, position
):
    from org.models import ActingAppointment

    palat = position("ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    form = appointment_form(palat, person("finance_head"), valid_from="๒/๑๒/๒๕๖๙", valid_to="15 ธ.ค. 2569")
    response = admin_client_th.post("/admin/org/actingappointment/add/", form)
    assert response.status_code == 302
    made = ActingAppointment.objects.get(position=palat)
    assert (made.valid_from, made.valid_to) == (date(2026, 12, 2), date(2026, 12, 15))
    page = admin_client_th.get(f"/admin/org/actingappointment/{made.pk}/change/").content.decode()
    assert 'value="๒ ธ.ค. ๒๕๖๙"' in page
    assert 'value="๑๕ ธ.ค. ๒๕๖๙"' in page
    assert "วัน/เดือน/ปี พ.ศ." in page  # the hint says how to type a date
    assert "vDateField" not in page  # no Gregorian calendar pop-up

    # Saved again as shown: nothing changes, nothing is refused.
    form = appointment_form(palat, person("finance_head"), valid_from="๒ ธ.ค. ๒๕๖๙", valid_to="๑๕ ธ.ค. ๒๕๖๙")
    assert admin_client_th.post(f"/admin/org/actingappointment/{made.pk}/change/", form).status_code == 302
    made.refresh_from_db()
    assert (made.valid_from, made.valid_to) == (date(2026, 12, 2), date(2026, 12, 15))


def test_a_date_that_does_not_exist_is_refused_in_thai(admin_client_th, person, position):
    from org.models import ActingAppointment

    palat = position("ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    form = appointment_form(palat, person("finance_head"), valid_from="31/2/2569")
    response = admin_client_th.post("/admin/org/actingappointment/add/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "กรุณากรอกวันที่เป็น วัน/เดือน/ปี พ.ศ. เช่น" in page
    assert 'value="31/2/2569"' in page  # what was typed stays, to be corrected
    assert not ActingAppointment.objects.filter(position=palat).exists()


def test_the_admin_index_says_none_not_busy(admin_client_th):
    page = admin_client_th.get("/admin/").content.decode()
    assert "ไม่ว่าง" not in page  # Django's Thai for "None available" reads "busy"
    assert "<p>ไม่มี</p>" in page


# The audit log in words -------------------------------------------------------------------------------------


def test_the_audit_log_shows_events_in_words_with_their_code_and_buddhist_era_dates(
    admin_client_th, media_root
):
    from core.models import AuditEvent
    from core.thai import format_date_short
    from tests.builders import submitted_memo

    memo = submitted_memo()
    event = AuditEvent.objects.get(action="memo.submitted", object_id=str(memo.pk))
    page = admin_client_th.get("/admin/core/auditevent/").content.decode()
    assert "ลงนามและเสนอบันทึก" in page
    assert "memo.submitted" in page  # the code is still there, small
    assert f'<a href="/admin/memos/memo/{memo.pk}/change/">บันทึกข้อความ</a>' in page  # what it happened to
    assert format_date_short(event.at) in page
    assert f" {event.at.year} " not in page
    filtered = admin_client_th.get("/admin/core/auditevent/?action=memo.submitted").content.decode()
    assert "ลงนามและเสนอบันทึก" in filtered
    assert "สร้างบัญชีผู้ใช้" not in filtered.split('id="result_list"')[1]
    detail = admin_client_th.get(f"/admin/core/auditevent/{event.pk}/change/").content.decode()
    assert "ลงนามและเสนอบันทึก" in detail
    assert format_date_short(event.at) in detail


def test_every_event_the_code_writes_has_words():
    """Each audit code a service (or the admin) writes, found in the source, has a label."""
    import ast
    from pathlib import Path

    from core.audit_labels import EVENT_LABELS
    from memos.archive import ARCHIVED_ACTION

    root = Path(__file__).resolve().parent.parent
    codes = {ARCHIVED_ACTION}
    codes |= {
        f"{model}.{verb}" for model in ("organisation", "unit", "position") for verb in ("created", "changed")
    }
    codes |= {"auth.signed_in", "auth.sign_in_failed", "auth.locked_out"}  # org.sign_in picks one of them
    for path in root.glob("*/**/*.py"):
        if {".venv", "node_modules", "tests", "migrations"} & set(path.relative_to(root).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            values = [node.args[0]] if name == "_audit" and node.args else []
            values += [
                k.value
                for k in node.keywords
                if k.arg == "action" and name in ("_audit", "audit_event_append")
            ]
            for value in values:
                for constant in ast.walk(value):
                    if isinstance(constant, ast.Constant) and re.fullmatch(
                        r"[a-z_]+\.[a-z_]+", str(constant.value)
                    ):
                        codes.add(constant.value)
    assert "step.reassigned" in codes
    assert "memo.submitted" in codes
    assert sorted(codes - set(EVENT_LABELS)) == []


# Only what can be done is offered --------------------------------------------------------------------------

READ_ONLY = [
    "core/auditevent",
    "workflow/stepreassignment",
    "memos/memo",
    "viewflow/process",
    "viewflow/task",
    "signatures/signingkey",
    "signatures/certificateauthority",
    "signatures/signedpdfupdate",
    "notifications/notification",
    "workflow/stepnotice",
]


@pytest.fixture
def history(admin_client_th, person, media_root):
    """One object of each kind of history: a memo whose step was reassigned (its process, tasks, signing keys
    and audit events with it)."""
    from tests.builders import active_step, in_review_memo
    from workflow import services

    memo = in_review_memo(2)
    services.step_reassign(
        step=active_step(memo), actor=person("admin"), assignee=person("works_head"), reason="ลา"
    )
    return memo


@pytest.mark.parametrize("model", READ_ONLY)
def test_history_offers_no_add_change_or_delete(admin_client_th, history, model):
    from django.apps import apps
    from django.contrib import admin as django_admin

    app_label, model_name = model.split("/")
    klass = apps.get_model(app_label, model_name)
    listing = admin_client_th.get(f"/admin/{model}/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert f"/admin/{model}/add/" not in page
    assert "delete_selected" not in page
    assert admin_client_th.get(f"/admin/{model}/add/").status_code == 403
    assert admin_client_th.post(f"/admin/{model}/add/", {}).status_code == 403
    obj = klass._default_manager.first()
    if obj is None:  # signedpdfupdate: none without PDF signing; the permissions say it all
        model_admin = django_admin.site._registry[klass]
        request = listing.wsgi_request
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_delete_permission(request)
        return
    change = admin_client_th.get(f"/admin/{model}/{obj.pk}/change/").content.decode()
    assert f"/admin/{model}/{obj.pk}/delete/" not in change
    assert 'name="_save"' not in change
    assert admin_client_th.post(f"/admin/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client_th.post(
        f"/admin/{model}/", {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"}
    ).status_code in (200, 302)
    assert klass._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", ["org/person", "org/organisation", "org/unit", "org/position"])
def test_the_organisation_chart_is_changed_never_deleted(admin_client_th, model):
    from django.apps import apps

    app_label, model_name = model.split("/")
    klass = apps.get_model(app_label, model_name)
    obj = klass._default_manager.order_by("pk").last()
    change = admin_client_th.get(f"/admin/{model}/{obj.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' in change.content.decode()  # still edited here, through the service
    assert f"/admin/{model}/{obj.pk}/delete/" not in change.content.decode()
    assert "delete_selected" not in admin_client_th.get(f"/admin/{model}/").content.decode()
    assert admin_client_th.post(f"/admin/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client_th.post(
        f"/admin/{model}/", {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"}
    )
    assert klass._default_manager.filter(pk=obj.pk).exists()


# English mode ----------------------------------------------------------------------------------------------


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(text.replace("&#x27;", "'").split())


def test_in_english_the_administration_pages_have_no_thai_but_the_data(history, person):
    """Names, titles, the memo's subject and number, capacities and reasons are data and stay as written; every
    word of the pages around them is English. (Choice labels defined on the models are the models' business.)"""
    from django.utils import translation

    from memos.models import Memo
    from org.models import ActingAppointment, ActingCapacity, Organisation, Person, Position, Unit
    from workflow.models import StepRole

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person("admin"))
    memo = Memo.objects.get(pk=history.pk)
    data = [memo.subject, memo.number, "ลา"]
    data += [p.full_name for p in Person.objects.all()]
    data += [p.title for p in Position.objects.all()] + [u.name for u in Unit.objects.all()]
    data += [o.name for o in Organisation.objects.all()]
    data += [a.order_reference for a in ActingAppointment.objects.all()] + list(ActingCapacity.values)
    data += [*memo.body.splitlines(), memo.unit.full_name, memo.organisation.document_code]
    data += [memo.department, str(memo.register), str(memo.process)]
    with translation.override("en"):  # the models' own labels: theirs to translate
        data += [str(label) for label in (*ActingCapacity.labels, *StepRole.labels)]
        for field in Memo._meta.fields:
            data.append(str(field.verbose_name))
            data += [str(label) for _value, label in field.flatchoices]
        # An example of what to type where the text is Thai (an order's reference, "คำสั่ง ๔/๒๕๖๖").
        data.append(str(ActingAppointment._meta.get_field("order_reference").help_text))
    data = [value for value in data if THAI.search(value)]
    pages = {
        "reassign": f"/admin/memos/memo/{memo.pk}/reassign/",
        "memo": f"/admin/memos/memo/{memo.pk}/change/",
        "acting list": "/admin/org/actingappointment/",
        "acting form": "/admin/org/actingappointment/add/",
        "audit": "/admin/core/auditevent/",
        "reassignments": "/admin/workflow/stepreassignment/",
        "notifications": "/admin/notifications/notification/",
        "reminders": "/admin/workflow/stepnotice/",
        "index": "/admin/",
    }
    for name, url in pages.items():
        text = visible_text(client.get(url).content.decode())
        for value in sorted(data, key=len, reverse=True):
            text = re.sub(re.escape(value), " ", text, flags=re.IGNORECASE)
        assert not THAI.findall(text), f"{name}: {THAI.sub(lambda m: f'[{m.group()}]', text)[:3000]}"
    acting = client.get("/admin/org/actingappointment/").content.decode()
    assert "1 Oct 2023" in acting
    assert "until revoked" in acting
    form = client.get("/admin/org/actingappointment/add/").content.decode()
    assert "Day/month/year, for example" in form
    audit = client.get("/admin/core/auditevent/").content.decode()
    assert "Step reassigned by an administrator" in audit


def test_in_thai_django_admins_own_words_are_thai_too(history, admin_client_th):
    """Django's Thai catalogue predates its newer words (the skip link, the theme switch, the filters'
    counts, the sidebar's filter); memoflow's catalogue has them, and the apps' names in the menu."""
    untranslated = [
        "Skip to main content",
        "Toggle theme",
        "Model name",
        "Show counts",
        "Start typing to filter",
        "Access attempts",
        "Task Results",
        "Process list",
        "was added successfully",
    ]
    for url in (
        "/admin/",
        "/admin/core/auditevent/",
        "/admin/org/actingappointment/",
        f"/admin/memos/memo/{history.pk}/reassign/",
    ):
        text = visible_text(admin_client_th.get(url).content.decode())
        assert [words for words in untranslated if words in text] == [], url
    page = admin_client_th.get("/admin/core/auditevent/").content.decode()
    assert "ข้ามไปยังเนื้อหาหลัก" in page
    assert "แสดงจำนวน" in page


def test_a_step_with_nobody_to_sign_it_is_found_and_given_to_someone(admin_client_th, person, media_root):
    """A vacancy: the acting appointment for หัวหน้าสำนักปลัด has ended, so step 1 waits for an administrator."""
    from org import services as org_services
    from org.models import ActingAppointment
    from tests.builders import active_step, in_review_memo, submitted_memo

    other = in_review_memo(2, subject="ขอจัดซื้อกระดาษ")  # signed at step 1 before the vacancy: nothing waits
    appointment = ActingAppointment.objects.get(position__title="หัวหน้าสำนักปลัด")
    org_services.acting_appointment_update(appointment=appointment, valid_to=date(2024, 1, 1))
    memo = submitted_memo(subject="ขอซ่อมหลังคา")
    listing = admin_client_th.get("/admin/memos/memo/?unassigned=yes").content.decode()
    assert "ขอซ่อมหลังคา" in listing
    assert "ขอจัดซื้อกระดาษ" not in listing
    assert other.subject in admin_client_th.get("/admin/memos/memo/").content.decode()

    page = admin_client_th.get(reassign_url(memo)).content.decode()
    assert "ยังไม่มีผู้ลงนาม รอผู้ดูแลระบบมอบหมาย" in page
    assert str(person("ratchawari").pk) in offered(page)  # she still holds her own position
    response = admin_client_th.post(
        reassign_url(memo),
        {
            "step": str(active_step(memo).pk),
            "assignee": str(person("ratchawari").pk),
            "capacity": "รักษาการแทน",
            "reason": "คำสั่งรักษาการฉบับใหม่",
        },
    )
    assert response.status_code == 302
    step = active_step(memo)
    assert (step.assignee, step.capacity) == (person("ratchawari"), "รักษาการแทน")
    assert "ขอซ่อมหลังคา" not in admin_client_th.get("/admin/memos/memo/?unassigned=yes").content.decode()


def test_a_persons_dates_are_shown_in_the_buddhist_era_and_cannot_be_typed_over(admin_client_th, person):
    from core.thai import format_date_short

    nat = person("nat")
    page = admin_client_th.get(f"/admin/org/person/{nat.pk}/change/").content.decode()
    assert format_date_short(nat.date_joined) in page
    assert 'name="date_joined' not in page  # when the account was made is history, not an input
    last_login = page.split("field-last_login", 1)[1].split("form-row", 1)[0]
    assert '<div class="readonly">—</div>' in last_login  # never signed in: a dash, not "-"


# The scheduled jobs' runs (issue 12) --------------------------------------------------------------------------


def test_the_scheduled_runs_are_listed_with_their_outcome_and_cannot_be_changed(admin_client_th):
    from datetime import UTC, datetime

    from django_tasks_db.models import DBTaskResult

    from core import schedule
    from core.models import ScheduledRun

    job = next(j for j in schedule.registered() if j.name == "audit_checkpoint")
    due = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    done = schedule.scheduled_run_claim(
        run=schedule.DueRun(job=job, period="2026-12-03", due=due), worker_id="worker-a"
    )
    failed = schedule.scheduled_run_claim(
        run=schedule.DueRun(job=job, period="2026-12-04", due=due), worker_id="worker-b"
    )
    assert done is not None
    assert failed is not None
    DBTaskResult.objects.filter(pk=str(done.task_result_id)).update(
        status="SUCCESSFUL", finished_at=datetime(2026, 12, 2, 18, 0, 5, tzinfo=UTC), return_value=5877828
    )
    DBTaskResult.objects.filter(pk=str(failed.task_result_id)).update(
        status="FAILED", exception_class_path="signatures.seal.NoSealConfigured"
    )

    page = admin_client_th.get("/admin/core/scheduledrun/").content.decode()
    assert "audit_checkpoint" in page
    assert "เสร็จแล้ว" in page
    assert "ไม่สำเร็จ" in page
    assert "๓ ธ.ค. ๒๕๖๙ ๐๑.๐๐ น." in page  # when the run finished, Bangkok time, Buddhist era
    detail = admin_client_th.get(f"/admin/core/scheduledrun/{failed.pk}/change/").content.decode()
    assert "signatures.seal.NoSealConfigured" in detail

    assert admin_client_th.get("/admin/core/scheduledrun/add/").status_code == 403
    response = admin_client_th.post(f"/admin/core/scheduledrun/{done.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ScheduledRun.objects.filter(pk=done.pk).exists()


def test_an_administrator_reads_who_was_told_what_in_thai(admin_client_th, history):
    """The notifications list answers "was I told?": the recipient, the kind in words and, on the row's page,
    the sentence they read; nothing can be changed."""
    from notifications.models import Kind, Notification

    told = Notification.objects.filter(memo=history, kind=Kind.STEP_WAITING).order_by("pk").first()
    assert told is not None
    listing = admin_client_th.get("/admin/notifications/notification/").content.decode()
    assert told.recipient.full_name in listing or told.recipient.username in listing
    assert "มีบันทึกข้อความรอท่าน" in listing  # the kind's Thai label
    detail = admin_client_th.get(f"/admin/notifications/notification/{told.pk}/change/").content.decode()
    assert "ข้อความที่แจ้ง" in detail
    assert "รอท่านลงนาม" in detail  # the sentence as the recipient read it
    assert 'name="_save"' not in detail
