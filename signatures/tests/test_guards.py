"""A key's identity (certificate, public key, holder) never changes and a revoked key never changes again;
neither is ever deleted. Refused by the model, its QuerySet and a database trigger (signatures.guards)."""

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction

from core.append_only import AppendOnlyError
from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import guards, services
from signatures.keystore import ensure_signing_key
from signatures.models import CertificateAuthority, RevocationReason, SigningKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(ca: CertificateAuthority, person: Callable[[str], Person]) -> SigningKey:
    return ensure_signing_key(person=person("nat"), password=DEMO_PASSWORD)


def test_the_model_refuses_to_change_what_identifies_a_key(
    key: SigningKey, person: Callable[[str], Person]
) -> None:
    key.person = person("rujapa")
    with pytest.raises(AppendOnlyError):
        key.save(update_fields=["person"])
    with pytest.raises(AppendOnlyError):
        key.save()  # a save that does not name its fields
    with pytest.raises(AppendOnlyError):
        key.delete()


def test_the_queryset_refuses_bulk_changes(key: SigningKey) -> None:
    with pytest.raises(AppendOnlyError):
        SigningKey.objects.filter(pk=key.pk).update(certificate=b"forged")
    with pytest.raises(AppendOnlyError):
        SigningKey.objects.filter(pk=key.pk).delete()
    with pytest.raises(AppendOnlyError):
        CertificateAuthority.objects.update(certificate=b"forged")


@pytest.mark.parametrize(
    "change", [{"certificate": b"forged"}, {"public_key": b"forged"}, {"serial": "ff"}, {"person_id": None}]
)
def test_the_database_refuses_to_change_a_keys_identity(key: SigningKey, change: dict[str, object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey._base_manager.filter(pk=key.pk).update(**change)


def test_the_database_refuses_to_change_a_revoked_key(key: SigningKey) -> None:
    services.signing_key_revoke(key=key, reason=RevocationReason.KEY_COMPROMISE)
    for change in ({"revoked_at": None, "revocation_reason": ""}, {"wrapped_key": b"x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SigningKey._base_manager.filter(pk=key.pk).update(**change)


def test_the_database_allows_a_rewrap(key: SigningKey) -> None:
    assert SigningKey._base_manager.filter(pk=key.pk).update(wrapped_key=b"rewrapped") == 1


def test_the_database_refuses_to_change_the_cas_certificate_or_key(ca: CertificateAuthority) -> None:
    for change in ({"certificate": b"forged"}, {"wrapped_key": b"forged"}, {"subject": "CN=x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CertificateAuthority._base_manager.filter(pk=ca.pk).update(**change)
    assert (
        CertificateAuthority._base_manager.filter(pk=ca.pk).update(crl_number=99) == 1
    )  # a new CRL: allowed


@pytest.mark.parametrize("table", sorted(guards.GUARDED))
def test_the_triggers_are_installed(table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s", [guards.trigger_name(table)])
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [guards.trigger_name(table)],
            )
        assert cursor.fetchone()[0] == 1
