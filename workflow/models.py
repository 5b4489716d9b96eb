"""Routes: templates (configuration) apart from runs (history).

A RouteTemplate is an ordered list of positions with roles; a memo copies one when it is created. RouteStep rows
are the memo's run: one row per step per revision round, with who was assigned, in which capacity, and what they
wrote. Editing a template never touches a memo's steps.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from memos.models import Memo
from org.models import Organisation, Person, Position, Unit
from signatures.models import Signature


class StepRole(models.TextChoices):
    WRITER = "writer", _("Writer")
    COSIGN = "cosign", _("Co-sign")
    OPINION = "opinion", _("Opinion")
    DECISION = "decision", _("Decision")


ROUTE_ROLES = (StepRole.COSIGN, StepRole.OPINION, StepRole.DECISION)


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    SIGNED = "signed", _("Signed")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Skipped")


class DutyConflict(models.TextChoices):
    """Why the person resolved for a step may not take it (separation of duties, ADR 0005)."""

    WRITER = "writer", _("The signatory is the writer of the memo")
    SIGNED = "signed", _("The signatory has already signed in this round")


class Decision(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    APPROVED = "approved", _("Approved")
    NOT_APPROVED = "not_approved", _("Not approved")
    OTHER = "other", _("Other order")


class TemplateSlot(models.TextChoices):
    POSITION = "position", _("The position chosen")
    WRITER_UNIT_HEAD = "writer_unit_head", _("Head of the writer's top-level unit")


class RouteTemplate(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="route_templates")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="route_templates",
        help_text=_("Empty: the organisation's default route. A unit's template also covers its sub-units."),
    )
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("route template")
        verbose_name_plural = _("route templates")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(unit__isnull=True), name="route_template_one_default"
            ),
            models.UniqueConstraint(fields=["organisation", "unit"], name="route_template_one_per_unit"),
        ]

    def __str__(self) -> str:
        return self.name


class RouteTemplateStep(models.Model):
    template = models.ForeignKey(RouteTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    role = models.CharField(_("role"), max_length=16, choices=[(r.value, r.label) for r in ROUTE_ROLES])
    slot = models.CharField(
        _("who"), max_length=32, choices=TemplateSlot.choices, default=TemplateSlot.POSITION
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("route template step")
        verbose_name_plural = _("route template steps")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="template_step_unique_order"),
            models.CheckConstraint(
                condition=Q(slot=TemplateSlot.WRITER_UNIT_HEAD) | Q(position__isnull=False),
                name="template_step_has_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.position or self.get_slot_display()} ({self.role})"


class RouteStep(models.Model):
    """One step of a memo's route in one revision round: who signs, in which capacity, and what they wrote."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="steps")
    round = models.PositiveIntegerField(_("round"), help_text=_("The revision this step belongs to."))
    order = models.PositiveIntegerField(_("order"), help_text=_("0 is the writer."))
    role = models.CharField(_("role"), max_length=16, choices=StepRole.choices)
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=StepState.choices, default=StepState.WAITING)
    assignee = models.ForeignKey(
        Person,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="route_steps",
    )
    capacity = models.CharField(
        _("capacity"), max_length=32, blank=True, help_text=_("รักษาราชการแทน / ปฏิบัติราชการแทน / รักษาการแทน")
    )
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    # Set when the step reaches its signatory, from the memo's urgency in working days (workflow.due); kept
    # when the step is reassigned; none on a writer's step.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    acted_at = models.DateTimeField(_("acted at"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decision_text = models.TextField(_("decision text"), blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why the step was returned or rejected."))
    # PROTECT: the memo's next action executes this viewflow task; a step that lost it could never be approved.
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The step points at its signature (not the reverse): signing knows no route, and the signature row is
    # written once, before the step that carries it is saved.
    signature = models.OneToOneField(
        Signature,
        verbose_name=_("signature"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="step",
    )
    duty_conflict = models.CharField(
        _("separation of duties"),
        max_length=16,
        choices=DutyConflict.choices,
        blank=True,
        help_text=_(
            "Set when the step was skipped, or waits for an administrator, because its signatory "
            "was the writer or had already signed in this round."
        ),
    )

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")
        ordering = ["memo", "round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["memo", "round", "order"], name="step_unique_order"),
            # At most one active step per memo: the database itself refuses a second one.
            models.UniqueConstraint(
                fields=["memo"], condition=Q(state="active"), name="step_one_active_per_memo"
            ),
            # A signed step carries its signature, and only a signed step has one.
            models.CheckConstraint(
                condition=Q(state="signed", signature__isnull=False)
                | (~Q(state="signed") & Q(signature__isnull=True)),
                name="step_signed_has_signature",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "state", "activated_at"], name="step_inbox_idx"),
            # The lists (issue 12): the memos a person is on the route of (a part of memos_visible_to's union),
            # and those they acted on after the writer ("done by me"); both read from the index alone.
            models.Index(fields=["assignee", "memo"], name="step_assignee_memo_idx"),
            models.Index(
                fields=["assignee", "memo"],
                condition=Q(acted_at__isnull=False, order__gt=0),
                name="step_done_by_idx",
            ),
            # The reminders' scan (workflow.reminders): the active steps that have fallen due.
            models.Index(fields=["due_at"], condition=Q(state="active"), name="step_active_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.memo_id} r{self.round}#{self.order} {self.role} {self.state}"

    @property
    def waiting_for_assignment(self) -> bool:
        return self.state == StepState.ACTIVE and self.assignee_id is None


class MemoProcess(Process):  # type: ignore[misc]
    """The viewflow process of one memo (proxy: no table of its own, so viewflow adds no join)."""

    class Meta:
        proxy = True
        verbose_name = _("memo process")
        verbose_name_plural = _("memo processes")


class StepReassignment(models.Model):
    """An administrator moved a step to another person. The person moved away keeps read access to the memo
    (they were on its route); the reason stays with the history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    step = models.ForeignKey(RouteStep, on_delete=models.CASCADE, related_name="reassignments")
    previous_assignee = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous assignee"),
    )
    new_assignee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("new assignee")
    )
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("step reassignment")
        verbose_name_plural = _("step reassignments")
        ordering = ["step", "at"]
        # memos_visible_to: the memos of steps moved away from a person (a part of its union).
        indexes = [models.Index(fields=["previous_assignee", "step"], name="reassign_previous_idx")]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.previous_assignee_id} → {self.new_assignee_id}"


class OpinionPhrase(models.Model):
    """A common phrase offered one tap away to the signatories of one role, edited by an administrator per
    organisation: a co-signer's (เห็นชอบ, ตรวจสอบแล้ว), an opinion's (เห็นควรพิจารณา, เห็นควรอนุมัติ), a
    decision's (ทราบ, อนุมัติ, ไม่อนุมัติ: on the decision step these choose the decision)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="opinion_phrases")
    role = models.CharField(
        _("offered to"),
        max_length=16,
        choices=[(r.value, r.label) for r in ROUTE_ROLES],
        default=StepRole.OPINION,
    )
    text = models.CharField(_("phrase"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("opinion phrase")
        verbose_name_plural = _("opinion phrases")
        ordering = ["organisation", "role", "sort_order", "text"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role", "text"], name="phrase_unique_role_text")
        ]

    def __str__(self) -> str:
        return self.text


class MemoSearch(models.Model):
    """A memo's search document (issue 12): its number, subject, body, writer's name, and every signatory's
    name, opinion and order, in one text with Thai digits written as Arabic ones and lower-cased, so that
    "32801/1" and "๓๒๘๐๑/๑" find each other and a word inside a Thai compound is a substring.

    Written by workflow.search.memo_search_refresh in the transaction of each service that changes that text
    (never by hand); indexed for substrings: a pg_trgm GIN index on PostgreSQL, an FTS5 trigram table kept by
    triggers on SQLite (migration 0009)."""

    memo = models.OneToOneField(
        Memo, primary_key=True, on_delete=models.CASCADE, related_name="search", verbose_name=_("memo")
    )
    document = models.TextField(_("search document"))

    class Meta:
        verbose_name = _("memo search document")
        verbose_name_plural = _("memo search documents")

    def __str__(self) -> str:
        return str(self.memo_id)


class StepNoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATED = "escalated", _("Escalated")


class StepNotice(models.Model):
    """A reminder to a step's assignee or an escalation to their superior (issue 13, workflow.reminders), sent
    once: the row is the claim, written in the transaction that notifies and audits. A reminder is once per step
    per Bangkok day (its `day`); an escalation once per step. Two workers scanning at the same moment both try
    the INSERT; the unique constraints let one through, and the other's transaction, notification and audit
    event roll back."""

    id = models.BigAutoField(primary_key=True)
    step = models.ForeignKey(RouteStep, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=16, choices=StepNoticeKind.choices)
    day = models.DateField(_("day"), help_text=_("The working day (Bangkok) it was sent on."))
    # None: an escalation with nobody above the step to tell (the step is marked, and not looked at again)
    recipient = models.ForeignKey(
        Person, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))
    overdue_days = models.PositiveIntegerField(_("working days overdue"), default=0)

    class Meta:
        verbose_name = _("step reminder")
        verbose_name_plural = _("step reminders")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "kind", "day"], name="step_notice_once_a_day"),
            models.UniqueConstraint(
                fields=["step"], condition=Q(kind="escalated"), name="step_escalated_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_id} {self.kind} {self.day}"
