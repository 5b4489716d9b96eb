"""`manage.py generate_load` at small scale: the data it writes is what the services would have left — every
submitted memo signed by its writer, every active step with its assignee and open viewflow task, revisions
hashed as memos.services hashes them, an intact audit chain — and the generated people can use their pages and
act on their tasks."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from core.models import AuditEvent, AuditHead
from memos.models import Memo, MemoRevision, MemoStatus
from memos.services import revision_digest
from org.demo import DEMO_PASSWORD
from org.models import Person
from workflow import services
from workflow.load import LoadError, generate_load
from workflow.models import RouteStep, StepRole, StepState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]

END = datetime(2026, 12, 1, tzinfo=UTC)
MEMOS = 200


@pytest.fixture
def load():
    return generate_load(memos=MEMOS, organisations=2, seed=5, end=END, progress=lambda _line: None)


def test_every_state_is_made_and_each_submitted_memo_carries_its_writers_signature(load):
    statuses = dict(Memo.objects.values_list("status").annotate(n=Count("id")))
    assert sum(statuses.values()) == MEMOS
    assert {MemoStatus.ARCHIVED, MemoStatus.IN_REVIEW, MemoStatus.REJECTED} <= set(statuses)
    submitted = Memo.objects.exclude(status=MemoStatus.DRAFT)
    writer_steps = RouteStep.objects.filter(
        memo__in=submitted, round=1, order=0, role=StepRole.WRITER, state=StepState.SIGNED
    )
    assert writer_steps.exclude(signature__isnull=True).count() == submitted.count()
    assert not submitted.filter(number="").exists()
    assert not submitted.filter(current_revision__isnull=True).exists()
    assert Memo.objects.filter(status=MemoStatus.DRAFT, process__isnull=False).count() == 0


def test_active_steps_have_an_assignee_and_an_open_task_of_theirs(load):
    active = RouteStep.objects.filter(state=StepState.ACTIVE).select_related("task", "memo")
    assert active.exists()
    for step in active:
        assert step.assignee_id is not None
        assert step.task is not None
        assert step.task.status == "ASSIGNED"
        assert step.task.owner_id == step.assignee_id
        assert step.memo.status in (MemoStatus.IN_REVIEW, MemoStatus.RETURNED)
    assert Memo.objects.filter(status=MemoStatus.IN_REVIEW).count() == active.filter(order__gt=0).count()


def test_revisions_hash_as_the_services_hash_them(load):
    revisions = list(MemoRevision.objects.all()[:50])
    assert revisions
    for revision in revisions:
        assert revision.sha256 == revision_digest(revision.content)


def test_the_audit_chain_verifies_and_the_head_is_its_last_event(load, capsys):
    call_command("verify_audit")  # exits 1 (SystemExit) when the chain is broken
    assert "intact" in capsys.readouterr().out
    last = AuditEvent.objects.order_by("-sequence").first()
    assert last is not None
    assert AuditHead.objects.get(pk=1).sequence == last.sequence
    assert AuditEvent.objects.filter(action="step.approved").exists()


def test_generated_people_see_their_pages_and_act_on_their_tasks(load):
    head = Person.objects.get(username=load.head_with_many)
    waiting = RouteStep.objects.filter(assignee=head, state=StepState.ACTIVE)
    browser = Client()
    browser.force_login(head)
    page = browser.get("/")
    assert page.status_code == 200
    step = waiting.select_related("memo").first()
    assert step is not None
    assert step.memo.subject in page.content.decode()
    api = browser.get("/api/v1/tasks/")
    assert len(api.json()["results"]) == min(waiting.count(), 50)
    assert browser.get(f"/memos/{step.memo_id}/").status_code == 200

    auditor = Client()
    auditor.force_login(Person.objects.get(username=load.auditor))
    listed = auditor.get("/api/v1/memos/?box=all").json()
    assert len(listed["results"]) == min(MEMOS, 50)
    assert (listed["next"] is not None) == (MEMOS > 50)
    # the generator writes the search documents the services would have: a number in Arabic digits is found
    numbered = (
        Memo.objects.exclude(number="").order_by("-sequence", "pk").first()
    )  # matched by no longer number
    assert numbered is not None
    arabic = numbered.number.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    found = auditor.get("/api/v1/search/", {"q": arabic}).json()["results"]
    assert str(numbered.pk) in [row["id"] for row in found]

    services.step_approve(
        step=RouteStep.objects.select_related("memo__current_revision", "position").get(pk=step.pk),
        actor=head,
        password=DEMO_PASSWORD,
        opinion="เห็นชอบ",
    )
    following = RouteStep.objects.get(memo=step.memo, state=StepState.ACTIVE)
    assert following.order > step.order
    call_command("verify_audit")


def test_a_second_load_is_refused_and_adds_nothing(load):
    with pytest.raises(LoadError):
        generate_load(memos=10, seed=6, end=END, progress=lambda _line: None)
    assert Memo.objects.count() == MEMOS


@pytest.mark.usefixtures("demo_org")
def test_a_database_with_memos_is_refused_and_gets_no_generated_people():
    from tests.builders import draft_memo

    draft_memo()
    people = Person.objects.count()
    with pytest.raises(LoadError, match="holds memos"):
        generate_load(memos=10, seed=6, end=END, progress=lambda _line: None)
    assert Person.objects.count() == people
