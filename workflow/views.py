"""The signatory's web pages: my tasks, the memo page with its actions, writing, my memos, the profile.

Server-rendered templates (htmx for the upload progress and for the PDF panel, which polls while the document is
being prepared). Every change goes through workflow.services; every read through workflow.selectors. A domain
error is shown next to its field, in the user's language. No page renders a PDF: the render worker does
(workflow.documents).
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import thai
from core.audit import RequestMeta
from core.errors import ApplicationError, BadPassword, NotFound, ValidationFailed
from core.pagination import page_number, page_window
from memos.models import Memo, MemoStatus
from org import authentication as org_authentication
from org import selectors as org_selectors
from org import services as org_services
from org.forms import LockoutMessageMixin
from org.models import Person, Position
from signatures import selectors as signature_selectors
from workflow import lists, selectors, services
from workflow.documents import memo_pdf_status
from workflow.due import Calendars, calendar_for, due_status, step_notices_by_step
from workflow.forms import (
    ROLE_CHOICES,
    ApproveForm,
    EnclosureForm,
    MemoForm,
    MemoSearchForm,
    RejectForm,
    ReturnForm,
    SubmitForm,
    WithdrawForm,
)
from workflow.models import RouteStep, StepRole, StepState

PAGE_SIZE = 25  # rows on a list page (tasks, memos)

# Helpers ----------------------------------------------------------------------------------------------------


def _digits(n: int) -> str:
    return thai.thai_digits(n) if (get_language() or "th").startswith("th") else str(n)


def duration_text(delta: timedelta) -> str:
    """ "๓ ชั่วโมง" / "3 hours": the largest whole unit, at least one minute."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 3600:
        n = max(seconds // 60, 1)
        return ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": _digits(n)}
    if seconds < 86400:
        n = seconds // 3600
        return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": _digits(n)}
    n = seconds // 86400
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": _digits(n)}


def waiting_text(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    return _("waiting %(duration)s") % {"duration": duration_text(now - since)}


def _user(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta.from_request(request)


def _show_error(request: HttpRequest, form: forms.Form, error: ApplicationError) -> bool:
    """Put a domain error next to its field. False when it is not about the form (show it as a message)."""
    if isinstance(error, BadPassword) and "password" in form.fields:
        form.add_error("password", str(error.message))
        return True
    if isinstance(error, ValidationFailed):
        placed = False
        for name, errors in error.fields.items():
            for text in errors:
                form.add_error(name if name in form.fields else None, str(text))
                placed = True
        if not placed:
            form.add_error(None, str(error.message))
        return True
    return False


def _memo_or_404(request: HttpRequest, memo_id: Any) -> Memo:
    try:
        return selectors.memo_get(memo_id=memo_id, user=request.user)
    except NotFound:
        raise Http404() from None


# Sign in, sign out, profile ---------------------------------------------------------------------------------


class SignInForm(LockoutMessageMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "The username or password is not correct. Check them and try again (letters are case-sensitive)."
        ),
        "inactive": gettext_lazy("This account is disabled. Ask the administrator."),
    }


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "memoflow/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Signed in as %(name)s.") % {"name": form.get_user()})
        return response


class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


class ProfileView(auth_views.PasswordChangeView):
    template_name = "workflow/profile.html"
    success_url = reverse_lazy("profile")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["positions"] = Position.objects.filter(holder=_user(self.request)).select_related("unit")
        context["nav"] = "profile"
        context["api_tokens"] = org_selectors.api_tokens_for(person=_user(self.request))
        image = signature_selectors.signature_image_in_force(person=_user(self.request))
        context["signature_image"] = image
        context["signature_image_uri"] = signature_selectors.signature_image_data_uri(image) if image else ""
        context["now"] = timezone.now()
        return context

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        # Through the service (not form.save()): the password and the revocation of every API token together.
        user = _user(self.request)
        org_services.person_password_change(
            person=user,
            password=form.cleaned_data["new_password1"],
            old_password=form.cleaned_data["old_password"],  # re-wraps the signing key (signatures.receivers)
            actor=user,
            meta=_meta(self.request),
        )
        update_session_auth_hash(self.request, user)  # this browser stays signed in; other sessions end
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = org_selectors.api_tokens_for(person=user).filter(pk=token_id).first()
    if token is None:
        raise Http404()
    org_authentication.api_token_revoke(token=token, actor=user, meta=_meta(request))
    messages.success(request, _("The API token has been revoked."))
    return redirect("profile")


# My tasks ---------------------------------------------------------------------------------------------------


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    page = page_window(
        lists.tasks_for(user=_user(request)), page_number(request.GET.get("page")) or 1, PAGE_SIZE
    )
    calendars = Calendars()  # one holiday query per organisation, whatever the page's length
    tasks = [
        (
            step,
            waiting_text(step.activated_at, now),
            lists.task_returned(step),
            due_status(step.due_at, now=now, calendar=calendars(step.memo.organisation_id)),
        )
        for step in page
    ]
    context = {"tasks": tasks, "page": page, "query": "", "search": MemoSearchForm(), "nav": "tasks"}
    return render(request, "workflow/tasks.html", context)


# The memo page ----------------------------------------------------------------------------------------------


def _when_text(at: datetime | None) -> str:
    """A moment in the page's language: "๕ ตุลาคม ๒๕๖๖ เวลา ๐๙.๐๕ น." / "5 October 2023, 09:05"."""
    if at is None:
        return ""
    if (get_language() or "th").startswith("th"):
        return thai.format_datetime(at)
    local = thai.to_bangkok(at)
    return f"{thai.format_date_long_en(local)}, {local:%H:%M}"


def _timeline(memo: Memo, now: datetime) -> list[dict[str, Any]]:
    """The route of every round, each step with who signs it (or would, if reached today: the acting person
    or the holder, the capacity before the title), how long it took and its reassignments."""
    steps = selectors.route_timeline(memo=memo)
    signers = selectors.route_signers(memo=memo, steps=steps, at=now)
    calendar = calendar_for(memo.organisation_id)  # asked only when the active step is overdue
    notices = step_notices_by_step(memo=memo)
    rows = []
    for step in steps:
        took = ""
        if step.acted_at and step.activated_at:
            took = duration_text(step.acted_at - step.activated_at)
        elif step.state == StepState.ACTIVE:
            took = waiting_text(step.activated_at, now)
        rows.append(
            {
                "step": step,
                "took": took,
                "signer": signers[step.pk],
                "role": step.get_role_display(),
                "acted_at": _when_text(step.acted_at),
                "moves": [{"moved": moved, "at": _when_text(moved.at)} for moved in step.reassignments.all()],
                "notices": [
                    {"notice": notice, "at": _when_text(notice.sent_at)}
                    for notice in notices.get(step.pk, [])
                ],
                "due": due_status(step.due_at, now=now, calendar=calendar)
                if step.state == StepState.ACTIVE
                else None,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def memo_page(request: HttpRequest, memo_id: Any) -> HttpResponse:
    memo = _memo_or_404(request, memo_id)
    user = _user(request)
    steps: list[RouteStep] = memo.route_steps  # type: ignore[attr-defined]
    my_step = next(
        (s for s in steps if s.state == StepState.ACTIVE and s.assignee_id == user.pk and s.order > 0), None
    )
    is_writer = memo.writer_id == user.pk
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "") if data is not None else ""
    role = my_step.role if my_step is not None else ""
    approve_form = ApproveForm(data if action == "approve" else None, prefix="approve", role=role)
    return_form = ReturnForm(data if action == "return" else None, prefix="return")
    reject_form = RejectForm(data if action == "reject" else None, prefix="reject")
    submit_form = SubmitForm(data if action == "submit" else None, prefix="submit")
    withdraw_form = WithdrawForm(data if action == "withdraw" else None, prefix="withdraw")

    if data is not None:
        done = _memo_action(
            request,
            memo=memo,
            step=my_step,
            action=action,
            forms_by_action={
                "approve": approve_form,
                "return": return_form,
                "reject": reject_form,
                "submit": submit_form,
                "withdraw": withdraw_form,
            },
        )
        if done is not None:
            return done

    phrases = selectors.opinion_phrases(organisation_id=memo.organisation_id, role=role) if my_step else []
    acted_forms = [
        f for f in (approve_form, return_form, reject_form, submit_form, withdraw_form) if f.is_bound
    ]
    error_summary = _error_summary(acted_forms[0]) if acted_forms else []
    context = {
        "memo": memo,
        "my_step": my_step,
        "is_decision": role == StepRole.DECISION,
        "role": role,
        "verb": _VERBS.get(role, ""),
        "may_end": role in (StepRole.OPINION, StepRole.DECISION),
        "is_writer": is_writer,
        "can_edit": is_writer and memo.is_editable,
        "route_warnings": selectors.route_warnings(memo=memo) if is_writer and memo.is_editable else [],
        "can_withdraw": is_writer and memo.status in ("draft", "returned", "in_review"),
        "timeline": _timeline(memo, timezone.now()),
        "enclosures": list(memo.enclosures.all()),
        "paragraphs": [line.strip() for line in memo.body.splitlines() if line.strip()],
        "pdf": memo_pdf_status(memo=memo),
        "signed_pdf": _has_signed_pdf(memo),
        "may_see_certificate": selectors.may_see_where_people_signed_from(request.user),
        "phrases": [p for p in phrases if not p.decision],
        "decision_phrases": [p for p in phrases if p.decision],
        "approve_form": approve_form,
        "return_form": return_form,
        "reject_form": reject_form,
        "submit_form": submit_form,
        "withdraw_form": withdraw_form,
        "open_action": action,
        "error_summary": error_summary,
        "next_task": _next_task(request, user, memo) if my_step is None else None,
        "returned": selectors.latest_return(memo=memo),
    }
    return render(request, "workflow/memo.html", context)


@login_required
@require_http_methods(["GET"])
def memo_pdf_panel(request: HttpRequest, memo_id: Any) -> HttpResponse:
    """The PDF panel alone, polled by htmx (every 2 s) while the document is being prepared."""
    memo = _memo_or_404(request, memo_id)
    context = {
        "memo": memo,
        "pdf": memo_pdf_status(memo=memo),
        "signed_pdf": _has_signed_pdf(memo),
        "may_see_certificate": selectors.may_see_where_people_signed_from(request.user),
    }
    return render(request, "workflow/_pdf_panel.html", context)


_VERBS: dict[str, Any] = {
    StepRole.COSIGN: gettext_lazy("Co-sign and forward"),
    StepRole.OPINION: gettext_lazy("Give your opinion and sign"),
    StepRole.DECISION: gettext_lazy("Decide and sign"),
}


def _error_summary(form: forms.Form) -> list[dict[str, str]]:
    """The errors of the form just sent, for the summary at the top of its card: each a link to its field, in
    the form's order. The first field in error gets the focus when the page loads (autofocus: no script needed),
    so a wrong password puts the cursor back in the password box, not at the top of the page."""
    if not form.errors:
        return []
    items = [{"anchor": "", "label": "", "message": str(e)} for e in form.non_field_errors()]
    focused = False
    for field in form:
        if not field.errors:
            continue
        anchor = field.id_for_label or f"{field.auto_id}_0"  # a radio group: its first choice
        items.extend({"anchor": anchor, "label": str(field.label), "message": str(e)} for e in field.errors)
        if not focused:
            field.field.widget.attrs["autofocus"] = True
            focused = True
    return items


def _next_task(request: HttpRequest, user: Person, memo: Memo) -> RouteStep | bool | None:
    """Just after signing (the redirect says ?signed=1): the oldest task still waiting for me, False when none;
    None on any other visit (nothing is shown)."""
    if request.GET.get("signed") != "1":
        return None
    following = lists.tasks_for(user=user).exclude(memo_id=memo.pk).first()
    return following if following is not None else False


def _has_signed_pdf(memo: Memo) -> bool:
    """Whether the current revision carries PAdES signatures to download (not once archived: the archived
    file is the signed PDF, closed)."""
    from signatures.signing import has_signed_pdf

    if memo.current_revision_id is None or memo.status == MemoStatus.ARCHIVED:
        return False
    return has_signed_pdf(revision_id=memo.current_revision_id)


def _memo_action(
    request: HttpRequest,
    *,
    memo: Memo,
    step: RouteStep | None,
    action: str,
    forms_by_action: dict[str, forms.Form],
) -> HttpResponse | None:
    """Run one action; a redirect when it is done (or cannot be done now), None to show the form's errors."""
    form = forms_by_action.get(action)
    if form is None:
        messages.error(request, _("Unknown action."))
        return redirect("memo-page", memo_id=memo.pk)
    if not form.is_valid():
        return None
    user = _user(request)
    meta = _meta(request)
    data = form.cleaned_data
    try:
        if action in ("approve", "return", "reject"):
            if step is None:
                messages.error(request, _("You have no step to act on in this memo now."))
                return redirect("memo-page", memo_id=memo.pk)
            if action == "approve":
                services.step_approve(
                    step=step,
                    actor=user,
                    password=data["password"],
                    opinion=data["opinion"],
                    decision=data["decision"] or None,
                    decision_text=data["decision_text"] or None,
                    meta=meta,
                )
                messages.success(request, _after_signing(memo))
                return redirect(reverse("memo-page", kwargs={"memo_id": memo.pk}) + "?signed=1")
            elif action == "return":
                services.step_return(
                    step=step, actor=user, password=data["password"], reason=data["reason"], meta=meta
                )
                messages.success(
                    request,
                    _("Returned to %(name)s, the writer, for revision.") % {"name": memo.writer.full_name},
                )
            else:
                services.step_reject(
                    step=step, actor=user, password=data["password"], reason=data["reason"], meta=meta
                )
                messages.success(request, _("The memo has been rejected; its route has ended."))
        elif action == "submit":
            services.memo_submit(memo=memo, actor=user, password=data["password"], meta=meta)
            messages.success(request, _after_submitting(memo))
        else:
            services.memo_withdraw(memo=memo, actor=user, reason=data.get("reason", ""), meta=meta)
            messages.success(request, _("The memo has been withdrawn."))
    except ApplicationError as error:
        if _show_error(request, form, error):
            return None
        messages.error(request, str(error.message))
    return redirect("memo-page", memo_id=memo.pk)


def _signatory(step: RouteStep) -> dict[str, str]:
    """The person a step waits for, and the position they sign for (after the capacity they sign it in:
    "รักษาราชการแทน ปลัด…")."""
    position = step.position.title
    if step.capacity:
        position = f"{step.capacity} {position}"
    return {"name": step.assignee.full_name if step.assignee else "", "position": position}


def _after_signing(memo: Memo) -> str:
    """What happened once a signatory has signed: the memo decided, or whose turn it is now."""
    status, waiting = selectors.waiting_step(memo_id=memo.pk)
    if status in (MemoStatus.COMPLETED, MemoStatus.ARCHIVED):
        return _("Done — this memo has been decided.")
    if waiting is None or waiting.assignee is None:
        return _("Signed. The next step waits for an administrator to choose who signs it.")
    return _("Signed. The memo has gone on to %(name)s (%(position)s).") % _signatory(waiting)


def _after_submitting(memo: Memo) -> str:
    _status, waiting = selectors.waiting_step(memo_id=memo.pk)
    if waiting is None or waiting.assignee is None or waiting.order == 0:
        return _("Signed and submitted. The first step waits for an administrator to choose who signs it.")
    return _("Signed and submitted to %(name)s (%(position)s).") % _signatory(waiting)


# Writing ----------------------------------------------------------------------------------------------------


def _content(form: MemoForm) -> dict[str, Any]:
    """The form's values for the services; an empty department means "the default for my unit"."""
    data = dict(form.cleaned_data)
    if not data.get("department"):
        data.pop("department", None)
    return data


def _apply_content_errors(form: forms.Form, error: ApplicationError) -> None:
    if isinstance(error, ValidationFailed) and error.fields:
        for name, errors in error.fields.items():
            for text in errors:
                form.add_error(name if name in form.fields else None, str(text))
    else:
        form.add_error(None, str(error.message))


@login_required
@require_http_methods(["GET", "POST"])
def memo_new(request: HttpRequest) -> HttpResponse:
    if not selectors.may_write_memo(user=_user(request)):
        messages.error(request, _("You hold no position, so you cannot write a memo."))
        return redirect("home")
    form = MemoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            memo = services.memo_create(writer=_user(request), meta=_meta(request), **_content(form))
        except ApplicationError as error:
            _apply_content_errors(form, error)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("memo-edit", memo_id=memo.pk)
    return render(request, "workflow/write.html", {"form": form, "memo": None, "nav": "new"})


def _editable_or_redirect(request: HttpRequest, memo: Memo) -> HttpResponse | None:
    if memo.writer_id != _user(request).pk:
        raise Http404()
    if not memo.is_editable:
        messages.error(
            request, _("The memo can be changed only while it is a draft or returned for revision.")
        )
        return redirect("memo-page", memo_id=memo.pk)
    return None


def _write_context(memo: Memo, request: HttpRequest | None = None, **extra: Any) -> dict[str, Any]:
    steps: list[RouteStep] = memo.route_steps  # type: ignore[attr-defined]
    route = [s for s in steps if s.order > 0]
    signers = selectors.route_signers(memo=memo, steps=steps, at=timezone.now())
    choices = selectors.route_position_choices(memo=memo)
    offered = {c.position.pk for c in choices}
    for step in route:
        step.signer = signers[step.pk]  # type: ignore[attr-defined]
        step.not_offered = step.position_id not in offered  # type: ignore[attr-defined]
    return {
        "memo": memo,
        "route": route,
        "position_choices": choices,
        "role_choices": ROLE_CHOICES,
        "route_undo": _route_undo_offer(request, memo, route) if request is not None else None,
        "enclosures": list(memo.enclosures.all()),
        "pdf": memo_pdf_status(memo=memo),
        "signed_pdf": _has_signed_pdf(memo),
        "may_see_certificate": False,  # a draft: never archived
        "submit_form": SubmitForm(prefix="submit"),
        "returned": selectors.latest_return(memo=memo),
        "nav": "mine",
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def memo_edit(request: HttpRequest, memo_id: Any) -> HttpResponse:
    memo = _memo_or_404(request, memo_id)
    if (response := _editable_or_redirect(request, memo)) is not None:
        return response
    initial = {name: getattr(memo, name) for name in MemoForm.base_fields}
    form = MemoForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.memo_update(memo=memo, actor=_user(request), meta=_meta(request), **_content(form))
        except ApplicationError as error:
            _apply_content_errors(form, error)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect("memo-edit", memo_id=memo.pk)
    context = _write_context(memo, request, form=form, enclosure_form=EnclosureForm())
    return render(request, "workflow/write.html", context)


@login_required
@require_POST
def memo_enclosure_add(request: HttpRequest, memo_id: Any) -> HttpResponse:
    memo = _memo_or_404(request, memo_id)
    if (response := _editable_or_redirect(request, memo)) is not None:
        return response
    form = EnclosureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.enclosure_add(
                memo=memo,
                actor=_user(request),
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                meta=_meta(request),
            )
        except ApplicationError as error:
            _enclosure_error(form, error)
        else:
            messages.success(request, _("The enclosure has been attached."))
            return _back_to_enclosures(request, memo)
    if request.headers.get("HX-Request"):
        # Only the form is swapped, and its file input is kept as it was (hx-preserve): the chosen file stays.
        return render(request, "workflow/_enclosure_form.html", {"memo": memo, "enclosure_form": form})
    return render(
        request, "workflow/write.html", _write_context(memo, request, form=None, enclosure_form=form)
    )


def _route_undo_key(memo: Memo) -> str:
    return f"route-undo:{memo.pk}"


def _route_pairs(route: list[RouteStep]) -> list[list[str]]:
    return [[str(s.position_id), str(s.role)] for s in route]


def _route_undo_offer(request: HttpRequest, memo: Memo, route: list[RouteStep]) -> dict[str, Any] | None:
    """ "ลบขั้นที่ ๒ (ปลัด…) แล้ว — เลิกทำ": offered while the route is still the one the removal left."""
    kept = request.session.get(_route_undo_key(memo))
    if not kept or kept.get("after") != _route_pairs(route):
        return None
    return {"order": kept["order"], "title": kept["title"]}


def _enclosure_error(form: forms.Form, error: ApplicationError) -> None:
    if isinstance(error, ValidationFailed) and error.fields:
        for name, errors in error.fields.items():
            for text in errors:
                form.add_error("file" if name not in form.fields else name, str(text))
    else:
        form.add_error("file", str(error.message))


def _back_to_enclosures(request: HttpRequest, memo: Memo) -> HttpResponse:
    target = reverse("memo-edit", kwargs={"memo_id": memo.pk})
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    return redirect(target)


@login_required
@require_POST
def memo_enclosure_replace(request: HttpRequest, memo_id: Any, enclosure_id: Any) -> HttpResponse:
    """A new file in an enclosure's place (same number, the title as given); a refusal keeps the chosen file."""
    memo = _memo_or_404(request, memo_id)
    if (response := _editable_or_redirect(request, memo)) is not None:
        return response
    enclosure = next((e for e in memo.enclosures.all() if str(e.pk) == str(enclosure_id)), None)
    if enclosure is None:
        raise Http404()
    form = EnclosureForm(request.POST, request.FILES, prefix=f"replace-{enclosure.pk}")
    if form.is_valid():
        try:
            services.enclosure_replace(
                memo=memo,
                actor=_user(request),
                enclosure_id=enclosure.pk,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                meta=_meta(request),
            )
        except ApplicationError as error:
            _enclosure_error(form, error)
        else:
            messages.success(request, _("The enclosure's file has been replaced."))
            return _back_to_enclosures(request, memo)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "workflow/_enclosure_replace.html",
            {"memo": memo, "enc": enclosure, "replace_form": form},
        )
    context = _write_context(memo, form=None, enclosure_form=EnclosureForm(), replace_form=form)
    return render(request, "workflow/write.html", context)


@login_required
@require_POST
def memo_enclosure_remove(request: HttpRequest, memo_id: Any, enclosure_id: Any) -> HttpResponse:
    memo = _memo_or_404(request, memo_id)
    if (response := _editable_or_redirect(request, memo)) is not None:
        return response
    try:
        removed = services.enclosure_remove(
            memo=memo, actor=_user(request), enclosure_id=enclosure_id, meta=_meta(request)
        )
    except NotFound:
        raise Http404() from None
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("“%(title)s” has been removed from the memo.") % {"title": removed.title})
    return redirect(reverse("memo-edit", kwargs={"memo_id": memo.pk}) + "#enc-heading")


def _route_from_post(request: HttpRequest, memo: Memo) -> list[tuple[str, str]]:
    positions = request.POST.getlist("position")
    roles = request.POST.getlist("role")
    route = list(zip(positions, roles, strict=False))
    op = request.POST.get("op", "save")
    verb, _sep, index_text = op.partition("-")
    index = int(index_text) if index_text.isdigit() else -1
    if verb == "up" and 0 < index < len(route):
        route[index - 1], route[index] = route[index], route[index - 1]
    elif verb == "down" and 0 <= index < len(route) - 1:
        route[index + 1], route[index] = route[index], route[index + 1]
    elif verb == "remove" and 0 <= index < len(route):
        del route[index]
    elif verb == "add" and request.POST.get("new_position"):
        added = (request.POST["new_position"], request.POST.get("new_role", StepRole.OPINION))
        # A new signer goes before the step that decides, which stays last.
        if route and route[-1][1] == StepRole.DECISION and added[1] != StepRole.DECISION:
            route.insert(len(route) - 1, added)
        else:
            route.append(added)
    return route


def _positions_for(memo: Memo, wanted: list[tuple[str, str]]) -> list[tuple[Position, str]] | None:
    """The posted (position id, role) pairs as positions of the memo's organisation; None if one is not."""
    valid_ids = []
    for pid, _role in wanted:
        try:
            valid_ids.append(str(uuid.UUID(pid)))
        except ValueError:
            continue
    by_id = {
        str(p.pk): p for p in Position.objects.filter(organisation_id=memo.organisation_id, pk__in=valid_ids)
    }
    steps = [(by_id[pid], role) for pid, role in wanted if pid in by_id]
    return steps if len(steps) == len(wanted) else None


def _route_set(request: HttpRequest, memo: Memo, steps: list[tuple[Position, str]]) -> bool:
    """memo_route_set, its refusal shown as messages (nothing changed then)."""
    try:
        services.memo_route_set(memo=memo, actor=_user(request), steps=steps, meta=_meta(request))
    except ApplicationError as error:
        if isinstance(error, ValidationFailed) and error.fields:
            for errors in error.fields.values():
                for text in errors:
                    messages.error(request, str(text))
        else:
            messages.error(request, str(error.message))
        return False
    return True


def _route_undo(request: HttpRequest, memo: Memo) -> None:
    """Put back the step the writer has just removed: the route before the removal, kept in the session,
    while the route is still the one the removal left (else there is nothing to undo any more)."""
    kept = request.session.pop(_route_undo_key(memo), None)
    current = [s for s in memo.route_steps if s.order > 0]  # type: ignore[attr-defined]
    if not kept or kept.get("after") != _route_pairs(current):
        messages.error(request, _("There is nothing to undo: the route has changed since."))
        return
    steps = _positions_for(memo, [(pid, role) for pid, role in kept["before"]])
    if steps is None:
        messages.error(request, _("The removed step's position no longer exists."))
        return
    if _route_set(request, memo, steps):
        messages.success(
            request,
            _("Step %(n)s (%(position)s) is back in the route.")
            % {"n": _digits(kept["order"]), "position": kept["title"]},
        )


@login_required
@require_POST
def memo_route(request: HttpRequest, memo_id: Any) -> HttpResponseBase:
    memo = _memo_or_404(request, memo_id)
    if (response := _editable_or_redirect(request, memo)) is not None:
        return response
    target = reverse("memo-edit", kwargs={"memo_id": memo.pk}) + "#route"
    op = request.POST.get("op", "save")
    if op == "undo":
        _route_undo(request, memo)
        return redirect(target)
    wanted = _route_from_post(request, memo)
    steps = _positions_for(memo, wanted)
    posted = list(zip(request.POST.getlist("position"), request.POST.getlist("role"), strict=False))
    posted_steps = (_positions_for(memo, posted) or []) if op.startswith("remove-") else []
    if steps is None:
        messages.error(request, _("Choose a position for every step."))
        return redirect("memo-edit", memo_id=memo.pk)
    request.session.pop(_route_undo_key(memo), None)  # any change ends the chance to undo a removal
    if not _route_set(request, memo, steps):
        return redirect(target)
    verb, _sep, index_text = op.partition("-")
    index = int(index_text) if index_text.isdigit() else -1
    if verb == "remove" and 0 <= index < len(posted_steps):
        # The route as it was on the page (with the rows' unsaved choices), to put back with one tap.
        request.session[_route_undo_key(memo)] = {
            "before": [[str(p.pk), role] for p, role in posted_steps],
            "after": [[str(p.pk), role] for p, role in steps],
            "order": index + 1,
            "title": posted_steps[index][0].title,
        }
    else:
        messages.success(request, _("The route has been saved."))
    return redirect(target)


# My memos, done by me ---------------------------------------------------------------------------------------


@login_required
def memo_list(request: HttpRequest, box: str) -> HttpResponse:
    search = MemoSearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if search.is_valid():
        data = search.cleaned_data
        filters = {
            "query": data["q"] or None,
            "status": data["status"] or None,
            "urgency": data["urgency"] or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
    memos = lists.memo_list(user=_user(request), box=box, **filters)
    page = page_window(memos, page_number(request.GET.get("page")) or 1, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    title = {"authored": _("My memos"), "done": _("Done by me")}.get(box, _("All memos I may see"))
    return render(
        request,
        "workflow/memo_list.html",
        {
            "page": page,
            "search": search,
            "title": title,
            "box": box,
            "query": query.urlencode(),
            "nav": {"authored": "mine", "done": "done"}.get(box, "all"),
        },
    )
