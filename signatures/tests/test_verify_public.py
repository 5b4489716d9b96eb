"""The verification anyone can run: `manage.py verify_pdf`, POST /api/v1/verify/ and the /verify/ page, all
without signing in."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.thai import thai_digits
from org.models import Person
from signatures.models import CertificateAuthority
from signatures.tests import signed_pdfs

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(ca: CertificateAuthority, person: Callable[[str], Person]) -> bytes:
    return signed_pdfs.two_signatures(person)


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("memo.pdf", content, content_type="application/pdf")


# The command ---------------------------------------------------------------------------------------------------


def _command(path: Path, *args: str) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_pdf", str(path), *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_the_command_exits_0_and_lists_every_signature(signed: bytes, tmp_path: Path) -> None:
    (tmp_path / "memo.pdf").write_bytes(signed)
    code, out = _command(tmp_path / "memo.pdf", "--lang", "en")
    assert code == 0, out
    assert out.index("1. นางราชวรี อนุกุล") < out.index("2. นายนาฏ วงศ์ทองดี")
    assert "Capacity: รักษาราชการแทน ผู้อำนวยการ" in out
    assert "Changed after it: later signatures only" in out
    assert out.rstrip().endswith("Result: VALID")


def test_the_command_exits_1_on_a_tampered_file(signed: bytes, tmp_path: Path) -> None:
    (tmp_path / "memo.pdf").write_bytes(signed_pdfs.shadow_page_update(signed))
    code, out = _command(tmp_path / "memo.pdf", "--lang", "en")
    assert code == 1
    assert "modified_after_signing" in out
    assert "Changed after it: the content was changed" in out


def test_the_command_exits_1_on_what_is_not_a_pdf(ca: CertificateAuthority, tmp_path: Path) -> None:
    (tmp_path / "memo.pdf").write_bytes(b"not a pdf")
    code, out = _command(tmp_path / "memo.pdf")
    assert code == 1
    assert "unsupported_file" in out


# The API -------------------------------------------------------------------------------------------------------


def test_the_api_verifies_without_signing_in(signed: bytes) -> None:
    response = APIClient().post("/api/v1/verify/", {"file": _upload(signed)}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is True
    assert [s["signer"] for s in body["signatures"]] == ["นางราชวรี อนุกุล", "นายนาฏ วงศ์ทองดี"]
    assert body["signatures"][1]["capacity"] == "รักษาราชการแทน ผู้อำนวยการ"
    assert body["problems"] == []
    assert body["memo"] == {
        "known": False,
        **dict.fromkeys(
            ["id", "number", "subject", "status", "revision", "revision_sha256", "current", "url"]
        ),
    }


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (signed_pdfs.flip_byte, "digest_mismatch"),
        (signed_pdfs.shadow_page_update, "modified_after_signing"),
        (signed_pdfs.swap_pages, "modified_after_signing"),
        (signed_pdfs.strip_last_signature, "modified_after_signing"),
    ],
)
def test_the_api_reports_tampering(signed: bytes, tamper: Callable[[bytes], bytes], code: str) -> None:
    response = APIClient().post("/api/v1/verify/", {"file": _upload(tamper(signed))}, format="multipart")
    assert response.status_code == 200
    assert response.json()["valid"] is False
    assert code in [p["code"] for p in response.json()["problems"]]


def test_the_api_refuses_what_is_not_a_pdf(ca: CertificateAuthority) -> None:
    response = APIClient().post("/api/v1/verify/", {"file": _upload(b"GIF89a")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_file"
    assert response.json()["detail"]


def test_the_api_refuses_a_file_over_the_limit(signed: bytes, settings: object) -> None:
    settings.MEMOFLOW_VERIFY_MAX_BYTES = len(signed) - 1
    response = APIClient().post("/api/v1/verify/", {"file": _upload(signed)}, format="multipart")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_the_api_is_throttled_per_address(signed: bytes, settings: object) -> None:
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest,
        "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "verify": "2/min"},
    }
    caches["shared"].clear()
    client = APIClient()
    codes = [
        client.post("/api/v1/verify/", {"file": _upload(signed)}, format="multipart").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other.post("/api/v1/verify/", {"file": _upload(signed)}, format="multipart").status_code == 200
    caches["shared"].clear()


# The page ------------------------------------------------------------------------------------------------------


def test_the_page_verifies_an_anonymous_upload(signed: bytes) -> None:
    client = Client()
    assert client.get("/verify/").status_code == 200
    response = client.post("/verify/", {"file": _upload(signed)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-valid="true"' in html
    assert html.index("นางราชวรี อนุกุล") < html.index("นายนาฏ วงศ์ทองดี")
    assert "รักษาราชการแทน ผู้อำนวยการ" in html
    be_year = thai_digits(timezone.localtime().year + 543)
    assert html.count(be_year) >= 2  # each signature's time in the Thai calendar (Thai first)


def test_the_page_reports_tampering(signed: bytes) -> None:
    response = Client().post("/verify/", {"file": _upload(signed_pdfs.swap_pages(signed))})
    html = response.content.decode()
    assert 'data-valid="false"' in html
    assert 'data-code="modified_after_signing"' in html


def test_the_page_refuses_what_is_not_a_pdf_and_a_file_too_large(signed: bytes, settings: object) -> None:
    response = Client().post("/verify/", {"file": _upload(b"hello")})
    assert response.status_code == 400
    assert 'data-testid="verify-error"' in response.content.decode()
    settings.MEMOFLOW_VERIFY_MAX_BYTES = 10
    assert Client().post("/verify/", {"file": _upload(signed)}).status_code == 413


def test_the_page_is_throttled(signed: bytes, settings: object) -> None:
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest,
        "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "verify": "1/min"},
    }
    caches["shared"].clear()
    client = Client()
    assert client.post("/verify/", {"file": _upload(signed)}).status_code == 200
    assert client.post("/verify/", {"file": _upload(signed)}).status_code == 429
    caches["shared"].clear()


def test_the_ca_page_links_the_certificate(ca: CertificateAuthority) -> None:
    response = Client().get("/verify/ca/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/pki/ca.crt"' in html
    assert ca.certificate_sha256.upper()[:2] in html.replace(":", "")
