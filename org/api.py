"""API v1: get and revoke a token, and who am I (positions and acting appointments)."""

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import error_body
from core.audit import RequestMeta
from org import selectors
from org.authentication import HashedTokenAuthentication, api_token_issue, api_token_revoke
from org.lockout import request_locked_out, retry_after_seconds
from org.models import ApiToken, Person
from org.throttles import LoginRateThrottle


class TokenRequestSerializer(serializers.Serializer[None]):
    # Bounded before anything is looked up or hashed: the lockout records the username (255 characters at most)
    # and a megabyte-long password would make each try cost seconds of hashing.
    username = serializers.CharField(max_length=Person._meta.get_field("username").max_length or 150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


ERROR_BODY = inline_serializer(
    "TokenError", {"code": serializers.CharField(), "detail": serializers.CharField()}
)


class TokenView(APIView):
    """POST: exchange a username and password for an API token (the same answer for a wrong name or
    password; locked out after repeated failures). DELETE: revoke the token this request was made with."""

    throttle_scope = "login"

    def _method(self) -> str | None:
        # None while drf-spectacular builds its mock request.
        return getattr(getattr(self, "request", None), "method", None)

    def get_authenticators(self) -> list[Any]:
        return [HashedTokenAuthentication()] if self._method() == "DELETE" else []

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self._method() == "DELETE" else [AllowAny()]

    def get_throttles(self) -> list[Any]:
        return [LoginRateThrottle()] if self._method() == "POST" else []

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token",
        description=(
            "The token is valid for MEMOFLOW_API_TOKEN_TTL_DAYS days, until it is revoked, the password "
            "changes or the account is disabled. After MEMOFLOW_LOGIN_FAILURE_LIMIT failures for the account "
            "or from the address, every try is refused with 429 `locked_out` until the cool-off has passed."
        ),
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: ERROR_BODY,
            429: OpenApiResponse(ERROR_BODY, description="locked_out (Retry-After) or throttled"),
        },
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        # authenticate() with the request: django-axes refuses a locked-out account or address and counts a
        # failure; ModelBackend refuses a disabled account.
        person = authenticate(request._request, username=username, password=data.validated_data["password"])
        if person is None:
            if getattr(request._request, "axes_locked_out", False):
                error = request_locked_out(request._request, username)
                return Response(
                    error_body(error),
                    status=error.http_status,
                    headers={"Retry-After": str(retry_after_seconds(error))},
                )
            return Response(
                {"code": "bad_credentials", "detail": str(_("Incorrect username or password."))},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not isinstance(person, Person):
            raise TypeError("memoflow's user model is org.Person")
        return Response(
            {"token": api_token_issue(person=person, meta=RequestMeta.from_request(request._request))}
        )

    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Revoke the token of this request",
        description="The token stops working at once; the person's other tokens are not affected.",
        request=None,
        responses={204: None, 401: ERROR_BODY},
    )
    def delete(self, request: Request) -> Response:
        person = request.user
        token = request.auth
        if not isinstance(person, Person) or not isinstance(token, ApiToken):
            raise TypeError("DELETE is authenticated by HashedTokenAuthentication only")
        api_token_revoke(token=token, actor=person, meta=RequestMeta.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


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
