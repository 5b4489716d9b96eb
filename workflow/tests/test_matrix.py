"""The permission/state matrix of the API: every (memo state, action, actor) cell, with the HTTP status and error
code the contract promises, derived by `expected()` below from the contract's rules (not recorded from the app).

Contract rules:
- people not involved (not the writer, never assigned a step of the memo, not administrator or auditor) get 404
  for the memo and for every action on it;
- everyone who can see the memo may read it (GET 200); auditors and administrators only read; an auditor's
  write is refused before anything else: 403 "auditor_read_only" (core.readonly);
- the writer's actions (edit, route, attach, submit, withdraw) by anyone else who can see the memo: 403
  "forbidden"; by the writer when the state does not allow them: 409 "invalid_state";
- step actions (approve, return, reject) on a step that is not waiting for anyone: 409 ("already_done" if the
  step was acted on, "invalid_state" otherwise); on someone else's active step: 403 "not_your_task".
A refused action (and a read) changes nothing: memo status, number, revision, steps, signatures, enclosures and
the memo's audit trail are compared before and after.
"""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from core.models import AuditEvent
from memos.models import Enclosure, Memo
from org import demo
from org.demo import DEMO_PASSWORD
from org.models import Organisation
from signatures.models import Signature
from tests.builders import memo_in_state as build
from tests.builders import png_bytes as tiny_png
from workflow.models import RouteStep, StepState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

WRITER = "rujapa"
READERS = ("auditor", "admin")  # may read any memo, may act on none
ACTORS = ("rujapa", "ratchawari", "nat", "yutthana", "works_staff", "auditor", "admin")
ACTIONS = ("get", "patch", "route", "attach", "submit", "withdraw", "approve", "return", "reject")
WRITER_EDITS = ("patch", "route", "attach", "submit")
STEP_ACTIONS = ("approve", "return", "reject")
EDITABLE = ("draft", "returned")
ACTED = (StepState.SIGNED, StepState.RETURNED, StepState.REJECTED)

HEAD = "หัวหน้าสำนักปลัด"
PALAD = "ปลัดองค์การบริหารส่วนตำบลหนองโสน"
NAYOK = "นายกองค์การบริหารส่วนตำบลหนองโสน"


@dataclass(frozen=True)
class Target:
    """The step that approve/return/reject is aimed at: the latest round's active step, else its last step
    that someone acted on (after the writer), else its last step."""

    round: int
    order: int
    role: str
    state: str
    assignee: str | None


@dataclass(frozen=True)
class State:
    status: str
    involved: tuple[str, ...]  # people ever assigned a step after the writer's
    target: Target
    someone_after_writer_acted: bool = False  # in this round (withdraw is refused then)


STATES = {
    # rujapa writes; the route: 1 cosign หัวหน้าสำนักปลัด (ratchawari, acting), 2 opinion ปลัด (nat), 3 decision นายก.
    "draft": State("draft", (), Target(1, 3, "decision", StepState.WAITING, None)),
    "in_review@1": State(
        "in_review", ("ratchawari",), Target(1, 1, "cosign", StepState.ACTIVE, "ratchawari")
    ),
    "in_review@2": State(
        "in_review",
        ("ratchawari", "nat"),
        Target(1, 2, "opinion", StepState.ACTIVE, "nat"),
        someone_after_writer_acted=True,
    ),
    # nat returned it at step 2: round 2 starts with the writer's step active (the writer revises).
    "returned": State("returned", ("ratchawari", "nat"), Target(2, 0, "writer", StepState.ACTIVE, "rujapa")),
    "completed": State(
        "completed",
        ("ratchawari", "nat", "yutthana"),
        Target(1, 3, "decision", StepState.SIGNED, "yutthana"),
        someone_after_writer_acted=True,
    ),
    # nat rejected it at step 2.
    "rejected": State(
        "rejected",
        ("ratchawari", "nat"),
        Target(1, 2, "opinion", StepState.REJECTED, "nat"),
        someone_after_writer_acted=True,
    ),
    # withdrawn by the writer while ratchawari had it (nobody after the writer had acted).
    "withdrawn": State("withdrawn", ("ratchawari",), Target(1, 3, "decision", StepState.SKIPPED, None)),
}


def expected(state_name: str, action: str, actor: str) -> tuple[int, str | None]:
    """(HTTP status, error code or None) that the contract promises for this cell."""
    state = STATES[state_name]
    if actor != WRITER and actor not in state.involved and actor not in READERS:
        return 404, "not_found"
    if action == "get":
        return 200, None
    if actor == "auditor":
        return 403, "auditor_read_only"  # before anything else: auditors change nothing (core.readonly)
    if action in WRITER_EDITS:
        if actor != WRITER:
            return 403, "forbidden"
        if state.status not in EDITABLE:
            return 409, "invalid_state"
        return (201 if action == "attach" else 200), None
    if action == "withdraw":
        if actor != WRITER:
            return 403, "forbidden"
        if state.status in EDITABLE or (state.status == "in_review" and not state.someone_after_writer_acted):
            return 200, None
        return 409, "invalid_state"
    assert action in STEP_ACTIONS
    target = state.target
    if target.role == "writer" or target.state != StepState.ACTIVE:
        return 409, ("already_done" if target.state in ACTED else "invalid_state")
    if actor != target.assignee:
        return 403, "not_your_task"
    if action == "reject" and target.role == "cosign":
        return (
            403,
            "forbidden",
        )  # a co-signer returns the memo; ending it is for the opinion and decision steps
    return 200, None


CELLS = [pytest.param(s, a, u, id=f"{s}-{a}-{u}") for s in STATES for a in ACTIONS for u in ACTORS]


# Building states through the real services --------------------------------------------------------------


def target_step(memo: Memo) -> RouteStep:
    steps = list(RouteStep.objects.filter(memo=memo).order_by("-round", "order"))
    latest = [s for s in steps if s.round == steps[0].round]
    active = [s for s in latest if s.state == StepState.ACTIVE]
    if active:
        return active[0]
    acted = [s for s in latest if s.order > 0 and s.state in ACTED]
    return acted[-1] if acted else latest[-1]


def snapshot(memo_id) -> dict:
    memo = Memo.objects.get(pk=memo_id)
    return {
        "memo": (memo.status, memo.number, memo.sequence, memo.revision, memo.current_revision_id),
        "content": (memo.subject, memo.body, memo.addressee),
        "steps": list(
            RouteStep.objects.filter(memo_id=memo_id)
            .order_by("round", "order")
            .values_list("round", "order", "role", "position_id", "state", "assignee_id", "acted_at")
        ),
        "signatures": sorted(Signature.objects.filter(memo_id=memo_id).values_list("id", flat=True)),
        "enclosures": sorted(Enclosure.objects.filter(memo_id=memo_id).values_list("id", flat=True)),
        # the memo's own course; a refused signing attempt is recorded (signing.failed) but changes nothing
        "audit": AuditEvent.objects.filter(object_id=str(memo_id)).exclude(action="signing.failed").count(),
    }


# The matrix -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    organisation: Organisation
    memos: dict[str, object]  # state name -> memo id


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo organisation and one memo in each state, built once for the module like Django's
    setUpTestData: inside a transaction marked as the test case's own (so the services' durable atomics are
    allowed), rolled back when the module ends. Each test's own transaction (a savepoint inside it) rolls back
    whatever the test did, so every cell starts from the same states."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # what django.test.TestCase does for setUpTestData
        atomic.__enter__()
        try:
            organisation = demo.load_organisation()
            memos = {name: build(name).pk for name in STATES}
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield Built(organisation, memos)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def demo_org(db, built):
    """Overrides conftest's: the organisation loaded once in `built`."""
    return built.organisation


def test_every_state_is_what_the_matrix_assumes(built):
    """The states are built as described (a guard for the matrix, not a cell of it)."""
    for name, state in STATES.items():
        memo = Memo.objects.get(pk=built.memos[name])
        assert memo.status == state.status, name
        step = target_step(memo)
        assert (step.round, step.order, step.role, step.state) == (
            state.target.round,
            state.target.order,
            state.target.role,
            state.target.state,
        ), name
        assert (step.assignee.username if step.assignee else None) == state.target.assignee, name
        ever_assigned = set(
            RouteStep.objects.filter(memo=memo, order__gt=0, assignee__isnull=False).values_list(
                "assignee__username", flat=True
            )
        )
        assert ever_assigned == set(state.involved), name


@pytest.mark.parametrize(("state_name", "action", "actor"), CELLS)
def test_matrix(state_name, action, actor, built, position, api_as):
    memo = Memo.objects.get(pk=built.memos[state_name])
    step = target_step(memo)
    client = api_as(actor)
    url = f"/api/v1/memos/{memo.pk}/"
    before = snapshot(memo.pk)

    if action == "get":
        response = client.get(url)
    elif action == "patch":
        response = client.patch(url, {"subject": "ขอแก้ไขชื่อเรื่อง"}, format="json")
    elif action == "route":
        route = [
            {"position_id": str(position(HEAD).pk), "role": "cosign"},
            {"position_id": str(position(PALAD).pk), "role": "opinion"},
            {"position_id": str(position(NAYOK).pk), "role": "decision"},
        ]
        response = client.put(url + "route/", route, format="json")
    elif action == "attach":
        upload = SimpleUploadedFile("แผนผัง.png", tiny_png(), content_type="image/png")
        response = client.post(url + "attachments/", {"file": upload, "title": "แผนผัง"}, format="multipart")
    elif action == "submit":
        response = client.post(url + "submit/", {"password": DEMO_PASSWORD}, format="json")
    elif action == "withdraw":
        response = client.post(url + "withdraw/", {"reason": "ขอถอนเรื่อง"}, format="json")
    elif action == "approve":
        body = {"password": DEMO_PASSWORD, "opinion": "เห็นควรดำเนินการ"}
        if step.role == "decision":
            body["decision"] = "approved"
        response = client.post(f"/api/v1/tasks/{step.pk}/approve/", body, format="json")
    else:
        response = client.post(
            f"/api/v1/tasks/{step.pk}/{action}/",
            {"password": DEMO_PASSWORD, "reason": "ขอข้อมูลเพิ่ม"},
            format="json",
        )

    status, code = expected(state_name, action, actor)
    assert response.status_code == status, response.content
    after = snapshot(memo.pk)
    if status >= 400:
        assert response.json()["code"] == code
        assert after == before, "a refused action changed something"
    elif action == "get":
        assert response.json()["id"] == str(memo.pk)
        assert after == before, "a read changed something"
    else:
        assert after != before
        assert after["audit"] == before["audit"] + 1


# Around the matrix: wrong password, missing fields, reassignment ----------------------------------------------


@pytest.mark.parametrize(
    ("state_name", "action", "actor"),
    [
        pytest.param("draft", "submit", "rujapa", id="draft-submit-rujapa"),
        pytest.param("returned", "submit", "rujapa", id="returned-submit-rujapa"),
        pytest.param("in_review@1", "approve", "ratchawari", id="in_review@1-approve-ratchawari"),
        pytest.param("in_review@2", "return", "nat", id="in_review@2-return-nat"),
        pytest.param("in_review@2", "reject", "nat", id="in_review@2-reject-nat"),
    ],
)
def test_wrong_password_is_403_bad_password_and_changes_nothing(state_name, action, actor, built, api_as):
    memo = Memo.objects.get(pk=built.memos[state_name])
    client = api_as(actor)
    before = snapshot(memo.pk)
    body = {"password": "not-" + DEMO_PASSWORD, "opinion": "เห็นควร", "reason": "ขอข้อมูลเพิ่ม"}
    if action == "submit":
        response = client.post(f"/api/v1/memos/{memo.pk}/submit/", body, format="json")
    else:
        response = client.post(f"/api/v1/tasks/{target_step(memo).pk}/{action}/", body, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "bad_password"
    assert snapshot(memo.pk) == before


def test_wrong_password_by_someone_not_involved_is_still_404(built, api_as):
    memo = Memo.objects.get(pk=built.memos["in_review@1"])
    response = api_as("works_staff").post(
        f"/api/v1/tasks/{target_step(memo).pk}/approve/", {"password": "wrong"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("state_name", "actor", "body", "field"),
    [
        pytest.param("in_review@2", "nat", {"opinion": "  "}, "opinion", id="opinion-step-without-opinion"),
        pytest.param(
            "in_review@1", "ratchawari", {"decision": "approved"}, "decision", id="decision-not-last"
        ),
        pytest.param("in_review@1", "ratchawari", {}, "password", id="no-password"),
    ],
)
def test_bad_approve_input_is_400_with_field_errors(state_name, actor, body, field, built, api_as):
    memo = Memo.objects.get(pk=built.memos[state_name])
    before = snapshot(memo.pk)
    payload = {"password": DEMO_PASSWORD, **body} if field != "password" else body
    response = api_as(actor).post(f"/api/v1/tasks/{target_step(memo).pk}/approve/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert snapshot(memo.pk) == before


def test_a_person_reassigned_away_from_a_step_can_still_read_the_memo(built, api_as):
    memo = Memo.objects.get(pk=built.memos["in_review@1"])
    step = target_step(memo)
    reassigned = api_as("admin").post(
        f"/api/v1/tasks/{step.pk}/reassign/", {"username": "works_head", "reason": "ลาพักผ่อน"}, format="json"
    )
    assert reassigned.status_code == 200, reassigned.content
    assert api_as("works_head").get(f"/api/v1/memos/{memo.pk}/").status_code == 200
    assert api_as("ratchawari").get(f"/api/v1/memos/{memo.pk}/").status_code == 200
    # She can read it, but it is no longer hers to sign.
    response = api_as("ratchawari").post(
        f"/api/v1/tasks/{step.pk}/approve/", {"password": DEMO_PASSWORD}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_your_task")
