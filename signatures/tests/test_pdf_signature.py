"""An unwrapped key signs a PDF with pyHanko, and pyHanko validates it against the organisation's CA."""

import io
from collections.abc import Callable

import pytest
from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import selectors, services
from signatures.keystore import seal_signer, unwrap_for_signing
from signatures.models import CertificateAuthority, RevocationReason, SigningKey
from tests.builders import pdf_bytes

pytestmark = pytest.mark.django_db


def _sign(pdf: bytes, signer: signers.Signer, field: str) -> bytes:
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name=field),
        signer=signer,
        output=out,
    )
    return out.getvalue()


def _context(ca: CertificateAuthority, *, crl: bytes | None = None) -> ValidationContext:
    root = selectors.asn1(selectors.trust_root(ca))
    if crl is None:
        return ValidationContext(trust_roots=[root])
    return ValidationContext(
        trust_roots=[root], crls=[crl], revocation_mode="hard-fail", allow_fetching=False
    )


def test_a_signature_made_with_the_unwrapped_key_validates_against_the_ca(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    with unwrap_for_signing(person=person("nat"), password=DEMO_PASSWORD) as unwrapped:
        signed = _sign(pdf_bytes(), unwrapped.signer, "Step1")
        serial = unwrapped.key.serial_int
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate_pdf_signature(embedded, _context(ca))
    details = status.pretty_print_details()
    assert status.intact, details
    assert status.valid, details
    assert status.trusted, details
    assert status.signing_cert.serial_number == serial
    assert "นายนาฏ วงศ์ทองดี" in status.signing_cert.subject.human_friendly


def test_a_signature_is_not_trusted_without_the_organisations_ca(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    with unwrap_for_signing(person=person("nat"), password=DEMO_PASSWORD) as unwrapped:
        signed = _sign(pdf_bytes(), unwrapped.signer, "Step1")
    other = services.pki.generate_private_key("rsa-3072")
    stranger = services.pki.ca_certificate(key=other, organisation="อื่น", cn="CA อื่น", days=30)
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[selectors.asn1(stranger)]))
    assert status.intact
    assert not status.trusted


def test_a_revoked_key_is_reported_by_the_crl(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    with unwrap_for_signing(person=person("nat"), password=DEMO_PASSWORD) as unwrapped:
        signed = _sign(pdf_bytes(), unwrapped.signer, "Step1")
        key = unwrapped.key
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    before = services.crl_current()
    assert before is not None
    assert validate_pdf_signature(embedded, _context(ca, crl=before)).trusted
    services.signing_key_revoke(key=key, reason=RevocationReason.KEY_COMPROMISE)
    after = services.crl_current()
    assert after is not None
    assert x509.load_der_x509_crl(after).get_revoked_certificate_by_serial_number(key.serial_int) is not None
    status = validate_pdf_signature(embedded, _context(ca, crl=after))
    assert status.intact
    assert not status.trusted
    assert status.revoked, status.pretty_print_details()


def test_the_seal_signs_and_validates(ca: CertificateAuthority, seal: SigningKey) -> None:
    with seal_signer() as unwrapped:
        signed = _sign(pdf_bytes(), unwrapped.signer, "Seal")
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    status = validate_pdf_signature(embedded, _context(ca))
    assert status.intact
    assert status.valid
    assert status.trusted
    assert "(ตราประทับ)" in status.signing_cert.subject.human_friendly


def test_sequential_signatures_by_two_people_all_validate(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    pdf = pdf_bytes()
    for username, field in (("ratchawari", "Step1"), ("nat", "Step2")):
        with unwrap_for_signing(person=person(username), password=DEMO_PASSWORD) as unwrapped:
            pdf = _sign(pdf, unwrapped.signer, field)
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert [s.field_name for s in signatures] == ["Step1", "Step2"]
    for embedded in signatures:
        status = validate_pdf_signature(embedded, _context(ca))
        assert status.intact
        assert status.valid
        assert status.trusted
