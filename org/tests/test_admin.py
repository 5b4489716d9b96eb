"""Acting appointments in the Django admin: every change goes through org.services, and a bad one is a form
error, never a 500."""

from datetime import date

import pytest
from django.test import Client

from core.models import AuditEvent
from org.models import ActingAppointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(demo_org, person):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person("admin"))
    return client


def _form(appointment, **changes):
    form = {
        "position": str(appointment.position_id),
        "person": str(appointment.person_id),
        "capacity": appointment.capacity,
        "valid_from": appointment.valid_from.isoformat(),
        "valid_to": appointment.valid_to.isoformat() if appointment.valid_to else "",
        "order_reference": appointment.order_reference,
    }
    form.update(changes)
    return form


def test_changing_an_acting_appointments_position_in_the_admin_saves_it(admin_client, position):
    appointment = ActingAppointment.objects.get()
    works_head = position("ผู้อำนวยการกองช่าง")
    url = f"/admin/org/actingappointment/{appointment.pk}/change/"
    response = admin_client.post(url, _form(appointment, position=str(works_head.pk)))
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment.refresh_from_db()
    assert appointment.position == works_head
    event = AuditEvent.objects.filter(action="acting_appointment.changed").get()
    assert event.data["position"] == str(works_head.pk)
    assert event.actor.username == "admin"


def test_moving_an_appointment_onto_one_it_overlaps_is_a_thai_form_error(admin_client, position, person):
    works_head = position("ผู้อำนวยการกองช่าง")
    from org import services

    services.acting_appointment_create(
        position=works_head,
        person=person("works_staff"),
        capacity="รักษาราชการแทน",
        valid_from=date(2024, 1, 1),
    )
    appointment = ActingAppointment.objects.get(person__username="ratchawari")
    url = f"/admin/org/actingappointment/{appointment.pk}/change/"
    response = admin_client.post(url, _form(appointment, position=str(works_head.pk)))
    assert response.status_code == 200
    assert "ซ้อนทับกับคำสั่งให้" in response.content.decode()
    assert "๑ มกราคม ๒๕๖๗" in response.content.decode()  # the other appointment's start, in the Buddhist era
    appointment.refresh_from_db()
    assert appointment.position.title == "หัวหน้าสำนักปลัด"
