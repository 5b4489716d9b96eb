"""The organisation chart: who holds which position, and who acts for a vacant or absent one.

Every routing decision rests on this model; `org.selectors.signatory_for` is the one resolver.
"""

import uuid
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Person(AbstractUser):
    """A user of memoflow, named as printed under a signature: Thai title, first and last name."""

    title = models.CharField(
        _("title"), max_length=64, blank=True, help_text=_("As printed: นาย, นาง, นางสาว, ว่าที่ร้อยตรี ...")
    )
    first_name_th = models.CharField(_("first name (Thai)"), max_length=150, blank=True)
    last_name_th = models.CharField(_("last name (Thai)"), max_length=150, blank=True)
    #: Where a LINE relay pushes this person's notifications (docs/integrations.md); sent in webhook payloads.
    line_user_id = models.CharField(
        _("LINE user ID"),
        max_length=64,
        blank=True,
        validators=[
            RegexValidator(
                r"^U[0-9a-f]{32}$",
                _("A LINE user ID is U followed by 32 characters 0-9 and a-f."),
                code="line_user_id",
            )
        ],
        help_text=_(
            "For messages through LINE: U followed by 32 characters (from the organisation's LINE bot)."
        ),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [
            ("audit_memos", _("Can read every memo and its history (auditor)")),
            # Granted to a person; valid for the units of the positions they hold (workflow.register).
            ("keep_register", _("Keeps the register of the units of their positions (records clerk)")),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """ "นางราชวรี อนุกุล": the title is written against the first name, as in Thai documents."""
        first = self.first_name_th or self.first_name
        last = self.last_name_th or self.last_name
        name = f"{self.title}{first} {last}".strip()
        return name or self.username


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=64, help_text=_("For example อบต.หนองโสน"))
    document_code = models.CharField(
        _("document code"), max_length=32, help_text=_("Printed before the number, for example พบ ๓๒๘๐๑")
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    emblem = models.ImageField(
        _("emblem"),
        upload_to="emblems/",
        blank=True,
        help_text=_("The agency's official Garuda emblem file, uploaded by an administrator."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """ส่วนราชการ: a สำนัก or กอง, or a งาน inside one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    document_code = models.CharField(
        _("document code"),
        max_length=32,
        blank=True,
        help_text=_("Only when this unit numbers its own memos; empty: the organisation's code."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="unit_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(parent__isnull=True),
                name="unit_unique_top_level_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Unit"]:
        """This unit's parents, nearest first (walks the chain; charts are a few levels deep)."""
        chain: list[Unit] = []
        seen = {self.pk}
        unit = self.parent
        while unit is not None and unit.pk not in seen:
            chain.append(unit)
            seen.add(unit.pk)
            unit = unit.parent
        return chain

    def top_level(self) -> "Unit":
        chain = self.ancestors()
        return chain[-1] if chain else self

    @property
    def register_code(self) -> str:
        """The code of the register this unit's memos are numbered from (its own, a parent's, or the org's)."""
        for unit in [self, *self.ancestors()]:
            if unit.document_code:
                return unit.document_code
        return self.organisation.document_code

    @property
    def full_name(self) -> str:
        """ "งานประชาสัมพันธ์ สำนักปลัด": as printed after ส่วนราชการ."""
        return " ".join([self.name, *(u.name for u in self.ancestors())])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id is not None:
            if self.parent_id == self.pk or (
                self.parent and self.pk in {u.pk for u in self.parent.ancestors()}
            ):
                raise ValidationError({"parent": _("A unit cannot be inside itself.")})
            if self.parent and self.parent.organisation_id != self.organisation_id:
                raise ValidationError({"parent": _("The parent unit belongs to another organisation.")})


class Position(models.Model):
    """A post, titled exactly as printed under a signature; held by one person or vacant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="positions"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        help_text=_("Empty for the organisation's executives (นายก, ปลัด)."),
    )
    title = models.CharField(_("title"), max_length=255, help_text=_("Exactly as printed under a signature."))
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_head_of_unit = models.BooleanField(_("head of the unit"), default=False)
    holder = models.ForeignKey(
        Person,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
        help_text=_("Empty when the position is vacant."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["sort_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_head_of_unit=True), name="position_one_head_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_vacant(self) -> bool:
        return self.holder_id is None


class ActingCapacity(models.TextChoices):
    """How someone signs for a position that is not theirs; the value is the phrase printed before it."""

    ACTING = "รักษาราชการแทน", _("Acting by law (รักษาราชการแทน)")
    ON_BEHALF = "ปฏิบัติราชการแทน", _("On behalf, by delegation (ปฏิบัติราชการแทน)")
    CARETAKER = "รักษาการแทน", _("Caretaker (รักษาการแทน)")


class ActingAppointmentQuerySet(models.QuerySet["ActingAppointment"]):
    def valid_on(self, day: date) -> "ActingAppointmentQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def overlapping(self, valid_from: date, valid_to: date | None) -> "ActingAppointmentQuerySet":
        """Appointments sharing at least one day with [valid_from, valid_to] (valid_to None: open-ended)."""
        qs = self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        if valid_to is not None:
            qs = qs.filter(valid_from__lte=valid_to)
        return qs


class ActingAppointment(models.Model):
    """Somebody appointed to sign for a position for a period, by a numbered order (คำสั่ง)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="appointments"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("acting person"), on_delete=models.PROTECT, related_name="acting_appointments"
    )
    capacity = models.CharField(_("capacity"), max_length=32, choices=ActingCapacity.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: until revoked."))
    order_reference = models.CharField(
        _("order reference"), max_length=128, blank=True, help_text=_("For example คำสั่ง ๔/๒๕๖๖")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ActingAppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("acting appointment")
        verbose_name_plural = _("acting appointments")
        ordering = ["position", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="appointment_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.capacity}{self.position}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})
        if self.position_id and self.valid_from:
            clash = self.overlapping_appointments().first()
            if clash is not None:
                raise ValidationError(overlap_message(clash))

    def overlapping_appointments(self) -> ActingAppointmentQuerySet:
        qs = ActingAppointment.objects.filter(position_id=self.position_id).overlapping(
            self.valid_from, self.valid_to
        )
        if self.pk is not None and not self._state.adding:
            qs = qs.exclude(pk=self.pk)
        return qs.select_related("person")


def overlap_message(clash: ActingAppointment) -> Any:
    """In the reader's calendar: ๑ ตุลาคม ๒๕๖๖ in Thai, 1 October 2023 in English."""
    from core.thai import format_date

    end = format_date(clash.valid_to) if clash.valid_to else _("until revoked")
    return _("Overlaps the appointment of %(person)s (%(start)s – %(end)s).") % {
        "person": clash.person.full_name,
        "start": format_date(clash.valid_from),
        "end": end,
    }


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored, so a copy of the database does not hand out live tokens."""

    key_hash = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # SHA-256 of the person's password hash when the token was issued: a token works only while the
    # password is the one it was issued under, whichever way the password was changed (profile, admin reset,
    # `manage.py changepassword`). The password hash is salted, so this reveals nothing about the password.
    password_stamp = models.CharField(max_length=64, default="", editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person.username} {self.created_at:%Y-%m-%d}"


class Holiday(models.Model):
    """A day the office is closed besides Saturday and Sunday (วันหยุดราชการ): a national public holiday or a
    substitution day the cabinet announces (วันหยุดชดเชย, วันหยุดพิเศษ), for every organisation (organisation
    empty), or one organisation's own day off. Due times count working days over them (core.workdays,
    org.holidays.work_calendar). Configuration, edited in the admin through org.holidays (audited)."""

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200, help_text=_("For example วันสงกรานต์"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holidays",
        help_text=_("Empty: a national holiday, for every organisation."),
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(organisation__isnull=True),
                name="holiday_unique_national_date",
                violation_error_message=_("There is already a national holiday on this date."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "date"],
                condition=Q(organisation__isnull=False),
                name="holiday_unique_organisation_date",
                violation_error_message=_("This organisation already has a holiday on this date."),
            ),
        ]
        indexes = [models.Index(fields=["date"], name="holiday_date_idx")]  # the calendar's one range query

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
