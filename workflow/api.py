"""API v1 for memos and tasks: thin views over workflow.selectors (reads) and workflow.services (writes)."""

import hashlib
import logging
from typing import Any

from django.http import FileResponse, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import FileContentNegotiation, flatten_errors
from core.audit import RequestMeta
from core.audit_labels import AUDITOR_ONLY_ACTIONS
from core.errors import ApplicationError, Forbidden, NotFound, ValidationFailed
from core.http import frameable_by_own_pages
from core.pagination import WindowPagination
from core.parsers import FormParser, MultiPartParser
from memos.models import Enclosure, Memo, MemoStatus, Secrecy, Urgency
from memos.secrecy import UNKNOWN_SECRECY
from org.api import PositionRefSerializer
from org.models import Person, Position
from workflow import lists, search, selectors, services
from workflow.models import ROUTE_ROLES, Decision, DutyConflict, RouteStep, StepState

# The most any free-text field of a request may carry (a transport bound, so that PostgreSQL and the services never
# see megabytes of text); the memo body's own limit is the setting MEMOFLOW_MEMO_MAX_BODY_CHARS, checked by the service.
MAX_BODY = 100_000

logger = logging.getLogger(__name__)

# Output -----------------------------------------------------------------------------------------------------


class PersonRefSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    full_name = serializers.CharField()


class RouteStepSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField()
    role = serializers.CharField()
    position = PositionRefSerializer()
    assignee = PersonRefSerializer(allow_null=True)
    capacity = serializers.CharField()
    state = serializers.ChoiceField(choices=StepState.choices)
    waiting_for_assignment = serializers.BooleanField()
    opinion = serializers.CharField()
    decision = serializers.CharField()
    decision_text = serializers.CharField()
    reason = serializers.CharField()
    since = serializers.DateTimeField(source="activated_at", allow_null=True)
    signed_at = serializers.SerializerMethodField()

    def get_signed_at(self, step: RouteStep) -> str | None:
        if step.state != StepState.SIGNED or step.acted_at is None:
            return None
        return serializers.DateTimeField().to_representation(step.acted_at)


class EnclosureSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    order = serializers.IntegerField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    has_table = serializers.SerializerMethodField()

    def get_has_table(self, enclosure: Enclosure) -> bool:
        return enclosure.table is not None


class CertificateRefSerializer(serializers.Serializer[Any]):
    url = serializers.CharField()
    sha256 = serializers.CharField()


SECRECY_HELP = (
    "ชั้นความลับ: empty = not classified, confidential (ลับ), secret (ลับมาก), top_secret (ลับที่สุด). Printed at "
    "the top and bottom of every page of the PDF; e-mails and webhooks leave out a classified memo's subject."
)


class MemoSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    number = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    subject = serializers.CharField()
    addressee = serializers.SerializerMethodField()
    department = serializers.CharField()
    body = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, help_text=SECRECY_HELP)
    status = serializers.ChoiceField(choices=MemoStatus.choices)
    revision = serializers.IntegerField()
    writer = PersonRefSerializer()
    route = RouteStepSerializer(source="route_steps", many=True)
    current_step = serializers.SerializerMethodField()
    enclosures = EnclosureSerializer(many=True)
    certificate = serializers.SerializerMethodField(
        help_text="The sealed certificate of completion, once the memo is archived with one: where to download "
        "it (`GET .../certificate/`) and its SHA-256."
    )

    def get_addressee(self, memo: Memo) -> str:
        if memo.addressee:
            return memo.addressee
        route: list[RouteStep] = memo.route_steps  # type: ignore[attr-defined]
        return route[-1].position.title if len(route) > 1 else ""

    def get_current_step(self, memo: Memo) -> int | None:
        route: list[RouteStep] = memo.route_steps  # type: ignore[attr-defined]
        return next((s.order for s in route if s.state == StepState.ACTIVE), None)

    @extend_schema_field(CertificateRefSerializer(allow_null=True))
    def get_certificate(self, memo: Memo) -> dict[str, str] | None:
        user = self.context.get("user")
        if not memo.certificate_file or not selectors.may_see_where_people_signed_from(user):
            return None
        url = reverse("api-memo-certificate", kwargs={"memo_id": memo.pk})
        return {"url": url, "sha256": memo.certificate_sha256}


class RouteWarningSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField()
    position = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["skipped", "waits_for_administrator"])
    conflict = serializers.ChoiceField(choices=DutyConflict.choices)
    detail = serializers.CharField()


class MemoRouteSetSerializer(MemoSerializer):
    route_warnings = serializers.SerializerMethodField(
        help_text="Steps that would not go to their position's signatory under the separation of duties "
        "(ADR 0005): skipped, or waiting for an administrator, and why."
    )

    @extend_schema_field(RouteWarningSerializer(many=True))
    def get_route_warnings(self, memo: Memo) -> list[dict[str, Any]]:
        return selectors.route_warnings(memo=memo)


class MemoListItemSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    number = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    subject = serializers.CharField()
    urgency = serializers.CharField()
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, help_text=SECRECY_HELP)
    status = serializers.CharField()
    writer = PersonRefSerializer()
    created_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    current = serializers.SerializerMethodField(help_text="Where the memo is: the active step, if any.")
    outcome = serializers.ChoiceField(
        choices=Decision.choices,
        allow_null=True,
        help_text="The decision on its decision step once signed (อนุมัติ approved, ไม่อนุมัติ not_approved, "
        "ทราบ acknowledged, other); null while undecided.",
    )

    def get_current(self, memo: Memo) -> dict[str, Any] | None:
        active = getattr(memo, "active_steps", [])
        if not active:
            return None
        step = active[0]
        return {
            "order": step.order,
            "position": step.position.title,
            "assignee": step.assignee.full_name if step.assignee else None,
            "since": serializers.DateTimeField().to_representation(step.activated_at),
        }


class TaskMemoSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    number = serializers.CharField()
    subject = serializers.CharField()
    urgency = serializers.CharField()
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, help_text=SECRECY_HELP)
    status = serializers.CharField()
    writer = PersonRefSerializer()


class TaskSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    memo = TaskMemoSerializer()
    order = serializers.IntegerField()
    role = serializers.CharField()
    position = PositionRefSerializer()
    capacity = serializers.CharField()
    since = serializers.DateTimeField(source="activated_at")
    due = serializers.DateTimeField(
        source="due_at", allow_null=True, help_text="When the step falls due (none on a writer's step)."
    )
    outcome = serializers.ChoiceField(
        choices=Decision.choices, allow_null=True, help_text="The memo's outcome (see the memo list)."
    )


# Input ------------------------------------------------------------------------------------------------------
# Every text field is bounded: by its column's max_length where it has one (a longer value would fail in the
# database), by the body's limit for the free texts stored in TEXT columns.


def _max_length(model: Any, field: str) -> int:
    length = model._meta.get_field(field).max_length
    assert isinstance(length, int)
    return length


class CalendarDateField(serializers.DateField):
    """YYYY-MM-DD (Gregorian); a date that is not in the calendar (2024-02-30, year 0) is bad input too."""

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str) or not value:
            self.fail("invalid")
        try:
            parsed = parse_date(value)
        except ValueError:
            raise serializers.ValidationError(
                _("%(value)s is not a date in the calendar.") % {"value": value}, code="invalid"
            ) from None
        if parsed is None:
            self.fail("invalid")
        return parsed


def _choice(choices: Any, message: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, error_messages={"invalid_choice": message}, required=False, **kwargs
    )


class MemoListFilterSerializer(serializers.Serializer[Any]):
    box = _choice(["authored", "done", "all"], _("Choose authored, done or all."), default="all")
    status = _choice(MemoStatus.choices, _("Not a memo status."), allow_blank=True)
    urgency = _choice(
        Urgency.choices, _("Choose normal, urgent, very_urgent or most_urgent."), allow_blank=True
    )
    date_from = CalendarDateField(
        required=False,
        error_messages={"invalid": _("Use the form YYYY-MM-DD.")},
        help_text="YYYY-MM-DD (Gregorian)",
    )
    date_to = CalendarDateField(
        required=False,
        error_messages={"invalid": _("Use the form YYYY-MM-DD.")},
        help_text="YYYY-MM-DD (Gregorian)",
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=search.MAX_TERM,
        help_text="Search: number, subject, body, writer, signatories and their opinions contain it (Thai and "
        "Arabic digits match each other; at least 3 characters).",
    )


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=search.MAX_TERM,
        error_messages={"required": search.too_short_message(), "blank": search.too_short_message()},
        help_text="At least 3 characters. Found in the number, subject, body, writer's name, signatories' names "
        "and their opinions or orders; Thai and Arabic digits match each other (32801/1 finds ๓๒๘๐๑/๑); a "
        "Thai word is found inside a compound (ประชุม in การประชุมสภา).",
    )


class MemoCreateSerializer(serializers.Serializer[Any]):
    subject = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=_max_length(Memo, "subject")
    )
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=MAX_BODY)
    addressee = serializers.CharField(
        required=False, allow_blank=True, max_length=_max_length(Memo, "addressee")
    )
    department = serializers.CharField(
        required=False, allow_blank=True, max_length=_max_length(Memo, "department")
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    secrecy = _choice(Secrecy.choices, UNKNOWN_SECRECY, allow_blank=True, help_text=SECRECY_HELP)


class MemoUpdateSerializer(MemoCreateSerializer):
    subject = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=_max_length(Memo, "subject")
    )
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_BODY)


class RouteEntrySerializer(serializers.Serializer[Any]):
    position_id = serializers.UUIDField()
    role = serializers.ChoiceField(choices=[(r.value, r.label) for r in ROUTE_ROLES])


class PasswordSerializer(serializers.Serializer[Any]):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class ApproveSerializer(PasswordSerializer):
    opinion = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=MAX_BODY
    )
    decision = serializers.ChoiceField(choices=Decision.choices, required=False, allow_blank=True)
    decision_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_BODY)


class ReasonSerializer(PasswordSerializer):
    reason = serializers.CharField(allow_blank=True, max_length=MAX_BODY)


class WithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_BODY)


class ReassignSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=_max_length(Person, "username"))
    reason = serializers.CharField(allow_blank=True, max_length=MAX_BODY)
    capacity = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=_max_length(RouteStep, "capacity")
    )


class AttachmentTitleSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=_max_length(Enclosure, "title")
    )


class AttachmentSerializer(AttachmentTitleSerializer):
    file = serializers.FileField()


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """Shape errors become the same 400 body as domain validation errors."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        fields: dict[str, list[str | Any]] = dict(flatten_errors(serializer.errors))
        raise ValidationFailed(fields=fields)
    return dict(serializer.validated_data)


def _memo_response(memo: Memo, user: Any, code: int = status.HTTP_200_OK) -> Response:
    """The memo as `user` may see it (`certificate` only for auditors and administrators)."""
    return Response(MemoSerializer(memo, context={"user": user}).data, status=code)


def _meta(request: Request) -> RequestMeta:
    return RequestMeta.from_request(request._request)


def _user(request: Request) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _record_download(request: Request, memo: Memo, *, document: str, sha256: str, **details: Any) -> None:
    """`memo.downloaded` for a file about to be sent; not for HEAD, which sends none (services.access)."""
    if request.method == "HEAD":
        return
    services.memo_download_record(
        memo=memo, actor=_user(request), document=document, sha256=sha256, meta=_meta(request), **details
    )


# Memos ------------------------------------------------------------------------------------------------------


class MemoListView(GenericAPIView[Any]):
    """My memos, done by me, all I may see: newest first, paginated without a count (`next` is null on the
    last page)."""

    serializer_class = MemoListItemSerializer
    pagination_class = WindowPagination

    @extend_schema(parameters=[MemoListFilterSerializer], responses=MemoListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = {name: value for name, value in request.query_params.items() if value != ""}
        filters = _valid(MemoListFilterSerializer, params)
        qs = lists.memo_list(
            user=_user(request),
            box=filters["box"],
            status=filters.get("status") or None,
            urgency=filters.get("urgency") or None,
            query=filters.get("q") or None,
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MemoListItemSerializer(page, many=True).data)

    @extend_schema(request=MemoCreateSerializer, responses={201: MemoSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(MemoCreateSerializer, request.data)
        memo = services.memo_create(writer=_user(request), meta=_meta(request), **data)
        user = _user(request)
        return _memo_response(selectors.memo_get(memo_id=memo.pk, user=user), user, status.HTTP_201_CREATED)


class MemoDetailView(APIView):
    @extend_schema(responses=MemoSerializer)
    def get(self, request: Request, memo_id: str) -> Response:
        user = _user(request)
        return _memo_response(selectors.memo_get(memo_id=memo_id, user=user), user)

    @extend_schema(request=MemoUpdateSerializer, responses=MemoSerializer)
    def patch(self, request: Request, memo_id: str) -> Response:
        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        data = _valid(MemoUpdateSerializer, request.data)
        services.memo_update(memo=memo, actor=_user(request), meta=_meta(request), **data)
        user = _user(request)
        return _memo_response(selectors.memo_get(memo_id=memo_id, user=user), user)


class MemoRouteView(APIView):
    @extend_schema(request=RouteEntrySerializer(many=True), responses=MemoRouteSetSerializer)
    def put(self, request: Request, memo_id: str) -> Response:
        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        if not isinstance(request.data, list):
            raise ValidationFailed(fields={"route": [_("Send a list of steps: [{position_id, role}, ...].")]})
        entries = [_valid(RouteEntrySerializer, item) for item in request.data]
        positions = {
            p.pk: p
            for p in Position.objects.filter(
                pk__in=[e["position_id"] for e in entries], organisation=memo.organisation
            )
        }
        missing = [str(e["position_id"]) for e in entries if e["position_id"] not in positions]
        if missing:
            raise ValidationFailed(
                fields={"route": [_("Unknown position: %(ids)s") % {"ids": ", ".join(missing)}]}
            )
        services.memo_route_set(
            memo=memo,
            actor=_user(request),
            steps=[(positions[e["position_id"]], e["role"]) for e in entries],
            meta=_meta(request),
        )
        saved = selectors.memo_get(memo_id=memo_id, user=_user(request))
        return Response(MemoRouteSetSerializer(saved).data)


class MemoAttachmentView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentSerializer}, responses={201: EnclosureSerializer}
    )
    def post(self, request: Request, memo_id: str) -> Response:
        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(fields={"file": [_("Choose a file to attach.")]})
        title = _valid(AttachmentTitleSerializer, {"title": request.POST.get("title", "")})["title"]
        enclosure = services.enclosure_add(
            memo=memo,
            actor=_user(request),
            title=title,
            upload=upload,
            meta=_meta(request),
        )
        return Response(EnclosureSerializer(enclosure).data, status=status.HTTP_201_CREATED)


class MemoSubmitView(APIView):
    @extend_schema(request=PasswordSerializer, responses=MemoSerializer)
    def post(self, request: Request, memo_id: str) -> Response:
        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        data = _valid(PasswordSerializer, request.data)
        services.memo_submit(memo=memo, actor=_user(request), password=data["password"], meta=_meta(request))
        user = _user(request)
        return _memo_response(selectors.memo_get(memo_id=memo_id, user=user), user)


class MemoWithdrawView(APIView):
    @extend_schema(request=WithdrawSerializer, responses=MemoSerializer)
    def post(self, request: Request, memo_id: str) -> Response:
        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        data = _valid(WithdrawSerializer, request.data)
        services.memo_withdraw(memo=memo, actor=_user(request), reason=data["reason"], meta=_meta(request))
        user = _user(request)
        return _memo_response(selectors.memo_get(memo_id=memo_id, user=user), user)


class ReassignmentSerializer(serializers.Serializer[Any]):
    previous_assignee = serializers.CharField(
        source="previous_assignee.username", allow_null=True, default=None
    )
    new_assignee = serializers.CharField(source="new_assignee.username")
    reason = serializers.CharField()
    by = serializers.CharField(source="actor.username")
    at = serializers.DateTimeField()


class HistoryStepSerializer(RouteStepSerializer):
    round = serializers.IntegerField()
    acted_at = serializers.DateTimeField(allow_null=True)
    duty_conflict = serializers.CharField(
        help_text="Separation of duties (ADR 0005): why the step was skipped or waits."
    )
    signature = serializers.SerializerMethodField()
    reassignments = ReassignmentSerializer(many=True, source="reassignments.all")

    def get_signature(self, step: RouteStep) -> dict[str, Any] | None:
        signature = getattr(step, "signature", None)
        if signature is None:
            return None
        return {
            "signer": signature.signer.username,
            "position": signature.position.title,
            "capacity": signature.capacity,
            "signed_at": serializers.DateTimeField().to_representation(signature.signed_at),
            "revision": signature.revision.number,
            "revision_sha256": signature.revision_sha256,
            "method": signature.method,
        }


class AuditEventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    data = serializers.JSONField()  # type: ignore[assignment]  # the event's details, not Serializer.data
    ip_address = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()


class HistorySerializer(serializers.Serializer[Any]):
    steps = HistoryStepSerializer(many=True)
    events = AuditEventSerializer(many=True)


class MemoHistoryView(APIView):
    """Who did what, when, in which position and capacity: every round's steps with their signatures, and
    the audit events of the memo."""

    @extend_schema(responses=HistorySerializer)
    def get(self, request: Request, memo_id: str) -> Response:
        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        events = selectors.memo_events(memo=memo)
        auditing = selectors.may_see_where_people_signed_from(request.user)
        if not auditing:  # who opened the files, whose signing was refused: for auditors (core.audit_labels)
            events = events.exclude(action__in=AUDITOR_ONLY_ACTIONS)
        payload = {"steps": selectors.route_history(memo=memo), "events": events}
        data = HistorySerializer(payload).data
        if not auditing:
            for event in data["events"]:  # where people signed from is for auditors, not for colleagues
                event["ip_address"] = None
                event["user_agent"] = ""
        return Response(data)


@method_decorator(frameable_by_own_pages, name="dispatch")  # the memo page frames it
class MemoAttachmentFileView(APIView):
    renderer_classes = [JSONRenderer]  # for errors; the file itself is a FileResponse, whatever Accept says
    content_negotiation_class = FileContentNegotiation

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, memo_id: str, enclosure_id: str) -> FileResponse:
        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        enclosure = memo.enclosures.filter(pk=enclosure_id).exclude(file="").first()
        if enclosure is None:
            raise NotFound()
        filename = enclosure.original_name or f"{enclosure.order}{enclosure.extension}"
        handle = enclosure.file.open("rb")
        _record_download(
            request,
            memo,
            document="enclosure",
            sha256=enclosure.sha256,
            file_name=filename,
            enclosure=str(enclosure.pk),
            order=enclosure.order,
        )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type=enclosure.content_type,
        )
        # The original as uploaded: an uploaded PDF may carry scripts and forms (defanged only in the memo's PDF).
        response["Content-Security-Policy"] = "sandbox"
        return response


class PdfPendingSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=["pdf_pending", "pdf_failed"])
    detail = serializers.CharField()


#: Seconds a client should wait before asking again for a PDF that is being prepared.
PDF_RETRY_AFTER = 2


@method_decorator(frameable_by_own_pages, name="dispatch")  # the memo page frames it
class MemoPdfView(APIView):
    """The memo as a PDF, always from storage (it is never rendered in a request): a watermarked preview for a
    draft, the signatures so far in review, the archived file once archived (checked against its recorded
    SHA-256 before it is sent). After a change the render worker prepares the new PDF: until it is stored the
    answer is 202 with `{"code": "pdf_pending"}` and `Retry-After`; 503 `pdf_failed` when it could not be
    rendered (for example it took longer than the time limit)."""

    renderer_classes = [JSONRenderer]  # for errors; the PDF itself is a Django response, whatever Accept says
    content_negotiation_class = FileContentNegotiation

    @extend_schema(
        responses={
            (200, "application/pdf"): bytes,
            202: OpenApiResponse(
                PdfPendingSerializer,
                description="The document is being prepared; ask again after `Retry-After` seconds.",
            ),
            503: OpenApiResponse(PdfPendingSerializer, description="The document could not be rendered."),
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                OpenApiParameter.HEADER,
                response=[202],
                description="Seconds to wait before asking again.",
            )
        ],
    )
    def get(self, request: Request, memo_id: str) -> HttpResponseBase:
        from memos import archive
        from workflow.documents import memo_pdf_status
        from workflow.pdf import pdf_filename

        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        status = memo_pdf_status(memo=memo)
        if status.state == "archived":
            result = archive.check(relative_name=memo.archive_file, sha256=memo.archive_sha256)
            if result.problem:
                logger.error("archived PDF %s of memo %s: %s", memo.archive_file, memo.pk, result.problem)
                raise ArchiveDamaged()
            response: HttpResponseBase = FileResponse(
                archive.open_archived(memo.archive_file).open("rb"), content_type="application/pdf"
            )
            sent = ("archived_pdf", memo.archive_sha256)
        elif status.state == "ready" and status.stored is not None:
            response = FileResponse(status.stored.file.open("rb"), content_type="application/pdf")
            sent = ("pdf", status.stored.sha256)
        elif status.state == "failed":
            return JsonResponse({"code": "pdf_failed", "detail": str(status.message)}, status=503)
        else:
            return JsonResponse(
                {"code": "pdf_pending", "detail": str(status.message)},
                status=202,
                headers={"Retry-After": str(PDF_RETRY_AFTER)},
            )
        filename = pdf_filename(memo)
        _record_download(request, memo, document=sent[0], sha256=sent[1], file_name=filename)
        disposition = content_disposition_header(as_attachment=False, filename=filename)
        response["Content-Disposition"] = disposition or "inline"
        return response


class NotSigned(ApplicationError):
    code = "not_signed"
    http_status = 404
    default_message = _("This memo has no signed PDF: it has not been submitted with electronic signatures.")


@method_decorator(frameable_by_own_pages, name="dispatch")
class MemoSignedPdfView(APIView):
    """The signed PDF of the memo's current revision as it stands now: the writer's certification and every
    signature so far, each an incremental update (docs/adr/0007-pdf-signatures.md); `?revision=N` for an
    earlier round's. Archived memos: the archived file (with revocation data and the archive timestamp) is
    the one to keep; this is the same signatures without them until then."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileContentNegotiation

    @extend_schema(
        responses={
            (200, "application/pdf"): bytes,
            404: OpenApiResponse(description="Not signed / not found"),
        },
        parameters=[
            OpenApiParameter("revision", int, description="A revision number (default: the current)")
        ],
    )
    def get(self, request: Request, memo_id: str) -> HttpResponseBase:
        from signatures import signing
        from workflow.pdf import pdf_filename

        memo = selectors.memo_get(memo_id=memo_id, user=_user(request))
        revision = memo.current_revision
        wanted = request.query_params.get("revision")
        if wanted is not None:
            if not wanted.isdigit():
                raise ValidationFailed(fields={"revision": [_("Give a revision number.")]})
            revision = memo.revisions.filter(number=int(wanted)).first()
        signed = signing.signed_pdf(revision=revision) if revision is not None else None
        if signed is None or revision is None:
            raise NotSigned()
        name = pdf_filename(memo).removesuffix(".pdf") + f" (ลงนาม ฉบับที่ {revision.number}).pdf"
        _record_download(
            request,
            memo,
            document="signed_pdf",
            sha256=hashlib.sha256(signed.content).hexdigest(),
            file_name=name,
            revision=revision.number,
        )
        response = HttpResponse(signed.content, content_type="application/pdf")
        response["Content-Disposition"] = (
            content_disposition_header(as_attachment=False, filename=name) or "inline"
        )
        return response


class MemoCertificateView(APIView):
    """The certificate of completion of an archived memo (a PDF sealed by the organisation: per step who signed,
    in which position and capacity, when, from where, and the SHA-256 of what they signed), to whoever may see
    the memo, from the archive, checked against its recorded SHA-256 before it is sent. 404 while the memo has
    none (not archived yet, or archived before the organisation had a seal)."""

    renderer_classes = [JSONRenderer]  # for errors; the PDF itself is a FileResponse, whatever Accept says
    content_negotiation_class = FileContentNegotiation

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, memo_id: str) -> FileResponse:
        from memos import archive
        from workflow.certificate import certificate_filename

        user = _user(request)
        memo = selectors.memo_get(memo_id=memo_id, user=user)
        if not memo.certificate_file:
            raise NotFound()
        if not selectors.may_see_where_people_signed_from(user):
            raise CertificateForAuditors()
        result = archive.check(relative_name=memo.certificate_file, sha256=memo.certificate_sha256)
        if result.problem:
            logger.error("certificate %s of memo %s: %s", memo.certificate_file, memo.pk, result.problem)
            raise CertificateDamaged()
        handle = archive.open_archived(memo.certificate_file).open("rb")
        filename = certificate_filename(memo)
        _record_download(
            request, memo, document="certificate", sha256=memo.certificate_sha256, file_name=filename
        )
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type="application/pdf",
        )


class ArchiveDamaged(ApplicationError):
    code = "archive_damaged"
    http_status = 500
    default_message = _(
        "The archived PDF of this memo is missing or damaged. The administrator has been told."
    )


class CertificateForAuditors(Forbidden):
    code = "certificate_for_auditors"
    default_message = _(
        "The certificate of completion shows where each signatory signed from (IP address, browser): it is "
        "for auditors and administrators. The signed memo itself is open to everyone on its route."
    )


class CertificateDamaged(ArchiveDamaged):
    default_message = _(
        "The certificate of completion of this memo is missing or damaged. The administrator has been told."
    )


# Tasks ------------------------------------------------------------------------------------------------------


class TaskListView(GenericAPIView[Any]):
    serializer_class = TaskSerializer
    pagination_class = WindowPagination

    @extend_schema(responses=TaskSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(lists.tasks_for(user=_user(request)))
        return self.get_paginated_response(TaskSerializer(page, many=True).data)


# Search -----------------------------------------------------------------------------------------------------


class SearchView(GenericAPIView[Any]):
    """Memos the caller may see whose text contains `q`, newest first (the same rows as
    `GET /memos/?box=all&q=`), paginated without a count."""

    serializer_class = MemoListItemSerializer
    pagination_class = WindowPagination

    @extend_schema(parameters=[SearchQuerySerializer], responses=MemoListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = _valid(SearchQuerySerializer, request.query_params)["q"]
        qs = lists.memo_list(user=_user(request), box="all", query=query)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MemoListItemSerializer(page, many=True).data)


def _step_result(step: RouteStep) -> Response:
    return Response(RouteStepSerializer(step).data)


class TaskApproveView(APIView):
    @extend_schema(request=ApproveSerializer, responses=RouteStepSerializer)
    def post(self, request: Request, step_id: str) -> Response:
        step = selectors.step_get(step_id=step_id, user=_user(request), signing_from=_meta(request))
        data = _valid(ApproveSerializer, request.data)
        result = services.step_approve(
            step=step,
            actor=_user(request),
            password=data["password"],
            opinion=data.get("opinion", ""),
            decision=data.get("decision") or None,
            decision_text=data.get("decision_text") or None,
            meta=_meta(request),
        )
        return _step_result(result)


class _ReasonedStepView(APIView):
    """Return and reject: the same request (password and reason), a different service."""

    service: Any = None

    @extend_schema(request=ReasonSerializer, responses=RouteStepSerializer)
    def post(self, request: Request, step_id: str) -> Response:
        step = selectors.step_get(step_id=step_id, user=_user(request), signing_from=_meta(request))
        data = _valid(ReasonSerializer, request.data)
        result = type(self).service(
            step=step,
            actor=_user(request),
            password=data["password"],
            reason=data["reason"],
            meta=_meta(request),
        )
        return _step_result(result)


class TaskReturnView(_ReasonedStepView):
    service = staticmethod(services.step_return)


class TaskRejectView(_ReasonedStepView):
    """End the memo here (terminal). Only an opinion or decision step may: a co-signer's step answers 403
    `forbidden` (a co-signer returns the memo to its writer instead)."""

    service = staticmethod(services.step_reject)


class TaskReassignView(APIView):
    @extend_schema(request=ReassignSerializer, responses=RouteStepSerializer)
    def post(self, request: Request, step_id: str) -> Response:
        step = selectors.step_get(step_id=step_id, user=_user(request))
        data = _valid(ReassignSerializer, request.data)
        assignee = Person.objects.filter(username=data["username"]).first()
        if assignee is None:
            raise ValidationFailed(fields={"username": [_("No such user.")]})
        result = services.step_reassign(
            step=step,
            actor=_user(request),
            assignee=assignee,
            reason=data["reason"],
            capacity=data.get("capacity", ""),
            meta=_meta(request),
        )
        return _step_result(result)
