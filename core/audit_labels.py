"""The audit log's event codes in words, in one place: the admin shows these, with the code beside them.

The codes stay as they are in the data (the API, the logs and the tests name them); a code without a label
here is shown as itself, and tests/test_admin.py checks every code the services write has one.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, Promise] = {
    "memo.created": _("Memo drafted"),
    "memo.changed": _("Draft edited"),
    "memo.enclosure_added": _("Enclosure added"),
    "memo.enclosure_replaced": _("Enclosure's file replaced"),
    "memo.enclosure_removed": _("Enclosure removed"),
    "memo.route_changed": _("Route changed"),
    "memo.submitted": _("Memo signed and submitted"),
    "memo.withdrawn": _("Memo withdrawn"),
    "memo.archived": _("Memo archived"),
    "step.approved": _("Step signed"),
    "step.returned": _("Returned for revision"),
    "step.rejected": _("Memo ended (rejected)"),
    "step.skipped": _("Step skipped (separation of duties)"),
    "step.reassigned": _("Step reassigned by an administrator"),
    "route_template.saved": _("Route template saved"),
    "person.created": _("Account created"),
    "person.changed": _("Account changed"),
    "person.password_changed": _("Password changed"),
    "api_token.revoked": _("API token revoked"),
    "organisation.created": _("Organisation created"),
    "organisation.changed": _("Organisation changed"),
    "unit.created": _("Unit created"),
    "unit.changed": _("Unit changed"),
    "position.created": _("Position created"),
    "position.changed": _("Position changed"),
    "acting_appointment.created": _("Acting appointment made"),
    "acting_appointment.changed": _("Acting appointment changed"),
    "ca.created": _("Certificate authority created"),
    "ca.imported": _("Certificate authority imported"),
    "signing_key.issued": _("Signing key issued"),
    "signing_key.rewrapped": _("Signing key re-protected (password changed)"),
    "signing_key.revoked": _("Signing key revoked"),
    "signature_image.enrolled": _("Handwritten signature enrolled"),
    "signature_image.withdrawn": _("Handwritten signature withdrawn"),
    "memo.downloaded": _("Memo's file viewed or downloaded"),
    "signing.failed": _("Signing refused"),
    "auth.signed_in": _("Signed in"),
    "auth.sign_in_failed": _("Sign-in failed"),
    "auth.locked_out": _("Sign-in refused: locked out"),
    "opinion_phrase.created": _("Opinion phrase added"),
    "opinion_phrase.changed": _("Opinion phrase changed"),
    "opinion_phrase.deleted": _("Opinion phrase removed"),
    "route_template.deleted": _("Route template removed"),
    "group.created": _("Group created"),
    "group.changed": _("Group changed"),
    "group.deleted": _("Group removed"),
    "holiday.created": _("Holiday added"),
    "holiday.changed": _("Holiday changed"),
    "holiday.deleted": _("Holiday removed"),
    "webhook_endpoint.created": _("Webhook endpoint added"),
    "webhook_endpoint.changed": _("Webhook endpoint changed"),
    "webhook_endpoint.secret_rotated": _("Webhook signing secret replaced"),
    "webhook_delivery.retried": _("Webhook delivery retried by an administrator"),
}


def event_label(code: str) -> str | Promise:
    """The event in words in the user's language; an unknown code as itself."""
    return EVENT_LABELS.get(code, code)


#: Events about people rather than the memo's course — who opened its files, whose signing was refused: in a
#: memo's history only for auditors and administrators (colleagues on the route see the memo's own events).
AUDITOR_ONLY_ACTIONS = frozenset({"memo.downloaded", "signing.failed"})
