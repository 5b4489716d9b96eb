"""Benchmark (not a test): drive the seed memo's route through API v1 and report time and SQL per action.

    make bench                      # PostgreSQL at DATABASE_URL or 127.0.0.1:5432, 30 memos
    .venv/bin/python scripts/bench_api.py --memos 50 --json var/bench.json

It creates a throwaway database (test_<name>), loads the demo organisation, then for each memo: rujapa creates
it, submits it (password step-up), ratchawari co-signs (acting รักษาการแทน), nat writes an opinion, yutthana
decides; plus each signer's task list. Requests go through Django's full stack in-process (middleware, token
authentication, DRF) without an HTTP socket, so the figures are the server's own work.
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/memoflow_bench")


def _is_transaction_control(sql: str) -> bool:
    return sql.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT"))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--memos", type=int, default=30, help="memos driven through the whole route")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--fast-hasher",
        action="store_true",
        help="use the tests' MD5 hasher, to see the engine's cost without the password check's PBKDF2 work",
    )
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    if not args.fast_hasher:
        # Production's hasher: each step-up password check costs what it costs a real signer.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from rest_framework.test import APIClient

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from org.demo import DEMO_PASSWORD, load_organisation

        load_organisation()

        clients: dict[str, Any] = {}
        for username in ("rujapa", "ratchawari", "nat", "yutthana"):
            client = APIClient()
            token = client.post(
                "/api/v1/auth/token/", {"username": username, "password": DEMO_PASSWORD}, format="json"
            )
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
            clients[username] = client
        from django.test import Client

        from org.models import Person

        browser = Client()  # a signed-in browser session for the web pages
        browser.force_login(Person.objects.get(username="ratchawari"))
        page_bytes: list[int] = []

        timings: dict[str, list[float]] = defaultdict(list)
        queries: dict[str, list[int]] = defaultdict(list)
        transaction_control: dict[str, int] = {}

        def call(action: str, username: str, method: str, url: str, data: Any = None) -> Any:
            client = clients.get(username)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if username == "browser":
                    response = browser.get(url)
                else:
                    response = getattr(client, method)(url, data, format="json")
                elapsed = time.perf_counter() - started
            if response.status_code >= 400:
                raise SystemExit(f"{action} by {username}: {response.status_code} {response.content[:300]!r}")
            timings[action].append(elapsed)
            statements = [q["sql"] for q in captured.captured_queries]
            queries[action].append(sum(1 for sql in statements if not _is_transaction_control(sql)))
            transaction_control[action] = sum(1 for sql in statements if _is_transaction_control(sql))
            if username == "browser":
                page_bytes.append(len(response.content))
                return None
            return response.json()

        def my_task(username: str) -> str:
            tasks = call("task list", username, "get", "/api/v1/tasks/")["results"]
            return str(tasks[0]["id"])

        for index in range(args.memos):
            memo = call(
                "create",
                "rujapa",
                "post",
                "/api/v1/memos/",
                {
                    "subject": f"รายงานผลการดำเนินการ ฉบับที่ {index + 1}",
                    "body": "ย่อหน้าที่หนึ่ง\nจึงเรียนมาเพื่อโปรดทราบ",
                },
            )
            call(
                "submit", "rujapa", "post", f"/api/v1/memos/{memo['id']}/submit/", {"password": DEMO_PASSWORD}
            )
            # The web page a signer opens most: ratchawari's tasks, with this memo waiting in it.
            call("my tasks page (HTML)", "browser", "get", "/")
            call(
                "approve (cosign)",
                "ratchawari",
                "post",
                f"/api/v1/tasks/{my_task('ratchawari')}/approve/",
                {"password": DEMO_PASSWORD},
            )
            call(
                "approve (opinion)",
                "nat",
                "post",
                f"/api/v1/tasks/{my_task('nat')}/approve/",
                {"password": DEMO_PASSWORD, "opinion": "เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ"},
            )
            call(
                "approve (decision)",
                "yutthana",
                "post",
                f"/api/v1/tasks/{my_task('yutthana')}/approve/",
                {"password": DEMO_PASSWORD, "decision": "acknowledged"},
            )
            call("memo detail", "rujapa", "get", f"/api/v1/memos/{memo['id']}/")

        rows = []
        for action in timings:
            ordered = sorted(timings[action])
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            rows.append(
                {
                    "action": action,
                    "n": len(ordered),
                    "median_ms": round(statistics.median(ordered) * 1000, 1),
                    "p95_ms": round(p95 * 1000, 1),
                    "queries_median": int(statistics.median(queries[action])),
                    "queries_max": max(queries[action]),
                    "begin_commit": transaction_control[action],
                }
            )
        hasher = "MD5 (tests)" if args.fast_hasher else "PBKDF2 (production default)"
        print(
            f"memoflow API benchmark: {args.memos} memos through the seed route on {connection.vendor}, {hasher}"
        )
        print("queries: SQL statements per request, BEGIN/COMMIT counted apart (+tx)")
        print(
            f"{'action':<20} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'max q':>6} {'+tx':>4}"
        )
        for row in rows:
            print(
                f"{row['action']:<20} {row['n']:>4} {row['median_ms']:>10} {row['p95_ms']:>8} "
                f"{row['queries_median']:>8} {row['queries_max']:>6} {row['begin_commit']:>4}"
            )
        if page_bytes:
            print(
                f"my tasks page: {max(page_bytes):,} bytes of HTML at most (static files cached by the browser)"
            )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(
                json.dumps(
                    {"database": connection.vendor, "hasher": hasher, "memos": args.memos, "rows": rows},
                    indent=1,
                )
            )
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
