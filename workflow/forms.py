"""Forms of the signatory's web pages. They only shape input; every rule is checked by workflow.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from memos.models import MemoStatus, Urgency
from workflow.models import ROUTE_ROLES, Decision


class PasswordField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Your password (to confirm)"))
        kwargs.setdefault("strip", False)
        kwargs.setdefault(
            "widget", forms.PasswordInput(attrs={"autocomplete": "current-password", "required": True})
        )
        super().__init__(**kwargs)


class ApproveForm(forms.Form):
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(
        label=_("Decision"), required=False, choices=Decision.choices, widget=forms.RadioSelect
    )
    decision_text = forms.CharField(
        label=_("Order (for other)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    password = PasswordField()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    password = PasswordField()


class SubmitForm(forms.Form):
    password = PasswordField()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MemoForm(forms.Form):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    department = forms.CharField(
        label=_("Department (ส่วนราชการ)"),
        required=False,
        max_length=500,
        help_text=_("Empty: your unit and its phone number."),
    )
    subject = forms.CharField(label=_("Subject (เรื่อง)"), max_length=1000)
    addressee = forms.CharField(
        label=_("Addressee (เรียน)"),
        required=False,
        max_length=500,
        help_text=_("Empty: the position that decides."),
    )
    body = forms.CharField(
        label=_("Body"), widget=forms.Textarea(attrs={"rows": 10}), help_text=_("One paragraph per line.")
    )


class EnclosureForm(forms.Form):
    title = forms.CharField(label=_("Enclosure title"), max_length=1000)
    file = forms.FileField(
        label=_("File (PDF, PNG or JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


ROLE_CHOICES = [(r.value, r.label) for r in ROUTE_ROLES]


class MemoSearchForm(forms.Form):
    q = forms.CharField(label=_("Search number or subject"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MemoStatus.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("All")), *Urgency.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
