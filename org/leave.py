"""Leave and who acts meanwhile (issue 13, ADR 0011): a signatory asks, their superior's signatory or an
administrator approves or refuses, and an approved leave is an acting appointment for its days.

The rules for who may act (`acting_refusal`):

- an active account, not the person on leave, not an auditor (auditors read memos, never sign them);
- holding a position of their own in the same organisation (an appointment rests on a post of one's own);
- not on leave themself on any of those days (asked for or approved);
- for รักษาราชการแทน (acting by law): a post in the same unit as the position (the organisation's executives,
  who have no unit, count as one), in the unit of the position it reports to, or reporting directly to it;
  ปฏิบัติราชการแทน (delegation by order) may name anyone above.

Who decides (`decide_refusal`): whoever signs for the position's `reports_to` position today
(`org.selectors.signatory_for`: its holder, or whoever acts for it) or an administrator, never the person on
leave. A position that reports to nobody has its leave decided by an administrator.

Every write takes the position's row lock first (as the acting appointments' services do, so overlap checks of
both see each other), then the leave's row; the audit event is in the same transaction. Moving the route's
steps is the workflow's (workflow/services/leave.py): org knows no route.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import RequestMeta, audit_event_append
from core.errors import Forbidden, InvalidState, NoSignatory, OverlappingAppointment, ValidationFailed
from core.readonly import ADMINISTRATOR_PERMISSION, AUDITOR_PERMISSION
from core.thai import format_date
from org.models import (
    LEAVE_CAPACITIES,
    ActingAppointment,
    Leave,
    LeaveState,
    Person,
    Position,
    overlap_message,
)
from org.selectors import bangkok_day, signatory_for
from org.services import acting_appointment_save_locked

MAX_DAYS = 366  # one request covers at most a year
MAX_NOTE = 2000
MAX_REASON = 2000
ORDER_MAX = Leave._meta.get_field("order_reference").max_length or 128
OPEN_STATES = (LeaveState.REQUESTED, LeaveState.APPROVED)


#: Told of a leave inside the transaction that asked for or decided it (workflow passes the notifications).
Inform = Callable[[Leave], None]


def is_administrator(person: Any) -> bool:
    """The same rule as workflow.selectors.is_administrator (a superuser, or memos.manage_memos)."""
    return bool(
        person.is_authenticated and (person.is_superuser or person.has_perm(ADMINISTRATOR_PERMISSION))
    )


def _today() -> date:
    return bangkok_day(None)


def _auditor_ids() -> QuerySet[Any, Any]:
    app, codename = AUDITOR_PERMISSION.split(".")
    granted = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app) | Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app
    )
    return Person.objects.filter(granted).values("pk")


# Reads ------------------------------------------------------------------------------------------------------


def acting_choices(*, person: Person, position: Position) -> list[tuple[Any, str]]:
    """Whom the form offers as acting person: each active holder of a position in the organisation (by the
    first of their posts), but the person, auditors and superusers; the rule of รักษาราชการแทน is checked on
    submission (`acting_refusal`), with a message saying whom it allows."""
    rows = (
        Position.objects.filter(organisation_id=position.organisation_id, holder__is_active=True)
        .exclude(holder=person)
        .exclude(holder__is_superuser=True)
        .exclude(holder__in=_auditor_ids())
        .select_related("holder")
        .order_by("sort_order", "title")
    )
    choices: dict[Any, str] = {}
    for post in rows:
        assert post.holder is not None
        choices.setdefault(post.holder_id, f"{post.holder.full_name} — {post.title}")
    return list(choices.items())


def leaves_of(*, person: Person) -> QuerySet[Leave]:
    return Leave.objects.filter(person=person).select_related("position", "acting_person", "decided_by")


def positions_signed_by(*, person: Person) -> list[Position]:
    """The positions `person` signs for today: those they hold with nobody acting for them, and those they act
    for by an appointment in force (signatory_for's rule, asked of each)."""
    today = _today()
    acting = ActingAppointment.objects.valid_on(today).filter(person=person).values("position_id")
    candidates = Position.objects.filter(Q(holder=person) | Q(pk__in=acting)).select_related("holder")
    signed = []
    for position in candidates:
        try:
            if signatory_for(position=position).person.pk == person.pk:
                signed.append(position)
        except NoSignatory:
            continue
    return signed


def leaves_to_decide(*, person: Person) -> QuerySet[Leave]:
    """The leave waiting for `person`'s decision: all of it for an administrator; else that of the positions
    reporting to a position they sign for today. Never their own."""
    waiting = Leave.objects.filter(state=LeaveState.REQUESTED).exclude(person=person)
    if not is_administrator(person):
        waiting = waiting.filter(position__reports_to__in=positions_signed_by(person=person))
    return waiting.select_related("person", "position", "acting_person").order_by("starts_on", "requested_at")


def leave_of(*, leave_id: Any, person: Person) -> Leave:
    """The person's own leave (another person's is not found: its existence is theirs)."""
    from core.errors import NotFound

    leave = Leave.objects.filter(pk=leave_id, person=person).select_related("position").first()
    if leave is None:
        raise NotFound()
    return leave


def leave_to_decide(*, leave_id: Any, person: Person) -> Leave:
    from core.errors import NotFound

    leave = Leave.objects.filter(pk=leave_id).select_related("position", "person", "acting_person").first()
    if leave is None or (leave.person_id != person.pk and decide_refusal(actor=person, leave=leave)):
        raise NotFound()
    return leave


# Rules ------------------------------------------------------------------------------------------------------


def acting_refusal(
    *,
    person: Person,
    position: Position,
    acting_person: Person,
    capacity: str,
    starts_on: date,
    ends_on: date,
) -> Any:
    """Why `acting_person` may not act for `person` in `position` on those days (None: they may); the
    module docstring's rules."""
    if acting_person.pk == person.pk:
        return _("Choose someone other than yourself.")
    if not acting_person.is_active:
        return _("This account is disabled.")
    if acting_person.is_superuser or acting_person.has_perm(AUDITOR_PERMISSION):
        return _("An auditor reads memos but never signs them.")
    own = list(Position.objects.filter(holder=acting_person, organisation_id=position.organisation_id))
    if not own:
        return _("The acting person must hold a position in the same organisation.")
    if capacity == "รักษาราชการแทน" and not any(_near(post, position) for post in own):
        return _(
            "For รักษาราชการแทน choose someone whose position is in the same unit, in the unit of the position "
            "it reports to, or reports to it; or choose ปฏิบัติราชการแทน."
        )
    away = (
        Leave.objects.filter(person=acting_person, state__in=OPEN_STATES)
        .filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
        .first()
    )
    if away is not None:
        return _("%(name)s is on leave on some of these days (%(start)s – %(end)s).") % {
            "name": acting_person.full_name,
            "start": format_date(away.starts_on),
            "end": format_date(away.ends_on),
        }
    return None


def _near(post: Position, position: Position) -> bool:
    superior = position.reports_to
    return (
        post.unit_id == position.unit_id
        or (superior is not None and post.unit_id == superior.unit_id)
        or post.reports_to_id == position.pk
    )


def decide_refusal(*, actor: Person, leave: Leave) -> Any:
    """Why `actor` may not approve or refuse `leave` (None: they may); the module docstring's rule."""
    if actor.pk == leave.person_id:
        return _("Nobody approves their own leave.")
    if is_administrator(actor):
        return None
    superior = leave.position.reports_to
    if superior is None:
        return _("This position reports to nobody: an administrator decides its leave.")
    try:
        signatory = signatory_for(position=superior)
    except NoSignatory:
        return _("Only whoever signs for %(position)s, or an administrator, decides this leave.") % {
            "position": superior.title
        }
    if signatory.person.pk != actor.pk:
        return _("Only whoever signs for %(position)s, or an administrator, decides this leave.") % {
            "position": superior.title
        }
    return None


# Writes -----------------------------------------------------------------------------------------------------


def _audit(action: str, leave: Leave, actor: Person, meta: RequestMeta | None, **data: Any) -> None:
    audit_event_append(
        action=action,
        obj=leave,
        actor=actor,
        data={
            "person": leave.person.username,
            "position": leave.position.title,
            "starts_on": leave.starts_on.isoformat(),
            "ends_on": leave.ends_on.isoformat(),
            "acting_person": leave.acting_person.username,
            "capacity": leave.capacity,
            "order_reference": leave.order_reference,
            **data,
        },
        meta=meta,
    )


def _locked(leave: Leave) -> Leave:
    """The position's row lock, then the leave's, in the caller's transaction; the leave fresh."""
    Position.objects.select_for_update().filter(pk=leave.position_id).exists()
    return (
        Leave.objects.select_for_update(of=("self",))
        .select_related("person", "position__reports_to", "acting_person")
        .get(pk=leave.pk)
    )


def _overlapping_leave(*, person: Person, position: Position, starts_on: date, ends_on: date) -> Leave | None:
    return (
        Leave.objects.filter(person=person, position=position, state__in=OPEN_STATES)
        .filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
        .first()
    )


def leave_request(
    *,
    person: Person,
    position: Position,
    starts_on: date | None,
    ends_on: date | None,
    acting_person: Person | None,
    capacity: str,
    order_reference: str = "",
    note: str = "",
    meta: RequestMeta | None = None,
    inform: Inform | None = None,
) -> Leave:
    """The person asks for leave from a position they hold, naming who acts; nothing changes on a refusal.
    `inform` is called with the new leave inside the transaction (the notifications, which org does not know)."""
    errors: dict[str, list[Any]] = {}
    today = _today()
    if position.holder_id != person.pk:
        errors["position"] = [_("You can only take leave from a position you hold.")]
    if starts_on is None:
        errors["starts_on"] = [_("Give the first day.")]
    elif starts_on < today:
        errors["starts_on"] = [_("The leave cannot start before today.")]
    if ends_on is None:
        errors["ends_on"] = [_("Give the last day.")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The last day is before the first day.")]
    elif starts_on is not None and (ends_on - starts_on).days >= MAX_DAYS:
        errors["ends_on"] = [_("One request covers at most a year.")]
    if capacity not in LEAVE_CAPACITIES:
        errors["capacity"] = [_("Choose ปฏิบัติราชการแทน or รักษาราชการแทน.")]
    order_reference = (order_reference or "").strip()
    note = (note or "").strip()
    if len(order_reference) > ORDER_MAX:
        errors["order_reference"] = [_("The order reference is too long.")]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("The note is too long.")]
    if acting_person is None:
        errors["acting_person"] = [_("Choose who acts for you.")]
    if errors:
        raise ValidationFailed(fields=errors)
    assert starts_on is not None
    assert ends_on is not None
    assert acting_person is not None
    refusal = acting_refusal(
        person=person,
        position=position,
        acting_person=acting_person,
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    if refusal is not None:
        raise ValidationFailed(refusal, fields={"acting_person": [refusal]})
    leave = Leave(
        person=person,
        position=position,
        starts_on=starts_on,
        ends_on=ends_on,
        acting_person=acting_person,
        capacity=capacity,
        order_reference=order_reference,
        note=note,
    )
    with transaction.atomic(durable=True):
        Position.objects.select_for_update().filter(pk=position.pk).exists()
        _check_free(leave)
        leave.save()
        _audit("leave.requested", leave, person, meta, note=note)
        if inform is not None:
            inform(leave)
    return leave


def _check_free(leave: Leave) -> None:
    """Under the position's lock: no acting appointment for the position on those days, and no other open
    leave of the person from it."""
    clash = (
        ActingAppointment.objects.filter(position_id=leave.position_id)
        .overlapping(leave.starts_on, leave.ends_on)
        .select_related("person")
        .first()
    )
    if clash is not None:
        raise OverlappingAppointment(overlap_message(clash), fields={"starts_on": [overlap_message(clash)]})
    other = _overlapping_leave(
        person=leave.person, position=leave.position, starts_on=leave.starts_on, ends_on=leave.ends_on
    )
    if other is not None and other.pk != leave.pk:
        message = _("You have already asked for leave on some of these days (%(start)s – %(end)s).") % {
            "start": format_date(other.starts_on),
            "end": format_date(other.ends_on),
        }
        raise ValidationFailed(message, fields={"starts_on": [message]})


def _locked_to_decide(leave: Leave, actor: Person) -> Leave:
    """The leave, locked, if `actor` may decide it and it still waits for a decision."""
    current = _locked(leave)
    refusal = decide_refusal(actor=actor, leave=current)
    if refusal is not None:
        raise Forbidden(refusal)
    if current.state != LeaveState.REQUESTED:
        raise InvalidState(_("This leave has already been decided or cancelled."))
    return current


def leave_approve(
    *, leave: Leave, actor: Person, meta: RequestMeta | None = None, inform: Inform | None = None
) -> Leave:
    """Approve: the acting appointment for the leave's days is made in the same transaction. The rules are
    checked again (an account may have been disabled, an appointment made, since the request). `inform`
    (the notifications, which org does not know) is called with the approved leave inside the transaction."""
    with transaction.atomic(durable=True):
        current = _locked_to_decide(leave, actor)
        if current.ends_on < _today():
            raise InvalidState(_("This leave has already ended; it can only be refused."))
        refusal = acting_refusal(
            person=current.person,
            position=current.position,
            acting_person=current.acting_person,
            capacity=current.capacity,
            starts_on=current.starts_on,
            ends_on=current.ends_on,
        )
        if refusal is not None:
            raise ValidationFailed(refusal, fields={"acting_person": [refusal]})
        _check_free(current)
        appointment = ActingAppointment(
            position=current.position,
            person=current.acting_person,
            capacity=current.capacity,
            valid_from=current.starts_on,
            valid_to=current.ends_on,
            order_reference=current.order_reference,
        )
        acting_appointment_save_locked(
            appointment=appointment, created=True, actor=actor, meta=meta, leave=str(current.pk)
        )
        current.state = LeaveState.APPROVED
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.appointment = appointment
        current.save(update_fields=["state", "decided_by", "decided_at", "appointment"])
        _audit("leave.approved", current, actor, meta, appointment=str(appointment.pk))
        if inform is not None:
            inform(current)
    return current


def leave_refuse(
    *, leave: Leave, actor: Person, reason: str, meta: RequestMeta | None = None, inform: Inform | None = None
) -> Leave:
    reason = (reason or "").strip()
    with transaction.atomic(durable=True):
        current = _locked_to_decide(leave, actor)
        if not reason:
            raise ValidationFailed(fields={"reason": [_("Give the reason, so the person knows why.")]})
        if len(reason) > MAX_REASON:
            raise ValidationFailed(fields={"reason": [_("The reason is too long.")]})
        current.state = LeaveState.REFUSED
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.refusal_reason = reason
        current.save(update_fields=["state", "decided_by", "decided_at", "refusal_reason"])
        _audit("leave.refused", current, actor, meta, reason=reason)
        if inform is not None:
            inform(current)
    return current


@dataclass(frozen=True)
class Cancelled:
    leave: Leave
    was_approved: bool


def leave_cancel(*, leave: Leave, actor: Person, meta: RequestMeta | None = None) -> Cancelled:
    """The person cancels their leave, asked for or approved, until its last day. An approved one's
    appointment ends before today: its last day becomes yesterday, or, if it had not begun before today, it
    is withdrawn (deleted; its details stay in the audit event) — so the person signs again at once."""
    with transaction.atomic(durable=True):
        current = _locked(leave)
        if current.person_id != actor.pk:
            raise Forbidden(_("Only the person on leave can cancel it."))
        if current.state not in OPEN_STATES:
            raise InvalidState(_("This leave has already been refused or cancelled."))
        today = _today()
        if current.ends_on < today:
            raise InvalidState(_("This leave has already ended."))
        was_approved = current.state == LeaveState.APPROVED
        ended: dict[str, Any] = {}
        appointment = current.appointment
        if appointment is not None:
            ended = _end_appointment(appointment, today=today, actor=actor, meta=meta, leave=current)
        current.state = LeaveState.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["state", "cancelled_at", "appointment"])
        _audit("leave.cancelled", current, actor, meta, was_approved=was_approved, **ended)
    return Cancelled(leave=current, was_approved=was_approved)


def _end_appointment(
    appointment: ActingAppointment, *, today: date, actor: Person, meta: RequestMeta | None, leave: Leave
) -> dict[str, Any]:
    data = {
        "position": str(appointment.position_id),
        "person": leave.acting_person.username,
        "capacity": appointment.capacity,
        "valid_from": appointment.valid_from.isoformat(),
        "valid_to": appointment.valid_to.isoformat() if appointment.valid_to else None,
        "order_reference": appointment.order_reference,
        "leave": str(leave.pk),
    }
    if appointment.valid_from < today:
        yesterday = today - timedelta(days=1)
        appointment.valid_to = yesterday
        appointment.save(update_fields=["valid_to"])
        audit_event_append(
            action="acting_appointment.changed",
            obj=appointment,
            actor=actor,
            data={**data, "changed": {"valid_to": [data["valid_to"], yesterday.isoformat()]}},
            meta=meta,
        )
        return {"appointment_ends_on": yesterday.isoformat()}
    audit_event_append(
        action="acting_appointment.withdrawn", obj=appointment, actor=actor, data=data, meta=meta
    )
    leave.appointment = None
    appointment.delete()
    return {"appointment_withdrawn": True}


def leave_mark_returned(*, leave_id: Any, day: date) -> bool:
    """Record that the steps of an ended or cancelled leave went back (the daily job's once-only mark);
    False when another run marked it first."""
    return bool(
        Leave.objects.filter(pk=leave_id, steps_returned_on__isnull=True).update(steps_returned_on=day)
    )
