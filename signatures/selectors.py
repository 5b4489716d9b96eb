"""Reads of keys and certificates that pages, the API and the signing services use."""

import base64
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from org.models import Person
from signatures.models import CertificateAuthority, KeyPurpose, SignatureImage, SigningKey

if TYPE_CHECKING:
    from signatures.verification import Trust


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


def active_tsa_key() -> SigningKey | None:
    return SigningKey.objects.unrevoked().filter(purpose=KeyPurpose.TSA).select_related("ca").first()


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


def signature_image_in_force(*, person: Person, at: datetime | None = None) -> SignatureImage | None:
    """The person's signature image at ``at`` (now by default), or None when they have none (never enrolled,
    or withdrawn)."""
    latest = (
        SignatureImage.objects.filter(person=person, created_at__lte=at or timezone.now())
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.file else None


def signature_image_annotations(*, person_field: str, at_field: str) -> dict[str, Subquery[Any]]:
    """The signature image in force for ``person_field`` at ``at_field`` as annotations (the file's name and
    its SHA-256, both "" or None without one) on a query over rows that point at a person and a time, so a
    page loads every signer's image in the query it already makes (no query per signer)."""
    in_force = SignatureImage.objects.filter(
        person=OuterRef(person_field), created_at__lte=OuterRef(at_field)
    ).order_by("-created_at", "-pk")
    return {
        "signature_image_file": Subquery(in_force.values("file")[:1]),
        "signature_image_sha256": Subquery(in_force.values("sha256")[:1]),
    }


def signature_image_file_path(name: str) -> str:
    """The file on disk of a signature image's stored name (from ``signature_image_annotations``)."""
    return default_storage.path(name)


def signature_image_data_uri(image: SignatureImage) -> str:
    """The image as a data: URL, to show it on the person's own profile page (at most 200 KB)."""
    with image.file.open("rb") as stored:
        return "data:image/png;base64," + base64.b64encode(stored.read()).decode()


def verification_trust() -> "Trust":
    """What a memo's signatures must chain to: the root of every CA memoflow has had (an old memo was signed
    under an earlier one), with the CRL each last issued."""
    from signatures.verification import Trust

    roots: list[bytes] = list(tsa_trust_roots())
    crls: list[bytes] = []
    for ca in CertificateAuthority.objects.order_by("created_at"):
        der = trust_root(ca).public_bytes(serialization.Encoding.DER)
        if der not in roots:
            roots.append(der)
        if ca.crl:
            crls.append(bytes(ca.crl))
    return Trust(roots=roots, crls=crls)


def tsa_trust_roots() -> list[bytes]:
    """The independent timestamp authority's root certificates (DER), from MEMOFLOW_TSA_TRUST_ROOTS (PEM or DER
    files): its timestamps are then trusted, and the archive is closed with them (docs/signatures.md)."""
    roots = []
    for path in getattr(settings, "MEMOFLOW_TSA_TRUST_ROOTS", []) or []:
        data = Path(path).read_bytes()
        cert = (
            x509.load_pem_x509_certificate(data)
            if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data)
        )
        roots.append(cert.public_bytes(serialization.Encoding.DER))
    return roots
