"""Background work: the assignee's e-mail (notifications.tasks) is enqueued in the same transaction as the step change and run
by the database worker (here in-process, as `manage.py db_worker --batch`)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from core.errors import BadPassword
from org.demo import DEMO_PASSWORD
from tests.builders import draft_memo
from workflow import services
from workflow.services import submission

pytestmark = pytest.mark.django_db


NOTIFY = "notifications.tasks.deliver_notifications"


def run_worker(queue: str = "default") -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name=queue)


def draft(person):
    return draft_memo(subject="ขอความเห็นชอบจัดซื้อวัสดุ", body="ย่อหน้าแรก")


@pytest.mark.django_db(transaction=True)  # the worker commits and reconnects as in production
def test_submit_notifies_the_next_signatory_by_email(person):
    memo = draft(person)
    services.memo_submit(memo=memo, actor=person("rujapa"), password=DEMO_PASSWORD)
    memo.refresh_from_db()
    assert DBTaskResult.objects.filter(task_path=NOTIFY).count() == 1
    assert mail.outbox == []  # nothing is sent inside the request: the worker does it

    run_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ratchawari@nongson.example"]
    assert memo.number in message.subject
    assert "รักษาการแทนหัวหน้าสำนักปลัด" in message.body
    assert DBTaskResult.objects.get(task_path=NOTIFY).status == "SUCCESSFUL"


def test_a_refused_action_enqueues_nothing(person):
    memo = draft(person)
    jobs = DBTaskResult.objects.count()  # the draft's PDF render
    with pytest.raises(BadPassword):
        services.memo_submit(memo=memo, actor=person("rujapa"), password="wrong")
    assert DBTaskResult.objects.count() == jobs


def test_a_rolled_back_change_leaves_no_job_behind(person, monkeypatch, render_pdfs):
    memo = draft(person)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    render_pdfs()
    jobs = DBTaskResult.objects.count()  # the draft's render, done: the submit would queue the next one
    monkeypatch.setattr(submission, "_audit", fail)
    with pytest.raises(RuntimeError):
        services.memo_submit(memo=memo, actor=person("rujapa"), password=DEMO_PASSWORD)
    memo.refresh_from_db()
    assert memo.status == "draft"
    assert memo.number == ""
    assert DBTaskResult.objects.count() == jobs
