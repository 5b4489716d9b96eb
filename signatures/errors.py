"""Errors of the signing keys (the wrong password is core.errors.BadPassword, raised by the step-up check)."""

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, Forbidden, InvalidState


class SigningNotConfigured(InvalidState):
    """No CA yet (`manage.py signing_init`), or the CA's or the seal's passphrase is missing or wrong."""

    code = "signing_not_configured"
    default_message = _("Electronic signing is not set up yet. Ask an administrator to set it up.")


class SignerDiscarded(ApplicationError):
    """A programming error: an unwrapped key was used after its signature was made."""

    code = "signer_discarded"
    http_status = 500
    default_message = _("The signing key was already discarded.")


class OwnPasswordRequired(Forbidden):
    """MEMOFLOW_SIGNING_REQUIRE_OWN_PASSWORD: the password was set by an administrator (a new account, a reset),
    who could therefore open the key; the holder picks their own first, which replaces the key."""

    code = "own_password_required"
    default_message = _(
        "Your password was set by an administrator. Change it on your profile page before you sign."
    )
