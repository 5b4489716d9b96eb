"""The e-mail channel (issue 13).

Each batch of notifications gets one job, enqueued in the transaction that writes them
(`notifications.tasks.deliver_notifications`, which also feeds the webhooks). When it runs, each recipient's e-mail mode and address decide
what happens to their row: a message at once, a line in the next daily digest
(`notifications.tasks.send_notification_digest`, a scheduled job), or nothing (mode off, or no address).

Every message is Thai first, then English; it carries the memo's number, subject and urgency and a link built
from MEMOFLOW_BASE_URL, never the memo's body, and for a classified memo not even the subject (its secrecy class
instead). A row is marked `sent` in the transaction that sends it, under a row lock, so no retry and no second
worker sends it twice."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from notifications.models import LEAVE_PAGES, Channel, EmailState, Mode, Notification, Preference
from notifications.texts import memo_phrase, urgency_word, when, wording
from org.models import Person

LANGUAGES = ("th", "en")


def _email_modes(person_ids: Iterable[Any]) -> dict[Any, str]:
    chosen = dict(
        Preference.objects.filter(person_id__in=list(person_ids), channel=Channel.EMAIL).values_list(
            "person_id", "mode"
        )
    )
    return {pk: chosen.get(pk, Mode.IMMEDIATE.value) for pk in person_ids}


def link(notification: Notification) -> str:
    base = settings.MEMOFLOW_BASE_URL.rstrip("/")
    if notification.memo_id is None:
        return f"{base}{reverse(LEAVE_PAGES.get(notification.kind, 'notification-list'))}"
    return f"{base}{reverse('memo-page', args=[notification.memo_id])}"


def immediate_message(notification: Notification) -> EmailMessage:
    """One notification as an e-mail to its recipient: the Thai title and the memo in the subject line."""
    recipient = notification.recipient
    parts = []
    subject = ""
    for language in LANGUAGES:
        with translation.override(language):
            text = wording(notification, for_email=True)
            lines = [
                translation.gettext("Dear %(name)s,") % {"name": recipient.full_name},
                "",
                text.sentence,
            ]
            if (
                notification.memo is not None
            ):  # ชั้นความเร็ว, "normal" too: the reader decides what to open first
                urgency = urgency_word(notification.memo) or notification.memo.get_urgency_display()
                lines.append(translation.gettext("Urgency: %(urgency)s") % {"urgency": urgency})
            lines += ["", translation.gettext("Open the memo: %(link)s") % {"link": link(notification)}]
            if language == "th":
                subject = f"{text.title}: {memo_phrase(notification.memo, for_email=True)}"
        parts.append("\n".join(lines))
    return EmailMessage(
        subject=subject[:200],
        body="\n\n---\n\n".join(parts),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


def digest_message(person: Person, rows: Sequence[Notification]) -> EmailMessage:
    """A person's daily digest: every notification waiting for it, oldest first, one paragraph each."""
    parts = []
    subject = ""
    for language in LANGUAGES:
        with translation.override(language):
            lines = [
                translation.gettext("Dear %(name)s,") % {"name": person.full_name},
                "",
                translation.ngettext(
                    "%(count)s notification since your last digest:",
                    "%(count)s notifications since your last digest:",
                    len(rows),
                )
                % {"count": len(rows)},
            ]
            for row in rows:
                text = wording(row, for_email=True)
                lines += [
                    "",
                    f"• {when(row.created_at)} — {text.title}",
                    f"  {text.sentence}",
                    f"  {link(row)}",
                ]
            lines += [
                "",
                translation.gettext("Change how you are told: %(link)s") % {"link": _preferences_link()},
            ]
            if language == "th":
                subject = translation.ngettext(
                    "memoflow: your daily digest (%(count)s notification)",
                    "memoflow: your daily digest (%(count)s notifications)",
                    len(rows),
                ) % {"count": len(rows)}
        parts.append("\n".join(lines))
    return EmailMessage(
        subject=subject,
        body="\n\n---\n\n".join(parts),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )


def _preferences_link() -> str:
    return f"{settings.MEMOFLOW_BASE_URL.rstrip('/')}{reverse('notification-preferences')}"


def send_messages(messages: Iterable[EmailMessage]) -> int:
    """Hand the messages to the default mailer (settings.MAILERS: the office's SMTP relay, EMAIL_* variables)."""
    messages = list(messages)
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0


def _locked(queryset: Any) -> Any:
    return queryset.select_for_update(of=("self",)).select_related("memo", "actor", "recipient")


def send_queued(*, notification_ids: Sequence[int]) -> int:
    """A batch's e-mails, as each recipient wants them now: a message at once, a line in the next digest, or
    nothing (mode off, or no address). Rows already decided are passed over, so a retried job sends none twice.
    The number of messages sent."""
    with transaction.atomic(durable=True):
        rows = list(
            _locked(
                Notification.objects.filter(pk__in=list(notification_ids), email_state=EmailState.QUEUED)
            ).order_by("pk")
        )
        modes = _email_modes({row.recipient_id for row in rows})
        now, later, never = [], [], []
        for row in rows:
            mode = modes[row.recipient_id]
            if not row.recipient.email or mode == Mode.OFF:
                never.append(row.pk)
            elif mode == Mode.DIGEST:
                later.append(row.pk)
            else:
                now.append(row)
        sent = send_messages([immediate_message(row) for row in now])
        for state, ids in (
            (EmailState.SENT, [row.pk for row in now]),
            (EmailState.DIGEST, later),
            (EmailState.NONE, never),
        ):
            if ids:
                Notification.objects.filter(pk__in=ids).update(email_state=state)
    return sent


def digest_recipients() -> list[Any]:
    """The people with notifications waiting for a digest."""
    return list(
        Notification.objects.filter(email_state=EmailState.DIGEST)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def digest_send(*, person_id: Any) -> bool:
    """E-mail one person their digest: the notifications waiting for it, locked, sent in one message and marked
    sent in one transaction. A second worker on the same person waits for the lock, then finds nothing waiting
    (the rows it waited for are no longer `digest`), so nothing goes twice. False when nothing was sent."""
    with transaction.atomic(durable=True):
        rows = list(
            _locked(
                Notification.objects.filter(recipient_id=person_id, email_state=EmailState.DIGEST)
            ).order_by("created_at", "id")
        )
        if not rows:
            return False
        person = rows[0].recipient
        sent = bool(person.email) and send_messages([digest_message(person, rows)]) > 0
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            email_state=EmailState.SENT if sent else EmailState.NONE
        )
    return sent


def digest_run() -> dict[str, int]:
    """The daily digest for everyone with something waiting: each person in their own transaction."""
    people = digest_recipients()
    sent = sum(1 for person_id in people if digest_send(person_id=person_id))
    return {"people": len(people), "sent": sent}
