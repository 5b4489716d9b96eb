"""Production settings refuse to start without their required values; with them, check --deploy is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "SECRET_KEY": "k8#vP2!qz7@Lm4$Rt9^Wx1&Yb6*Nc3(Hd5)Fg0_Js-Ua+Ee=Oi~Pr",
    "ALLOWED_HOSTS": "memo.example.go.th",
    "DATABASE_URL": "postgres://memoflow@127.0.0.1:5432/memoflow",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "MEMOFLOW_BASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set for production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", env={**GOOD, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


BASE_URL = "from django.conf import settings; print(settings.MEMOFLOW_BASE_URL)"


def test_production_links_to_the_sites_own_address_not_to_port_8000():
    """E-mails and webhooks link to MEMOFLOW_BASE_URL; in production it defaults to the first allowed host over
    https, and a wildcard host or an address that is not http(s) stops start-up with a message."""
    assert (
        run_manage("shell", "-v", "0", "-c", BASE_URL, env=GOOD).stdout.strip()
        == "https://memo.example.go.th"
    )
    given = {**GOOD, "MEMOFLOW_BASE_URL": "https://saraban.nongson.go.th/memoflow/"}
    assert (
        run_manage("shell", "-v", "0", "-c", BASE_URL, env=given).stdout.strip()
        == "https://saraban.nongson.go.th/memoflow"
    )
    wildcard = run_manage("check", env={**GOOD, "ALLOWED_HOSTS": "*"})
    assert wildcard.returncode != 0
    assert "MEMOFLOW_BASE_URL must be set" in wildcard.stderr
    bad = run_manage("check", env={**GOOD, "MEMOFLOW_BASE_URL": "memo.example.go.th"})
    assert bad.returncode != 0
    assert "http(s) address" in bad.stderr


def test_check_deploy_reports_no_issues_with_the_required_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_postgresql_connections_run_without_jit_unless_asked(monkeypatch):
    """Issue 12: the JIT compiled the lists' plans for 0.25-0.8 s a query at a million memos."""
    from config.settings.base import database_from_env

    url = "postgres://memoflow@127.0.0.1:5432/memoflow"
    assert database_from_env(url)["OPTIONS"]["options"] == "-c jit=off"
    assert (
        database_from_env(url + "?options=-c%20work_mem%3D64MB")["OPTIONS"]["options"] == "-c work_mem=64MB"
    )
    assert "options" not in database_from_env("sqlite:////tmp/x.sqlite3")["OPTIONS"]
    monkeypatch.setenv("DATABASE_JIT", "true")
    assert "options" not in database_from_env(url).get("OPTIONS", {})


@pytest.mark.parametrize(
    "value", ["audit_checkpoint=25:00", "audit_checkpoint=1am", "audit_checkpoint=never"]
)
def test_a_scheduled_job_time_that_is_no_time_of_day_stops_start_up(value):
    result = run_manage("check", env={**GOOD, "MEMOFLOW_SCHEDULE": value})
    assert result.returncode != 0
    assert (
        f"MEMOFLOW_SCHEDULE: {value}: give a time of day as HH:MM (00:00 to 23:59) or 'off'" in result.stderr
    )


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("MEMOFLOW_REMINDER_AT", "8:30am", "MEMOFLOW_REMINDER_AT must be a time as HH:MM"),
        ("MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS", "0", "MEMOFLOW_ESCALATE_AFTER_WORKING_DAYS takes 1 to 60"),
        ("MEMOFLOW_REMINDER_SCAN_MINUTES", "7", "MEMOFLOW_REMINDER_SCAN_MINUTES must divide an hour"),
    ],
)
def test_reminder_settings_that_make_no_sense_stop_start_up(name, value, says):
    result = run_manage("check", env={**GOOD, name: value})
    assert result.returncode != 0
    assert says in result.stderr
