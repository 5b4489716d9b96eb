"""Routing rules exercised through the services, as a clerk, a head and an administrator would meet them."""

from datetime import date

import pytest

from core.errors import AlreadyDone, BadPassword, Forbidden, InvalidState, NotYourTask, ValidationFailed
from core.models import AuditEvent
from memos.models import Memo
from org import services as org_services
from org.demo import DEMO_PASSWORD
from org.models import ActingAppointment
from signatures.models import Signature
from tests.builders import active_step as active
from tests.builders import draft_memo, in_review_memo, submitted_memo
from workflow import services
from workflow.models import RouteStep, RouteTemplate, StepRole, StepState, TemplateSlot

pytestmark = pytest.mark.django_db
PW = DEMO_PASSWORD


def test_return_and_resubmit_starts_a_new_revision_from_the_first_step_and_keeps_the_number(person):
    memo = submitted_memo()
    number = memo.number
    services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)
    services.step_return(step=active(memo), actor=person("nat"), password=PW, reason="แก้ไขวงเงินให้ถูกต้อง")
    memo.refresh_from_db()
    assert memo.status == "returned"
    writer_step = active(memo)
    assert (writer_step.role, writer_step.assignee.username, writer_step.round) == ("writer", "rujapa", 2)

    services.memo_update(memo=memo, actor=person("rujapa"), body="ย่อหน้าแก้ไขแล้ว")
    services.memo_submit(memo=memo, actor=person("rujapa"), password=PW)
    memo.refresh_from_db()
    assert memo.status == "in_review"
    assert memo.number == number
    assert memo.revision == 2
    step = active(memo)
    assert (step.round, step.order, step.assignee.username) == (2, 1, "ratchawari")

    # Earlier signatures stay, each bound to the revision it signed; the new one binds to revision 2.
    first_round = Signature.objects.filter(memo=memo, revision__number=1).order_by("signed_at")
    assert [s.signer.username for s in first_round] == ["rujapa", "ratchawari"]
    returned = RouteStep.objects.get(memo=memo, round=1, order=2)
    assert (returned.state, returned.reason) == ("returned", "แก้ไขวงเงินให้ถูกต้อง")
    assert RouteStep.objects.get(memo=memo, round=1, order=3).state == "skipped"
    revisions = {r.number: r.sha256 for r in memo.revisions.all()}
    assert revisions[1] != revisions[2]
    assert memo.revisions.get(number=2).content["paragraphs"] == ["ย่อหน้าแก้ไขแล้ว"]
    assert Signature.objects.get(memo=memo, revision__number=2).revision_sha256 == revisions[2]


def test_acting_capacity_is_recorded_with_the_signature_and_audit(person):
    memo = submitted_memo()
    step = active(memo)
    assert (step.assignee.username, step.capacity) == ("ratchawari", "รักษาการแทน")
    services.step_approve(step=step, actor=person("ratchawari"), password=PW)
    signature = Signature.objects.get(step=step)
    assert (signature.signer.username, signature.position.title, signature.capacity) == (
        "ratchawari",
        "หัวหน้าสำนักปลัด",
        "รักษาการแทน",
    )
    event = AuditEvent.objects.filter(action="step.approved", object_id=str(memo.pk)).get()
    assert event.data["capacity"] == "รักษาการแทน"
    assert event.data["position"] == "หัวหน้าสำนักปลัด"
    assert event.actor.username == "ratchawari"


def test_a_vacancy_waits_for_assignment_until_an_administrator_assigns_someone(person, position):
    # The acting appointment ends before today: the vacant หัวหน้าสำนักปลัด has nobody to sign.
    appointment = ActingAppointment.objects.get(position__title="หัวหน้าสำนักปลัด")
    org_services.acting_appointment_update(appointment=appointment, valid_to=date(2024, 1, 1))
    memo = submitted_memo()
    step = active(memo)
    assert step.assignee is None
    assert step.waiting_for_assignment
    with pytest.raises(Forbidden):
        services.step_reassign(step=step, actor=person("nat"), assignee=person("finance_head"), reason="แทน")
    services.step_reassign(
        step=step,
        actor=person("admin"),
        assignee=person("ratchawari"),
        reason="ตามคำสั่ง ๒๑๑/๒๕๖๗",
        capacity="รักษาการแทน",
    )
    step.refresh_from_db()
    assert (step.assignee.username, step.capacity) == ("ratchawari", "รักษาการแทน")
    assert step.task.owner.username == "ratchawari"
    event = AuditEvent.objects.get(action="step.reassigned")
    assert event.data["reason"] == "ตามคำสั่ง ๒๑๑/๒๕๖๗"
    services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)
    assert active(memo).assignee.username == "nat"


def test_only_the_assignee_can_act_and_only_once(person):
    memo = submitted_memo()
    step = active(memo)
    with pytest.raises(NotYourTask):
        services.step_approve(step=step, actor=person("nat"), password=PW)
    with pytest.raises(BadPassword):
        services.step_approve(step=step, actor=person("ratchawari"), password="not-it")
    assert active(memo).pk == step.pk  # nothing changed
    services.step_approve(step=step, actor=person("ratchawari"), password=PW)
    with pytest.raises(AlreadyDone):
        services.step_approve(step=step, actor=person("ratchawari"), password=PW)
    assert Signature.objects.filter(step=step).count() == 1


def test_opinion_and_decision_rules(person):
    memo = submitted_memo()
    services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)  # cosign: empty is fine
    with pytest.raises(ValidationFailed) as missing_opinion:
        services.step_approve(step=active(memo), actor=person("nat"), password=PW, opinion="  ")
    assert "opinion" in missing_opinion.value.fields
    services.step_approve(step=active(memo), actor=person("nat"), password=PW, opinion="เห็นควรอนุมัติ")
    decision_step = active(memo)
    with pytest.raises(ValidationFailed):
        services.step_approve(step=decision_step, actor=person("yutthana"), password=PW)
    with pytest.raises(ValidationFailed) as other:
        services.step_approve(step=decision_step, actor=person("yutthana"), password=PW, decision="other")
    assert "decision_text" in other.value.fields
    services.step_approve(
        step=decision_step,
        actor=person("yutthana"),
        password=PW,
        decision="other",
        decision_text="มอบกองคลังดำเนินการ",
    )
    memo.refresh_from_db()
    assert memo.status == "completed"
    decision_step.refresh_from_db()
    assert (decision_step.decision, decision_step.decision_text) == ("other", "มอบกองคลังดำเนินการ")


def test_a_co_signer_cannot_end_the_memo(person):
    memo = submitted_memo()
    with pytest.raises(Forbidden):
        services.step_reject(step=active(memo), actor=person("ratchawari"), password=PW, reason="ซ้ำกับเรื่องเดิม")
    memo.refresh_from_db()
    assert memo.status == "in_review"
    assert active(memo).assignee == person("ratchawari")


def test_reject_ends_the_memo_and_skips_the_rest(person):
    memo = in_review_memo(2)
    with pytest.raises(ValidationFailed):
        services.step_reject(step=active(memo), actor=person("nat"), password=PW, reason="")
    services.step_reject(step=active(memo), actor=person("nat"), password=PW, reason="ซ้ำกับเรื่องเดิม")
    memo.refresh_from_db()
    assert memo.status == "rejected"
    assert list(RouteStep.objects.filter(memo=memo).order_by("order").values_list("state", flat=True)) == [
        "signed",
        "signed",
        "rejected",
        "skipped",
    ]
    assert memo.process.status == "DONE"
    with pytest.raises(InvalidState):
        services.memo_submit(memo=memo, actor=person("rujapa"), password=PW)


def test_withdraw_only_before_anyone_after_the_writer_acted(person):
    memo = submitted_memo()
    services.memo_withdraw(memo=memo, actor=person("rujapa"))
    memo.refresh_from_db()
    assert memo.status == "withdrawn"
    assert memo.process.status == "CANCELED"
    assert not RouteStep.objects.filter(memo=memo, state="active").exists()

    other = submitted_memo(subject="เรื่องที่สอง")
    services.step_approve(step=active(other), actor=person("ratchawari"), password=PW)
    with pytest.raises(InvalidState):
        services.memo_withdraw(memo=other, actor=person("rujapa"))
    with pytest.raises(Forbidden):
        services.memo_withdraw(memo=other, actor=person("nat"))


def test_a_withdrawn_number_is_never_reused(person):
    first = submitted_memo(subject="หนึ่ง")
    services.memo_withdraw(memo=first, actor=person("rujapa"))
    second = submitted_memo(subject="สอง")
    assert first.number != second.number
    assert first.sequence is not None
    assert second.sequence == first.sequence + 1


def test_route_editing_rules(person, position):
    memo = draft_memo()
    palat, nayok = position("ปลัดองค์การบริหารส่วนตำบลหนองโสน"), position("นายกองค์การบริหารส่วนตำบลหนองโสน")
    finance = position("ผู้อำนวยการกองคลัง")
    services.memo_route_set(
        memo=memo,
        actor=person("rujapa"),
        steps=[(finance, "cosign"), (palat, "opinion"), (nayok, "decision")],
    )
    assert [s.position.title for s in RouteStep.objects.filter(memo=memo).order_by("order")][1:] == [
        "ผู้อำนวยการกองคลัง",
        "ปลัดองค์การบริหารส่วนตำบลหนองโสน",
        "นายกองค์การบริหารส่วนตำบลหนองโสน",
    ]
    bad_routes = [
        [],
        [(palat, "opinion")],  # no decision
        [(nayok, "decision"), (palat, "opinion")],  # decision not last
        [(palat, "decision"), (nayok, "decision")],  # two decisions
        [(palat, "opinion"), (palat, "decision")],  # duplicate position
        [(position("ผู้ช่วยนักประชาสัมพันธ์"), "cosign"), (nayok, "decision")],  # writer's own position
    ]
    for bad in bad_routes:
        with pytest.raises(ValidationFailed):
            services.memo_route_set(memo=memo, actor=person("rujapa"), steps=bad)
    assert RouteStep.objects.filter(memo=memo).count() == 4  # nothing changed
    with pytest.raises(Forbidden):
        services.memo_route_set(memo=memo, actor=person("nat"), steps=[(nayok, "decision")])


def test_editing_a_template_never_changes_an_existing_memos_route(person, position, demo_org):
    from workflow.demo import load_route_template

    load_route_template(demo_org)
    memo = draft_memo()
    before = list(RouteStep.objects.filter(memo=memo).values_list("position__title", flat=True))
    services.route_template_save(
        organisation=demo_org,
        name="ผ่านกองคลัง",
        steps=[
            (StepRole.COSIGN, TemplateSlot.POSITION, position("ผู้อำนวยการกองคลัง")),
            (StepRole.DECISION, TemplateSlot.POSITION, position("นายกองค์การบริหารส่วนตำบลหนองโสน")),
        ],
    )
    assert list(RouteStep.objects.filter(memo=memo).values_list("position__title", flat=True)) == before
    newer = draft_memo(subject="ฉบับใหม่")
    assert list(
        RouteStep.objects.filter(memo=newer).order_by("order").values_list("position__title", flat=True)
    ) == [
        "ผู้ช่วยนักประชาสัมพันธ์",
        "ผู้อำนวยการกองคลัง",
        "นายกองค์การบริหารส่วนตำบลหนองโสน",
    ]
    assert RouteTemplate.objects.count() == 1


def test_a_units_template_overrides_the_default_and_a_head_does_not_cosign_their_own_memo(
    person, position, demo_org
):
    finance_unit = position("ผู้อำนวยการกองคลัง").unit
    services.route_template_save(
        organisation=demo_org,
        unit=finance_unit,
        name="กองคลัง",
        steps=[
            (StepRole.COSIGN, TemplateSlot.WRITER_UNIT_HEAD, None),
            (StepRole.DECISION, TemplateSlot.POSITION, position("ปลัดองค์การบริหารส่วนตำบลหนองโสน")),
        ],
    )
    staff_memo = draft_memo(writer="finance_staff")
    head_memo = draft_memo(writer="finance_head")

    def titles(m):
        return list(
            RouteStep.objects.filter(memo=m).order_by("order").values_list("position__title", flat=True)
        )

    assert titles(staff_memo) == ["เจ้าพนักงานการเงินและบัญชี", "ผู้อำนวยการกองคลัง", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"]
    assert titles(head_memo) == ["ผู้อำนวยการกองคลัง", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"]


def test_content_is_editable_only_while_draft_or_returned(person):
    memo = submitted_memo()
    with pytest.raises(InvalidState):
        services.memo_update(memo=memo, actor=person("rujapa"), subject="แก้ชื่อเรื่อง")
    with pytest.raises(ValidationFailed):
        services.memo_update(memo=draft_memo(), actor=person("rujapa"), subject="   ")
    assert Memo.objects.get(pk=memo.pk).subject == "ขออนุมัติจัดซื้อวัสดุสำนักงาน"


def test_steps_are_signed_by_state_not_by_guesswork(person):
    memo = submitted_memo()
    states = dict(RouteStep.objects.filter(memo=memo).values_list("order", "state"))
    assert states == {0: StepState.SIGNED, 1: StepState.ACTIVE, 2: StepState.WAITING, 3: StepState.WAITING}


def test_a_service_refuses_to_run_inside_someone_elses_transaction(person):
    """Each service commits its own change (atomic(durable=True)): called inside an outer transaction it
    refuses before changing anything, so a caller cannot roll back a signature after it was reported."""
    from django.db import transaction

    memo = submitted_memo()
    step = active(memo)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.step_approve(step=step, actor=person("ratchawari"), password=PW)
    step.refresh_from_db()
    assert step.state == StepState.ACTIVE
    assert not Signature.objects.filter(memo=memo, position=step.position).exists()


def test_a_step_whose_workflow_task_was_deleted_answers_a_clear_409_not_a_crash(person):
    memo = submitted_memo()
    step = active(memo)
    RouteStep.objects.filter(pk=step.pk).update(task=None)
    with pytest.raises(InvalidState) as refused:
        services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)
    assert refused.value.http_status == 409
    with pytest.raises(InvalidState):
        services.step_return(step=active(memo), actor=person("ratchawari"), password=PW, reason="แก้ไข")
    assert active(memo).state == StepState.ACTIVE
    assert not Signature.objects.filter(memo=memo, position=step.position).exists()
