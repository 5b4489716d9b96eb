"""core.batch: independent writes in one statement on PostgreSQL, one by one on SQLite, each write's returned rows
given back to it; and the audit event's single INSERT … SELECT (core.audit) that such a batch carries."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core import audit_chain
from core.audit import audit_event_append
from core.batch import Batch, insert_sql, update_sql
from core.models import AuditEvent, AuditHead
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def _statements(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_writes_run_together_and_each_gets_its_own_rows(person):
    """Three writes: an UPDATE returning nothing, an INSERT returning keys and an audit event returning three
    columns. One statement on PostgreSQL, three on SQLite; every callback sees its own rows, in order."""
    writer = person("rujapa")
    writer.first_name = "รุจาภา (แก้)"
    notifications = [
        Notification(recipient=writer, kind=Kind.STEP_WAITING, params={"step": index}) for index in range(3)
    ]
    seen: list[str] = []
    batch = Batch()
    text, params = update_sql(writer, ["first_name"])
    batch.add(text, params, then=lambda rows: seen.append(f"update {rows}"))
    keys: list[int] = []
    text, params, returning = insert_sql(notifications)
    batch.add(text, params, returning=returning, then=lambda rows: keys.extend(key for (key,) in rows))
    event = audit_event_append(action="test.batched", obj=writer, actor=writer, batch=batch)
    assert event.sequence is None  # not sent yet

    with CaptureQueriesContext(connection) as context:
        batch.run()

    assert len(_statements(context)) == (1 if connection.vendor == "postgresql" else 3)
    assert seen == ["update []"]
    assert sorted(keys) == sorted(Notification.objects.filter(recipient=writer).values_list("pk", flat=True))
    assert len(keys) == 3
    writer.refresh_from_db()
    assert writer.first_name == "รุจาภา (แก้)"
    stored = AuditEvent.objects.get(action="test.batched")
    assert (event.sequence, event.prev_hash, event.hash) == (stored.sequence, stored.prev_hash, stored.hash)
    assert AuditHead.objects.get(pk=1).sequence == stored.sequence
    assert batch.writes == []  # run once: a second run sends nothing


def test_a_batch_of_one_write_is_that_statement(person):
    writer = person("rujapa")
    batch = Batch()
    audit_event_append(action="test.alone", obj=writer, batch=batch)
    with CaptureQueriesContext(connection) as context:
        batch.run()
    (sql,) = _statements(context)
    assert sql.startswith("INSERT INTO")


def test_the_database_hashes_each_event_as_python_does(person):
    """Events written by the single INSERT … SELECT verify (core.audit_chain.verify), with data whose keys and
    text imitate the canonical form's own sequence key."""
    writer = person("rujapa")
    for index in range(5):
        audit_event_append(
            action="test.hashed",
            obj=writer,
            actor=writer,
            data={"sequence": 10**30 + 7, "note": f'"sequence":{index} ไทย ๑๒๓', "n": index},
        )
    result = audit_chain.verify(audit_chain.rows_in_order(AuditEvent.objects.all()))
    assert result.intact, result.finding
    assert result.checked == AuditEvent.objects.count()


def test_an_event_whose_database_hash_differs_from_pythons_is_refused(person, monkeypatch):
    """The appender checks the database's hash against Python's: an event the verifier would later call altered
    is never written (here Python's side is made to differ)."""
    writer = person("rujapa")
    before = AuditEvent.objects.count()
    monkeypatch.setattr(audit_chain, "chain_hash", lambda prev, body: "0" * 64)
    with pytest.raises(RuntimeError, match="hashed the audit event differently"), transaction.atomic():
        audit_event_append(action="test.refused", obj=writer)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("sequence", [1, 9, 10, 123456789])
def test_the_canonical_form_splits_around_its_sequence_number(sequence):
    fields = {
        "id": "1f0e2d3c-0000-4000-8000-000000000001",
        "at": datetime(2026, 12, 4, 13, 0, tzinfo=UTC),
        "actor_id": 7,
        "action": "step.approved",
        "object_type": "memos.memo",
        "object_id": "x",
        "data": {"sequence": 3, "z": '"sequence":1'},
        "ip_address": "10.0.0.1",
        "user_agent": 'agent "sequence":5',
    }
    before, after = audit_chain.canonical_parts(**fields)
    assert f"{before}{sequence}{after}".encode() == audit_chain.canonical(sequence=sequence, **fields)


def test_writes_that_return_nothing_run_together_too(person):
    """Two UPDATEs with no RETURNING: the last is the statement's own on PostgreSQL; both rows change."""
    first, second = person("rujapa"), person("nat")
    first.first_name, second.first_name = "หนึ่ง", "สอง"
    batch = Batch()
    batch.add_update(first, ["first_name"])
    batch.add_update(second, ["first_name"])
    with CaptureQueriesContext(connection) as context:
        batch.run()
    assert len(_statements(context)) == (1 if connection.vendor == "postgresql" else 2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.first_name, second.first_name) == ("หนึ่ง", "สอง")
