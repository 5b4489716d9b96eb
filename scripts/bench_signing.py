"""Benchmark (not a test): the demo route with each signatory's PAdES signature, through the step services.

    .venv/bin/python scripts/bench_signing.py              # 10 routes on a fresh SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/memoflow_bench .venv/bin/python scripts/bench_signing.py -n 20
    .venv/bin/python scripts/bench_signing.py --json var/bench-signing.json

Each round loads the seed memo anew and takes it along the demo route as users do: the writer submits (the
round's PDF rendered with its fields, reserved, certified), the acting head co-signs, the ปลัด gives an opinion,
the นายก decides, the archive job closes the PDF (revocation data and the archive timestamp from the local TSA)
and stores it; then the archived file is verified as `POST /api/v1/verify/` does.

Reported apart, as issue 10 asks: the key derivation (Argon2id with the production parameters of
config/settings/base.py, not the test suite's cheap ones) and a step's signature beside it — the block's
appearance laid out by WeasyPrint, the PAdES signature with its timestamp, the stored update
(`signatures.signing.pdf_sign`, timed around the call inside the step's transaction). Target: a step's
signature <= 0.4 s (median and p95).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/memoflow-bench-signing.sqlite3")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p95": _p95(values), "n": len(values)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--routes", type=int, default=10, help="timed routes (after one warm-up)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.MEMOFLOW_PDF_SIGNATURES = True
    settings.MEMOFLOW_TSA_URL = "local"
    settings.MEMOFLOW_SIGNING_KDF = {
        "algorithm": "argon2id",
        "memory_cost": 65536,
        "iterations": 3,
        "lanes": 4,
    }
    media = tempfile.TemporaryDirectory(prefix="memoflow-bench-signing-")
    settings.MEDIA_ROOT = Path(media.name) / "media"
    settings.MEMOFLOW_ARCHIVE_ROOT = Path(media.name) / "archive"

    if connection.vendor == "sqlite":
        Path(settings.DATABASES["default"]["NAME"]).unlink(missing_ok=True)
    else:  # a fresh database: dropped and created again (never point this at a database that matters)
        _recreate_postgres_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0)

    from memos import archive
    from memos.models import Memo
    from org.demo import DEMO_PASSWORD, load_organisation
    from signatures import signing
    from signatures.keystore import unwrap_for_signing
    from signatures.selectors import verification_trust
    from signatures.verification import verify_pdf
    from tests.builders import active_step
    from workflow import services
    from workflow.demo import load_route_template, load_seed_memo

    org = load_organisation()
    load_route_template(org)
    call_command("signing_init", verbosity=0)

    timings: dict[str, list[float]] = {
        "submit": [],
        "approve": [],
        "step_signature": [],
        "archive": [],
        "verify": [],
        "key_derivation": [],
    }
    original = signing.pdf_sign

    def timed_sign(**kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            timings["step_signature"].append(time.perf_counter() - started)

    signing.pdf_sign = timed_sign  # the module attribute pdf_signatures calls

    def clock(name: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = fn()
        timings[name].append(time.perf_counter() - started)
        return result

    sizes: list[float] = []
    for round_ in range(args.routes + 1):
        memo = load_seed_memo(org)
        Memo.objects.filter(pk=memo.pk).update(
            subject=f"{memo.subject} ({round_})"
        )  # the next round: a new one

        def submit(memo: Memo = memo) -> Any:
            return services.memo_submit(memo=memo, actor=memo.writer, password=DEMO_PASSWORD)

        clock("submit", submit)
        for kwargs in ({}, {"opinion": "เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ"}, {"decision": "acknowledged"}):
            step = active_step(memo)

            def approve(step: Any = step, kwargs: dict[str, Any] = kwargs) -> Any:
                return services.step_approve(step=step, actor=step.assignee, password=DEMO_PASSWORD, **kwargs)

            clock("approve", approve)

        def close(memo: Memo = memo) -> Any:
            return services.memo_archive(memo_id=memo.pk)

        clock("archive", close)
        memo.refresh_from_db()
        content = archive.open_archived(memo.archive_file).read_bytes()
        sizes.append(float(len(content)))
        trust = verification_trust()

        def verify(content: bytes = content, trust: Any = trust) -> Any:
            return verify_pdf(content, trust=trust)

        report = clock("verify", verify)
        assert report.valid, report.problems

        def derive(memo: Memo = memo) -> None:
            unwrap_for_signing(person=memo.writer, password=DEMO_PASSWORD).discard()

        clock("key_derivation", derive)
        if round_ == 0:  # warm-up: fonts, templates, the TSA's key
            for values in timings.values():
                values.clear()
            sizes.clear()

    figures = {name: _summary(values) for name, values in timings.items() if values}
    figures["archived_bytes"] = {"median": statistics.median(sizes), "p95": _p95(sizes), "n": len(sizes)}
    print(f"database: {connection.vendor}; {args.routes} routes of 4 signatures (after one warm-up)")
    for name, summary in figures.items():
        unit = "" if name == "archived_bytes" else " s"
        print(
            f"  {name:16} median {summary['median']:.3f}{unit}  p95 {summary['p95']:.3f}{unit}  (n={summary['n']})"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def _recreate_postgres_database(database: dict[str, Any]) -> None:
    import psycopg
    from psycopg import sql

    name = database["NAME"]
    if not str(name).startswith("memoflow_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the benchmark's database is named memoflow_bench*")
    params = {
        k: database[v] for k, v in (("host", "HOST"), ("port", "PORT"), ("user", "USER")) if database.get(v)
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    raise SystemExit(main())
