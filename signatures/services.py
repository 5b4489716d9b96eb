"""Every write of the CA, the seal and the signing keys, audited in the same transaction.

The CA's and the seal's private keys are unwrapped with MEMOFLOW_CA_KEY_PASSPHRASE / MEMOFLOW_SEAL_KEY_PASSPHRASE
(from the environment, never the database). A person's key is unwrapped only with their password:
signatures.keystore.
"""

import logging
import uuid
from datetime import timedelta
from typing import IO

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import RequestMeta, audit_event_append
from org.models import Organisation, Person, Position
from signatures import envelope, pki
from signatures.errors import SigningNotConfigured
from signatures.images import clean_signature_image, max_upload_bytes
from signatures.models import (
    CertificateAuthority,
    KeyPurpose,
    RevocationReason,
    SignatureImage,
    SigningKey,
    WrappedBy,
    signature_image_name,
)
from signatures.selectors import active_ca, ca_certificate

log = logging.getLogger(__name__)

REASON_FLAGS = {
    RevocationReason.SUPERSEDED: x509.ReasonFlags.superseded,
    RevocationReason.KEY_COMPROMISE: x509.ReasonFlags.key_compromise,
    RevocationReason.AFFILIATION_CHANGED: x509.ReasonFlags.affiliation_changed,
    RevocationReason.CESSATION_OF_OPERATION: x509.ReasonFlags.cessation_of_operation,
}


def key_context(key: SigningKey) -> bytes:
    """Associated data of a wrapped key: its row, purpose, holder and public key."""
    return f"memoflow/signing-key/v1/{key.purpose}/{key.person_id or '-'}/{key.id}/{key.public_key_sha256}".encode()


def ca_context(ca: CertificateAuthority) -> bytes:
    return f"memoflow/ca-key/v1/{ca.id}/{ca.certificate_sha256}".encode()


def _secret(name: str) -> str:
    value = str(getattr(settings, name, "") or "")
    if not value:
        raise SigningNotConfigured(f"{name} is not set")
    return value


def wrapped(row: SigningKey | CertificateAuthority) -> envelope.WrappedKey:
    return envelope.WrappedKey(
        salt=bytes(row.kdf_salt), nonce_and_ciphertext=bytes(row.wrapped_key), kdf=row.kdf
    )


def _set_wrapped(row: SigningKey | CertificateAuthority, value: envelope.WrappedKey) -> None:
    row.kdf_salt = value.salt
    row.wrapped_key = value.nonce_and_ciphertext
    row.kdf = value.kdf


def ca_private_key(ca: CertificateAuthority) -> pki.PrivateKey:
    try:
        der = envelope.unwrap(
            wrapped(ca), secret=_secret("MEMOFLOW_CA_KEY_PASSPHRASE"), context=ca_context(ca)
        )
    except envelope.UnwrapFailed as exc:
        raise SigningNotConfigured("MEMOFLOW_CA_KEY_PASSPHRASE does not open the CA's key") from exc
    return pki.load_private_key(der)


def _urls() -> tuple[str, str]:
    base = settings.MEMOFLOW_BASE_URL.rstrip("/")
    return base + reverse("pki-crl"), base + reverse("pki-ca-certificate")


# The CA --------------------------------------------------------------------------------------------------------


def _ca_store(
    *,
    organisation: Organisation,
    cert: x509.Certificate,
    key: pki.PrivateKey,
    chain: list[x509.Certificate],
    imported: bool,
    actor: Person | None,
) -> CertificateAuthority:
    passphrase = _secret("MEMOFLOW_CA_KEY_PASSPHRASE")
    if active_ca() is not None:
        raise SigningNotConfigured("an active CA exists already")
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    ca = CertificateAuthority(
        id=uuid.uuid4(),
        organisation=organisation,
        subject=cert.subject.rfc4514_string(),
        certificate=cert_der,
        certificate_sha256=pki.fingerprint(cert_der),
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
        imported=imported,
    )
    _set_wrapped(ca, envelope.wrap(pki.private_key_der(key), secret=passphrase, context=ca_context(ca)))
    ca.save()
    audit_event_append(
        action="ca.imported" if imported else "ca.created",
        obj=ca,
        actor=actor,
        data={"subject": ca.subject, "sha256": ca.certificate_sha256},
    )
    _crl_publish(ca=ca, key=key)
    return ca


def ca_create(
    *, organisation: Organisation, common_name: str = "", actor: Person | None = None
) -> CertificateAuthority:
    """A new self-signed root for the organisation (subject O = its Thai name)."""
    key = pki.generate_private_key("rsa-3072")
    cert = pki.ca_certificate(
        key=key,
        organisation=organisation.name,
        cn=common_name or f"ผู้ออกใบรับรอง {organisation.name}",
        days=settings.MEMOFLOW_CA_CERT_DAYS,
    )
    with transaction.atomic(durable=True):
        return _ca_store(organisation=organisation, cert=cert, key=key, chain=[], imported=False, actor=actor)


def ca_import_pkcs12(
    *, organisation: Organisation, data: bytes, password: bytes | None, actor: Person | None = None
) -> CertificateAuthority:
    """A CA the organisation already has (its key and certificate in a PKCS#12 file, with the issuers above it
    when it is an intermediate). Refused unless the certificate is a CA's that may sign certificates and CRLs."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise SigningNotConfigured(f"cannot read the PKCS#12 file: {exc}") from exc
    if cert is None or key is None or not isinstance(key, pki.PrivateKey):
        raise SigningNotConfigured("the PKCS#12 file must hold an RSA or EC key and its certificate")
    if pki.public_key_der(key) != pki.spki_der(cert.public_key()):
        raise SigningNotConfigured("the key in the PKCS#12 file does not match its certificate")
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise SigningNotConfigured("the certificate is not a CA's (basic constraints, key usage)") from exc
    if not constraints.ca or not usage.key_cert_sign or not usage.crl_sign:
        raise SigningNotConfigured("the certificate is not a CA's that may sign certificates and CRLs")
    with transaction.atomic(durable=True):
        return _ca_store(
            organisation=organisation, cert=cert, key=key, chain=list(extra or []), imported=True, actor=actor
        )


# The CRL -------------------------------------------------------------------------------------------------------


def _crl_publish(*, ca: CertificateAuthority, key: pki.PrivateKey | None = None) -> bytes:
    """Sign a new CRL (every revoked key of the CA) and keep it on the CA row. Inside the caller's transaction."""
    ca = CertificateAuthority.objects.select_for_update().get(pk=ca.pk)
    revoked = [
        pki.Revoked(
            serial=k.serial_int,
            revoked_at=k.revoked_at,
            reason=REASON_FLAGS[RevocationReason(k.revocation_reason)],
        )
        for k in SigningKey.objects.filter(ca=ca, revoked_at__isnull=False).order_by("revoked_at")
        if k.revoked_at is not None
    ]
    number = ca.crl_number + 1
    crl = pki.crl(
        ca_cert=ca_certificate(ca),
        ca_key=key or ca_private_key(ca),
        revoked=revoked,
        number=number,
        days=settings.MEMOFLOW_CRL_DAYS,
    )
    ca.crl = crl.public_bytes(serialization.Encoding.DER)
    ca.crl_number = number
    ca.crl_next_update = crl.next_update_utc
    ca.save(update_fields=["crl", "crl_number", "crl_next_update"])
    return bytes(ca.crl)


def crl_current() -> bytes | None:
    """The active CA's CRL, signed again when less than half its lifetime is left (validators refuse a CRL
    past its next update): the public download keeps it fresh without a scheduled job."""
    ca = active_ca()
    if ca is None:
        return None
    half = timedelta(days=settings.MEMOFLOW_CRL_DAYS) / 2
    if ca.crl is not None and ca.crl_next_update is not None and ca.crl_next_update - timezone.now() > half:
        return bytes(ca.crl)
    with transaction.atomic():
        return _crl_publish(ca=ca)


def crls_refresh() -> None:
    """Sign again the CRL of every CA (the active one and earlier ones) with less than half its lifetime left,
    so that a verification has a current CRL for each (a validator refuses one past its next update)."""
    half = timedelta(days=settings.MEMOFLOW_CRL_DAYS) / 2
    for ca in CertificateAuthority.objects.all():
        if (
            ca.crl is not None
            and ca.crl_next_update is not None
            and ca.crl_next_update - timezone.now() > half
        ):
            continue
        try:
            with transaction.atomic():
                _crl_publish(ca=ca)
        except SigningNotConfigured:
            log.exception("the CRL of CA %s could not be signed again", ca.pk)


# Keys ----------------------------------------------------------------------------------------------------------


def _person_subject(person: Person, ca: CertificateAuthority) -> pki.Subject:
    position = Position.objects.filter(holder=person).order_by("sort_order", "title").first()
    return pki.Subject(
        common_name=person.full_name,
        organisation=ca.organisation.name,
        title=position.title if position else "",
        user_id=person.get_username(),
    )


def key_issue(
    *,
    purpose: str,
    person: Person | None,
    secret: str,
    wrapped_by: str,
    actor: Person | None = None,
    meta: RequestMeta | None = None,
) -> SigningKey:
    """A new key pair and certificate from the active CA, the private key wrapped under `secret` (the holder's
    password, or the seal passphrase). Inside the caller's transaction; the caller has checked the secret."""
    ca = active_ca()
    if ca is None:
        raise SigningNotConfigured()
    if purpose == KeyPurpose.PERSON:
        assert person is not None
        subject = _person_subject(person, ca)
        algorithm = settings.MEMOFLOW_SIGNING_KEY_ALGORITHM
    else:
        role = "ประทับเวลา" if purpose == KeyPurpose.TSA else "ตราประทับ"
        subject = pki.Subject(
            common_name=f"{ca.organisation.name} ({role})", organisation=ca.organisation.name
        )
        algorithm = "rsa-3072"  # the TSA too: pyHanko's DummyTimeStamper, which ours extends, signs with RSA
    private = pki.generate_private_key(algorithm)
    public_der = pki.public_key_der(private)
    crl_url, ca_url = _urls()
    cert = pki.end_entity_certificate(
        subject=subject,
        public_key_der_bytes=public_der,
        ca_cert=ca_certificate(ca),
        ca_key=ca_private_key(ca),
        days=settings.MEMOFLOW_SIGNING_CERT_DAYS,
        crl_url=crl_url,
        ca_url=ca_url,
        timestamping=purpose == KeyPurpose.TSA,
    )
    key = SigningKey(
        id=uuid.uuid4(),
        ca=ca,
        purpose=purpose,
        person=person,
        public_key=public_der,
        public_key_sha256=pki.fingerprint(public_der),
        wrapped_by=wrapped_by,
        certificate=cert.public_bytes(serialization.Encoding.DER),
        serial=f"{cert.serial_number:x}",
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )
    _set_wrapped(key, envelope.wrap(pki.private_key_der(private), secret=secret, context=key_context(key)))
    del private
    key.save()
    audit_event_append(
        action="signing_key.issued",
        obj=key,
        actor=actor,
        data={"purpose": purpose, "holder": person.get_username() if person else None, "serial": key.serial},
        meta=meta,
    )
    return key


def key_rewrap(*, key: SigningKey, old_secret: str, new_secret: str, wrapped_by: str) -> SigningKey:
    """The same key and certificate under a new password (envelope.UnwrapFailed: the old one does not open
    it). Inside the caller's transaction."""
    der = envelope.unwrap(wrapped(key), secret=old_secret, context=key_context(key))
    _set_wrapped(key, envelope.wrap(der, secret=new_secret, context=key_context(key)))
    del der
    key.wrapped_by = wrapped_by
    key.rewrapped_at = timezone.now()
    key.save(update_fields=["wrapped_key", "kdf_salt", "kdf", "wrapped_by", "rewrapped_at"])
    audit_event_append(action="signing_key.rewrapped", obj=key, data={"serial": key.serial})
    return key


def key_revoke_in_transaction(
    *, key: SigningKey, reason: str, actor: Person | None = None, meta: RequestMeta | None = None
) -> SigningKey:
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.revocation_reason = RevocationReason(reason)
    key.save(update_fields=["revoked_at", "revocation_reason"])
    audit_event_append(
        action="signing_key.revoked",
        obj=key,
        actor=actor,
        data={"serial": key.serial, "reason": reason},
        meta=meta,
    )
    _crl_publish(ca=key.ca)
    return key


def signing_key_revoke(
    *, key: SigningKey, reason: str, actor: Person | None = None, meta: RequestMeta | None = None
) -> SigningKey:
    """Revoke a key (once; its signatures made before stay valid for the time they were made) and publish the
    CA's new CRL in the same transaction."""
    with transaction.atomic(durable=True):
        return key_revoke_in_transaction(key=key, reason=reason, actor=actor, meta=meta)


def seal_key_create(*, actor: Person | None = None) -> SigningKey:
    """The organisation's seal key (for the certificate of completion and the archive timestamp), wrapped under
    MEMOFLOW_SEAL_KEY_PASSPHRASE. A new one supersedes the old."""
    passphrase = _secret("MEMOFLOW_SEAL_KEY_PASSPHRASE")
    with transaction.atomic(durable=True):
        for old in SigningKey.objects.unrevoked().filter(purpose=KeyPurpose.SEAL):
            key_revoke_in_transaction(key=old, reason=RevocationReason.SUPERSEDED, actor=actor)
        return key_issue(
            purpose=KeyPurpose.SEAL, person=None, secret=passphrase, wrapped_by=WrappedBy.SERVER, actor=actor
        )


def tsa_key_create(*, actor: Person | None = None) -> SigningKey:
    """The key of the organisation's own RFC 3161 timestamp authority (/pki/tsa, MEMOFLOW_TSA_URL=local),
    wrapped under MEMOFLOW_SEAL_KEY_PASSPHRASE like the seal (both are server keys). A new one supersedes the
    old; tokens made under the old stay valid for the time they were made."""
    passphrase = _secret("MEMOFLOW_SEAL_KEY_PASSPHRASE")
    with transaction.atomic(durable=True):
        for old in SigningKey.objects.unrevoked().filter(purpose=KeyPurpose.TSA):
            key_revoke_in_transaction(key=old, reason=RevocationReason.SUPERSEDED, actor=actor)
        return key_issue(
            purpose=KeyPurpose.TSA, person=None, secret=passphrase, wrapped_by=WrappedBy.SERVER, actor=actor
        )


def seal_private_key_der(key: SigningKey) -> bytes:
    try:
        return envelope.unwrap(
            wrapped(key), secret=_secret("MEMOFLOW_SEAL_KEY_PASSPHRASE"), context=key_context(key)
        )
    except envelope.UnwrapFailed as exc:
        raise SigningNotConfigured("MEMOFLOW_SEAL_KEY_PASSPHRASE does not open the seal key") from exc


def _read(content: bytes | IO[bytes]) -> bytes:
    """The bytes, reading at most one byte more than the upload limit (the cleaner refuses that)."""
    if isinstance(content, bytes):
        return content
    return content.read(max_upload_bytes() + 1)


def signature_image_enrol(
    *, person: Person, content: bytes | IO[bytes], meta: RequestMeta | None = None
) -> SignatureImage:
    """Check and clean an uploaded or drawn image (PNG or JPEG) and make it the person's signature image from
    now on; raises ``ValidationFailed`` (field ``file``) saying why an image cannot be used. Memos signed
    before keep the image they were signed with."""
    cleaned = clean_signature_image(_read(content))
    image = SignatureImage(
        person=person,
        sha256=cleaned.sha256,
        width=cleaned.width,
        height=cleaned.height,
        size=len(cleaned.png),
    )
    name = signature_image_name(cleaned.sha256)
    # Content-addressed: a file of this name holds these very bytes; it is written once and never replaced.
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(cleaned.png))
    image.file.name = name
    with transaction.atomic(durable=True):
        image.created_at = timezone.now()
        image.save()
        audit_event_append(
            action="signature_image.enrolled",
            obj=image,
            actor=person,
            data={"sha256": cleaned.sha256, "width": cleaned.width, "height": cleaned.height},
            meta=meta,
        )
    return image


def signature_image_withdraw(*, person: Person, meta: RequestMeta | None = None) -> SignatureImage:
    """From now on the person has no signature image (their blocks print the e-signature line)."""
    with transaction.atomic(durable=True):
        image = SignatureImage.objects.create(person=person, created_at=timezone.now())
        audit_event_append(action="signature_image.withdrawn", obj=image, actor=person, meta=meta)
    return image
