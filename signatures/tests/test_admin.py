"""Keys and the CA in the admin: readable, never editable, the encrypted key never shown."""

from collections.abc import Callable

import pytest
from django.test import Client

from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures.keystore import ensure_signing_key
from signatures.models import CertificateAuthority

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(person: Callable[[str], Person]) -> Client:
    client = Client()
    client.force_login(person("admin"))
    return client


def test_an_administrator_reads_a_key_but_cannot_change_or_delete_it(
    ca: CertificateAuthority, person: Callable[[str], Person], admin_client: Client
) -> None:
    key = ensure_signing_key(person=person("nat"), password=DEMO_PASSWORD)
    listing = admin_client.get("/admin/signatures/signingkey/").content.decode()
    assert key.serial in listing
    page = admin_client.get(f"/admin/signatures/signingkey/{key.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "BEGIN CERTIFICATE" in html
    assert "wrapped_key" not in html
    assert bytes(key.wrapped_key).hex()[:32] not in html
    assert 'name="_save"' not in html
    assert admin_client.post(f"/admin/signatures/signingkey/{key.pk}/change/", {}).status_code == 403
    assert admin_client.get(f"/admin/signatures/signingkey/{key.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/signatures/signingkey/add/").status_code == 403
    assert admin_client.get("/admin/signatures/certificateauthority/add/").status_code == 403
    assert admin_client.get(f"/admin/signatures/certificateauthority/{ca.pk}/change/").status_code == 200
