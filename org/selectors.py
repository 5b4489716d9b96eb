"""Reads of the organisation chart used by routing, pages and the API."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from core.errors import NoSignatory
from core.thai import BANGKOK
from org.authentication import password_stamp
from org.models import ActingAppointment, ApiToken, Person, Position


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
    appointment = (
        ActingAppointment.objects.valid_on(bangkok_day(at))
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
    return signatory_from_annotations(position=position, acting_person_id=None, acting_capacity=None)


def signatories_for(
    *, positions: Iterable[Position], at: datetime | None = None
) -> dict[Any, Signatory | None]:
    """`signatory_for` for many positions in one query (a page or a document resolving its whole route), by
    the same rule; None for a vacant position with no valid appointment. Positions need `holder` loaded."""
    positions = list(positions)
    newest: dict[Any, ActingAppointment] = {}
    for appointment in (
        ActingAppointment.objects.valid_on(bangkok_day(at))
        .filter(position__in=positions, person__is_active=True)
        .select_related("person")
        .order_by("position_id", "-valid_from")
    ):
        newest.setdefault(appointment.position_id, appointment)
    resolved: dict[Any, Signatory | None] = {}
    for position in positions:
        acting = newest.get(position.pk)
        if acting is not None:
            resolved[position.pk] = Signatory(
                person=acting.person,
                position=position,
                capacity=acting.capacity,
                appointment=acting,
            )
            continue
        try:
            resolved[position.pk] = signatory_from_annotations(
                position=position, acting_person_id=None, acting_capacity=None
            )
        except NoSignatory:
            resolved[position.pk] = None
    return resolved


def own_position_titles(*, people: Iterable[Person]) -> dict[Any, str]:
    """Each person's own (first) position title, for the line above a capacity line; one query."""
    titles: dict[Any, str] = {}
    for holder_id, title in (
        Position.objects.filter(holder__in=list(people))
        .order_by("sort_order")
        .values_list("holder_id", "title")
    ):
        titles.setdefault(holder_id, title)
    return titles


def acting_annotations(
    *, position_field: str, at: datetime | None = None, day: date | None = None
) -> dict[str, Subquery[Any]]:
    """The same resolution as `signatory_for`, as annotations on a query over rows that point at a position
    (`position_field`), so a page or a routing step resolves many positions in the query it already makes.
    On the Bangkok `day` of `at` (default now), or on `day` itself."""
    valid = (
        ActingAppointment.objects.valid_on(day or bangkok_day(at))
        .filter(position=OuterRef(position_field), person__is_active=True)
        .order_by("-valid_from")
    )
    return {
        "acting_person_id": Subquery(valid.values("person_id")[:1]),
        "acting_capacity": Subquery(valid.values("capacity")[:1]),
    }


def signatory_from_annotations(
    *, position: Position, acting_person_id: int | None, acting_capacity: str | None
) -> Signatory:
    """Finish the resolution from `acting_annotations` (or no appointment): appointee, else active holder."""
    if acting_person_id is not None:
        # Only the id is known here; the routing code stores it as the assignee (no extra query).
        return Signatory(person=Person(pk=acting_person_id), position=position, capacity=acting_capacity)
    holder = position.holder if position.holder_id is not None else None
    if holder is not None and holder.is_active:
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


def person_serves_in(*, person: Person, organisation_id: Any, at: datetime | None = None) -> bool:
    """Whether the person holds a position in the organisation, or acts for one by an appointment valid on
    that Bangkok day (default: today)."""
    if Position.objects.filter(organisation_id=organisation_id, holder=person).exists():
        return True
    return (
        ActingAppointment.objects.valid_on(bangkok_day(at))
        .filter(person=person, position__organisation_id=organisation_id)
        .exists()
    )


def api_tokens_for(*, person: Person) -> QuerySet[ApiToken]:
    """The person's API tokens that still work (never their secret: only its hash is stored), newest first."""
    return ApiToken.objects.filter(
        person=person, expires_at__gt=timezone.now(), password_stamp=password_stamp(person)
    ).order_by("-created_at")
