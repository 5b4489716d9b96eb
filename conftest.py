"""Fixtures shared by every app's tests: the seed's organisation chart, API clients for its people, and a media
root of the test's own. Memos in each state and tiny files: tests/builders.py."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from org import demo
from org.models import Organisation, Person, Position


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_append_only_triggers() -> Iterator[None]:
    """The append-only triggers refuse a flush: SQLite's DELETE and, for the audit log, PostgreSQL's TRUNCATE.
    Between transactional tests the flush drops those triggers and re-creates them (SQLite), or disables and
    re-enables them (PostgreSQL), in its own transaction. The test harness's only allowance; the application
    has none (core.append_only)."""
    from django.apps import apps
    from django.db import connection

    from core.append_only import AppendOnlyModel, install_sql, remove_sql

    guarded = [m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel)]
    if connection.vendor == "sqlite":
        from django.db.backends.sqlite3.operations import DatabaseOperations as Operations

        def around(table: str) -> tuple[list[str], list[str]]:
            return remove_sql("sqlite", table), install_sql("sqlite", table)
    else:
        from django.db.backends.postgresql.operations import (  # type: ignore[assignment]
            DatabaseOperations as Operations,
        )

        def around(table: str) -> tuple[list[str], list[str]]:
            return [f'ALTER TABLE "{table}" DISABLE TRIGGER USER'], [
                f'ALTER TABLE "{table}" ENABLE TRIGGER USER'
            ]

    original = Operations.sql_flush

    def sql_flush(self: Operations, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = original(self, style, tables, **kwargs)
        flushed = [around(t) for t in guarded if t in set(tables)]
        if not statements or not flushed:
            return statements
        return (
            [s for before, _ in flushed for s in before]
            + statements
            + [s for _, after in flushed for s in after]
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Operations, "sql_flush", sql_flush)
        yield


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
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploads (MEDIA_ROOT) and the archive (MEMOFLOW_ARCHIVE_ROOT) under this test's temporary directory;
    returns the media root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEMOFLOW_ARCHIVE_ROOT = tmp_path / "archive"
    return settings.MEDIA_ROOT


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
