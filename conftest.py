"""Fixtures shared by every app's tests: the seed's organisation chart, and API clients for its people."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from org import demo
from org.models import Organisation, Person, Position


@pytest.fixture
def demo_org(db: None) -> Organisation:
    return demo.load_organisation()


@pytest.fixture
def person(demo_org: Organisation) -> Callable[[str], Person]:
    def get(username: str) -> Person:
        return Person.objects.get(username=username)

    return get


@pytest.fixture
def position(demo_org: Organisation) -> Callable[[str], Position]:
    def get(title: str) -> Position:
        return Position.objects.get(organisation=demo_org, title=title)

    return get


@pytest.fixture
def api_as(demo_org: Organisation) -> Callable[[str], APIClient]:
    """An API client authenticated as a demo user through the real token endpoint."""

    def make(username: str) -> APIClient:
        client = APIClient()
        response = client.post(
            "/api/v1/auth/token/", {"username": username, "password": demo.DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        return client

    return make


@pytest.fixture
def render_pdfs() -> Callable[[], int]:
    """Run the render jobs that are queued, in this process, as the render worker would (the render itself
    still happens in a child process with its time limit); the number of memos rendered."""

    def run() -> int:
        from memos.models import RenderedPdf, RenderJob
        from workflow.documents import memo_pdf_render

        queued = list(RenderedPdf.objects.filter(job=RenderJob.QUEUED).values_list("memo_id", flat=True))
        for memo_id in queued:
            memo_pdf_render(memo_id=memo_id)
        return len(queued)

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` need real row locks; on SQLite they are skipped with the reason."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks); this run is on SQLite")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
