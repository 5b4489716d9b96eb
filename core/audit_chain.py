"""The audit log's hash chain (issue 12): each event has a gapless `sequence` and
`hash = SHA-256(prev_hash + canonical JSON of the event)`, so that an edited, deleted or reordered row breaks the
chain, and a rewritten tail is caught against a signed checkpoint (signatures.audit_checkpoint).

Pure functions over plain values: the writer (core.audit.audit_event_append), the migration that backfilled the
chain and `manage.py verify_audit` all hash the same canonical form.
"""

import functools
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The `prev_hash` of the first event."""

# The columns of a row that the hash covers, in the order `verify` reads them.
COLUMNS = (
    "sequence",
    "id",
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
)


def _ip(value: Any) -> str | None:
    return None if value in (None, "") else _ip_text(str(value))


@functools.lru_cache(
    maxsize=4096
)  # an office's addresses repeat: parsing each row's is a fifth of verify's time
def _ip_text(value: str) -> str:
    return str(ipaddress.ip_address(value))


def _plain(value: Any) -> Any:
    """`value` as the database gives it back: PostgreSQL's jsonb prints 1e16 as 10000000000000000, read back
    as an int, so every whole float is hashed as an int (1.0 as 1) on both sides."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def canonical(
    *,
    sequence: int,
    id: Any,
    at: datetime,
    actor_id: Any,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    ip_address: Any,
    user_agent: str,
) -> bytes:
    """The event as canonical JSON: sorted keys, no whitespace, UTF-8 (not ASCII-escaped), the time in UTC with
    microseconds. Values as the database gives them back, so that a re-read row hashes the same."""
    event = {
        "sequence": int(sequence),
        "id": str(id),
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "data": _plain(data),
        "ip": _ip(ip_address),
        "user_agent": user_agent or "",
    }
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


#: The SQL function that hashes an event on SQLite, which has no sha256(): (previous hash, canonical JSON before the
#: sequence number, the number, after it) -> hex digest, as PostgreSQL's expression in core.audit computes it.
SQLITE_HASH_FUNCTION = "memoflow_chain_hash"


def _sqlite_chain_hash(prev_hash: str, before: str, sequence: int, after: str) -> str:
    """Computed apart from `chain_hash`, as PostgreSQL's expression is: the appender compares the two."""
    return hashlib.sha256(f"{prev_hash}{before}{sequence}{after}".encode()).hexdigest()


def register_sqlite_functions(connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver (core.apps): the chain's hash as an SQL function on SQLite."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_HASH_FUNCTION, 4, _sqlite_chain_hash, deterministic=True)


#: Stands for the sequence number in `canonical_parts`: larger than any real one, so never confused with one.
_SEQUENCE_MARK = 10**30 + 7


def canonical_parts(**fields: Any) -> tuple[str, str]:
    """The canonical JSON of an event whose sequence number is not known yet (the database gives it, under the
    head's lock: core.audit), as the text before and after the number: `before + str(n) + after` is
    `canonical(sequence=n, **fields)`. The top-level "sequence" key is the last one but "user_agent", a string
    whose quotes JSON escapes, so the last occurrence of `"sequence":<mark>` is that key."""
    text = canonical(sequence=_SEQUENCE_MARK, **fields).decode()
    before, found, after = text.rpartition(f'"sequence":{_SEQUENCE_MARK}')
    if not found:  # canonical() changed its form
        raise RuntimeError("the canonical form has no sequence number")
    return before + '"sequence":', after


def chain_hash(prev_hash: str, event: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + event).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """A point of the chain known from outside the table: a signed checkpoint's (sequence, head hash)."""

    sequence: int
    head_hash: str
    source: str = ""


@dataclass(frozen=True)
class Finding:
    """The first place the chain is broken: its sequence number and why (a code and English words)."""

    sequence: int
    code: str
    detail: str


@dataclass(frozen=True)
class Result:
    checked: int
    last_sequence: int
    last_hash: str
    finding: Finding | None

    @property
    def intact(self) -> bool:
        return self.finding is None


def verify(
    rows: Iterable[tuple[Any, ...]],
    *,
    anchors: Iterable[Anchor] = (),
    head: tuple[int, str] | None = None,
) -> Result:
    """Walk `rows` (tuples in COLUMNS order, by sequence) and return the first break: a gap (a deleted row), a
    `prev_hash` that is not the previous row's hash (rows reordered), a hash that is not the row's content
    (an edited row), a row whose hash differs from a checkpoint's at the same sequence (a tail rewritten), or a
    chain that ends before a checkpoint or the head row."""
    wanted = {a.sequence: a for a in anchors}
    expected_sequence, previous = 1, GENESIS
    checked = 0
    finding: Finding | None = None
    for row in rows:
        (sequence, id_, at, actor_id, action, object_type, object_id, data, ip, agent, prev_hash, hash_) = row
        if sequence != expected_sequence:
            missing = expected_sequence if sequence > expected_sequence else sequence
            finding = Finding(
                missing, "missing", f"event {expected_sequence} is missing (next is {sequence})"
            )
            break
        if prev_hash != previous:
            finding = Finding(
                sequence, "reordered", "its previous hash is not the hash of the event before it"
            )
            break
        body = canonical(
            sequence=sequence,
            id=id_,
            at=at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=data,
            ip_address=ip,
            user_agent=agent,
        )
        if chain_hash(prev_hash, body) != hash_:
            finding = Finding(sequence, "altered", "its content does not match its hash")
            break
        anchor = wanted.get(sequence)
        if anchor is not None and anchor.head_hash != hash_:
            finding = Finding(
                sequence, "rewritten", f"its hash differs from the checkpoint {anchor.source}".strip()
            )
            break
        previous, expected_sequence, checked = hash_, sequence + 1, checked + 1
    last = expected_sequence - 1
    if finding is None:
        beyond = sorted(s for s in wanted if s > last)
        if beyond:
            finding = Finding(
                last + 1, "missing", f"the log ends at {last}; a checkpoint was made at {beyond[0]}"
            )
        elif head is not None and head != (last, previous):
            finding = Finding(
                min(last, head[0]) + 1 if head[0] != last else last,
                "head",
                f"the log ends at {last}, its head row says {head[0]}",
            )
    return Result(checked=checked, last_sequence=last, last_hash=previous, finding=finding)


def rows_in_order(queryset: Any, *, chunk_size: int = 5000) -> Iterator[tuple[Any, ...]]:
    """The audit events as COLUMNS tuples, streamed by sequence (a server-side cursor on PostgreSQL)."""
    rows: Iterator[tuple[Any, ...]] = (
        queryset.order_by("sequence").values_list(*COLUMNS).iterator(chunk_size=chunk_size)
    )
    return rows
