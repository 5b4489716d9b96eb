"""The lockout and the login throttle are counted in the database, shared by every worker process: two real
gunicorn servers against the same PostgreSQL test database, failed sign-ins alternating between them. With
per-process counting neither server would reach the limit."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from org.demo import DEMO_PASSWORD

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two processes share one PostgreSQL database"
    ),
]

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "/api/v1/auth/token/"
TIMEOUT = 60  # seconds for one request (the first one waits for the worker to load Django)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(extra_env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        **extra_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "-b", "127.0.0.1:0", "-w", "1", "--no-control-socket"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    # The socket is bound once gunicorn says where; requests wait in its backlog until the worker is up.
    lines = []
    for raw in process.stderr:
        line = raw.decode(errors="replace")
        lines.append(line)
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
        if found:
            log.write_text("".join(lines))
            return process, found.group(1)
    raise AssertionError("gunicorn did not start:\n" + "".join(lines))


@pytest.fixture
def two_servers(request: pytest.FixtureRequest, demo_org: object, tmp_path: Path) -> Iterator[list[str]]:
    extra_env: dict[str, str] = getattr(request, "param", {})
    # The database cache is not a model table, so a transactional test's flush leaves it: start clean.
    caches["shared"].clear()
    processes: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for n in range(2):
            process, url = _start(extra_env, tmp_path / f"gunicorn-{n}.log")
            processes.append(process)
            urls.append(url)
        assert processes[0].pid != processes[1].pid
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.communicate(
                timeout=30
            )  # drains stderr and waits: no connection left to the test database
        caches["shared"].clear()


def token(url: str, username: str, password: str, i: int) -> requests.Response:
    return requests.post(
        url + TOKEN,
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": f"203.0.113.{i + 1}", "Accept-Language": "th"},
        timeout=TIMEOUT,
    )


def test_failed_sign_ins_alternating_between_two_processes_lock_the_account_on_both(two_servers):
    limit = int(settings.AXES_FAILURE_LIMIT)
    assert limit == 5
    answers = [token(two_servers[i % 2], "nat", "wrong", i).status_code for i in range(limit)]
    assert answers == [400] * (limit - 1) + [429]
    for n, url in enumerate(two_servers):
        response = token(url, "nat", DEMO_PASSWORD, 100 + n)
        assert response.status_code == 429
        body = response.json()
        assert body["code"] == "locked_out"
        assert "ลองใหม่ได้เมื่อ" in body["detail"]
    # the address reached the limit too: another account's right password is refused from it
    assert token(two_servers[0], "rujapa", DEMO_PASSWORD, 200).status_code == 429


@pytest.mark.parametrize("two_servers", [{"LOGIN_THROTTLE_RATE": "3/min"}], indirect=True)
def test_login_throttle_is_shared_by_two_processes(two_servers):
    answers = [token(two_servers[i % 2], f"someone-{i}", "x", i).status_code for i in range(4)]
    assert answers == [400, 400, 400, 429]
