"""The API's one error contract: every error is `{"code", "detail"}` (+ `"fields"` for bad input), DRF's own
included, with `detail` in the request's language (Thai first); and the inputs that used to answer 500 (bad
dates, NUL characters, deeply nested JSON, a reassign capacity longer than its column) answer 400."""

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.utils import translation
from PIL import Image
from rest_framework import exceptions
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import BaseThrottle

from core import errors
from core.api import exception_handler
from core.middleware import ApiErrorMiddleware
from core.models import AuditEvent
from memos.models import Enclosure, Memo
from org import demo as org_demo
from org.api import MeView
from org.models import Organisation
from workflow import demo, services
from workflow.models import RouteStep, StepState

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TH = {"HTTP_ACCEPT_LANGUAGE": "th"}
NUL_EN = "Text may not contain the NUL character (\\0)."
NUL_TH = "ข้อความต้องไม่มีอักขระ NUL (\\0)"
INVALID_TH = "ข้อมูลบางรายการไม่ถูกต้อง"


def assert_contract(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str), body
    assert body["detail"], body
    assert set(body) <= {"code", "detail", "fields"}, body
    return body


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def seed(demo_org: Organisation, media: None) -> Memo:
    demo.load_route_template(demo_org)
    return demo.load_seed_memo(demo_org)


@pytest.fixture
def writer(api_as: Callable[[str], APIClient], seed: Memo) -> APIClient:
    return api_as(seed.writer.username)


# DRF's errors, end to end ---------------------------------------------------------------------------------


def test_no_credentials_is_401_not_authenticated_in_thai(demo_org: Organisation) -> None:
    response = APIClient().get("/api/v1/memos/")
    body = assert_contract(response, 401, "not_authenticated")
    assert body["detail"].startswith("กรุณาเข้าสู่ระบบก่อน")
    assert response["WWW-Authenticate"] == "Token"


def test_no_credentials_in_english_when_asked(demo_org: Organisation) -> None:
    body = assert_contract(APIClient().get("/api/v1/memos/", **EN), 401, "not_authenticated")
    assert body["detail"] == "Sign in first: send the header Authorization: Token <your API token>."


def test_a_wrong_token_is_401_authentication_failed(demo_org: Organisation) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    body = assert_contract(client.get("/api/v1/me/"), 401, "authentication_failed")
    assert body["detail"] == "โทเค็นไม่ถูกต้องหรือหมดอายุ"  # the authentication's own message is kept


def test_a_session_post_without_csrf_is_403_csrf_failed(demo_org: Organisation, person: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(person("rujapa"))
    response = client.post("/api/v1/memos/", {"subject": "x", "body": "y"}, format="json")
    body = assert_contract(response, 403, "csrf_failed")
    assert body["detail"].startswith("แบบฟอร์มหมดอายุ")


def test_someone_elses_draft_is_404_not_found(api_as: Callable[[str], APIClient], seed: Memo) -> None:
    response = api_as("works_staff").get(f"/api/v1/memos/{seed.pk}/")
    assert assert_contract(response, 404, "not_found")["detail"] == "ไม่พบข้อมูล"


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/nothing", "/api/v1/memos/not-a-uuid/", "/api/v1/memos/1/pdf"]
)
def test_an_unknown_url_under_api_is_a_json_404(writer: APIClient, path: str) -> None:
    assert assert_contract(writer.get(path), 404, "not_found")["detail"] == "ไม่พบข้อมูล"
    assert writer.get(path, **EN).json()["detail"] == "Not found."


def test_an_unknown_url_elsewhere_is_not_json(writer: APIClient) -> None:
    response = writer.get("/nothing-here/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_method_not_allowed_is_405_with_allow(writer: APIClient) -> None:
    response = writer.delete("/api/v1/memos/", **EN)
    body = assert_contract(response, 405, "method_not_allowed")
    assert body["detail"] == "The method DELETE is not allowed here."
    assert "GET" in response["Allow"]


def test_an_accept_it_cannot_answer_is_406(writer: APIClient) -> None:
    for accept in ("text/csv", "text/html"):
        assert_contract(writer.get("/api/v1/memos/", HTTP_ACCEPT=accept), 406, "not_acceptable")


def test_an_unsupported_body_type_is_415(writer: APIClient) -> None:
    response = writer.post("/api/v1/memos/", "subject,body", content_type="text/csv", **EN)
    body = assert_contract(response, 415, "unsupported_media_type")
    assert body["detail"] == "The request body's type (text/csv) is not accepted here."


class AlwaysThrottled(BaseThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        return False

    def wait(self) -> float:
        return 41.2


def test_throttled_is_429_with_retry_after(writer: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MeView, "throttle_classes", [AlwaysThrottled])
    response = writer.get("/api/v1/me/")
    body = assert_contract(response, 429, "throttled")
    assert body["detail"] == "ส่งคำขอมากเกินไป กรุณาลองใหม่ในอีก 42 วินาที"
    assert response["Retry-After"] == "42"


def test_malformed_json_is_400_parse_error(writer: APIClient) -> None:
    response = writer.post("/api/v1/memos/", '{"subject": ', content_type="application/json")
    assert assert_contract(response, 400, "parse_error")["detail"].startswith("อ่านข้อมูลที่ส่งมาไม่ได้ (")


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ('{"a":', "}")])
def test_deeply_nested_json_is_400_parse_error(writer: APIClient, opening: str, closing: str) -> None:
    """Python's json raises RecursionError at about 1000 levels; 100 000 would too."""
    for depth in (1_500, 100_000):
        payload = opening * depth + "1" + closing * depth
        response = writer.post("/api/v1/memos/", payload, content_type="application/json", **EN)
        body = assert_contract(response, 400, "parse_error")
        assert body["detail"] == "The request body could not be read (the JSON is nested too deeply)."
    assert not Memo.objects.exclude(subject=demo.SEED_SUBJECT).exists()


def test_a_validation_error_names_the_fields(demo_org: Organisation) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "rujapa"}, format="json")
    body = assert_contract(response, 400, "invalid")
    assert body["detail"] == INVALID_TH
    assert body["fields"] == {"password": ["ฟิลด์นี้จำเป็น"]}


def test_a_nested_validation_error_is_flattened(writer: APIClient, seed: Memo) -> None:
    response = writer.put(f"/api/v1/memos/{seed.pk}/route/", [{"role": "nobody"}], format="json")
    body = assert_contract(response, 400, "invalid")
    assert set(body["fields"]) == {"position_id", "role"}


def test_a_body_over_the_upload_limit_is_413(writer: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = {"subject": "ก" * 10, "body": "ข" * 2000}
    response = writer.post("/api/v1/memos/", payload, format="json", **EN)
    assert assert_contract(response, 413, "too_large")["detail"] == "The request is too large."


# Each error class, through the handler ---------------------------------------------------------------------


def _handled(make: Callable[[], Exception], language: str = "th") -> Any:
    """The exception is made in the request's language, as a view makes it."""
    request = APIRequestFactory().get("/api/v1/memos/")
    with translation.override(language):
        response = exception_handler(make(), {"request": request, "view": None})
        assert response is not None
        response.data = {k: (str(v) if k == "detail" else v) for k, v in response.data.items()}
    return response


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (lambda: exceptions.AuthenticationFailed(), 401, "authentication_failed"),
        (lambda: exceptions.PermissionDenied(), 403, "permission_denied"),
        (lambda: DjangoPermissionDenied(), 403, "permission_denied"),
        (lambda: exceptions.NotFound(), 404, "not_found"),
        (lambda: Http404("no such thing"), 404, "not_found"),
        (lambda: exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (lambda: exceptions.NotAcceptable(), 406, "not_acceptable"),
        (lambda: exceptions.UnsupportedMediaType("text/csv"), 415, "unsupported_media_type"),
        (lambda: exceptions.Throttled(wait=3), 429, "throttled"),
        (lambda: exceptions.Throttled(), 429, "throttled"),
        (lambda: exceptions.ParseError(), 400, "parse_error"),
        (lambda: exceptions.ValidationError({"subject": ["Too long."]}), 400, "invalid"),
        (lambda: exceptions.APIException(), 500, "error"),
    ],
)
def test_every_drf_error_class_has_the_contract(
    make: Callable[[], Exception], status: int, code: str
) -> None:
    response = _handled(make)
    assert response.status_code == status
    assert response.data["code"] == code
    assert set(response.data) <= {"code", "detail", "fields"}
    english = _handled(make, "en").data["detail"]
    if code not in ("method_not_allowed", "unsupported_media_type", "error"):  # these carry English tokens
        assert response.data["detail"] != english, "the Thai detail is the English one"
    if code == "invalid":
        assert response.data["fields"] == {"subject": ["Too long."]}


def test_throttled_rounds_the_wait_up() -> None:
    response = _handled(lambda: exceptions.Throttled(wait=0.2))
    assert response["Retry-After"] == "1"
    assert response.data["detail"] == "ส่งคำขอมากเกินไป กรุณาลองใหม่ในอีก 1 วินาที"


def _application_errors() -> list[type[errors.ApplicationError]]:
    found: list[type[errors.ApplicationError]] = []
    pending = [errors.ApplicationError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("cls", _application_errors(), ids=lambda c: c.__name__)
def test_every_application_error_has_the_contract(cls: type[errors.ApplicationError]) -> None:
    response = _handled(cls)
    assert response.status_code == cls.http_status
    with translation.override("th"):
        assert response.data == {"code": cls.code, "detail": str(cls.default_message)}


def test_a_django_error_page_under_api_becomes_the_contract() -> None:
    """A 500 (or any error answer) that does not come from DRF still has the JSON body."""
    request = HttpRequest()
    request.path_info = request.path = "/api/v1/memos/"
    response = ApiErrorMiddleware(lambda r: HttpResponseServerError("<h1>Server Error</h1>"))(request)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.content.decode() in (
        '{"code": "server_error", "detail": "ระบบขัดข้อง กรุณาลองใหม่ภายหลัง"}',
        '{"code": "server_error", "detail": "Something went wrong on our side. Please try again later."}',
    )
    page = ApiErrorMiddleware(lambda r: HttpResponse("<h1>x</h1>", status=500))
    other = HttpRequest()
    other.path_info = other.path = "/memos/"
    assert page(other).content == b"<h1>x</h1>"


def test_a_plain_text_error_under_api_keeps_its_text_and_retry_after() -> None:
    """E.g. a lockout answered by a middleware: the contract's body, its message, its Retry-After."""
    request = HttpRequest()
    request.path_info = request.path = "/api/v1/auth/token/"
    locked = HttpResponse("ลองใหม่ได้เวลา 10:30 น.", status=429, content_type="text/plain; charset=utf-8")
    locked["Retry-After"] = "600"
    response = ApiErrorMiddleware(lambda r: locked)(request)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert json.loads(response.content) == {"code": "throttled", "detail": "ลองใหม่ได้เวลา 10:30 น."}


# The inputs that answered 500 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2024-02-30",
        "date_from=0000-01-01",
        "date_to=0000-01-01",
        "date_to=2023-13-01",
        "date_from=2024-02-29T00:00",
    ],
)
def test_a_date_filter_that_is_not_a_date_is_400(writer: APIClient, query: str) -> None:
    body = assert_contract(writer.get(f"/api/v1/memos/?{query}"), 400, "invalid")
    name, value = query.split("=")
    assert list(body["fields"]) == [name]
    assert body["fields"][name][0] in (f"{value} ไม่ใช่วันที่ที่มีอยู่จริงในปฏิทิน", "ใช้รูปแบบ ปปปป-ดด-วว (ค.ศ.)")


def test_date_filters_still_filter(writer: APIClient, seed: Memo) -> None:
    assert len(writer.get("/api/v1/memos/?date_from=2024-02-29&date_to=9999-12-31").json()["results"]) == 1
    assert writer.get("/api/v1/memos/?date_to=0001-01-01").json()["results"] == []


@pytest.mark.parametrize("name", ["q", "status", "urgency", "box", "date_from", "page", "anything"])
def test_a_nul_in_a_filter_is_400_before_the_database(writer: APIClient, name: str) -> None:
    body = assert_contract(writer.get(f"/api/v1/memos/?{name}=a%00b", **EN), 400, "invalid")
    assert body == {"code": "invalid", "detail": "Some values are not valid.", "fields": {name: [NUL_EN]}}


def test_a_nul_in_a_json_field_is_400_and_changes_nothing(writer: APIClient, seed: Memo) -> None:
    before = AuditEvent.objects.count()
    for payload, field in [
        ({"subject": "เรื่อง\x00", "body": "ข้อความ"}, "subject"),
        ({"subject": "เรื่อง", "body": "ข้อความ", "addressee": "\x00"}, "addressee"),
        ({"subject": "เรื่อง", "body": "ข้อความ", "x\x00": "y"}, "x\\0"),
    ]:
        body = assert_contract(writer.post("/api/v1/memos/", payload, format="json"), 400, "invalid")
        assert body == {"code": "invalid", "detail": INVALID_TH, "fields": {field: [NUL_TH]}}
    response = writer.patch(f"/api/v1/memos/{seed.pk}/", {"body": "a\x00"}, format="json")
    assert assert_contract(response, 400, "invalid")["fields"] == {"body": [NUL_TH]}
    response = writer.put(
        f"/api/v1/memos/{seed.pk}/route/", [{"position_id": "\x00", "role": "x"}], format="json"
    )
    assert assert_contract(response, 400, "invalid")["fields"] == {"0.position_id": [NUL_TH]}
    assert AuditEvent.objects.count() == before
    assert Memo.objects.count() == 1


def test_a_nul_in_an_attachment_title_is_400(writer: APIClient, seed: Memo) -> None:
    upload = SimpleUploadedFile("map.png", png(), content_type="image/png")
    response = writer.post(
        f"/api/v1/memos/{seed.pk}/attachments/", {"title": "แผนที่\x00", "file": upload}, format="multipart"
    )
    assert assert_contract(response, 400, "invalid")["fields"] == {"title": [NUL_TH]}
    assert not Enclosure.objects.filter(file__gt="").exists()


def test_a_nul_in_an_attachment_file_name_is_dropped(writer: APIClient, seed: Memo) -> None:
    """Django's multipart parser keeps only the printable characters of a file name."""
    upload = SimpleUploadedFile("m\x00ap.png", png(), content_type="image/png")
    response = writer.post(
        f"/api/v1/memos/{seed.pk}/attachments/", {"title": "แผนที่", "file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert Enclosure.objects.get(pk=response.json()["id"]).original_name == "map.png"


def test_a_nul_in_a_header_is_400(writer: APIClient) -> None:
    """The user agent goes into the audit rows: PostgreSQL would refuse it half-way through a write."""
    response = writer.post(
        "/api/v1/memos/", {"subject": "เรื่อง", "body": "ข้อความ"}, format="json", HTTP_USER_AGENT="x\x00y"
    )
    assert assert_contract(response, 400, "invalid")["fields"] == {"User-Agent": [NUL_TH]}
    assert Memo.objects.count() == 1


@pytest.fixture
def active_step(seed: Memo) -> RouteStep:
    services.memo_submit(memo=seed, actor=seed.writer, password=org_demo.DEMO_PASSWORD)
    return RouteStep.objects.get(memo=seed, state=StepState.ACTIVE)


def test_a_reassign_capacity_longer_than_its_column_is_400(
    api_as: Callable[[str], APIClient], active_step: RouteStep
) -> None:
    limit = RouteStep._meta.get_field("capacity").max_length
    assert limit == 32
    before = (active_step.assignee_id, active_step.capacity)
    payload = {"username": "finance_staff", "reason": "ลาป่วย", "capacity": "ร" * (limit + 1)}
    response = api_as("admin").post(f"/api/v1/tasks/{active_step.pk}/reassign/", payload, format="json")
    body = assert_contract(response, 400, "invalid")
    assert list(body["fields"]) == ["capacity"]
    active_step.refresh_from_db()
    assert (active_step.assignee_id, active_step.capacity) == before


@pytest.mark.parametrize(
    ("field", "length"),
    [("subject", 1001), ("addressee", 501), ("department", 501)],
)
def test_memo_texts_longer_than_their_column_are_400(writer: APIClient, field: str, length: int) -> None:
    payload = {"subject": "เรื่อง", "body": "ข้อความ", field: "ก" * length}
    body = assert_contract(writer.post("/api/v1/memos/", payload, format="json"), 400, "invalid")
    assert list(body["fields"]) == [field]


def test_an_attachment_title_longer_than_its_column_is_400(writer: APIClient, seed: Memo) -> None:
    upload = SimpleUploadedFile("map.png", png(), content_type="image/png")
    response = writer.post(
        f"/api/v1/memos/{seed.pk}/attachments/", {"title": "ก" * 1001, "file": upload}, format="multipart"
    )
    assert list(assert_contract(response, 400, "invalid")["fields"]) == ["title"]
    assert not Enclosure.objects.filter(file__gt="").exists()


# Files answer any Accept ------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["application/pdf", "*/*", None, "application/pdf;q=1.0, */*;q=0.1"])
def test_the_pdf_answers_accept_pdf_any_or_none(
    writer: APIClient, seed: Memo, accept: str | None, render_pdfs: Callable[[], int]
) -> None:
    render_pdfs()  # as the render worker would have done by now
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = writer.get(f"/api/v1/memos/{seed.pk}/pdf/", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.getvalue().startswith(b"%PDF")


def test_an_enclosure_answers_accept_pdf_or_its_type(writer: APIClient, seed: Memo) -> None:
    enclosure = services.enclosure_add(
        memo=seed,
        actor=seed.writer,
        title="แผนที่",
        upload=SimpleUploadedFile("map.png", png(), content_type="image/png"),
    )
    url = f"/api/v1/memos/{seed.pk}/attachments/{enclosure.pk}/"
    for accept in ("application/pdf", "image/png", "*/*", None):
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        response = writer.get(url, **headers)
        assert response.status_code == 200, (accept, response.status_code)
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == png()


def test_errors_of_the_file_endpoints_are_json(api_as: Callable[[str], APIClient], seed: Memo) -> None:
    outsider = api_as("works_staff")
    for url in (f"/api/v1/memos/{seed.pk}/pdf/", f"/api/v1/memos/{seed.pk}/attachments/{seed.pk}/"):
        assert_contract(outsider.get(url, HTTP_ACCEPT="application/pdf"), 404, "not_found")
    assert_contract(
        APIClient().get(f"/api/v1/memos/{seed.pk}/pdf/", HTTP_ACCEPT="application/pdf"),
        401,
        "not_authenticated",
    )


# The schema documents the errors ---------------------------------------------------------------------------


def test_the_schema_documents_the_error_answers(writer: APIClient) -> None:
    schema = writer.get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["ApiError"]["required"] == ["code", "detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            if operation.get("security") not in (None, [], [{}]):  # anonymous operations (the token) excepted
                assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
    assert "406" not in schema["paths"]["/api/v1/memos/{memo_id}/pdf/"]["get"]["responses"]


def test_an_over_long_username_or_password_for_a_token_is_a_400_not_a_500() -> None:
    """The lockout stores the username it saw (255 characters at most): a longer one was a 500 on PostgreSQL."""
    client = APIClient()
    for body in ({"username": "ก" * 2000, "password": "x"}, {"username": "rujapa", "password": "x" * 5000}):
        response = client.post("/api/v1/auth/token/", body, format="json")
        assert_contract(response, 400, "invalid")
