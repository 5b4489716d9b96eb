"""Synthetic data for benchmarks (issue 12): `manage.py generate_load --memos N`.

Organisations of very different sizes (workflow.load.chart), then N memos in creation order
(workflow.load.memos) with every row the services would have written — revisions, route steps of every round,
signatures (rows only: no PDF or CMS bytes), the viewflow process and tasks, audit events continuing the hash
chain — written in chunks by COPY on PostgreSQL (workflow.load.sink). The same seed and end give the same data.

Not for a production database: it adds people with one known password. Run it on a quiet database; the audit
chain's head is locked for the whole run, so nothing else can append an event meanwhile.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from viewflow.workflow.models import Process, Task

from core import audit_chain
from core.models import AuditEvent, AuditHead
from memos.models import Memo, Register
from workflow.load import chart as chart_module
from workflow.load.memos import Counters, MemoMaker, creation_times
from workflow.load.sink import Chain, ConstraintsLater, Ids, Writer, new_chunk
from workflow.search import memo_search_fill_missing

CHUNK = 10_000
YEARS = 4


class LoadError(Exception):
    """The load cannot be generated here (the message says why)."""


@dataclass
class LoadSummary:
    memos: int
    organisations: int
    people: int
    seconds: float
    statuses: dict[str, int]
    rows: dict[str, int]
    head_with_many: str
    executive: str
    auditor: str
    officer: str
    acting: list[str]


def default_organisations(memos: int) -> int:
    return max(1, min(40, memos // 25_000))


def generate_load(
    *,
    memos: int,
    organisations: int | None = None,
    seed: int = 12,
    end: datetime | None = None,
    password: str = "memoflow-demo",  # noqa: S107 - the demo's documented password, load data only
    keep_constraints: bool = False,
    progress: Callable[[str], None] = print,
) -> LoadSummary:
    """Generate `memos` memos over the `YEARS` years before `end` (default: today 00:00 UTC)."""
    began = time.monotonic()
    if chart_module.usernames_taken():
        raise LoadError("The load's people (lao001.*) exist already: generate into an empty database.")
    if (
        Memo.objects.exists()
    ):  # a real organisation's database: its people would gain a known-password auditor
        raise LoadError("This database holds memos already: generate only into an empty, throwaway database.")
    end = end or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=365 * YEARS)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    ids = Ids(rng)
    with transaction.atomic():
        chart = chart_module.build(
            organisations=organisations or default_organisations(memos),
            rng=rng,
            password=password,
            start=start.date(),
            now=start,
        )
    progress(f"organisations: {len(chart.organisations)}, people: {chart.people}")
    counters = Counters()
    later = ConstraintsLater()
    if connection.vendor == "postgresql" and not keep_constraints:
        later.drop()
    try:
        with transaction.atomic():
            head = _locked_head()
            chain = Chain(sequence=head.sequence, head_hash=head.hash, ids=ids)
            maker = MemoMaker(
                chart=chart,
                rng=rng,
                ids=ids,
                chain=chain,
                end=end,
                next_process=Process.objects.aggregate(m=Max("id"))["m"] or 0,
                next_task=Task.objects.aggregate(m=Max("id"))["m"] or 0,
                counters=counters,
            )
            _write_memos(maker, chain, counters, creation_times(rng, memos, start, end), progress, began)
            for (org_id, code, kind, year), (_id, last) in counters.registers.items():
                Register.objects.filter(
                    organisation_id=org_id, document_code=code, year_kind=kind, year=year
                ).update(last_number=last)
            AuditHead.objects.filter(pk=1).update(sequence=chain.sequence, hash=chain.hash)
            _sequences_moved_on()
    finally:
        if later.constraints or later.indexes:
            later.restore(progress)
    # The memos went in around the services, which write each one's search document: write them now.
    progress("search documents")
    # (Dropping its trigram index for the fill and making it again after gains nothing: measured at a million,
    # 80 s of rows and 5 min of GIN build, against about 6.5 min with the index in place.)
    with transaction.atomic():
        memo_search_fill_missing()
    if connection.vendor == "postgresql":
        # VACUUM as well as ANALYZE: the visibility map and hint bits that years of autovacuum would have left.
        # Without them every index-only scan reads the heap too: on the fresh million the head's "all memos I may
        # see" took 427 ms a page instead of 107 (docs/performance.md). 42 s at a million.
        # (ANALYZE alone inside a transaction, where VACUUM cannot run: a test's.)
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        progress(statement)
        with connection.cursor() as cursor:
            cursor.execute(statement)
    return LoadSummary(
        memos=memos,
        organisations=len(chart.organisations),
        people=chart.people,
        seconds=time.monotonic() - began,
        statuses=counters.statuses,
        rows=counters.rows,
        head_with_many=chart.head_with_many,
        executive=chart.executive,
        auditor=chart.auditor,
        officer=chart.officer,
        acting=chart.acting,
    )


def _write_memos(
    maker: MemoMaker,
    chain: Chain,
    counters: Counters,
    times: list[datetime],
    progress: Callable[[str], None],
    began: float,
) -> None:
    writer = Writer()
    try:
        done = 0
        for offset in range(0, len(times), CHUNK):
            chunk = new_chunk()
            maker.start_chunk(chunk)
            batch = times[offset : offset + CHUNK]
            for created in batch:
                maker.make(created)
            chain.flush(chunk["core_auditevent"], upto=batch[-1])
            _count(counters, chunk)
            writer.put(chunk)
            done += len(batch)
            elapsed = time.monotonic() - began
            progress(
                f"{done:>9,} memos  {elapsed:7.0f} s  {done / max(elapsed, 1e-9):7.0f}/s  "
                f"ETA {(len(times) - done) * elapsed / done:5.0f} s"
            )
        tail = new_chunk()
        chain.flush(tail["core_auditevent"])
        _count(counters, tail)
        writer.put(tail)
    finally:
        writer.close()


def _count(counters: Counters, chunk: dict[str, list[Any]]) -> None:
    for table, rows in chunk.items():
        counters.rows[table] = counters.rows.get(table, 0) + len(rows)


def _locked_head() -> AuditHead:
    """The chain's head, locked until the load commits (made from the last event if missing, as core.audit)."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, hash_ = last if last is not None else (0, audit_chain.GENESIS)
    AuditHead.objects.bulk_create([AuditHead(pk=1, sequence=sequence, hash=hash_)], ignore_conflicts=True)
    return AuditHead.objects.select_for_update().get(pk=1)


def _sequences_moved_on() -> None:
    """Explicit ids were written for viewflow's processes and tasks: move PostgreSQL's sequences past them
    (SQLite's AUTOINCREMENT follows the largest id by itself)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("viewflow_process", "viewflow_task"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"  # noqa: S608
            )
