"""Time the audit search (workflow.audit_search: the auditor's page, its CSV and GET /api/v1/audit/) over N events.

    DATABASE_URL=postgres://.../memoflow_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://.../memoflow_bench .venv/bin/python scripts/bench_audit_search.py 1000000

Fills the log up to N events with bulk INSERTs (varied events, people, memos and days; the hashes are NOT a valid
chain: use a scratch database, the events stay), then times one page (50 rows) of each filter, 30 runs each,
and the whole CSV of one event code. Prints medians and p95 in milliseconds."""

import os
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from datetime import date, timedelta  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.audit_labels import EVENT_LABELS  # noqa: E402
from core.models import AuditEvent, AuditHead  # noqa: E402
from org.models import Person  # noqa: E402
from workflow.audit_search import AuditFilters, audit_events, audit_page, csv_lines  # noqa: E402

ACTIONS = sorted(EVENT_LABELS)
MEMOS = [str(uuid.uuid4()) for _ in range(50_000)]


def fill(target: int) -> None:
    people = list(Person.objects.values_list("pk", flat=True))
    if not people:
        from org.demo import load_organisation

        load_organisation()
        people = list(Person.objects.values_list("pk", flat=True))
    head = AuditHead.objects.filter(pk=1).first()
    sequence = head.sequence if head else 0
    start = timezone.now() - timedelta(days=3 * 365)
    step = (3 * 365 * 86400) / max(target, 1)
    while sequence < target:
        batch = []
        for _ in range(min(10_000, target - sequence)):
            sequence += 1
            batch.append(
                AuditEvent(
                    id=uuid.uuid4(),
                    sequence=sequence,
                    at=start + timedelta(seconds=sequence * step),
                    actor_id=people[sequence % len(people)] if sequence % 13 else None,
                    # skewed like a real log: most events are step and memo events
                    action=ACTIONS[(sequence * 7) % len(ACTIONS)] if sequence % 3 == 0 else "step.approved",
                    object_type="memos.memo",
                    object_id=MEMOS[sequence % len(MEMOS)],
                    data={"step": sequence % 7, "position": "ปลัดองค์การบริหารส่วนตำบล", "round": 1},
                    ip_address="192.0.2.10",
                    user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120",
                    prev_hash="0" * 64,
                    hash=f"{sequence:064x}",
                )
            )
        with transaction.atomic():
            AuditEvent.objects.bulk_create(batch)
        print(f"\r{sequence:,} events", end="", file=sys.stderr, flush=True)
    with transaction.atomic():
        AuditHead.objects.update_or_create(pk=1, defaults={"sequence": sequence, "hash": f"{sequence:064x}"})
    print(file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_auditevent")


def timed(label: str, run: object, runs: int = 30) -> None:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        run()  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"| {label} | {statistics.median(times):.1f} | {p95:.1f} |")


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    fill(target)
    total = AuditEvent.objects.count()
    person = (
        Person.objects.get(username="ratchawari") if Person.objects.filter(username="ratchawari") else None
    )
    middle = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[total // 2]
    day = timezone.localdate() - timedelta(days=400)
    print(f"{connection.vendor}, {total:,} events\n")
    print("| One page (50 events) | median ms | p95 ms |\n| --- | --- | --- |")
    timed("everything, newest first", lambda: audit_page(filters=AuditFilters()))
    timed("half-way down (`before`)", lambda: audit_page(filters=AuditFilters(), before=middle))
    timed("one memo (id)", lambda: audit_page(filters=AuditFilters(memo=MEMOS[123])))
    if person:
        timed("one person (username)", lambda: audit_page(filters=AuditFilters(actor=person.username)))
        timed("one person (a word of the name)", lambda: audit_page(filters=AuditFilters(actor="ราชวรี")))
    timed("a rare event code", lambda: audit_page(filters=AuditFilters(action="signing_key.revoked")))
    timed("a common event code", lambda: audit_page(filters=AuditFilters(action="step.approved")))
    timed("one day", lambda: audit_page(filters=AuditFilters(date_from=day, date_to=day)))
    timed(
        "a month", lambda: audit_page(filters=AuditFilters(date_from=day, date_to=day + timedelta(days=30)))
    )
    if person:
        timed(
            "person + code + a year",
            lambda: audit_page(
                filters=AuditFilters(
                    actor=person.username, action="step.approved", date_from=date(day.year, 1, 1), date_to=day
                )
            ),
        )
    code = "memo.submitted"
    rows = AuditEvent.objects.filter(action=code).count()
    began = time.perf_counter()
    size = sum(
        len(line) for line in csv_lines(audit_events(filters=AuditFilters(action=code)).iterator(2000))
    )
    seconds = time.perf_counter() - began
    print(
        f"\nCSV of `{code}`: {rows:,} rows, {size / 1e6:.1f} MB of text in {seconds:.2f} s ({rows / seconds:,.0f} rows/s)"
    )
    tracemalloc.start()
    began = time.perf_counter()
    size = sum(
        len(line) for line in csv_lines(audit_events(filters=AuditFilters(action=code)).iterator(2000))
    )
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"The same under tracemalloc: peak Python memory {peak / 1e6:.1f} MB ({seconds:.1f} s, traced so slower)"
    )


if __name__ == "__main__":
    main()
