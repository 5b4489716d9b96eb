"""The profile page's password change keeps the signer's key: re-wrapped, not replaced."""

from collections.abc import Callable

import pytest
from django.test import Client

from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import selectors
from signatures.keystore import ensure_signing_key, unwrap_for_signing
from signatures.models import CertificateAuthority, WrappedBy

pytestmark = pytest.mark.django_db
NEW = "a-new-password-2569!"


def _change(client: Client, old: str, new: str) -> None:
    response = client.post("/profile/", {"old_password": old, "new_password1": new, "new_password2": new})
    assert response.status_code == 302, response.content[:500]


def test_changing_the_password_on_the_profile_page_rewraps_the_key(
    ca: CertificateAuthority, person: Callable[[str], Person]
) -> None:
    nat = person("nat")
    client = Client()
    client.force_login(nat)
    _change(
        client, DEMO_PASSWORD, "first-own-password-2569!"
    )  # the demo password was set by an administrator
    nat.refresh_from_db()
    key = ensure_signing_key(person=nat, password="first-own-password-2569!")
    assert key.wrapped_by == WrappedBy.HOLDER
    _change(client, "first-own-password-2569!", NEW)
    assert selectors.active_key_for(person=nat) == key  # the same key and certificate
    nat.refresh_from_db()
    with unwrap_for_signing(person=nat, password=NEW) as unwrapped:
        assert unwrapped.key == key
