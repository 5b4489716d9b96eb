"""`manage.py signing_init`: the CA (new or imported from PKCS#12) and the seal, once."""

import io
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.core.management import CommandError, call_command

from org.models import Organisation
from signatures import pki, selectors
from signatures.models import CertificateAuthority, KeyPurpose, SigningKey

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("signing_init", *args, stdout=out)
    return out.getvalue()


def test_creates_the_ca_and_the_seal_once(demo_org: Organisation) -> None:
    output = _run()
    assert "CA created" in output
    assert "Seal key created" in output
    ca = selectors.active_ca()
    assert ca is not None
    assert not ca.imported
    assert ca.certificate_sha256 in output
    assert "CA exists already" in _run()
    assert CertificateAuthority.objects.count() == 1
    assert SigningKey.objects.filter(purpose=KeyPurpose.SEAL).count() == 1
    seal = selectors.active_seal()
    assert seal is not None
    selectors.certificate(seal).verify_directly_issued_by(selectors.ca_certificate(ca))
    # ...and the key of its timestamp authority (/pki/tsa), once.
    assert SigningKey.objects.filter(purpose=KeyPurpose.TSA).count() == 1
    tsa_key = selectors.active_tsa_key()
    assert tsa_key is not None
    selectors.certificate(tsa_key).verify_directly_issued_by(selectors.ca_certificate(ca))


def test_refuses_without_the_passphrases(demo_org: Organisation, settings: Any) -> None:
    settings.MEMOFLOW_CA_KEY_PASSPHRASE = ""
    with pytest.raises(CommandError, match="MEMOFLOW_CA_KEY_PASSPHRASE"):
        _run()
    assert not CertificateAuthority.objects.exists()


def _p12(tmp_path: Path, *, ca: bool) -> Path:
    key = pki.generate_private_key("ec-p256")
    if ca:
        cert = pki.ca_certificate(key=key, organisation="องค์การบริหารส่วนตำบลหนองโสน", cn="CA เดิม", days=365)
    else:
        issuer = pki.generate_private_key("ec-p256")
        root = pki.ca_certificate(key=issuer, organisation="อื่น", cn="อื่น", days=365)
        cert = pki.end_entity_certificate(
            subject=pki.Subject(common_name="ไม่ใช่ CA", organisation="อื่น"),
            public_key_der_bytes=pki.public_key_der(key),
            ca_cert=root,
            ca_key=issuer,
            days=30,
            crl_url="https://x.example/crl",
            ca_url="https://x.example/ca",
        )
    path = tmp_path / "ca.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(b"ca", key, cert, None, BestAvailableEncryption(b"pw"))
    )
    return path


def test_imports_a_ca_from_pkcs12(
    demo_org: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("P12_PASSPHRASE", "pw")
    output = _run("--import-p12", str(_p12(tmp_path, ca=True)), "--passphrase-env", "P12_PASSPHRASE")
    assert "CA imported" in output
    ca = selectors.active_ca()
    assert ca is not None
    assert ca.imported
    assert (
        selectors.ca_certificate(ca).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        == "CA เดิม"
    )
    seal = selectors.active_seal()
    assert seal is not None
    selectors.certificate(seal).verify_directly_issued_by(selectors.ca_certificate(ca))


def test_refuses_a_pkcs12_that_is_not_a_ca(
    demo_org: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("P12_PASSPHRASE", "pw")
    with pytest.raises(CommandError, match="not a CA"):
        _run("--import-p12", str(_p12(tmp_path, ca=False)), "--passphrase-env", "P12_PASSPHRASE")
    monkeypatch.setenv("P12_PASSPHRASE", "wrong")
    with pytest.raises(CommandError, match="PKCS#12"):
        _run("--import-p12", str(_p12(tmp_path, ca=True)), "--passphrase-env", "P12_PASSPHRASE")
    assert not CertificateAuthority.objects.exists()
