"""Where a person's signing key lives and how it is opened for one signature: the KeyStore interface.

The default store, `PasswordWrappedKeyStore`, keeps each private key encrypted under a key derived from its
holder's password (signatures.envelope); the password unwraps it in memory for one signature and the
`UnwrappedSigner` is discarded after it. A PKCS#11 token or a certificate from a national CA is another
KeyStore (docs/signatures.md): the signing code only ever asks `key_store().signer_for(...)`.

Both entry points take the holder and the holder's password, and check that password first through
org.services.signing_password_check (lockout; a wrong one counts). There is no parameter for "acting as".
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol

from asn1crypto import keys as asn1_keys
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from core.audit import RequestMeta
from org import services as org_services
from org.models import Person
from signatures import envelope, services
from signatures.errors import OwnPasswordRequired, SignerDiscarded, SigningNotConfigured
from signatures.models import KeyPurpose, RevocationReason, SigningKey, WrappedBy
from signatures.selectors import active_ca, active_key_for, active_seal, asn1, ca_chain, certificate

log = logging.getLogger(__name__)


class UnwrappedSigner:
    """A private key in memory for one signature: use it inside `with`, then it is gone. `signer` is
    pyHanko's SimpleSigner (certificate, key, the CA chain to embed)."""

    def __init__(self, *, key: SigningKey, private_key_der: bytes) -> None:
        self.key = key
        chain = [asn1(c) for c in ca_chain(key.ca)]
        self._signer: signers.SimpleSigner | None = signers.SimpleSigner(
            signing_cert=asn1(certificate(key)),
            signing_key=asn1_keys.PrivateKeyInfo.load(private_key_der),
            cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
        )

    @property
    def signer(self) -> signers.SimpleSigner:
        if self._signer is None:
            raise SignerDiscarded()
        return self._signer

    def discard(self) -> None:
        """Drop every reference to the key (Python cannot wipe the memory; the objects become garbage)."""
        if self._signer is not None:
            self._signer.signing_key = None
        self._signer = None

    def __enter__(self) -> "UnwrappedSigner":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()


class KeyStore(Protocol):
    """What the signing services need from wherever the keys are."""

    def enrol(self, *, person: Person, password: str | None, meta: RequestMeta | None = None) -> SigningKey:
        """The person's key and certificate, issued now if they have none."""
        ...

    def signer_for(
        self, *, person: Person, password: str | None, meta: RequestMeta | None = None
    ) -> UnwrappedSigner:
        """A signer for one signature, only with the person's own password (or PIN, for a token)."""
        ...

    def password_changed(
        self,
        *,
        person: Person,
        old_password: str | None,
        new_password: str | None,
        by_admin: bool,
        meta: RequestMeta | None = None,
    ) -> None:
        """Keep the key usable by the new password only (re-wrap), or replace it (an administrator's reset)."""
        ...


class PasswordWrappedKeyStore:
    """Software keys, each wrapped under its holder's password (Argon2id + AES-256-GCM)."""

    def enrol(self, *, person: Person, password: str | None, meta: RequestMeta | None = None) -> SigningKey:
        org_services.signing_password_check(actor=person, password=password, meta=meta)
        assert password
        with transaction.atomic():
            return self._key_for(person=person, password=password, meta=meta)

    def signer_for(
        self, *, person: Person, password: str | None, meta: RequestMeta | None = None
    ) -> UnwrappedSigner:
        org_services.signing_password_check(actor=person, password=password, meta=meta)
        assert password
        with transaction.atomic():
            key = self._key_for(person=person, password=password, meta=meta)
            try:
                der = envelope.unwrap(
                    services.wrapped(key), secret=password, context=services.key_context(key)
                )
            except envelope.UnwrapFailed:
                # The password is the person's (checked above) but not the one the key is wrapped under: it was
                # set around org.services (`manage.py changepassword`). Replace the key, as after a reset.
                log.warning(
                    "signing key %s not opened by its holder's current password: re-issued", key.serial
                )
                services.key_revoke_in_transaction(key=key, reason=RevocationReason.SUPERSEDED, meta=meta)
                key = services.key_issue(
                    purpose=KeyPurpose.PERSON,
                    person=person,
                    secret=password,
                    wrapped_by=_wrapped_by_now(person),
                    meta=meta,
                )
                der = envelope.unwrap(
                    services.wrapped(key), secret=password, context=services.key_context(key)
                )
        if settings.MEMOFLOW_SIGNING_REQUIRE_OWN_PASSWORD and key.wrapped_by != WrappedBy.HOLDER:
            del der
            raise OwnPasswordRequired()
        return UnwrappedSigner(key=key, private_key_der=der)

    def _key_for(self, *, person: Person, password: str, meta: RequestMeta | None) -> SigningKey:
        """The person's usable key; a first one, or a new one when it has expired. Inside a transaction."""
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one enrolment at a time
        key = active_key_for(person=person)
        if key is not None and key.not_after <= timezone.now():
            services.key_revoke_in_transaction(key=key, reason=RevocationReason.SUPERSEDED, meta=meta)
            key = None
        if key is None:
            key = services.key_issue(
                purpose=KeyPurpose.PERSON,
                person=person,
                secret=password,
                wrapped_by=_wrapped_by_now(person),
                actor=person,
                meta=meta,
            )
        return key

    def password_changed(
        self,
        *,
        person: Person,
        old_password: str | None,
        new_password: str | None,
        by_admin: bool,
        meta: RequestMeta | None = None,
    ) -> None:
        if active_ca() is None:
            return
        key = active_key_for(person=person)
        if new_password is None:  # no password sign-in any more: nobody can open the key again
            if key is not None:
                services.key_revoke_in_transaction(
                    key=key, reason=RevocationReason.CESSATION_OF_OPERATION, meta=meta
                )
            return
        wrapped_by = WrappedBy.ADMINISTRATOR if by_admin else WrappedBy.HOLDER
        if key is not None and not by_admin and old_password and key.wrapped_by == WrappedBy.HOLDER:
            try:
                services.key_rewrap(
                    key=key, old_secret=old_password, new_secret=new_password, wrapped_by=wrapped_by
                )
                return
            except envelope.UnwrapFailed:
                log.warning("signing key %s not opened by the old password: re-issued", key.serial)
        if key is None and by_admin:
            return  # issued when the person first signs
        # An administrator's reset (the administrator knows the new password), or the holder's first own
        # password after one (the administrator knew the old): a new key and certificate, the old revoked.
        if key is not None:
            services.key_revoke_in_transaction(key=key, reason=RevocationReason.SUPERSEDED, meta=meta)
        services.key_issue(
            purpose=KeyPurpose.PERSON, person=person, secret=new_password, wrapped_by=wrapped_by, meta=meta
        )


def _wrapped_by_now(person: Person) -> str:
    """Whether the person's current password is their own (their last change on the profile page) or was set
    by an administrator (created, reset), from the audit log."""
    from core.models import AuditEvent

    last = (
        AuditEvent.objects.filter(
            object_type=Person._meta.label_lower,
            object_id=str(person.pk),
            action="person.password_changed",
        )
        .order_by("-at")
        .values_list("data", flat=True)
        .first()
    )
    return WrappedBy.HOLDER if isinstance(last, dict) and last.get("by_self") else WrappedBy.ADMINISTRATOR


_default_store = PasswordWrappedKeyStore()


def key_store() -> KeyStore:
    return _default_store


def ensure_signing_key(
    *, person: Person, password: str | None, meta: RequestMeta | None = None
) -> SigningKey:
    """The person's signing key and certificate, issued on first use; their password is checked first."""
    return key_store().enrol(person=person, password=password, meta=meta)


def unwrap_for_signing(
    *, person: Person, password: str | None, meta: RequestMeta | None = None
) -> UnwrappedSigner:
    """A signer for one signature by `person`, opened with their own password (a wrong or missing one raises
    BadPassword, counted toward the lockout; a locked-out account gets LockedOut). Use it in `with`.
    Call it before the step's own transaction, so that a failed attempt is recorded."""
    return key_store().signer_for(person=person, password=password, meta=meta)


@contextmanager
def seal_signer() -> Iterator[UnwrappedSigner]:
    """The organisation's seal, opened with MEMOFLOW_SEAL_KEY_PASSPHRASE, for one signature."""
    key = active_seal()
    if key is None:
        raise SigningNotConfigured()
    with UnwrappedSigner(key=key, private_key_der=services.seal_private_key_der(key)) as signer:
        yield signer


def on_password_changed(sender: Any, *, person: Person, **kwargs: Any) -> None:
    """Receiver of org.signals.password_changed, inside the password change's transaction. A missing CA
    passphrase must not block a password change: the key is then replaced when the person next signs."""
    try:
        with transaction.atomic():
            key_store().password_changed(
                person=person,
                old_password=kwargs.get("old_password"),
                new_password=kwargs.get("new_password"),
                by_admin=bool(kwargs.get("by_admin")),
                meta=kwargs.get("meta"),
            )
    except SigningNotConfigured:
        log.exception("signing key of %s not updated after a password change", person.get_username())
