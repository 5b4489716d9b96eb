"""Reads of keys and certificates that pages, the API and the signing services use."""

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from org.models import Person
from signatures.models import CertificateAuthority, KeyPurpose, SigningKey


def active_ca() -> CertificateAuthority | None:
    return CertificateAuthority.objects.filter(is_active=True).select_related("organisation").first()


def active_key_for(*, person: Person) -> SigningKey | None:
    """The person's unrevoked signing key (at most one: a database constraint), with its CA."""
    return (
        SigningKey.objects.unrevoked()
        .filter(purpose=KeyPurpose.PERSON, person=person)
        .select_related("ca")
        .first()
    )


def keys_of(*, person: Person) -> list[SigningKey]:
    """Every key the person has held, newest first (revoked ones included: they verify older signatures)."""
    return list(SigningKey.objects.filter(person=person).select_related("ca").order_by("-created_at"))


def active_seal() -> SigningKey | None:
    return SigningKey.objects.unrevoked().filter(purpose=KeyPurpose.SEAL).select_related("ca").first()


def key_by_serial(*, serial: int) -> SigningKey | None:
    return SigningKey.objects.filter(serial=f"{serial:x}").select_related("ca", "person").first()


def certificate(key: SigningKey) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(key.certificate))


def ca_certificate(ca: CertificateAuthority) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(ca.certificate))


def ca_chain(ca: CertificateAuthority) -> list[x509.Certificate]:
    """The CA's certificate, then the issuers above it (an imported intermediate), up to the root."""
    above = x509.load_pem_x509_certificates(ca.chain_pem.encode()) if ca.chain_pem else []
    return [ca_certificate(ca), *above]


def certificate_chain(key: SigningKey) -> list[x509.Certificate]:
    """The key's certificate, its CA's, and any above that: what a signature embeds."""
    return [certificate(key), *ca_chain(key.ca)]


def trust_root(ca: CertificateAuthority) -> x509.Certificate:
    """The certificate a validator trusts: the self-signed root at the top of the chain."""
    return ca_chain(ca)[-1]


def certificate_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    """The same certificate as asn1crypto's object (what pyHanko takes)."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
