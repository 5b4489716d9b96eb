"""Where generated rows go: time-ordered ids, per-table buffers written in chunks (COPY on PostgreSQL, batched
INSERTs elsewhere), and the audit chain, whose events are hashed in time order as core.audit would have.

Each chunk is one transaction. Foreign keys are checked at its commit (Django makes them deferrable), so the
order of the tables inside a chunk is free. On PostgreSQL a second thread with its own connection writes
chunk n while the first builds chunk n + 1."""

import json
import queue
import random
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from core import audit_chain
from core.audit_head import BULK_LOAD_SETTING

Row = Any  # a tuple; a list while the generator still changes it (a viewflow task until it ends)

# The columns written per table, in order. Nullable columns left out stay NULL.
COLUMNS: dict[str, tuple[str, ...]] = {
    "memos_register": ("id", "organisation_id", "document_code", "year_kind", "year", "last_number"),
    "viewflow_process": ("id", "status", "created", "finished", "flow_class", "data"),
    "viewflow_task": (
        "id",
        "flow_task",
        "flow_task_type",
        "status",
        "created",
        "assigned",
        "started",
        "finished",
        "token",
        "owner_id",
        "process_id",
        "data",
    ),
    "viewflow_task_previous": ("from_task_id", "to_task_id"),
    "memos_memo": (
        "id",
        "organisation_id",
        "writer_id",
        "writer_position_id",
        "unit_id",
        "department",
        "number",
        "register_year",
        "sequence",
        "register_id",
        "date",
        "subject",
        "addressee",
        "body",
        "urgency",
        "status",
        "revision",
        "current_revision_id",
        "process_id",
        "created_at",
        "updated_at",
        "status_changed_at",
        "archive_file",
        "archive_sha256",
        "archived_at",
        "certificate_file",
        "certificate_sha256",
        "secrecy",
    ),
    "memos_memorevision": ("id", "memo_id", "number", "content", "sha256", "created_at", "created_by_id"),
    "signatures_signature": (
        "id",
        "memo_id",
        "revision_id",
        "revision_sha256",
        "signer_id",
        "position_id",
        "capacity",
        "signed_at",
        "method",
        "ip_address",
        "user_agent",
        "pdf_field",
    ),
    "workflow_routestep": (
        "id",
        "memo_id",
        "round",
        "order",
        "role",
        "position_id",
        "state",
        "assignee_id",
        "capacity",
        "activated_at",
        "acted_at",
        "opinion",
        "decision",
        "decision_text",
        "reason",
        "task_id",
        "signature_id",
        "duty_conflict",
    ),
    "core_auditevent": (
        "id",
        "sequence",
        "at",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "data",
        "ip_address",
        "user_agent",
        "prev_hash",
        "hash",
    ),
}


class Ids:
    """Deterministic ids from the seed. UUIDs are version 7 (the time in their first 48 bits), so rows made in
    time order land at the right edge of their primary key's index instead of all over it."""

    def __init__(self, rng: random.Random) -> None:
        self._bits = rng.getrandbits

    def at(self, when: datetime) -> uuid.UUID:
        ms = int(when.timestamp() * 1000)
        bits = self._bits(74)
        return uuid.UUID(
            int=(ms << 80) | (7 << 76) | ((bits >> 62) << 64) | (2 << 62) | (bits & ((1 << 62) - 1))
        )


class Chain:
    """The audit chain continued from its head: events are collected, then hashed in time order once no later
    memo can add an earlier event (`flush(upto=)`), exactly as core.audit would have appended them."""

    def __init__(self, *, sequence: int, head_hash: str, ids: Ids) -> None:
        self.sequence = sequence
        self.hash = head_hash
        self._ids = ids
        self._pending: list[tuple[datetime, int, Any, str, str, str, dict[str, Any], str | None, str]] = []
        self._n = 0

    def add(
        self,
        at: datetime,
        actor_id: Any,
        action: str,
        object_type: str,
        object_id: str,
        data: dict[str, Any],
        ip: str | None = None,
        agent: str = "",
    ) -> None:
        self._n += 1
        self._pending.append((at, self._n, actor_id, action, object_type, object_id, data, ip, agent))

    def flush(self, out: list[Row], upto: datetime | None = None) -> None:
        self._pending.sort(key=lambda e: (e[0], e[1]))
        if upto is None:
            ready, self._pending = self._pending, []
        else:
            cut = 0
            while cut < len(self._pending) and self._pending[cut][0] <= upto:
                cut += 1
            ready, self._pending = self._pending[:cut], self._pending[cut:]
        canonical, chain_hash = audit_chain.canonical, audit_chain.chain_hash
        for at, _n, actor_id, action, object_type, object_id, data, ip, agent in ready:
            self.sequence += 1
            event_id = self._ids.at(at)
            body = canonical(
                sequence=self.sequence,
                id=event_id,
                at=at,
                actor_id=actor_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                data=data,
                ip_address=ip,
                user_agent=agent,
            )
            digest = chain_hash(self.hash, body)
            out.append(
                (
                    event_id,
                    self.sequence,
                    at,
                    actor_id,
                    action,
                    object_type,
                    object_id,
                    json.dumps(data, ensure_ascii=False),
                    ip,
                    agent,
                    self.hash,
                    digest,
                )
            )
            self.hash = digest


def new_chunk() -> dict[str, list[Row]]:
    return {table: [] for table in COLUMNS}


def _converters(table: str) -> list[Callable[[Any], Any]]:
    """Per column, how a value is stored by a backend without COPY (Django's own adaptation: UUIDs as hex on
    SQLite, times in UTC text); JSON columns get their text as it is."""
    model = next(m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table)
    by_column = {f.column: f for f in model._meta.concrete_fields}
    result: list[Callable[[Any], Any]] = []
    for column in COLUMNS[table]:
        field = by_column[column]
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        if isinstance(target, models.UUIDField):
            result.append(
                lambda v: None if v is None else (v.hex if connection.vendor == "sqlite" else str(v))
            )
        elif isinstance(target, models.DateTimeField):
            result.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(target, models.DateField):
            result.append(connection.ops.adapt_datefield_value)
        else:
            result.append(lambda v: v)
    return result


def write_chunk(chunk: dict[str, list[Row]]) -> None:
    """One transaction: every table's rows of the chunk."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the load moves the audit head itself, at the end
            cursor.execute(f"SET LOCAL {BULK_LOAD_SETTING} = 'on'")
        for table, rows in chunk.items():
            if not rows:
                continue
            columns = ", ".join(f'"{c}"' for c in COLUMNS[table])
            if connection.vendor == "postgresql":
                with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
            else:
                convert = _converters(table)
                marks = ", ".join(["%s"] * len(convert))
                prepared = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in rows]
                sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'  # noqa: S608 - our own table names
                for start in range(0, len(prepared), 5000):
                    cursor.executemany(sql, prepared[start : start + 5000])


class ConstraintsLater:
    """PostgreSQL only, as pg_restore does: the foreign keys and plain indexes of the tables written are dropped
    for the load and made again after it, each in one pass over the table (a foreign key re-added checks every
    row, so nothing goes unchecked; primary keys, unique constraints and triggers stay throughout). Dropped and
    restored in their own transactions; restored even when the load fails."""

    def __init__(self) -> None:
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def drop(self) -> None:
        tables = list(COLUMNS)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
                [tables],
            )
            self.constraints = [(t.strip('"'), n, d) for t, n, d in cursor.fetchall()]
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [tables],
            )
            self.indexes = list(cursor.fetchall())
            for table, name, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore(self, progress: Callable[[str], None]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in self.indexes:
                progress(f"index {name}")
                with transaction.atomic():
                    cursor.execute(definition)
            for table, name, definition in self.constraints:
                progress(f"foreign key {table}.{name}")
                with transaction.atomic():
                    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("RESET maintenance_work_mem")


class Writer:
    """Writes chunks: in a thread of its own on PostgreSQL (so the database works while the next chunk is
    built), inline elsewhere (SQLite has one writer, and a test's in-memory database one connection)."""

    def __init__(self) -> None:
        self._threaded = connection.vendor == "postgresql"
        self._queue: queue.Queue[dict[str, list[Row]] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self._threaded:
            self._thread = threading.Thread(target=self._run, name="generate-load-writer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            while (chunk := self._queue.get()) is not None:
                if self._error is None:
                    write_chunk(chunk)
        except BaseException as exc:  # handed to the generating thread at its next put or close
            self._error = exc
            while self._queue.get() is not None:
                pass
        finally:
            connection.close()

    def put(self, chunk: dict[str, list[Row]]) -> None:
        if self._error is not None:
            raise self._error
        if self._threaded:
            self._queue.put(chunk)
        else:
            write_chunk(chunk)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error
