"""Sign-in forms that say when a locked-out account or address may try again (web login and admin login),
and the admin's set-password form, which goes through org.services (tokens revoked, audited)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.audit import RequestMeta
from org import services
from org.lockout import request_locked_out
from org.models import Person
from org.sign_in import sign_in_attempt_record

# Who resets the password, from which address: Django's admin builds this form without the request.
_admin_request: ContextVar[HttpRequest | None] = ContextVar("memoflow_admin_request", default=None)


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
    def confirm_login_allowed(self, user: Any) -> None:
        """The right password of an account that may not use the admin (not staff) is a failed admin sign-in
        too, though Django sends no `user_login_failed` for it: recorded (org.sign_in)."""
        try:
            super().confirm_login_allowed(user)
        except ValidationError:
            sign_in_attempt_record(
                username=user.get_username(),
                via="admin",
                succeeded=False,
                reason="not_staff" if user.is_active else "inactive",
                meta=RequestMeta.from_request(self.request),
            )
            raise


class PersonPasswordResetForm(AdminPasswordChangeForm[Person]):
    """An administrator's reset ("change password" in the person's admin page): through
    org.services.person_password_change, so every API token of the person is revoked and the reset audited."""

    @staticmethod
    @contextmanager
    def for_request(request: HttpRequest) -> Iterator[None]:
        token = _admin_request.set(request)
        try:
            yield
        finally:
            _admin_request.reset(token)

    def save(self, commit: bool = True) -> Any:
        request = _admin_request.get()
        actor = getattr(request, "user", None)
        password = (
            self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        )
        return services.person_password_change(
            person=self.user,
            password=password,
            actor=actor if isinstance(actor, Person) else None,
            meta=RequestMeta.from_request(request),
        )
