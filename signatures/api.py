"""The signer's own signature image through the API: GET, PUT (multipart ``file``) and DELETE
/api/v1/me/signature-image/. The same service as the profile page's form."""

import base64
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit import RequestMeta
from core.errors import ValidationFailed
from core.parsers import FormParser, MultiPartParser
from org.models import Person
from signatures import selectors, services
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
