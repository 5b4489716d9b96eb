"""Public pages: the organisation's CA (its certificate, to trust it in Adobe Reader, and its CRL) and the
verification of signed PDFs; and the signer's own signature image (profile)."""

import base64
import binascii
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit import RequestMeta
from core.errors import ValidationFailed
from org.models import Person
from org.throttles import TimestampRateThrottle, VerifyRateThrottle
from signatures import selectors, services, tsa, verify_public
from signatures.errors import SigningNotConfigured
from signatures.images import max_upload_bytes
from signatures.verification import DocumentIdentity, UnsupportedFile


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


TSA_MAX_REQUEST_BYTES = 4096  # a TimeStampReq with a SHA-512 imprint, nonce and extensions is ~100 bytes


class _TimestampScope:
    throttle_scope = "tsa"


@csrf_exempt  # a protocol endpoint for TSA clients (no session, no cookies): RFC 3161 over HTTP (RFC 3161 s.3.4)
@require_POST
def timestamp_authority(request: HttpRequest) -> HttpResponse:
    """The organisation's RFC 3161 timestamp authority: POST application/timestamp-query, answer
    application/timestamp-reply. For the demo and the tests (docs/signatures.md: production uses an
    independent TSA)."""
    if settings.MEMOFLOW_TSA_URL != "local":  # production points at an independent TSA: ours is not offered
        raise Http404()
    if not TimestampRateThrottle().allow_request(request, _TimestampScope()):
        return HttpResponse(
            status=429, headers={"Retry-After": "60"}
        )  # an RSA signature each: not for anyone's flood
    if request.content_type != "application/timestamp-query":
        return HttpResponse(status=415)
    body = request.read(TSA_MAX_REQUEST_BYTES + 1)
    if len(body) > TSA_MAX_REQUEST_BYTES:
        return HttpResponse(status=413)
    try:
        timestamper = tsa.local_timestamper()
    except SigningNotConfigured:
        raise Http404() from None
    return HttpResponse(tsa.answer(body, timestamper), content_type="application/timestamp-reply")


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


# Public verification ------------------------------------------------------------------------------------------


class _VerifyScope:
    throttle_scope = "verify"


def _verify_page(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("max_megabytes", verify_public.max_bytes() // (1024 * 1024))
    return render(request, "signatures/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """/verify/: anyone uploads a signed memo PDF and sees every signature and whether the document is valid.
    Reached by a memo's QR code with ?memo=<id>&rev=<sha256>: what memoflow knows of that revision, in detail
    only to people who may see the memo (workflow.verification)."""
    if request.method == "GET":
        memo_id, rev = request.GET.get("memo", ""), request.GET.get("rev", "")
        looked_up = None
        if memo_id and rev:
            identity = DocumentIdentity(memo_id=memo_id[:64], revision_number=None, revision_sha256=rev[:64])
            looked_up = verify_public.memo_for(identity, request.user)
        return _verify_page(request, looked_up=looked_up, asked=bool(memo_id and rev))
    if not VerifyRateThrottle().allow_request(request, _VerifyScope()):
        return _verify_page(
            request, status=429, error=_("Too many checks from your address. Try again later.")
        )
    upload = request.FILES.get("file")
    if upload is None:
        return _verify_page(request, status=400, error=_("Choose the signed PDF to check."))
    limit = verify_public.max_bytes()
    if (upload.size or 0) > limit:
        message = _("The file is larger than %(megabytes)s MB.") % {"megabytes": limit // (1024 * 1024)}
        return _verify_page(request, status=413, error=message)
    try:
        body = verify_public.verify_upload(upload.read(limit + 1), user=request.user)
    except UnsupportedFile as error:
        return _verify_page(request, status=400, error=error.message)
    for sig in body["signatures"]:
        sig["coverage_label"] = verify_public.COVERAGE_LABELS[sig["coverage"]]
        sig["modifications_label"] = verify_public.MODIFICATION_LABELS[sig["modifications"]]
    return _verify_page(request, result=body, file_name=upload.name)


@require_GET
def verify_ca_page(request: HttpRequest) -> HttpResponse:
    """How to trust the organisation's CA in Adobe Reader, with the certificate to download."""
    ca = selectors.active_ca()
    context: dict[str, Any] = {"ca": ca}
    if ca is not None:
        context["fingerprint"] = ":".join(
            selectors.trust_root(ca).fingerprint(hashes.SHA256()).hex().upper()[i : i + 2]
            for i in range(0, 64, 2)
        )
    return render(request, "signatures/verify_ca.html", context)
