"""The organisation chart in the Django admin (Thai by default); every save goes through org.services."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from core import thai
from core.admin import BuddhistDateField, LocalDateInput, LocalDatesAdmin, ServiceTransactionMixin, local_when
from core.audit import RequestMeta, audit_event_append
from org import holidays, services
from org.forms import PersonPasswordResetForm
from org.models import ActingAppointment, Holiday, Organisation, Person, Position, Unit


def _actor(request: HttpRequest) -> Person | None:
    return request.user if isinstance(request.user, Person) else None


class ServiceSaveMixin(ServiceTransactionMixin):
    """Route the admin's saves through the audited service instead of Model.save()."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.org_object_save(obj=obj, actor=_actor(request), meta=RequestMeta.from_request(request))


class NoDeleteAdmin(admin.ModelAdmin[Any]):
    """The organisation chart is history too: memos, signatures and the audit log point at its people,
    positions and units (PROTECT), and no service deletes them. An account is disabled (active: off), a
    position vacated, a unit left empty, instead; so the admin offers no delete button or action."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(LocalDatesAdmin, NoDeleteAdmin, UserAdmin[Person]):
    list_display = ("username", "full_name", "is_active", "is_staff")
    readonly_fields = ("last_login", "date_joined")
    search_fields = ("username", "first_name_th", "last_name_th", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Name as printed"), {"fields": ("title", "first_name_th", "last_name_th")}),
        (_("Other details"), {"fields": ("first_name", "last_name", "email", "line_user_id")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Name as printed"), {"fields": ("title", "first_name_th", "last_name_th")}),
    )

    change_password_form = PersonPasswordResetForm  # through org.services: revokes the API tokens, audited

    @admin.display(description=_("full name"))
    def full_name(self, obj: Person) -> str:
        return obj.full_name

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        with PersonPasswordResetForm.for_request(request):
            return super().user_change_password(request, id, form_url)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Accounts are saved by Django's user admin (it hashes passwords); every change is audited, in the
        admin's transaction, including groups and permissions (the auditor role is one)."""
        super().save_related(request, form, formsets, change)
        person = form.instance
        audit_event_append(
            action="person.changed" if change else "person.created",
            obj=person,
            actor=_actor(request),
            data={
                "username": person.username,
                "fields": sorted(
                    name for name in form.changed_data if name not in ("password", "password1", "password2")
                ),
                "changed": _form_changes(form) if change else {},
                "password_changed": bool({"password", "password1"} & set(form.changed_data)),
                "is_active": person.is_active,
                "is_superuser": person.is_superuser,
                "groups": sorted(person.groups.values_list("name", flat=True)),
            },
            meta=RequestMeta.from_request(request),
        )


def _as_text(value: Any) -> Any:
    if isinstance(value, list | tuple | models.QuerySet):
        return sorted(str(v) for v in value)
    return value if value is None or isinstance(value, bool | int) else str(value)


def _form_changes(form: Any) -> dict[str, list[Any]]:
    """Each changed field of an admin form but passwords: [old, new] (groups and permissions by name)."""
    return {
        name: [_as_text(form.initial.get(name)), _as_text(form.cleaned_data.get(name))]
        for name in form.changed_data
        if "password" not in name
    }


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(GroupAdmin):
    """Django's groups, audited: a group's permissions are people's rights (the auditor role is one)."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        group = form.instance
        audit_event_append(
            action="group.changed" if change else "group.created",
            obj=group,
            actor=_actor(request),
            data={
                "name": group.name,
                "permissions": _group_permissions(group),
                "changed": _form_changes(form) if change else {},
            },
            meta=RequestMeta.from_request(request),
        )

    def delete_model(self, request: HttpRequest, obj: Group) -> None:
        self._audit_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for group in queryset:
                self._audit_deleted(request, group)
            super().delete_queryset(request, queryset)

    def _audit_deleted(self, request: HttpRequest, group: Group) -> None:
        audit_event_append(
            action="group.deleted",
            obj=group,
            actor=_actor(request),
            data={
                "name": group.name,
                "permissions": _group_permissions(group),
                "members": sorted(group.user_set.values_list("username", flat=True)),
            },
            meta=RequestMeta.from_request(request),
        )


def _group_permissions(group: Group) -> list[str]:
    return sorted(
        f"{app}.{code}" for app, code in group.permissions.values_list("content_type__app_label", "codename")
    )


@admin.register(Organisation)
class OrganisationAdmin(ServiceSaveMixin, NoDeleteAdmin, admin.ModelAdmin[Organisation]):
    list_display = ("name", "short_name", "document_code", "phone")


class PositionInline(admin.TabularInline[Position, Unit]):
    model = Position
    fields = ("title", "is_head_of_unit", "holder", "reports_to", "sort_order")
    extra = 0
    show_change_link = True
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # positions are edited on their own page, through the service

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ServiceSaveMixin, NoDeleteAdmin, admin.ModelAdmin[Unit]):
    list_display = ("name", "parent", "phone", "sort_order")
    list_filter = ("organisation",)
    search_fields = ("name",)
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(ServiceSaveMixin, NoDeleteAdmin, admin.ModelAdmin[Position]):
    list_display = ("title", "unit", "is_head_of_unit", "holder_display", "reports_to")
    list_filter = ("organisation", "is_head_of_unit", "unit")
    search_fields = ("title", "holder__first_name_th", "holder__last_name_th", "holder__username")
    list_select_related = ("unit", "holder", "reports_to")
    autocomplete_fields = ("holder", "reports_to")

    @admin.display(description=_("holder"))
    def holder_display(self, obj: Position) -> str:
        return obj.holder.full_name if obj.holder else str(_("(vacant)"))


@admin.register(ActingAppointment)
class ActingAppointmentAdmin(LocalDatesAdmin, ServiceTransactionMixin, admin.ModelAdmin[ActingAppointment]):
    """Dates typed and shown in the Buddhist era in Thai (day/month/year; "๒ ธ.ค. ๒๕๖๙")."""

    list_display = ("position", "person", "capacity", "valid_from", "until", "order_reference")
    list_filter = ("capacity", ("valid_from", admin.DateFieldListFilter))
    list_select_related = ("position", "person")
    search_fields = ("position__title", "person__first_name_th", "person__last_name_th", "order_reference")
    autocomplete_fields = ("person",)
    fields = ("position", "person", "capacity", "valid_from", "valid_to", "order_reference", "created_at")
    readonly_fields = ("created_at",)
    formfield_overrides = {models.DateField: {"form_class": BuddhistDateField, "widget": LocalDateInput}}

    @admin.display(description=_("valid to"), ordering="valid_to")
    def until(self, obj: ActingAppointment) -> str:
        return local_when(obj.valid_to) if obj.valid_to else str(_("until revoked"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an appointment is ended by setting its last day, so its history stays

    def save_model(self, request: HttpRequest, obj: ActingAppointment, form: Any, change: bool) -> None:
        meta = RequestMeta.from_request(request)
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            fresh = ActingAppointment.objects.get(pk=obj.pk)
            services.acting_appointment_update(appointment=fresh, actor=_actor(request), meta=meta, **changes)
        else:
            services.acting_appointment_create(
                position=obj.position,
                person=obj.person,
                capacity=obj.capacity,
                valid_from=obj.valid_from,
                valid_to=obj.valid_to,
                order_reference=obj.order_reference,
                actor=_actor(request),
                meta=meta,
            )


class NationalOrOwnFilter(admin.SimpleListFilter):
    title = _("applies to")
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("national", _("Every organisation (national)")), ("own", _("One organisation's own"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "national":
            return queryset.filter(organisation__isnull=True)
        if self.value() == "own":
            return queryset.filter(organisation__isnull=False)
        return queryset


class HolidayYearFilter(admin.SimpleListFilter):
    """By year, named in the reader's era (พ.ศ. ๒๕๖๙ in Thai, 2026 in English); Django's date hierarchy would
    print Gregorian years in Thai too."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = [d.year for d in Holiday.objects.dates("date", "year")]
        english = (translation.get_language() or "th").startswith("en")
        return [(str(y), str(y) if english else thai.thai_digits(f"พ.ศ. {thai.be_year(y)}")) for y in years]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(date__year=int(value)) if value and value.isdigit() else queryset


@admin.register(Holiday)
class HolidayAdmin(LocalDatesAdmin, ServiceTransactionMixin, admin.ModelAdmin[Holiday]):
    """The holiday table that due times count on: dates typed and shown in the Buddhist era in Thai. Saves and
    deletions go through org.holidays (audited), one holiday at a time, also from "delete selected"."""

    list_display = ("date", "weekday", "name", "applies_to")
    list_filter = (HolidayYearFilter, NationalOrOwnFilter, "organisation")
    list_select_related = ("organisation",)
    search_fields = ("name",)
    fields = ("date", "name", "organisation")
    formfield_overrides = {models.DateField: {"form_class": BuddhistDateField, "widget": LocalDateInput}}

    @admin.display(description=_("day"))
    def weekday(self, obj: Holiday) -> str:
        return str(formats.date_format(obj.date, "l"))

    @admin.display(description=_("applies to"), ordering="organisation")
    def applies_to(self, obj: Holiday) -> str:
        return obj.organisation.name if obj.organisation else str(_("Every organisation (national)"))

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        holidays.holiday_save(holiday=obj, actor=_actor(request), meta=RequestMeta.from_request(request))

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        return self._delete_view(request, object_id, extra_context)  # type: ignore[attr-defined,no-any-return]

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        holidays.holiday_delete(holiday=obj, actor=_actor(request), meta=RequestMeta.from_request(request))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for holiday in queryset:
            self.delete_model(request, holiday)
