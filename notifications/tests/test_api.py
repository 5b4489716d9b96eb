"""API v1: the caller's own notifications, newest first (`?unread=1`), marking one or all read, the unread count;
another person's notification is 404; the schema documents every operation."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from notifications.models import Kind, Notification
from notifications.services import notify
from org.models import Person
from tests.builders import submitted_memo

pytestmark = pytest.mark.django_db


def tell(memo: Any, username: str, reason: str) -> Notification:
    (row,) = notify(
        kind=Kind.RETURNED,
        memo=memo,
        recipients=[Person.objects.get(username=username).pk],
        actor=Person.objects.get(username="nat"),
        reason=reason,
        position="ปลัด",
    )
    return row


def test_my_notifications_newest_first_and_only_the_unread(api_as: Callable[[str], APIClient]) -> None:
    memo = submitted_memo()
    older = tell(memo, "rujapa", "แรก")
    newer = tell(memo, "rujapa", "หลัง")
    tell(memo, "ratchawari", "ของคนอื่น")
    client = api_as("rujapa")
    body = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="th").json()
    assert set(body) == {"next", "previous", "results"}  # no count
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    first = body["results"][0]
    assert first["kind"] == "memo.returned"
    assert first["title"] == "บันทึกข้อความของท่านถูกส่งคืนแก้ไข"
    assert first["text"].endswith("เหตุผล: หลัง")
    assert first["memo"] == {
        "id": str(memo.pk),
        "number": memo.number,
        "subject": memo.subject,
        "urgency": "normal",
    }
    assert first["actor"] == "nat"
    assert first["read_at"] is None
    english = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert english["text"].endswith("Reason: หลัง")

    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    read = client.post(f"/api/v1/notifications/{older.pk}/read/")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert [n["id"] for n in client.get("/api/v1/notifications/?unread=1").json()["results"]] == [newer.pk]
    assert len(client.get("/api/v1/notifications/?unread=0").json()["results"]) == 2
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert client.get("/api/v1/notifications/?unread=perhaps").status_code == 400
    assert client.post("/api/v1/notifications/read-all/").json() == {"unread": 0}
    assert client.get("/api/v1/notifications/?unread=1").json()["results"] == []


def test_another_persons_notification_is_404_and_stays_unread(api_as: Callable[[str], APIClient]) -> None:
    memo = submitted_memo()
    theirs = tell(memo, "ratchawari", "ส่วนตัว")
    response = api_as("rujapa").post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api_as("rujapa").post("/api/v1/notifications/999999/read/").status_code == 404


def test_the_api_needs_credentials(demo_org: Any) -> None:
    for url in ("/api/v1/notifications/", "/api/v1/notifications/unread-count/"):
        assert APIClient().get(url).status_code == 401


def test_the_list_costs_the_same_for_2_or_50(api_as: Callable[[str], APIClient]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    memo = submitted_memo()
    client = api_as("rujapa")
    for i in range(2):
        tell(memo, "rujapa", f"{i}")
    client.get("/api/v1/notifications/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/notifications/")
    for i in range(48):
        tell(memo, "rujapa", f"{i}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/notifications/").json()["results"]) == 50
    assert len(many) == len(few)


def test_the_schema_has_the_notification_operations(api_as: Callable[[str], APIClient]) -> None:
    submitted_memo()
    paths = api_as("rujapa").get("/api/schema/?format=json").json()["paths"]
    assert "get" in paths["/api/v1/notifications/"]
    assert [p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]] == ["page", "unread"]
    assert "post" in paths["/api/v1/notifications/{notification_id}/read/"]
    assert "get" in paths["/api/v1/notifications/unread-count/"]
    assert "post" in paths["/api/v1/notifications/read-all/"]
