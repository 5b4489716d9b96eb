"""A person's key: issued on first use, opened only with their own password, re-wrapped or replaced when the
password changes; the stored blob never holds the key."""

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import IntegrityError, transaction

from core.errors import BadPassword, LockedOut
from core.models import AuditEvent
from org import services as org_services
from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import envelope, selectors, services
from signatures.errors import OwnPasswordRequired, SignerDiscarded
from signatures.keystore import ensure_signing_key, unwrap_for_signing
from signatures.models import CertificateAuthority, RevocationReason, SigningKey, WrappedBy

pytestmark = pytest.mark.django_db
NEW = "a-new-password-2569"


def _private_der(signer: object) -> bytes:
    return signer.signer.signing_key.dump()


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-3072"])
def test_first_signature_issues_a_key_that_roundtrips(
    signer_person: Person, settings: Any, algorithm: str
) -> None:
    settings.MEMOFLOW_SIGNING_KEY_ALGORITHM = algorithm
    assert selectors.active_key_for(person=signer_person) is None
    with unwrap_for_signing(person=signer_person, password=DEMO_PASSWORD) as unwrapped:
        key = unwrapped.key
        der = _private_der(unwrapped)
    private = serialization.load_der_private_key(der, password=None)
    assert private.public_key().public_bytes(  # the certificate's key is the one unwrapped
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == bytes(key.public_key)
    assert selectors.active_key_for(person=signer_person) == key
    with unwrap_for_signing(person=signer_person, password=DEMO_PASSWORD) as again:
        assert again.key == key
        assert _private_der(again) == der


def test_the_stored_blob_never_contains_the_key(signer_person: Person) -> None:
    with unwrap_for_signing(person=signer_person, password=DEMO_PASSWORD) as unwrapped:
        der = _private_der(unwrapped)
        key = unwrapped.key
    private = serialization.load_der_private_key(der, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    scalar = private.private_numbers().private_value
    secret = scalar.to_bytes(32, "big")
    key.refresh_from_db()
    for blob in (bytes(key.wrapped_key), bytes(key.kdf_salt)):
        assert der not in blob
        assert secret not in blob
        assert secret[:16] not in blob
    assert DEMO_PASSWORD.encode() not in bytes(key.wrapped_key)


def test_the_key_is_discarded_after_the_signature(signer_person: Person) -> None:
    with unwrap_for_signing(person=signer_person, password=DEMO_PASSWORD) as unwrapped:
        assert unwrapped.signer is not None
    with pytest.raises(SignerDiscarded):
        unwrapped.signer  # noqa: B018 - the access itself is what fails


@pytest.mark.parametrize("password", ["wrong-password", "", None])
def test_no_signer_without_the_holders_password(signer_person: Person, password: str | None) -> None:
    ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    with pytest.raises(BadPassword) as caught:
        unwrap_for_signing(person=signer_person, password=password)
    assert caught.value.code == "bad_password"


def test_an_administrator_cannot_get_someone_elses_signer(
    signer_person: Person, person: Callable[[str], Person]
) -> None:
    """The superuser's own password opens nothing of nat's: there is no 'as' parameter, and nat's key is
    wrapped under nat's password."""
    admin = person("admin")
    assert admin.is_superuser
    org_services.person_password_change(person=admin, password="admins-own-password", actor=admin)
    ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    with pytest.raises(BadPassword):
        unwrap_for_signing(person=signer_person, password="admins-own-password")
    key = selectors.active_key_for(person=signer_person)
    assert key is not None
    with pytest.raises(envelope.UnwrapFailed):  # nor with anything a database dump holds
        envelope.unwrap(services.wrapped(key), secret=admin.password, context=services.key_context(key))


def test_a_wrapped_key_moved_to_another_row_does_not_open(
    signer_person: Person, person: Callable[[str], Person]
) -> None:
    """The ciphertext is bound to its row: pasting nat's blob on another person's key fails even with nat's
    password."""
    nats = ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    other = ensure_signing_key(person=person("rujapa"), password=DEMO_PASSWORD)
    with pytest.raises(envelope.UnwrapFailed):
        envelope.unwrap(services.wrapped(nats), secret=DEMO_PASSWORD, context=services.key_context(other))


def test_wrong_passwords_count_toward_the_lockout(signer_person: Person) -> None:
    for _ in range(5):
        with pytest.raises(BadPassword):
            unwrap_for_signing(person=signer_person, password="wrong-password")
    with pytest.raises(LockedOut):  # even the right one, now
        unwrap_for_signing(person=signer_person, password=DEMO_PASSWORD)


def test_own_password_change_rewraps_the_same_key_and_certificate(signer_person: Person) -> None:
    org_services.person_password_change(
        person=signer_person, password=DEMO_PASSWORD, old_password="x", actor=signer_person
    )  # the holder's own password from now on: the key issued next is theirs alone
    key = ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    assert key.wrapped_by == WrappedBy.HOLDER
    blob = bytes(key.wrapped_key)
    org_services.person_password_change(
        person=signer_person, password=NEW, old_password=DEMO_PASSWORD, actor=signer_person
    )
    key.refresh_from_db()
    assert key.revoked_at is None
    assert bytes(key.wrapped_key) != blob
    assert selectors.active_key_for(person=signer_person) == key  # same key, same certificate
    with unwrap_for_signing(person=signer_person, password=NEW) as unwrapped:
        assert unwrapped.key == key
    with pytest.raises(envelope.UnwrapFailed):  # the old password opens it no more
        envelope.unwrap(services.wrapped(key), secret=DEMO_PASSWORD, context=services.key_context(key))


def test_administrator_reset_revokes_and_issues_a_new_key(
    signer_person: Person, person: Callable[[str], Person], ca: CertificateAuthority
) -> None:
    old = ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    org_services.person_password_change(person=signer_person, password=NEW, actor=person("admin"))
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.revocation_reason == RevocationReason.SUPERSEDED
    new = selectors.active_key_for(person=signer_person)
    assert new is not None
    assert new != old
    assert new.serial != old.serial
    assert new.wrapped_by == WrappedBy.ADMINISTRATOR
    ca.refresh_from_db()
    from cryptography import x509

    crl = x509.load_der_x509_crl(bytes(ca.crl))
    assert crl.get_revoked_certificate_by_serial_number(old.serial_int) is not None


def test_own_change_after_a_reset_replaces_the_key_the_administrator_could_open(
    signer_person: Person, person: Callable[[str], Person]
) -> None:
    ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    org_services.person_password_change(person=signer_person, password=NEW, actor=person("admin"))
    reset_key = selectors.active_key_for(person=signer_person)
    assert reset_key is not None
    org_services.person_password_change(
        person=signer_person, password="mine-alone-2569", old_password=NEW, actor=signer_person
    )
    reset_key.refresh_from_db()
    assert reset_key.revocation_reason == RevocationReason.SUPERSEDED
    own = selectors.active_key_for(person=signer_person)
    assert own is not None
    assert own.wrapped_by == WrappedBy.HOLDER


def test_a_password_set_around_the_services_gets_a_new_key_at_signing(signer_person: Person) -> None:
    """`manage.py changepassword` sends no signal: the key stays under the old password; the next signature
    with the (checked) new password replaces it instead of failing."""
    old = ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    signer_person.set_password(NEW)
    signer_person.save(update_fields=["password"])
    with unwrap_for_signing(person=signer_person, password=NEW) as unwrapped:
        assert unwrapped.key != old
    old.refresh_from_db()
    assert old.revocation_reason == RevocationReason.SUPERSEDED


def test_an_unusable_password_revokes_the_key(signer_person: Person, person: Callable[[str], Person]) -> None:
    key = ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    org_services.person_password_change(person=signer_person, password=None, actor=person("admin"))
    key.refresh_from_db()
    assert key.revocation_reason == RevocationReason.CESSATION_OF_OPERATION
    assert selectors.active_key_for(person=signer_person) is None


def test_a_password_change_without_a_ca_still_works(person: Callable[[str], Person]) -> None:
    nat = person("nat")
    org_services.person_password_change(person=nat, password=NEW, old_password=DEMO_PASSWORD, actor=nat)
    nat.refresh_from_db()
    assert nat.check_password(NEW)
    assert not SigningKey.objects.exists()


def test_one_unrevoked_key_per_person(signer_person: Person) -> None:
    key = ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.key_issue(
            purpose="person", person=signer_person, secret=DEMO_PASSWORD, wrapped_by=WrappedBy.HOLDER
        )
    assert SigningKey.objects.filter(person=signer_person).count() == 1
    assert key.wrapped_by == WrappedBy.ADMINISTRATOR  # the demo password was set by whoever created nat


def test_issuing_and_revoking_are_audited(signer_person: Person, person: Callable[[str], Person]) -> None:
    ensure_signing_key(person=signer_person, password=DEMO_PASSWORD)
    org_services.person_password_change(person=signer_person, password=NEW, actor=person("admin"))
    actions = list(
        AuditEvent.objects.filter(object_type="signatures.signingkey").values_list("action", flat=True)
    )
    assert sorted(actions) == ["signing_key.issued", "signing_key.issued", "signing_key.revoked"]


def test_with_own_password_required_an_administrators_password_does_not_sign(
    signer_person: Person, person: Callable[[str], Person], settings: Any
) -> None:
    settings.MEMOFLOW_SIGNING_REQUIRE_OWN_PASSWORD = True
    org_services.person_password_change(person=signer_person, password=NEW, actor=person("admin"))
    signer_person.refresh_from_db()
    with pytest.raises(OwnPasswordRequired) as caught:
        unwrap_for_signing(person=signer_person, password=NEW)
    assert caught.value.http_status == 403
    org_services.person_password_change(
        person=signer_person, password="mine-alone-2569", old_password=NEW, actor=signer_person
    )
    signer_person.refresh_from_db()
    with unwrap_for_signing(person=signer_person, password="mine-alone-2569") as unwrapped:
        assert unwrapped.key.wrapped_by == WrappedBy.HOLDER
