"""API v1 for the caller's own notifications: thin views over notifications.selectors and .services."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import flatten_errors
from core.errors import ValidationFailed
from core.pagination import WindowPagination
from notifications import selectors, services
from notifications.models import Kind, Notification
from notifications.texts import wording
from org.models import Person


class NotificationMemoSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    number = serializers.CharField()
    subject = serializers.CharField()
    urgency = serializers.CharField()


class NotificationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.SerializerMethodField(
        help_text="The notification's title, in the request's language."
    )
    text = serializers.SerializerMethodField(help_text="One sentence, in the request's language.")
    memo = NotificationMemoSerializer(allow_null=True)
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    params = serializers.DictField(
        help_text="What the wording is built from (position, reason, decision, ...)."
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_title(self, notification: Notification) -> str:
        return wording(notification).title

    def get_text(self, notification: Notification) -> str:
        return wording(notification).sentence


class UnreadCountSerializer(serializers.Serializer[Any]):
    unread = serializers.IntegerField()


class NotificationQuerySerializer(serializers.Serializer[Any]):
    unread = serializers.BooleanField(required=False, default=False, help_text="1: only the unread ones.")


def _user(request: Request) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


class NotificationListView(GenericAPIView[Any]):
    """The caller's own notifications, newest first, paginated without a count."""

    serializer_class = NotificationSerializer
    pagination_class = WindowPagination

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="1: only the unread ones.", required=False)],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = NotificationQuerySerializer(data=request.query_params)
        if not query.is_valid():
            fields: dict[str, list[str | Any]] = dict(flatten_errors(query.errors))
            raise ValidationFailed(fields=fields)
        unread_only = bool(query.validated_data["unread"])
        qs = selectors.notifications_for(person=_user(request), unread_only=unread_only)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    """Mark one of the caller's notifications read (someone else's is 404)."""

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        notification = selectors.notification_get(person=_user(request), notification_id=notification_id)
        services.notification_mark_read(notification=notification, person=_user(request))
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    """Mark every one of the caller's notifications read; the unread count after (0)."""

    @extend_schema(request=None, responses=UnreadCountSerializer)
    def post(self, request: Request) -> Response:
        services.notification_mark_all_read(person=_user(request))
        return Response({"unread": selectors.unread_count(person=_user(request))})


class UnreadCountView(APIView):
    """The caller's unread notifications: the bell's number."""

    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(person=_user(request))})
