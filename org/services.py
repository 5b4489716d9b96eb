"""Every change to the organisation chart goes through here, with its audit event, in one transaction."""

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.audit import RequestMeta, audit_event_append
from core.errors import BadPassword, OverlappingAppointment, ValidationFailed
from org import lockout, signals
from org.authentication import api_tokens_revoke_all
from org.models import ActingAppointment, ActingCapacity, Person, Position, overlap_message


def _validation_failed(exc: ValidationError) -> ValidationFailed:
    fields: dict[str, list[Any]] = {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            fields[name] = list(errors)
    else:
        fields["non_field_errors"] = list(exc.messages)
    return ValidationFailed(fields=fields)


def _changes(obj: models.Model, fields: list[str]) -> dict[str, str]:
    return {name: str(getattr(obj, name)) for name in fields}


def org_object_save(
    *, obj: models.Model, actor: Person | None = None, meta: RequestMeta | None = None
) -> models.Model:
    """Validate and save an organisation, unit or position (configuration objects without locking needs)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise _validation_failed(exc) from exc
    created = obj._state.adding
    fields = [f.name for f in obj._meta.concrete_fields if not f.primary_key and f.name != "emblem"]
    with transaction.atomic(durable=True):
        before = None if created else type(obj)._default_manager.filter(pk=obj.pk).first()
        obj.save()
        data: dict[str, Any] = _changes(obj, fields)
        if before is not None:
            data["changed"] = _old_new(before, obj, fields)
        audit_event_append(
            action=f"{obj._meta.model_name}.{'created' if created else 'changed'}",
            obj=obj,
            actor=actor,
            data=data,
            meta=meta,
        )
    return obj


def _old_new(before: models.Model, after: models.Model, fields: list[str]) -> dict[str, list[str | None]]:
    """Each field whose value changed: [old, new], as text (a related object by its id)."""
    changed = {}
    for name in fields:
        attname = before._meta.get_field(name).attname  # type: ignore[union-attr]
        old, new = getattr(before, attname), getattr(after, attname)
        if old != new:
            changed[name] = [str(old) if old is not None else None, str(new) if new is not None else None]
    return changed


def person_create(
    *,
    username: str,
    password: str | None,
    title: str,
    first_name_th: str,
    last_name_th: str,
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: Person | None = None,
) -> Person:
    person = Person(
        username=username,
        title=title,
        first_name_th=first_name_th,
        last_name_th=last_name_th,
        email=email,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    try:
        person.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise _validation_failed(exc) from exc
    with transaction.atomic(durable=True):
        person.save()
        audit_event_append(action="person.created", obj=person, actor=actor, data={"username": username})
    return person


def acting_appointment_create(
    *,
    position: Position,
    person: Person,
    capacity: str,
    valid_from: date,
    valid_to: date | None = None,
    order_reference: str = "",
    actor: Person | None = None,
    meta: RequestMeta | None = None,
) -> ActingAppointment:
    """Appoint `person` to sign for `position`; refused if it overlaps another one for the position."""
    appointment = ActingAppointment(
        position=position,
        person=person,
        capacity=capacity,
        valid_from=valid_from,
        valid_to=valid_to,
        order_reference=order_reference,
    )
    return _acting_appointment_write(appointment=appointment, actor=actor, meta=meta)


def acting_appointment_update(
    *,
    appointment: ActingAppointment,
    actor: Person | None = None,
    meta: RequestMeta | None = None,
    **changes: Any,
) -> ActingAppointment:
    """Change an appointment (a correction of the order's details, the position included); the overlap
    check then covers the position it names now."""
    allowed = {"position", "person", "capacity", "valid_from", "valid_to", "order_reference"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)}
        )
    previous_position_id = appointment.position_id
    fields = ["position", "person", "capacity", "valid_from", "valid_to", "order_reference"]
    before = ActingAppointment(**{f: getattr(appointment, f) for f in fields})
    for name, value in changes.items():
        setattr(appointment, name, value)
    return _acting_appointment_write(
        appointment=appointment,
        actor=actor,
        meta=meta,
        also_lock=previous_position_id,
        changed=_old_new(before, appointment, fields),
    )


def _acting_appointment_write(
    *,
    appointment: ActingAppointment,
    actor: Person | None,
    meta: RequestMeta | None,
    also_lock: Any = None,
    changed: dict[str, list[str | None]] | None = None,
) -> ActingAppointment:
    if appointment.capacity not in ActingCapacity.values:
        raise ValidationFailed(fields={"capacity": [_("Choose รักษาราชการแทน, ปฏิบัติราชการแทน or รักษาการแทน.")]})
    if appointment.valid_to is not None and appointment.valid_to < appointment.valid_from:
        raise ValidationFailed(fields={"valid_to": [_("The end date is before the start date.")]})
    created = appointment._state.adding
    with transaction.atomic(durable=True):
        # Lock the position so two administrators cannot each save an appointment that overlaps the other's
        # (and the one it leaves, when it moves; always in the same order, so two moves cannot deadlock).
        locked = {appointment.position_id, also_lock} - {None}
        list(Position.objects.select_for_update().filter(pk__in=locked).order_by("pk"))
        acting_appointment_save_locked(
            appointment=appointment, created=created, actor=actor, meta=meta, changed=changed
        )
    return appointment


def acting_appointment_save_locked(
    *,
    appointment: ActingAppointment,
    created: bool,
    actor: Person | None,
    meta: RequestMeta | None,
    changed: dict[str, list[str | None]] | None = None,
    **extra: Any,
) -> None:
    """The overlap check, the save and its event, inside the caller's transaction, which holds the position's
    row lock (here, and org.leave's approval)."""
    clash = appointment.overlapping_appointments().first()
    if clash is not None:
        raise OverlappingAppointment(fields={"valid_from": [overlap_message(clash)]})
    appointment.save()
    audit_event_append(
        action="acting_appointment.created" if created else "acting_appointment.changed",
        obj=appointment,
        actor=actor,
        data={
            "position": str(appointment.position_id),
            "person": appointment.person.username,
            "capacity": appointment.capacity,
            "valid_from": appointment.valid_from.isoformat(),
            "valid_to": appointment.valid_to.isoformat() if appointment.valid_to else None,
            "order_reference": appointment.order_reference,
            **({"changed": changed} if changed is not None else {}),
            **extra,
        },
        meta=meta,
    )


def person_password_change(
    *,
    person: Person,
    password: str | None,
    old_password: str | None = None,
    actor: Person | None = None,
    meta: RequestMeta | None = None,
) -> Person:
    """Set a new password (the person's own change on the profile page, or an administrator's reset; None:
    no password sign-in at all): every API token of the person is revoked in the same transaction, and
    `org.signals.password_changed` is sent in it (the signing key is re-wrapped, or re-issued after a reset).
    The caller has validated the password, and the old one when the person changes their own."""
    if password is None:
        person.set_unusable_password()
    else:
        person.set_password(password)
    by_self = actor is not None and actor.pk == person.pk
    with transaction.atomic(durable=True):
        person.save(update_fields=["password"])
        revoked = api_tokens_revoke_all(person=person)
        signals.password_changed.send(
            sender=Person,
            person=person,
            old_password=old_password if by_self else None,
            new_password=password,
            by_admin=not by_self,
            meta=meta,
        )
        audit_event_append(
            action="person.password_changed",
            obj=person,
            actor=actor,
            data={"by_self": by_self, "api_tokens_revoked": revoked},
            meta=meta,
        )
    return person


def signing_password_check(*, actor: Person, password: str | None, meta: RequestMeta | None = None) -> None:
    """Step-up: the password typed again to sign (submit, approve, return, reject). A wrong one counts as a
    failed sign-in for the account and the address (django-axes, shared by every process); a locked-out
    account or address cannot sign, even with the right password. Checked before any change."""
    request = lockout.request_for(meta)
    username = actor.get_username()
    credentials = {"username": username}
    ip_address = meta.ip_address if meta is not None else None
    if settings.AXES_ENABLED:
        locked = lockout.known_locked(actor, ip_address=ip_address)  # read with the step (the API's approve)
        if locked is None:
            locked = lockout.is_locked(username=username, ip_address=ip_address)
        if locked:
            raise lockout.locked_out(username=username, ip_address=ip_address)
    if not password:  # an empty password never signs, whatever the stored hash says
        raise BadPassword()
    if not actor.check_password(password):
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            raise lockout.locked_out(username=username, ip_address=ip_address)
        raise BadPassword()
