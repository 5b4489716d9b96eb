"""The auditor's pages: a memo's history (page and PDF) for everyone who may see the memo, and the
organisation-wide audit search with its CSV export for auditors and administrators.

Thin like the other views: the reads are workflow.history and workflow.audit_search. A memo the reader may not see
is 404 (its existence is confidential); the audit search is 403 for anyone but an auditor or an administrator
(the page's existence is no secret: the manual names it).
"""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.admin import BuddhistDateField
from core.audit_labels import event_label
from core.errors import NotFound
from core.thai import bangkok_now
from workflow import audit_search, history, history_pdf
from workflow.audit_search import AuditFilters

# A memo's history -----------------------------------------------------------------------------------------------


def _history_or_404(request: HttpRequest, memo_id: Any) -> history.MemoHistory:
    try:
        return history.memo_history_get(memo_id=memo_id, user=request.user)
    except NotFound:
        raise Http404() from None


@login_required
@require_GET
def memo_history(request: HttpRequest, memo_id: Any) -> HttpResponse:
    found = _history_or_404(request, memo_id)
    context = {
        "h": found,
        "memo": found.memo,
        "may_search": audit_search.may_search_audit(request.user),
    }
    return render(request, "workflow/history.html", context)


@login_required
@require_GET
def memo_history_pdf(request: HttpRequest, memo_id: Any) -> HttpResponse:
    """The history as an A4 PDF in Thai (Thai digits), rendered on request: it is the history as it stands
    now, text only (no images, no enclosures); a few seconds (workflow.history_pdf, docs/performance.md)."""
    found = _history_or_404(request, memo_id)
    pdf = history_pdf.render_history_pdf(found, printed_at=bangkok_now())
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = content_disposition_header(
        as_attachment=False, filename=history_pdf.history_filename(found.memo)
    )
    if disposition:
        response["Content-Disposition"] = disposition
    return response


# The audit search -----------------------------------------------------------------------------------------------


class AuditSearchForm(forms.Form):
    memo = forms.CharField(
        label=_("Memo number or id"),
        required=False,
        max_length=100,
        help_text=_("For example พบ ๓๒๘๐๑/๑ or 32801/1."),
    )
    actor = forms.CharField(label=_("Person (username or name)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Event"), required=False)
    date_from = BuddhistDateField(label=_("From (day/month/year)"), required=False)
    date_to = BuddhistDateField(label=_("Up to (day/month/year)"), required=False)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any event")), *audit_search.action_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range is before its start."))
        if audit_search.too_many_people(data.get("actor") or ""):
            self.add_error("actor", audit_search.too_many_people_message())
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            memo=data["memo"].strip(),
            actor=data["actor"].strip(),
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


def _auditor_only(request: HttpRequest) -> None:
    if not audit_search.may_search_audit(request.user):
        raise PermissionDenied()


@login_required
@require_GET
def audit_search_page(request: HttpRequest) -> HttpResponse:
    _auditor_only(request)
    form = AuditSearchForm(request.GET or None)
    page = None
    if not form.is_bound:
        page = audit_search.audit_page(filters=AuditFilters())
    elif form.is_valid():
        page = audit_search.audit_page(filters=form.filters(), before=form.cleaned_data["before"])
    query = request.GET.copy()
    query.pop("before", None)
    rows = []
    if page is not None:
        rows = [
            {
                "event": e,
                "label": event_label(e.action),
                "when": history.when_text(e.at),
                "memo_number": page.memo_numbers.get(e.object_id) if e.object_type == "memos.memo" else None,
            }
            for e in page.events
        ]
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "nav": "audit"}
    return render(request, "workflow/audit_search.html", context)


@login_required
@require_GET
def audit_search_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every event the search finds (not just a page), streamed: rows are read from the database in chunks and
    written as they come, so 100,000 rows never sit in memory."""
    _auditor_only(request)
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "workflow/audit_search.html",
            {"form": form, "page": None, "rows": [], "query": "", "nav": "audit"},
            status=400,
        )
    filters = form.filters() if form.is_bound else AuditFilters()
    events = audit_search.audit_events(filters=filters).iterator(chunk_size=2000)
    language = get_language() or "th"

    def lines() -> Any:
        with override(language):  # the body is produced after the view has returned
            yield from audit_search.csv_lines(events)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = bangkok_now().strftime("%Y%m%d-%H%M")
    disposition = content_disposition_header(as_attachment=True, filename=f"audit-{stamp}.csv")
    if disposition:
        response["Content-Disposition"] = disposition
    return response
