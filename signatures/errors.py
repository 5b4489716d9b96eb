"""Errors of the signing keys (the wrong password is core.errors.BadPassword, raised by the step-up check)."""

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, InvalidState


class SigningNotConfigured(InvalidState):
    """No CA yet (`manage.py signing_init`), or the CA's or the seal's passphrase is missing or wrong."""

    code = "signing_not_configured"
    default_message = _("Electronic signing is not set up yet. Ask an administrator to set it up.")


class SignerDiscarded(ApplicationError):
    """A programming error: an unwrapped key was used after its signature was made."""

    code = "signer_discarded"
    http_status = 500
    default_message = _("The signing key was already discarded.")
