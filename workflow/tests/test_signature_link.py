"""The route step points at its signature (signing knows no route): each signed step carries the signature
written for it, the database refuses a signed step without one, and the migration that turned the link
around carries every existing link over."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from org.demo import DEMO_PASSWORD as PW
from signatures.models import Signature
from workflow import services
from workflow.models import RouteStep, StepState

BEFORE = [("workflow", "0003_opinion_phrase"), ("signatures", "0003_rules_step_link_hidden")]


def active(memo):
    return RouteStep.objects.get(memo=memo, state=StepState.ACTIVE)


def half_approved(person):
    """Submitted by rujapa and signed by ratchawari: two signatures, the third step active."""
    memo = services.memo_create(writer=person("rujapa"), subject="ขออนุมัติจัดซื้อวัสดุสำนักงาน", body="ย่อหน้าแรก")
    services.memo_submit(memo=memo, actor=person("rujapa"), password=PW)
    services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)
    return memo


def links(memo) -> dict:
    return dict(RouteStep.objects.filter(memo=memo).values_list("pk", "signature_id"))


def test_each_signed_step_points_at_the_signature_written_for_it(person):
    memo = half_approved(person)
    steps = list(RouteStep.objects.filter(memo=memo).select_related("signature__signer").order_by("order"))
    signed = [s for s in steps if s.state == StepState.SIGNED]
    assert [(s.order, s.signature.signer.username) for s in signed] == [(0, "rujapa"), (1, "ratchawari")]
    assert all(s.signature is None for s in steps if s.state != StepState.SIGNED)
    assert signed[1].signature.step == signed[1]
    assert Signature.objects.filter(memo=memo).count() == 2


def test_the_database_refuses_a_signed_step_without_its_signature_and_a_signature_on_an_unsigned_step(person):
    memo = half_approved(person)
    signed = RouteStep.objects.get(memo=memo, order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RouteStep.objects.filter(pk=signed.pk).update(signature=None)
    waiting = RouteStep.objects.get(memo=memo, state=StepState.WAITING)
    stray = Signature.objects.get(step=signed)
    stray.pk = None  # a second, valid signature row, pointed at by a step that is still waiting
    stray._state.adding = True  # a new row (append-only: an existing one is never saved again)
    stray.save(force_insert=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RouteStep.objects.filter(pk=waiting.pk).update(signature=stray)
    assert links(memo)[signed.pk] is not None
    assert links(memo)[waiting.pk] is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_every_link_over_and_back(demo_org, person):
    memo = half_approved(person)
    before = links(memo)
    assert sum(1 for v in before.values() if v) == 2
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)  # back: the links live in Signature.step again, RouteStep.signature is gone
        old = executor.loader.project_state(BEFORE).apps
        back = dict(old.get_model("signatures", "Signature").objects.values_list("step_id", "pk"))
        assert back == {step: sig for step, sig in before.items() if sig}
        assert "signature_id" not in {f.attname for f in old.get_model("workflow", "RouteStep")._meta.fields}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # forward again: workflow 0004 copies them
    assert links(memo) == before
