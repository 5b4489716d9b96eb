"""Leave pages (issue 13, ADR 0011): "My leave" (ask, see, cancel) and "Leave to approve" (the superior's
signatory or an administrator approves or refuses). Thin views over org.leave's reads and
workflow.services.leave's writes; a domain error is shown next to its field, or at the top."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core import thai
from core.admin import BuddhistDateField
from core.audit import RequestMeta
from core.errors import ApplicationError, NotFound, ValidationFailed
from org import leave as org_leave
from org.models import LEAVE_CAPACITIES, Leave, LeaveState, Person, Position
from org.selectors import bangkok_day
from workflow.services import leave as services
from workflow.services.leave import StepsMoved
from workflow.views import _error_summary, _show_error


class LeaveForm(forms.Form):
    position = forms.ChoiceField(label=gettext_lazy("Leave from the position"))
    starts_on = BuddhistDateField(label=gettext_lazy("First day of leave"))
    ends_on = BuddhistDateField(label=gettext_lazy("Last day of leave"))
    acting_person = forms.ChoiceField(label=gettext_lazy("Who acts for you"))
    capacity = forms.ChoiceField(
        label=gettext_lazy("Capacity"),
        choices=[(c.value, c.value) for c in LEAVE_CAPACITIES],
        help_text=gettext_lazy(
            "ปฏิบัติราชการแทน: anyone in the organisation, by your order. รักษาราชการแทน: someone in the same "
            "unit, in your superior's unit, or who reports to you."
        ),
    )
    order_reference = forms.CharField(
        label=gettext_lazy("Order reference"),
        required=False,
        max_length=128,
        help_text=gettext_lazy("For example คำสั่ง ๔/๒๕๖๖"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, person: Person, positions: list[Position], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positions = {str(p.pk): p for p in positions}
        cast(forms.ChoiceField, self.fields["position"]).choices = [(str(p.pk), p.title) for p in positions]
        people: dict[str, str] = {}
        for position in positions:
            for pk, label in org_leave.acting_choices(person=person, position=position):
                people.setdefault(str(pk), label)
        cast(forms.ChoiceField, self.fields["acting_person"]).choices = [("", _("Choose…")), *people.items()]


def _user(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _steps_message(request: HttpRequest, moved: StepsMoved) -> None:
    if moved.moved:
        n = len(moved.moved)
        messages.info(
            request,
            ngettext("%(n)s waiting step was moved.", "%(n)s waiting steps were moved.", n)
            % {"n": _digits(n)},
        )
    for step, why in moved.kept:
        messages.warning(
            request,
            _("A step of memo %(memo)s stayed where it was: %(why)s")
            % {"memo": step.memo.number or step.memo.subject, "why": why},
        )
    if moved.busy:
        messages.warning(request, _("Some memos were busy; their steps will move with the next daily run."))


def _digits(n: int) -> str:
    from django.utils.translation import get_language

    return thai.thai_digits(n) if (get_language() or "th").startswith("th") else str(n)


def _rows(leaves: Any) -> list[dict[str, Any]]:
    today = bangkok_day(None)
    rows = []
    for leave in leaves:
        in_force = leave.state == LeaveState.APPROVED and leave.starts_on <= today <= leave.ends_on
        ended = leave.state == LeaveState.APPROVED and leave.ends_on < today
        rows.append(
            {
                "leave": leave,
                "days": (leave.ends_on - leave.starts_on).days + 1,
                "in_force": in_force,
                "ended": ended,
                "may_cancel": leave.state in (LeaveState.REQUESTED, LeaveState.APPROVED) and not ended,
            }
        )
    return rows


@login_required
def my_leave(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    positions = list(Position.objects.filter(holder=user).order_by("sort_order", "title"))
    form = LeaveForm(request.POST or None, person=user, positions=positions)
    if request.method == "POST" and positions and form.is_valid():
        data = form.cleaned_data
        acting = Person.objects.filter(pk=data["acting_person"]).first()
        try:
            services.leave_request(
                person=user,
                position=form.positions[data["position"]],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                acting_person=acting,
                capacity=data["capacity"],
                order_reference=data["order_reference"],
                note=data["note"],
                meta=RequestMeta.from_request(request),
            )
        except ApplicationError as error:
            if not _show_error(request, form, error):
                messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your leave was sent for approval."))
            return redirect("leave-mine")
    context = {
        "form": form,
        "positions": positions,
        "rows": _rows(org_leave.leaves_of(person=user)),
        "to_decide": org_leave.leaves_to_decide(person=user).count(),
        "error_summary": _error_summary(form) if request.method == "POST" else [],
        "nav": "profile",
    }
    return render(request, "workflow/leave.html", context)


@login_required
@require_POST
def leave_cancel(request: HttpRequest, leave_id: Any) -> HttpResponse:
    user = _user(request)
    try:
        leave = org_leave.leave_of(leave_id=leave_id, person=user)
    except NotFound:
        raise Http404() from None
    try:
        _leave, moved = services.leave_cancel(leave=leave, actor=user, meta=RequestMeta.from_request(request))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your leave was cancelled."))
        _steps_message(request, moved)
    return redirect("leave-mine")


@login_required
def leave_to_approve(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    waiting = list(org_leave.leaves_to_decide(person=user))
    return render(
        request,
        "workflow/leave_approve.html",
        {"rows": _rows(waiting), "nav": "profile", "reason_max": org_leave.MAX_REASON},
    )


def _to_decide(request: HttpRequest, leave_id: Any) -> Leave:
    try:
        return org_leave.leave_to_decide(leave_id=leave_id, person=_user(request))
    except NotFound:
        raise Http404() from None


@login_required
@require_POST
def leave_approve(request: HttpRequest, leave_id: Any) -> HttpResponse:
    leave = _to_decide(request, leave_id)
    try:
        approved, moved = services.leave_approve(
            leave=leave, actor=_user(request), meta=RequestMeta.from_request(request)
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The leave of %(name)s was approved: %(acting)s signs %(capacity)s%(position)s.")
            % {
                "name": approved.person.full_name,
                "acting": approved.acting_person.full_name,
                "capacity": approved.capacity,
                "position": approved.position.title,
            },
        )
        _steps_message(request, moved)
    return redirect("leave-approve")


@login_required
@require_POST
def leave_refuse(request: HttpRequest, leave_id: Any) -> HttpResponse:
    leave = _to_decide(request, leave_id)
    try:
        refused = services.leave_refuse(
            leave=leave,
            actor=_user(request),
            reason=request.POST.get("reason", ""),
            meta=RequestMeta.from_request(request),
        )
    except ValidationFailed as error:
        texts = [str(m) for messages_ in error.fields.values() for m in messages_] or [str(error.message)]
        messages.error(request, " ".join(texts))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The leave of %(name)s was refused.") % {"name": refused.person.full_name}
        )
    return redirect("leave-approve")
