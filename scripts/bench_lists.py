"""Benchmark (not a test): every list a person opens, and an approve, against a database made by
`manage.py generate_load` (issue 12: one million memos).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/memoflow_loadbig .venv/bin/python scripts/bench_lists.py \
        --runs 20 --json var/bench-lists.json

Each list is requested as the person it is for (the head with hundreds of waiting tasks, the executive, the
auditor, an officer), without filters, with a filter and with a search term, through Django's full stack
in-process (test Client: middleware, session or token authentication, templates, DRF) without an HTTP socket:
median and p95 of the wall-clock time, SQL statements and response size. Lists are found by URL name; a name
that does not exist (yet) is reported as skipped. The approve benchmark writes: it creates memos in the
smallest organisation through the services and signs them through the API (`--approves`, 0 to skip).

Settings: config.settings.test (the tests' MD5 password hasher: an approve's figures are the engine's, not
PBKDF2's; generate the database with the same settings).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# MEMOFLOW_ROOT: another checkout's code (e.g. main's, for "before" figures); default this one.
ROOT = Path(os.environ.get("MEMOFLOW_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/memoflow_loadbig")

PASSWORD = "memoflow-demo"
HEAD = "lao001.office.head"
EXECUTIVE = "lao001.nayok"
AUDITOR = "lao.auditor"
OFFICER = "lao001.pr.1"
# A Thai word inside compounds ("ขออนุมัติจัดซื้อวัสดุ…"), and a number typed with Arabic digits.
WORD = "จัดซื้อ"
NUMBER = "52001/15"

# (label, URL names to try in order, person, query variants)
BASE: dict[str, dict[str, str]] = {"": {}}
MEMO_VARIANTS = {
    "": {},
    "status": {"status": "archived"},
    "urgency": {"urgency": "urgent"},
    "search word": {"q": WORD},
    "search number": {"q": NUMBER},
}
CASES: list[tuple[str, list[str], str, dict[str, dict[str, str]], dict[str, str]]] = [
    ("my tasks page", ["home"], HEAD, {"": {}, "search word": {"q": WORD}}, {}),
    ("my tasks page (executive)", ["home"], EXECUTIVE, BASE, {}),
    ("my memos page", ["memo-list-mine"], OFFICER, MEMO_VARIANTS, {}),
    ("done by me page", ["memo-list-done"], HEAD, MEMO_VARIANTS, {}),
    ("all memos page", ["memo-list-all", "memo-list"], HEAD, MEMO_VARIANTS, {}),
    (
        "search page",
        ["search", "memo-search"],
        HEAD,
        {"search word": {"q": WORD}, "search number": {"q": NUMBER}},
        {},
    ),
    ("register page", ["register", "memo-register", "register-page"], EXECUTIVE, BASE, {}),
    (
        "audit search page",
        ["audit-search", "audit-events", "audit"],
        AUDITOR,
        {"": {}, "action": {"action": "step.approved"}},
        {},
    ),
    ("api tasks", ["api-tasks"], HEAD, BASE, {}),
    ("api tasks (executive)", ["api-tasks"], EXECUTIVE, BASE, {}),
    ("api memos box=all", ["api-memos"], HEAD, MEMO_VARIANTS, {"box": "all"}),
    ("api memos box=all (executive)", ["api-memos"], EXECUTIVE, MEMO_VARIANTS, {"box": "all"}),
    ("api memos box=all (auditor)", ["api-memos"], AUDITOR, MEMO_VARIANTS, {"box": "all"}),
    ("api memos box=authored", ["api-memos"], OFFICER, MEMO_VARIANTS, {"box": "authored"}),
    ("api memos box=done", ["api-memos"], HEAD, MEMO_VARIANTS, {"box": "done"}),
    ("api search", ["api-search"], HEAD, {"search word": {"q": WORD}, "search number": {"q": NUMBER}}, {}),
    ("api search (auditor)", ["api-search"], AUDITOR, {"search word": {"q": WORD}}, {}),
    (
        "api audit",
        ["api-audit", "api-audit-events"],
        AUDITOR,
        {"": {}, "action": {"action": "step.approved"}},
        {},
    ),
]


def _is_transaction_control(sql: str) -> bool:
    return sql.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT"))


def _summary(times: list[float], queries: list[int], sizes: list[int]) -> dict[str, Any]:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "queries": int(statistics.median(queries)),
        "queries_max": max(queries),
        "bytes": int(statistics.median(sizes)),
    }


def bench_lists(runs: int, only: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from rest_framework.test import APIClient

    from org.models import Person

    clients: dict[tuple[str, bool], Any] = {}

    def client_for(username: str, api: bool) -> Any:
        key = (username, api)
        if key not in clients:
            person = Person.objects.get(username=username)
            client = APIClient() if api else Client()
            client.force_login(person)
            clients[key] = client
        return clients[key]

    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for label, names, username, variants, fixed in CASES:
        if only and only not in label:
            continue
        url = None
        for name in names:
            try:
                url = reverse(name)
                break
            except NoReverseMatch:
                continue
        if url is None:
            skipped.append(f"{label} (no URL named {' / '.join(names)})")
            continue
        client = client_for(username, label.startswith("api"))
        for variant, params in variants.items():
            query = {**fixed, **params}
            times: list[float] = []
            queries: list[int] = []
            sizes: list[int] = []
            for run in range(runs + 1):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url, query)
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    skipped.append(f"{label} {variant}: HTTP {response.status_code}")
                    break
                if run == 0:
                    continue  # warm-up: the connection, caches, the first plan
                times.append(elapsed)
                queries.append(
                    sum(1 for q in captured.captured_queries if not _is_transaction_control(q["sql"]))
                )
                sizes.append(len(response.content))
            if not times:
                continue
            row = {"list": label, "variant": variant or "-", "user": username, "url": url, "params": query}
            row.update(_summary(times, queries, sizes))
            rows.append(row)
            print(
                f"{label:<32} {variant or '-':<14} {row['median_ms']:>9} {row['p95_ms']:>9} "
                f"{row['queries']:>4} {row['bytes']:>9,}",
                flush=True,
            )
    return rows, skipped


def bench_approve(count: int) -> list[dict[str, Any]]:
    """`count` memos written in the smallest organisation, each signed at its three steps through the API;
    the middle one (the ปลัด's opinion, step 2 of 3) is the issue's figure."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from org.models import Person
    from workflow import services
    from workflow.models import RouteStep, StepState

    writer = Person.objects.filter(username__regex=r"^lao[0-9]+\.pr\.1$").order_by("-username").first()
    if writer is None:
        raise SystemExit("no generated officer (lao*.pr.1): run manage.py generate_load first")
    clients: dict[Any, APIClient] = {}

    def api(person: Person) -> APIClient:
        if person.pk not in clients:
            client = APIClient()
            token = client.post(
                "/api/v1/auth/token/", {"username": person.username, "password": PASSWORD}, format="json"
            )
            if token.status_code != 200:
                raise SystemExit(f"token for {person.username}: {token.status_code} {token.content[:200]!r}")
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
            clients[person.pk] = client
        return clients[person.pk]

    measured: dict[str, tuple[list[float], list[int], list[int]]] = {}
    bodies = {
        1: {"password": PASSWORD},
        2: {"password": PASSWORD, "opinion": "เห็นควรอนุมัติ"},
        3: {"password": PASSWORD, "decision": "approved"},
    }
    labels = {
        1: "approve (cosign, step 1)",
        2: "approve (middle: opinion, step 2 of 3)",
        3: "approve (decision, last)",
    }
    for index in range(count + 1):
        memo = services.memo_create(
            writer=writer, subject=f"ขออนุมัติจัดซื้อวัสดุสำนักงาน (bench {index + 1})", body="จึงเรียนมาเพื่อโปรดพิจารณา"
        )
        services.memo_submit(memo=memo, actor=writer, password=PASSWORD)
        for order in (1, 2, 3):
            step = RouteStep.objects.select_related("assignee").get(memo=memo, state=StepState.ACTIVE)
            assert step.order == order, (step.order, order)
            assert step.assignee is not None
            client = api(step.assignee)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(f"/api/v1/tasks/{step.pk}/approve/", bodies[order], format="json")
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"approve step {order}: {response.status_code} {response.content[:300]!r}")
            if index == 0:
                continue  # warm-up
            sql = [q["sql"] for q in captured.captured_queries]
            times, queries, tx = measured.setdefault(labels[order], ([], [], []))
            times.append(elapsed)
            queries.append(sum(1 for s in sql if not _is_transaction_control(s)))
            tx.append(sum(1 for s in sql if _is_transaction_control(s)))
    rows = []
    for label, (times, queries, tx) in measured.items():
        row: dict[str, Any] = {"action": label}
        row.update(_summary(times, queries, [0]))
        row.pop("bytes")
        row["transaction_control"] = max(tx)
        rows.append(row)
        print(
            f"{label:<40} {row['median_ms']:>9} {row['p95_ms']:>9} {row['queries']:>4} (+{row['transaction_control']} tx)"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="requests per list and variant (after one warm-up)"
    )
    parser.add_argument("--approves", type=int, default=20, help="memos signed through the API (0: none)")
    parser.add_argument("--only", help="only the lists whose label contains this")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import OperationalError, connection

    from memos.models import Memo
    from org.models import Person

    try:
        generated = Person.objects.filter(username=HEAD).exists()
    except OperationalError as exc:
        print(f"skipped: cannot read {connection.settings_dict['NAME']}: {str(exc).strip().splitlines()[0]}")
        return 0
    if not generated:
        print(f"skipped: {connection.settings_dict['NAME']} has no generated data (manage.py generate_load)")
        return 0
    memos = Memo.objects.count()
    print(
        f"memoflow lists benchmark: {memos:,} memos in {connection.settings_dict['NAME']} ({connection.vendor})"
    )
    print(f"{'list':<32} {'variant':<14} {'median ms':>9} {'p95 ms':>9} {'q':>4} {'bytes':>9}")
    rows, skipped = bench_lists(args.runs, args.only)
    for line in skipped:
        print(f"skipped: {line}")
    approve = bench_approve(args.approves) if args.approves else []
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "database": connection.vendor,
                    "memos": memos,
                    "runs": args.runs,
                    "lists": rows,
                    "skipped": skipped,
                    "approve": approve,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
