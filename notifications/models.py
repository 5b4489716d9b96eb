"""What memoflow tells people (issue 13): one row per person per event, read in the app (the bell), and the
source every other channel (e-mail, webhooks) is fed from.

A notification stores what happened as a kind and its parameters, not as sentences: it is worded when shown,
in the reader's language (notifications.texts)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from memos.models import Memo
from org.models import Person


class Kind(models.TextChoices):
    STEP_WAITING = "step.waiting", _("A memo waits for you")
    STEP_SIGNED = "memo.step_signed", _("Your memo was signed at a step")
    RETURNED = "memo.returned", _("Your memo was returned for revision")
    REJECTED = "memo.rejected", _("A memo was rejected")
    COMPLETED = "memo.completed", _("Your memo was completed")
    ARCHIVED = "memo.archived", _("Your memo was archived")
    REASSIGNED_TO = "step.reassigned_to", _("A step was moved to you")
    REASSIGNED_FROM = "step.reassigned_from", _("A step was moved away from you")
    WITHDRAWN = "memo.withdrawn", _("A memo waiting for you was withdrawn")
    REMINDER = "step.reminder", _("Reminder: a memo waits for you")
    ESCALATED = "step.escalated", _("A memo is overdue with someone who reports to you")
    LEAVE_REQUESTED = "leave.requested", _("A leave waits for your approval")
    LEAVE_APPROVED = "leave.approved", _("Your leave was approved")
    LEAVE_REFUSED = "leave.refused", _("Your leave was refused")
    LEAVE_ACTING = "leave.acting", _("You will act for someone on leave")


#: Where a notification that names no memo leads (URL names of the pages that deal with it).
LEAVE_PAGES = {
    "leave.requested": "leave-approve",
    "leave.approved": "leave-mine",
    "leave.refused": "leave-mine",
    "leave.acting": "leave-mine",
}


class EmailState(models.TextChoices):
    """What the e-mail channel does with a notification: `queued` when written (its batch's job enqueued in the
    same transaction), then, as the recipient's mode and address say when the job runs: nothing, a message at
    once (`sent`), or a line in the next daily digest (`digest`, then `sent`). `sent` is final, so that no retry
    and no second worker sends it again."""

    NONE = "", _("Not e-mailed")
    QUEUED = "queued", _("E-mail job queued")
    DIGEST = "digest", _("Waiting for the daily digest")
    SENT = "sent", _("E-mailed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        Person, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    memo = models.ForeignKey(
        Memo,
        verbose_name=_("memo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        Person, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: What the wording needs beyond the memo: the step's position and capacity, the reason, the decision, ...
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(
        _("e-mail"), max_length=8, choices=EmailState.choices, default=EmailState.NONE, blank=True
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list: a person's notifications, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            # The bell's count: a person's unread ones, from the index alone.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            # The daily digest: the few rows waiting for it, by person.
            models.Index(
                fields=["recipient", "created_at", "id"],
                condition=Q(email_state="digest"),
                name="notification_digest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.memo_id}"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Messaging (LINE and other webhooks)")


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("A daily digest")
    OFF = "off", _("Off")


class Preference(models.Model):
    """How a person wants one channel: at once (the default, when there is no row), in a daily digest, or not
    at all. The in-app list always has everything."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="notification_preferences"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    mode = models.CharField(_("when"), max_length=16, choices=Mode.choices, default=Mode.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["person", "channel"], name="preference_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.channel} {self.mode}"
