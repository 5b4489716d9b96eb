"""Reads of the organisation chart used by routing, pages and the API."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from core.errors import NoSignatory
from core.thai import BANGKOK
from org.models import ActingAppointment, Person, Position


@dataclass(frozen=True)
class Signatory:
    """Who signs for a position at a moment, and in which capacity (None: as the holder)."""

    person: Person
    position: Position
    capacity: str | None = None
    appointment: ActingAppointment | None = None

    @property
    def capacity_line(self) -> str:
        """The line printed under the signer's own position, e.g. "รักษาการแทนหัวหน้าสำนักปลัด"."""
        return f"{self.capacity}{self.position.title}" if self.capacity else ""


def bangkok_day(at: datetime | None) -> date:
    return (at or timezone.now()).astimezone(BANGKOK).date()


def signatory_for(*, position: Position, at: datetime | None = None) -> Signatory:
    """The one resolver: who signs for `position` at `at` (default: now).

    An acting appointment valid on that Bangkok day wins over the holder: it is made precisely because the
    holder is absent, the post is vacant, or the authority is delegated for that period. Without one, the
    holder signs as themself. A vacant position with no valid appointment raises NoSignatory.
    """
    day = bangkok_day(at)
    appointment = (
        ActingAppointment.objects.valid_on(day)
        .filter(position=position, person__is_active=True)
        .select_related("person")
        .order_by("-valid_from")
        .first()
    )
    if appointment is not None:
        return Signatory(
            person=appointment.person,
            position=position,
            capacity=appointment.capacity,
            appointment=appointment,
        )
    if position.holder_id is not None:
        holder = position.holder
        assert holder is not None
        if holder.is_active:
            return Signatory(person=holder, position=position)
    raise NoSignatory(extra={"position": {"id": str(position.pk), "title": position.title}})


def person_positions(*, person: Person) -> QuerySet[Position]:
    return (
        Position.objects.filter(holder=person)
        .select_related("unit__parent__parent")
        .order_by("sort_order", "title")
    )


def person_acting_appointments(*, person: Person, today: date | None = None) -> QuerySet[ActingAppointment]:
    """Appointments in force today or starting later; expired ones are history, not shown."""
    from django.db.models import Q

    today = today or bangkok_day(None)
    return (
        ActingAppointment.objects.filter(person=person)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("position")
        .order_by("valid_from")
    )
