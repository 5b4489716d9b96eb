"""Every memo PDF from its first submit on carries a QR code of the public verification page with the memo's id
and the revision's SHA-256 (issue 10), read back with zbar as a phone's camera app would."""

import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from memos.models import Memo
from tests.builders import approve_active, require_tool, submit
from workflow.demo import load_route_template, load_seed_memo
from workflow.documents import memo_pdf_status

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """The QR codes zbarimg finds on the first page, rendered at 150 dpi."""
    pdftoppm, zbarimg = require_tool("pdftoppm", "poppler-utils"), require_tool("zbarimg", "zbar-tools")
    source = tmp_path / "memo.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-r", "150", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "p")], check=True
    )
    image = next(tmp_path.glob("p*.png"))
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(image)], capture_output=True, text=True, check=False
    )
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def seed_memo(demo_org, media_root: Path) -> Memo:
    load_route_template(demo_org)
    return load_seed_memo(demo_org)


def _points_to(url: str, memo: Memo, settings) -> None:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == settings.MEMOFLOW_BASE_URL.rstrip("/")
    assert parts.path == "/verify/"
    query = parse_qs(parts.query)
    assert query == {"memo": [str(memo.pk)], "rev": [memo.current_revision.sha256]}


def test_the_in_review_pdf_carries_the_verification_qr_code(
    seed_memo, render_pdfs, settings, tmp_path
) -> None:
    submit(seed_memo)
    render_pdfs()
    memo = Memo.objects.select_related("current_revision").get(pk=seed_memo.pk)
    stored = memo_pdf_status(memo=memo).stored
    assert stored is not None
    codes = qr_codes(stored.file.read(), tmp_path)
    assert len(codes) == 1
    _points_to(codes[0], memo, settings)


def test_the_signed_pdf_carries_it_from_the_submit_on(seed_memo, settings, tmp_path) -> None:
    settings.MEMOFLOW_PDF_SIGNATURES = True
    settings.MEMOFLOW_TSA_URL = ""
    call_command("signing_init", verbosity=0)
    submit(seed_memo)
    approve_active(seed_memo)
    from signatures import signing

    memo = Memo.objects.select_related("current_revision").get(pk=seed_memo.pk)
    signed = signing.signed_pdf(revision=memo.current_revision)
    assert signed is not None
    codes = qr_codes(signed.content, tmp_path)
    assert len(codes) == 1
    _points_to(codes[0], memo, settings)


def test_the_qr_code_leads_to_the_verification_page_of_that_revision(seed_memo, client, person) -> None:
    submit(seed_memo)
    memo = Memo.objects.select_related("current_revision").get(pk=seed_memo.pk)
    from workflow.pdf import verify_url

    url = urlsplit(verify_url(memo))
    address = f"{url.path}?{url.query}"
    anonymous = client.get(address).content.decode()
    assert 'data-testid="verify-memo"' not in anonymous  # a stranger learns nothing of the memo
    assert memo.subject not in anonymous
    client.force_login(person("ratchawari"))
    member = client.get(address).content.decode()
    assert 'data-testid="verify-memo"' in member
    assert memo.number in member
