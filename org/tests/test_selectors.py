"""The resolver: who signs for a position at a given time, and in which capacity."""

from datetime import UTC, date, datetime

import pytest

from core.errors import NoSignatory
from org import services
from org.models import ActingCapacity, Position
from org.selectors import signatory_for

pytestmark = pytest.mark.django_db


def test_holder_signs_as_themself(position):
    nayok = position("นายกองค์การบริหารส่วนตำบลหนองโสน")
    signatory = signatory_for(position=nayok)
    assert signatory.person.username == "yutthana"
    assert signatory.capacity is None
    assert signatory.capacity_line == ""


def test_vacant_position_resolves_to_the_acting_appointee_with_capacity(position):
    head = position("หัวหน้าสำนักปลัด")
    assert head.is_vacant
    signatory = signatory_for(position=head, at=datetime(2023, 10, 5, 3, 0, tzinfo=UTC))
    assert signatory.person.full_name == "นางราชวรี อนุกุล"
    assert signatory.capacity == "รักษาการแทน"
    assert signatory.capacity_line == "รักษาการแทนหัวหน้าสำนักปลัด"


def test_vacant_position_before_the_appointment_starts_has_no_signatory(position):
    head = position("หัวหน้าสำนักปลัด")
    with pytest.raises(NoSignatory) as raised:
        signatory_for(position=head, at=datetime(2023, 9, 30, 12, 0, tzinfo=UTC))
    assert raised.value.http_status == 409
    assert raised.value.extra["position"]["title"] == "หัวหน้าสำนักปลัด"


def test_expired_appointment_no_longer_resolves(position, person, demo_org):
    works_head = position("ผู้อำนวยการกองช่าง")
    services.org_object_save(obj=_vacate(works_head))
    services.acting_appointment_create(
        position=works_head,
        person=person("works_staff"),
        capacity=ActingCapacity.ACTING,
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 1, 31),
        order_reference="คำสั่ง ๑/๒๕๖๗",
    )
    # Last day of the appointment, late evening in Bangkok (still 31 January there).
    inside = signatory_for(position=works_head, at=datetime(2024, 1, 31, 16, 59, tzinfo=UTC))
    assert inside.person.username == "works_staff"
    assert inside.capacity_line == "รักษาราชการแทนผู้อำนวยการกองช่าง"
    # 17:00 UTC is midnight in Bangkok: 1 February, the appointment has expired.
    with pytest.raises(NoSignatory):
        signatory_for(position=works_head, at=datetime(2024, 1, 31, 17, 0, tzinfo=UTC))


def test_appointment_for_an_absent_holder_wins_over_the_holder(position, person):
    palat = position("ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    services.acting_appointment_create(
        position=palat,
        person=person("finance_head"),
        capacity=ActingCapacity.ACTING,
        valid_from=date(2025, 3, 1),
        valid_to=date(2025, 3, 7),
    )
    during = signatory_for(position=palat, at=datetime(2025, 3, 3, tzinfo=UTC))
    assert (during.person.username, during.capacity) == ("finance_head", "รักษาราชการแทน")
    after = signatory_for(position=palat, at=datetime(2025, 3, 8, 1, tzinfo=UTC))
    assert (after.person.username, after.capacity) == ("nat", None)


def test_inactive_holder_does_not_sign(position, person):
    nayok = position("นายกองค์การบริหารส่วนตำบลหนองโสน")
    holder = person("yutthana")
    holder.is_active = False
    holder.save(update_fields=["is_active"])
    with pytest.raises(NoSignatory):
        signatory_for(position=nayok)


def _vacate(position: Position) -> Position:
    position.holder = None
    return position


def test_signatories_for_resolves_many_positions_as_signatory_for_does_one_in_one_query(
    demo_org, django_assert_num_queries
):
    """The batch resolver (pages and the PDF resolve a whole route at once) follows the one rule: an acting
    appointment in force wins, else the active holder, else nobody (a vacancy)."""
    from core.errors import NoSignatory
    from org.models import Position
    from org.selectors import signatories_for, signatory_for

    positions = list(Position.objects.filter(organisation=demo_org).select_related("holder"))
    vacant = Position.objects.create(organisation=demo_org, title="ตำแหน่งว่าง")
    positions.append(vacant)
    with django_assert_num_queries(1):
        resolved = signatories_for(positions=positions)
    for position in positions:
        try:
            one = signatory_for(position=position)
            expected = (one.person.pk, one.capacity)
        except NoSignatory:
            expected = None
        got = resolved[position.pk]
        assert (None if got is None else (got.person.pk, got.capacity)) == expected, position.title
    assert resolved[vacant.pk] is None
    assert any(
        s is not None and s.capacity for s in resolved.values()
    )  # the demo's acting head is among them
