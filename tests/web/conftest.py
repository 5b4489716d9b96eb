"""Browser tests: pytest-playwright driving Debian's Chromium (/usr/bin/chromium; never `playwright install`)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's Chromium at /usr/bin/chromium "
    "(apt-get install chromium; `bash scripts/lib.sh ensure_test_browser` does it as root)",
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite() -> Iterator[None]:
    """On SQLite the live server's threads share the test database's one in-memory connection, which is not
    safe to use from two threads at once; since the memo page polls for its PDF (htmx, every 2 s), two requests
    can overlap and SQLite answers "bad parameter or other API misuse". There, the application handles one
    request at a time, body and close included (closing a response ends the request, which touches the
    connection); connections are still accepted by a thread each, so an idle browser socket blocks nothing.
    PostgreSQL keeps the server as it is: each thread has its own connection."""
    import threading

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
                with lock:
                    result = application(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        close = getattr(result, "close", None)
                        if close is not None:
                            close()

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
