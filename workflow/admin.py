"""Route templates and memos in the Django admin (Thai by default). Template saves go through the service,
which refuses a route without exactly one decision step at the end."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from core.admin import LocalDatesAdmin, ReadOnlyAdmin, ServiceTransactionMixin
from core.audit import RequestMeta
from core.errors import ApplicationError
from core.templatetags.thai import local_digits
from memos.models import Memo
from org.models import Person
from workflow import services
from workflow.admin_forms import StepReassignForm, waiting_steps
from workflow.models import (
    OpinionPhrase,
    RouteStep,
    RouteTemplate,
    RouteTemplateStep,
    StepNotice,
    StepReassignment,
    StepRole,
    StepState,
    TemplateSlot,
)
from workflow.selectors import is_administrator


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


def _actor(request: HttpRequest) -> Person | None:
    return request.user if isinstance(request.user, Person) else None


class ServiceDeleteMixin(ServiceTransactionMixin):
    """Deletions through an audited service (`delete_service`), one object at a time, also from the list's
    "delete selected" action; Django's delete page is left outside its own transaction, as the change form."""

    def delete_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        return self._delete_view(request, object_id, extra_context)  # type: ignore[attr-defined,no-any-return]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_service(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_service(request, obj)


@admin.register(OpinionPhrase)
class OpinionPhraseAdmin(ServiceDeleteMixin, admin.ModelAdmin[OpinionPhrase]):
    """Configuration, not history: the phrases offered to each role's signatories (none for a role: the
    built-in ones, settings.MEMOFLOW_OPINION_PHRASES). Every change is audited (services.opinion_phrase_*);
    the order is edited on the phrase's page (the list's inline editing saved outside the service)."""

    list_display = ("text", "role", "organisation", "sort_order")
    list_filter = ("organisation", "role")

    def save_model(self, request: HttpRequest, obj: OpinionPhrase, form: Any, change: bool) -> None:
        services.opinion_phrase_save(
            phrase=obj, actor=_actor(request), meta=RequestMeta.from_request(request)
        )

    def delete_service(self, request: HttpRequest, obj: Any) -> None:
        services.opinion_phrase_delete(
            phrase=obj, actor=_actor(request), meta=RequestMeta.from_request(request)
        )


@admin.register(RouteTemplate)
class RouteTemplateAdmin(ServiceDeleteMixin, admin.ModelAdmin[RouteTemplate]):
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
                meta=RequestMeta.from_request(request),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        for formset in formsets:  # the admin's change message reads these; the service saved the steps
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_service(self, request: HttpRequest, obj: Any) -> None:
        services.route_template_delete(
            template=obj, actor=_actor(request), meta=RequestMeta.from_request(request)
        )


class RouteStepInline(LocalDatesAdmin, admin.TabularInline[RouteStep, Memo]):
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


class WaitingForAdministratorFilter(admin.SimpleListFilter):
    """Memos whose step waits for an administrator to name its signatory (a vacancy, or the separation of
    duties): the ones to open and reassign."""

    title = _("waiting for an administrator")
    parameter_name = "unassigned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("A step has nobody to sign it"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() != "yes":
            return queryset
        unassigned = RouteStep.objects.filter(
            memo=OuterRef("pk"), state=StepState.ACTIVE, assignee__isnull=True
        )
        return queryset.filter(Exists(unassigned))


@admin.register(Memo)
class MemoAdmin(LocalDatesAdmin, admin.ModelAdmin[Memo]):
    """Read-only: memos change only through their workflow (the API and the web pages). One administrator's
    action lives here: giving the waiting step to another person (services.step_reassign)."""

    list_display = ("number", "subject", "writer", "status", "urgency", "date", "created_at")
    list_filter = (
        WaitingForAdministratorFilter,
        "status",
        "urgency",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("number", "subject")
    list_select_related = ("writer",)
    inlines = [RouteStepInline]
    readonly_fields = [f.name for f in Memo._meta.fields]
    change_form_template = "admin/workflow/memo_change_form.html"
    reassign_template = "admin/workflow/memo_reassign.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        reassign = path(
            "<path:object_id>/reassign/",
            self.admin_site.admin_view(self.reassign_view),
            name="memos_memo_reassign",
        )
        return [reassign, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        memo = self.get_object(request, object_id)
        if memo is not None:
            extra["memo_page_url"] = reverse("memo-page", args=[memo.pk])
            # Offered only when it can be done: by an administrator, on a memo with a step waiting.
            if is_administrator(request.user) and waiting_steps(memo=memo):
                extra["reassign_url"] = reverse("admin:memos_memo_reassign", args=[memo.pk])
        return super().change_view(request, object_id, form_url, extra)

    def reassign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not is_administrator(request.user):
            raise PermissionDenied
        memo = self.get_object(request, object_id)
        if memo is None:
            raise Http404
        waiting = waiting_steps(memo=memo)
        step = waiting[0] if waiting else None
        form = StepReassignForm(request.POST or None, memo=memo, step=step)
        if request.method == "POST" and form.is_valid():
            chosen: RouteStep = form.cleaned_data["step"]
            assignee: Person = form.cleaned_data["assignee"]
            try:
                done = services.step_reassign(
                    step=chosen,
                    actor=request.user,  # type: ignore[arg-type]
                    assignee=assignee,
                    reason=form.cleaned_data["reason"],
                    capacity=form.cleaned_data["capacity"],
                    meta=RequestMeta.from_request(request),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
                waiting = waiting_steps(memo=memo)  # the page shows the memo as it is now
                step = waiting[0] if waiting else None
            else:
                messages.success(
                    request,
                    _("Step %(order)s (%(position)s) now waits for %(person)s; the reason is on the memo.")
                    % {
                        "order": local_digits(done.order),
                        "position": done.position.title,
                        "person": assignee.full_name,
                    },
                )
                return redirect("admin:memos_memo_change", memo.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reassign a step"),
            "memo": memo,
            "step": step,
            "form": form,
            "candidates": form.offered,
        }
        return TemplateResponse(request, self.reassign_template, context)


@admin.register(StepReassignment)
class StepReassignmentAdmin(ReadOnlyAdmin):
    """Every reassignment with its reason: history, written only by services.step_reassign."""

    list_display = ("at", "memo", "step_label", "previous_assignee", "new_assignee", "actor", "reason")
    list_select_related = ("step__memo", "step__position", "previous_assignee", "new_assignee", "actor")
    search_fields = ("step__memo__number", "step__memo__subject", "reason")
    fields = ("at", "memo", "step_label", "previous_assignee", "new_assignee", "actor", "reason")
    readonly_fields = fields

    @admin.display(description=_("memo"), ordering="step__memo__created_at")
    def memo(self, obj: StepReassignment) -> str:
        return str(obj.step.memo)

    @admin.display(description=_("step"))
    def step_label(self, obj: StepReassignment) -> str:
        return f"{local_digits(obj.step.order)} · {obj.step.position.title}"


@admin.register(StepNotice)
class StepNoticeAdmin(ReadOnlyAdmin):
    """Each reminder and escalation sent (workflow.reminders): the row is the claim that it is sent once."""

    list_display = ("sent_at", "kind", "memo", "step_label", "recipient", "day", "overdue_days")
    list_filter = ("kind", ("sent_at", admin.DateFieldListFilter))
    search_fields = ("step__memo__number", "recipient__username", "recipient__first_name")
    list_select_related = ("step__memo", "step__position", "recipient")
    fields = ("sent_at", "kind", "memo", "step_label", "recipient", "day", "overdue_days")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("memo"), ordering="step__memo__created_at")
    def memo(self, obj: StepNotice) -> str:
        return str(obj.step.memo)

    @admin.display(description=_("step"))
    def step_label(self, obj: StepNotice) -> str:
        return f"{local_digits(obj.step.order)} · {obj.step.position.title}"


# viewflow's own pages: view only. A memo's route runs on its process and tasks; a task deleted or edited here
# would leave a memo that can never be approved. (RouteStep.task is PROTECT as well.) Dates as people read them.
class ReadOnlyAdminMixin(LocalDatesAdmin):
    actions = None
    date_hierarchy = None  # its year and month links are Gregorian; the date filter is in words

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
    list_filter = [*viewflow_admin.ProcessAdmin.list_filter, ("created", admin.DateFieldListFilter)]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdminMixin, viewflow_admin.TaskAdmin):  # type: ignore[misc]
    list_filter = [*viewflow_admin.TaskAdmin.list_filter, ("created", admin.DateFieldListFilter)]
