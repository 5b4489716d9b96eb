"""The reader's notification pages: the list (the bell's page), opening one, marking read, and the
preferences. Thin: reads through notifications.selectors, writes through notifications.services."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import NotFound
from core.pagination import page_number, page_window
from notifications import selectors, services
from notifications.models import LEAVE_PAGES, Channel, Mode, Notification
from notifications.texts import wording
from org.models import Person

PAGE_SIZE = 20


def _user(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _own(request: HttpRequest, notification_id: int) -> Notification:
    try:
        return selectors.notification_get(person=_user(request), notification_id=notification_id)
    except NotFound:
        raise Http404() from None


def _item(notification: Notification) -> dict[str, Any]:
    return {"n": notification, "text": wording(notification)}


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    number = page_number(request.GET.get("page"))
    if number is None:
        raise Http404()
    page = page_window(selectors.notifications_for(person=_user(request)), number, PAGE_SIZE)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "items": [_item(n) for n in page], "query": "", "nav": "notifications"},
    )


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """The notification's link: marks it read and goes to its memo."""
    notification = _own(request, notification_id)
    services.notification_mark_read(notification=notification, person=_user(request))
    if notification.memo_id is None:
        return redirect(LEAVE_PAGES.get(notification.kind, "notification-list"))
    return redirect("memo-page", memo_id=notification.memo_id)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = _own(request, notification_id)
    services.notification_mark_read(notification=notification, person=_user(request))
    if request.headers.get("HX-Request"):  # the item again, read, and the bell's new count (out of band)
        notification.refresh_from_db(fields=["read_at"])
        return render(
            request,
            "notifications/_read.html",
            {"item": _item(notification), "unread": selectors.unread_count(person=_user(request))},
        )
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(person=_user(request))
    if count:
        messages.success(request, _("Every notification is marked read."))
    return redirect("notification-list")


def _back(request: HttpRequest) -> str:
    page = page_number(request.POST.get("page")) or 1
    url = reverse("notification-list")
    return url if page == 1 else f"{url}?page={page}"


class PreferencesForm(forms.Form):
    email = forms.ChoiceField(label=_("E-mail"), choices=Mode.choices, widget=forms.RadioSelect)
    webhook = forms.ChoiceField(
        label=_("Messaging (LINE and other webhooks)"), choices=Mode.choices, widget=forms.RadioSelect
    )


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    current = selectors.preferences_for(person=user)
    form = PreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        for channel in Channel:
            services.preference_set(person=user, channel=channel, mode=form.cleaned_data[channel.value])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form, "nav": "profile"})
