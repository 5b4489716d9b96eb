"""A signature binds to the hash of the revision it signed, and that hash covers the memo's content: the
subject, the body, the enclosures and the route. After a return and an edit, the earlier signatures stay bound
to the old revision and count for nothing on the new one; a step of the old round can no longer be signed."""

import pytest

from core.errors import AlreadyDone
from memos.models import MemoRevision
from memos.services import revision_digest
from org.demo import DEMO_PASSWORD
from signatures.models import Signature
from workflow import services
from workflow.models import RouteStep, StepRole

pytestmark = pytest.mark.django_db
PW = DEMO_PASSWORD


def active(memo) -> RouteStep:
    return RouteStep.objects.select_related("memo", "position", "assignee").get(memo=memo, state="active")


def change_subject(memo, person, position):
    services.memo_update(memo=memo, actor=person("rujapa"), subject="ขออนุมัติจัดซื้อวัสดุสำนักงาน (แก้ไข)")


def change_body(memo, person, position):
    services.memo_update(memo=memo, actor=person("rujapa"), body="ย่อหน้าแรก แก้ไขวงเงินเป็น ๕,๐๐๐ บาท")


def add_enclosure(memo, person, position):
    services.enclosure_add_table(
        memo=memo,
        actor=person("rujapa"),
        title="ใบเสนอราคา",
        table={"columns": ["รายการ"], "rows": [["กระดาษ"]]},
    )


def change_route(memo, person, position):
    services.memo_route_set(
        memo=memo,
        actor=person("rujapa"),
        steps=[
            (position("ปลัดองค์การบริหารส่วนตำบลหนองโสน"), StepRole.OPINION),
            (position("นายกองค์การบริหารส่วนตำบลหนองโสน"), StepRole.DECISION),
        ],
    )


def change_nothing(memo, person, position):
    pass


@pytest.mark.parametrize(
    "edit",
    [change_subject, change_body, add_enclosure, change_route, change_nothing],
    ids=lambda f: f.__name__,
)
def test_the_revision_hash_covers_the_content_and_old_signatures_do_not_carry_over(person, position, edit):
    rujapa = person("rujapa")
    memo = services.memo_create(writer=rujapa, subject="ขออนุมัติจัดซื้อวัสดุสำนักงาน", body="ย่อหน้าแรก")
    services.memo_submit(memo=memo, actor=rujapa, password=PW)
    services.step_approve(step=active(memo), actor=person("ratchawari"), password=PW)
    returned_step = active(memo)
    services.step_return(step=returned_step, actor=person("nat"), password=PW, reason="แก้ไขให้ถูกต้อง")

    edit(memo, person, position)
    services.memo_submit(memo=memo, actor=rujapa, password=PW)

    first, second = MemoRevision.objects.filter(memo=memo).order_by("number")
    assert second.sha256 == revision_digest(second.content)
    # Only the content can tell the two revisions apart once their numbers are made equal.
    same_number = revision_digest({**second.content, "revision": first.number})
    if edit is change_nothing:
        assert same_number == first.sha256
        return
    assert same_number != first.sha256

    # ratchawari's signature stays bound to revision 1 and is not a signature of revision 2.
    old = Signature.objects.get(memo=memo, signer__username="ratchawari")
    assert old.revision_sha256 == first.sha256 != second.sha256
    assert list(Signature.objects.filter(revision=second).values_list("signer__username", flat=True)) == [
        "rujapa"
    ]
    # A step of the old round cannot be signed any more.
    with pytest.raises(AlreadyDone):
        services.step_approve(step=returned_step, actor=person("nat"), password=PW, opinion="เห็นควร")
    assert not Signature.objects.filter(memo=memo, signer__username="nat").exists()
