"""Browser tests: pytest-playwright driving Debian's Chromium (/usr/bin/chromium; never `playwright install`)."""

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from org.demo import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LAPTOP = {"width": 1366, "height": 768}
SIZES = {"phone": PHONE, "laptop": LAPTOP}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium "
    "(apt-get install chromium; `bash scripts/lib.sh ensure_test_browser` does it as root)",
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


class _InFlight(threading.Condition):
    """How many requests the SQLite live server has accepted and not finished (see below)."""

    count = 0


_IN_FLIGHT = _InFlight()


def _wait_for_requests_in_flight(timeout: float = 10.0) -> None:
    """After the browser contexts are closed, let the live server finish the requests it had already taken
    (the memo page's PDF poll, say) before the test database is flushed: on SQLite one of them running during
    the flush failed the test at teardown with "database schema is locked"."""
    with _IN_FLIGHT:
        _IN_FLIGHT.wait_for(lambda: _IN_FLIGHT.count == 0, timeout=timeout)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite() -> Iterator[None]:
    """On SQLite the live server's threads share the test database's one in-memory connection, which is not
    safe to use from two threads at once; since the memo page polls for its PDF (htmx, every 2 s), two requests
    can overlap and SQLite answers "bad parameter or other API misuse". There, the application handles one
    request at a time, body and close included (closing a response ends the request, which touches the
    connection); connections are still accepted by a thread each, so an idle browser socket blocks nothing.
    PostgreSQL keeps the server as it is: each thread has its own connection."""
    from django.conf import settings
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    lock = threading.Lock()

    class OneAtATime(ThreadedWSGIServer):
        def set_app(self, application: Any) -> None:
            def serialised(environ: Any, start_response: Any) -> list[bytes]:
                with _IN_FLIGHT:
                    _IN_FLIGHT.count += 1
                try:
                    with lock:
                        result = application(environ, start_response)
                        try:
                            return list(result)
                        finally:
                            close = getattr(result, "close", None)
                            if close is not None:
                                close()
                finally:
                    with _IN_FLIGHT:
                        _IN_FLIGHT.count -= 1
                        _IN_FLIGHT.notify_all()

            super().set_app(serialised)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", OneAtATime)
        yield


# Playwright's sync API runs an asyncio loop in the test thread and leaves it marked as running while
# Playwright is started; any later test's ORM call then raises SynchronousOnlyOperation. pytest-playwright
# keeps Playwright for the whole session, so the database tests collected after the browser tests failed
# (seen once tests/web/ held a module sorting after test_pages.py). Here Playwright, and Chromium with it,
# lives for one module and is stopped after it, which clears the loop.


@pytest.fixture(scope="module")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="module")
def browser_type(playwright: Any, browser_name: str) -> Any:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args: dict[str, Any], browser_type: Any) -> Any:
    def launch(**kwargs: Any) -> Any:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="module")
def browser(launch_browser: Any) -> Iterator[Any]:
    browser = launch_browser()
    yield browser
    browser.close()


# Signed-in pages for the browser tests ------------------------------------------------------------------------


class Watch:
    """Collects console errors, page errors and server errors of every page of a browser context."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} {response.url}")


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls (and the database
    fixtures') are synchronous and safe, so let them through, for this module only: `check --deploy` in
    tests/test_settings.py refuses the variable."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def org(transactional_db: None) -> Any:
    """The demo organisation, committed (the live server's threads read it)."""
    from org import demo as org_demo

    return org_demo.load_organisation()


@pytest.fixture
def watch() -> Iterator[Watch]:
    w = Watch()
    yield w
    assert not w.problems, "\n".join(w.problems)


@pytest.fixture
def open_as(browser: Any, live_server: Any, watch: Watch) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(username: str, viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, accept_downloads=True, locale="th-TH"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        page.goto("/accounts/login/")
        if not contexts[1:]:
            shot(page, "login")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()
    _wait_for_requests_in_flight()


def leave_every_page(browser: Any) -> None:
    """Every open page of the browser goes to about:blank and the live server finishes what it had taken: after
    this, nothing polls (the memo page asks for its PDF panel every 2 s) while the test itself uses the
    database, which on SQLite is the live server's one connection too."""
    for context in browser.contexts:
        for page in context.pages:
            page.goto("about:blank")
    _wait_for_requests_in_flight()


def shot(page: Any, name: str) -> None:
    """Screenshots of the current page at phone and desktop sizes; the viewport is restored after."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name}: the page is {width}px wide at {label} size"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(before)


def open_sheet(page: Any) -> None:
    """On a phone the signatory's action is a bar at the bottom of the screen: one tap opens it (a no-op where
    it is already open, on a wide screen)."""
    sheet = page.locator("[data-sheet]")
    if sheet.count() and sheet.get_attribute("open") is None:
        page.get_by_test_id("sheet-bar").click()
        page.locator("[data-sheet][open]").wait_for()


def axe_violations(page: Any, *within: str) -> list[str]:
    """axe-core's WCAG 2.x A/AA violations on the page (or inside the given selectors), as readable lines. axe-core
    is pinned in package-lock.json (`npm ci`, scripts/lib.sh ensure_test_tools); evaluated through the debugger,
    since the pages' Content-Security-Policy allows no inline script."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: npm ci (package-lock.json)")
        pytest.skip("axe-core is not installed: npm ci (package-lock.json)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    context = {"include": [[s] for s in within]} if within else None
    found = page.evaluate(
        """async (context) => (await axe.run(context || document, {
               iframes: false,
               runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})).violations
             .map(v => v.id + ": " + v.help + " — " + v.nodes.map(n => n.target.join(" ")).slice(0, 5).join(", "))""",
        context,
    )
    return list(found)
