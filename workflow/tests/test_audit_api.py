"""`GET /api/v1/audit/` (issue 12): auditors and administrators only (403 `forbidden` for anyone else), filtered
like the audit search page, cursor-paginated with the same queries for 2 events as for 30, documented in the
OpenAPI schema."""

from typing import Any

import pytest

from core import thai
from core.models import AuditEvent
from tests.builders import submitted_memo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org", "media_root")]


def test_a_plain_user_is_refused_with_403(api_as: Any) -> None:
    submitted_memo()
    for username in ("rujapa", "ratchawari"):
        response = api_as(username).get("/api/v1/audit/")
        assert response.status_code == 403, username
        assert response.json()["code"] == "forbidden"
    assert api_as("auditor").get("/api/v1/audit/").status_code == 200
    assert api_as("admin").get("/api/v1/audit/").status_code == 200


def test_the_events_carry_their_chain_and_where_they_came_from(api_as: Any) -> None:
    memo = submitted_memo()
    body = api_as("auditor").get("/api/v1/audit/", {"memo": memo.number}).json()
    events = body["results"]
    assert [e["action"] for e in events] == ["memo.submitted", "memo.created"]  # newest first
    submitted = events[0]
    stored = AuditEvent.objects.get(sequence=submitted["sequence"])
    assert submitted["hash"] == stored.hash
    assert submitted["prev_hash"] == stored.prev_hash
    assert submitted["object"] == {"type": "memos.memo", "id": str(memo.pk)}
    assert submitted["actor"]["username"] == "rujapa"
    assert submitted["label"] == "ลงนามและเสนอบันทึก"
    assert "ip" in submitted


def test_each_filter_narrows_the_answer(api_as: Any) -> None:
    memo = submitted_memo()
    submitted_memo(writer="finance_staff")
    client = api_as("auditor")

    def seqs(**params: str) -> set[int]:
        return {
            e["sequence"]
            for e in client.get("/api/v1/audit/", {"page_size": 200, **params}).json()["results"]
        }

    everything = seqs()
    assert seqs(memo=thai.arabic_digits(memo.number)) == set(
        AuditEvent.objects.filter(object_id=str(memo.pk)).values_list("sequence", flat=True)
    )
    assert seqs(actor="finance_staff") == set(
        AuditEvent.objects.filter(actor__username="finance_staff").values_list("sequence", flat=True)
    )
    assert seqs(action="memo.submitted") == set(
        AuditEvent.objects.filter(action="memo.submitted").values_list("sequence", flat=True)
    )
    assert len(seqs(action="memo.submitted")) == 2
    today = thai.bangkok_now().date()
    assert seqs(**{"from": f"{thai.be_year(today.year)}-{today.month:02d}-{today.day:02d}"}) == everything
    assert seqs(to=f"1/1/{thai.be_year(today.year) - 1}") == set()


def test_bad_filters_are_a_400_in_thai_and_english(api_as: Any) -> None:
    client = api_as("auditor")
    response = client.get("/api/v1/audit/", {"from": "not a day"})
    assert response.status_code == 400
    assert "from" in response.json()["fields"]
    assert "ไม่ใช่วันที่" in response.json()["fields"]["from"][0]
    response = client.get("/api/v1/audit/", {"action": "nothing.happened"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["fields"]["action"] == ["Not an event code."]
    response = client.get("/api/v1/audit/", {"from": "2026-12-02", "to": "2026-12-01"})
    assert response.status_code == 400


def test_the_same_queries_for_2_events_as_for_30(api_as: Any, django_assert_num_queries: Any) -> None:
    client = api_as("auditor")
    submitted_memo()
    client.get("/api/v1/audit/")
    with django_assert_num_queries(API_QUERIES):
        few = client.get("/api/v1/audit/", {"actor": "rujapa"}).json()["results"]
    assert len(few) == 2
    for _ in range(14):
        submitted_memo()
    with django_assert_num_queries(API_QUERIES):
        body = client.get("/api/v1/audit/", {"actor": "rujapa", "page_size": 20}).json()
    assert len(body["results"]) == 20
    with django_assert_num_queries(API_QUERIES):  # the next page, by its cursor
        older = client.get(body["next"]).json()
    assert len(older["results"]) == 10
    assert older["next"] is None
    assert min(e["sequence"] for e in body["results"]) > max(e["sequence"] for e in older["results"])


#: The token (with its person), the person's permissions (own and groups'), whether the `actor` filter names too
#: many people, the people it names, the page of events with their actors.
API_QUERIES = 6


def test_the_endpoint_is_in_the_openapi_schema(client: Any) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/audit/" in schema
    assert "prev_hash" in schema
