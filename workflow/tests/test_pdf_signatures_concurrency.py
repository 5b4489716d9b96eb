"""Signing races on PostgreSQL with real threads (each its own connection), as a threaded server meets them:
concurrent approves of one step put one signature on the PDF; concurrent submits, each forking its render
child while other threads lay out signature blocks, all produce PDFs whose signatures validate."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from core.audit import RequestMeta
from core.errors import AlreadyDone, ApplicationError, Busy
from memos.models import Memo
from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import signing
from signatures.models import SignedPdfUpdate
from signatures.selectors import verification_trust
from signatures.verification import verify_pdf
from tests.test_concurrency import new_draft, race
from workflow import services
from workflow.models import RouteStep, StepState

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks)"),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]


@pytest.fixture
def signing_on(settings, demo_org, media_root: Path) -> None:
    settings.MEMOFLOW_PDF_SIGNATURES = True
    settings.MEMOFLOW_TSA_URL = "local"
    call_command("signing_init", verbosity=0)


def _fields(memo: Memo) -> list[str]:
    revision = Memo.objects.get(pk=memo.pk).current_revision
    return list(
        SignedPdfUpdate.objects.filter(revision=revision).order_by("sequence").values_list("field", flat=True)
    )


def test_concurrent_approves_of_one_step_put_one_signature_on_the_pdf(signing_on, person) -> None:
    rujapa = person("rujapa")
    memo = services.memo_submit(memo=new_draft(rujapa), actor=rujapa, password=DEMO_PASSWORD)
    step_id = RouteStep.objects.get(memo=memo, state=StepState.ACTIVE).pk

    def approve(index: int) -> RouteStep:
        step = RouteStep.objects.select_related("memo").get(pk=step_id)
        actor = Person.objects.get(username="ratchawari")
        return services.step_approve(
            step=step, actor=actor, password=DEMO_PASSWORD, meta=RequestMeta(user_agent=f"race-{index}")
        )

    results = race(6, approve)
    assert len([r for r in results if isinstance(r, RouteStep)]) == 1
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refused) == 5
    assert all(isinstance(e, AlreadyDone | Busy) for e in refused), refused
    assert _fields(memo) == ["", "step-0", "step-1"]
    current = signing.signed_pdf(revision=Memo.objects.get(pk=memo.pk).current_revision)
    assert current is not None
    report = verify_pdf(current.content, trust=verification_trust())
    assert report.valid, report.problems
    assert [s.field_name for s in report.signatures] == ["step-0", "step-1"]


def test_submits_fork_their_renders_safely_while_other_threads_sign(signing_on, person) -> None:
    rujapa = person("rujapa")
    drafts = [new_draft(rujapa, index) for index in range(3)]
    in_review = services.memo_submit(memo=new_draft(rujapa, 9), actor=rujapa, password=DEMO_PASSWORD)
    step_id = RouteStep.objects.get(memo=in_review, state=StepState.ACTIVE).pk

    def work(index: int) -> object:
        if index < len(drafts):
            writer = Person.objects.get(username="rujapa")
            return services.memo_submit(memo=drafts[index], actor=writer, password=DEMO_PASSWORD)
        step = RouteStep.objects.select_related("memo").get(pk=step_id)
        return services.step_approve(
            step=step, actor=Person.objects.get(username="ratchawari"), password=DEMO_PASSWORD
        )

    results = race(len(drafts) + 1, work)
    assert not [r for r in results if isinstance(r, ApplicationError)], results
    for memo in [*drafts, in_review]:
        current = signing.signed_pdf(revision=Memo.objects.get(pk=memo.pk).current_revision)
        assert current is not None
        report = verify_pdf(current.content, trust=verification_trust())
        assert report.valid, report.problems
    assert _fields(in_review) == ["", "step-0", "step-1"]
