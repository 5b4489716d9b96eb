"""The bell and the notification pages: the count on every signed-in page at no query more, the list (own,
newest first, unread marked, paged without a count), marking read (one, by opening it, all; with and without
htmx), another person's notifications answering 404, and the settings page."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memos.models import Memo
from notifications.models import Channel, Kind, Mode, Notification, Preference
from notifications.services import notify
from org.demo import DEMO_PASSWORD
from org.models import Person
from tests.builders import submitted_memo

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(demo_org: Any) -> Callable[[str], Client]:
    def make(username: str) -> Client:
        client = Client()
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
        return client

    return make


def tell(memo: Memo, username: str, count: int = 1, **params: Any) -> list[Notification]:
    recipient = Person.objects.get(username=username)
    rows: list[Notification] = []
    for i in range(count):
        rows += notify(
            kind=Kind.RETURNED,
            memo=memo,
            recipients=[recipient.pk],
            actor=Person.objects.get(username="nat"),
            reason=params.get("reason", f"เหตุผลที่ {i}"),
            position="ปลัดองค์การบริหารส่วนตำบลหนองโสน",
        )
    return rows


def queries(client: Client, url: str) -> int:
    client.get(url)  # the session's first read and any cache warmed
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_bell_shows_the_unread_count_on_every_signed_in_page(login: Any) -> None:
    memo = submitted_memo()
    tell(memo, "rujapa", 3)
    client = login("rujapa")
    for url in ("/", "/memos/", "/profile/", f"/memos/{memo.pk}/"):
        html = client.get(url).content.decode()
        assert 'data-testid="bell"' in html, url
        assert 'data-testid="bell-count">๓</span>' in html, url  # Thai digits in Thai
        assert 'aria-label="การแจ้งเตือน: ยังไม่อ่าน ๓ รายการ"' in html
    assert 'data-testid="bell"' not in Client().get("/accounts/login/").content.decode()


@pytest.mark.parametrize("url", ["/", "/notifications/"])
def test_the_query_count_does_not_grow_with_the_notifications(login: Any, url: str) -> None:
    memo = submitted_memo()
    client = login("rujapa")
    tell(memo, "rujapa", 2)
    few = queries(client, url)
    tell(memo, "rujapa", 48)
    assert queries(client, url) == few
    html = client.get(url).content.decode()
    assert 'data-testid="bell-count">๕๐</span>' in html


def test_the_list_has_only_my_own_newest_first_unread_marked_each_linking_to_its_memo(login: Any) -> None:
    memo = submitted_memo()
    first, second = tell(memo, "rujapa", 2)
    other = tell(memo, "ratchawari", reason="ของคนอื่น")
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())
    html = login("rujapa").get("/notifications/").content.decode()
    assert html.count('data-testid="notification"') == 2
    assert html.index("เหตุผลที่ 1") < html.index("เหตุผลที่ 0")  # newest first
    assert html.count("data-unread") == 1  # the newest; the older is read
    assert f'href="/notifications/{second.pk}/"' in html
    assert "ของคนอื่น" not in html
    assert other


def test_the_list_pages_without_counting(login: Any) -> None:
    memo = submitted_memo()
    tell(memo, "rujapa", 21)
    client = login("rujapa")
    with CaptureQueriesContext(connection) as captured:
        page1 = client.get("/notifications/").content.decode()
    list_queries = [q["sql"] for q in captured if 'FROM "notifications_notification"' in q["sql"]]
    assert all("LIMIT 21" in sql for sql in list_queries if "COUNT" not in sql.upper())
    assert page1.count('data-testid="notification"') == 20
    assert 'rel="next"' in page1
    page2 = client.get("/notifications/?page=2").content.decode()
    assert page2.count('data-testid="notification"') == 1
    assert 'rel="next"' not in page2
    assert client.get("/notifications/?page=x").status_code == 404


def test_opening_one_marks_it_read_and_goes_to_the_memo(login: Any) -> None:
    memo = submitted_memo()
    (row,) = tell(memo, "rujapa")
    response = login("rujapa").get(f"/notifications/{row.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/memos/{memo.pk}/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_marking_one_read_without_javascript(login: Any) -> None:
    memo = submitted_memo()
    (row,) = tell(memo, "rujapa")
    client = login("rujapa")
    assert client.get(f"/notifications/{row.pk}/read/").status_code == 405  # a change is a POST
    response = client.post(f"/notifications/{row.pk}/read/", {"page": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert 'data-testid="bell-count"' not in client.get("/").content.decode()


def test_marking_one_read_with_htmx_answers_the_item_and_the_bell(login: Any) -> None:
    memo = submitted_memo()
    one, two = tell(memo, "rujapa", 2)
    html = login("rujapa").post(f"/notifications/{one.pk}/read/", HTTP_HX_REQUEST="true").content.decode()
    assert f'id="notification-{one.pk}"' in html
    assert "data-unread" not in html
    assert 'hx-swap-oob="true"' in html
    assert 'data-testid="bell-count">๑</span>' in html
    assert two


def test_mark_all_read(login: Any) -> None:
    memo = submitted_memo()
    tell(memo, "rujapa", 3)
    mine_elsewhere = tell(memo, "ratchawari")
    response = login("rujapa").post("/notifications/read-all/", follow=True)
    assert "ทำเครื่องหมายอ่านแล้วทุกรายการแล้ว" in response.content.decode()
    assert not Notification.objects.filter(recipient__username="rujapa", read_at__isnull=True).exists()
    # Another person's unread ones are untouched (the STEP_WAITING of the submit and the one above).
    assert Notification.objects.filter(recipient__username="ratchawari", read_at__isnull=True).count() == 2
    assert mine_elsewhere


def test_another_persons_notification_is_not_found_and_stays_unread(login: Any) -> None:
    memo = submitted_memo()
    (theirs,) = tell(memo, "ratchawari", reason="ส่วนตัว")
    client = login("rujapa")
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/", HTTP_HX_REQUEST="true").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_pages_need_a_sign_in(demo_org: Any) -> None:
    for url in ("/notifications/", "/notifications/settings/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_settings_page_is_linked_from_the_profile_and_saves_each_channel(login: Any) -> None:
    client = login("rujapa")
    assert 'href="/notifications/settings/"' in client.get("/profile/").content.decode()
    page = client.get("/notifications/settings/").content.decode()
    checked = re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"[^>]*checked', page)
    assert checked == [("email", "immediate"), ("webhook", "immediate")]  # nothing chosen: at once
    response = client.post("/notifications/settings/", {"email": "digest", "webhook": "off"}, follow=True)
    assert "บันทึกการตั้งค่าการแจ้งเตือนแล้ว" in response.content.decode()
    person = Person.objects.get(username="rujapa")
    assert dict(Preference.objects.filter(person=person).values_list("channel", "mode")) == {
        Channel.EMAIL: Mode.DIGEST,
        Channel.WEBHOOK: Mode.OFF,
    }
    assert client.post("/notifications/settings/", {"email": "hourly", "webhook": "off"}).status_code == 200
    assert Preference.objects.get(person=person, channel=Channel.EMAIL).mode == Mode.DIGEST
