"""The memo page's words, through Django's test client: each role's verbs and phrase chips, the message after each
action (who has the memo now, or that it is decided), the app's own words for a field left empty, and the date
filter's labels; in Thai, and in English with no Thai in the strings the page itself says."""

import html as html_lib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from memos.models import Memo
from org.models import Person
from tests.builders import PW, active_step, approve_active, in_review_memo, submitted_memo
from tests.builders import draft_memo as _draft
from workflow import services
from workflow.models import OpinionPhrase, StepRole

THAI = re.compile(r"[\u0e00-\u0e7f]")


@pytest.fixture
def page_as(demo_org: Any) -> Any:
    def make(username: str, language: str = "th") -> Client:
        client = Client()
        client.force_login(Person.objects.get(username=username))
        if language != "th":
            client.post("/i18n/setlang/", {"language": language, "next": "/"})
        return client

    return make


def url(memo: Memo) -> str:
    return reverse("memo-page", args=[memo.pk])


def my_actions(html: str) -> str:
    match = re.search(r'data-testid="my-actions">(.*?)</section>', html, re.S)
    assert match, "no action box on the page"
    return match.group(1)


def summaries(section: str) -> list[str]:
    """Each action's title: the sheet's heading (the verb), then the other actions' summaries."""
    found = []
    for inner in re.findall(r"<summary[^>]*>(.*?)</summary>", section, re.S):
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", inner, re.S)
        found.append(html_lib.unescape(heading.group(1) if heading else inner).strip())
    return found


def text_of(html: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def submit_button(section: str) -> str:
    match = re.search(r'<button class="btn" type="submit"[^>]*>(.*?)</button>', section, re.S)
    assert match
    return match.group(1).strip()


def chips(section: str) -> list[tuple[str, str]]:
    """(text, decision chosen) of each phrase chip; decision empty for a phrase typed into the opinion box."""
    found = []
    for attrs, text in re.findall(
        r'<button type="button" class="btn secondary small"([^>]*)>(.*?)</button>', section
    ):
        decision = re.search(r'data-decision="([^"]*)"', attrs)
        found.append((text, decision.group(1) if decision else ""))
    return found


def flash(response: Any) -> str:
    match = re.search(
        r'<div class="messages" role="status"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    assert match, "no message on the page"
    return html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def field_error(html: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</ul>', html, re.S)
    assert match, f"no error next to {field}"
    return html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


# Each role's verbs and chips ----------------------------------------------------------------------------------


def test_a_co_signer_co_signs_and_is_offered_no_decision_words(page_as: Any) -> None:
    memo = in_review_memo(1)
    section = my_actions(page_as("ratchawari").get(url(memo)).content.decode())
    # A co-signer forwards or returns; she does not end the memo (the service refuses it too).
    assert summaries(section) == ["ลงนามร่วมและเสนอ", "ส่งคืนแก้ไข"]
    # She signs as caretaker of the vacant post: the capacity before the position, as under a signature.
    assert "ลงนามร่วมและเสนอ ในฐานะ รักษาการแทน หัวหน้าสำนักปลัด" in text_of(section)
    assert submit_button(section) == "ลงนามร่วมและเสนอ"
    assert chips(section) == [("เห็นชอบ", ""), ("ตรวจสอบแล้ว", ""), ("เรียนเพื่อโปรดพิจารณา", "")]
    for word in ("เห็นชอบและลงนาม", "ไม่อนุมัติ", "อนุมัติ", 'name="approve-decision"'):
        assert word not in section


def test_an_opinion_step_gives_its_opinion(page_as: Any) -> None:
    memo = in_review_memo(2)
    section = my_actions(page_as("nat").get(url(memo)).content.decode())
    assert summaries(section)[0] == "ให้ความเห็นและลงนาม"
    assert submit_button(section) == "ให้ความเห็นและลงนาม"
    assert "เห็นชอบและลงนาม" not in section
    assert "ไม่อนุมัติ" not in section
    assert [text for text, decision in chips(section) if not decision] == [
        "เห็นควรพิจารณา",
        "เห็นควรอนุมัติ",
        "เห็นชอบ",
        "เรียนเพื่อโปรดทราบ",
    ]


def test_the_decision_step_decides_and_its_chips_choose_the_decision(page_as: Any) -> None:
    memo = in_review_memo(3)
    section = my_actions(page_as("yutthana").get(url(memo)).content.decode())
    assert summaries(section)[0] == "สั่งการและลงนาม"
    assert submit_button(section) == "สั่งการและลงนาม"
    assert chips(section) == [("ทราบ", "acknowledged"), ("อนุมัติ", "approved"), ("ไม่อนุมัติ", "not_approved")]
    # Each chip names a radio that is on the page.
    for _text, decision in chips(section):
        assert f'name="approve-decision" value="{decision}"' in section
    assert "หากไม่อนุมัติ ให้เลือกข้อสั่งการ “ไม่อนุมัติ” แล้วลงนาม" in section


def test_an_organisations_own_phrases_replace_the_defaults_of_their_role_only(
    page_as: Any, demo_org: Any
) -> None:
    OpinionPhrase.objects.create(organisation=demo_org, role=StepRole.OPINION, text="เห็นควรมอบกองคลังพิจารณา")
    OpinionPhrase.objects.create(organisation=demo_org, role=StepRole.DECISION, text="อนุมัติ", sort_order=1)
    OpinionPhrase.objects.create(
        organisation=demo_org, role=StepRole.DECISION, text="มอบกองคลังดำเนินการ", sort_order=2
    )
    memo = in_review_memo(2)
    assert chips(my_actions(page_as("nat").get(url(memo)).content.decode())) == [
        ("เห็นควรมอบกองคลังพิจารณา", "")
    ]
    memo = in_review_memo(1, subject="เรื่องที่สอง")
    assert chips(my_actions(page_as("ratchawari").get(url(memo)).content.decode()))[0] == ("เห็นชอบ", "")
    memo = in_review_memo(3, subject="เรื่องที่สาม")
    assert chips(my_actions(page_as("yutthana").get(url(memo)).content.decode())) == [
        ("อนุมัติ", "approved"),
        ("มอบกองคลังดำเนินการ", ""),  # not a decision's word: typed into the opinion box
    ]


def test_each_roles_verbs_in_english(page_as: Any) -> None:
    memo = in_review_memo(1)
    section = my_actions(page_as("ratchawari", "en").get(url(memo)).content.decode())
    assert summaries(section) == ["Co-sign and forward", "Return for revision"]
    approve_active(memo)
    section = my_actions(page_as("nat", "en").get(url(memo)).content.decode())
    assert summaries(section)[0] == "Give your opinion and sign"
    approve_active(memo)
    section = my_actions(page_as("yutthana", "en").get(url(memo)).content.decode())
    assert summaries(section)[0] == "Decide and sign"
    help_text = re.search(r'<p class="helptext">(.*?)</p>', section, re.S)
    assert help_text
    assert not THAI.search(help_text.group(1))


# The message after each action --------------------------------------------------------------------------------


def test_after_submitting_the_writer_is_told_who_has_the_memo_and_in_which_capacity(page_as: Any) -> None:
    """ratchawari signs the first step as caretaker of the vacant หัวหน้าสำนักปลัด: the capacity comes first, as it
    is printed under a signature."""
    memo = _draft()
    response = page_as("rujapa").post(url(memo), {"action": "submit", "submit-password": PW}, follow=True)
    step = active_step(memo)
    assert step.assignee is not None
    assert step.capacity == "รักษาการแทน"
    assert flash(response) == f"ลงนามและเสนอแล้ว ถึง {step.assignee.full_name} (รักษาการแทน หัวหน้าสำนักปลัด)"


def test_after_co_signing_the_signer_is_told_the_next_persons_name_and_position(page_as: Any) -> None:
    memo = in_review_memo(1)
    response = page_as("ratchawari").post(
        url(memo), {"action": "approve", "approve-password": PW, "approve-opinion": "เห็นชอบ"}, follow=True
    )
    step = active_step(memo)
    assert step.assignee is not None
    assert step.assignee.username == "nat"
    assert flash(response) == f"ลงนามแล้ว ส่งบันทึกต่อไปยัง {step.assignee.full_name} ({step.position.title})"


def test_after_signing_a_step_left_for_an_administrator_is_said_so(page_as: Any, position: Any) -> None:
    """ratchawari writes; the decision is หัวหน้าสำนักปลัด, whom she herself is caretaker of: the step waits for an
    administrator, and nat is not told a name that is not there."""
    writer = Person.objects.get(username="ratchawari")
    memo = _draft(writer=writer)
    services.memo_route_set(
        memo=memo,
        actor=writer,
        steps=[
            (position("ปลัดองค์การบริหารส่วนตำบลหนองโสน"), StepRole.OPINION),
            (position("หัวหน้าสำนักปลัด"), StepRole.DECISION),
        ],
    )
    services.memo_submit(memo=memo, actor=writer, password=PW)
    response = page_as("nat").post(
        url(memo), {"action": "approve", "approve-password": PW, "approve-opinion": "เห็นควร"}, follow=True
    )
    assert active_step(memo).assignee is None
    assert flash(response) == "ลงนามแล้ว ขั้นตอนถัดไปรอผู้ดูแลระบบกำหนดผู้ลงนาม"


def test_after_the_decision_the_memo_is_done_not_sent_on(page_as: Any) -> None:
    memo = in_review_memo(3)
    response = page_as("yutthana").post(
        url(memo), {"action": "approve", "approve-password": PW, "approve-decision": "approved"}, follow=True
    )
    assert flash(response) == "เสร็จสิ้น — บันทึกนี้ได้รับการสั่งการแล้ว"
    assert "ขั้นตอนถัดไป" not in response.content.decode()


def test_after_returning_the_signer_is_told_whose_memo_it_is_again(page_as: Any) -> None:
    memo = in_review_memo(2)
    response = page_as("nat").post(
        url(memo), {"action": "return", "return-password": PW, "return-reason": "แก้ไขงบประมาณ"}, follow=True
    )
    assert flash(response) == f"ส่งคืนให้ {memo.writer.full_name} (ผู้เขียน) แก้ไขแล้ว"


def test_the_messages_in_english(page_as: Any) -> None:
    memo = in_review_memo(1)
    response = page_as("ratchawari", "en").post(
        url(memo), {"action": "approve", "approve-password": PW}, follow=True
    )
    step = active_step(memo)
    assert step.assignee is not None
    assert (
        flash(response)
        == f"Signed. The memo has gone on to {step.assignee.full_name} ({step.position.title})."
    )
    approve_active(memo)
    response = page_as("yutthana", "en").post(
        url(memo),
        {"action": "approve", "approve-password": PW, "approve-decision": "acknowledged"},
        follow=True,
    )
    assert flash(response) == "Done — this memo has been decided."


# A field left empty, in the app's own words -------------------------------------------------------------------


def test_a_decision_left_empty_is_asked_for_in_a_thai_sentence_not_codes(page_as: Any) -> None:
    memo = in_review_memo(3)
    html = page_as("yutthana").post(url(memo), {"action": "approve", "approve-password": PW}).content.decode()
    error = field_error(html, "approve-decision")
    assert error == "เลือกข้อสั่งการ: ทราบ อนุมัติ ไม่อนุมัติ หรือข้อสั่งการอื่น"
    assert not re.search(r"[a-z_]", error)
    assert active_step(memo).assignee.username == "yutthana"


def test_a_decision_left_empty_in_english(page_as: Any) -> None:
    memo = in_review_memo(3)
    html = (
        page_as("yutthana", "en")
        .post(url(memo), {"action": "approve", "approve-password": PW})
        .content.decode()
    )
    error = field_error(html, "approve-decision")
    assert error == "Choose your decision: acknowledged, approved, not approved or another order."
    assert "not_approved" not in error
    assert not THAI.search(error)


def test_another_order_left_unwritten_is_asked_for(page_as: Any) -> None:
    memo = in_review_memo(3)
    html = (
        page_as("yutthana")
        .post(url(memo), {"action": "approve", "approve-password": PW, "approve-decision": "other"})
        .content.decode()
    )
    assert field_error(html, "approve-decision_text") == "เขียนข้อสั่งการ เช่น มอบกองคลังดำเนินการ"


def test_an_opinion_left_empty_is_asked_for(page_as: Any) -> None:
    memo = in_review_memo(2)
    html = page_as("nat").post(url(memo), {"action": "approve", "approve-password": PW}).content.decode()
    assert field_error(html, "approve-opinion") == "เขียนความเห็นก่อนลงนาม"
    html = (
        page_as("nat", "en").post(url(memo), {"action": "approve", "approve-password": PW}).content.decode()
    )
    assert field_error(html, "approve-opinion") == "Write your opinion before signing."


@pytest.mark.parametrize(
    ("action", "field", "thai", "english"),
    [
        ("approve", "password", "ใส่รหัสผ่านเพื่อยืนยันการลงนาม", "Enter your password to confirm your signature."),
        ("return", "password", "ใส่รหัสผ่านเพื่อยืนยันการส่งคืน", "Enter your password to confirm the return."),
        (
            "return",
            "reason",
            "เขียนเหตุผลที่ส่งคืน เพื่อให้ผู้เขียนทราบว่าต้องแก้ไขอะไร",
            "Write why the memo goes back, so that the writer knows what to change.",
        ),
        ("reject", "password", "ใส่รหัสผ่านเพื่อยืนยันการยุติเรื่อง", "Enter your password to confirm ending the memo."),
        ("reject", "reason", "เขียนเหตุผลที่ยุติเรื่อง", "Write why the memo ends here."),
    ],
)
def test_a_signatorys_empty_field_is_asked_for_in_the_apps_words(
    page_as: Any, action: str, field: str, thai: str, english: str
) -> None:
    # Ending the memo is offered from the opinion step on; the co-signer's step for the rest.
    at_step, signatory = (2, "nat") if action == "reject" else (1, "ratchawari")
    memo = in_review_memo(at_step)
    for language, expected in (("th", thai), ("en", english)):
        html = page_as(signatory, language).post(url(memo), {"action": action}).content.decode()
        assert field_error(html, f"{action}-{field}") == expected
        assert "ฟิลด์นี้จำเป็น" not in html
        assert "This field is required." not in html
    assert active_step(memo).assignee.username == signatory


def test_the_writers_empty_password_is_asked_for_in_the_apps_words(page_as: Any) -> None:
    memo = _draft()
    html = page_as("rujapa").post(url(memo), {"action": "submit"}).content.decode()
    assert field_error(html, "submit-password") == "ใส่รหัสผ่านเพื่อยืนยันการลงนาม"
    assert "ฟิลด์นี้จำเป็น" not in html


def test_the_write_pages_empty_fields_are_asked_for_in_the_apps_words(page_as: Any) -> None:
    html = page_as("rujapa").post(reverse("memo-new"), {"urgency": "normal"}).content.decode()
    assert field_error(html, "subject") == "ใส่เรื่องของบันทึก"
    assert field_error(html, "body") == "ใส่ข้อความของบันทึก"
    assert "ฟิลด์นี้จำเป็น" not in html


# The date filter -------------------------------------------------------------------------------------------


def test_the_date_filter_is_not_labelled_with_the_memos_addressee(page_as: Any) -> None:
    submitted_memo()
    html = page_as("rujapa").get(reverse("memo-list-mine")).content.decode()
    labels = dict(re.findall(r'<label for="id_(date_from|date_to)"[^>]*>(.*?)</label>', html))
    assert labels == {"date_from": "ลงวันที่ตั้งแต่:", "date_to": "ถึงวันที่:"}
    html = page_as("rujapa", "en").get(reverse("memo-list-mine")).content.decode()
    labels = dict(re.findall(r'<label for="id_(date_from|date_to)"[^>]*>(.*?)</label>', html))
    assert labels == {"date_from": "Dated from:", "date_to": "Dated up to:"}


def test_the_demos_phrases_are_loaded_per_role(page_as: Any, demo_org: Any) -> None:
    """`load_demo` gives the organisation the built-in phrases of each role, which the pages then offer."""
    from django.conf import settings

    services.opinion_phrases_ensure(organisation=demo_org, phrases=dict(settings.MEMOFLOW_OPINION_PHRASES))
    by_role = {
        role: list(OpinionPhrase.objects.filter(role=role).values_list("text", flat=True))
        for role in StepRole.values
    }
    assert by_role == {"writer": [], **settings.MEMOFLOW_OPINION_PHRASES}
    memo = in_review_memo(3)
    assert [d for _t, d in chips(my_actions(page_as("yutthana").get(url(memo)).content.decode()))] == [
        "acknowledged",
        "approved",
        "not_approved",
    ]


@pytest.mark.django_db(transaction=True)
def test_an_organisations_phrases_from_before_roles_keep_their_place() -> None:
    """Migration 0007: the phrases an organisation had become the opinion step's, and the decision's own words
    the decision step's (where they now choose the decision)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("workflow", "0006_services_duty_conflict")], [("workflow", "0007_opinion_phrase_role")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    organisation = apps.get_model("org", "Organisation").objects.create(
        name="องค์การบริหารส่วนตำบลทดสอบ", short_name="อบต.ทดสอบ", document_code="ทส ๐๐๐๑"
    )
    for index, text in enumerate(["เห็นควรพิจารณา", "ทราบ", "อนุมัติ"]):
        apps.get_model("workflow", "OpinionPhrase").objects.create(
            organisation_id=organisation.pk, text=text, sort_order=index
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    try:
        assert dict(OpinionPhrase.objects.values_list("text", "role")) == {
            "เห็นควรพิจารณา": "opinion",
            "ทราบ": "decision",
            "อนุมัติ": "decision",
        }
    finally:  # the later migrations' tables (workflow 0009: the search documents) for the tests that follow
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def visible_text(section: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", section)).split())


@pytest.mark.parametrize(("step", "username"), [(1, "ratchawari"), (2, "nat"), (3, "yutthana")])
def test_the_action_box_has_no_english_in_thai(page_as: Any, step: int, username: str) -> None:
    memo = in_review_memo(step)
    text = visible_text(my_actions(page_as(username).get(url(memo)).content.decode()))
    assert not re.search(r"[A-Za-z]", text), text


@pytest.mark.parametrize(("step", "username"), [(1, "ratchawari"), (2, "nat")])
def test_the_action_box_has_no_thai_in_english_but_the_memos_own_words(
    page_as: Any, step: int, username: str
) -> None:
    """What is left once the position, the capacity and the phrases (the organisation's Thai, typed into a Thai
    memo) are taken out."""
    memo = in_review_memo(step)
    signing = active_step(memo)
    text = visible_text(my_actions(page_as(username, "en").get(url(memo)).content.decode()))
    for data in [signing.position.title, signing.capacity, *settings_phrases(signing.role)]:
        text = text.replace(data, "") if data else text
    assert not THAI.search(text), text


def settings_phrases(role: str) -> list[str]:
    from django.conf import settings

    return list(settings.MEMOFLOW_OPINION_PHRASES[role])
