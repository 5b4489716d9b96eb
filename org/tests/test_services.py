"""Changing the org chart: overlapping acting appointments are refused and nothing is saved."""

from datetime import date

import pytest

from core.errors import OverlappingAppointment, ValidationFailed
from core.models import AuditEvent
from org import services
from org.models import ActingAppointment, ActingCapacity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (date(2024, 6, 1), date(2024, 6, 30)),  # inside the open-ended demo appointment
        (date(2020, 1, 1), date(2023, 10, 1)),  # ends on its first day
        (date(2020, 1, 1), None),  # open-ended both
    ],
)
def test_overlapping_appointment_is_refused_and_nothing_changes(position, person, valid_from, valid_to):
    head = position("หัวหน้าสำนักปลัด")
    before = ActingAppointment.objects.count()
    audit_before = AuditEvent.objects.count()
    with pytest.raises(OverlappingAppointment) as raised:
        services.acting_appointment_create(
            position=head,
            person=person("finance_staff"),
            capacity=ActingCapacity.ACTING,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    message = str(raised.value.fields["valid_from"][0])
    assert "นางราชวรี อนุกุล" in message
    assert ActingAppointment.objects.count() == before
    assert AuditEvent.objects.count() == audit_before


def test_adjacent_appointments_do_not_overlap(position, person):
    works_head = position("ผู้อำนวยการกองช่าง")
    first = services.acting_appointment_create(
        position=works_head,
        person=person("works_staff"),
        capacity=ActingCapacity.ACTING,
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 1, 31),
    )
    second = services.acting_appointment_create(
        position=works_head,
        person=person("finance_staff"),
        capacity=ActingCapacity.ON_BEHALF,
        valid_from=date(2024, 2, 1),
        valid_to=None,
        order_reference="คำสั่ง ๙/๒๕๖๗",
    )
    assert {first.pk, second.pk} <= set(ActingAppointment.objects.values_list("pk", flat=True))
    event = AuditEvent.objects.filter(object_id=str(second.pk)).get()
    assert event.action == "acting_appointment.created"
    assert event.data["order_reference"] == "คำสั่ง ๙/๒๕๖๗"


def test_moving_an_appointment_onto_another_is_refused(position, person):
    works_head = position("ผู้อำนวยการกองช่าง")
    services.acting_appointment_create(
        position=works_head,
        person=person("works_staff"),
        capacity=ActingCapacity.ACTING,
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 1, 31),
    )
    later = services.acting_appointment_create(
        position=works_head,
        person=person("finance_staff"),
        capacity=ActingCapacity.ACTING,
        valid_from=date(2024, 3, 1),
        valid_to=date(2024, 3, 31),
    )
    with pytest.raises(OverlappingAppointment):
        services.acting_appointment_update(appointment=later, valid_from=date(2024, 1, 15))
    later.refresh_from_db()
    assert later.valid_from == date(2024, 3, 1)


def test_end_before_start_is_refused(position, person):
    with pytest.raises(ValidationFailed) as raised:
        services.acting_appointment_create(
            position=position("ผู้อำนวยการกองคลัง"),
            person=person("finance_staff"),
            capacity=ActingCapacity.ACTING,
            valid_from=date(2024, 5, 2),
            valid_to=date(2024, 5, 1),
        )
    assert "valid_to" in raised.value.fields


def test_unknown_capacity_is_refused(position, person):
    with pytest.raises(ValidationFailed) as raised:
        services.acting_appointment_create(
            position=position("ผู้อำนวยการกองคลัง"),
            person=person("finance_staff"),
            capacity="รักษาการ",
            valid_from=date(2024, 5, 2),
        )
    assert "capacity" in raised.value.fields


def test_loading_the_demo_twice_changes_nothing(demo_org):
    from org import demo
    from org.models import Person, Position, Unit

    counts = (
        Person.objects.count(),
        Unit.objects.count(),
        Position.objects.count(),
        AuditEvent.objects.count(),
    )
    demo.load_organisation()
    after = (
        Person.objects.count(),
        Unit.objects.count(),
        Position.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == counts
    assert counts[:3] == (len(demo.PEOPLE), 5, len(demo.POSITIONS)) == (11, 5, 11)
