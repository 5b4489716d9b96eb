"""core.prepared: a queryset compiled once runs with each call's own values and gives what the queryset itself
gives; a shape whose SQL changes with its values, or a value it cannot place, is refused rather than run wrong.
The token lookup of every API request is one (org.authentication.TOKEN_LOOKUP)."""

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.prepared import Marker, PreparedQuery
from org.authentication import TOKEN_LOOKUP, _token_lookup, api_token_issue, hash_token
from org.models import Person

pytestmark = pytest.mark.django_db

USERNAME = Person._meta.get_field("username")
JOINED = Person._meta.get_field("date_joined")


def _by_username(shape: Any, *, username: str) -> Any:
    return Person.objects.filter(username=username).order_by("pk")


def test_each_run_uses_its_own_values_and_compiles_once(demo_org: Any) -> None:
    built: list[str] = []

    def build(shape: Any, *, username: str) -> Any:
        built.append(username)
        return _by_username(shape, username=username)

    query = PreparedQuery(build, username=Marker("marker-1", "marker-2", USERNAME))
    for username in ("rujapa", "nat", "rujapa", "ratchawari", "nobody-has-this-name"):
        assert [p.username for p in query.run(username=username)] == [
            p.username for p in Person.objects.filter(username=username)
        ]
    assert built == ["marker-1", "marker-2"]  # compiled once, with two sets of markers, then only run


def test_a_value_used_twice_and_a_datetime_are_placed_everywhere(demo_org: Any) -> None:
    def build(shape: Any, *, username: str, since: datetime) -> Any:
        return Person.objects.filter(username=username, date_joined__gte=since).exclude(
            username=username, date_joined__lt=since
        )

    query = PreparedQuery(
        build,
        username=Marker("marker-1", "marker-2", USERNAME),
        since=Marker(datetime(1901, 1, 1, tzinfo=UTC), datetime(1902, 1, 1, tzinfo=UTC), JOINED),
    )
    nat = Person.objects.get(username="nat")
    assert [p.pk for p in query.run(username="nat", since=nat.date_joined)] == [nat.pk]
    later = nat.date_joined.replace(year=nat.date_joined.year + 1)
    assert query.run(username="nat", since=later) == []


def test_a_shape_whose_sql_changes_with_its_values_is_refused(demo_org: Any) -> None:
    def build(shape: Any, *, username: str) -> Any:
        return Person.objects.filter(username__in=username.split("-"))  # one name, then two: another SQL

    query = PreparedQuery(build, username=Marker("one", "one-two", USERNAME))
    with pytest.raises(ValueError, match="must not change"):
        query.run(username="nat")


def test_a_value_that_cannot_be_placed_is_refused(demo_org: Any) -> None:
    def build(shape: Any, *, username: str) -> Any:
        return Person.objects.filter(username=username.upper())  # not the value given: it cannot be replaced

    query = PreparedQuery(build, username=Marker("marker-1", "marker-2", USERNAME))
    with pytest.raises(ValueError, match="not all found"):
        query.run(username="nat")


def test_shapes_are_compiled_apart(demo_org: Any) -> None:
    def build(shape: bool, *, username: str) -> Any:
        people = Person.objects.filter(username=username)
        return people.filter(is_active=False) if shape else people

    query = PreparedQuery(build, username=Marker("marker-1", "marker-2", USERNAME))
    assert [p.username for p in query.run(False, username="nat")] == ["nat"]
    assert query.run(True, username="nat") == []


def test_a_shape_may_leave_a_value_unused(demo_org: Any) -> None:
    def build(shape: bool, *, username: str) -> Any:
        return Person.objects.filter(username=username) if shape else Person.objects.filter(username="nat")

    query = PreparedQuery(build, username=Marker("marker-1", "marker-2", USERNAME))
    assert [p.username for p in query.run(False, username="rujapa")] == ["nat"]
    assert [p.username for p in query.run(True, username="rujapa")] == ["rujapa"]


def test_the_token_lookup_gives_what_the_queryset_gives_in_one_statement(demo_org: Any) -> None:
    nat = Person.objects.get(username="nat")
    key = api_token_issue(person=nat)
    with CaptureQueriesContext(connection) as queries:
        (found,) = TOKEN_LOOKUP.run(key_hash=hash_token(key))
    assert len(queries.captured_queries) == 1
    (expected,) = _token_lookup(None, key_hash=hash_token(key))
    assert found.pk == expected.pk
    assert found.person.username == "nat"  # select_related, without another query
    assert getattr(found, "person_read_only") is False  # noqa: B009 - an annotation
    assert TOKEN_LOOKUP.run(key_hash=hash_token("not-a-token")) == []


def test_the_auditor_token_carries_the_read_only_answer(demo_org: Any) -> None:
    key = api_token_issue(person=Person.objects.get(username="auditor"))
    (found,) = TOKEN_LOOKUP.run(key_hash=hash_token(key))
    assert getattr(found, "person_read_only") is True  # noqa: B009 - an annotation


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_on_its_own_connection(demo_org: Any) -> None:
    """A compiled query is bound to the connection it was compiled on: another thread compiles its own."""
    query = PreparedQuery(_by_username, username=Marker("marker-1", "marker-2", USERNAME))
    assert [p.username for p in query.run(username="nat")] == ["nat"]
    seen: list[Any] = []

    def other() -> None:
        try:
            seen.append([p.username for p in query.run(username="rujapa")])
            seen.append(connections["default"])
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen[0] == ["rujapa"]
    assert seen[1] is not connection
    assert [p.username for p in query.run(username="ratchawari")] == ["ratchawari"]
