"""The certificates and the CRL as a validator sees them, and their public downloads."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.test import Client
from django.utils import timezone

from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import pki, selectors, services
from signatures.keystore import ensure_signing_key
from signatures.models import CertificateAuthority, RevocationReason

pytestmark = pytest.mark.django_db


def _value(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    return str(name.get_attributes_for_oid(oid)[0].value)


def test_the_ca_is_a_thai_self_signed_root(ca: CertificateAuthority) -> None:
    cert = selectors.ca_certificate(ca)
    assert _value(cert.subject, NameOID.ORGANIZATION_NAME) == "องค์การบริหารส่วนตำบลหนองโสน"
    assert _value(cert.subject, NameOID.COMMON_NAME) == "ผู้ออกใบรับรอง องค์การบริหารส่วนตำบลหนองโสน"
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(cert.public_key(), rsa.RSAPublicKey)
    assert cert.public_key().key_size == 3072


def test_a_persons_certificate_names_them_and_verifies_against_the_ca(
    ca: CertificateAuthority, person: Callable[[str], Person], settings: Any
) -> None:
    settings.MEMOFLOW_BASE_URL = "https://memo.example.go.th/"
    key = ensure_signing_key(person=person("nat"), password=DEMO_PASSWORD)
    cert = selectors.certificate(key)
    cert.verify_directly_issued_by(selectors.ca_certificate(ca))  # raises if not
    assert _value(cert.subject, NameOID.COMMON_NAME) == "นายนาฏ วงศ์ทองดี"
    assert _value(cert.subject, NameOID.TITLE) == "ปลัดองค์การบริหารส่วนตำบลหนองโสน"
    assert _value(cert.subject, NameOID.ORGANIZATION_NAME) == "องค์การบริหารส่วนตำบลหนองโสน"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    ekus = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in ekus
    assert pki.EKU_ADOBE_AUTHENTIC_DOCUMENTS in ekus
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for n in points[0].full_name or []] == ["https://memo.example.go.th/pki/crl.der"]
    assert key.serial == f"{cert.serial_number:x}"
    assert key.not_after == cert.not_valid_after_utc


def test_a_name_longer_than_x509_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="64 characters"):
        pki.common_name("ก" * 65)
    assert (
        pki.common_name("ก" * 64).value == "ก" * 64
    )  # 192 bytes of UTF-8: allowed, RFC 5280 counts characters


def test_the_crl_lists_a_revoked_serial_and_is_signed_by_the_ca(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    revoked = ensure_signing_key(person=person("nat"), password=DEMO_PASSWORD)
    kept = ensure_signing_key(person=person("rujapa"), password=DEMO_PASSWORD)
    services.signing_key_revoke(key=revoked, reason=RevocationReason.KEY_COMPROMISE)
    response = Client().get("/pki/crl.der")  # anonymous: validators fetch it
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.is_signature_valid(selectors.ca_certificate(ca).public_key())
    entry = crl.get_revoked_certificate_by_serial_number(revoked.serial_int)
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )
    assert crl.get_revoked_certificate_by_serial_number(kept.serial_int) is None
    assert crl.next_update_utc is not None
    assert crl.next_update_utc > timezone.now()


def test_revoking_twice_keeps_the_first_revocation(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    key = ensure_signing_key(person=person("nat"), password=DEMO_PASSWORD)
    first = services.signing_key_revoke(key=key, reason=RevocationReason.KEY_COMPROMISE).revoked_at
    again = services.signing_key_revoke(key=key, reason=RevocationReason.SUPERSEDED)
    assert again.revoked_at == first
    assert again.revocation_reason == RevocationReason.KEY_COMPROMISE


def test_a_stale_crl_is_signed_again_when_downloaded(ca: CertificateAuthority, settings: Any) -> None:
    ca.refresh_from_db()
    number = ca.crl_number
    ca.crl_next_update = timezone.now() + timedelta(hours=1)  # less than half of MEMOFLOW_CRL_DAYS left
    ca.save(update_fields=["crl_next_update"])
    crl = x509.load_der_x509_crl(Client().get("/pki/crl.der").content)
    ca.refresh_from_db()
    assert ca.crl_number == number + 1
    number_ext = crl.extensions.get_extension_for_class(x509.CRLNumber).value
    assert number_ext.crl_number == number + 1
    assert crl.next_update_utc == ca.crl_next_update
    Client().get("/pki/crl.der")
    ca.refresh_from_db()
    assert ca.crl_number == number + 1  # fresh now: served as it is


def test_the_ca_certificate_is_downloadable_by_anyone(ca: CertificateAuthority) -> None:
    response = Client().get("/pki/ca.crt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(response.content) == selectors.ca_certificate(ca)


def test_no_ca_yet_no_downloads(db: None) -> None:
    assert Client().get("/pki/ca.crt").status_code == 404
    assert Client().get("/pki/crl.der").status_code == 404
