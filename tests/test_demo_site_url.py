"""`make demo` on another port: the notification e-mails link to the server it started (MEMOFLOW_BASE_URL,
set by scripts/demo.sh from PORT), not to port 8000."""

import os
import shutil
import subprocess
from pathlib import Path

from django.core import mail
from django.test import override_settings

from notifications.models import Kind, Notification
from notifications.tasks import deliver_notifications
from org.demo import DEMO_PASSWORD
from workflow import services

ROOT = Path(__file__).resolve().parent.parent


def _demo_base_url(port: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    if port is not None:
        env["PORT"] = port
    result = subprocess.run(
        [shutil.which("bash") or "/bin/bash", "scripts/lib.sh", "demo_base_url"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_make_demo_derives_the_link_address_from_its_port():
    assert _demo_base_url("8123") == "http://127.0.0.1:8123"
    assert _demo_base_url(None) == "http://127.0.0.1:8000"
    script = (ROOT / "scripts" / "demo.sh").read_text()
    assert 'MEMOFLOW_BASE_URL="${MEMOFLOW_BASE_URL:-$(demo_base_url)}"' in script
    assert "export MEMOFLOW_BASE_URL" in script


@override_settings(MEMOFLOW_BASE_URL="http://127.0.0.1:8123/")
def test_the_notification_links_to_the_configured_address(person):
    memo = services.memo_create(writer=person("rujapa"), subject="ขอความเห็นชอบจัดซื้อวัสดุ", body="ย่อหน้าแรก")
    services.memo_submit(memo=memo, actor=person("rujapa"), password=DEMO_PASSWORD)
    waiting = Notification.objects.get(memo=memo, kind=Kind.STEP_WAITING)

    assert deliver_notifications.call([waiting.pk]) == 1

    (message,) = mail.outbox
    assert f"http://127.0.0.1:8123/memos/{memo.pk}/" in message.body
    assert "8000" not in message.body
