"""X.509 for the organisation's own CA: key pairs, the root, person and seal certificates, the CRL.

Pure functions over `cryptography` objects; the models and services decide what is issued and stored.
"""

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    NameOID,
    ObjectIdentifier,
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# Extended key usages that Adobe Acrobat/Reader accepts for a document signature (its list: e-mail protection,
# Microsoft document signing, Adobe Authentic Documents Trust) plus RFC 9336 id-kp-documentSigning.
EKU_MS_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
EKU_ADOBE_AUTHENTIC_DOCUMENTS = ObjectIdentifier("1.2.840.113583.1.1.5")
EKU_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
SIGNING_EKUS = [
    ExtendedKeyUsageOID.EMAIL_PROTECTION,
    EKU_MS_DOCUMENT_SIGNING,
    EKU_ADOBE_AUTHENTIC_DOCUMENTS,
    EKU_DOCUMENT_SIGNING,
]
BACKDATE = timedelta(minutes=5)  # clock skew between this server and a validator


def generate_private_key(algorithm: str) -> PrivateKey:
    if algorithm == "rsa-3072":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if algorithm == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key algorithm {algorithm!r}")


def private_key_der(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(der: bytes, *, trusted: bool = True) -> PrivateKey:
    """A stored key. `trusted`: the bytes come out of our own authenticated envelope (made here, or checked when
    imported), so OpenSSL's RSA consistency check, 0.15-0.5 s for RSA-3072, is skipped."""
    key = serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=trusted)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("only RSA and EC keys are used for signing")
    return key


def spki_der(public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | object) -> bytes:
    if not isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("only RSA and EC keys are used for signing")
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_der(key: PrivateKey) -> bytes:
    return spki_der(key.public_key())


def fingerprint(der: bytes) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex()


UB_COMMON_NAME = 64  # RFC 5280: characters
# cryptography warns on every parse of a Thai CN longer than 64 bytes (see common_name): not a problem.
warnings.filterwarnings("ignore", message=r"Attribute's length must be >= 1 and <= 64", category=UserWarning)


def common_name(value: str) -> x509.NameAttribute[str]:
    """CN as UTF8String. RFC 5280 bounds it at 64 characters; cryptography counts UTF-8 bytes, and a Thai name
    takes three bytes a character (นางสาวรุจภา โฉมประดิษฐ์: 23 characters, 66 bytes), so it checks characters."""
    if not 1 <= len(value) <= UB_COMMON_NAME:
        raise ValueError(f"a common name has 1 to {UB_COMMON_NAME} characters: {value!r}")
    return x509.NameAttribute(NameOID.COMMON_NAME, value, _validate=False)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _key_usage(*, signing: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def ca_certificate(*, key: PrivateKey, organisation: str, cn: str, days: int) -> x509.Certificate:
    """A self-signed root: subject O = the organisation's Thai name, CN = the CA's name, C = TH."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            common_name(cn),
        ]
    )
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False, ca=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )


@dataclass(frozen=True)
class Subject:
    """Whom a certificate names: CN = the Thai full name (or the organisation, for its seal)."""

    common_name: str
    organisation: str
    title: str = ""  # the position, as printed under a signature
    user_id: str = ""  # the username: two people of the same name stay apart

    def name(self) -> x509.Name:
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
        ]
        if self.title:
            attributes.append(x509.NameAttribute(NameOID.TITLE, self.title))
        attributes.append(common_name(self.common_name))
        if self.user_id:
            attributes.append(x509.NameAttribute(NameOID.USER_ID, self.user_id))
        return x509.Name(attributes)


def end_entity_certificate(
    *,
    subject: Subject,
    public_key_der_bytes: bytes,
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    days: int,
    crl_url: str,
    ca_url: str,
    timestamping: bool = False,
) -> x509.Certificate:
    """A signing certificate (a person's, or the organisation's seal): digitalSignature + nonRepudiation, the
    extended key usages Adobe accepts, where the CRL is (Adobe and pyHanko fetch it), and the issuer's
    certificate (AIA caIssuers) for readers that build the chain themselves.

    `timestamping`: the certificate of the organisation's RFC 3161 timestamp authority instead, whose only
    extended key usage is id-kp-timeStamping, marked critical (RFC 3161 s.2.3; validators refuse a token
    signed under any other certificate)."""
    ekus = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING] if timestamping else SIGNING_EKUS)
    public_key = serialization.load_der_public_key(public_key_der_bytes)
    if not isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("only RSA and EC keys are used for signing")
    now = _now()
    not_after = min(now + timedelta(days=days), ca_cert.not_valid_after_utc)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject.name())
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True, ca=False), critical=True)
        .add_extension(ekus, critical=timestamping)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_url)
                    )
                ]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


@dataclass(frozen=True)
class Revoked:
    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags


def crl(
    *,
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    revoked: list[Revoked],
    number: int,
    days: int,
) -> x509.CertificateRevocationList:
    now = _now()
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - BACKDATE)
        .next_update(now + timedelta(days=days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
    )
    for entry in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial)
            .revocation_date(_next_whole_second(entry.revoked_at))
            .add_extension(x509.CRLReason(entry.reason), critical=False)
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256())


def _next_whole_second(moment: datetime) -> datetime:
    """A CRL dates a revocation to the second (UTCTime): the revocation is recorded at the next whole second,
    so that a signature made earlier within the same second is not judged to come after it."""
    if moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)
