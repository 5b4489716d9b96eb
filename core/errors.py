"""Typed domain errors, each with a stable code and a Thai/English message, mapped once to HTTP in core.api.

400 bad input, 403/404 not allowed (404 where existence itself is confidential), 409 not possible now.
"""

from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """Base of every error a user can cause; `message` is shown to them in their language."""

    code = "error"
    http_status = 400
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(self, message: str | Promise | None = None, *, extra: dict[str, Any] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))


class ValidationFailed(ApplicationError):
    """Bad input; `fields` maps a field name to its messages."""

    code = "invalid"
    http_status = 400
    default_message = _("Some values are not valid.")

    def __init__(
        self, message: str | Promise | None = None, *, fields: dict[str, list[str | Promise]] | None = None
    ) -> None:
        super().__init__(message)
        self.fields = fields or {}


class LimitExceeded(ValidationFailed):
    """Bad input because it is more than one memo may hold (enclosures, image pixels, body length)."""

    code = "limit_exceeded"
    default_message = _("This is more than one memo may hold.")


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class Forbidden(ApplicationError):
    code = "forbidden"
    http_status = 403
    default_message = _("You are not allowed to do this.")


class InvalidState(ApplicationError):
    code = "invalid_state"
    http_status = 409
    default_message = _("This action is not possible in the current state.")


class OverlappingAppointment(ValidationFailed):
    code = "overlapping_appointment"
    default_message = _("Another acting appointment for this position overlaps these dates.")


class NoSignatory(ApplicationError):
    """A position is vacant and nobody is appointed to act for it at the given time."""

    code = "no_signatory"
    http_status = 409
    default_message = _("The position is vacant and nobody is appointed to act for it.")


class AlreadyDone(ApplicationError):
    """The step was acted on already (by this person, or a concurrent request)."""

    code = "already_done"
    http_status = 409
    default_message = _("This step has already been acted on.")


class NotYourTask(ApplicationError):
    code = "not_your_task"
    http_status = 403
    default_message = _("Only the person this step is assigned to can act on it.")


class BadPassword(ApplicationError):
    """The step-up password check failed; nothing was changed."""

    code = "bad_password"
    http_status = 403
    default_message = _("The password is not correct. Nothing was signed or changed.")


class Busy(ApplicationError):
    code = "busy"
    http_status = 409
    default_message = _("Someone else is acting on this memo right now. Please try again.")


class LockedOut(BadPassword):
    """Too many failed passwords for this account or from this address: refused until the cool-off ends,
    whatever the password (org.lockout builds the message with the time to try again)."""

    code = "locked_out"
    http_status = 429
    default_message = _("Too many failed attempts. Try again later.")
    until: datetime | None = None
