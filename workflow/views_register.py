"""The register of memos sent (ทะเบียนหนังสือส่ง) with its CSV and PDF, and the dashboards: thin views over
workflow.register and workflow.dashboards. Someone who may not see a register or a dashboard gets 403 with
why, in Thai and English (the memos themselves stay confidential: the rows say only what a register says).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import thai
from core.admin import BuddhistDateField
from core.errors import Forbidden
from core.pagination import page_number
from memos.models import URGENCY_STAMP, MemoStatus, Urgency
from org.models import Organisation, Unit
from workflow import dashboards, register
from workflow.charts import bar_chart
from workflow.models import StepRole
from workflow.register_export import STATUS_TH, PdfHeading, csv_lines, register_pdf

#: At most this many rows in the register's PDF (the CSV has every row): it is rendered in the request, about
#: 8 s per 100 rows on a busy 2-vCPU machine (docs/performance.md).
PDF_MAX_ROWS = 300

SORT_CHOICES = [
    ("-date", gettext_lazy("Newest first")),
    ("date", gettext_lazy("Oldest first")),
    ("-number", gettext_lazy("Number, highest first")),
    ("number", gettext_lazy("Number, lowest first")),
]


class RegisterForm(forms.Form):
    """The register's filters. The unit is read as an id here and checked against the person's scope in
    workflow.register (a unit they may not see is 403, not "not a choice")."""

    unit = forms.CharField(label=gettext_lazy("Unit"), required=False, widget=forms.Select)
    date_from = BuddhistDateField(label=gettext_lazy("Dated from"), required=False)
    date_to = BuddhistDateField(label=gettext_lazy("Dated up to"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *[c for c in MemoStatus.choices if c[0] != MemoStatus.DRAFT]],
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), required=False, choices=[("", gettext_lazy("All")), *Urgency.choices]
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        choices=[("", gettext_lazy("All")), *register.OUTCOME_CHOICES],
    )
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Every unit I may see"))]
        choices += [(str(u.pk), "\u00a0\u00a0" * getattr(u, "depth", 0) + u.name) for u in units]
        self.fields["unit"].widget.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last date is before the first date."))
        return data


@dataclass(frozen=True)
class Chosen:
    scope: register.Scope
    organisation: Organisation
    organisations: list[Organisation]
    units: list[Unit]


def _denied(request: HttpRequest, error: Forbidden | None = None) -> HttpResponse:
    return render(
        request, "workflow/register_denied.html", {"reason": error.message if error else ""}, status=403
    )


def _choose(request: HttpRequest, *, purpose: str) -> Chosen:
    """The person's scope and the organisation asked for (`?org=`, else their own). Forbidden when they may
    see nothing here."""
    scope = register.register_scope(user=request.user, purpose=purpose)
    organisations = list(register.organisations_for(scope))
    wanted = request.GET.get("org") or ""
    organisation = next((o for o in organisations if str(o.pk) == wanted), None)
    if wanted and organisation is None:
        raise Forbidden()
    if organisation is None:
        first = organisations[0] if organisations else None
        organisation = next((o for o in organisations if o.pk == scope.home), first)
    if organisation is None:  # nothing to see here: no organisation is in the person's scope
        raise Forbidden()
    return Chosen(scope, organisation, organisations, register.units_for(scope, organisation=organisation))


def _unit(chosen: Chosen, value: str) -> Unit | None:
    """The unit of the filter: None for every unit; Forbidden for one of another organisation or no unit
    at all (the same answer as for a unit outside the person's scope, so that ids reveal nothing)."""
    if not value:
        return None
    try:
        unit_id = uuid.UUID(value)
    except ValueError:
        raise Forbidden() from None
    unit = Unit.objects.filter(pk=unit_id, organisation=chosen.organisation).first()
    if unit is None:
        raise Forbidden()
    return unit  # whether the person may see it: register.check_scope, in the selectors


def _filters(form: RegisterForm, chosen: Chosen) -> register.RegisterFilters:
    data = form.cleaned_data
    return register.RegisterFilters(
        unit=_unit(chosen, data.get("unit") or ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        status=data.get("status") or "",
        urgency=data.get("urgency") or "",
        outcome=data.get("outcome") or "",
        sort=data.get("sort") or "-date",
    )


def _filter_words(filters: register.RegisterFilters) -> list[str]:
    """The filter as the exports print it, in Thai."""
    words = []
    if filters.date_from or filters.date_to:
        start = thai.format_date_short(filters.date_from) if filters.date_from else "…"
        end = thai.format_date_short(filters.date_to) if filters.date_to else "…"
        words.append(f"ลงวันที่ {start} – {end}")
    if filters.status:
        words.append(f"สถานะ: {STATUS_TH.get(MemoStatus(filters.status), filters.status)}")
    if filters.urgency:
        words.append(f"ชั้นความเร็ว: {URGENCY_STAMP.get(Urgency(filters.urgency)) or 'ปกติ'}")
    if filters.outcome:
        words.append(
            "ผลการพิจารณา: " + (register.OUTCOME_TH.get(filters.outcome, "") or "ยังไม่มีผลการพิจารณา")  # type: ignore[call-overload]
        )
    return words


def _load(request: HttpRequest) -> tuple[Chosen, RegisterForm, register.RegisterFilters | None]:
    chosen = _choose(request, purpose="register")
    form = RegisterForm(request.GET or None, units=chosen.units)
    if request.GET and not form.is_valid():
        return chosen, form, None
    filters = _filters(form, chosen) if request.GET else register.RegisterFilters()
    return chosen, form, filters


Selected = tuple[Chosen, RegisterForm, register.RegisterFilters, Any]


def _selected(request: HttpRequest) -> Selected | HttpResponse:
    """The register's memos as the request's filters choose them (page, CSV and PDF alike), or the answer
    instead: 403 for a unit the person may not see, 400 with the form's errors for bad filters."""
    try:
        chosen, form, filters = _load(request)
        if filters is None:
            return render(
                request, "workflow/register.html", _context(request, chosen, form, None), status=400
            )
        memos = register.register_memos(scope=chosen.scope, organisation=chosen.organisation, filters=filters)
    except Forbidden as error:
        return _denied(request, error)
    return chosen, form, filters, memos


@login_required
@require_GET
def register_page(request: HttpRequest) -> HttpResponse:
    found = _selected(request)
    if isinstance(found, HttpResponse):
        return found
    chosen, form, filters, memos = found
    page = register.register_page(memos, number=page_number(request.GET.get("page")) or 1)
    return render(request, "workflow/register.html", _context(request, chosen, form, page, filters))


def _context(
    request: HttpRequest,
    chosen: Chosen,
    form: RegisterForm,
    page: register.RegisterPage | None,
    filters: register.RegisterFilters | None = None,
) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    if "org" not in query and len(chosen.organisations) > 1:
        query["org"] = str(chosen.organisation.pk)
    return {
        "nav": "register",
        "form": form,
        "page": page,
        "organisation": chosen.organisation,
        "organisations": chosen.organisations if len(chosen.organisations) > 1 else [],
        "unit": filters.unit if filters else None,
        "query": query.urlencode(),
        "whole": chosen.scope.whole(chosen.organisation.pk),
    }


def _title(chosen: Chosen, filters: register.RegisterFilters) -> str:
    unit = f" {filters.unit.full_name}" if filters.unit else ""
    return f"ทะเบียนหนังสือส่ง {chosen.organisation.name}{unit}"


@login_required
@require_GET
def register_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    found = _selected(request)
    if isinstance(found, HttpResponse):
        return found
    chosen, _form, filters, memos = found
    title = " · ".join([_title(chosen, filters), *_filter_words(filters)])
    response = StreamingHttpResponse(
        csv_lines(register.register_rows(memos), title=title), content_type="text/csv; charset=utf-8"
    )
    stamp = thai.bangkok_date(timezone.now()).isoformat()
    response["Content-Disposition"] = f'attachment; filename="register-{stamp}.csv"'
    return response


@login_required
@require_GET
def register_pdf_view(request: HttpRequest) -> HttpResponse:
    found = _selected(request)
    if isinstance(found, HttpResponse):
        return found
    chosen, _form, filters, memos = found
    rows = list(register.register_rows(memos, limit=PDF_MAX_ROWS + 1))
    heading = PdfHeading(
        organisation=chosen.organisation.name,
        unit=filters.unit.full_name if filters.unit else "",
        filters=_filter_words(filters),
        printed_at=timezone.now(),
        truncated_at=PDF_MAX_ROWS if len(rows) > PDF_MAX_ROWS else None,
    )
    pdf = register_pdf(rows[:PDF_MAX_ROWS], heading=heading)
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = thai.bangkok_date(timezone.now()).isoformat()
    response["Content-Disposition"] = f'inline; filename="register-{stamp}.pdf"'
    return response


# Dashboards ------------------------------------------------------------------------------------------------


class DashboardForm(forms.Form):
    unit = forms.CharField(label=gettext_lazy("Unit"), required=False, widget=forms.Select)
    days = forms.TypedChoiceField(
        label=gettext_lazy("Time per step over"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Every unit I may see"))]
        choices += [(str(u.pk), "\u00a0\u00a0" * getattr(u, "depth", 0) + u.name) for u in units]
        self.fields["unit"].widget.choices = choices
        days = self.fields["days"]
        assert isinstance(days, forms.TypedChoiceField)
        days.choices = [(str(n), _("the last %(n)s days") % {"n": _digits(n)}) for n in dashboards.PERIODS]


def _digits(value: object) -> str:
    from django.utils.translation import get_language

    return thai.thai_digits(value) if (get_language() or "th").startswith("th") else str(value)


def _duration(value: Any) -> str:
    from workflow.views import duration_text

    return duration_text(value) if value is not None else "—"


ROLE_WORDS = {
    StepRole.WRITER: gettext_lazy("Back with the writer"),
    StepRole.COSIGN: StepRole.COSIGN.label,
    StepRole.OPINION: StepRole.OPINION.label,
    StepRole.DECISION: StepRole.DECISION.label,
}


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    try:
        chosen = _choose(request, purpose="dashboard")
        form = DashboardForm(request.GET or None, units=chosen.units)
        valid = form.is_valid() if request.GET else True
        data = form.cleaned_data if request.GET and valid else {}
        unit = _unit(chosen, data.get("unit") or "")
        steps = dashboards.scoped_steps(scope=chosen.scope, organisation=chosen.organisation, unit=unit)
    except Forbidden as error:
        return _denied(request, error)
    days = data.get("days") or dashboards.PERIODS[0]
    now = timezone.now()
    people = [
        dashboards.Bar(
            label=w.person or _("Waiting for an administrator"), value=w.count, text=_digits(w.count)
        )
        for w in dashboards.waiting_by_person(steps)
    ]
    roles = [
        dashboards.Bar(label=str(ROLE_WORDS[StepRole(role)]), value=n, text=_digits(n))
        for role, n in dashboards.waiting_by_role(steps).items()
    ]
    overdue = dashboards.overdue_by_urgency(steps, now=now)
    overdue_bars = [
        dashboards.Bar(label=str(Urgency(o.urgency).label), value=o.overdue, text=_digits(o.overdue))
        for o in overdue
    ]
    medians = dashboards.median_by_role(steps, now=now, days=days)
    median_bars = [
        dashboards.Bar(
            label=str(StepRole(role).label),
            value=(m.total_seconds() if m is not None else 0),
            text=_duration(m),
        )
        for role, m in medians.items()
    ]
    context = {
        "nav": "dashboard",
        "form": form,
        "organisation": chosen.organisation,
        "unit": unit,
        "days": days,
        "days_text": _digits(days),
        "people": people,
        "people_chart": bar_chart(bars=people, label=_("Memos waiting per person")),
        "roles": roles,
        "roles_chart": bar_chart(bars=roles, label=_("Memos waiting per step")),
        "overdue": [
            (o, Urgency(o.urgency).label, _digits(o.days), _digits(o.waiting), _digits(o.overdue))
            for o in overdue
        ],
        "overdue_chart": bar_chart(bars=overdue_bars, label=_("Overdue memos by urgency")),
        "medians": median_bars,
        "median_chart": bar_chart(bars=median_bars, label=_("Median time per step")),
    }
    return render(
        request, "workflow/dashboard.html", context, status=400 if request.GET and not valid else 200
    )
