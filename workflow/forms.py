"""Forms of the signatory's web pages. They only shape input; every rule is checked by workflow.services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from memos.models import MemoStatus, Secrecy, Urgency
from memos.secrecy import UNKNOWN_SECRECY
from workflow import search
from workflow.models import ROUTE_ROLES, Decision, StepRole


class PasswordField(forms.CharField):
    def __init__(self, *, required_message: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Your password (to confirm)"))
        kwargs.setdefault("strip", False)
        kwargs.setdefault(
            "widget", forms.PasswordInput(attrs={"autocomplete": "current-password", "required": True})
        )
        kwargs.setdefault(
            "error_messages",
            {"required": required_message or _("Enter your password to confirm your signature.")},
        )
        super().__init__(**kwargs)


class ApproveForm(forms.Form):
    """Sign the step. The services check the same rules (for the API too); here they are said in the page's
    own words, next to the field, before the password is tried."""

    opinion = forms.CharField(label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the decisions shown.")},
    )
    decision_text = forms.CharField(
        label=_("Order (for other)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    password = PasswordField()

    def __init__(self, *args: Any, role: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = role

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.role == StepRole.DECISION:
            decision = data.get("decision")
            if not decision and "decision" not in self.errors:
                self.add_error(
                    "decision",
                    _("Choose your decision: acknowledged, approved, not approved or another order."),
                )
            elif decision == Decision.OTHER and not (data.get("decision_text") or "").strip():
                self.add_error(
                    "decision_text", _("Write your order, for example: the finance division to proceed.")
                )
        elif self.role == StepRole.OPINION and not (data.get("opinion") or "").strip():
            self.add_error("opinion", _("Write your opinion before signing."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    password = PasswordField()


class ReturnForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write why the memo goes back, so that the writer knows what to change.")
        },
    )
    password = PasswordField(required_message=_("Enter your password to confirm the return."))


class RejectForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write why the memo ends here.")},
    )
    password = PasswordField(required_message=_("Enter your password to confirm ending the memo."))


class SubmitForm(forms.Form):
    password = PasswordField()


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # Withdrawing ends the memo for good: asked in the form itself, so that it holds without JavaScript.
    confirm = forms.BooleanField(
        label=_("I understand that the memo will be withdrawn for good and cannot be submitted again."),
        error_messages={"required": _("Tick the box to confirm that you want to withdraw the memo.")},
    )


class MemoForm(forms.Form):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(
        label=_("Secrecy"),
        choices=Secrecy.choices,
        required=False,
        initial=Secrecy.NONE,
        help_text=_(
            "Printed at the top and bottom of every page; e-mails and webhooks leave out the subject."
        ),
        error_messages={"invalid_choice": UNKNOWN_SECRECY},
    )
    department = forms.CharField(
        label=_("Department"),
        required=False,
        max_length=500,
        help_text=_("Empty: your unit and its phone number."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=1000,
        error_messages={"required": _("Write the memo's subject.")},
    )
    addressee = forms.CharField(
        label=_("To"),
        required=False,
        max_length=500,
        help_text=_("Empty: the position that decides."),
    )
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One paragraph per line."),
        error_messages={"required": _("Write the memo's text.")},
    )


class EnclosureForm(forms.Form):
    title = forms.CharField(
        label=_("Enclosure title"),
        max_length=1000,
        error_messages={"required": _("Give the enclosure a title.")},
    )
    file = forms.FileField(
        label=_("File (PDF, PNG or JPEG)"),
        error_messages={"required": _("Choose a file to attach.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


ROLE_CHOICES = [(r.value, r.label) for r in ROUTE_ROLES]


class MemoSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search number, subject, text, names or opinions"), required=False, max_length=search.MAX_TERM
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MemoStatus.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("All")), *Urgency.choices]
    )
    # Not "From"/"To": in Thai those are the memo's own จาก and เรียน (its sender and addressee).
    date_from = forms.DateField(
        label=_("Dated from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Dated up to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data.get("q") or ""
        try:
            search.search_term(value)
        except ValidationFailed:
            raise forms.ValidationError(search.too_short_message(), code="too_short") from None
        return value
