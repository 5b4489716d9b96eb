"""The route on the edit page and the memo page (issue 11): who will actually sign each step (the acting
person or the holder, the capacity before the position's title), the writer's own posts neither offered nor
accepted, a removed step put back with one tap, and an administrator's reassignment with its reason."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import ValidationFailed
from memos.models import Memo
from org import services as org_services
from org.demo import DEMO_PASSWORD
from org.models import ActingAppointment, Position
from tests.builders import active_step, approve_active, draft_memo, in_review_memo
from workflow import selectors, services
from workflow.models import RouteStep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

HEAD = "หัวหน้าสำนักปลัด"
PALAD = "ปลัดองค์การบริหารส่วนตำบลหนองโสน"
NAYOK = "นายกองค์การบริหารส่วนตำบลหนองโสน"
RATCHAWARI = "นางราชวรี อนุกุล"
NAT = "นายนาฏ วงศ์ทองดี"
YUTTHANA = "นายยุทธนา เมืองเล็ก"
ACTING_HEAD = "รักษาการแทน หัวหน้าสำนักปลัด"  # the capacity BEFORE the title, as signed


def page(client: Client, url: str, language: str = "th") -> str:
    with translation.override(language):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def signed_in(person, username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def route_titles(memo: Memo) -> list[str]:
    steps = RouteStep.objects.filter(memo=memo, order__gt=0).select_related("position").order_by("order")
    return [s.position.title for s in steps]


def post_route(client: Client, memo: Memo, op: str, **extra) -> None:
    steps = RouteStep.objects.filter(memo=memo, order__gt=0).order_by("order")
    data = {
        "position": [str(s.position_id) for s in steps],
        "role": [s.role for s in steps],
        "op": op,
        **extra,
    }
    client.post(reverse("memo-route", args=[memo.pk]), data)


# Who will actually sign --------------------------------------------------------------------------------------


def test_the_memo_page_names_who_will_sign_each_step_not_reached_yet(person):
    memo = draft_memo()
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/")
    assert "(ยังไม่มีผู้รับผิดชอบ)" not in html
    # หัวหน้าสำนักปลัด is vacant: ratchawari acts for it, and signs under "รักษาการแทน หัวหน้าสำนักปลัด".
    assert RATCHAWARI in html
    assert ACTING_HEAD in html
    assert "หัวหน้าสำนักปลัด รักษาการแทน" not in html
    assert NAT in html
    assert YUTTHANA in html
    assert html.count("(จะได้รับเรื่องเมื่อบันทึกมาถึงขั้นนี้)") == 3
    assert '<div class="who">นางสาวรุจภา โฉมประดิษฐ์</div>' in html  # the writer, first


def test_steps_already_assigned_show_the_assignee_and_the_rest_who_would_get_them(person):
    memo = in_review_memo(2)
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/")
    # step 1 signed by ratchawari as the acting head; step 2 is nat's now; step 3 would go to yutthana.
    assert f"{RATCHAWARI}</div>" in html
    assert ACTING_HEAD in html
    assert f"{NAT}</div>" in html
    assert f"{YUTTHANA} <span" in html
    assert html.count("(จะได้รับเรื่องเมื่อบันทึกมาถึงขั้นนี้)") == 1


def test_a_vacant_post_nobody_acts_for_is_said_plainly(person, position):
    ActingAppointment.objects.filter(position=position(HEAD)).update(
        valid_to=timezone.localdate() - timedelta(days=2), valid_from=date(2023, 10, 1)
    )
    memo = draft_memo()
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/")
    assert "ขณะนี้ไม่มีผู้ดำรงตำแหน่งนี้และไม่มีผู้รักษาการแทน" in html
    edit = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/edit/")
    assert "ขณะนี้ไม่มีผู้ดำรงตำแหน่งนี้และไม่มีผู้รักษาการแทน" in edit
    assert f"{HEAD} — ตำแหน่งว่าง ไม่มีผู้รักษาการแทน" in edit


def test_the_forecast_follows_the_separation_of_duties(person):
    """ratchawari writes: the head's step would go to her (she acts for it), so it will be skipped."""
    memo = draft_memo(writer="ratchawari")
    steps = selectors.route_timeline(memo=memo)
    with translation.override("th"):
        signers = selectors.route_signers(memo=memo, steps=steps)
    by_title = {s.position.title: signers[s.pk] for s in steps if s.order > 0}
    assert by_title[HEAD].person is None
    assert str(by_title[HEAD].note) == "ขั้นตอนนี้จะถูกข้าม: ผู้ลงนามเป็นผู้เขียนบันทึกนี้เอง"
    assert by_title[PALAD].person is not None
    assert by_title[PALAD].person.username == "nat"
    assert by_title[PALAD].line == PALAD


def test_the_editor_says_who_signs_each_step_and_offers_positions_by_their_signatory(person):
    memo = draft_memo()
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/edit/")
    assert f"ผู้ลงนาม: <strong>{RATCHAWARI}</strong> — {ACTING_HEAD}" in html
    assert f"ผู้ลงนาม: <strong>{NAT}</strong> — {PALAD}" in html
    assert f">{ACTING_HEAD} — {RATCHAWARI}</option>" in html
    assert "หัวหน้าสำนักปลัด (" not in html  # not the old "title (holder)" with the acting person missing


# The writer's own posts --------------------------------------------------------------------------------------


def second_post_for(person, demo_org, username: str) -> Position:
    post = Position(organisation=demo_org, title="เลขานุการนายก", holder=person(username))
    org_services.org_object_save(obj=post)
    return post


def test_the_editor_offers_none_of_the_writers_own_posts(person, position, demo_org):
    memo = draft_memo()
    second_post_for(person, demo_org, "rujapa")
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/edit/")
    assert "เลขานุการนายก" not in html
    assert "ผู้ช่วยนักประชาสัมพันธ์" not in html  # memo.writer_position
    assert "นักทรัพยากรบุคคล" in html  # someone else's post is offered


def test_the_server_refuses_a_post_the_writer_holds(person, position, demo_org):
    memo = draft_memo()
    post = second_post_for(person, demo_org, "rujapa")
    before = route_titles(memo)
    with translation.override("en"):
        with pytest.raises(ValidationFailed) as refused:
            services.memo_route_set(
                memo=memo, actor=person("rujapa"), steps=[(post, "cosign"), (position(NAYOK), "decision")]
            )
        message = str(refused.value.fields["route"][0])
    assert (
        message
        == "You hold the position เลขานุการนายก yourself; it cannot be a step of your own memo's route."
    )
    assert route_titles(memo) == before

    client = signed_in(person, "rujapa")
    post_route(client, memo, "add", new_position=str(post.pk), new_role="opinion")
    assert route_titles(memo) == before  # nothing changed
    html = page(client, f"/memos/{memo.pk}/edit/")
    assert "ท่านดำรงตำแหน่ง เลขานุการนายก เอง" in html


def test_a_new_memo_route_leaves_out_a_post_the_writer_holds(person, position, demo_org):
    """The default route (the reports-to chain) of ratchawari, who is made ปลัด's holder too for this test."""
    Position.objects.filter(pk=position(PALAD).pk).update(holder=person("ratchawari"))
    memo = draft_memo(writer="ratchawari")
    assert PALAD not in route_titles(memo)


def test_a_step_for_a_post_the_writer_has_come_to_hold_says_so_and_cannot_be_submitted(person, position):
    memo = draft_memo()
    palad = position(PALAD)
    Position.objects.filter(pk=palad.pk).update(holder=person("rujapa"))
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/edit/")
    assert f'<option value="{palad.pk}" selected>{PALAD} — ตำแหน่งของท่านเอง</option>' in html
    with pytest.raises(ValidationFailed):
        services.memo_submit(memo=memo, actor=person("rujapa"), password=DEMO_PASSWORD)
    assert Memo.objects.get(pk=memo.pk).status == "draft"


def test_the_editor_in_english_names_the_signers_in_english(person):
    memo = draft_memo()
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/edit/", "en")
    assert f"Signs: <strong>{RATCHAWARI}</strong> — {ACTING_HEAD}" in html
    assert ">Co-sign</option>" in html
    assert "ความเห็น" not in html  # the role words in English only


# Removing a step, and undoing it -----------------------------------------------------------------------------


def test_a_removed_step_is_put_back_with_undo(person):
    memo = draft_memo()
    client = signed_in(person, "rujapa")
    before = route_titles(memo)
    assert before == [HEAD, PALAD, NAYOK]
    post_route(client, memo, "remove-1")
    assert route_titles(memo) == [HEAD, NAYOK]
    html = page(client, f"/memos/{memo.pk}/edit/")
    assert f"ลบขั้นที่ ๒ ({PALAD}) แล้ว" in html
    assert 'name="op" value="undo"' in html

    client.post(reverse("memo-route", args=[memo.pk]), {"op": "undo"})
    assert route_titles(memo) == before
    html = page(client, f"/memos/{memo.pk}/edit/")
    assert f"นำขั้นที่ ๒ ({PALAD}) กลับเข้าเส้นทางแล้ว" in html
    assert 'value="undo"' not in html


def test_undo_after_another_change_changes_nothing(person):
    memo = draft_memo()
    client = signed_in(person, "rujapa")
    post_route(client, memo, "remove-1")
    post_route(client, memo, "down-0")
    changed = route_titles(memo)
    assert 'value="undo"' not in page(client, f"/memos/{memo.pk}/edit/")
    client.post(reverse("memo-route", args=[memo.pk]), {"op": "undo"})
    assert route_titles(memo) == changed
    assert "ไม่มีสิ่งที่จะเลิกทำ" in page(client, f"/memos/{memo.pk}/edit/")


def test_undo_after_a_change_made_elsewhere_changes_nothing(person, position):
    """The route changed through the API (or another tab) after the removal: undo would overwrite it."""
    memo = draft_memo()
    client = signed_in(person, "rujapa")
    post_route(client, memo, "remove-1")
    services.memo_route_set(
        memo=memo, actor=person("rujapa"), steps=[(position(PALAD), "opinion"), (position(NAYOK), "decision")]
    )
    assert 'value="undo"' not in page(client, f"/memos/{memo.pk}/edit/")
    client.post(reverse("memo-route", args=[memo.pk]), {"op": "undo"})
    assert route_titles(memo) == [PALAD, NAYOK]


def test_removing_the_decision_step_is_refused_and_offers_no_undo(person):
    memo = draft_memo()
    client = signed_in(person, "rujapa")
    post_route(client, memo, "remove-2")
    assert route_titles(memo) == [HEAD, PALAD, NAYOK]
    html = page(client, f"/memos/{memo.pk}/edit/")
    assert 'value="undo"' not in html


def test_undo_belongs_to_the_memo_and_its_writer(person):
    memo = draft_memo()
    other = draft_memo()
    client = signed_in(person, "rujapa")
    post_route(client, memo, "remove-1")
    client.post(reverse("memo-route", args=[other.pk]), {"op": "undo"})
    assert route_titles(other) == [HEAD, PALAD, NAYOK]
    assert route_titles(memo) == [HEAD, NAYOK]
    stranger = signed_in(person, "nat")
    assert stranger.post(reverse("memo-route", args=[memo.pk]), {"op": "undo"}).status_code == 404


# Reassignment on the timeline --------------------------------------------------------------------------------


def reassigned_memo(person) -> Memo:
    memo = in_review_memo(2)
    services.step_reassign(
        step=active_step(memo),
        actor=person("admin"),
        assignee=person("finance_head"),
        reason="ปลัดไปราชการต่างจังหวัด",
    )
    return memo


def test_the_timeline_shows_a_reassignment_who_from_whom_and_why_in_thai(person):
    memo = reassigned_memo(person)
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/")
    moved = html[html.index('data-testid="reassignment"') :]
    moved = moved[: moved.index("</div>")]
    assert "มอบหมายใหม่" in moved
    assert "โดย ผู้ดูแลระบบ" in moved
    assert f"จาก {NAT} ไปยัง นางสาวกัลยา ศรีสวัสดิ์" in moved
    assert "เหตุผล: ปลัดไปราชการต่างจังหวัด" in moved
    assert "๒๕" in moved
    assert "น." in moved


def test_the_timeline_in_english_has_no_thai_words(person):
    memo = reassigned_memo(person)
    html = page(signed_in(person, "rujapa"), f"/memos/{memo.pk}/", "en")
    moved = html[html.index('data-testid="reassignment"') :]
    moved = moved[: moved.index("</div>")]
    assert "Reassigned" in moved
    assert "by ผู้ดูแลระบบ" in moved
    assert f"From {NAT} to นางสาวกัลยา ศรีสวัสดิ์" in moved
    assert str(timezone.now().year) in moved  # the Gregorian year
    assert "น." not in moved
    assert "มอบหมาย" not in moved
    assert "(will receive it when the memo reaches this step)" in html
    assert "ความเห็น" not in html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]


# Queries -----------------------------------------------------------------------------------------------------


def test_the_timeline_takes_three_queries_whatever_the_route(person, position):
    """Steps (positions, holders, assignees, signatures joined), their reassignments, the acting appointments
    in force for the steps not reached: 3 for a 3-step route and a 6-step one."""
    counts = []
    for long_route in (False, True):
        memo = draft_memo()
        if long_route:
            services.memo_route_set(
                memo=memo,
                actor=person("rujapa"),
                steps=[
                    (position(HEAD), "cosign"),
                    (position("ผู้อำนวยการกองคลัง"), "opinion"),
                    (position("ผู้อำนวยการกองช่าง"), "opinion"),
                    (position("นักวิชาการตรวจสอบภายใน"), "opinion"),
                    (position(PALAD), "opinion"),
                    (position(NAYOK), "decision"),
                ],
            )
        memo = Memo.objects.select_related("writer").get(pk=memo.pk)
        with CaptureQueriesContext(connection) as queries:
            steps = selectors.route_timeline(memo=memo)
            signers = selectors.route_signers(memo=memo, steps=steps)
            names = [s.person.full_name for s in signers.values() if s.person is not None]
        assert len(names) == (7 if long_route else 4)  # the writer and each step's signatory
        counts.append(len(queries))
    assert counts == [3, 3]


def test_the_memo_page_queries_do_not_grow_with_the_route(person, position):
    counts = []
    client = signed_in(person, "rujapa")
    for long_route in (False, True):
        memo = in_review_memo(2)
        if long_route:
            memo = draft_memo()
            services.memo_route_set(
                memo=memo,
                actor=person("rujapa"),
                steps=[
                    (position(HEAD), "cosign"),
                    (position("ผู้อำนวยการกองคลัง"), "opinion"),
                    (position("ผู้อำนวยการกองช่าง"), "opinion"),
                    (position(PALAD), "opinion"),
                    (position(NAYOK), "decision"),
                ],
            )
            services.memo_submit(memo=memo, actor=person("rujapa"), password=DEMO_PASSWORD)
            approve_active(memo)
        page(client, f"/memos/{memo.pk}/")  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            page(client, f"/memos/{memo.pk}/")
        counts.append(len(queries))
    assert counts[0] == counts[1]
