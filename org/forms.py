"""Sign-in forms that say when a locked-out account or address may try again (web login and admin login)."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from org.lockout import request_locked_out


class LockoutMessageMixin:
    """For an AuthenticationForm: when django-axes refused the attempt (or this failure reached the limit),
    the error says until when, instead of "wrong username or password"."""

    request: HttpRequest | None
    cleaned_data: dict[str, Any]

    def get_invalid_login_error(self) -> ValidationError:
        if self.request is not None and getattr(self.request, "axes_locked_out", False):
            error = request_locked_out(self.request, self.cleaned_data.get("username"))
            return ValidationError(str(error.message), code="locked_out")
        parent: ValidationError = super().get_invalid_login_error()  # type: ignore[misc]
        return parent


class AdminSignInForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
