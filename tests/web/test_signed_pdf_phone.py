"""Signing on the PDF where users do it: a co-signer on a 360×740 phone in Chromium signs from the memo page,
then downloads the signed PDF from the same page, and her signature on it validates (issue 10)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections

from org.demo import DEMO_PASSWORD
from signatures.selectors import verification_trust
from signatures.verification import verify_pdf
from tests.builders import in_review_memo
from tests.web.conftest import PHONE, needs_chromium, open_sheet

pytestmark = [
    needs_chromium,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root"),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]


def off_the_loop[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(...)`` in another thread: pyHanko runs asyncio itself, which it cannot do in this one, where
    the sync Playwright's event loop is running (the other thread's database connection is closed after)."""

    def run() -> T:
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def org(transactional_db: None, settings: Any) -> Any:
    from org import demo as org_demo

    organisation = org_demo.load_organisation()
    settings.MEMOFLOW_PDF_SIGNATURES = True
    settings.MEMOFLOW_TSA_URL = "local"
    call_command("signing_init", verbosity=0)
    return organisation


def test_a_co_signer_signs_on_a_phone_and_downloads_the_signed_pdf(
    org: Any, open_as: Callable[..., Any]
) -> None:
    memo = off_the_loop(
        in_review_memo, 1
    )  # submitted and certified by rujapa: ratchawari's co-signature is next
    page = open_as("ratchawari", PHONE)
    page.goto(f"/memos/{memo.pk}/")
    open_sheet(page)
    page.fill("#id_approve-password", DEMO_PASSWORD)
    page.locator("form:has(input[name=action][value=approve]) button[type=submit]").click()
    page.wait_for_load_state()
    link = page.get_by_test_id("download-signed-pdf")
    assert link.is_visible()
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]  # on the phone's screen, not past its edge
    response = page.request.get(str(link.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    report = off_the_loop(verify_pdf, response.body(), trust=off_the_loop(verification_trust))
    assert report.valid, report.problems
    assert [s.field_name for s in report.signatures] == ["step-0", "step-1"]
    assert report.signatures[1].signer == "นางราชวรี อนุกุล"
