"""viewflow's process and task pages in the admin are view-only: deleting or editing a task there used to leave a
memo that could never be approved. A step's task is protected in the model too."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import ProtectedError
from django.test import Client
from viewflow.workflow.models import Process, Task

from org.demo import DEMO_PASSWORD
from workflow import services
from workflow.models import RouteStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def step(person: Callable[[str], Any]) -> RouteStep:
    memo = services.memo_create(
        writer=person("rujapa"), subject="ขอซ่อมเครื่องพิมพ์", body="จึงเรียนมาเพื่อโปรดพิจารณา"
    )
    services.memo_submit(memo=memo, actor=memo.writer, password=DEMO_PASSWORD)
    return RouteStep.objects.select_related("task__process").get(memo=memo, state="active")


@pytest.fixture
def admin_client(person: Callable[[str], Any]) -> Client:
    client = Client()
    client.force_login(person("admin"))
    return client


def test_the_admin_refuses_to_delete_or_change_a_viewflow_task(admin_client: Client, step: RouteStep) -> None:
    task = step.task
    assert task is not None
    tasks = admin_client.get("/admin/viewflow/task/")
    assert tasks.status_code == 200  # still there to look at
    page = admin_client.get(f"/admin/viewflow/task/{task.pk}/change/")
    assert page.status_code == 200
    assert f"/admin/viewflow/task/{task.pk}/delete/" not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()

    assert admin_client.get(f"/admin/viewflow/task/{task.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/viewflow/task/{task.pk}/delete/", {"post": "yes"}).status_code == 403
    assert (
        admin_client.post(f"/admin/viewflow/task/{task.pk}/change/", {"status": "CANCELED"}).status_code
        == 403
    )
    assert admin_client.post(
        "/admin/viewflow/task/", {"action": "delete_selected", "_selected_action": [task.pk]}
    ).status_code in (200, 302)
    process = task.process
    assert admin_client.get(f"/admin/viewflow/process/{process.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/viewflow/process/add/").status_code == 403

    assert Task.objects.filter(pk=task.pk, status=task.status).exists()
    assert Process.objects.filter(pk=process.pk).exists()


def test_a_step_task_cannot_be_deleted(step: RouteStep) -> None:
    task = step.task
    assert task is not None
    with pytest.raises(ProtectedError):
        task.delete()
    step.refresh_from_db()
    assert step.task_id == task.pk
