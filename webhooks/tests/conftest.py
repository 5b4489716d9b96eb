"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) that records each request and answers as told,
and builders for endpoints and for running the queued send jobs as the worker would."""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from webhooks import services
from webhooks.models import WebhookEndpoint

SEND = "webhooks.tasks.send_webhook"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    #: Bytes of body sent after the headers without end (until the client goes or this many are written).
    endless: int = 0


class Receiver:
    """Answers each request with the next of `answers` (then 200); `received` lists the requests."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        self.written = 0
        self.hold: threading.Event | None = None  # when set: each request waits for it before answering
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    answer = receiver.answers.pop(0) if receiver.answers else Answer()
                if receiver.hold is not None:
                    receiver.hold.wait(10)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.endless:
                    self.send_header("Content-Length", str(answer.endless))
                    self.end_headers()
                    chunk = b"x" * 65536
                    try:
                        while receiver.written < answer.endless:
                            self.wfile.write(chunk)
                            receiver.written += len(chunk)
                    except OSError:
                        pass
                    return
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def endpoint(demo_org: Any, receiver: Receiver) -> Callable[..., WebhookEndpoint]:
    """An endpoint saved through the service (audited), posting to the receiver."""

    def make(kinds: tuple[str, ...] = ("step.waiting",), **fields: Any) -> WebhookEndpoint:
        fields.setdefault("url", receiver.url)
        return services.webhook_endpoint_save(
            endpoint=WebhookEndpoint(name=fields.pop("name", "relay"), kinds=list(kinds), **fields)
        )

    return make


DELIVER = "notifications.tasks.deliver_notifications"


def run_delivery_jobs() -> None:
    """Run the notifications' delivery jobs still queued (they make the webhook deliveries and their send
    jobs), as the worker would: found by their task path, as the worker finds them."""
    for job in DBTaskResult.objects.filter(task_path=DELIVER, status="READY").order_by("enqueued_at", "id"):
        import_string(job.task_path).func(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=job.pk).update(status="SUCCESSFUL")


def send_jobs(**filters: Any) -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path=SEND, **filters).order_by("enqueued_at", "id"))


def run_send_jobs(now: datetime | None = None) -> list[str]:
    """Run every queued send job whose time has come at `now`, once each, as the worker would (its clock at
    `now`); what each returned."""
    run_delivery_jobs()
    now = now or timezone.now()
    outcomes = []
    for job in send_jobs(status="READY"):
        if job.run_after is not None and job.run_after.year < 9999 and job.run_after > now:  # 9999: none
            continue
        outcomes.append(services.webhook_delivery_attempt(delivery_id=job.args_kwargs["args"][0], now=now))
        DBTaskResult.objects.filter(pk=job.pk).update(status="SUCCESSFUL")
    return outcomes
