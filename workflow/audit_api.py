"""`GET /api/v1/audit/`: the organisation-wide audit log for auditors and administrators, filtered as the audit
search page filters it (workflow.audit_search), newest first, paginated by a cursor on the sequence number
(page size + 1 rows, no COUNT, no OFFSET): the same few queries on every page, however long the log."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.admin import parse_local_date
from core.api import flatten_errors
from core.audit_labels import EVENT_LABELS, event_label
from core.errors import Forbidden, ValidationFailed
from core.models import AuditEvent
from workflow import audit_search
from workflow.audit_search import AuditFilters


class AuditCursorPagination(CursorPagination):
    ordering = "-sequence"  # unique and only growing: a stable cursor
    page_size = audit_search.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = audit_search.MAX_PAGE_SIZE


class LocalDateField(serializers.Field):  # type: ignore[type-arg]
    """A day: YYYY-MM-DD (a year from 2400 on is read as Buddhist era, e.g. 2569-12-02), or day/month/year
    as people here write it ("2/12/2569", Thai digits too)."""

    def to_representation(self, value: Any) -> Any:
        return value.isoformat()

    def to_internal_value(self, data: Any) -> Any:
        text = str(data).strip()
        if not text:
            return None
        parsed = parse_local_date(text) if len(text) <= 40 else None
        if parsed is None:
            raise serializers.ValidationError(
                _("Not a date: use YYYY-MM-DD or day/month/year (a Buddhist-era year is accepted).")
            )
        return parsed


class AuditQuerySerializer(serializers.Serializer[Any]):
    memo = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The memo's number (Thai or Arabic digits) or id",
    )
    actor = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="A username, or words of a person's name"
    )
    action = serializers.ChoiceField(
        choices=sorted(EVENT_LABELS),
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": _("Not an event code.")},
        help_text="An event code, e.g. step.approved",
    )

    def get_fields(self) -> dict[str, Any]:
        """With `from` and `to` (a Python keyword cannot name a declared field)."""
        fields: dict[str, Any] = super().get_fields()
        for name, help_text in (
            ("from", "First day (Bangkok), included"),
            ("to", "Last day (Bangkok), included"),
        ):
            fields[name] = LocalDateField(required=False, help_text=help_text)
        return fields


class ActorSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    full_name = serializers.CharField()


class AuditObjectSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(source="object_type", help_text="e.g. memos.memo")
    id = serializers.CharField(source="object_id")


class AuditLogEntrySerializer(serializers.Serializer[Any]):
    sequence = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = ActorSerializer(allow_null=True, help_text="null: written by the system (e.g. the archive job)")
    action = serializers.CharField()
    # DRF's metaclass takes declared fields off the class: `label` and `data` shadow nothing at run time.
    label = serializers.SerializerMethodField(help_text="The event in words")  # type: ignore[assignment]
    object = AuditObjectSerializer(source="*")
    data = serializers.JSONField()  # type: ignore[assignment]
    ip = serializers.IPAddressField(source="ip_address", allow_null=True)
    user_agent = serializers.CharField()
    hash = serializers.CharField()
    prev_hash = serializers.CharField()

    @extend_schema_field(serializers.CharField())
    def get_label(self, event: AuditEvent) -> str:
        return str(event_label(event.action))


class AuditListView(GenericAPIView[Any]):
    """The audit log, newest first (auditors and administrators; anyone else 403 `forbidden`). Filters: `memo`
    (number or id), `actor` (username or name), `action` (event code), `from` / `to` (days in Bangkok time,
    both included). Follow `next` for older events."""

    serializer_class = AuditLogEntrySerializer
    pagination_class = AuditCursorPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("memo", str, description="The memo's number (Thai or Arabic digits) or id"),
            OpenApiParameter("actor", str, description="A username, or words of a person's name"),
            OpenApiParameter("action", str, enum=sorted(EVENT_LABELS), description="An event code"),
            OpenApiParameter(
                "from", str, description="First day: YYYY-MM-DD or day/month/year (BE accepted)"
            ),
            OpenApiParameter("to", str, description="Last day: YYYY-MM-DD or day/month/year (BE accepted)"),
        ],
        responses=AuditLogEntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not audit_search.may_search_audit(request.user):
            raise Forbidden(_("The audit log is for auditors and administrators."))
        params = {
            k: v for k, v in request.query_params.items() if k in ("memo", "actor", "action", "from", "to")
        }
        query = AuditQuerySerializer(data=params)
        if not query.is_valid():
            fields: dict[str, list[Any]] = dict(flatten_errors(query.errors))
            raise ValidationFailed(fields=fields)
        data = query.validated_data
        start, end = data.get("from") or None, data.get("to") or None
        if start and end and start > end:
            raise ValidationFailed(fields={"to": [_("The end of the range is before its start.")]})
        if audit_search.too_many_people(data.get("actor") or ""):
            raise ValidationFailed(fields={"actor": [audit_search.too_many_people_message()]})
        filters = AuditFilters(
            memo=(data.get("memo") or "").strip(),
            actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "",
            date_from=start,
            date_to=end,
        )
        page = self.paginate_queryset(audit_search.audit_events(filters=filters))
        return self.get_paginated_response(AuditLogEntrySerializer(page, many=True).data)
