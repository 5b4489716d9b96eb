"""The audit log's hash chain (issue 12): every event appended through core.audit has the next sequence number and
a hash over its content and the previous hash, so that an edited, deleted or reordered row — changed with raw SQL
after the append-only trigger is switched off, as only the database's owner could — is named by its sequence
number, and a tail rewritten with valid hashes is caught against a checkpoint. The checkpoint's seal and
`manage.py verify_audit`: signatures/tests/test_audit_checkpoint.py. Runs on both engines."""

import itertools
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, connections, transaction

from core import append_only, audit_chain
from core.audit import RequestMeta, audit_event_append
from core.audit_chain import Anchor, rows_in_order, verify
from core.models import AuditEvent, AuditHead
from core.tests import tamper

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def append(db: None) -> Callable[..., list[AuditEvent]]:
    """Append `count` events about one user (Thai details, an address, a browser), as services do."""
    user = get_user_model().objects.create(username="auditor-test")

    def make(count: int, action: str = "memo.submitted") -> list[AuditEvent]:
        return [
            audit_event_append(
                action=action,
                obj=user,
                actor=user,
                data={"เรื่อง": f"ขออนุมัติจัดซื้อ ครั้งที่ {n}", "round": n, "ok": True},
                meta=RequestMeta(ip_address="192.0.2.7", user_agent="Mozilla/5.0 (ทดสอบ)"),
            )
            for n in range(count)
        ]

    return make


def check(*anchors: Anchor) -> audit_chain.Result:
    head = AuditHead.objects.filter(pk=1).values_list("sequence", "hash").first()
    return verify(rows_in_order(AuditEvent._base_manager.all(), chunk_size=2), anchors=anchors, head=head)


def triggers_off() -> AbstractContextManager[None]:
    return tamper.triggers_off(TABLE)


def raw(sql: str, *params: Any) -> None:
    tamper.raw(sql.format(table=TABLE), *params)


def test_each_event_gets_the_next_sequence_number_and_the_chain_verifies(append: Callable[..., Any]) -> None:
    events = append(5)
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit_chain.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    result = check()
    assert result.intact, result.finding
    assert (result.checked, result.last_sequence, result.last_hash) == (5, 5, events[-1].hash)
    assert AuditHead.objects.get(pk=1).sequence == 5


def test_the_hash_covers_the_canonical_json_of_the_event(append: Callable[..., Any]) -> None:
    [event] = append(1)
    body = audit_chain.canonical(
        sequence=1,
        id=event.id,
        at=event.at,
        actor_id=event.actor_id,
        action="memo.submitted",
        object_type=event.object_type,
        object_id=event.object_id,
        data=event.data,
        ip_address="192.0.2.7",
        user_agent="Mozilla/5.0 (ทดสอบ)",
    )
    assert body.startswith(b'{"action":"memo.submitted","actor":')  # sorted keys, no whitespace
    assert "ขออนุมัติจัดซื้อ".encode() in body  # UTF-8, not \u escapes
    assert event.hash == audit_chain.chain_hash(audit_chain.GENESIS, body)


def test_an_edited_row_is_named(append: Callable[..., Any]) -> None:
    append(6)
    with triggers_off():
        raw("UPDATE \"{table}\" SET user_agent = 'curl/8' WHERE sequence = %s", 4)
    finding = check().finding
    assert finding is not None
    assert (finding.sequence, finding.code) == (4, "altered")


def test_an_edited_detail_is_named(append: Callable[..., Any]) -> None:
    append(3)
    with triggers_off():
        raw('UPDATE "{table}" SET data = %s WHERE sequence = %s', '{"round": 99}', 2)
    finding = check().finding
    assert finding is not None
    assert (finding.sequence, finding.code) == (2, "altered")


def test_a_deleted_row_is_named(append: Callable[..., Any]) -> None:
    append(6)
    with triggers_off():
        raw('DELETE FROM "{table}" WHERE sequence = %s', 3)
    finding = check().finding
    assert finding is not None
    assert (finding.sequence, finding.code) == (3, "missing")


def test_reordered_rows_are_named(append: Callable[..., Any]) -> None:
    append(6)
    with triggers_off():
        raw('UPDATE "{table}" SET sequence = -1 WHERE sequence = 3')
        raw('UPDATE "{table}" SET sequence = 3 WHERE sequence = 4')
        raw('UPDATE "{table}" SET sequence = 4 WHERE sequence = -1')
    finding = check().finding
    assert finding is not None
    assert (finding.sequence, finding.code) == (3, "reordered")


def test_a_deleted_last_row_is_caught_by_the_head_row(append: Callable[..., Any]) -> None:
    append(4)
    with triggers_off():
        raw('DELETE FROM "{table}" WHERE sequence = 4')
    finding = check().finding
    assert finding is not None
    assert (finding.sequence, finding.code) == (4, "head")


def rewrite_tail(*, from_sequence: int, append: Callable[..., Any], count: int) -> None:
    """Delete the events from `from_sequence` on, put the head back, and append new ones with valid hashes."""
    with triggers_off():
        raw('DELETE FROM "{table}" WHERE sequence >= %s', from_sequence)
    last = AuditEvent.objects.get(sequence=from_sequence - 1)
    AuditHead.objects.filter(pk=1).update(sequence=last.sequence, hash=last.hash)
    append(count, action="memo.withdrawn")


def test_a_truncated_tail_re_appended_is_caught_only_against_a_checkpoint(append: Callable[..., Any]) -> None:
    events = append(6)
    checkpoint = Anchor(sequence=5, head_hash=events[4].hash, source="checkpoint-5.json")
    rewrite_tail(from_sequence=3, append=append, count=4)
    assert check().intact  # a valid chain again: the table alone cannot tell
    finding = check(checkpoint).finding
    assert finding is not None
    assert (finding.sequence, finding.code) == (5, "rewritten")
    assert "checkpoint-5.json" in finding.detail


def test_a_truncated_tail_shorter_than_the_checkpoint_is_named(append: Callable[..., Any]) -> None:
    events = append(6)
    checkpoint = Anchor(sequence=6, head_hash=events[5].hash)
    rewrite_tail(from_sequence=3, append=append, count=1)  # ends at 3
    finding = check(checkpoint).finding
    assert finding is not None
    assert (finding.sequence, finding.code) == (4, "missing")


def test_an_intact_chain_matches_its_checkpoint(append: Callable[..., Any]) -> None:
    events = append(4)
    assert check(
        Anchor(sequence=2, head_hash=events[1].hash), Anchor(sequence=4, head_hash=events[3].hash)
    ).intact


def test_the_database_refuses_update_and_delete_of_an_event(append: Callable[..., Any]) -> None:
    append(2)
    assert append_only.installed(connection, TABLE)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw("UPDATE \"{table}\" SET user_agent = 'x' WHERE sequence = 1")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw('DELETE FROM "{table}" WHERE sequence = 2')
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw('DELETE FROM "{table}"')  # SQLite's TRUNCATE
    assert check().intact


@pytest.mark.postgres
def test_postgresql_refuses_truncate_of_the_audit_log_and_its_checkpoints(append: Callable[..., Any]) -> None:
    append(2)
    raw(
        "SET CONSTRAINTS ALL IMMEDIATE"
    )  # else PostgreSQL refuses for the pending foreign-key checks, not the trigger
    for table in (TABLE, "core_auditcheckpoint"):
        with pytest.raises(IntegrityError, match=r"append-only.*TRUNCATE"), transaction.atomic():
            raw(f'TRUNCATE "{table}" CASCADE')
    assert AuditEvent.objects.count() == 2


def test_the_checkpoints_table_is_append_only_in_the_database(db: None) -> None:
    assert append_only.installed(connection, "core_auditcheckpoint")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("head", ["present", "missing"])
def test_concurrent_appends_get_gapless_sequence_numbers_and_a_valid_chain(head: str) -> None:
    """Writers in their own transactions, released together: each must wait for the head's lock, so the numbers
    are 1..N with no gap or duplicate and each event's previous hash is the one before it — also when the head
    row is missing (an emptied database) and they race to make it."""
    user = get_user_model().objects.create(username="auditor-threads")
    AuditHead.objects.all().delete()
    if head == "present":
        AuditHead.objects.create(pk=1, sequence=0, hash=audit_chain.GENESIS)
    writers = 8
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            with transaction.atomic(durable=True):
                audit_event_append(action="memo.submitted", obj=user, data={"writer": n})
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, writers + 1))
    assert sorted(AuditEvent.objects.values_list("data__writer", flat=True)) == list(range(writers))
    result = check()
    assert result.intact, result.finding
    assert result.last_sequence == writers


def test_numbers_in_the_details_hash_the_same_once_stored(append: Callable[..., Any]) -> None:
    """PostgreSQL's jsonb gives 1e16 back as an integer and 1.0 as 1.0: the chain must still verify."""
    user = get_user_model().objects.create(username="auditor-numbers")
    audit_event_append(
        action="memo.submitted", obj=user, data={"big": 1e16, "whole": 1.0, "part": 0.1, "n": [2.0]}
    )
    result = check()
    assert result.intact, result.finding
