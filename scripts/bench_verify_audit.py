"""Time `manage.py verify_audit` over N audit events (issue 12's budget: 1,000,000 events in under 60 s).

    DATABASE_URL=postgres://.../memoflow_bench .venv/bin/python scripts/bench_verify_audit.py 100000

Appends events with a valid chain (bulk INSERTs, as fast as possible, not through the service) until the log
holds N, then runs verify_audit and prints the time and the rate. Use a scratch database: the events stay."""

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from core import audit_chain  # noqa: E402
from core.models import AuditEvent, AuditHead  # noqa: E402


def fill(target: int) -> None:
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        sequence, previous = head.sequence, head.hash
        start = timezone.now() - timedelta(days=365)
        batch: list[AuditEvent] = []
        while sequence < target:
            sequence += 1
            event = AuditEvent(
                id=uuid.uuid4(),
                sequence=sequence,
                at=start + timedelta(seconds=sequence),
                action="step.approved",
                object_type="memos.memo",
                object_id=str(uuid.uuid4()),
                data={"step": sequence % 7, "ความเห็น": "ทราบ เห็นควรอนุมัติ", "revision": "ab" * 32},
                ip_address="192.0.2.10",
                user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120",
                prev_hash=previous,
            )
            event.hash = previous = audit_chain.chain_hash(
                previous,
                audit_chain.canonical(
                    sequence=sequence,
                    id=event.id,
                    at=event.at,
                    actor_id=None,
                    action=event.action,
                    object_type=event.object_type,
                    object_id=event.object_id,
                    data=event.data,
                    ip_address=event.ip_address,
                    user_agent=event.user_agent,
                ),
            )
            batch.append(event)
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
        AuditHead.objects.filter(pk=1).update(sequence=sequence, hash=previous)


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    began = time.perf_counter()
    fill(target)
    print(f"filled to {target} events in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    call_command("verify_audit")
    took = time.perf_counter() - began
    print(f"verify_audit: {target} events in {took:.1f} s ({target / took:,.0f} events/s)")


if __name__ == "__main__":
    main()
