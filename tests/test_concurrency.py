"""Races on PostgreSQL (real row locks): concurrent approves of one step, concurrent submits taking numbers from
one register, concurrent submits of one draft. Real threads, each with its own database connection, released
together by a barrier; every refused attempt must be a 409 and the database must show the action done once."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core.audit import RequestMeta
from core.errors import AlreadyDone, ApplicationError, Busy, InvalidState
from core.models import AuditEvent
from core.thai import arabic_digits
from memos.models import Memo, MemoStatus, Register
from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures.models import Signature
from tests.builders import draft_memo
from workflow import services
from workflow.models import RouteStep, StepState

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks (SELECT ... FOR UPDATE), so these races are not real",
    ),
]

JOIN_TIMEOUT = 60  # seconds; each test finishes in a few seconds


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in `count` threads released together; each result is the return value or the
    ApplicationError raised. Any other exception fails the test."""
    barrier = threading.Barrier(count, timeout=30)
    results: list[Any] = [None] * count
    crashes: list[BaseException] = []

    def run(index: int) -> None:
        try:
            connections[
                "default"
            ].ensure_connection()  # connect first, so the barrier releases queries at once
            barrier.wait()
            results[index] = work(index)
        except ApplicationError as error:
            results[index] = error
        except BaseException as error:  # reported below, in the test's thread
            crashes.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,), name=f"race-{i}", daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not [t.name for t in threads if t.is_alive()], "threads still running"
    assert not crashes, crashes
    return results


def new_draft(writer: Person, index: int = 1) -> Memo:
    return draft_memo(
        writer=writer,
        subject=f"ขออนุมัติเบิกค่าใช้จ่ายในการเดินทางไปราชการ ครั้งที่ {index}",
        body="จึงเรียนมาเพื่อโปรดพิจารณาอนุมัติ",
    )


def test_twenty_concurrent_approves_of_one_step_sign_it_once(demo_org, person):
    rujapa = person("rujapa")
    memo = services.memo_submit(memo=new_draft(rujapa), actor=rujapa, password=DEMO_PASSWORD)
    step = RouteStep.objects.get(memo=memo, state=StepState.ACTIVE)
    assert (step.order, step.assignee.username) == (1, "ratchawari")
    step_id = step.pk

    def approve(index: int) -> RouteStep:
        own_step = RouteStep.objects.select_related("memo").get(pk=step_id)
        actor = Person.objects.get(username="ratchawari")
        return services.step_approve(
            step=own_step, actor=actor, password=DEMO_PASSWORD, meta=RequestMeta(user_agent=f"race-{index}")
        )

    results = race(20, approve)

    succeeded = [r for r in results if isinstance(r, RouteStep)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(succeeded) == 1
    assert len(refused) == 19
    assert all(isinstance(e, AlreadyDone | Busy) and e.http_status == 409 for e in refused), refused

    step.refresh_from_db()
    assert step.state == StepState.SIGNED
    signatures = Signature.objects.filter(step=step_id)
    assert signatures.count() == 1
    # The step holds one signature by construction; a lost race would leave a stray row pointing nowhere.
    assert Signature.objects.filter(memo=memo).count() == 2  # the writer's and this step's
    assert signatures.get().signer.username == "ratchawari"
    round_steps = RouteStep.objects.filter(memo=memo, round=1)
    assert [(s.order, s.state) for s in round_steps.order_by("order")] == [
        (0, StepState.SIGNED),
        (1, StepState.SIGNED),
        (2, StepState.ACTIVE),
        (3, StepState.WAITING),
    ]
    assert RouteStep.objects.filter(memo=memo, state=StepState.ACTIVE).count() == 1
    memo.refresh_from_db()
    assert memo.status == MemoStatus.IN_REVIEW
    assert step.task is not None
    assert Task.objects.get(pk=step.task_id).status == STATUS.DONE
    tasks = Task.objects.filter(process_id=memo.process_id, flow_task_type="HUMAN")
    # start's human tasks: step 1's (done) and step 2's (open): nothing was created twice.
    assert tasks.filter(status=STATUS.DONE).count() == 1
    assert tasks.exclude(status=STATUS.DONE).count() == 1
    next_step = RouteStep.objects.get(memo=memo, order=2, round=1)
    assert next_step.task_id == tasks.exclude(status=STATUS.DONE).get().pk
    assert AuditEvent.objects.filter(object_id=str(memo.pk), action="step.approved").count() == 1


def test_fifty_concurrent_submits_take_fifty_consecutive_numbers(demo_org, person):
    rujapa = person("rujapa")
    drafts = [new_draft(rujapa, i).pk for i in range(50)]

    def submit(index: int) -> Memo:
        memo = Memo.objects.get(pk=drafts[index])
        return services.memo_submit(
            memo=memo, actor=Person.objects.get(username="rujapa"), password=DEMO_PASSWORD
        )

    results = race(50, submit)

    assert all(isinstance(r, Memo) for r in results), [r for r in results if not isinstance(r, Memo)]
    memos = list(Memo.objects.filter(pk__in=drafts))
    assert all(m.status == MemoStatus.IN_REVIEW for m in memos)
    numbers = [m.number for m in memos]
    assert len(set(numbers)) == 50
    sequences = sorted(int(arabic_digits(n.rsplit("/", 1)[1])) for n in numbers)
    assert sequences == list(range(1, 51))  # a fresh register: 1..50, no gaps, no duplicates
    assert sorted(m.sequence for m in memos) == sequences
    assert all(int(arabic_digits(m.number.rsplit("/", 1)[1])) == m.sequence for m in memos)
    assert Register.objects.get().last_number == 50


def test_ten_concurrent_submits_of_one_draft_submit_it_once(demo_org, person):
    rujapa = person("rujapa")
    memo_id = new_draft(rujapa).pk

    def submit(index: int) -> Memo:
        memo = Memo.objects.get(pk=memo_id)
        return services.memo_submit(
            memo=memo, actor=Person.objects.get(username="rujapa"), password=DEMO_PASSWORD
        )

    results = race(10, submit)

    succeeded = [r for r in results if isinstance(r, Memo)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(succeeded) == 1
    assert len(refused) == 9
    assert all(isinstance(e, InvalidState | AlreadyDone | Busy) and e.http_status == 409 for e in refused), (
        refused
    )

    memo = Memo.objects.get(pk=memo_id)
    assert memo.status == MemoStatus.IN_REVIEW
    assert memo.revision == 1
    assert memo.sequence == 1
    assert memo.number.endswith("/๑")
    assert Register.objects.get().last_number == 1  # one number taken
    assert Signature.objects.filter(memo_id=memo_id).count() == 1
    assert [
        (s.order, s.state) for s in RouteStep.objects.filter(memo_id=memo_id).order_by("round", "order")
    ] == [
        (0, StepState.SIGNED),
        (1, StepState.ACTIVE),
        (2, StepState.WAITING),
        (3, StepState.WAITING),
    ]
    assert Task.objects.filter(process_id=memo.process_id, flow_task_type="HUMAN").count() == 1
    assert AuditEvent.objects.filter(object_id=str(memo_id), action="memo.submitted").count() == 1
