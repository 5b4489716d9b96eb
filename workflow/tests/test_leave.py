"""Leave (issue 13, ADR 0011): a signatory's leave, approved by their superior's signatory or an administrator,
is an acting appointment; the steps waiting for them move to the acting person and come back when it ends.

The demo organisation: nat is ปลัด (reports to the นายก, yutthana); finance_head (ผู้อำนวยการกองคลัง) reports
to the ปลัด, so she may act for him รักษาราชการแทน; rujapa writes, ratchawari co-signs step 1."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.errors import Forbidden, InvalidState, NotFound, OverlappingAppointment, ValidationFailed
from core.models import AuditEvent
from notifications.models import Kind, Notification
from org import leave as org_leave
from org import services as org_services
from org.models import ActingAppointment, Leave, LeaveState, Person
from org.selectors import bangkok_day, signatory_for
from tests.builders import active_step, approve_active, in_review_memo, submitted_memo
from workflow.models import StepReassignment
from workflow.services import leave as leave_services

ACTING = "รักษาราชการแทน"
ON_BEHALF = "ปฏิบัติราชการแทน"
DEPUTY = "ปลัดองค์การบริหารส่วนตำบลหนองโสน"


class Clock:
    """timezone.now() moved by whole days (every "today" in memoflow is read from it)."""

    def __init__(self) -> None:
        self.real = timezone.now
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self.real() + self.offset

    def pass_days(self, days: int) -> None:
        self.offset += timedelta(days=days)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr(timezone, "now", ticking)
    return ticking


def ask(
    person: Callable[[str], Person],
    position: Callable[[str], Any],
    *,
    who: str = "nat",
    title: str = DEPUTY,
    acting: str = "finance_head",
    capacity: str = ACTING,
    starts: int = 0,
    days: int = 3,
) -> Leave:
    today = bangkok_day(None)
    return leave_services.leave_request(
        person=person(who),
        position=position(title),
        starts_on=today + timedelta(days=starts),
        ends_on=today + timedelta(days=starts + days - 1),
        acting_person=person(acting),
        capacity=capacity,
        order_reference="คำสั่ง ๑๒/๒๕๖๙",
        note="ลาพักผ่อน",
    )


def test_approved_leave_moves_the_waiting_step_new_steps_follow_and_both_come_back_when_it_ends(
    person: Any, position: Any, clock: Clock
) -> None:
    waiting = in_review_memo(2)  # at the ปลัด's step
    assert active_step(waiting).assignee.username == "nat"
    leave = ask(person, position)

    leave, moved = leave_services.leave_approve(leave=leave, actor=person("yutthana"))

    assert leave.state == LeaveState.APPROVED
    appointment = leave.appointment
    assert appointment is not None
    assert (appointment.person.username, appointment.capacity, appointment.order_reference) == (
        "finance_head",
        ACTING,
        "คำสั่ง ๑๒/๒๕๖๙",
    )
    assert (appointment.valid_from, appointment.valid_to) == (leave.starts_on, leave.ends_on)
    step = active_step(waiting)
    assert (step.assignee.username, step.capacity) == ("finance_head", ACTING)
    assert step.task.owner.username == "finance_head"
    assert [s.pk for s in moved.moved] == [step.pk]
    moved_row = StepReassignment.objects.get(step=step)
    assert moved_row.previous_assignee.username == "nat"
    assert "ลา" in moved_row.reason
    assert f"{ACTING}{DEPUTY}" in moved_row.reason
    told = set(Notification.objects.filter(memo=waiting).values_list("recipient__username", "kind"))
    assert {("finance_head", Kind.REASSIGNED_TO), ("nat", Kind.REASSIGNED_FROM)} <= told
    # A memo that reaches the ปลัด's step during the leave goes to the acting person.
    later = in_review_memo(1, subject="เรื่องใหม่ระหว่างลา")
    approve_active(later)
    assert (active_step(later).assignee.username, active_step(later).capacity) == ("finance_head", ACTING)

    clock.pass_days(3)  # the day after the last day of leave
    assert leave_services.leave_steps_daily()["moved"] == 2

    assert signatory_for(position=position(DEPUTY)).person.username == "nat"
    for memo in (waiting, later):
        back = active_step(memo)
        assert (back.assignee.username, back.capacity) == ("nat", "")
        assert back.task.owner.username == "nat"
    leave.refresh_from_db()
    assert leave.steps_returned_on == bangkok_day(None)
    assert leave_services.leave_steps_daily()["moved"] == 0  # the next day's run finds nothing to do


def test_a_future_leave_moves_nothing_until_its_first_day(person: Any, position: Any, clock: Clock) -> None:
    waiting = in_review_memo(2)
    _leave, moved = leave_services.leave_approve(leave=ask(person, position, starts=2), actor=person("admin"))
    assert moved.moved == []
    assert active_step(waiting).assignee.username == "nat"
    assert leave_services.leave_steps_daily()["moved"] == 0
    clock.pass_days(2)
    assert leave_services.leave_steps_daily()["moved"] == 1
    assert active_step(waiting).assignee.username == "finance_head"
    assert leave_services.leave_steps_daily()["moved"] == 0  # run twice: moved once
    assert StepReassignment.objects.count() == 1


def test_a_step_the_acting_person_may_not_take_stays_and_says_why(person: Any, position: Any) -> None:
    waiting = in_review_memo(2)  # ratchawari signed step 1 of this round
    leave = ask(person, position, acting="ratchawari", capacity=ON_BEHALF)
    _, moved = leave_services.leave_approve(leave=leave, actor=person("yutthana"))
    assert moved.moved == []
    [(_step, why)] = moved.kept
    assert "ลงนามในรอบนี้แล้ว" in why
    assert active_step(waiting).assignee.username == "nat"
    event = AuditEvent.objects.get(action="step.leave_not_moved")
    assert event.data["would_go_to"] == "ratchawari"


def test_cancelling_an_approved_leave_ends_the_appointment_and_brings_the_steps_back(
    person: Any, position: Any, clock: Clock
) -> None:
    waiting = in_review_memo(2)
    leave, _ = leave_services.leave_approve(leave=ask(person, position), actor=person("yutthana"))
    assert active_step(waiting).assignee.username == "finance_head"
    clock.pass_days(1)  # on the second day nat is back and cancels
    leave, moved = leave_services.leave_cancel(leave=leave, actor=person("nat"))
    assert leave.state == LeaveState.CANCELLED
    appointment = leave.appointment
    assert appointment is not None
    assert appointment.valid_to == bangkok_day(None) - timedelta(days=1)
    assert [s.pk for s in moved.moved] == [active_step(waiting).pk]
    assert active_step(waiting).assignee.username == "nat"
    assert signatory_for(position=position(DEPUTY)).person.username == "nat"


def test_cancelling_on_the_first_day_withdraws_the_appointment(person: Any, position: Any) -> None:
    leave, _ = leave_services.leave_approve(leave=ask(person, position), actor=person("yutthana"))
    appointment_id = leave.appointment_id
    assert appointment_id is not None
    leave, _ = leave_services.leave_cancel(leave=leave, actor=person("nat"))
    assert leave.appointment_id is None
    assert not ActingAppointment.objects.filter(pk=appointment_id).exists()
    assert AuditEvent.objects.filter(
        action="acting_appointment.withdrawn", object_id=str(appointment_id)
    ).exists()
    assert signatory_for(position=position(DEPUTY)).person.username == "nat"


def test_only_the_superiors_signatory_or_an_administrator_decides_and_never_the_person(
    person: Any, position: Any
) -> None:
    leave = ask(person, position)
    for who in ("finance_head", "rujapa", "nat"):
        with pytest.raises(Forbidden):
            leave_services.leave_approve(leave=leave, actor=person(who))
        with pytest.raises(Forbidden):
            leave_services.leave_refuse(leave=leave, actor=person(who), reason="ไม่อนุญาต")
    assert Leave.objects.get(pk=leave.pk).state == LeaveState.REQUESTED
    assert not ActingAppointment.objects.filter(position=position(DEPUTY)).exists()
    # Whoever signs for the superior's position decides; so does an administrator.
    assert [x.pk for x in org_leave.leaves_to_decide(person=person("yutthana"))] == [leave.pk]
    assert [x.pk for x in org_leave.leaves_to_decide(person=person("admin"))] == [leave.pk]
    assert list(org_leave.leaves_to_decide(person=person("finance_head"))) == []
    assert list(org_leave.leaves_to_decide(person=person("nat"))) == []
    refused = leave_services.leave_refuse(leave=leave, actor=person("yutthana"), reason="ช่วงปิดงบประมาณ")
    assert (refused.state, refused.refusal_reason) == (LeaveState.REFUSED, "ช่วงปิดงบประมาณ")
    with pytest.raises(InvalidState):
        leave_services.leave_approve(leave=leave, actor=person("yutthana"))


def test_an_administrator_does_not_approve_their_own_leave(person: Any, position: Any) -> None:
    nat = person("nat")
    nat.is_superuser = True
    nat.save(update_fields=["is_superuser"])
    leave = ask(person, position)
    with pytest.raises(Forbidden):
        leave_services.leave_approve(leave=leave, actor=nat)


def test_the_acting_person_of_the_superior_decides_not_its_absent_holder(person: Any, position: Any) -> None:
    # rujapa's superior position is หัวหน้าสำนักปลัด (vacant; ratchawari acts for it).
    leave = ask(
        person, position, who="rujapa", title="ผู้ช่วยนักประชาสัมพันธ์", acting="ratchawari", capacity=ON_BEHALF
    )
    assert [x.pk for x in org_leave.leaves_to_decide(person=person("ratchawari"))] == [leave.pk]
    leave_services.leave_approve(leave=leave, actor=person("ratchawari"))


def test_another_persons_leave_is_not_found(person: Any, position: Any) -> None:
    leave = ask(person, position)
    assert org_leave.leave_of(leave_id=leave.pk, person=person("nat")).pk == leave.pk
    with pytest.raises(NotFound):
        org_leave.leave_of(leave_id=leave.pk, person=person("rujapa"))
    with pytest.raises(NotFound):
        org_leave.leave_to_decide(leave_id=leave.pk, person=person("rujapa"))
    with pytest.raises(Forbidden):
        leave_services.leave_cancel(leave=leave, actor=person("yutthana"))


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"starts": -1}, "starts_on", "ก่อนวันนี้"),
        ({"acting": "nat"}, "acting_person", "ไม่ใช่ตัวท่านเอง"),
        ({"acting": "auditor"}, "acting_person", "ผู้ตรวจสอบ"),
        ({"acting": "works_staff"}, "acting_person", "ส่วนราชการเดียวกัน"),  # รักษาราชการแทน: not near the ปลัด
        ({"capacity": "รักษาการแทน"}, "capacity", "ปฏิบัติราชการแทน"),
        ({"title": "นายกองค์การบริหารส่วนตำบลหนองโสน"}, "position", "ตำแหน่งที่ท่านดำรง"),
    ],
)
def test_a_refused_request_changes_nothing(
    person: Any, position: Any, change: dict[str, Any], field: str, words: str
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        ask(person, position, **change)
    assert field in refused.value.fields
    assert words in " ".join(str(m) for m in refused.value.fields[field])
    assert Leave.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_acting_person_may_be_anyone_in_the_organisation_for_delegation(
    person: Any, position: Any
) -> None:
    leave = ask(person, position, acting="works_staff", capacity=ON_BEHALF)
    assert leave.state == LeaveState.REQUESTED


def test_leave_overlapping_an_appointment_or_another_leave_is_refused(person: Any, position: Any) -> None:
    today = bangkok_day(None)
    org_services.acting_appointment_create(
        position=position(DEPUTY),
        person=person("works_head"),
        capacity=ACTING,
        valid_from=today + timedelta(days=5),
        valid_to=today + timedelta(days=6),
    )
    with pytest.raises(OverlappingAppointment) as clash:
        ask(person, position, starts=4, days=2)
    assert "works_head" not in str(clash.value.message)
    assert "สมศักดิ์" in str(clash.value.message)
    ask(person, position, starts=0, days=3)
    with pytest.raises(ValidationFailed, match="ขอลาในบางวัน"):
        ask(person, position, starts=2, days=1)
    assert Leave.objects.count() == 1
    # The acting person on leave themself those days is refused too.
    ask(person, position, who="finance_head", title="ผู้อำนวยการกองคลัง", acting="finance_staff", starts=10)
    with pytest.raises(ValidationFailed, match="ก็ลา"):
        ask(person, position, acting="finance_head", starts=10)


def test_an_appointment_made_after_the_request_stops_its_approval(person: Any, position: Any) -> None:
    leave = ask(person, position)
    today = bangkok_day(None)
    org_services.acting_appointment_create(
        position=position(DEPUTY), person=person("works_head"), capacity=ACTING, valid_from=today
    )
    with pytest.raises(OverlappingAppointment):
        leave_services.leave_approve(leave=leave, actor=person("yutthana"))
    assert Leave.objects.get(pk=leave.pk).state == LeaveState.REQUESTED


def test_an_ended_leave_cannot_be_approved_or_cancelled(person: Any, position: Any, clock: Clock) -> None:
    leave = ask(person, position, days=1)
    clock.pass_days(1)
    with pytest.raises(InvalidState):
        leave_services.leave_approve(leave=leave, actor=person("yutthana"))
    with pytest.raises(InvalidState):
        leave_services.leave_cancel(leave=leave, actor=person("nat"))


def test_steps_still_waiting_for_the_submitted_memo_at_step_one_are_not_touched(
    person: Any, position: Any
) -> None:
    memo = submitted_memo()  # at ratchawari's step: nat's leave concerns the ปลัด's steps only
    leave_services.leave_approve(leave=ask(person, position), actor=person("yutthana"))
    assert active_step(memo).assignee.username == "ratchawari"


def test_the_daily_job_is_registered() -> None:
    from core import schedule

    assert "leave_steps" in {job.name for job in schedule.registered()}


def test_whoever_decides_is_told_of_a_leave_and_the_person_and_the_acting_person_of_the_decision(
    person: Any, position: Any, client: Any
) -> None:
    """The ปลัด's leave reaches the นายก's bell (he signs for the position the ปลัด reports to); the approval
    reaches the ปลัด and the acting ผู้อำนวยการกองคลัง, with the days in B.E.; a refusal carries its reason. Each
    notice opens the leave page it is about."""
    from django.utils.translation import override

    from core.thai import format_date
    from notifications.texts import wording

    leave = ask(person, position)
    asked = Notification.objects.get(kind=Kind.LEAVE_REQUESTED)
    assert asked.recipient.username == "yutthana"
    with override("th"):
        sentence = wording(asked).sentence
    assert "ขอลาจากตำแหน่งปลัดองค์การบริหารส่วนตำบลหนองโสน" in sentence
    assert format_date(leave.starts_on) in sentence  # the Buddhist era, Thai digits
    assert "๒๕" in sentence
    client.force_login(person("yutthana"))
    assert client.get(f"/notifications/{asked.pk}/").url == "/leave/approve/"

    leave_services.leave_approve(leave=leave, actor=person("yutthana"))
    told = {n.kind: n.recipient.username for n in Notification.objects.exclude(kind=Kind.LEAVE_REQUESTED)}
    assert told[Kind.LEAVE_APPROVED] == "nat"
    assert told[Kind.LEAVE_ACTING] == "finance_head"
    acting = Notification.objects.get(kind=Kind.LEAVE_ACTING)
    with override("th"):
        assert f"ท่านลงนามในฐานะ{ACTING}{DEPUTY}" in wording(acting).sentence

    other = ask(person, position, starts=10)
    leave_services.leave_refuse(leave=other, actor=person("yutthana"), reason="ช่วงประชุมสภา")
    refused = Notification.objects.get(kind=Kind.LEAVE_REFUSED)
    assert refused.recipient.username == "nat"
    with override("en"):
        assert "Reason: ช่วงประชุมสภา" in wording(refused).sentence


def test_a_leave_from_a_position_that_reports_to_nobody_is_told_to_the_administrators(
    person: Any, position: Any
) -> None:
    ask(
        person,
        position,
        who="yutthana",
        title="นายกองค์การบริหารส่วนตำบลหนองโสน",
        acting="nat",
        capacity=ON_BEHALF,
    )
    assert [n.recipient.username for n in Notification.objects.filter(kind=Kind.LEAVE_REQUESTED)] == ["admin"]
