"""Route templates and memos in the Django admin (Thai by default). Template saves go through the service,
which refuses a route without exactly one decision step at the end."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from core.admin import ServiceTransactionMixin
from core.errors import ApplicationError
from memos.models import Memo
from org.models import Person
from workflow import services
from workflow.models import OpinionPhrase, RouteStep, RouteTemplate, RouteTemplateStep, StepRole, TemplateSlot


class TemplateStepFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kept.sort(key=lambda d: d.get("order") or 0)
        roles = [d.get("role") for d in kept]
        if not roles or roles[-1] != StepRole.DECISION or roles.count(StepRole.DECISION) != 1:
            raise forms.ValidationError(
                _("The route must have exactly one decision step, and it must be the last.")
            )
        for data in kept:
            if data.get("slot") == TemplateSlot.POSITION and data.get("position") is None:
                raise forms.ValidationError(_("Choose the position of each step."))


class RouteTemplateStepInline(admin.TabularInline[RouteTemplateStep, RouteTemplate]):
    model = RouteTemplateStep
    formset = TemplateStepFormSet
    fields = ("order", "role", "slot", "position")
    autocomplete_fields = ("position",)
    extra = 0


@admin.register(OpinionPhrase)
class OpinionPhraseAdmin(admin.ModelAdmin[OpinionPhrase]):
    """Configuration, not history: the phrases offered to each role's signatories (none for a role: the
    built-in ones, settings.MEMOFLOW_OPINION_PHRASES)."""

    list_display = ("text", "role", "organisation", "sort_order")
    list_editable = ("sort_order",)
    list_filter = ("organisation", "role")


@admin.register(RouteTemplate)
class RouteTemplateAdmin(ServiceTransactionMixin, admin.ModelAdmin[RouteTemplate]):
    list_display = ("name", "organisation", "unit")
    inlines = [RouteTemplateStepInline]

    def save_model(self, request: HttpRequest, obj: RouteTemplate, form: Any, change: bool) -> None:
        """Saved with its steps in save_related, through the service."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        template: RouteTemplate = form.instance
        rows = [
            f.cleaned_data for f in formsets[0].forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        rows.sort(key=lambda d: d.get("order") or 0)
        actor = request.user if isinstance(request.user, Person) else None
        try:
            services.route_template_save(
                organisation=template.organisation,
                unit=template.unit,
                name=template.name,
                steps=[(d["role"], d["slot"], d.get("position")) for d in rows],
                template=template,
                actor=actor,
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        for formset in formsets:  # the admin's change message reads these; the service saved the steps
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class RouteStepInline(admin.TabularInline[RouteStep, Memo]):
    model = RouteStep
    fields = (
        "round",
        "order",
        "role",
        "position",
        "assignee",
        "capacity",
        "state",
        "activated_at",
        "acted_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("round", "order")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Memo)
class MemoAdmin(admin.ModelAdmin[Memo]):
    """Read-only: memos change only through their workflow (the API and the web pages)."""

    list_display = ("number", "subject", "writer", "status", "urgency", "date", "created_at")
    list_filter = ("status", "urgency")
    search_fields = ("number", "subject")
    list_select_related = ("writer",)
    date_hierarchy = "created_at"
    inlines = [RouteStepInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Memo._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# viewflow's own pages: view only. A memo's route runs on its process and tasks; a task deleted or edited here
# would leave a memo that can never be approved. (RouteStep.task is PROTECT as well.)
class ReadOnlyAdminMixin:
    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyTaskInline(ReadOnlyAdminMixin, viewflow_admin.TaskInline):  # type: ignore[misc]
    pass


for _model in (Process, Task):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdminMixin, viewflow_admin.ProcessAdmin):  # type: ignore[misc]
    inlines = [ReadOnlyTaskInline]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdminMixin, viewflow_admin.TaskAdmin):  # type: ignore[misc]
    pass
