"""Outbound webhooks (issue 13): the addresses an administrator registers, and a log row for every event sent
to one of them (what was sent, each attempt's outcome, the next try)."""

import secrets
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.models import Person
from webhooks import sources

#: Schemes a webhook may be sent to.
SCHEMES = ("http", "https")


def validate_webhook_url(value: str) -> None:
    """Only http:// and https://: a file:, ftp: or javascript: address would make memoflow read or send
    somewhere no receiver listens."""
    if urlsplit(value).scheme.lower() not in SCHEMES or not urlsplit(value).hostname:
        raise ValidationError(
            _("A webhook address must start with http:// or https:// and name a host."), code="scheme"
        )


def validate_kinds(value: Any) -> None:
    known = {kind for kind, _label in sources.kind_choices()}
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one kind of event."), code="required")
    unknown = sorted(str(kind) for kind in value if kind not in known)
    if unknown:
        raise ValidationError(
            _("Unknown kinds of event: %(kinds)s") % {"kinds": ", ".join(unknown)}, code="invalid"
        )


def new_secret() -> str:
    """The signing key shared with the receiver: 32 random bytes as hex."""
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    """An address memoflow posts events to (a relay to LINE, a chat bot, the organisation's own system)."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(
        _("address"),
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_("Where the events are posted: http:// or https:// only."),
    )
    #: Shown once to the administrator (on creation and on rotation), never again: only its fingerprint is.
    secret = models.CharField(_("signing secret"), max_length=128, default=new_secret, editable=False)
    kinds = models.JSONField(
        _("events"),
        default=list,
        validators=[validate_kinds],
        help_text=_("The kinds of event this address receives."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret_fingerprint(self) -> str:
        """What identifies the secret without revealing it (the audit log and the admin show this)."""
        import hashlib

        return hashlib.sha256(self.secret.encode()).hexdigest()[:12]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Gave up")


class WebhookDelivery(models.Model):
    """One event for one endpoint: the payload as sent (the same on every attempt; its `id` is this row's) and
    the log of its attempts. A digest (kind notification.digest) has no notification and one day."""

    id = models.UUIDField(_("event id"), primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="deliveries"
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.ForeignKey(
        Person, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=32)
    #: The Bangkok date a digest covers up to; empty for a single event.
    digest_date = models.DateField(_("digest of"), null=True, blank=True)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    #: While a worker sends it: the claim's end (a worker that died lets it go then).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One digest per endpoint, person and day, however many workers or retries make it.
            models.UniqueConstraint(
                fields=["endpoint", "recipient", "digest_date"],
                condition=Q(digest_date__isnull=False),
                name="webhook_one_digest_per_day",
            )
        ]
        indexes = [models.Index(fields=["state", "-created_at"], name="webhook_delivery_state_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.endpoint_id} ({self.state})"
