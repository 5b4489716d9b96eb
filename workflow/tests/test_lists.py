"""The lists and the search (issue 12): only memos the reader may see, from search as from every list (pages and
API); Thai and Arabic digits find each other; a Thai word inside a compound is found; the search document
follows edits and opinions; the outcome shows in every list and on the memo page; each list's queries are
constant and counted exactly, and no list counts its rows (a page reads one row more).

Demo route: rujapa writes; ratchawari co-signs, nat gives an opinion, yutthana decides. finance_staff is on no
route; auditor holds org.audit_memos."""

from collections.abc import Callable
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.pagination import WindowPagination
from memos.models import Memo
from org.demo import DEMO_PASSWORD
from tests.builders import active_step, approve_active, draft_memo, submit, submitted_memo
from workflow import lists, services
from workflow.models import MemoSearch

pytestmark = pytest.mark.django_db

OUTSIDER = "finance_staff"
SECRET = "การประชุมสภาองค์การบริหารส่วนตำบลหนองโสน สมัยสามัญ"


@pytest.fixture
def login(demo_org: Any) -> Callable[[str], Client]:
    def make(username: str) -> Client:
        client = Client()
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
        return client

    return make


def found(client: APIClient, q: str) -> list[str]:
    response = client.get("/api/v1/search/", {"q": q})
    assert response.status_code == 200, response.content
    return [item["subject"] for item in response.json()["results"]]


# Visibility -------------------------------------------------------------------------------------------------


def test_search_never_shows_a_memo_to_someone_who_may_not_see_it(
    demo_org: Any, api_as: Callable[[str], APIClient], login: Callable[[str], Client]
) -> None:
    memo = submitted_memo(subject=SECRET)
    for username in ("rujapa", "ratchawari", "auditor"):
        assert found(api_as(username), "ประชุมสภา") == [SECRET], username
    outsider = api_as(OUTSIDER)
    assert found(outsider, "ประชุมสภา") == []
    for box in ("all", "authored", "done"):
        response = outsider.get("/api/v1/memos/", {"box": box, "q": "ประชุมสภา"})
        assert response.json()["results"] == [], box
        assert outsider.get("/api/v1/memos/", {"box": box}).json()["results"] == [], box
    page = login(OUTSIDER)
    for name in ("memo-list-all", "memo-list-mine", "memo-list-done"):
        html = page.get(reverse(name), {"q": "ประชุมสภา"}).content.decode()
        assert SECRET not in html, name
        assert SECRET not in page.get(reverse(name)).content.decode(), name
    assert page.get(reverse("memo-page", args=[memo.pk])).status_code == 404


def test_a_person_moved_off_a_step_still_finds_the_memo(demo_org: Any, api_as: Any, person: Any) -> None:
    memo = submitted_memo(subject=SECRET)
    services.step_reassign(
        step=active_step(memo), actor=person("admin"), assignee=person("finance_head"), reason="ลาป่วย"
    )
    assert found(api_as("ratchawari"), "ประชุมสภา") == [SECRET]  # moved away, keeps read access
    assert found(api_as("finance_head"), "ประชุมสภา") == [SECRET]
    assert found(api_as(OUTSIDER), "ประชุมสภา") == []


@pytest.mark.parametrize("dense", [1, 1000], ids=["walked", "gathered"])
def test_both_forms_of_visibility_show_the_same_memos(
    demo_org: Any, api_as: Any, person: Any, monkeypatch: pytest.MonkeyPatch, dense: int
) -> None:
    """lists.visible_for_list walks the memo table for someone on many routes, gathers a union otherwise:
    both show exactly what memos_visible_to allows."""
    monkeypatch.setattr(lists, "DENSE_STEPS", dense)
    moved = submitted_memo(subject="ประชุมสภาครั้งที่หนึ่ง")
    submitted_memo(subject="ประชุมสภาครั้งที่สอง")
    services.step_reassign(
        step=active_step(moved), actor=person("admin"), assignee=person("finance_head"), reason="ลาป่วย"
    )
    expected = {
        "ratchawari": ["ประชุมสภาครั้งที่สอง", "ประชุมสภาครั้งที่หนึ่ง"],  # on one, moved off the other
        "finance_head": ["ประชุมสภาครั้งที่หนึ่ง"],
        OUTSIDER: [],
        "auditor": ["ประชุมสภาครั้งที่สอง", "ประชุมสภาครั้งที่หนึ่ง"],
    }
    for username, subjects in expected.items():
        client = api_as(username)
        assert found(client, "ประชุมสภา") == subjects, username
        listed = [i["subject"] for i in client.get("/api/v1/memos/", {"box": "all"}).json()["results"]]
        assert listed == subjects, username


# What the search finds --------------------------------------------------------------------------------------


def test_thai_and_arabic_digits_find_each_other(demo_org: Any, api_as: Any) -> None:
    submitted_memo(subject="ตอบหนังสือที่ ๓๒๘๐๑/๑ เรื่องงบประมาณ")
    submitted_memo(subject="ตอบหนังสือที่ 45602/7 เรื่องถนน")
    client = api_as("rujapa")
    assert found(client, "32801/1") == ["ตอบหนังสือที่ ๓๒๘๐๑/๑ เรื่องงบประมาณ"]
    assert found(client, "๔๕๖๐๒/๗") == ["ตอบหนังสือที่ 45602/7 เรื่องถนน"]
    assert found(client, "99999") == []


def test_the_memo_number_is_found_in_either_digits(demo_org: Any, api_as: Any) -> None:
    memo = submitted_memo(subject="ขอซ่อมเครื่องพิมพ์")
    assert memo.number  # written with Thai digits
    arabic = memo.number.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    assert arabic != memo.number
    client = api_as("rujapa")
    assert found(client, arabic) == ["ขอซ่อมเครื่องพิมพ์"]
    assert found(client, memo.number) == ["ขอซ่อมเครื่องพิมพ์"]


def test_a_running_number_finds_that_memo_not_every_longer_number(demo_org: Any, api_as: Any) -> None:
    """A number typed as "code/running number" finds the memo with exactly that running number, found through
    the register's index, not the documents: ".../1" is not also ".../10" to ".../19". Typed with or without the
    code's letters, in either digits; a number nobody has is searched in the documents' text instead."""
    memos = [submitted_memo(subject=f"เรื่องที่ {n}") for n in range(1, 12)]
    first = memos[0]
    assert first.number.endswith("/๑")
    arabic = first.number.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    code_digits = arabic.split("/")[0].split()[-1]
    client = api_as("rujapa")
    assert found(client, f"{code_digits}/1") == ["เรื่องที่ 1"]  # not เรื่องที่ 10, 11
    assert found(client, first.number) == ["เรื่องที่ 1"]
    assert found(client, "/11") == ["เรื่องที่ 11"]
    assert found(client, f"{code_digits}/99") == []
    # No memo has running number 2566 in a register whose code holds 210: the text is searched instead.
    submitted_memo(subject="ตามคำสั่ง ๒๑๐/๒๕๖๖ เรื่องแต่งตั้งคณะกรรมการ")
    assert found(client, "210/2566") == ["ตามคำสั่ง ๒๑๐/๒๕๖๖ เรื่องแต่งตั้งคณะกรรมการ"]


def test_a_running_number_search_reads_no_search_document(demo_org: Any, api_as: Any) -> None:
    """The number path is the guard against the trigram index's slow answer for short numbers: it must not
    touch the search documents when a memo has the number."""
    memo = submitted_memo(subject="ขอซ่อมเครื่องพิมพ์")
    client = api_as("rujapa")
    with CaptureQueriesContext(connection) as queries:
        assert found(client, memo.number) == ["ขอซ่อมเครื่องพิมพ์"]
    assert not [q for q in queries.captured_queries if MemoSearch._meta.db_table in q["sql"]]


@pytest.mark.parametrize(("word", "text"), [("ประชุม", "การประชุมสภา"), ("โสน", "ตำบลหนองโสน")])
def test_a_thai_word_inside_a_compound_is_found(demo_org: Any, api_as: Any, word: str, text: str) -> None:
    submitted_memo(subject=f"เรื่อง{text}", body="จึงเรียนมาเพื่อโปรดทราบ")
    submitted_memo(subject="ขอซ่อมถนน", body="จึงเรียนมาเพื่อโปรดพิจารณา")
    assert found(api_as("rujapa"), word) == [f"เรื่อง{text}"]


@pytest.mark.parametrize(
    "body",
    [
        "ขอเชิญประชุม\nสภาองค์การบริหารส่วนตำบล",  # a line break in the body
        "ขอเชิญประชุม\r\n\r\nสภาองค์การบริหารส่วนตำบล",  # a blank line, as a browser's form sends it
        "ขอเชิญประชุม  \t สภาองค์การบริหารส่วนตำบล",  # spaces and a tab
        "ขอเชิญประชุม\u00a0สภาองค์การบริหารส่วนตำบล",  # a no-break space pasted from a word processor
    ],
    ids=["line-break", "blank-line", "spaces-and-tab", "no-break-space"],
)
def test_words_on_either_side_of_a_line_break_are_found_as_typed_with_one_space(
    demo_org: Any, api_as: Any, body: str
) -> None:
    submitted_memo(subject="ขอเชิญประชุม", body=body)
    client = api_as("rujapa")
    assert found(client, "ประชุม สภา") == ["ขอเชิญประชุม"]
    assert found(client, "ประชุม\n  สภาองค์การ") == ["ขอเชิญประชุม"]  # the box's text, however it is spaced


def test_documents_written_before_white_space_was_collapsed_are_rewritten(demo_org: Any, api_as: Any) -> None:
    """Migration workflow 0012: a document as the earlier code wrote it (line breaks kept) is found again."""
    memo = submitted_memo(subject="ขอเชิญประชุม", body="ขอเชิญประชุม\nสภา")
    untouched = submitted_memo(subject="ขอซ่อมถนน", body="จึงเรียนมาเพื่อโปรดพิจารณา")
    MemoSearch.objects.filter(memo=memo).update(document="ขอเชิญประชุม ขอเชิญประชุม\r\n\r\nสภา  รุจภา")
    client = api_as("rujapa")
    assert found(client, "ประชุม สภา") == []
    before = MemoSearch.objects.get(memo=untouched).document
    import_module("workflow.migrations.0012_search_document_white_space").collapse(django_apps, None)
    assert MemoSearch.objects.get(memo=memo).document == "ขอเชิญประชุม ขอเชิญประชุม สภา รุจภา"
    assert MemoSearch.objects.get(memo=untouched).document == before
    assert found(client, "ประชุม สภา") == ["ขอเชิญประชุม"]


def test_the_writer_and_signatories_names_and_opinions_are_found(demo_org: Any, api_as: Any) -> None:
    memo = submitted_memo(subject="ขอซ่อมถนน")
    approve_active(memo)
    client = api_as("nat")
    assert found(client, "โฉมประดิษฐ์") == ["ขอซ่อมถนน"]  # the writer, รุจภา โฉมประดิษฐ์
    assert found(client, "ราชวรี") == ["ขอซ่อมถนน"]  # who co-signed
    assert found(client, "วงศ์ทองดี") == ["ขอซ่อมถนน"]  # nat, who has the step now
    approve_active(memo, opinion="เห็นควรจ้างเหมาผู้รับเหมาในพื้นที่")
    assert found(client, "ผู้รับเหมาในพื้นที่") == ["ขอซ่อมถนน"]


def test_the_search_document_follows_an_edit_and_an_approve(demo_org: Any, api_as: Any, person: Any) -> None:
    memo = draft_memo(subject="ขอซ่อมถนน")
    client = api_as("rujapa")
    assert found(client, "ซ่อมถนน") == ["ขอซ่อมถนน"]
    services.memo_update(memo=memo, actor=person("rujapa"), subject="ขอซ่อมสะพาน")
    assert found(client, "ซ่อมถนน") == []
    assert found(client, "ซ่อมสะพาน") == ["ขอซ่อมสะพาน"]
    submit(memo)
    approve_active(memo)
    approve_active(memo, opinion="เห็นควรอนุมัติ ใช้งบกลาง ๒๐,๐๐๐ บาท")
    assert found(client, "งบกลาง 20,000") == ["ขอซ่อมสะพาน"]
    document = MemoSearch.objects.get(memo=memo).document
    assert "งบกลาง 20,000 บาท" in document
    assert "ซ่อมถนน" not in document


def test_a_term_shorter_than_three_characters_is_bad_input(demo_org: Any, api_as: Any, login: Any) -> None:
    submitted_memo(subject="ขอซ่อมถนน")
    client = api_as("rujapa")
    for query in ("ขอ", "", "  ๑ "):
        response = client.get("/api/v1/search/", {"q": query}, HTTP_ACCEPT_LANGUAGE="th")
        assert response.status_code == 400, query
        assert response.json()["fields"]["q"] == ["พิมพ์อย่างน้อย 3 ตัวอักษรเพื่อค้นหา เช่น ๓๒๘ หรือ ประชุม"]
    english = client.get("/api/v1/memos/", {"q": "ขอ"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.json()["fields"]["q"] == [
        "Type at least 3 characters to search, for example ๓๒๘ or ประชุม."
    ]
    html = login("rujapa").get(reverse("memo-list-mine"), {"q": "ขอ"}).content.decode()
    assert "พิมพ์อย่างน้อย 3 ตัวอักษรเพื่อค้นหา" in html


# The outcome ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "thai"), [("approved", "อนุมัติ"), ("not_approved", "ไม่อนุมัติ"), ("acknowledged", "ทราบ")]
)
def test_the_outcome_shows_in_every_list_and_on_the_memo_page(
    demo_org: Any, api_as: Any, login: Any, decision: str, thai: str
) -> None:
    memo = submitted_memo(subject="ขอซ่อมถนน")
    while memo.steps.filter(state="active").exists():
        approve_active(memo, decision=decision)
    submitted_memo(subject="ขอซ่อมสะพาน")  # undecided
    client = api_as("yutthana")
    outcomes = {
        item["subject"]: item["outcome"] for item in client.get("/api/v1/memos/?box=done").json()["results"]
    }
    assert outcomes == {"ขอซ่อมถนน": decision}
    assert [i["outcome"] for i in api_as("rujapa").get("/api/v1/memos/?box=authored").json()["results"]] == [
        None,
        decision,
    ]
    assert [i["outcome"] for i in client.get("/api/v1/search/?q=ซ่อมถนน").json()["results"]] == [decision]
    expected = f'data-testid="outcome">{thai}</span>'
    assert expected in login("yutthana").get(reverse("memo-list-done")).content.decode()
    assert expected in login("rujapa").get(reverse("memo-list-mine")).content.decode()
    assert expected in login("rujapa").get(reverse("memo-page", args=[memo.pk])).content.decode()
    other = login("rujapa").get(reverse("memo-page", args=[memo.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="outcome">' in other.content.decode()
    undecided = Memo.objects.get(subject="ขอซ่อมสะพาน")
    assert (
        'data-testid="outcome"'
        not in login("rujapa").get(reverse("memo-page", args=[undecided.pk])).content.decode()
    )


def test_a_task_carries_its_memos_outcome_none_while_waiting(demo_org: Any, api_as: Any) -> None:
    submitted_memo()
    (task,) = api_as("ratchawari").get("/api/v1/tasks/").json()["results"]
    assert task["outcome"] is None


# Pagination without COUNT -----------------------------------------------------------------------------------


def _no_count(queries: CaptureQueriesContext) -> None:
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert [sql for sql in counted if "may_write" not in sql] == []  # the header counts only my waiting tasks


def test_the_list_pages_reach_page_two_without_counting(demo_org: Any, login: Any) -> None:
    for index in range(26):
        submitted_memo(subject=f"เรื่องที่ {index + 1:02d}")
    mine = login("rujapa")
    with CaptureQueriesContext(connection) as queries:
        first = mine.get(reverse("memo-list-mine")).content.decode()
    _no_count(queries)
    assert "เรื่องที่ 26" in first
    assert "เรื่องที่ 02" in first
    assert "เรื่องที่ 01" not in first
    assert 'href="?page=2" rel="next"' in first
    second = mine.get(reverse("memo-list-mine"), {"page": 2}).content.decode()
    assert "เรื่องที่ 01" in second
    assert "เรื่องที่ 02" not in second
    assert 'rel="next"' not in second
    assert 'href="?page=1" rel="prev"' in second
    tasks = login("ratchawari")
    with CaptureQueriesContext(connection) as queries:
        first = tasks.get(reverse("home")).content.decode()
    _no_count(queries)
    assert first.count('class="row"') == 25
    assert 'href="?page=2" rel="next"' in first
    second = tasks.get(reverse("home"), {"page": 2}).content.decode()
    assert second.count('class="row"') == 1
    assert "เรื่องที่ 26" in second


@pytest.mark.parametrize(
    ("path", "params"),
    [("/api/v1/tasks/", {}), ("/api/v1/memos/", {"box": "all"}), ("/api/v1/search/", {"q": "เรื่องที่"})],
)
def test_the_api_lists_reach_page_two_without_counting(
    demo_org: Any, api_as: Any, monkeypatch: pytest.MonkeyPatch, path: str, params: dict[str, str]
) -> None:
    monkeypatch.setattr(WindowPagination, "page_size", 2)
    for index in range(3):
        submitted_memo(subject=f"เรื่องที่ {index + 1}")
    client = api_as("ratchawari")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(path, params).json()
    _no_count(queries)
    assert set(first) == {"next", "previous", "results"}
    assert len(first["results"]) == 2
    assert first["previous"] is None
    response = client.get(first["next"])
    assert response.status_code == 200, (first["next"], response.content)
    second = response.json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert second["previous"]
    subjects = {i.get("subject") or i["memo"]["subject"] for i in first["results"] + second["results"]}
    assert subjects == {"เรื่องที่ 1", "เรื่องที่ 2", "เรื่องที่ 3"}
    assert client.get(path, {**params, "page": 3}).status_code == 404
    assert client.get(path, {**params, "page": "x"}).status_code == 404
    assert client.get(path, {**params, "page": str(10**18)}).status_code == 404  # not an overflow (500)


# Exact query counts, 2 rows and many ------------------------------------------------------------------------

# API: token + the page (one row more; the outcome, and the return of a task, as subqueries of it) + the
# prefetch of the memos' active steps (memo lists); box=all and search: + the person's own and group
# permissions (administrator? auditor?) + whether they are on many routes (lists.visible_for_list).
API_QUERIES = {
    "/api/v1/tasks/": 2,
    "/api/v1/memos/?box=authored": 3,
    "/api/v1/memos/?box=done": 3,
    "/api/v1/memos/?box=all": 6,
    "/api/v1/memos/?box=all&q=%E0%B9%80%E0%B8%A3%E0%B8%B7%E0%B9%88%E0%B8%AD%E0%B8%87": 6,  # q=เรื่อง
    "/api/v1/search/?q=%E0%B9%80%E0%B8%A3%E0%B8%B7%E0%B9%88%E0%B8%AD%E0%B8%87": 6,
}
# Pages: session + user + the header (task count, may write) + the page (+ prefetch) (+ permissions for all).
PAGE_QUERIES = {"home": 4, "memo-list-mine": 5, "memo-list-done": 5, "memo-list-all": 8}


@pytest.fixture(params=[2, 27], ids=["2-memos", "27-memos"])
def memos_done_by_ratchawari(request: pytest.FixtureRequest, demo_org: Any) -> int:
    count: int = request.param
    for index in range(count):
        memo = submitted_memo(subject=f"เรื่องที่ {index + 1}")
        approve_active(memo)  # ratchawari co-signs: done by her, and a task for nat
        submitted_memo(subject=f"เรื่องที่ {index + 1} ฉบับสอง")  # a task for ratchawari
    return count


@pytest.mark.parametrize("path", list(API_QUERIES))
def test_api_list_queries_do_not_grow(
    memos_done_by_ratchawari: int, api_as: Any, django_assert_num_queries: Any, path: str
) -> None:
    username = "rujapa" if "authored" in path else "ratchawari"
    client = api_as(username)
    with django_assert_num_queries(API_QUERIES[path]):
        response = client.get(path)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= memos_done_by_ratchawari


@pytest.mark.parametrize("name", list(PAGE_QUERIES))
def test_list_page_queries_do_not_grow(
    memos_done_by_ratchawari: int, login: Any, django_assert_num_queries: Any, name: str
) -> None:
    client = login("rujapa" if name == "memo-list-mine" else "ratchawari")
    with django_assert_num_queries(PAGE_QUERIES[name]):
        response = client.get(reverse(name))
    assert response.status_code == 200
    rows = response.content.decode().count('class="row"')
    assert rows == min(25, memos_done_by_ratchawari * (1 if name in ("home", "memo-list-done") else 2))


def test_memos_inserted_around_the_services_get_their_document(demo_org: Any, api_as: Any) -> None:
    """For a load generator or an import: memo_search_fill_missing writes what the services would have."""
    from workflow.search import memo_search_fill_missing

    memo = submitted_memo(subject="ขอเชิญประชุมสภา")
    written = MemoSearch.objects.get(memo=memo).document
    MemoSearch.objects.filter(memo=memo).delete()
    assert found(api_as("rujapa"), "ประชุมสภา") == []
    assert memo_search_fill_missing() == 1
    assert MemoSearch.objects.get(memo=memo).document == written
    assert found(api_as("rujapa"), "ประชุมสภา") == ["ขอเชิญประชุมสภา"]
    assert memo_search_fill_missing() == 0
