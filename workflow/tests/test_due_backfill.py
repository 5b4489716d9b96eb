"""Migration 0010 gives the steps active at the upgrade their due time, as if they had been activated with it,
and none to a writer's step of a returned memo (both engines: the migration runs on both)."""

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from memos.models import Urgency
from tests.builders import PW, active_step, person, submitted_memo
from workflow import services
from workflow.due import calendar_for
from workflow.models import RouteStep, StepState

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("workflow.migrations.0010_step_due_at").backfill


def test_active_steps_get_the_due_time_they_would_have_had(demo_org: Any) -> None:
    waiting = [active_step(submitted_memo(urgency=u)) for u in (Urgency.MOST_URGENT, Urgency.NORMAL)]
    returned = submitted_memo()
    step = active_step(returned)
    services.step_return(step=step, actor=person("ratchawari"), password=PW, reason="แก้ไข")
    expected = {s.pk: s.due_at for s in waiting}
    RouteStep.objects.update(due_at=None)  # as before the upgrade

    backfill(apps, SimpleNamespace(connection=connection))

    calendar = calendar_for(demo_org.pk)
    for s in waiting:
        s.refresh_from_db()
        assert s.due_at == expected[s.pk]
        assert s.due_at == calendar.due_at(s.activated_at, s.memo.urgency)
    writer_step = RouteStep.objects.get(memo=returned, state=StepState.ACTIVE)
    assert writer_step.order == 0
    assert writer_step.due_at is None
    assert RouteStep.objects.exclude(state=StepState.ACTIVE).filter(due_at__isnull=False).count() == 0
