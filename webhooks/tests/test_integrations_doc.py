"""docs/integrations.md stays true: its `verify` agrees with memoflow's signature, and its LINE relay, run as
written, takes memoflow's real events and pushes each to a stand-in for LINE's push endpoint (with the event id
as LINE's retry key), refuses a forged one, and answers 5xx when LINE fails so that memoflow retries."""

import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.builders import draft_memo, submit
from webhooks.models import DeliveryState, WebhookDelivery
from webhooks.signing import signature
from webhooks.tests.conftest import Answer, Receiver, run_send_jobs

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"
LINE_ID = "U" + "0a" * 16
TOKEN = "line-channel-token"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_documented_verify_accepts_memoflows_signature_and_nothing_else() -> None:
    namespace: dict[str, Any] = {}
    exec(python_blocks()[0], namespace)  # noqa: S102 - our own documentation's code
    verify = namespace["verify"]
    body = '{"id":"e1","text":"ทดสอบ"}'.encode()
    now = time.time()
    header = signature("s3cret", int(now), body)
    assert verify("s3cret", str(int(now)), body, header, now)
    assert not verify("s3cret", str(int(now)), body + b" ", header, now)
    assert not verify("s3cret", str(int(now) - 301), body, signature("s3cret", int(now) - 301, body), now)


@pytest.fixture
def relay(monkeypatch: pytest.MonkeyPatch, receiver: Receiver):
    """The documented relay, as written, in a thread; LINE is the test's receiver."""
    from http.server import ThreadingHTTPServer

    monkeypatch.setenv("MEMOFLOW_SECRET", "placeholder")
    monkeypatch.setenv("LINE_TOKEN", TOKEN)
    monkeypatch.setenv("LINE_PUSH_URL", receiver.url)
    namespace: dict[str, Any] = {"__name__": "line_relay"}
    exec(python_blocks()[1], namespace)  # noqa: S102 - our own documentation's code
    server = ThreadingHTTPServer(("127.0.0.1", 0), namespace["Relay"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield namespace, f"http://127.0.0.1:{server.server_address[1]}/memoflow"
    finally:
        server.shutdown()
        server.server_close()


def test_the_documented_line_relay_pushes_each_event_once_to_the_persons_line(
    relay, endpoint, receiver, person
):
    namespace, url = relay
    signatory = person("ratchawari")
    signatory.line_user_id = LINE_ID
    signatory.save(update_fields=["line_user_id"])
    hook = endpoint(url=url)
    namespace["SECRET"] = hook.secret  # what the administrator copied from the endpoint's page

    receiver.answers = [Answer(500)]  # LINE fails once
    submit(draft_memo())
    assert run_send_jobs() == ["failed"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == 502  # the relay said so, and memoflow will retry
    assert run_send_jobs(delivery.next_attempt_at) == ["delivered"]

    first, second = receiver.received
    assert first.body == second.body
    push = json.loads(second.body)
    assert push == {"to": LINE_ID, "messages": [{"type": "text", "text": delivery.payload["text"]}]}
    assert second.headers["Authorization"] == f"Bearer {TOKEN}"
    assert second.headers["X-Line-Retry-Key"] == str(delivery.pk)  # LINE pushes a retried event once
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED


def test_the_documented_relay_refuses_a_forged_event(relay, endpoint, receiver):
    namespace, url = relay
    endpoint(url=url)
    namespace["SECRET"] = "not the endpoint's secret"
    submit(draft_memo())
    assert run_send_jobs() == ["failed"]
    assert WebhookDelivery.objects.get().last_status_code == 401
    assert receiver.received == []  # nothing reached LINE
