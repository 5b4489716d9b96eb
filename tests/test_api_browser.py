"""The API opened in a browser: a signed-in person (session cookie) or an anonymous visitor typing an API address
gets an answer, never a 500. Every GET address under /api/v1/ is tried with the Accept header a browser sends;
the lists answer 200 with their JSON (the API has no HTML renderer: its pages are /api/docs/)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse

from config import api_urls
from memos.models import Memo
from notifications.models import Notification
from org.models import Person
from tests.builders import active_step, draft_memo, png_bytes, submit
from workflow import services

pytestmark = pytest.mark.django_db

#: What Chromium and Firefox send when an address is typed into the address bar.
BROWSERS = {
    "chromium": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}
#: The API's lists, each answering a browser 200 with its rows under this key.
LISTS = {"api-memos": "results", "api-tasks": "results", "api-memo-history": "steps"}


@pytest.fixture
def memo(demo_org: Any, media_root: Any) -> Memo:
    """In review at its first step, with a file enclosed."""
    memo = draft_memo()
    services.enclosure_add(
        memo=memo,
        actor=memo.writer,
        title="แผนที่",
        upload=SimpleUploadedFile("map.png", png_bytes(), content_type="image/png"),
    )
    return submit(memo)


def _addresses(memo: Memo) -> Iterator[tuple[str, str]]:
    """(name, address) of every API v1 route, its parameters filled from `memo`."""
    step = active_step(memo)
    values = {
        "memo_id": memo.pk,
        "step_id": step.pk,
        "enclosure_id": memo.enclosures.get().pk,
        "notification_id": Notification.objects.filter(recipient_id=step.assignee_id).values_list(
            "pk", flat=True
        )[0],
    }
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = list(pattern.pattern.converters)
        yield str(pattern.name), reverse(str(pattern.name), kwargs={name: values[name] for name in names})


@pytest.mark.parametrize("agent", list(BROWSERS))
def test_every_api_address_answers_a_signed_in_browser(memo: Memo, agent: str) -> None:
    client = Client(HTTP_ACCEPT=BROWSERS[agent], raise_request_exception=False)
    client.force_login(memo.writer)
    for name, address in _addresses(memo):
        response = client.get(address)
        assert response.status_code < 500, (name, response.status_code, response.content[:300])
        if name in LISTS:
            assert response.status_code == 200, (name, response.content[:300])
            assert response["Content-Type"] == "application/json"
            assert isinstance(response.json()[LISTS[name]], list), name


def test_the_lists_show_what_the_person_sees(memo: Memo, person: Any) -> None:
    """Not an empty page: the writer's memo in her list, the co-signer's task in his."""
    client = Client(HTTP_ACCEPT=BROWSERS["chromium"])
    client.force_login(memo.writer)
    assert [m["id"] for m in client.get(reverse("api-memos")).json()["results"]] == [str(memo.pk)]
    signer: Person = active_step(memo).assignee  # type: ignore[assignment]
    client.force_login(signer)
    tasks = client.get(reverse("api-tasks")).json()["results"]
    assert [t["memo"]["id"] if isinstance(t["memo"], dict) else t["memo"] for t in tasks] == [str(memo.pk)]


def test_every_api_address_answers_an_anonymous_browser(memo: Memo) -> None:
    client = Client(HTTP_ACCEPT=BROWSERS["chromium"], raise_request_exception=False)
    for name, address in _addresses(memo):
        response = client.get(address)
        assert response.status_code < 500, (name, response.status_code, response.content[:300])
        if name in LISTS:
            assert response.status_code in (401, 403), name
            assert response["Content-Type"] == "application/json"
