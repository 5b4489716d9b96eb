"""The signer's own signature image through the API: GET, PUT (multipart ``file``) and DELETE
/api/v1/me/signature-image/. The same service as the profile page's form."""

import base64
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import TooLarge
from core.audit import RequestMeta
from core.errors import ValidationFailed
from core.parsers import FormParser, MultiPartParser
from org.models import Person
from org.throttles import VerifyRateThrottle
from signatures import selectors, services, verify_public
from signatures.images import max_upload_bytes
from signatures.models import SignatureImage


class SignatureImageBodySerializer(serializers.Serializer[dict[str, Any]]):
    sha256 = serializers.CharField(help_text="SHA-256 of the cleaned PNG")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    enrolled_at = serializers.DateTimeField()
    png = serializers.CharField(help_text="the cleaned transparent PNG, base64")


class MySignatureImageSerializer(serializers.Serializer[dict[str, Any]]):
    image = SignatureImageBodySerializer(
        allow_null=True, help_text="null: no signature image (the electronic-signature line is printed)"
    )


class SignatureImageUploadSerializer(serializers.Serializer[None]):
    file = serializers.FileField(help_text="PNG or JPEG: a photo, a scan or a drawing of the signature")


def _body(image: SignatureImage | None) -> dict[str, Any]:
    if image is None:
        return {"image": None}
    with image.file.open("rb") as stored:
        png = base64.b64encode(stored.read()).decode()
    return {
        "image": {
            "sha256": image.sha256,
            "width": image.width,
            "height": image.height,
            "enrolled_at": image.created_at,
            "png": png,
        }
    }


def _person(request: Request) -> Person:
    person = request.user
    assert isinstance(person, Person)
    return person


class MySignatureImageView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=MySignatureImageSerializer)
    def get(self, request: Request) -> Response:
        image = selectors.signature_image_in_force(person=_person(request))
        return Response(MySignatureImageSerializer(_body(image)).data)

    @extend_schema(
        request={"multipart/form-data": SignatureImageUploadSerializer}, responses=MySignatureImageSerializer
    )
    def put(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(fields={"file": [_("Choose a PNG or JPEG image of your signature.")]})
        image = services.signature_image_enrol(
            person=_person(request),
            content=upload.read(max_upload_bytes() + 1),
            meta=RequestMeta.from_request(request),
        )
        return Response(MySignatureImageSerializer(_body(image)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        services.signature_image_withdraw(person=_person(request), meta=RequestMeta.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Verification (public) ---------------------------------------------------------------------------------------


class VerifyUploadSerializer(serializers.Serializer[None]):
    file = serializers.FileField(help_text="The signed PDF (at most MEMOFLOW_VERIFY_MAX_MB megabytes)")


class VerifiedSignatureSerializer(serializers.Serializer[None]):
    index = serializers.IntegerField(help_text="1, 2, ... in the order the signatures were added")
    kind = serializers.ChoiceField(["signature", "document_timestamp"])
    field = serializers.CharField(help_text="the signature field's name")
    signer = serializers.CharField(help_text="the certificate's CN: the signer's Thai full name")
    position = serializers.CharField(help_text="the certificate's title attribute")
    organisation = serializers.CharField()
    capacity = serializers.CharField(help_text="the capacity line (the signature's /Reason), or empty")
    signed_at = serializers.DateTimeField(allow_null=True, help_text="as the signer's software wrote it")
    timestamp = serializers.DateTimeField(allow_null=True, help_text="a timestamp authority's time")
    timestamp_trusted = serializers.BooleanField(allow_null=True)
    intact = serializers.BooleanField(help_text="the bytes it covers are unchanged")
    valid = serializers.BooleanField(help_text="the signature checks with its certificate")
    trusted = serializers.BooleanField(
        help_text="the certificate chains to the organisation's CA, not revoked"
    )
    revoked = serializers.BooleanField()
    coverage = serializers.ChoiceField(["entire_file", "entire_revision", "contiguous_block", "unclear"])
    modifications = serializers.ChoiceField(
        ["none", "lta_updates", "form_filling", "annotations", "other"], help_text="what changed after it"
    )
    certifies = serializers.IntegerField(allow_null=True, help_text="DocMDP level of a certification")
    certificate_serial = serializers.CharField(help_text="hexadecimal")
    ok = serializers.BooleanField(help_text="intact, valid, trusted and not revoked")


class VerifiedMemoSerializer(serializers.Serializer[None]):
    known = serializers.BooleanField(help_text="memoflow holds the revision the signed memo.json names")
    id = serializers.UUIDField(allow_null=True, help_text="null unless you may see the memo")
    number = serializers.CharField(allow_null=True)
    subject = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True)
    revision_sha256 = serializers.CharField(allow_null=True)
    current = serializers.BooleanField(allow_null=True, help_text="the memo's current revision")
    url = serializers.CharField(allow_null=True)


class VerificationProblemSerializer(serializers.Serializer[None]):
    code = serializers.ChoiceField(
        [
            "not_signed",
            "digest_mismatch",
            "bad_signature",
            "untrusted",
            "revoked",
            "modified_after_signing",
            "signature_removed",
        ]
    )
    signature = serializers.IntegerField(
        allow_null=True, help_text="which signature (1, 2, ...); null: the file"
    )
    detail = serializers.CharField(help_text="in the request's language")


class VerificationSerializer(serializers.Serializer[dict[str, Any]]):
    valid = serializers.BooleanField()
    memo = VerifiedMemoSerializer(allow_null=True)
    signatures = VerifiedSignatureSerializer(many=True)
    problems = VerificationProblemSerializer(many=True)
    unsigned_fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="signature fields still empty: a memo still in review (the next signatories'), or a skipped step",
    )
    closed = serializers.BooleanField(
        help_text="closed by an archive timestamp or the organisation's seal: the final, archived document"
    )


class VerifyView(APIView):
    """Anyone may verify a signed memo PDF: no sign-in, throttled per address, size-limited."""

    permission_classes = [AllowAny]
    throttle_classes = [VerifyRateThrottle]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="verify_pdf",
        summary="Verify a signed PDF",
        description=(
            "Checks every signature in the PDF against the organisation's CA and its CRL (no network): "
            "`valid` is true when there is at least one signature, every one is intact, trusted and not "
            "revoked, and nothing was changed after them but further signatures and validation data. "
            "`memo` says which memo revision the signed content names (details only to people who may see "
            "it). No sign-in; throttled per address (MEMOFLOW_VERIFY_THROTTLE_RATE). A file that is not a "
            "readable PDF is 400 `unsupported_file`; one above MEMOFLOW_VERIFY_MAX_MB is 413 `too_large`."
        ),
        auth=[],
        request={"multipart/form-data": VerifyUploadSerializer},
        responses={200: VerificationSerializer},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(fields={"file": [_("Choose the signed PDF to check.")]})
        limit = verify_public.max_bytes()
        if (upload.size or 0) > limit:
            raise TooLarge(
                _("The file is larger than %(megabytes)s MB.") % {"megabytes": limit // (1024 * 1024)}
            )
        body = verify_public.verify_upload(upload.read(limit + 1), user=request.user)
        return Response(VerificationSerializer(body).data)
