"""A worker killed with `kill -9` in the middle of archiving: another worker takes the job over and the memo is
archived exactly once — one file, one archive event, the job successful. Real worker processes
(`manage.py memoflow_worker`) against the test database on PostgreSQL.

The first worker is stopped at a chosen point by a test hook (core.worker.pause_for_tests: it writes a marker
file and blocks), then killed: after the archived file is written but before the memo row records it, or after
the row is committed but before the job is marked done."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent
from memos import archive
from memos.models import Memo
from workflow.demo import load_route_template, load_seed_memo
from workflow.tests.test_pdf_archive import run_route

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ARCHIVE_TASK = "workflow.tasks.archive_memo"


def database_url() -> str:
    db = connection.settings_dict  # during the tests: the test database
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Worker processes started by a test; any left running are killed at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, **extra_env: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "MEMOFLOW_ARCHIVE_ROOT": str(archive.archive_root()),
            "MEMOFLOW_WORKER_HEARTBEAT_SECONDS": "0.2",
            "MEMOFLOW_WORKER_STALE_SECONDS": "1",
            **extra_env,
        }
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "memoflow_worker",
                "--queue-name=*",
                "--interval=0.1",
                "--no-startup-delay",
                "--no-reload",
                f"--worker-id={name}",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop_all(self) -> None:
        for process in self.started.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, workers: Workers) -> None:
    """Poll for a condition another process brings about (with a deadline; not a sleep standing in for it)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {name}\n{workers.log(name)}" for name in workers.started)
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.05)


def job_status(job_id: Any) -> str:
    return str(DBTaskResult.objects.values_list("status", flat=True).get(pk=job_id))


@pytest.mark.parametrize(
    "pause_at",
    ["archive_stored", f"job_done:{ARCHIVE_TASK}"],
    ids=["file-written-row-not-updated", "row-updated-job-not-done"],
)
def test_a_worker_killed_mid_archive_is_replaced_and_the_memo_archived_once(
    pause_at: str, demo_org: Any, person: Any, tmp_path: Path, settings: Any, workers: Workers
) -> None:
    settings.MEMOFLOW_ARCHIVE_ROOT = tmp_path / "archive"
    load_route_template(demo_org)
    memo = run_route(load_seed_memo(demo_org), person)
    assert memo.status == "completed"
    job = DBTaskResult.objects.get(task_path=ARCHIVE_TASK)
    marker = tmp_path / "paused"

    first = workers.start("worker-1", MEMOFLOW_TEST_PAUSE_AT=pause_at, MEMOFLOW_TEST_PAUSE_MARKER=str(marker))
    wait_until(marker.exists, timeout=60, what="the first worker to reach the pause point", workers=workers)
    assert job_status(job.pk) == "RUNNING"
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    assert job_status(job.pk) == "RUNNING"  # what django-tasks-db alone leaves forever

    killed_at = time.monotonic()
    second = workers.start("worker-2")
    wait_until(
        lambda: job_status(job.pk) == "SUCCESSFUL",
        timeout=60,
        what="the second worker to take the job over",
        workers=workers,
    )
    recovered_in = time.monotonic() - killed_at
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0

    memo = Memo.objects.get(pk=memo.pk)
    assert memo.status == "archived"
    files = sorted(
        p.relative_to(archive.archive_root()).as_posix() for p in archive.archive_root().rglob("*.pdf")
    )
    assert files == [memo.archive_file]
    assert archive.sha256_of(archive.archive_root() / memo.archive_file) == memo.archive_sha256
    events = AuditEvent.objects.filter(object_id=str(memo.pk), action="memo.archived")
    assert [(e.data["file"], e.data["sha256"]) for e in events] == [(memo.archive_file, memo.archive_sha256)]
    job.refresh_from_db()
    assert job.worker_ids == ["worker-1", "worker-2"]
    assert job.return_value == memo.archive_sha256
    call_command("archive_check", verbosity=0)
    print(f"{pause_at}: job taken over and finished {recovered_in:.1f} s after the kill")
