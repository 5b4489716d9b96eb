"""The production stack, as an operator runs it (docs/deployment.md): `collectstatic` under
config.settings.production, then real gunicorn serving config.wsgi on a loopback port, reached the way the
reverse proxy reaches it (`X-Forwarded-Proto: https`). A person signs in through the login page and opens
the memo page, its static files and its PDF, the admin login and the API docs.

PostgreSQL only: production's database is PostgreSQL (docs/deployment.md), and gunicorn, a separate
process, must see the test's committed data, which SQLite's in-memory test database cannot share.
"""

import http.client
import os
import queue
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection

from memos.models import Memo
from org.demo import DEMO_PASSWORD
from org.models import Person
from workflow import demo

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent
HASHED_STATIC = re.compile(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.[a-z0-9]+)"')
# What a browser sends for a document in a frame.
FRAME_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
START_TIMEOUT = 60  # seconds for gunicorn to report its listening socket


def _database_url() -> str:
    """The test database (test_<name>) that this run's tables live in, for the other processes."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


def _production_env(static_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        DATABASE_CONN_MAX_AGE="0",  # no connection left open when the test database is flushed
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # The organisation's keys, as the test process's signing_init wrapped them (docs/deployment.md).
        MEMOFLOW_CA_KEY_PASSPHRASE=settings.MEMOFLOW_CA_KEY_PASSPHRASE,
        MEMOFLOW_SEAL_KEY_PASSPHRASE=settings.MEMOFLOW_SEAL_KEY_PASSPHRASE,
    )
    return env


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Browser:
    """A tiny HTTP client behind a pretend TLS-terminating proxy: it sends `X-Forwarded-Proto: https` and
    keeps the cookies itself (the session and CSRF cookies are Secure, which a real cookie jar would not send
    over the plain loopback connection)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookie_headers: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        https: bool = True,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, *, headers: dict[str, str] | None = None, https: bool = True) -> Response:
        return self.request("GET", path, headers=headers, https=https)

    def post_form(self, path: str, data: dict[str, str]) -> Response:
        return self.request(
            "POST",
            path,
            body=urlencode(data).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            },
        )

    def cookie_attributes(self, name: str) -> str:
        """The last Set-Cookie header that set `name`, lower-cased (its flags)."""
        return next(h for h in reversed(self.set_cookie_headers) if h.startswith(f"{name}=")).lower()


@pytest.fixture
def seed_memo(demo_org) -> Memo:
    """The demo memo, committed (transactional test) so that gunicorn's own connection sees it; rujapa's
    password is stored with production's hasher (the test settings hash with MD5, which production refuses)."""
    demo.load_route_template(demo_org)
    memo = demo.load_seed_memo(demo_org)
    hashed = PBKDF2PasswordHasher().encode(DEMO_PASSWORD, PBKDF2PasswordHasher().salt())
    Person.objects.filter(username="rujapa").update(password=hashed)
    # What the production workers would have done by the time someone opens the memo (every queue, once).
    call_command("db_worker", batch=True, reload=False, startup_delay=False, queue_name="*", verbosity=0)
    return memo


@pytest.fixture
def production_server(seed_memo: Memo, tmp_path: Path) -> Iterator[Browser]:
    env = _production_env(tmp_path / "static")
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()

    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            "127.0.0.1:0",  # the OS picks a free port; gunicorn reports it
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def drain() -> None:  # read gunicorn's log until it ends, so that its pipe never fills
        assert server.stderr is not None
        for line in server.stderr:
            log.append(line)
            lines.put(line)
        lines.put("")

    threading.Thread(target=drain, daemon=True).start()
    try:
        port = None
        while port is None:
            line = lines.get(timeout=START_TIMEOUT)
            assert line, "gunicorn stopped before listening:\n" + "".join(log)
            if match := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line):
                port = int(match.group(1))
        # The socket is bound before the worker boots: requests wait in its backlog, no polling needed.
        yield Browser(port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert not any("Traceback" in line for line in log), "".join(log)


def _assets_are_served(browser: Browser, html: str) -> list[str]:
    assets = HASHED_STATIC.findall(html)
    for asset in assets:
        response = browser.get(asset, headers={"Accept-Encoding": "br, gzip"})
        assert response.status == 200, asset
        assert (
            "immutable" in response.headers["Cache-Control"]
            or "max-age=315360000" in response.headers["Cache-Control"]
        ), (asset, response.headers["Cache-Control"])
    return assets


def test_production_settings_serve_the_app_through_gunicorn(production_server: Browser, seed_memo: Memo):
    browser = production_server

    # Plain HTTP is sent to HTTPS (SECURE_SSL_REDIRECT; the proxy says which scheme it received).
    plain = browser.get("/accounts/login/", https=False)
    assert plain.status == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{browser.port}/accounts/login/"

    # The login page: Thai, its CSS/JS under hashed names, all served; HSTS; not frameable; Secure cookie.
    login = browser.get("/accounts/login/")
    assert login.status == 200
    assert "เข้าสู่ระบบ" in login.text
    assets = _assets_are_served(browser, login.text)
    assert any(a.startswith("/static/css/app.") for a in assets), assets
    assert any(a.startswith("/static/vendor/htmx/htmx.min.") for a in assets), assets
    assert login.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert login.headers["X-Frame-Options"] == "DENY"
    assert login.headers["X-Content-Type-Options"] == "nosniff"
    assert "; secure" in browser.cookie_attributes("csrftoken")

    # Sign in through the form (CSRF token from the page, Origin of the HTTPS site).
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    assert token is not None
    signed_in = browser.post_form(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "username": "rujapa", "password": DEMO_PASSWORD, "next": ""},
    )
    assert signed_in.status == 302, signed_in.text
    session_cookie = browser.cookie_attributes("sessionid")
    assert "; secure" in session_cookie
    assert "; httponly" in session_cookie

    home = browser.get("/")
    assert home.status == 200
    assert home.headers["X-Frame-Options"] == "DENY"

    # The memo page with its static files, and the PDF it frames.
    page = browser.get(f"/memos/{seed_memo.pk}/")
    assert page.status == 200
    assert seed_memo.subject in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    _assets_are_served(browser, page.text)
    pdf_url = f"/api/v1/memos/{seed_memo.pk}/pdf/"
    assert f'<iframe class="pdf-frame" src="{pdf_url}"' in page.text
    pdf = browser.get(pdf_url, headers={"Accept": FRAME_ACCEPT})
    assert pdf.status == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-")
    assert pdf.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN"

    # A missing memo: the Thai 404 page, not a 500 from a missing static file.
    missing = browser.get("/memos/00000000-0000-0000-0000-000000000000/")
    assert missing.status == 404
    assert "ไม่พบหน้าที่ต้องการ" in missing.text

    # The API docs (Swagger UI from the sidecar package, its files hashed and served) and the schema.
    docs = browser.get("/api/docs/")
    assert docs.status == 200
    assert any("swagger-ui" in a for a in _assets_are_served(browser, docs.text))
    schema = browser.get("/api/schema/")
    assert schema.status == 200
    assert b"openapi: 3" in schema.body

    # The admin's login page and its static files.
    admin = browser.get("/admin/login/")
    assert admin.status == 200
    assert any(a.startswith("/static/admin/css/") for a in _assets_are_served(browser, admin.text))

    # Static files that are never served: viewflow's unused front end.
    assert browser.get("/static/viewflow/css/vf-list.css").status == 404


def test_a_writer_signs_and_submits_through_gunicorn_with_production_settings(
    production_server: Browser, seed_memo: Memo
) -> None:
    """The signed route's first step where users take it: production settings (PDF signatures on, no TSA),
    gunicorn's threaded worker forking the render child, the writer's own key opened by her password."""
    from signatures.models import SignatureMethod, SignedPdfUpdate
    from signatures.selectors import verification_trust
    from signatures.signing import signed_pdf
    from signatures.verification import verify_pdf

    call_command("signing_init", verbosity=0)
    browser = production_server
    login = browser.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    assert token is not None
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "username": "rujapa",
        "password": DEMO_PASSWORD,
        "next": "",
    }
    assert browser.post_form("/accounts/login/", data).status == 302
    page = browser.get(f"/memos/{seed_memo.pk}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    submitted = browser.post_form(
        f"/memos/{seed_memo.pk}/",
        {"csrfmiddlewaretoken": token.group(1), "action": "submit", "submit-password": DEMO_PASSWORD},
    )
    assert submitted.status == 302, submitted.text
    memo = Memo.objects.select_related("current_revision").get(pk=seed_memo.pk)
    assert memo.status == "in_review"
    assert memo.signatures.get().method == SignatureMethod.PADES
    current = signed_pdf(revision=memo.current_revision)
    assert current is not None
    assert SignedPdfUpdate.objects.filter(revision=memo.current_revision).count() == 2
    report = verify_pdf(current.content, trust=verification_trust())
    assert report.valid, report.problems
    assert [s.field_name for s in report.signatures] == ["step-0"]
    assert report.signatures[0].certifies == 2
