"""A bounded schemathesis run against the API's own OpenAPI schema: no operation answers 5xx, every status code
seen is documented in the schema (with the one error body, core.api.ApiSchema), and every answer's body
matches the schema of its status.

Each operation gets a fixed number of examples (hypothesis, derandomized: the same requests on every run), both
valid by the schema and not (schemathesis' negative mode), through the real WSGI stack (middleware included),
as a signed-in demo person, on the demo organisation with the seed memo submitted: half of the examples point
the path parameters at that memo, its enclosure and its active step, so that the operations are reached and
not only their 404. Generated text includes NUL characters (PostgreSQL cannot store one), and most examples
are made hostile on purpose, in every text of the query and the body at once: a NUL character, a text longer
than any column, a date that is not in the calendar (the inputs that answered 500 before).
"""

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.wsgi import application
from notifications.models import Notification
from org import demo as org_demo
from org.models import Organisation
from workflow import demo, services
from workflow.models import RouteStep, StepState

pytestmark = pytest.mark.django_db

EXAMPLES = 10  # per operation and generation mode
SLOW = {"GET /api/v1/memos/{memo_id}/pdf/": 2}  # renders the PDF on every request (until it is stored)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# Which demo person calls each operation: the writer for her memo, the assignee for the task, the
# administrator for reassignment; everything else as the writer.
CALLER = {
    "POST /api/v1/tasks/{step_id}/approve/": "assignee",
    "POST /api/v1/tasks/{step_id}/return/": "assignee",
    "POST /api/v1/tasks/{step_id}/reject/": "assignee",
    "POST /api/v1/tasks/{step_id}/reassign/": "admin",
    "GET /api/v1/tasks/": "assignee",
    "GET /api/v1/audit/": "admin",  # anyone else: 403 before any filter is read
}
# Operations that change a draft get the writer's other memo, still a draft; the rest the submitted one.
ON_DRAFT = {
    "PATCH /api/v1/memos/{memo_id}/",
    "PUT /api/v1/memos/{memo_id}/route/",
    "POST /api/v1/memos/{memo_id}/attachments/",
    "POST /api/v1/memos/{memo_id}/submit/",
}


def _schema() -> Any:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))


SCHEMA = _schema()
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@pytest.fixture
def wsgi_requests() -> Iterator[None]:
    """Django's test client does the same: closing the connection after a request would end the test's
    transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


HOSTILE = ("", "", "nul", "long", "date")  # two in five examples as generated
BAD_DATES = ("2024-02-30", "0000-01-01")


def _hostile(value: Any, kind: str, key: str = "") -> Any:
    """Every text in `value` (a query or a body) made hostile: the same change everywhere."""
    if isinstance(value, dict):
        return {k: _hostile(v, kind, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(item, kind, key) for item in value]
    if not isinstance(value, str):
        return value
    if kind == "date" and "date" in key:
        return BAD_DATES[len(value) % 2]
    if kind == "long":
        return "ก" * 2000
    if kind in ("nul", "date"):
        return f"{value}\x00"
    return value


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(out, format="PNG")
    return SimpleUploadedFile("map.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def world(demo_org: Organisation, api_as: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    demo.load_route_template(demo_org)
    memo = demo.load_seed_memo(demo_org)
    writer = memo.writer
    enclosure = services.enclosure_add(memo=memo, actor=writer, title="แผนที่", upload=_png())
    services.memo_submit(memo=memo, actor=writer, password=org_demo.DEMO_PASSWORD)
    draft = services.memo_create(writer=writer, subject="ร่าง", body="ข้อความ")
    step = RouteStep.objects.select_related("assignee").get(memo=memo, state=StepState.ACTIVE)
    assert step.assignee is not None

    def token(username: str) -> str:
        client = api_as(username)
        header: str = client._credentials["HTTP_AUTHORIZATION"]
        return header

    return {
        "ids": {
            "memo_id": str(memo.pk),
            "enclosure_id": str(enclosure.pk),
            "step_id": str(step.pk),
            # the assignee's "a memo waits for you" (the writer is told nothing of her own submit)
            "notification_id": str(
                Notification.objects.filter(recipient=step.assignee).values_list("pk", flat=True)[0]
            ),
        },
        "draft_id": str(draft.pk),
        "tokens": {
            "writer": token(writer.username),
            "assignee": token(step.assignee.username),
            "admin": token("admin"),
        },
    }


def test_every_operation_is_covered() -> None:
    """The run below is parametrized over the schema's operations: none may be left out."""
    assert len(OPERATIONS) >= 18
    assert {"GET /api/v1/memos/{memo_id}/pdf/", "POST /api/v1/tasks/{step_id}/reassign/"} <= set(OPERATIONS)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_answers_no_5xx_and_only_documented_codes(
    label: str, world: dict[str, Any], wsgi_requests: None
) -> None:
    operation = OPERATIONS[label]
    headers = {"Authorization": world["tokens"][CALLER.get(label, "writer")]}
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    seen: set[int] = set()

    @settings(
        max_examples=SLOW.get(label, EXAMPLES) * 2,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, real=st.booleans(), hostile=st.sampled_from(HOSTILE))
    def run(case: Any, real: bool, hostile: str) -> None:
        if hostile and case.query:
            case.query = _hostile(case.query, hostile)
        if hostile and isinstance(case.body, dict | list):
            case.body = _hostile(case.body, hostile)
        if real and case.path_parameters:
            for name in case.path_parameters:
                case.path_parameters[name] = world["ids"][name]
            if label in ON_DRAFT:
                case.path_parameters["memo_id"] = world["draft_id"]
        response = case.call(app=application, headers=headers)
        seen.add(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    started = time.monotonic()
    run()
    print(f"{label}: {sorted(seen)} in {time.monotonic() - started:.1f}s")
