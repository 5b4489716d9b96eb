"""Separation of duties (ADR 0005): nobody holds two steps of one round, the writer never signs a later step
of their own memo, and an administrator can only reassign a step to someone who may take it."""

from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from core.errors import ValidationFailed
from core.models import AuditEvent
from org import services as org_services
from org.demo import DEMO_PASSWORD
from org.models import Organisation, Position
from signatures.models import Signature
from workflow import demo, services
from workflow.models import DutyConflict, RouteStep, StepReassignment, StepRole, StepState

pytestmark = pytest.mark.django_db
PW = DEMO_PASSWORD


def active(memo) -> RouteStep:
    return RouteStep.objects.select_related("assignee", "position", "memo").get(memo=memo, state="active")


def draft_by(person, username: str):
    return services.memo_create(
        writer=person(username), subject="ขออนุมัติจัดอบรมบุคลากร", body="จึงเรียนมาเพื่อโปรดพิจารณา"
    )


def route(memo):
    return list(RouteStep.objects.filter(memo=memo, order__gt=0).order_by("round", "order"))


# The writer who is also the acting head (the demo data) ------------------------------------------------------


@pytest.mark.parametrize("with_template", [False, True], ids=["reports-to-chain", "demo-template"])
def test_the_acting_head_who_writes_never_cosigns_her_own_memo(person, demo_org, with_template):
    """ratchawari (นักทรัพยากรบุคคล) is รักษาการแทนหัวหน้าสำนักปลัด: her memo's co-sign step resolves to her."""
    if with_template:
        demo.load_route_template(demo_org)
    memo = draft_by(person, "ratchawari")
    assert route(memo)[0].position.title == "หัวหน้าสำนักปลัด"

    services.memo_submit(memo=memo, actor=person("ratchawari"), password=PW)

    head_step = route(memo)[0]
    assert (head_step.state, head_step.assignee, head_step.duty_conflict) == (
        StepState.SKIPPED,
        None,
        DutyConflict.WRITER,
    )
    step = active(memo)
    assert (step.position.title, step.assignee.username) == ("ปลัดองค์การบริหารส่วนตำบลหนองโสน", "nat")
    skipped = AuditEvent.objects.get(action="step.skipped", object_id=str(memo.pk))
    assert (skipped.data["person"], skipped.data["conflict"]) == ("ratchawari", "writer")

    services.step_approve(step=step, actor=person("nat"), password=PW, opinion="เห็นควรอนุมัติ")
    services.step_approve(step=active(memo), actor=person("yutthana"), password=PW, decision="approved")
    memo.refresh_from_db()
    assert memo.status == "completed"
    # She signed once, as the writer.
    assert list(
        Signature.objects.filter(memo=memo, signer__username="ratchawari").values_list(
            "step__order", flat=True
        )
    ) == [0]


def test_the_seed_memo_still_goes_to_the_acting_head_when_someone_else_writes(person, demo_org):
    demo.load_route_template(demo_org)
    memo = demo.load_seed_memo(demo_org)
    services.memo_submit(memo=memo, actor=person("rujapa"), password=PW)
    step = active(memo)
    assert (step.assignee.username, step.capacity, step.duty_conflict) == ("ratchawari", "รักษาการแทน", "")


def test_a_person_resolved_for_two_steps_of_a_round_signs_only_the_first(person, position):
    memo = draft_by(person, "rujapa")
    services.memo_route_set(
        memo=memo,
        actor=person("rujapa"),
        steps=[
            (position("หัวหน้าสำนักปลัด"), StepRole.COSIGN),  # ratchawari, acting
            (position("นักทรัพยากรบุคคล"), StepRole.OPINION),  # ratchawari, holder
            (position("นายกองค์การบริหารส่วนตำบลหนองโสน"), StepRole.DECISION),
        ],
    )
    services.memo_submit(memo=memo, actor=person("rujapa"), password=PW)
    services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)

    steps = route(memo)
    assert (steps[1].state, steps[1].duty_conflict, steps[1].assignee) == (
        StepState.SKIPPED,
        DutyConflict.SIGNED,
        None,
    )
    assert active(memo).assignee.username == "yutthana"
    assert Signature.objects.filter(memo=memo, signer__username="ratchawari").count() == 1


def test_a_decision_resolving_to_the_writer_waits_for_an_administrator(person, position):
    memo = draft_by(person, "ratchawari")
    services.memo_route_set(
        memo=memo,
        actor=person("ratchawari"),
        steps=[
            (position("ปลัดองค์การบริหารส่วนตำบลหนองโสน"), StepRole.OPINION),
            (position("หัวหน้าสำนักปลัด"), StepRole.DECISION),
        ],
    )
    services.memo_submit(memo=memo, actor=person("ratchawari"), password=PW)
    services.step_approve(step=active(memo), actor=person("nat"), password=PW, opinion="เห็นควร")
    decision = active(memo)
    assert decision.waiting_for_assignment
    assert decision.duty_conflict == DutyConflict.WRITER
    for refused in ("ratchawari", "nat"):  # the writer; someone who signed in this round
        with pytest.raises(ValidationFailed):
            services.step_reassign(
                step=decision, actor=person("admin"), assignee=person(refused), reason="แทน"
            )
    services.step_reassign(
        step=decision, actor=person("admin"), assignee=person("yutthana"), reason="คำสั่ง ๑/๒๕๖๗"
    )
    services.step_approve(step=active(memo), actor=person("yutthana"), password=PW, decision="approved")
    memo.refresh_from_db()
    assert memo.status == "completed"


# Route preview -----------------------------------------------------------------------------------------------


def test_the_write_page_warns_before_submit_that_a_step_will_be_skipped(person):
    memo = draft_by(person, "ratchawari")
    client = Client()
    client.force_login(person("ratchawari"))
    with translation.override("th"):
        page = client.get(f"/memos/{memo.pk}/edit/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert 'data-testid="route-warning"' in page
    assert "ผู้เขียนบันทึก" in page  # the reason, in Thai

    memo_page = client.get(f"/memos/{memo.pk}/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert 'data-testid="route-warning"' in memo_page  # next to "sign and submit" on the memo page too

    other = draft_by(person, "rujapa")
    client.force_login(person("rujapa"))
    assert 'data-testid="route-warning"' not in client.get(f"/memos/{other.pk}/edit/").content.decode()


def test_the_route_api_answers_the_warnings_with_the_saved_route(person, position, api_as):
    memo = draft_by(person, "ratchawari")
    body = [
        {"position_id": str(position("หัวหน้าสำนักปลัด").pk), "role": "cosign"},
        {"position_id": str(position("นายกองค์การบริหารส่วนตำบลหนองโสน").pk), "role": "decision"},
    ]
    response = api_as("ratchawari").put(f"/api/v1/memos/{memo.pk}/route/", body, format="json")
    assert response.status_code == 200, response.content
    warnings = response.json()["route_warnings"]
    assert warnings == [
        {
            "order": 1,
            "position": "หัวหน้าสำนักปลัด",
            "outcome": "skipped",
            "conflict": "writer",
            "detail": warnings[0]["detail"],
        }
    ]
    assert warnings[0]["detail"]


# Reassignment ------------------------------------------------------------------------------------------------


@pytest.fixture
def in_review(person):
    memo = draft_by(person, "rujapa")
    services.memo_submit(memo=memo, actor=person("rujapa"), password=PW)
    return memo


def _outsider(person, demo_org):
    """Someone holding a position in another organisation only."""
    other = Organisation(name="องค์การบริหารส่วนตำบลบ้านกุ่ม", short_name="อบต.บ้านกุ่ม", document_code="พบ ๗๐๐๑")
    org_services.org_object_save(obj=other)
    outsider = org_services.person_create(
        username="outsider", password=PW, title="นาย", first_name_th="สมชาย", last_name_th="ต่างถิ่น"
    )
    org_services.org_object_save(obj=Position(organisation=other, title="ปลัด อบต.บ้านกุ่ม", holder=outsider))
    vacant = Position(organisation=other, title="นายก อบต.บ้านกุ่ม")
    org_services.org_object_save(obj=vacant)
    org_services.acting_appointment_create(
        position=vacant, person=outsider, capacity="รักษาราชการแทน", valid_from=date(2024, 1, 1)
    )
    return outsider


def _nobody(person, demo_org):
    return org_services.person_create(
        username="nobody", password=PW, title="นาย", first_name_th="ไร้", last_name_th="ตำแหน่ง"
    )


REFUSALS = {
    "writer": (lambda person, org: person("rujapa"), "ผู้เขียน"),
    "no-position": (_nobody, "ไม่มีตำแหน่ง"),
    "other-organisation": (_outsider, "ไม่มีตำแหน่ง"),
    "auditor": (lambda person, org: person("auditor"), "ผู้ตรวจสอบ"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_reassignment_refuses_who_may_not_take_the_step(person, demo_org, in_review, case):
    make, thai_words = REFUSALS[case]
    assignee = make(person, demo_org)
    step = active(in_review)
    events = AuditEvent.objects.count()
    with translation.override("th"), pytest.raises(ValidationFailed) as refused:
        services.step_reassign(step=step, actor=person("admin"), assignee=assignee, reason="ตามคำสั่ง")
    with translation.override("th"):
        assert thai_words in str(refused.value.fields["assignee"][0])
    step.refresh_from_db()
    assert step.assignee.username == "ratchawari"
    assert not StepReassignment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_reassignment_refuses_someone_who_signed_in_this_round(person, in_review):
    services.step_approve(step=active(in_review), actor=person("ratchawari"), password=PW)
    step = active(in_review)
    with translation.override("th"), pytest.raises(ValidationFailed) as refused:
        services.step_reassign(step=step, actor=person("admin"), assignee=person("ratchawari"), reason="แทน")
    with translation.override("th"):
        assert "ลงนามในรอบนี้แล้ว" in str(refused.value.fields["assignee"][0])
    step.refresh_from_db()
    assert step.assignee.username == "nat"
    assert not StepReassignment.objects.exists()


def test_reassignment_needs_a_reason(person, in_review):
    step = active(in_review)
    with translation.override("th"), pytest.raises(ValidationFailed) as refused:
        services.step_reassign(step=step, actor=person("admin"), assignee=person("finance_head"), reason="  ")
    with translation.override("th"):
        assert "เหตุผล" in str(refused.value.fields["reason"][0])
    step.refresh_from_db()
    assert step.assignee.username == "ratchawari"
    assert not StepReassignment.objects.exists()


def test_an_acting_appointee_without_a_position_of_their_own_may_be_given_the_step(
    person, position, in_review
):
    nobody = _nobody(person, None)
    org_services.acting_appointment_create(
        position=position("ผู้อำนวยการกองช่าง"),
        person=nobody,
        capacity="รักษาราชการแทน",
        valid_from=date(2024, 1, 1),
    )
    services.step_reassign(step=active(in_review), actor=person("admin"), assignee=nobody, reason="ตามคำสั่ง")
    assert active(in_review).assignee == nobody


def test_the_reassignment_and_its_reason_are_on_the_memo_page_and_in_the_api_history(
    person, in_review, api_as
):
    services.step_reassign(
        step=active(in_review),
        actor=person("admin"),
        assignee=person("finance_head"),
        reason="หัวหน้าสำนักปลัดลาพักผ่อน ตามคำสั่ง ๒๑๑/๒๕๖๗",
    )
    client = Client()
    client.force_login(person("rujapa"))
    page = client.get(f"/memos/{in_review.pk}/").content.decode()
    assert "หัวหน้าสำนักปลัดลาพักผ่อน ตามคำสั่ง ๒๑๑/๒๕๖๗" in page
    assert person("finance_head").full_name in page
    assert person("ratchawari").full_name in page  # moved away from

    history = api_as("rujapa").get(f"/api/v1/memos/{in_review.pk}/history/").json()
    moved = [r for s in history["steps"] for r in s["reassignments"]]
    assert moved == [
        {
            "previous_assignee": "ratchawari",
            "new_assignee": "finance_head",
            "reason": "หัวหน้าสำนักปลัดลาพักผ่อน ตามคำสั่ง ๒๑๑/๒๕๖๗",
            "by": "admin",
            "at": moved[0]["at"],
        }
    ]


def test_the_preview_foresees_what_activation_does_for_a_person_on_two_steps(person, position, api_as):
    memo = draft_by(person, "rujapa")
    body = [
        {"position_id": str(position("หัวหน้าสำนักปลัด").pk), "role": "cosign"},
        {"position_id": str(position("นักทรัพยากรบุคคล").pk), "role": "opinion"},
        {"position_id": str(position("นายกองค์การบริหารส่วนตำบลหนองโสน").pk), "role": "decision"},
    ]
    response = api_as("rujapa").put(f"/api/v1/memos/{memo.pk}/route/", body, format="json")
    forecast = [(w["order"], w["outcome"], w["conflict"]) for w in response.json()["route_warnings"]]
    assert forecast == [(2, "skipped", "signed")]

    services.memo_submit(memo=memo, actor=person("rujapa"), password=PW)
    services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)
    happened = [(s.order, s.state, s.duty_conflict) for s in route(memo) if s.duty_conflict]
    assert happened == [(2, StepState.SKIPPED, DutyConflict.SIGNED)]
