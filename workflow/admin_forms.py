"""The administrator's "reassign a step" page in the Django admin: who may be offered, and the form.

The people offered are the ones `services.step_reassign` would accept (its `_check_assignee`, ADR 0005); the
service still decides, under the process lock, so a state changed meanwhile is refused with its own message.
"""

from typing import Any

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, ValidationFailed
from memos.models import Memo
from org.models import ActingAppointment, ActingCapacity, Person, Position
from org.selectors import bangkok_day
from workflow.models import RouteStep, StepState


def waiting_steps(*, memo: Memo) -> list[RouteStep]:
    """The memo's step waiting for a signature (or for an administrator to name one): the only one that can
    be reassigned. At most one (the database allows one active step per memo)."""
    return list(
        RouteStep.objects.filter(memo=memo, state=StepState.ACTIVE)
        .select_related("position", "assignee")
        .order_by("round", "order")
    )


def reassignment_candidates(*, step: RouteStep) -> QuerySet[Person]:
    """People who may be given `step`, as the service judges them: active, serving in the memo's organisation
    (a position held, or an acting appointment in force today), not its writer, not an auditor (a superuser
    counts as one, as `is_auditor` does), not already signed in this round; nor the person it is with now."""
    memo = step.memo
    holds = Position.objects.filter(organisation_id=memo.organisation_id, holder=OuterRef("pk"))
    acts = ActingAppointment.objects.valid_on(bangkok_day(None)).filter(
        person=OuterRef("pk"), position__organisation_id=memo.organisation_id
    )
    signed = RouteStep.objects.filter(
        memo_id=memo.pk, round=step.round, state=StepState.SIGNED, assignee=OuterRef("pk")
    )
    auditing = Permission.objects.filter(codename="audit_memos", content_type__app_label="org")
    auditors = Person.objects.filter(
        Q(is_superuser=True) | Q(user_permissions__in=auditing) | Q(groups__permissions__in=auditing)
    )
    first_title = Position.objects.filter(
        organisation_id=memo.organisation_id, holder=OuterRef("pk")
    ).order_by("sort_order", "pk")
    acting_title = (
        ActingAppointment.objects.valid_on(bangkok_day(None))
        .filter(person=OuterRef("pk"), position__organisation_id=memo.organisation_id)
        .order_by("-valid_from")
    )
    candidates = (
        Person.objects.filter(is_active=True)
        .filter(Exists(holds) | Exists(acts))
        .exclude(pk=memo.writer_id)
        .exclude(pk__in=auditors.values("pk"))
        .exclude(Exists(signed))
        .annotate(
            held_title=Subquery(first_title.values("title")[:1]),
            acting_title=Subquery(acting_title.values("position__title")[:1]),
            acting_capacity=Subquery(acting_title.values("capacity")[:1]),
        )
        .order_by("first_name_th", "last_name_th", "username")
    )
    if step.assignee_id is not None:
        candidates = candidates.exclude(pk=step.assignee_id)
    return candidates


def candidate_label(person: Person) -> str:
    """ "นางราชวรี อนุกุล — นักทรัพยากรบุคคล; รักษาการแทนหัวหน้าสำนักปลัด": whom the admin is choosing."""
    titles = [t for t in (getattr(person, "held_title", None),) if t]
    acting = getattr(person, "acting_title", None)
    if acting:
        titles.append(f"{getattr(person, 'acting_capacity', '') or ''}{acting}")
    return f"{person.full_name} — {'; '.join(titles)}" if titles else person.full_name


class CandidateField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return candidate_label(obj)


class StepReassignForm(forms.Form):
    """The step is carried by the page (never typed); the person is chosen from those who may sign it."""

    step = forms.ModelChoiceField(queryset=RouteStep.objects.none(), widget=forms.HiddenInput)
    assignee = CandidateField(
        queryset=Person.objects.none(),
        label=_("Give the step to"),
        empty_label=_("Choose a person"),
        error_messages={"required": _("Choose the person who will sign this step.")},
    )
    capacity = forms.ChoiceField(
        label=_("Signs in the capacity"),
        required=False,
        help_text=_("Only when the person signs for someone else's position."),
    )
    reason = forms.CharField(
        label=_("Reason for the reassignment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the memo's history to everyone who can read the memo."),
        error_messages={"required": _("Write why the step is reassigned.")},
    )

    def __init__(self, *args: Any, memo: Memo, step: RouteStep | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step_field: forms.ModelChoiceField = self.fields["step"]  # type: ignore[type-arg,assignment]
        # Any step of this memo: whether it can still be reassigned is the service's call (its own message).
        step_field.queryset = RouteStep.objects.filter(memo=memo).select_related("memo", "position")
        if step is not None:
            self.initial["step"] = step.pk
        assignee: CandidateField = self.fields["assignee"]  # type: ignore[assignment]
        # Offered: the eligible; accepted for the service to judge: anyone active (someone who became
        # ineligible since the page was shown gets the service's reason, not "not one of the choices").
        assignee.queryset = Person.objects.filter(is_active=True)
        self.offered = list(reassignment_candidates(step=step)) if step is not None else []
        assignee.choices = [("", assignee.empty_label), *((p.pk, candidate_label(p)) for p in self.offered)]
        capacity: forms.ChoiceField = self.fields["capacity"]  # type: ignore[assignment]
        capacity.choices = [("", _("As themself (no acting capacity)")), *ActingCapacity.choices]

    def add_service_error(self, error: ApplicationError) -> None:
        """The service's refusal, on the field it names (or above the form)."""
        fields = error.fields if isinstance(error, ValidationFailed) else {}
        placed = False
        for name, problems in fields.items():
            for problem in problems:
                self.add_error(name if name in self.fields else None, str(problem))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))
