"""The audit log and the scheduled jobs' runs, read-only in the admin; the admin's dates as people here read them (Buddhist era in Thai);
and the mixin for admin pages that save through a service."""

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import thai
from core.audit_labels import event_label
from core.models import AuditEvent, ScheduledRun

#: What an empty value shows in the admin (Django's "-" reads as a typo; its Thai index said ไม่ว่าง, "busy").
EMPTY = "—"
admin.site.empty_value_display = EMPTY


def _thai_mode() -> bool:
    return not (get_language() or "th").lower().startswith("en")


def local_when(value: date | datetime | None) -> str:
    """A date, or a date and time, in the user's language, in Bangkok: "๕ ต.ค. ๒๕๖๖ ๐๙.๐๕ น." in Thai
    (Buddhist era, Thai digits), "5 Oct 2023 09:05" in English; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return ""
        local = thai.to_bangkok(value)
        if _thai_mode():
            return thai.thai_digits(f"{thai.format_date_short(local, digits='arabic')} {local:%H.%M} น.")
        return f"{thai.format_date_short_en(local)} {local:%H:%M}"
    return thai.format_date(value, style="short")


def _date_column(field: "models.DateField[Any, Any]") -> Callable[[Any], str]:
    name = field.name

    @admin.display(description=field.verbose_name, ordering=name, empty_value=EMPTY)
    def column(obj: Any) -> str:
        return local_when(getattr(obj, name)) or EMPTY

    column.__name__ = name  # the column's CSS class, as for the field itself
    return column


if TYPE_CHECKING:
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


class LocalDatesAdmin(_AdminBase):
    """Dates in lists and read-only fields in the user's language: Buddhist era and Thai digits in Thai,
    Gregorian in English (Django's own formats print Gregorian years in Thai too). Editable date fields are
    the forms' business (BuddhistDateField)."""

    def _local_dates(self) -> dict[str, Callable[[Any], str]]:
        cached: dict[str, Callable[[Any], str]] | None = self.__dict__.get("_local_date_columns")
        if cached is None:
            cached = {
                f.name: _date_column(f) for f in self.model._meta.fields if isinstance(f, models.DateField)
            }
            self.__dict__["_local_date_columns"] = cached
        return cached

    def _local(self, names: Sequence[Any], only: set[str] | None = None) -> list[Any]:
        columns = self._local_dates()
        return [
            columns[n] if isinstance(n, str) and n in columns and (only is None or n in only) else n
            for n in names
        ]

    def get_list_display(self, request: HttpRequest) -> Any:
        return self._local(super().get_list_display(request))  # type: ignore[misc]

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        links = super().get_list_display_links(request, list_display)  # type: ignore[misc]
        return None if links is None else self._local(links)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Django takes callables here as well as names (its stubs say names only)."""
        return self._local(super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = {n for n in super().get_readonly_fields(request, obj) if isinstance(n, str)}
        return [
            (title, {**options, "fields": self._local_fieldset(options["fields"], readonly)})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def _local_fieldset(self, fields: Sequence[Any], readonly: set[str]) -> list[Any]:
        return [
            tuple(self._local(f, readonly)) if isinstance(f, list | tuple) else self._local([f], readonly)[0]
            for f in fields
        ]


_MONTH_NUMBERS: dict[str, int] = {
    name.replace(".", "").lower(): number
    for names in (thai.THAI_MONTHS, thai.THAI_MONTHS_ABBR, thai.ENGLISH_MONTHS, thai.ENGLISH_MONTHS_ABBR)
    for number, name in enumerate(names, start=1)
}
_NUMERIC = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(r"(\d{1,2})\s*([^\d\s]+)\s*(\d{4})")


def parse_local_date(text: str) -> date | None:
    """A date as an administrator here types it: "2/12/2569", "๒/๑๒/๒๕๖๙", "2 ธ.ค. 2569", "2 ธันวาคม ๒๕๖๙",
    or in English "2/12/2026", "2 Dec 2026", "2026-12-02". A year from 2400 on is Buddhist era (no Gregorian
    year of this app's is that late, no Buddhist-era one that early). None if it is not a date."""
    cleaned = " ".join(thai.arabic_digits(text).replace("พ.ศ.", " ").replace("ค.ศ.", " ").split())
    if match := _NUMERIC.fullmatch(cleaned):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.fullmatch(cleaned):
        year, month, day = (int(g) for g in match.groups())
    elif match := _WORDS.fullmatch(cleaned):
        number = _MONTH_NUMBERS.get(match.group(2).replace(".", "").lower().rstrip(","))
        if number is None:
            return None
        day, month, year = int(match.group(1)), number, int(match.group(3))
    else:
        return None
    if year >= 2400:
        year = thai.ce_year(year)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _example() -> str:
    today = thai.bangkok_now().date()
    if _thai_mode():
        return thai.thai_digits(f"{today.day}/{today.month}/{thai.be_year(today.year)}")
    return f"{today.day}/{today.month}/{today.year}"


class LocalDateInput(forms.TextInput):
    """Shows a date as it is read here ("๒ ธ.ค. ๒๕๖๙" in Thai, "2 Dec 2026" in English); no Gregorian
    calendar pop-up."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return thai.format_date(value, style="short")
        formatted: str | None = super().format_value(value)
        return formatted


class BuddhistDateField(forms.Field):
    """A date typed as day/month/year, the year in the Buddhist era in Thai (Gregorian accepted too)."""

    widget = LocalDateInput

    def __init__(self, *, help_text: Any = "", **kwargs: Any) -> None:
        kwargs.pop("form_class", None)
        hint = lazy(_date_hint, str)()
        super().__init__(help_text=format_lazy("{} {}", help_text, hint) if help_text else hint, **kwargs)

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        parsed = parse_local_date(str(value))
        if parsed is None:
            raise forms.ValidationError(
                _("Enter the date as day/month/year, for example %(example)s.") % {"example": _example()},
                code="invalid",
            )
        return parsed


def _date_hint() -> str:
    return str(_("Day/month/year, for example %(example)s.") % {"example": _example()})


class ReadOnlyAdmin(LocalDatesAdmin, admin.ModelAdmin[Any]):
    """History and issued things: looked at, never added, edited or deleted here (no button offers it, and a
    forged request is refused with 403)."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditActionFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        return sorted(((code, str(event_label(code))) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


def _object_type_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class AuditObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        labels = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        return sorted(((label, _object_type_label(label)) for label in labels), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(object_type=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "event", "actor", "object", "ip_address")
    list_display_links = ("at", "event")
    list_filter = (AuditActionFilter, AuditObjectTypeFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("object_id", "actor__username", "action")
    list_select_related = ("actor",)
    fields = (
        "sequence",
        "at",
        "event",
        "actor",
        "object",
        "data",
        "ip_address",
        "user_agent",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description=_("event"), ordering="action")
    def event(self, obj: AuditEvent) -> SafeString:
        """The event in words, its code below in small type (what the logs and the API call it)."""
        return format_html(
            '{}<br><small class="quiet" lang="en" translate="no">{}</small>',
            event_label(obj.action),
            obj.action,
        )

    @admin.display(description=_("object"), ordering="object_type")
    def object(self, obj: AuditEvent) -> SafeString:
        """What it happened to: its kind in words, and a link to its admin page where it has one."""
        kind = _object_type_label(obj.object_type)
        try:
            url = reverse(f"admin:{obj.object_type.replace('.', '_')}_change", args=[obj.object_id])
        except NoReverseMatch:
            return format_html('{} <small class="quiet" translate="no">{}</small>', kind, obj.object_id)
        return format_html(
            '<a href="{}">{}</a> <small class="quiet" translate="no">{}</small>', url, kind, obj.object_id
        )


#: A run's task status in words (django-tasks' TaskResultStatus values).
TASK_STATUS = {
    "READY": _("waiting for a worker"),
    "RUNNING": _("running"),
    "SUCCESSFUL": _("done"),
    "FAILED": _("failed"),
}


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    """Each run of a daily or periodic job (core.schedule: the audit checkpoint, reminders, leave): when it was
    claimed, by which worker, and how its task ended, so an administrator sees that last night's checkpoint was
    made (as `manage.py schedule_status` prints it)."""

    list_display = ("job", "period", "claimed_at", "outcome", "finished", "worker_id")
    list_display_links = ("job", "period")
    list_filter = ("job", ("claimed_at", admin.DateFieldListFilter))
    search_fields = ("job", "period")
    list_select_related = ("task_result",)
    fields = ("job", "period", "claimed_at", "worker_id", "outcome", "finished", "result")
    readonly_fields = fields

    @admin.display(description=_("outcome"))
    def outcome(self, obj: ScheduledRun) -> SafeString | str:
        task = obj.task_result
        if task is None:
            return str(_("task record removed"))
        label = TASK_STATUS.get(task.status, task.status)
        try:
            url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk])
        except NoReverseMatch:
            return str(label)
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("finished"))
    def finished(self, obj: ScheduledRun) -> str:
        task = obj.task_result
        return local_when(task.finished_at if task is not None else None) or EMPTY

    @admin.display(description=_("result"))
    def result(self, obj: ScheduledRun) -> str:
        """What the task returned, or the error it failed with."""
        task = obj.task_result
        if task is None:
            return EMPTY
        if task.status == "FAILED":
            return task.exception_class_path or EMPTY
        return EMPTY if task.return_value is None else str(task.return_value)


class ServiceTransactionMixin(admin.ModelAdmin[Any]):
    """Django's admin wraps a change form in its own transaction; memoflow's services own theirs
    (atomic(durable=True)), so the admin's outer one is left out for models saved through a service."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined,no-any-return]
