"""Webhooks in the Django admin: endpoints, edited by administrators through the audited service (the signing
secret shown once, on creation and when rotated); deliveries, a read-only log with "retry now"."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import LocalDatesAdmin, ReadOnlyAdmin, ServiceTransactionMixin
from core.audit import RequestMeta
from core.errors import ValidationFailed
from org.models import Person
from webhooks import services, sources
from webhooks.models import WebhookDelivery, WebhookEndpoint

#: Where a new secret waits, in the administrator's own session (stored server-side), for the one page that
#: shows it.
SESSION_KEY = "webhooks.new_secret.{}"


def _actor(request: HttpRequest) -> Person | None:
    return request.user if isinstance(request.user, Person) else None


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    kinds = forms.MultipleChoiceField(
        label=_("events"),
        choices=sources.kind_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of event this address receives."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "kinds", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(LocalDatesAdmin, ServiceTransactionMixin, admin.ModelAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ("name", "url", "is_active", "events", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("secret_fingerprint", "created_at")
    change_form_template = "admin/webhooks/webhookendpoint/change_form.html"
    actions = ["rotate_secret"]

    @admin.display(description=_("events"))
    def events(self, obj: WebhookEndpoint) -> str:
        return ", ".join(str(sources.kind_label(kind)) for kind in obj.kinds or [])

    @admin.display(description=_("signing secret"))
    def secret_fingerprint(self, obj: WebhookEndpoint) -> str:
        if obj.pk is None:
            return str(_("Made when the endpoint is saved, and shown once."))
        return str(_("Fingerprint %(fingerprint)s (the secret itself was shown once)")) % {
            "fingerprint": obj.secret_fingerprint
        }

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its deliveries are history: an endpoint is turned off (active: off), not deleted

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        try:
            services.webhook_endpoint_save(
                endpoint=obj, actor=_actor(request), meta=RequestMeta.from_request(request)
            )
        except ValidationFailed as exc:  # the form validated the same fields; a race at most
            messages.error(request, str(exc.message))
            return
        if not change:
            request.session[SESSION_KEY.format(obj.pk)] = obj.secret

    def response_add(self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: Any = None) -> Any:
        """To the endpoint's page, where its secret is shown this once (to the list if it was not saved)."""
        if obj.pk is None:
            return HttpResponseRedirect(reverse("admin:webhooks_webhookendpoint_changelist"))
        return HttpResponseRedirect(reverse("admin:webhooks_webhookendpoint_change", args=[obj.pk]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        secret = request.session.pop(SESSION_KEY.format(object_id), None)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "new_secret": secret}
        )

    @admin.action(description=_("Make a new signing secret (shown once)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> Any:
        if queryset.count() != 1:
            messages.error(request, _("Choose one endpoint: its new secret is shown on its page."))
            return None
        endpoint = queryset.get()
        secret = services.webhook_endpoint_rotate_secret(
            endpoint=endpoint, actor=_actor(request), meta=RequestMeta.from_request(request)
        )
        request.session[SESSION_KEY.format(endpoint.pk)] = secret
        return HttpResponseRedirect(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "endpoint",
        "recipient",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", "endpoint", "kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("endpoint", "recipient")
    search_fields = ("=id", "recipient__username", "last_error")
    fields = (
        "id",
        "endpoint",
        "kind",
        "recipient",
        "notification",
        "digest_date",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "payload_as_sent",
    )
    readonly_fields = fields
    actions = ["retry_now"]  # type: ignore[assignment]  # ReadOnlyAdmin offers none; this log offers one

    @admin.display(description=_("payload"))
    def payload_as_sent(self, obj: WebhookDelivery) -> SafeString:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2, sort_keys=True)
        )

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("webhooks.change_webhookdelivery"))

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        retried = sum(
            services.webhook_delivery_retry(
                delivery=delivery, actor=_actor(request), meta=RequestMeta.from_request(request)
            )
            for delivery in queryset
        )
        skipped = queryset.count() - retried
        if retried:
            messages.success(
                request,
                ngettext(
                    "%(count)d delivery will be sent again now.",
                    "%(count)d deliveries will be sent again now.",
                    retried,
                )
                % {"count": retried},
            )
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(count)d delivery was not retried: delivered already, or being sent.",
                    "%(count)d deliveries were not retried: delivered already, or being sent.",
                    skipped,
                )
                % {"count": skipped},
            )
