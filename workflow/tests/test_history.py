"""A memo's history as a page and as a PDF (issue 12, the auditor's pages): every round and step with who acted in
which capacity, the revisions' SHA-256 and what changed between them, the audit events; where people acted from
for auditors and administrators only; 404 for anyone who may not see the memo; the same queries for one round as
for four."""

import io
import unicodedata
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from core.audit import RequestMeta
from memos.models import Memo, MemoRevision
from tests.builders import PW, active_step, approve_active, person, submit, submitted_memo
from workflow import services
from workflow.models import StepState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org", "media_root")]

WHERE = RequestMeta(ip_address="203.0.113.7", user_agent="ProbeBrowser/1.0")
RETURN_REASON = "โปรดแก้ไขวงเงินให้ตรงกับใบเสนอราคา"
OLD_LINE = "วงเงิน ๕,๐๐๐ บาท"
NEW_LINE = "วงเงิน ๔,๕๐๐ บาท"


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def _return_and_resubmit(memo: Memo, *, body: str | None = None) -> Memo:
    """Step 1's signatory returns the memo; the writer edits it (when `body`) and submits it again."""
    step = active_step(memo)
    assert step.assignee is not None
    services.step_return(step=step, actor=step.assignee, password=PW, reason=RETURN_REASON, meta=WHERE)
    memo.refresh_from_db()
    if body is not None:
        services.memo_update(memo=memo, actor=memo.writer, body=body, subject=memo.subject + " (แก้ไข)")
    return submit(memo)


def two_round_memo() -> Memo:
    """Round 1 returned at step 1 (with a reason, from 203.0.113.7); round 2 with a changed body, signed through
    to the decision (ratchawari co-signs as รักษาการแทน หัวหน้าสำนักปลัด)."""
    memo = submitted_memo(body=f"ขออนุมัติจัดซื้อ\n{OLD_LINE}\nจึงเรียนมาเพื่อโปรดพิจารณา")
    memo = _return_and_resubmit(memo, body=f"ขออนุมัติจัดซื้อ\n{NEW_LINE}\nจึงเรียนมาเพื่อโปรดพิจารณา")
    step = active_step(memo)
    assert step.assignee is not None
    services.step_approve(step=step, actor=step.assignee, password=PW, meta=WHERE)
    approve_active(memo)
    approve_active(memo, decision="approved")
    memo.refresh_from_db()
    return memo


def test_the_history_shows_every_round_step_capacity_revision_hash_and_the_diff() -> None:
    memo = two_round_memo()
    html = client_for("auditor").get(f"/memos/{memo.pk}/history/").content.decode()

    assert html.count('data-testid="history-round"') == 2
    revisions = list(MemoRevision.objects.filter(memo=memo).order_by("number"))
    assert len(revisions) == 2
    for revision in revisions:  # each revision's SHA-256
        assert revision.sha256 in html
    # Every step of both rounds (writer + 3 steps, twice), who acted and in which capacity.
    assert html.count('data-testid="history-step"') == 8
    assert "ราชวรี อนุกุล" in html
    assert "รักษาการแทน หัวหน้าสำนักปลัด" in html
    assert "นาฏ วงศ์ทองดี" in html
    assert "ยุทธนา เมืองเล็ก" in html
    assert RETURN_REASON in html
    assert "เห็นควรอนุมัติ" in html  # the opinion
    # What changed between revision 1 and 2: the old line removed, the new one added, the subject too.
    assert f"</span>{OLD_LINE}</del>" in html
    assert f"</span>{NEW_LINE}</ins>" in html
    assert "(แก้ไข)</ins>" in html
    # The audit events, in words.
    assert 'data-testid="history-event"' in html
    assert "memo.submitted" in html
    assert "step.returned" in html


def test_where_people_acted_from_is_for_auditors_and_administrators_only() -> None:
    memo = two_round_memo()
    for username in ("auditor", "admin"):
        html = client_for(username).get(f"/memos/{memo.pk}/history/").content.decode()
        assert "203.0.113.7" in html, username
        assert "ProbeBrowser/1.0" in html, username

    signatory = client_for("ratchawari").get(f"/memos/{memo.pk}/history/")
    assert signatory.status_code == 200
    html = signatory.content.decode()
    assert "ราชวรี อนุกุล" in html  # she sees the history...
    assert "203.0.113.7" not in html
    assert "ProbeBrowser" not in html
    assert 'data-testid="where-hidden"' in html


def test_someone_who_may_not_see_the_memo_gets_404_for_the_page_and_the_pdf() -> None:
    memo = submitted_memo()
    outsider = client_for("finance_staff")
    assert outsider.get(f"/memos/{memo.pk}/history/").status_code == 404
    assert outsider.get(f"/memos/{memo.pk}/history.pdf").status_code == 404
    # ...while the person the memo waits for sees both.
    assert client_for("ratchawari").get(f"/memos/{memo.pk}/history/").status_code == 200


def test_the_memo_page_links_to_its_history() -> None:
    memo = submitted_memo()
    html = client_for("ratchawari").get(f"/memos/{memo.pk}/").content.decode()
    assert f'href="/memos/{memo.pk}/history/"' in html


def _four_round_memo() -> Memo:
    memo = submitted_memo()
    for n in range(3):
        memo = _return_and_resubmit(memo, body=f"ย่อหน้าแรก รอบ {n + 2}\nจึงเรียนมาเพื่อโปรดพิจารณา")
    return memo


def test_the_history_page_takes_the_same_queries_for_one_round_as_for_four(
    django_assert_num_queries: Any,
) -> None:
    one = submitted_memo()
    four = _four_round_memo()
    assert set(MemoRevision.objects.filter(memo=four).values_list("number", flat=True)) == {1, 2, 3, 4}
    client = client_for("auditor")
    client.get(f"/memos/{one.pk}/history/")  # the session and permissions warmed up as for the second
    with django_assert_num_queries(QUERIES) as one_round:
        assert client.get(f"/memos/{one.pk}/history/").status_code == 200
    with django_assert_num_queries(QUERIES) as four_rounds:
        response = client.get(f"/memos/{four.pk}/history/")
    assert response.content.decode().count('data-testid="history-round"') == 4
    assert len(one_round.captured_queries) == len(four_rounds.captured_queries)


#: Session, user, the user's permissions (groups and own), the header's count, the memo, steps, reassignments,
#: revisions, events.
QUERIES = 10


def test_the_history_pdf_holds_the_names_decisions_and_reasons_in_thai() -> None:
    memo = two_round_memo()
    response = client_for("auditor").get(f"/memos/{memo.pk}/history.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = unicodedata.normalize(
        "NFKC", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    )
    for expected in ("รุจภา โฉมประดิษฐ์", "ราชวรี อนุกุล", "ยุทธนา เมืองเล็ก", "อนุมัติ", RETURN_REASON, NEW_LINE):
        assert unicodedata.normalize("NFKC", expected) in text, expected
    assert "รอบที่ ๒" in text  # Thai digits in the document
    assert MemoRevision.objects.get(memo=memo, number=2).sha256 in text.replace("\n", "")
    assert "203.0.113.7" in text  # the auditor's copy says where people acted from


def test_the_history_pdf_of_a_plain_signatory_leaves_out_where() -> None:
    memo = two_round_memo()
    response = client_for("ratchawari").get(f"/memos/{memo.pk}/history.pdf")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "203.0.113.7" not in text


def test_a_step_still_waiting_is_in_the_history() -> None:
    memo = submitted_memo()
    html = client_for("auditor").get(f"/memos/{memo.pk}/history/").content.decode()
    assert 'class="s-' + StepState.ACTIVE + '"' in html
    assert person("ratchawari").full_name in html


def test_a_reassignment_shows_who_moved_the_step_to_whom_and_why() -> None:
    memo = submitted_memo()
    step = active_step(memo)
    services.step_reassign(
        step=step,
        actor=person("admin"),
        assignee=person("finance_head"),
        reason="ผู้รักษาการแทนลาพักร้อน",
        capacity="รักษาราชการแทน",
    )
    html = client_for("auditor").get(f"/memos/{memo.pk}/history/").content.decode()
    moved = html.split('data-testid="reassignment"', 1)[1].split("</div>", 1)[0]
    assert "ผู้รักษาการแทนลาพักร้อน" in moved
    assert person("ratchawari").full_name in moved
    assert person("finance_head").full_name in moved
    assert "รักษาราชการแทน หัวหน้าสำนักปลัด" in html  # the capacity the new assignee signs in


def test_who_opened_the_files_and_whose_signing_was_refused_are_for_auditors_only() -> None:
    """The downloads and refused signings of a memo (core.audit_labels.AUDITOR_ONLY_ACTIONS) are in the
    auditor's history, page and PDF, and in no colleague's: the API already left them out."""
    from core.audit import audit_event_append

    memo = two_round_memo()
    audit_event_append(action="memo.downloaded", obj=memo, actor=person("ratchawari"), data={"file": "pdf"})
    audit_event_append(
        action="signing.failed", obj=memo, actor=person("ratchawari"), data={"code": "bad_password"}
    )
    downloaded, refused = "เปิดดูหรือดาวน์โหลดไฟล์ของบันทึกข้อความ", "ลงนามไม่สำเร็จ"
    auditor = client_for("auditor").get(f"/memos/{memo.pk}/history/").content.decode()
    colleague = client_for("ratchawari").get(f"/memos/{memo.pk}/history/").content.decode()
    assert downloaded in auditor
    assert refused in auditor
    assert downloaded not in colleague
    assert refused not in colleague
    pdf = client_for("ratchawari").get(f"/memos/{memo.pk}/history.pdf").content
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert refused not in text
