"""Public downloads of the organisation's CA: its certificate (to trust it in Adobe Reader) and its CRL."""

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.audit import RequestMeta
from core.errors import ValidationFailed
from org.models import Person
from signatures import selectors, services
from signatures.images import max_upload_bytes


@require_GET
def ca_certificate(request: HttpRequest) -> HttpResponse:
    """The CA's certificate, DER (what Windows, Adobe and the AIA extension expect)."""
    ca = selectors.active_ca()
    if ca is None:
        raise Http404()
    der = selectors.trust_root(ca).public_bytes(serialization.Encoding.DER)
    response = HttpResponse(der, content_type="application/pkix-cert")
    response["Content-Disposition"] = 'attachment; filename="memoflow-ca.crt"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def crl(request: HttpRequest) -> HttpResponse:
    """The CA's current CRL, DER: the URL in every certificate's CRL distribution point."""
    data = services.crl_current()
    if data is None:
        raise Http404()
    response = HttpResponse(data, content_type="application/pkix-crl")
    response["Content-Disposition"] = 'attachment; filename="memoflow.crl"'
    response["Cache-Control"] = "public, max-age=600"
    return response


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
