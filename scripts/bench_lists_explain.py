"""Time every list and the search (issue 12) against the database DATABASE_URL names, as its users see them:
each request through the whole Django stack (middleware, authentication, view, serializer or template), N times
after one warm-up; prints the median and p95 per list and person, and with --explain the EXPLAIN (ANALYZE,
BUFFERS) of each list's main query.

    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_lists_explain.py --people p331 p301 p1 p1000 auditor -n 30

The people are usernames of the database (a generated one: `manage.py generate_load`, or the synthetic fill
described in docs/performance.md). Read-only: it changes nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from org.models import Person  # noqa: E402


def lists_for(common: str, number: str, rare: str) -> tuple[list[Any], list[Any]]:
    api = [
        ("tasks (API)", "/api/v1/tasks/", {}),
        ("my memos (API)", "/api/v1/memos/", {"box": "authored"}),
        ("done by me (API)", "/api/v1/memos/", {"box": "done"}),
        ("all I may see (API)", "/api/v1/memos/", {"box": "all"}),
        ("all, status=completed", "/api/v1/memos/", {"box": "all", "status": "completed"}),
        ("all, urgency=most_urgent", "/api/v1/memos/", {"box": "all", "urgency": "most_urgent"}),
        ("all, page 5", "/api/v1/memos/", {"box": "all", "page": "5"}),
        (f"done, q={common}", "/api/v1/memos/", {"box": "done", "q": common}),
        (f"search {common} (common)", "/api/v1/search/", {"q": common}),
        (f"search {number} (a number)", "/api/v1/search/", {"q": number}),
        (f"search {rare} (rare)", "/api/v1/search/", {"q": rare}),
    ]
    pages = [
        ("my tasks page", "/", {}),
        ("my memos page", "/memos/", {}),
        ("done by me page", "/memos/done/", {}),
        (f"all memos page, q={common}", "/memos/all/", {"q": common}),
    ]
    return api, pages


def timed(client: Any, path: str, params: dict[str, str], n: int) -> tuple[float, float, int, str]:
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="th")  # warm-up
    assert response.status_code == 200, (path, params, response.status_code, response.content[:300])
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(path, params, HTTP_ACCEPT_LANGUAGE="th")
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    with CaptureQueriesContext(connection) as queries:
        client.get(path, params, HTTP_ACCEPT_LANGUAGE="th")
    main = max(queries.captured_queries, key=lambda q: float(q["time"]))["sql"]
    return statistics.median(times), p95, len(response.content), main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", nargs="+", required=True)
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="", help="only the lists whose label contains this")
    parser.add_argument("--common", default="ประชุมสภา", help="a search term in many memos")
    parser.add_argument("--number", default="32801/1", help="a memo number, in Arabic digits")
    parser.add_argument("--rare", default="ครั้งที่ 4711", help="a search term in few memos")
    args = parser.parse_args()
    print(f"{'person':<10} {'list':<32} {'median ms':>10} {'p95 ms':>8} {'bytes':>8}")
    for username in args.people:
        person = Person.objects.get(username=username)
        api = APIClient()
        api.force_authenticate(person)
        web = Client()
        web.force_login(person)
        api_lists, page_lists = lists_for(args.common, args.number, args.rare)
        lists = [(*a, api) for a in api_lists] + [(*p, web) for p in page_lists]
        for label, path, params, client in lists:
            if args.only not in label:
                continue
            median, p95, size, sql = timed(client, path, params, args.n)
            print(f"{username:<10} {label:<32} {median:>10.1f} {p95:>8.1f} {size:>8}", flush=True)
            if args.explain:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    print("\n".join("    " + row[0] for row in cursor.fetchall()), flush=True)


if __name__ == "__main__":
    main()
