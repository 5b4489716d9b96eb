"""API v1: sign in for a token, and who am I (positions and acting appointments)."""

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from org import selectors
from org.authentication import api_token_issue
from org.models import Person


class TokenRequestSerializer(serializers.Serializer[None]):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenObtainView(APIView):
    """Exchange a username and password for an API token (the same answer for a wrong name or password)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: inline_serializer(
                "TokenError", {"code": serializers.CharField(), "detail": serializers.CharField()}
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if person is None or not person.is_active:
            return Response(
                {"code": "bad_credentials", "detail": str(_("Incorrect username or password."))},
                status=status.HTTP_400_BAD_REQUEST,
            )
        assert isinstance(person, Person)
        return Response({"token": api_token_issue(person=person)})


class PositionRefSerializer(serializers.Serializer[None]):
    id = serializers.UUIDField()
    title = serializers.CharField()


class MyPositionSerializer(PositionRefSerializer):
    unit = serializers.CharField(source="unit.full_name", allow_null=True, default=None)


class MyActingSerializer(serializers.Serializer[None]):
    position = PositionRefSerializer()
    capacity = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    order_reference = serializers.CharField()


class MeSerializer(serializers.Serializer[dict[str, Any]]):
    username = serializers.CharField()
    full_name = serializers.CharField()
    positions = MyPositionSerializer(many=True)
    acting = MyActingSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        person = request.user
        assert isinstance(person, Person)
        payload = {
            "username": person.username,
            "full_name": person.full_name,
            "positions": selectors.person_positions(person=person),
            "acting": selectors.person_acting_appointments(person=person),
        }
        return Response(MeSerializer(instance=payload).data)
