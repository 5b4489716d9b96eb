"""The organisation's RFC 3161 timestamp authority: the setting, the /pki/tsa endpoint, a real request."""

import io
from collections.abc import Callable
from typing import Any

import pytest
from asn1crypto import algos, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from django.core.cache import caches
from django.db import connections
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature

from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import tsa
from signatures.keystore import unwrap_for_signing
from signatures.models import CertificateAuthority, SigningKey
from signatures.pdf_signing import certify, reserve_signature_fields
from signatures.tests.test_pdf_signing import FIELDS, _context, _memo_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_tsa(settings: Any) -> None:
    """/pki/tsa answers only where the organisation's own TSA is the configured one (demo, tests)."""
    settings.MEMOFLOW_TSA_URL = "local"
    caches["shared"].clear()


def test_the_setting_chooses_the_timestamper(tsa_key: SigningKey, settings: Any) -> None:
    settings.MEMOFLOW_TSA_URL = ""
    assert tsa.configured_timestamper() is None  # PAdES B-B
    settings.MEMOFLOW_TSA_URL = "local"
    local = tsa.configured_timestamper()
    assert isinstance(local, tsa.OrganisationTimeStamper)
    assert local.tsa_cert.serial_number == tsa_key.serial_int
    settings.MEMOFLOW_TSA_URL = "https://tsa.example.go.th/tsr"
    assert isinstance(tsa.configured_timestamper(), HTTPTimeStamper)


def _tsa_request(digest: bytes, *, algorithm: str = "sha256") -> bytes:
    return bytes(
        tsp.TimeStampReq(
            {
                "version": 1,
                "message_imprint": tsp.MessageImprint(
                    {
                        "hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
                        "hashed_message": digest,
                    }
                ),
                "nonce": 4242,
                "cert_req": True,
            }
        ).dump()
    )


def test_the_tsa_answers_an_rfc3161_request(client: Client, tsa_key: SigningKey) -> None:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"memo")
    imprint = digest.finalize()
    response = client.post("/pki/tsa", _tsa_request(imprint), content_type="application/timestamp-query")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    signed_data = reply["time_stamp_token"]["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == imprint
    assert info["nonce"].native == 4242
    assert info["policy"].dotted == tsa.POLICY_OID
    (tsa_cert,) = [
        c.chosen
        for c in signed_data["certificates"]
        if isinstance(c.chosen, asn1_x509.Certificate) and c.chosen.serial_number == tsa_key.serial_int
    ]
    eku = next(
        e for e in tsa_cert["tbs_certificate"]["extensions"] if e["extn_id"].native == "extended_key_usage"
    )
    assert eku["critical"].native is True
    assert eku["extn_value"].native == ["time_stamping"]


def test_the_tsa_rejects_what_is_not_a_timestamp_request(client: Client, tsa_key: SigningKey) -> None:
    wrong_type = client.post("/pki/tsa", b"x", content_type="application/octet-stream")
    assert wrong_type.status_code == 415
    garbage = client.post("/pki/tsa", b"not der", content_type="application/timestamp-query")
    assert tsa.TimeStampResponse.load(garbage.content)["status"]["status"].native == "rejection"
    md5 = client.post(
        "/pki/tsa", _tsa_request(b"0" * 16, algorithm="md5"), content_type="application/timestamp-query"
    )
    status = tsa.TimeStampResponse.load(md5.content)["status"]
    assert status["status"].native == "rejection"
    assert status["fail_info"].native == {"bad_alg"}


class _ClientTimeStamper(TimeStamper):
    """pyHanko's timestamp client speaking to /pki/tsa through Django's test client (no socket)."""

    def __init__(self, client: Client) -> None:
        super().__init__()
        self.client = client

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            response = self.client.post("/pki/tsa", req.dump(), content_type="application/timestamp-query")
        finally:
            connections.close_all()  # the loop's own connection (else the test database cannot be dropped)
        assert response.status_code == 200
        return tsp.TimeStampResp.load(response.content)


@pytest.mark.django_db(transaction=True)  # the view runs on pyHanko's event loop: another connection
def test_a_signature_timestamped_over_http_by_the_tsa_validates(
    client: Client,
    tsa_key: SigningKey,
    ca: CertificateAuthority,
    person: Callable[[str], Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # the view's queries run inside pyHanko's event loop
    pdf = reserve_signature_fields(_memo_pdf(1), FIELDS[:1])
    with unwrap_for_signing(person=person("nat"), password=DEMO_PASSWORD) as unwrapped:
        pdf = certify(pdf, "step-1", unwrapped.signer, timestamper=_ClientTimeStamper(client))
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(signature, _context(ca))
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted


def test_the_tsa_is_not_offered_when_production_uses_an_independent_one(
    client: Client, tsa_key: SigningKey, settings: Any
) -> None:
    settings.MEMOFLOW_TSA_URL = "https://tsa.example.go.th/tsr"
    response = client.post("/pki/tsa", _tsa_request(b"0" * 32), content_type="application/timestamp-query")
    assert response.status_code == 404


def test_the_tsa_is_throttled_per_address(client: Client, tsa_key: SigningKey, settings: Any) -> None:
    """Each answer is an RSA-3072 signature: a flood from one address is cut off (429), others still served."""
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **rest,
        "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "tsa": "2/min"},
    }
    query = _tsa_request(b"0" * 32)
    codes = [
        client.post("/pki/tsa", query, content_type="application/timestamp-query").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    other = client.post("/pki/tsa", query, content_type="application/timestamp-query", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    caches["shared"].clear()
