"""Public downloads of the organisation's CA: its certificate (to trust it in Adobe Reader) and its CRL."""

from cryptography.hazmat.primitives import serialization
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from signatures import selectors, services


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
