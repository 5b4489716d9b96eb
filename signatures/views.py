"""The profile page's signature image form (ลายมือชื่อ): draw it, upload it, or remove it.

The page itself is the profile (workflow.views.ProfileView), which includes
``signatures/signature_image_section.html``; this view takes its form's POST and goes back to the profile
with a message. A drawing arrives as a PNG data URL in the ``drawn`` field (the canvas, signature-pad.js); a
file as ``file``. Both are cleaned by the same service.
"""

import base64
import binascii

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import RequestMeta
from core.errors import ValidationFailed
from org.models import Person
from signatures import services
from signatures.images import max_upload_bytes

_DATA_URL_PREFIX = "data:image/png;base64,"


def _drawn_png(value: str) -> bytes:
    """The PNG of a canvas's data URL (its size is checked by the cleaner, as an upload's)."""
    if not value.startswith(_DATA_URL_PREFIX):
        raise ValidationFailed(_("The drawing could not be read. Draw it again."))
    try:
        return base64.b64decode(value[len(_DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationFailed(_("The drawing could not be read. Draw it again.")) from error


def _first_message(error: ValidationFailed) -> str:
    for field_messages in error.fields.values():
        if field_messages:
            return str(field_messages[0])
    return str(error.message)


@login_required
@require_POST
def signature_image_save(request: HttpRequest) -> HttpResponse:
    person = request.user
    assert isinstance(person, Person)
    meta = RequestMeta.from_request(request)
    action = request.POST.get("action", "")
    try:
        if action == "withdraw":
            services.signature_image_withdraw(person=person, meta=meta)
            messages.success(request, _("Your signature image has been removed."))
            return redirect("profile")
        upload = request.FILES.get("file")
        if action == "draw" and request.POST.get("drawn"):
            content = _drawn_png(request.POST["drawn"])
        elif action == "upload" and upload is not None:
            content = upload.read(max_upload_bytes() + 1)
        else:
            raise ValidationFailed(_("Draw your signature, or choose a PNG or JPEG file, first."))
        services.signature_image_enrol(person=person, content=content, meta=meta)
    except ValidationFailed as error:
        messages.error(request, _first_message(error))
        return redirect("profile")
    messages.success(request, _("Your signature image has been saved."))
    return redirect("profile")
